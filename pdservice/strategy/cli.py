"""`flask strategy backfill --from DATE [--to DATE] [--overwrite]` and
`flask strategy snapshot`."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from pdservice.clock import today
from pdservice.db import write_intent
from pdservice.extensions import db
from pdservice.strategy.backfill import backfill
from pdservice.strategy.services import record_snapshots

strategy_cli = AppGroup("strategy", help="The strategy dashboard's snapshots.")


def _as_date(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


@strategy_cli.command("backfill")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--overwrite", is_flag=True, help="Replace days the nightly job recorded too.")
def backfill_command(start: datetime, end: datetime | None, overwrite: bool) -> None:
    """Recompute past snapshots (default --to: yesterday) from the audit history, and say,
    per indicator, where it cannot."""
    first, last = _as_date(start), _as_date(end) or today() - timedelta(days=1)
    if last < first:
        raise click.BadParameter(f"--to {last} is before --from {first}.", param_hint="--to")
    if last >= today():
        raise click.BadParameter(
            "the backfill recomputes past days only; today is the nightly job's.",
            param_hint="--to",
        )
    with force_locale("en"), write_intent():
        report = backfill(first, last, overwrite=overwrite)
        db.session.commit()
        click.echo(f"Backfill {first} … {last}: {report.days} days recomputed.")
        for line in report.lines():
            click.echo(line)


@strategy_cli.command("snapshot")
def snapshot_command() -> None:
    """Record today's snapshot of every indicator now (what the nightly job does)."""
    with write_intent():
        count = record_snapshots(today())
        db.session.commit()
    click.echo(f"{count} snapshots recorded for {today()}.")
