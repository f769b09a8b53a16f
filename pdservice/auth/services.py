"""Signing in: password check and throttling of repeated failures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from pdservice.core.models import LoginAttempt, User
from pdservice.core.services import find_user_by_email, normalise_email
from pdservice.db import utcnow
from pdservice.extensions import db


@dataclass(frozen=True)
class SignInResult:
    user: User | None = None
    locked_minutes: int = 0  # > 0: refused because of too many recent failures

    @property
    def ok(self) -> bool:
        return self.user is not None


def minutes_locked(email: str) -> int:
    """Minutes until the account accepts attempts again; 0 when it does now.

    After LOGIN_MAX_FAILURES failures within LOGIN_WINDOW_MINUTES the account is locked until
    the oldest of those failures leaves the window. Refused attempts are not counted, so the
    lock cannot be extended by someone hammering the form.
    """
    cfg = current_app.config
    window = timedelta(minutes=cfg["LOGIN_WINDOW_MINUTES"])
    now = utcnow()
    since = now - window
    failures = db.session.scalars(
        sa.select(LoginAttempt.at)
        .where(
            LoginAttempt.email == email,
            LoginAttempt.at >= since,
            LoginAttempt.succeeded.is_(False),
        )
        .order_by(LoginAttempt.at.desc())
        .limit(cfg["LOGIN_MAX_FAILURES"])
    ).all()
    if len(failures) < cfg["LOGIN_MAX_FAILURES"]:
        return 0
    unlocks_at = failures[-1] + window
    return max(1, int((unlocks_at - now).total_seconds() // 60) + 1)


def sign_in(email: str, password: str, remote_addr: str | None) -> SignInResult:
    """Check credentials and record the attempt. Unknown emails are throttled the same way,
    and answer the same, as wrong passwords, so the form reveals no accounts."""
    email = normalise_email(email)
    locked = minutes_locked(email)
    if locked:
        return SignInResult(locked_minutes=locked)
    user = find_user_by_email(email)
    ok = user is not None and user.active and user.check_password(password)
    db.session.add(LoginAttempt(email=email, succeeded=ok, remote_addr=remote_addr))
    return SignInResult(user=user if ok else None)
