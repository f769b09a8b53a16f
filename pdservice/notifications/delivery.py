"""Delivering the outbox over SMTP (run by the jobs process, `notifications.deliver`).

Each round:
1. Mails claimed by a process that died mid-round (still `sending` after
   STALE_CLAIM_MINUTES) go back to the queue. Only one jobs process runs, so such a row can
   only be left over from a crash; it is sent again with the same Message-ID, which lets mail
   clients drop the copy in the rare case that the crash came after the server took it.
2. Due mails are claimed (`pending` → `sending`, attempts + 1) and the claim is committed.
3. Each claimed mail is sent with no database transaction open (SQLite's write lock is not
   held during the SMTP conversation), then marked `sent` in its own short transaction. A
   temporary failure puts it back to `pending` with a growing pause (1, 3, 9, 27 ... minutes,
   at most 6 hours); a permanent refusal, or the last allowed attempt, marks it `failed`,
   where it stays visible to admins, who can queue it again. Nothing is ever deleted.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any

import sqlalchemy as sa
from flask import current_app

from pdservice.db import utcnow
from pdservice.extensions import db
from pdservice.notifications.enums import OutboxStatus
from pdservice.notifications.models import Notification

log = logging.getLogger("pdservice.notifications")

STALE_CLAIM_MINUTES = 10
MAX_PAUSE = timedelta(hours=6)


def retry_pause(attempts: int) -> timedelta:
    """The pause after the `attempts`-th failed attempt: 1, 3, 9, 27, ... minutes."""
    return min(timedelta(minutes=3 ** max(0, attempts - 1)), MAX_PAUSE)


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    released: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Claimed:
    id: int
    to_address: str
    subject: str
    body_text: str
    language: str
    dedupe_key: str
    attachments: list[dict[str, Any]]
    attempts: int


def deliver_due(*, now: datetime | None = None, batch_size: int | None = None) -> DeliveryReport:
    """One delivery round. Commits as it goes (see the module docstring)."""
    config = current_app.config
    now = now or utcnow()
    report = DeliveryReport()
    report.released = release_stale_claims(now)
    if not config.get("MAIL_ENABLED", True):
        db.session.commit()
        return report
    claimed = claim_due(now, batch_size or config["MAIL_BATCH_SIZE"])
    db.session.commit()
    if not claimed:
        return report
    try:
        smtp = open_smtp()
    except (OSError, smtplib.SMTPException) as exc:
        for mail in claimed:
            _record_failure(mail, exc, now, report, permanent=False)
        db.session.commit()
        return report
    try:
        for mail in claimed:
            try:
                smtp.send_message(build_message(mail))
            except smtplib.SMTPRecipientsRefused as exc:
                codes = [code for code, _msg in exc.recipients.values()]
                _record_failure(mail, exc, now, report, permanent=min(codes, default=500) >= 500)
            except smtplib.SMTPResponseException as exc:
                # The server answered (the connection stays usable): 5xx is final, 4xx is not.
                _record_failure(mail, exc, now, report, permanent=exc.smtp_code >= 500)
            except (OSError, smtplib.SMTPException) as exc:
                _record_failure(mail, exc, now, report, permanent=False)
                # The connection is gone: the rest of the batch waits for the next round.
                _requeue_rest(claimed[claimed.index(mail) + 1 :], now)
                db.session.commit()
                break
            else:
                _mark_sent(mail.id)
                report.sent += 1
            db.session.commit()
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            smtp.quit()
    return report


def release_stale_claims(now: datetime) -> int:
    result = db.session.execute(
        sa.update(Notification)
        .where(
            Notification.status == OutboxStatus.SENDING,
            Notification.claimed_at < now - timedelta(minutes=STALE_CLAIM_MINUTES),
        )
        .values(status=OutboxStatus.PENDING, next_attempt_at=now)
    )
    return result.rowcount or 0


def claim_due(now: datetime, limit: int) -> list[_Claimed]:
    """Claim up to `limit` due mails, oldest first. A row is claimed only if it is still
    pending at the moment of the update, so two deliverers could never claim the same one."""
    query = (
        sa.select(Notification)
        .where(Notification.status == OutboxStatus.PENDING, Notification.next_attempt_at <= now)
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    claimed = []
    for row in db.session.scalars(query).all():
        result = db.session.execute(
            sa.update(Notification)
            .where(Notification.id == row.id, Notification.status == OutboxStatus.PENDING)
            .values(
                status=OutboxStatus.SENDING,
                claimed_at=now,
                attempts=Notification.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            claimed.append(
                _Claimed(
                    id=row.id,
                    to_address=row.to_address,
                    subject=row.subject,
                    body_text=row.body_text,
                    language=row.language,
                    dedupe_key=row.dedupe_key,
                    attachments=list(row.attachments or []),
                    attempts=row.attempts + 1,
                )
            )
    db.session.expire_all()
    return claimed


def open_smtp() -> smtplib.SMTP:
    config = current_app.config
    timeout = config["MAIL_TIMEOUT_SECONDS"]
    if config.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout
        )
    else:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return smtp


def message_id(notification_id: int, dedupe_key: str) -> str:
    """The same for every attempt of a mail, so a copy sent twice after a crash is one
    message to mail clients."""
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    domain = parseaddr(sender)[1].partition("@")[2] or "pdservice.local"
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:16]
    return f"<pdservice.{notification_id}.{digest}@{domain}>"


def build_message(mail: _Claimed) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id(mail.id, mail.dedupe_key)
    message["Content-Language"] = mail.language
    message["Auto-Submitted"] = "auto-generated"
    message["X-PDService-Notification"] = str(mail.id)
    message.set_content(mail.body_text)
    for attachment in mail.attachments:
        data = base64.b64decode(attachment["data"])
        maintype, _, subtype = attachment["content_type"].partition("/")
        if maintype == "text":
            params = {"method": "PUBLISH"} if subtype == "calendar" else {}
            message.add_attachment(
                data.decode("utf-8"),
                subtype=subtype,
                filename=attachment["filename"],
                params=params,
            )
        else:
            message.add_attachment(
                data, maintype=maintype, subtype=subtype, filename=attachment["filename"]
            )
    return message


def _mark_sent(notification_id: int) -> None:
    db.session.execute(
        sa.update(Notification)
        .where(Notification.id == notification_id, Notification.status == OutboxStatus.SENDING)
        .values(status=OutboxStatus.SENT, sent_at=utcnow(), last_error=None)
    )


def _record_failure(
    mail: _Claimed, exc: Exception, now: datetime, report: DeliveryReport, *, permanent: bool
) -> None:
    error = f"{type(exc).__name__}: {exc}"[:1000]
    give_up = permanent or mail.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]
    db.session.execute(
        sa.update(Notification)
        .where(Notification.id == mail.id, Notification.status == OutboxStatus.SENDING)
        .values(
            status=OutboxStatus.FAILED if give_up else OutboxStatus.PENDING,
            next_attempt_at=now + retry_pause(mail.attempts),
            last_error=error,
        )
    )
    report.errors.append(error)
    if give_up:
        report.failed += 1
        log.warning("mail %s to %s failed for good: %s", mail.id, mail.to_address, error)
    else:
        report.retried += 1
        log.info("mail %s to %s will be retried: %s", mail.id, mail.to_address, error)


def _requeue_rest(mails: list[_Claimed], now: datetime) -> None:
    """Mails claimed but not attempted: back to the queue, the attempt not counted."""
    for mail in mails:
        db.session.execute(
            sa.update(Notification)
            .where(Notification.id == mail.id, Notification.status == OutboxStatus.SENDING)
            .values(
                status=OutboxStatus.PENDING,
                next_attempt_at=now,
                attempts=Notification.attempts - 1,
            )
        )


def requeue(notification: Notification) -> None:
    """An admin sends a failed mail again."""
    notification.status = OutboxStatus.PENDING
    notification.next_attempt_at = utcnow()
    notification.attempts = 0
