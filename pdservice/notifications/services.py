"""Notifications: features call `notify(...)` in the transaction of the change they tell
about; the jobs process delivers the outbox later (`notifications/delivery.py`).

    notify(user, "training.booked", "training_booked", {"session": ..., "course": ...},
           attachments=[Attachment("koulutus.ics", "text/calendar", ics_text)],
           dedupe_key=f"training.booked:{enrollment.id}")

The mail is rendered at once, in the recipient's preferred language, from
`templates/notifications/mail/<template>.txt` (first line: the subject; the rest: the body).
A kind is registered once with `register_notification_kind`; optional kinds are listed on
the account page, where each user chooses which of them they get.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale

from pdservice.core.models import User
from pdservice.db import utcnow
from pdservice.extensions import db
from pdservice.notifications.enums import OutboxStatus
from pdservice.notifications.models import Notification, NotificationPreference


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes | str


@dataclass(frozen=True)
class RenderedMail:
    """A mail rendered ahead of the transaction that sends it (see `render_for`)."""

    language: str
    subject: str
    body: str


@dataclass(frozen=True)
class NotificationKind:
    kind: str
    label: Any  # a lazy_gettext string
    optional: bool
    description: Any = ""


NOTIFICATION_KINDS: dict[str, NotificationKind] = {}


def register_notification_kind(
    kind: str, label: Any, *, optional: bool, description: Any = ""
) -> None:
    """Declare a kind of mail. Optional kinds can be switched off by each user."""
    NOTIFICATION_KINDS[kind] = NotificationKind(kind, label, optional, description)


def optional_kinds() -> list[NotificationKind]:
    return [k for k in NOTIFICATION_KINDS.values() if k.optional]


_suppressed: ContextVar[bool] = ContextVar("pdservice_notifications_suppressed", default=False)


@contextmanager
def notifications_suppressed() -> Iterator[None]:
    """No mails are written inside this block (the demo seed uses it: it tells no one)."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def wants(user_id: int, kind: str) -> bool:
    """Whether a user gets an optional kind of mail (yes, unless they switched it off)."""
    enabled = db.session.scalar(
        sa.select(NotificationPreference.enabled).where(
            NotificationPreference.user_id == user_id, NotificationPreference.kind == kind
        )
    )
    return True if enabled is None else bool(enabled)


def preferences(user_id: int) -> dict[str, bool]:
    chosen = dict(
        db.session.execute(
            sa.select(NotificationPreference.kind, NotificationPreference.enabled).where(
                NotificationPreference.user_id == user_id
            )
        ).all()
    )
    return {k.kind: bool(chosen.get(k.kind, True)) for k in optional_kinds()}


def set_preferences(user_id: int, choices: Mapping[str, bool]) -> dict[str, list[bool]]:
    """Save a user's choices of optional mails; returns {kind: [old, new]} for changes."""
    current = {
        p.kind: p
        for p in db.session.scalars(
            sa.select(NotificationPreference).where(NotificationPreference.user_id == user_id)
        )
    }
    changes = {}
    for kind in (k.kind for k in optional_kinds()):
        if kind not in choices:
            continue
        new = bool(choices[kind])
        row = current.get(kind)
        old = True if row is None else row.enabled
        if old != new:
            changes[kind] = [old, new]
        if row is None:
            db.session.add(NotificationPreference(user_id=user_id, kind=kind, enabled=new))
        else:
            row.enabled = new
    db.session.flush()
    return changes


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute address for links in mails and calendars (PDSERVICE_PUBLIC_BASE_URL),
    buildable outside requests too (the jobs process has none)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def render_mail(template: str, language: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """(subject, body) of a mail template in `language`."""
    jinja_template = current_app.jinja_env.get_template(f"notifications/mail/{template}.txt")
    with force_locale(language):
        text = jinja_template.render(
            **context,
            preferences_url=public_url("main.account"),
            service_url=public_url("main.home"),
        )
    lines = text.strip().splitlines()
    subject = lines[0].strip() if lines else template
    body = "\n".join(lines[1:]).strip() + "\n"
    return subject[:300], body


def render_for(user: User, template: str, context: Mapping[str, Any]) -> RenderedMail:
    """Render a mail for `user` now, to pass to `notify(..., rendered=...)` later: lets a
    caller do the rendering before it takes a lock, and keep the locked part short."""
    language = str(user.preferred_language)
    subject, body = render_mail(template, language, {**context, "recipient": user})
    return RenderedMail(language, subject, body)


def notify(
    user: User,
    kind: str,
    template: str,
    context: Mapping[str, Any],
    *,
    attachments: Iterable[Attachment] = (),
    optional: bool = False,
    dedupe_key: str,
    rendered: RenderedMail | None = None,
) -> int | None:
    """Put a mail to `user` in the outbox, in the caller's transaction.

    `dedupe_key` names the event (e.g. "training.booked:<enrollment id>"): a second call
    with the same key adds nothing (INSERT ... ON CONFLICT DO NOTHING on the unique key), so
    an event produces at most one mail. Optional mails respect the user's choice. `rendered`
    (from `render_for`) skips rendering here. Returns the new outbox row's id, or None when
    nothing was written.
    """
    if kind not in NOTIFICATION_KINDS:
        raise KeyError(f"unregistered notification kind {kind!r}")
    if _suppressed.get() or not user.active:
        return None
    if optional and not wants(user.id, kind):
        return None
    key = dedupe_key[:200]
    language = str(user.preferred_language)
    if rendered is not None and rendered.language == language:
        subject, body = rendered.subject, rendered.body
    else:
        if _exists(key):  # known already: spare the rendering
            return None
        subject, body = render_mail(template, language, {**context, "recipient": user})
    return _insert_once(
        {
            "user_id": user.id,
            "to_address": user.email,
            "kind": kind,
            "language": language,
            "subject": subject,
            "body_text": body,
            "attachments": [_encode(a) for a in attachments],
            "dedupe_key": key,
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": utcnow(),
            "created_at": utcnow(),
        }
    )


def _exists(key: str) -> bool:
    return (
        db.session.scalar(sa.select(Notification.id).where(Notification.dedupe_key == key))
        is not None
    )


def _insert_once(values: dict[str, Any]) -> int | None:
    """INSERT the row unless its dedupe key exists: one statement, no savepoint."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = (
        insert(Notification)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[Notification.dedupe_key])
        .returning(Notification.id)
    )
    return db.session.execute(statement).scalar()


def _encode(attachment: Attachment) -> dict[str, str]:
    data = attachment.data.encode() if isinstance(attachment.data, str) else attachment.data
    return {
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "data": base64.b64encode(data).decode("ascii"),
    }
