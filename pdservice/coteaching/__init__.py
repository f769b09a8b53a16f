"""Co-teaching: wishes, solve runs, review and publishing, planning time."""

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("coteaching", __name__)


def register(app: Flask) -> None:
    from pdservice.calendar.services import register_event_source
    from pdservice.core.enums import Role
    from pdservice.coteaching import cli, routes, services  # noqa: F401
    from pdservice.coteaching.published.calendar_events import feed_events
    from pdservice.coteaching.settings import configure
    from pdservice.coteaching.solving.runs import PROPOSALS_READY
    from pdservice.home import add_home_panel
    from pdservice.nav import add_nav_item
    from pdservice.notifications.services import register_notification_kind

    configure(app)
    register_event_source(feed_events)
    register_notification_kind(
        PROPOSALS_READY, _l("Co-teaching proposals for me to answer"), optional=True
    )
    app.register_blueprint(bp, url_prefix="/coteaching")
    app.cli.add_command(cli.coteach_cli)
    add_nav_item(
        app,
        "coteaching.index",
        _l("Co-teaching"),
        {Role.TEACHER},
        order=40,
        group="coteaching",
    )
    add_home_panel(
        app, "coteaching/home_panel.html", {Role.TEACHER}, context=services.home_panel, order=30
    )
