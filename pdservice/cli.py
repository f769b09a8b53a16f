"""Command-line tools: `flask seed ...` and `flask i18n ...`."""

from __future__ import annotations

import json
import sys

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from pdservice.extensions import db

seed_cli = AppGroup("seed", help="Reference and demo data.")
i18n_cli = AppGroup("i18n", help="Translation catalogues.")


@seed_cli.command("reference")
def seed_reference() -> None:
    """Insert or correct the reference data (competence areas). Safe to run any time."""
    from pdservice.core.reference import seed_reference_data

    changed = seed_reference_data()
    db.session.commit()
    click.echo(f"reference data: {changed} rows inserted or corrected")


@seed_cli.command("demo")
@click.option("--json", "as_json", is_flag=True, help="Print the demo accounts as JSON.")
@click.option("--if-empty", is_flag=True, help="Only seed when the database has no users yet.")
def seed_demo_command(as_json: bool, if_empty: bool) -> None:
    """Build the demo city (idempotent) and print its accounts."""
    from pdservice.core.models import User
    from pdservice.demo import seed_demo

    password = current_app.config.get("DEMO_PASSWORD")
    if not password:
        click.echo(
            "PDSERVICE_DEMO_PASSWORD is not set; set it to the password the demo accounts "
            "should have.",
            err=True,
        )
        sys.exit(2)
    has_users = db.session.scalar(sa.select(sa.func.count(User.id))) > 0
    if if_empty and has_users:
        demo_exists = db.session.scalar(
            sa.select(sa.func.count(User.id)).where(User.email.like("%@vantaa.example"))
        )
        if not demo_exists:
            click.echo("The database has users and no demo city: nothing seeded.")
            return
    ctx = seed_demo(password)
    db.session.commit()
    rows = [{"role": a.role, "email": a.email, "unit": a.unit} for a in ctx.accounts]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    click.echo("Demo accounts (password: the value of PDSERVICE_DEMO_PASSWORD):")
    widths = (10, max(len(r["email"]) for r in rows), 12)
    click.echo(f"{'role':<{widths[0]}}  {'email':<{widths[1]}}  unit")
    for a in ctx.accounts:
        click.echo(f"{a.role:<{widths[0]}}  {a.email:<{widths[1]}}  {a.unit or '-'}")


@i18n_cli.command("extract")
def i18n_extract() -> None:
    """Update the catalogue's .po files (fi, sv) from the sources."""
    from pdservice.i18n import CATALOGUE, PROJECT_ROOT
    from pdservice.i18n_tools import update

    missing = update()
    click.echo(f"{CATALOGUE.relative_to(PROJECT_ROOT)}: untranslated {missing}")
    if any(missing.values()):
        click.echo("list them: python tools/fill_translations.py --missing > new.json")


@i18n_cli.command("compile")
def i18n_compile() -> None:
    """Compile the .po files into the .mo files that run."""
    from pdservice.i18n_tools import compile_all

    click.echo(f"compiled {compile_all()} catalogues")


@i18n_cli.command("check")
def i18n_check() -> None:
    """Fail when a string lacks a Finnish or Swedish translation, is translated two ways, has
    broken placeholders, or the catalogue is not as `flask i18n extract` writes it."""
    from pdservice.i18n_tools import check

    problems = check()
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)
    click.echo("every string is translated, once")
