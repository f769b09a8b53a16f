"""Training: the catalogue, sessions, enrolment with waiting list and approval, attendance,
participant lists and exports, feedback."""

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("training", __name__)


def register(app: Flask) -> None:
    from pdservice.calendar.services import register_event_source
    from pdservice.core.enums import Role
    from pdservice.home import add_home_panel
    from pdservice.nav import add_nav_item
    from pdservice.training import mails, routes  # noqa: F401 - the routes register on bp
    from pdservice.training.feed import booked_sessions_source
    from pdservice.training.filters import register_filters
    from pdservice.training.panels import approvals_panel, teacher_panel

    app.register_blueprint(bp, url_prefix="/training")
    add_nav_item(
        app,
        "training.catalogue",
        _l("Course catalogue"),
        {Role.TEACHER},
        order=30,
        group="training",
    )
    add_nav_item(
        app,
        "training.my_enrolments",
        _l("My training"),
        {Role.TEACHER},
        order=14,
        group="mine",
    )
    add_nav_item(
        app,
        "training.approvals",
        _l("Approvals"),
        {Role.PRINCIPAL, Role.HR, Role.ADMIN},
        order=31,
        group="training",
    )
    add_nav_item(
        app,
        "training.manage",
        _l("Courses"),
        {Role.HR, Role.ADMIN},
        order=32,
        group="training",
    )
    add_home_panel(app, "training/home_panel.html", {Role.TEACHER}, teacher_panel, order=20)
    add_home_panel(
        app,
        "training/approvals_panel.html",
        {Role.PRINCIPAL, Role.HR, Role.ADMIN},
        approvals_panel,
        order=10,
    )
    register_filters(app)
    mails.register_kinds()
    register_event_source(booked_sessions_source)
