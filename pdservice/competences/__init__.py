"""Competences: self-assessment with history (and the principal's view), the unit's
distribution, and development plans per school year approved by the principal."""

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("competences", __name__)


def register(app: Flask) -> None:
    from pdservice.competences import routes  # noqa: F401 - the routes register on bp
    from pdservice.competences.services import register_kinds
    from pdservice.core.enums import Role
    from pdservice.nav import add_nav_item

    app.register_blueprint(bp, url_prefix="/competences")
    add_nav_item(
        app,
        "competences.profile",
        _l("Competences"),
        {Role.TEACHER},
        order=12,
        group="mine",
    )
    add_nav_item(
        app,
        "competences.my_plan",
        _l("Development plan"),
        {Role.TEACHER},
        order=13,
        group="mine",
    )
    add_nav_item(
        app,
        "competences.unit_overview",
        _l("Staff competences"),
        {Role.PRINCIPAL, Role.HR, Role.ADMIN},
        order=60,
        group="reports",
    )
    register_kinds()
