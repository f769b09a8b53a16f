"""Development hours: the ledger credited by attendance and other sources, external training
approved by the principal or HR, and transcripts per school year with VESO progress."""

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("hours", __name__)


def register(app: Flask) -> None:
    from pdservice.core.enums import Role
    from pdservice.hours import routes  # noqa: F401 - the routes register on bp
    from pdservice.hours.services import register_kinds
    from pdservice.nav import add_nav_item

    app.register_blueprint(bp, url_prefix="/hours")
    add_nav_item(
        app,
        "hours.my_transcript",
        _l("My hours"),
        {Role.TEACHER},
        order=15,
        group="mine",
    )
    register_kinds()
