"""People, their units and roles: the one way to create and change them.

The admin's form, the staff CSV import, SCIM provisioning and just-in-time creation at an
OpenID sign-in all end here, so each change is checked, audited and told the same way:

    user = create_person(PersonDetails(email=..., name=...), source="scim")
    set_unit_role(user, unit, UnitRole.PRINCIPAL, source="scim")
    set_division_role(user, Role.HR, True, source="csv import")
    set_active(user, False, source="scim")      # signs the person out everywhere

Services flush, never commit. `source` says where a change came from ("admin", "csv import",
"scim", "oidc:<provider>"); it is written into the change log.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale

from pdservice.core.enums import Language, Profession, Role, UnitRole
from pdservice.core.models import Unit, UnitMembership, User
from pdservice.core.services import audit, find_user_by_email, normalise_email
from pdservice.extensions import db

PERSON_FIELDS = (
    "email",
    "name",
    "profession",
    "fte",
    "preferred_language",
    "employee_number",
)


class AccountError(ValueError):
    """A change that cannot be made; `field` names the attribute at fault, if one is."""

    def __init__(self, message: str, field: str | None = None, *, conflict: bool = False):
        super().__init__(message)
        self.field = field
        self.conflict = conflict  # True: another record holds the value (409)


@dataclass
class PersonDetails:
    """What a source knows about a person. None leaves an attribute as it is (on update) or
    at its default (on create)."""

    email: str | None = None
    name: str | None = None
    profession: Profession | None = None
    fte: Decimal | None = None
    preferred_language: Language | None = None
    employee_number: str | None = None

    def values(self) -> dict[str, Any]:
        values = {k: getattr(self, k) for k in PERSON_FIELDS if getattr(self, k) is not None}
        if "email" in values:
            values["email"] = normalise_email(values["email"])
        if "name" in values:
            values["name"] = values["name"].strip()
        if "employee_number" in values:
            values["employee_number"] = values["employee_number"].strip() or None
        return values


def _check(values: dict[str, Any], user: User | None = None) -> None:
    email = values.get("email")
    if email is not None:
        if not email or "@" not in email or len(email) > 254:
            raise AccountError(f"{email!r} is not an e-mail address", "email")
        other = None if user is not None and user.email == email else find_user_by_email(email)
        if other is not None and other is not user:
            raise AccountError("another person has this e-mail address", "email", conflict=True)
    name = values.get("name")
    if name is not None and not (0 < len(name) <= 200):
        raise AccountError("a name is 1 to 200 characters", "name")
    fte = values.get("fte")
    if fte is not None and not (Decimal("0") < fte <= Decimal("1")):
        raise AccountError("FTE is above 0 and at most 1", "fte")
    number = values.get("employee_number")
    if number is not None:
        if len(number) > 40:
            raise AccountError("an employee number is at most 40 characters", "employee_number")
        other = (
            None
            if user is not None and user.employee_number == number
            else db.session.scalar(sa.select(User).where(User.employee_number == number))
        )
        if other is not None and other is not user:
            raise AccountError(
                "another person has this employee number", "employee_number", conflict=True
            )


def create_person(
    details: PersonDetails,
    *,
    source: str,
    is_hr: bool = False,
    is_admin: bool = False,
    audit_changes: dict[str, Any] | None = None,
) -> User:
    """A new active person (no password: they set one from an invitation, or sign in with an
    identity provider)."""
    values = details.values()
    if not values.get("email") or not values.get("name"):
        raise AccountError("a person needs an e-mail address and a name", "email")
    _check(values)
    values.setdefault("profession", Profession.OTHER)
    values.setdefault("fte", Decimal("1.00"))
    values.setdefault("preferred_language", default_language())
    user = User(**values, is_hr=is_hr, is_admin=is_admin, active=True, password_hash=None)
    db.session.add(user)
    db.session.flush()
    audit(
        "user.created",
        user,
        changes={"source": source, **values, "is_hr": is_hr, "is_admin": is_admin}
        | (audit_changes or {}),
    )
    return user


def update_person(user: User, details: PersonDetails, *, source: str) -> dict[str, list[Any]]:
    """Change a person's attributes; returns {field: [old, new]} of what changed."""
    values = details.values()
    _check(values, user)
    changes = {k: [getattr(user, k), v] for k, v in values.items() if getattr(user, k) != v}
    for key, (_old, new) in changes.items():
        setattr(user, key, new)
    if changes:
        db.session.flush()
        audit("user.updated", user, changes={"source": source, **changes})
    return changes


def default_language() -> Language:
    configured = current_app.config.get("BABEL_DEFAULT_LOCALE", "fi")
    return Language(configured) if configured in {x.value for x in Language} else Language.FI


def language_from_tag(tag: str | None) -> Language | None:
    """'fi-FI', 'sv_FI', 'en-US', 'fi' -> the service's language; None for others."""
    if not tag:
        return None
    prefix = tag.replace("_", "-").split("-")[0].strip().lower()
    return next((x for x in Language if x.value == prefix), None)


def profession_lookup() -> dict[str, Profession]:
    """Profession codes and labels in every language, lower-cased (for imports and titles
    sent by identity providers). Made once per app: the catalogue does not change while the
    app runs."""
    extensions = current_app.extensions
    lookup = extensions.get("pdservice_profession_lookup")
    if lookup is None:
        lookup = {}
        for member in Profession:
            lookup[member.value.lower()] = member
            for language in ("fi", "sv", "en"):
                with force_locale(language):
                    lookup[str(member.label).lower()] = member
        extensions["pdservice_profession_lookup"] = lookup
    return lookup


def profession_from_title(title: str | None) -> Profession | None:
    if not title:
        return None
    return profession_lookup().get(title.strip().lower())


# --- units and roles ---------------------------------------------------------------------


def membership_of(user: User, unit_id: int) -> UnitMembership | None:
    return db.session.scalar(
        sa.select(UnitMembership).where(
            UnitMembership.user_id == user.id, UnitMembership.unit_id == unit_id
        )
    )


def set_unit_role(user: User, unit: Unit, role: UnitRole | None, *, source: str) -> bool:
    """Make `user` a member of `unit` in `role` (None: no longer a member). True if changed."""
    membership = membership_of(user, unit.id)
    if role is None:
        if membership is None:
            return False
        audit(
            "membership.deleted",
            user,
            unit_id=unit.id,
            changes={"source": source, "unit": unit.code, "role": membership.role},
        )
        db.session.delete(membership)
        db.session.flush()
        return True
    if membership is None:
        db.session.add(UnitMembership(user_id=user.id, unit_id=unit.id, role=role))
        db.session.flush()
        audit(
            "membership.created",
            user,
            unit_id=unit.id,
            changes={"source": source, "unit": unit.code, "role": role},
        )
        return True
    if membership.role != role:
        audit(
            "membership.updated",
            user,
            unit_id=unit.id,
            changes={"source": source, "unit": unit.code, "role": [membership.role, role]},
        )
        membership.role = role
        db.session.flush()
        return True
    return False


def grant_unit_role(user: User, unit: Unit, role: UnitRole, *, source: str) -> bool:
    """Add a membership, or raise a teacher to principal; never lowers a role."""
    membership = membership_of(user, unit.id)
    if membership is not None and (
        membership.role == role or membership.role == UnitRole.PRINCIPAL
    ):
        return False
    return set_unit_role(user, unit, role, source=source)


def set_division_role(user: User, role: Role, on: bool, *, source: str) -> bool:
    """Give or take HR or administrator rights. True if changed."""
    attribute = {Role.HR: "is_hr", Role.ADMIN: "is_admin"}[role]
    if getattr(user, attribute) == on:
        return False
    if role == Role.ADMIN and not on:
        ensure_other_admin(user)
    setattr(user, attribute, on)
    db.session.flush()
    audit("user.updated", user, changes={"source": source, attribute: [not on, on]})
    return True


def ensure_other_admin(user: User) -> None:
    """Refuse a change that would leave the service without an active administrator."""
    others = db.session.scalar(
        sa.select(sa.func.count(User.id)).where(
            User.is_admin.is_(True), User.active.is_(True), User.id != user.id
        )
    )
    if user.is_admin and user.active and not others:
        raise AccountError(
            "the service would have no active administrator left", "active", conflict=True
        )


def set_active(user: User, active: bool, *, source: str) -> bool:
    """Activate or deactivate a person; deactivation signs them out everywhere."""
    if user.active == active:
        return False
    if not active:
        ensure_other_admin(user)
    user.active = active
    user.session_version += 1
    audit("user.activated" if active else "user.deactivated", user, changes={"source": source})
    db.session.flush()
    return True
