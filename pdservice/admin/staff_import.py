"""Importing staff from CSV, all or nothing.

Columns (header names in English, Finnish or Swedish): name, email, profession, unit, role;
optional fte and language. `profession` and `role` take a code or a label in any of the three
languages; `unit` takes a unit's code or name and may be blank for hr and admin rows. A person
may appear on several rows (one per unit). If any row is bad, nothing is imported and every
bad row is reported with its line number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import force_locale
from flask_babel import gettext as _

from pdservice.core.enums import Language, Profession, Role, UnitRole
from pdservice.core.models import Unit, UnitMembership, User
from pdservice.core.services import audit, normalise_email
from pdservice.csvutil import CsvFormatError, RowError, read_csv
from pdservice.extensions import db

REQUIRED = ("name", "email", "profession", "unit", "role")
OPTIONAL = ("fte", "language")
ALIASES = {
    "nimi": "name",
    "namn": "name",
    "sähköposti": "email",
    "sahkoposti": "email",
    "e-post": "email",
    "e-mail": "email",
    "ammatti": "profession",
    "yrke": "profession",
    "ammattinimike": "profession",
    "yksikkö": "unit",
    "yksikko": "unit",
    "koulu": "unit",
    "enhet": "unit",
    "skola": "unit",
    "rooli": "role",
    "roll": "role",
    "htv": "fte",
    "kieli": "language",
    "språk": "language",
}


@dataclass
class StaffRow:
    line: int
    name: str
    email: str
    profession: Profession
    unit: Unit | None
    role: Role
    fte: Decimal
    language: Language


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    rows: list[StaffRow] = field(default_factory=list)
    users_created: int = 0
    memberships_added: int = 0
    users_updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _label_lookup(enum_cls) -> dict[str, object]:
    """Codes and labels in every language, lower-cased, to their enum member."""
    lookup: dict[str, object] = {}
    for member in enum_cls:
        lookup[member.value.lower()] = member
        for language in ("fi", "sv", "en"):
            with force_locale(language):
                lookup[member.label.lower()] = member
    return lookup


def parse_staff_csv(data: bytes) -> ImportReport:
    report = ImportReport()
    try:
        table = read_csv(data, ALIASES)
    except CsvFormatError as exc:
        report.errors.append(RowError(1, _("The file cannot be read: %(reason)s", reason=exc)))
        return report
    missing = [c for c in REQUIRED if c not in table.header]
    if missing:
        report.errors.append(
            RowError(1, _("Missing columns: %(columns)s", columns=", ".join(missing)))
        )
        return report
    unknown = [c for c in table.header if c not in REQUIRED + OPTIONAL]
    if unknown:
        report.errors.append(
            RowError(1, _("Unknown columns: %(columns)s", columns=", ".join(unknown)))
        )
        return report
    if not table.rows:
        report.errors.append(RowError(1, _("The file has no rows to import.")))
        return report

    professions = _label_lookup(Profession)
    roles = _label_lookup(Role)
    languages = {m.value: m for m in Language} | {m.label.lower(): m for m in Language}
    units_by_code = {u.code: u for u in db.session.scalars(sa.select(Unit))}
    units_by_name = {u.name.lower(): u for u in units_by_code.values()}
    seen: dict[tuple[str, int | None], int] = {}
    names: dict[str, str] = {}

    for line, values in table.rows:
        errors: list[RowError] = []

        def err(column: str, message: str, _line: int = line, _errors=errors) -> None:
            _errors.append(RowError(_line, message, column))

        if values.get("__extra__"):
            err("", _("The row has more values than the header has columns."))
        name = values.get("name", "")
        if not name:
            err("name", _("Name is missing."))
        elif len(name) > 200:
            err("name", _("Name is longer than 200 characters."))
        email = normalise_email(values.get("email", ""))
        try:
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            err("email", _("%(value)s is not a valid email address.", value=email or "''"))
        profession = professions.get(values.get("profession", "").lower())
        if profession is None:
            err("profession", _("Unknown profession %(value)s.", value=values.get("profession")))
        role = roles.get(values.get("role", "").lower())
        if role is None:
            err("role", _("Unknown role %(value)s.", value=values.get("role")))
        unit_value = values.get("unit", "")
        unit = units_by_code.get(unit_value.lower()) or units_by_name.get(unit_value.lower())
        if unit_value and unit is None:
            err("unit", _("Unknown unit %(value)s.", value=unit_value))
        if not unit_value and role in (Role.TEACHER, Role.PRINCIPAL):
            err("unit", _("A teacher or principal needs a unit."))
        fte = Decimal("1.00")
        if values.get("fte"):
            try:
                fte = Decimal(values["fte"].replace(",", "."))
                if not (Decimal("0") < fte <= Decimal("1")):
                    raise InvalidOperation
            except InvalidOperation:
                err("fte", _("FTE must be a number above 0 and at most 1."))
        language = Language.FI
        if unit is not None and unit.language == Language.SV:
            language = Language.SV
        if values.get("language"):
            language = languages.get(values["language"].lower())
            if language is None:
                err("language", _("Unknown language %(value)s.", value=values["language"]))
        key = (email, unit.id if unit else None)
        if not errors and key in seen:
            err(
                "email", _("The same person and unit are already on line %(line)d.", line=seen[key])
            )
        if not errors and names.setdefault(email, name) != name:
            err("name", _("%(email)s has another name on an earlier line.", email=email))
        if errors:
            report.errors.extend(errors)
            continue
        seen[key] = line
        report.rows.append(
            StaffRow(line, name, email, profession, unit, role, fte, language)  # type: ignore[arg-type]
        )
    return report


def apply_staff_import(report: ImportReport) -> ImportReport:
    """Create users and memberships for a report without errors. Flushes, never commits."""
    assert report.ok
    users = {
        u.email: u
        for u in db.session.scalars(
            sa.select(User).where(User.email.in_({r.email for r in report.rows}))
        )
    }
    for row in report.rows:
        user = users.get(row.email)
        if user is None:
            user = User(
                email=row.email,
                name=row.name,
                profession=row.profession,
                fte=row.fte,
                preferred_language=row.language,
                active=True,
                password_hash=None,
            )
            db.session.add(user)
            db.session.flush()
            users[row.email] = user
            report.users_created += 1
            audit("user.created", user, changes={"source": "csv import", "line": row.line})
        if row.role == Role.HR and not user.is_hr:
            user.is_hr = True
            report.users_updated += 1
            audit("user.updated", user, changes={"is_hr": [False, True]})
        if row.role == Role.ADMIN and not user.is_admin:
            user.is_admin = True
            report.users_updated += 1
            audit("user.updated", user, changes={"is_admin": [False, True]})
        if row.unit is not None:
            unit_role = UnitRole.PRINCIPAL if row.role == Role.PRINCIPAL else UnitRole.TEACHER
            membership = db.session.scalar(
                sa.select(UnitMembership).where(
                    UnitMembership.user_id == user.id, UnitMembership.unit_id == row.unit.id
                )
            )
            if membership is None:
                db.session.add(UnitMembership(user_id=user.id, unit_id=row.unit.id, role=unit_role))
                report.memberships_added += 1
                audit(
                    "membership.created",
                    user,
                    unit_id=row.unit.id,
                    changes={"unit": row.unit.code, "role": unit_role},
                )
            elif unit_role == UnitRole.PRINCIPAL and membership.role != UnitRole.PRINCIPAL:
                membership.role = UnitRole.PRINCIPAL
                report.users_updated += 1
                audit(
                    "membership.updated",
                    user,
                    unit_id=row.unit.id,
                    changes={"role": [UnitRole.TEACHER, UnitRole.PRINCIPAL]},
                )
    db.session.flush()
    return report
