"""The personal calendar feed (iCalendar) at a secret, revocable address. Features add
their events with `register_event_source` (see calendar/services.py)."""

from flask import Blueprint, Flask

bp = Blueprint("calendar", __name__)


def register(app: Flask) -> None:
    from pdservice.calendar import routes  # noqa: F401 - the routes register on bp
    from pdservice.home import add_account_section

    app.register_blueprint(bp, url_prefix="/calendar")
    add_account_section(app, "calendar/account_section.html", routes.account_section, 20)
