"""The strategy dashboard: collaboration indicators per unit and for the city, against the
targets leadership sets, with their trends from nightly snapshots."""

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("strategy", __name__)


def register(app: Flask) -> None:
    from pdservice.core.enums import Role
    from pdservice.home import add_home_panel
    from pdservice.nav import add_nav_item
    from pdservice.strategy import cli, routes  # noqa: F401 - the routes register on bp
    from pdservice.strategy.home import home_panel

    app.register_blueprint(bp, url_prefix="/strategy")
    app.cli.add_command(cli.strategy_cli)
    add_nav_item(
        app,
        "strategy.overview",
        _l("Collaboration indicators"),
        {Role.PRINCIPAL, Role.HR, Role.ADMIN},
        order=70,
        group="reports",
    )
    add_nav_item(
        app,
        "strategy.units",
        _l("Indicators by unit"),
        {Role.PRINCIPAL, Role.HR, Role.ADMIN},
        order=71,
        group="reports",
    )
    add_nav_item(
        app,
        "strategy.targets",
        _l("Indicator targets"),
        {Role.HR, Role.ADMIN},
        order=72,
        group="reports",
    )
    add_home_panel(
        app,
        "strategy/home_panel.html",
        {Role.PRINCIPAL, Role.HR, Role.ADMIN},
        home_panel,
        order=15,
    )
