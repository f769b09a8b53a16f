"""Demo step: every demo school gets the autumn term of the current school year and a
generated weekly timetable for its staff (`generate.py`)."""

from __future__ import annotations

import sqlalchemy as sa

from pdservice.core.enums import Language, UnitKind
from pdservice.core.models import Unit
from pdservice.core.services import current_school_year
from pdservice.extensions import db
from pdservice.timetable.generate import StaffMember, generate_timetable
from pdservice.timetable.replace import replace_timetable
from pdservice.timetable.services import find_term, get_or_create_term, unit_staff

DEMO_UNITS = ("koivurinne", "lehtola", "bjorkby", "kuusikko")


def demo_term_name(unit: Unit) -> str:
    year = current_school_year().starts_on.year
    if unit.language == Language.SV:
        return f"Hösttermin {year}"
    return f"Syyslukukausi {year}"


def demo_units() -> list[Unit]:
    return list(
        db.session.scalars(sa.select(Unit).where(Unit.code.in_(DEMO_UNITS)).order_by(Unit.code))
    )


def seed(ctx) -> None:
    for unit in demo_units():
        existing = find_term(unit, demo_term_name(unit))
        if existing is not None and existing.has_timetable:
            continue
        term, _created = get_or_create_term(unit, demo_term_name(unit))
        staff = [StaffMember(u.id, u.profession) for u in unit_staff(unit.id)]
        data = generate_timetable(
            staff,
            upper_secondary=unit.kind == UnitKind.UPPER_SECONDARY_SCHOOL,
            language=unit.language,
            rng=ctx.rng(f"timetable:{unit.code}"),
        )
        replace_timetable(term, data, source="demo", source_name="generated")
    db.session.flush()
