"""Notifications: the outbox, SMTP delivery in the jobs process, mail templates in the
recipient's language, and each user's choice of optional mails."""

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("notifications", __name__)


def register(app: Flask) -> None:
    from pdservice.core.enums import Role
    from pdservice.home import add_account_section
    from pdservice.nav import add_nav_item
    from pdservice.notifications import routes  # noqa: F401 - the routes register on bp

    app.register_blueprint(bp, url_prefix="/notifications")
    add_account_section(app, "notifications/account_section.html", routes.account_section, 10)
    add_nav_item(app, "notifications.outbox", _l("Outbox"), {Role.ADMIN}, order=93, group="admin")
