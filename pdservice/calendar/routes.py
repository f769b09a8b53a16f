from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import OperationalError

from pdservice.auth.access import roles_required
from pdservice.calendar import bp
from pdservice.calendar.models import CalendarFeed
from pdservice.calendar.services import (
    build_calendar,
    events_for,
    feed_record,
    feed_token,
    regenerate_feed,
    revoke_feed,
    user_for_token,
)
from pdservice.core.enums import Role
from pdservice.core.models import User
from pdservice.db import utcnow, write_intent
from pdservice.errors import abort_with
from pdservice.extensions import csrf, db
from pdservice.notifications.services import public_url


class ConfirmForm(FlaskForm):
    """A button-only form: its CSRF token is the point."""


def feed_url(token: str) -> str:
    return public_url("calendar.feed", token=token)


def account_section(user: User) -> dict:
    token = feed_token(user)
    return {
        "feed": feed_record(user),
        "url": feed_url(token) if token else None,
        "form": ConfirmForm(),
    }


@bp.route("/feed/<token>.ics")
@csrf.exempt
def feed(token: str):
    """The feed itself: no sign-in (calendar apps cannot sign in); the token is the key."""
    user = user_for_token(token)
    if user is None:
        abort(404)
    body = build_calendar(events_for(user), name=_("pdservice – %(name)s", name=user.name))
    _note_fetch(user.id)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="pdservice.ics"'
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.route("/feed", methods=["POST"])
@roles_required(Role.TEACHER)
def regenerate():
    if not ConfirmForm().validate_on_submit():
        abort_with(400, _("The form had expired. Please try again."))
    had_feed = feed_record(current_user) is not None
    regenerate_feed(current_user)
    db.session.commit()
    flash(
        _("A new calendar address was made; the old one no longer works.")
        if had_feed
        else _("Your calendar address is ready. Add it to your calendar app."),
        "success",
    )
    return redirect(url_for("main.account") + "#calendar-feed")


@bp.route("/feed/revoke", methods=["POST"])
@roles_required(Role.TEACHER)
def revoke():
    if not ConfirmForm().validate_on_submit():
        abort_with(400, _("The form had expired. Please try again."))
    if revoke_feed(current_user):
        flash(_("Your calendar address no longer works."), "success")
    db.session.commit()
    return redirect(url_for("main.account") + "#calendar-feed")


def _note_fetch(user_id: int) -> None:
    """Remember when a calendar app last fetched the feed (shown on the account page), at
    most every few minutes, in a short write transaction of its own; best effort."""
    now = utcnow()
    db.session.rollback()  # end the read transaction before writing
    try:
        with write_intent():
            db.session.execute(
                sa.update(CalendarFeed)
                .where(
                    CalendarFeed.user_id == user_id,
                    sa.or_(
                        CalendarFeed.last_fetched_at.is_(None),
                        CalendarFeed.last_fetched_at < now - timedelta(minutes=5),
                    ),
                )
                .values(last_fetched_at=now)
            )
            db.session.commit()
    except OperationalError:
        db.session.rollback()
