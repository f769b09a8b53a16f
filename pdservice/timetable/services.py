"""Terms and who belongs where: the small questions every timetable page asks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from pdservice.clock import today
from pdservice.core.enums import UnitRole
from pdservice.core.models import SchoolYear, Unit, UnitMembership, User
from pdservice.core.services import audit, current_school_year, school_year_for
from pdservice.extensions import db
from pdservice.timetable.models import (
    Lesson,
    LessonSlot,
    PeriodSlot,
    Term,
    TimetableEvent,
    TimetableEventSlot,
    Unavailability,
    lesson_coteacher,
)

# Words that make a new term's default dates the autumn or the spring half of the year.
AUTUMN_WORDS = ("autumn", "fall", "syys", "höst")
SPRING_WORDS = ("spring", "kevät", "kevat", "vår")


def default_term_dates(name: str, year: SchoolYear) -> tuple[date, date]:
    """Autumn: August–December; spring: January–July; otherwise the whole school year."""
    lowered = name.lower()
    if any(word in lowered for word in AUTUMN_WORDS):
        return year.starts_on, date(year.starts_on.year, 12, 31)
    if any(word in lowered for word in SPRING_WORDS):
        return date(year.ends_on.year, 1, 1), year.ends_on
    return year.starts_on, year.ends_on


def create_term(
    unit: Unit, name: str, starts_on: date | None = None, ends_on: date | None = None
) -> Term:
    """A new term of `unit` in the school year of `starts_on` (today's by default)."""
    year = school_year_for(starts_on) if starts_on else current_school_year()
    assert year is not None
    default_start, default_end = default_term_dates(name, year)
    term = Term(
        unit_id=unit.id,
        school_year_id=year.id,
        name=name.strip(),
        starts_on=starts_on or default_start,
        ends_on=ends_on or default_end,
    )
    db.session.add(term)
    db.session.flush()
    audit(
        "term.created",
        term,
        unit_id=unit.id,
        changes={"name": term.name, "starts_on": term.starts_on, "ends_on": term.ends_on},
    )
    return term


def find_term(unit: Unit, name: str) -> Term | None:
    return db.session.scalar(
        sa.select(Term).where(
            Term.unit_id == unit.id, sa.func.lower(Term.name) == name.strip().lower()
        )
    )


def get_or_create_term(unit: Unit, name: str) -> tuple[Term, bool]:
    term = find_term(unit, name)
    if term is not None:
        return term, False
    return create_term(unit, name), True


def terms_of(unit_ids: set[int] | None) -> list[Term]:
    query = (
        sa.select(Term).options(so.joinedload(Term.unit)).order_by(Term.starts_on.desc(), Term.name)
    )
    if unit_ids is not None:
        query = query.where(Term.unit_id.in_(unit_ids))
    return list(db.session.scalars(query))


def current_term(unit_id: int, on: date | None = None) -> Term | None:
    """The term of the unit that `on` (today) falls in, else the latest one with a timetable,
    else the latest one."""
    on = on or today()
    terms = list(
        db.session.scalars(
            sa.select(Term).where(Term.unit_id == unit_id).order_by(Term.starts_on.desc())
        )
    )
    for term in terms:
        if term.starts_on <= on <= term.ends_on and term.has_timetable:
            return term
    return next((t for t in terms if t.has_timetable), terms[0] if terms else None)


def unit_staff(unit_id: int, *, active_only: bool = True) -> list[User]:
    query = (
        sa.select(User)
        .join(UnitMembership, UnitMembership.user_id == User.id)
        .where(UnitMembership.unit_id == unit_id)
        .order_by(User.name, User.id)
    )
    if active_only:
        query = query.where(User.active.is_(True))
    return list(db.session.scalars(query))


def is_unit_member(user_id: int, unit_id: int) -> bool:
    return (
        db.session.scalar(
            sa.select(UnitMembership.id).where(
                UnitMembership.user_id == user_id, UnitMembership.unit_id == unit_id
            )
        )
        is not None
    )


def unit_principal_ids(unit_id: int) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(UnitMembership.user_id).where(
                UnitMembership.unit_id == unit_id, UnitMembership.role == UnitRole.PRINCIPAL
            )
        )
    )


def term_slots(term_id: int) -> list[PeriodSlot]:
    return list(
        db.session.scalars(
            sa.select(PeriodSlot)
            .where(PeriodSlot.term_id == term_id)
            .order_by(PeriodSlot.day, PeriodSlot.index)
        )
    )


def term_lessons(term_id: int) -> list[Lesson]:
    """Every lesson of the term with what the pages show of it, loaded at once."""
    return list(
        db.session.scalars(
            sa.select(Lesson)
            .where(Lesson.term_id == term_id)
            .options(
                so.selectinload(Lesson.lesson_slots).joinedload(LessonSlot.slot),
                so.joinedload(Lesson.group),
                so.selectinload(Lesson.extra_groups),
                so.joinedload(Lesson.subject),
                so.joinedload(Lesson.teacher),
                so.selectinload(Lesson.coteachers),
            )
            .order_by(Lesson.code)
        )
    )


def teaching_slots(term_id: int) -> dict[int, set[int]]:
    """Teacher id -> the ids of the periods the term's timetable occupies them in: their own
    lessons, lessons they teach together with another teacher (team teaching in the file),
    and events without a class (every event a teacher takes part in occupies that teacher)."""
    busy: dict[int, set[int]] = {}
    own = (
        sa.select(LessonSlot.teacher_id, LessonSlot.slot_id)
        .join(Lesson, Lesson.id == LessonSlot.lesson_id)
        .where(Lesson.term_id == term_id)
    )
    team = (
        sa.select(lesson_coteacher.c.user_id, LessonSlot.slot_id)
        .join(LessonSlot, LessonSlot.lesson_id == lesson_coteacher.c.lesson_id)
        .join(Lesson, Lesson.id == LessonSlot.lesson_id)
        .where(Lesson.term_id == term_id)
    )
    events = (
        sa.select(TimetableEventSlot.teacher_id, TimetableEventSlot.slot_id)
        .join(TimetableEvent, TimetableEvent.id == TimetableEventSlot.event_id)
        .where(TimetableEvent.term_id == term_id)
    )
    for teacher_id, slot_id in db.session.execute(sa.union_all(own, team, events)).all():
        busy.setdefault(teacher_id, set()).add(slot_id)
    return busy


def consecutive_slots(term_id: int, start: PeriodSlot, length: int) -> list[PeriodSlot] | None:
    """`length` periods from `start` on the same day, or None when the day ends first."""
    if length == 1:
        return [start]
    slots = list(
        db.session.scalars(
            sa.select(PeriodSlot)
            .where(
                PeriodSlot.term_id == term_id,
                PeriodSlot.day == start.day,
                PeriodSlot.index >= start.index,
                PeriodSlot.index < start.index + length,
            )
            .order_by(PeriodSlot.index)
        )
    )
    return slots if len(slots) == length else None


# --- what occupies people beyond the term's own timetable ----------------------------------------
def overlaps(a: PeriodSlot, b: PeriodSlot) -> bool:
    """Two periods (of any terms and units) at the same time of the same weekday."""
    return a.day == b.day and a.starts_at < b.ends_at and b.starts_at < a.ends_at


def other_unit_terms(term: Term, user_ids: Iterable[int]) -> list[Term]:
    """The terms of the people's other units that run at the same time as `term` and have a
    timetable (a teacher in two schools works in both at once)."""
    ids = list(user_ids)
    if not ids:
        return []
    units = sa.select(UnitMembership.unit_id).where(
        UnitMembership.user_id.in_(ids), UnitMembership.unit_id != term.unit_id
    )
    return list(
        db.session.scalars(
            sa.select(Term)
            .where(
                Term.unit_id.in_(units),
                Term.starts_on <= term.ends_on,
                Term.ends_on >= term.starts_on,
                Term.timetable_version > 0,
            )
            .options(so.joinedload(Term.unit), so.selectinload(Term.slots))
            .order_by(Term.unit_id, Term.starts_on)
        )
    )


def occupied_elsewhere(term: Term, user_ids: Iterable[int]) -> dict[int, dict[int, str]]:
    """User id -> this term's period ids -> the other unit that occupies them then: the
    lessons, team teaching and events of the people's other units' timetables at the same time
    (co-teaching and meetings there are added by the features that own them)."""
    ids = set(user_ids)
    result: dict[int, dict[int, str]] = {}
    here = term_slots(term.id)
    for other in other_unit_terms(term, ids):
        for user_id, slot in _timetable_occupation(other, ids):
            for slot_here in here:
                if overlaps(slot_here, slot):
                    result.setdefault(user_id, {}).setdefault(slot_here.id, other.unit.name)
    return result


def _timetable_occupation(term: Term, user_ids: set[int]) -> list[tuple[int, PeriodSlot]]:
    """(user id, period) of the term's timetable for the given people."""
    slots = {s.id: s for s in term.slots}
    return [
        (user_id, slots[slot_id])
        for user_id, slot_ids in teaching_slots(term.id).items()
        if user_id in user_ids
        for slot_id in slot_ids
    ]


def unavailable_slots(term: Term, user_ids: Iterable[int]) -> dict[int, dict[int, str]]:
    """User id -> this term's period ids -> the reason of a recurring unavailability that
    covers them (a part-time day, a fixed duty, another employer)."""
    ids = list(user_ids)
    if not ids:
        return {}
    result: dict[int, dict[int, str]] = {}
    slots = term_slots(term.id)
    for rule in db.session.scalars(
        sa.select(Unavailability).where(Unavailability.user_id.in_(ids))
    ):
        for slot in slots:
            if rule.covers(slot):
                result.setdefault(rule.user_id, {}).setdefault(slot.id, rule.reason)
    return result
