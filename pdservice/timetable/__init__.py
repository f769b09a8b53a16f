"""Timetables: terms, the period grid, groups, subjects and lessons; imports, views, exports."""

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("timetable", __name__)


def register(app: Flask) -> None:
    from pdservice.core.enums import Role
    from pdservice.nav import add_nav_item
    from pdservice.timetable import cli, routes  # noqa: F401
    from pdservice.timetable.grid import day_name, slot_code

    app.jinja_env.globals.update(day_name=day_name, slot_code=slot_code)
    app.register_blueprint(bp, url_prefix="/timetable")
    app.cli.add_command(cli.timetable_cli)
    add_nav_item(
        app,
        "timetable.mine",
        _l("My timetable"),
        {Role.TEACHER},
        order=11,
        group="mine",
    )
    add_nav_item(
        app,
        "timetable.index",
        _l("Timetables"),
        {Role.PRINCIPAL, Role.ADMIN},
        order=41,
        group="coteaching",
    )
