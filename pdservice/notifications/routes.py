from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from pdservice.auth.access import roles_required
from pdservice.core.enums import Role
from pdservice.core.models import User
from pdservice.core.services import audit
from pdservice.errors import abort_with
from pdservice.extensions import db
from pdservice.notifications import bp
from pdservice.notifications.delivery import requeue
from pdservice.notifications.enums import OutboxStatus
from pdservice.notifications.models import Notification
from pdservice.notifications.services import optional_kinds, preferences, set_preferences

PAGE_SIZE = 50


class ConfirmForm(FlaskForm):
    """A button-only form: its CSRF token is the point."""


def account_section(user: User) -> dict:
    return {"kinds": optional_kinds(), "choices": preferences(user.id), "form": ConfirmForm()}


@bp.route("/preferences", methods=["POST"])
@roles_required(Role.TEACHER)
def save_preferences():
    if not ConfirmForm().validate_on_submit():
        abort_with(400, _("The form had expired. Please try again."))
    choices = {k.kind: request.form.get(f"kind-{k.kind}") == "on" for k in optional_kinds()}
    changes = set_preferences(current_user.id, choices)
    if changes:
        audit("notifications.preferences_changed", current_user, changes=changes)
    db.session.commit()
    flash(_("Your mail choices have been saved."), "success")
    return redirect(url_for("main.account"))


@bp.route("/outbox")
@roles_required(Role.ADMIN)
def outbox():
    status = request.args.get("status", "")
    page = max(1, request.args.get("page", 1, type=int))
    query = sa.select(Notification).order_by(Notification.id.desc())
    if status in {s.value for s in OutboxStatus}:
        query = query.where(Notification.status == status)
    pagination = db.paginate(query, page=page, per_page=PAGE_SIZE, error_out=False)
    counts = dict(
        db.session.execute(
            sa.select(Notification.status, sa.func.count(Notification.id)).group_by(
                Notification.status
            )
        ).all()
    )
    return render_template(
        "notifications/outbox.html",
        pagination=pagination,
        status=status,
        statuses=OutboxStatus,
        counts={OutboxStatus(k): v for k, v in counts.items()},
        form=ConfirmForm(),
    )


@bp.route("/outbox/<int:notification_id>/retry", methods=["POST"])
@roles_required(Role.ADMIN)
def retry(notification_id: int):
    notification = db.session.get(Notification, notification_id)
    if notification is None:
        abort_with(404, _("The mail was not found."))
    if not ConfirmForm().validate_on_submit():
        abort_with(400, _("The form had expired. Please try again."))
    if notification.status != OutboxStatus.FAILED:
        abort_with(409, _("Only a failed mail can be sent again."))
    requeue(notification)
    audit("notification.requeued", notification)
    db.session.commit()
    flash(_("The mail will be sent again."), "success")
    return redirect(url_for("notifications.outbox", status="failed"))
