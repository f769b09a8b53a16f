"""`flask coteach solve --unit UNIT --term TERM [--time-limit S] [--json]`."""

from __future__ import annotations

import json
import sys

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from pdservice.core.services import find_unit
from pdservice.coteaching.enums import RunStatus
from pdservice.coteaching.models import SolveRun
from pdservice.coteaching.solving.execution import execute_run
from pdservice.coteaching.solving.parameters import MAX_TIME_LIMIT_SECONDS, default_parameters
from pdservice.coteaching.solving.runs import NoTimetable, RunConflict, claim_run, start_run
from pdservice.coteaching.solving.supervisor import worker_name
from pdservice.extensions import db
from pdservice.timetable.services import find_term

coteach_cli = AppGroup("coteach", help="Co-teaching solve runs.")

#: The keys `--json` prints, as the solver's own command line prints them.
JSON_KEYS = (
    "status",
    "objective",
    "bound",
    "gap",
    "wall_seconds",
    "coverage",
    "proposals",
    "meetings",
)


@coteach_cli.command("solve")
@click.option("--unit", "unit_code", required=True, help="The unit's code (e.g. koivurinne).")
@click.option("--term", "term_name", required=True, help="The term's name.")
@click.option(
    "--time-limit",
    type=click.FloatRange(0.1, MAX_TIME_LIMIT_SECONDS),
    default=None,
    help="Seconds of search (default: the run form's default).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def solve_command(unit_code: str, term_name: str, time_limit: float | None, as_json: bool) -> None:
    """Run a solve run for a term to its end, as the run page does, and print its figures.

    The run is kept in the run history like any other; its plan can be reviewed on the page.
    """
    with force_locale("en"):
        _solve(unit_code, term_name, time_limit, as_json)


def _solve(unit_code: str, term_name: str, time_limit: float | None, as_json: bool) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    unit = find_unit(unit_code)
    term = find_term(unit, term_name) if unit is not None else None
    if term is None:
        click.echo(f"Unknown unit or term: {unit_code!r} / {term_name!r}.", err=True)
        sys.exit(2)
    limit = time_limit or app.config["COTEACH_DEFAULT_TIME_LIMIT"]
    try:
        run = start_run(term, default_parameters(limit), actor=None)
    except NoTimetable:
        click.echo(f"{unit.code} / {term.name} has no timetable: import one first.", err=True)
        sys.exit(1)
    except RunConflict as conflict:
        active = conflict.active.id if conflict.active is not None else "?"
        click.echo(f"Run {active} of {unit.code} is still queued or running.", err=True)
        sys.exit(1)
    worker = f"cli:{worker_name()}"
    claim_run(run, worker)
    db.session.commit()
    run_id = run.id
    db.session.remove()
    result = execute_run(app, run_id, worker)
    run = db.session.get(SolveRun, run_id)
    if as_json:
        figures = result.to_dict() if result is not None else {"status": "failed"}
        output = {key: figures.get(key) for key in JSON_KEYS}
        output["run"] = {
            "id": run.id,
            "status": str(run.status),
            "failure": run.failure_reason,
            "unmet_wishes": len((run.result or {}).get("unmet_wishes", [])),
        }
        click.echo(json.dumps(output, ensure_ascii=False))
    else:
        _print_summary(run)
    sys.exit(0 if run.status.has_plan else 1)


def _print_summary(run: SolveRun) -> None:
    click.echo(f"Run {run.id} of {run.unit.code} / {run.term.name}: {run.status}")
    if run.status == RunStatus.FAILED:
        click.echo(f"  failed ({run.failure_code}): {run.failure_reason}")
        for conflict in (run.result or {}).get("conflicts", []):
            click.echo(f"  - {conflict['message']}")
        return
    gap = f"{run.gap:.1%}" if run.gap is not None else "-"
    click.echo(
        f"  objective {run.objective}, bound {run.bound}, gap {gap},"
        f" {run.wall_seconds:.1f} s (greedy baseline {run.greedy_objective})"
    )
    click.echo(
        f"  {run.proposal_count} pair(s), {run.meeting_count} meeting(s),"
        f" {run.covered} of {run.staff} staff in a pair"
    )
