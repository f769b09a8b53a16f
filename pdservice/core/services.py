"""Service functions of the domain core. They flush, never commit: the caller owns the
transaction (one commit per request, at the edge)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_request_context
from flask_login import current_user
from werkzeug.security import generate_password_hash

from pdservice.core.models import AuditLog, SchoolYear, Unit, User
from pdservice.extensions import db


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def set_password(user: User, password: str, *, must_change: bool = False) -> None:
    user.password_hash = hash_password(password)
    user.must_change_password = must_change
    user.session_version = (user.session_version or 1) + 1


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def find_unit(code_or_name: str) -> Unit | None:
    """A unit by its code, or failing that by its exact name (case-insensitive)."""
    value = code_or_name.strip()
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == value.lower()))
    if unit is None:
        unit = db.session.scalar(sa.select(Unit).where(sa.func.lower(Unit.name) == value.lower()))
    return unit


def audit(
    action: str,
    entity: Any = None,
    *,
    changes: dict[str, Any] | None = None,
    unit_id: int | None = None,
    actor: User | None = None,
    entity_type: str | None = None,
    entity_id: Any = None,
) -> AuditLog:
    """Record who changed what. The actor defaults to the signed-in user, if any."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()  # type: ignore[attr-defined]
    if entity is not None:
        entity_type = entity_type or type(entity).__name__
        entity_id = entity_id if entity_id is not None else getattr(entity, "id", None)
    entry = AuditLog(
        action=action,
        entity_type=entity_type or "",
        entity_id=None if entity_id is None else str(entity_id),
        unit_id=unit_id,
        actor_id=actor.id if actor is not None else None,
        changes=_jsonable(changes or {}),
    )
    db.session.add(entry)
    return entry


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def diff(obj: Any, fields: list[str], new_values: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changes."""
    return {
        f: [getattr(obj, f), new_values[f]]
        for f in fields
        if f in new_values and getattr(obj, f) != new_values[f]
    }


def school_year_bounds(day: date) -> tuple[date, date]:
    start_year = day.year if day.month >= 8 else day.year - 1
    return date(start_year, 8, 1), date(start_year + 1, 7, 31)


def school_year_for(day: date, *, create: bool = True) -> SchoolYear | None:
    """The school year (1 August – 31 July) a day falls in, created when missing."""
    starts_on, ends_on = school_year_bounds(day)
    year = db.session.scalar(sa.select(SchoolYear).where(SchoolYear.starts_on == starts_on))
    if year is None and create:
        year = SchoolYear(
            name=f"{starts_on.year}–{ends_on.year}", starts_on=starts_on, ends_on=ends_on
        )
        db.session.add(year)
        db.session.flush()
    return year


def current_school_year() -> SchoolYear:
    from pdservice.clock import today

    year = school_year_for(today())
    assert year is not None
    return year
