"""HR reports: development hours, VESO compliance, training participation and cost,
competence levels and course feedback, for the whole city (HR, admins) or a principal's own
units, each with filters, a chart with its table, and CSV and XLSX exports."""

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("reports", __name__)


def register(app: Flask) -> None:
    from pdservice.hr_reports import routes  # noqa: F401 - the routes register on bp
    from pdservice.hr_reports.filters import REPORT_ROLES
    from pdservice.nav import add_nav_item

    app.register_blueprint(bp, url_prefix="/reports")
    roles = set(REPORT_ROLES)
    for order, (endpoint, label) in enumerate(
        [
            ("reports.hours", _l("Development hours")),
            ("reports.veso", _l("VESO compliance")),
            ("reports.training", _l("Training participation and cost")),
            ("reports.competences", _l("Competence levels in the city")),
            ("reports.feedback", _l("Course feedback")),
        ],
        start=61,
    ):
        add_nav_item(app, endpoint, label, roles, order=order, group="reports")
