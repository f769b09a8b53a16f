"""`flask timetable import FILE --unit UNIT --term TERM [--solution N] [--teachers FILE]`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from pdservice.core.services import find_unit
from pdservice.extensions import db
from pdservice.timetable.import_file import XHSTT, import_timetable
from pdservice.timetable.replace import TimetableLocked
from pdservice.timetable.services import get_or_create_term

timetable_cli = AppGroup("timetable", help="Timetables of units and terms.")


@timetable_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--unit", "unit_code", required=True, help="The unit's code (e.g. koivurinne).")
@click.option("--term", "term_name", required=True, help="The term's name; created when missing.")
@click.option(
    "--solution",
    type=int,
    default=1,
    show_default=True,
    help="XHSTT only: which of the file's solutions places the lessons (1 = the first).",
)
@click.option(
    "--teachers",
    "matching_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="XHSTT only: a text file of 'XHSTT id = e-mail or name' lines that chooses the staff "
    "member of each listed teacher (the others are matched automatically).",
)
def import_command(
    file: Path, unit_code: str, term_name: str, solution: int, matching_file: Path | None
) -> None:
    """Import a term's timetable from CSV or XHSTT, replacing the term's timetable (all or
    nothing, as on the import page). Messages are in English."""
    matching = matching_file.read_text(encoding="utf-8-sig") if matching_file else None
    with force_locale("en"):
        _import(file, unit_code, term_name, solution, matching)


def _import(
    file: Path, unit_code: str, term_name: str, solution: int, matching: str | None
) -> None:
    unit = find_unit(unit_code)
    if unit is None:
        click.echo(f"Unknown unit {unit_code!r}.", err=True)
        sys.exit(2)
    term, created = get_or_create_term(unit, term_name)
    try:
        outcome = import_timetable(
            unit, term, file.read_bytes(), file.name, solution=solution, matching=matching
        )
    except TimetableLocked as exc:
        db.session.rollback()
        click.echo(str(exc), err=True)
        sys.exit(1)
    if not outcome.ok:
        db.session.rollback()
        click.echo(
            f"Nothing was imported: {len(outcome.parsed.errors)} problem(s) in {file.name}",
            err=True,
        )
        for error in outcome.parsed.errors:
            column = f" [{error.column}]" if error.column else ""
            click.echo(f"  line {error.line}{column}: {error.message}", err=True)
        sys.exit(1)
    db.session.commit()
    report = outcome.report
    assert report is not None
    counts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in report.counts.items())
    what = "XHSTT" if outcome.format == XHSTT else "CSV"
    click.echo(
        f"Imported {what} {file.name} into {unit.code} / {term.name}"
        f"{' (new term)' if created else ''}: {counts}."
    )
    for note in report.notes:
        click.echo(f"  {note}")
