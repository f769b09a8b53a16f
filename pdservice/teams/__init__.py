"""Teams of a unit, their weekly meetings, and finding a common free slot."""

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("teams", __name__)


def register(app: Flask) -> None:
    from pdservice.core.enums import Role
    from pdservice.nav import add_nav_item
    from pdservice.teams import routes, services  # noqa: F401

    app.register_blueprint(bp, url_prefix="/teams")
    add_nav_item(app, "teams.index", _l("Teams"), {Role.TEACHER}, order=42, group="coteaching")
