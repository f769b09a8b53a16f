"""The demo city's units and staff (the foundation part of `flask seed demo`)."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from pdservice.core.enums import Language, Profession, UnitKind, UnitRole
from pdservice.core.models import Unit, UnitMembership, User
from pdservice.core.services import hash_password
from pdservice.demo.people import FINNISH_FIRST, FINNISH_LAST, SWEDISH_FIRST, SWEDISH_LAST
from pdservice.extensions import db

DOMAIN = "vantaa.example"

UNITS = [
    ("koivurinne", "Koivurinteen koulu", UnitKind.COMPREHENSIVE_SCHOOL, Language.FI),
    ("lehtola", "Lehtolan koulu", UnitKind.COMPREHENSIVE_SCHOOL, Language.FI),
    ("bjorkby", "Björkby skola", UnitKind.COMPREHENSIVE_SCHOOL, Language.SV),
    ("kuusikko", "Kuusikon lukio", UnitKind.UPPER_SECONDARY_SCHOOL, Language.FI),
]

P = Profession
# Staff of each kind of school: (profession, how many).
STAFFING = {
    "large": [
        (P.PRINCIPAL, 1),
        (P.VICE_PRINCIPAL, 1),
        (P.CLASS_TEACHER, 12),
        (P.SUBJECT_TEACHER, 8),
        (P.SPECIAL_NEEDS_TEACHER, 3),
        (P.SPECIAL_CLASS_TEACHER, 1),
        (P.GUIDANCE_COUNSELLOR, 1),
        (P.SCHOOL_ASSISTANT, 4),
        (P.PSYCHOLOGIST, 1),
        (P.SCHOOL_SOCIAL_WORKER, 1),
        (P.NURSE, 1),
    ],
    "small": [
        (P.PRINCIPAL, 1),
        (P.CLASS_TEACHER, 8),
        (P.SUBJECT_TEACHER, 6),
        (P.SPECIAL_NEEDS_TEACHER, 2),
        (P.GUIDANCE_COUNSELLOR, 1),
        (P.SCHOOL_ASSISTANT, 3),
        (P.PSYCHOLOGIST, 1),
        (P.SCHOOL_SOCIAL_WORKER, 1),
        (P.NURSE, 1),
    ],
    "upper_secondary": [
        (P.PRINCIPAL, 1),
        (P.SUBJECT_TEACHER, 14),
        (P.SPECIAL_NEEDS_TEACHER, 1),
        (P.GUIDANCE_COUNSELLOR, 2),
        (P.PSYCHOLOGIST, 1),
        (P.SCHOOL_SOCIAL_WORKER, 1),
        (P.NURSE, 1),
    ],
}
UNIT_STAFFING = {
    "koivurinne": "large",
    "lehtola": "large",
    "bjorkby": "small",
    "kuusikko": "upper_secondary",
}
PART_TIME = {
    P.SCHOOL_ASSISTANT: Decimal("0.80"),
    P.PSYCHOLOGIST: Decimal("0.50"),
    P.SCHOOL_SOCIAL_WORKER: Decimal("0.50"),
    P.NURSE: Decimal("0.60"),
}


@dataclass(frozen=True)
class PlannedUser:
    email: str
    name: str
    profession: Profession
    language: Language
    unit_code: str | None
    unit_role: UnitRole | None
    fte: Decimal = Decimal("1.00")
    is_hr: bool = False
    is_admin: bool = False


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    unit: str | None
    name: str


def _ascii(text: str) -> str:
    text = text.lower().replace("ä", "a").replace("ö", "o").replace("å", "a")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def plan_staff(seed: int) -> list[PlannedUser]:
    """The demo staff, the same every time for the same seed."""
    rng = random.Random(seed)
    used: set[str] = set()
    planned: list[PlannedUser] = []

    def email_for(first: str, last: str) -> str:
        base = f"{_ascii(first)}.{_ascii(last)}"
        email, n = f"{base}@{DOMAIN}", 2
        while email in used:
            email, n = f"{base}{n}@{DOMAIN}", n + 1
        used.add(email)
        return email

    for code, _name, _kind, language in UNITS:
        firsts, lasts = (
            (SWEDISH_FIRST, SWEDISH_LAST)
            if language == Language.SV
            else (FINNISH_FIRST, FINNISH_LAST)
        )
        for profession, count in STAFFING[UNIT_STAFFING[code]]:
            for _ in range(count):
                first, last = rng.choice(firsts), rng.choice(lasts)
                planned.append(
                    PlannedUser(
                        email=email_for(first, last),
                        name=f"{first} {last}",
                        profession=profession,
                        language=language,
                        unit_code=code,
                        unit_role=UnitRole.PRINCIPAL
                        if profession == P.PRINCIPAL
                        else UnitRole.TEACHER,
                        fte=PART_TIME.get(profession, Decimal("1.00")),
                    )
                )
    planned.append(
        PlannedUser(
            f"hr@{DOMAIN}", "Helena Hakala", P.HR_SPECIALIST, Language.FI, None, None, is_hr=True
        )
    )
    planned.append(
        PlannedUser(
            f"admin@{DOMAIN}",
            "Aleksi Ylläpito",
            P.ADMINISTRATOR,
            Language.FI,
            None,
            None,
            is_admin=True,
        )
    )
    return planned


def seed_units_and_staff(seed: int, password: str) -> list[DemoAccount]:
    """Create what is missing; never change what exists. Returns the demo accounts."""
    units = {u.code: u for u in db.session.scalars(sa.select(Unit))}
    for code, name, kind, language in UNITS:
        if code not in units:
            units[code] = Unit(code=code, name=name, kind=kind, language=language)
            db.session.add(units[code])
    db.session.flush()

    planned = plan_staff(seed)
    existing = {
        u.email: u
        for u in db.session.scalars(
            sa.select(User).where(User.email.in_([p.email for p in planned]))
        )
    }
    memberships = {(m.user_id, m.unit_id) for m in db.session.scalars(sa.select(UnitMembership))}
    password_hash = None
    for p in planned:
        user = existing.get(p.email)
        if user is None:
            password_hash = password_hash or hash_password(password)
            user = User(
                email=p.email,
                name=p.name,
                profession=p.profession,
                fte=p.fte,
                preferred_language=p.language,
                is_hr=p.is_hr,
                is_admin=p.is_admin,
                password_hash=password_hash,
            )
            db.session.add(user)
            db.session.flush()
            existing[p.email] = user
        if p.unit_code is not None:
            unit = units[p.unit_code]
            if (user.id, unit.id) not in memberships:
                db.session.add(UnitMembership(user_id=user.id, unit_id=unit.id, role=p.unit_role))
                memberships.add((user.id, unit.id))
    db.session.flush()
    return demo_accounts(planned)


def demo_accounts(planned: list[PlannedUser]) -> list[DemoAccount]:
    """The accounts worth signing in with: admin, HR, and per unit its principal, a class
    or subject teacher and a special-needs teacher."""
    accounts = []
    for p in planned:
        if p.is_admin:
            accounts.append(DemoAccount("admin", p.email, None, p.name))
        elif p.is_hr:
            accounts.append(DemoAccount("hr", p.email, None, p.name))
    for code, *_ in UNITS:
        staff = [p for p in planned if p.unit_code == code]
        principal = next(p for p in staff if p.unit_role == UnitRole.PRINCIPAL)
        accounts.append(DemoAccount("principal", principal.email, code, principal.name))
        teacher = next(p for p in staff if p.profession in (P.CLASS_TEACHER, P.SUBJECT_TEACHER))
        accounts.append(DemoAccount("teacher", teacher.email, code, teacher.name))
        special = next((p for p in staff if p.profession == P.SPECIAL_NEEDS_TEACHER), None)
        if special is not None:
            accounts.append(DemoAccount("teacher", special.email, code, special.name))
    return accounts
