"""Importing a timetable from an XHSTT archive through the solver's importer."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from pdservice.core.enums import Profession
from pdservice.core.models import Unit
from pdservice.csvutil import RowError
from pdservice.timetable.grid import default_times, parse_day
from pdservice.timetable.importing import (
    GroupData,
    LessonData,
    ParseResult,
    SlotData,
    TimetableData,
)
from pdservice.timetable.services import unit_staff

SPECIALIST_PROFESSIONS = (Profession.SPECIAL_NEEDS_TEACHER, Profession.SPECIAL_CLASS_TEACHER)
MAINSTREAM_PROFESSIONS = (Profession.CLASS_TEACHER, Profession.SUBJECT_TEACHER)


def parse_xhstt(
    data: bytes, unit: Unit, solution: int = 1, previous_map: dict[str, int] | None = None
) -> ParseResult:
    """Read an XHSTT archive through the solver's importer, placing lessons as its
    `solution`-th solution does (1 = the first).

    XHSTT names teachers by short ids; each is matched to a staff member of the unit: the one
    it was matched to by the previous import of the term, else a staff member whose e-mail
    name or name equals the id, else the next free staff member of a fitting profession
    (special-needs teachers for the importer's specialists, class and subject teachers for
    the others), in a fixed order, so the same file always gives the same timetable.
    """
    from scheduler import ProblemError
    from scheduler.xhstt import load_xhstt

    if solution < 1:
        return ParseResult(errors=[RowError(1, _("The solution number starts from 1."))])
    try:
        problem = load_xhstt(data, solution_index=solution - 1)
    except ProblemError as exc:
        return ParseResult(
            errors=[RowError(1, _("The XHSTT file cannot be read: %(reason)s", reason=exc))]
        )
    mapping, errors = _map_teachers(problem, unit, previous_map or {})
    if errors:
        return ParseResult(errors=errors)

    days: dict[str, int] = {}
    for slot in problem.slots:
        if slot.day not in days:
            days[slot.day] = parse_day(slot.day) or len(days) + 1
    if len(set(days.values())) != len(days) or max(days.values()) > 7:
        days = {name: number for number, name in enumerate(days, start=1)}
    if len(days) > 7:
        return ParseResult(errors=[RowError(1, _("The file's week has more than seven days."))])
    slot_keys = {s.id: (days[s.day], s.index) for s in problem.slots}
    result = TimetableData(
        slots=[SlotData(d, i, *default_times(i)) for d, i in sorted(slot_keys.values())],
        groups=[
            GroupData(
                g.id[:40],
                g.grade,
                unit.language,
                g.size,
                g.group_support,
                min(g.pupil_support, g.size),
            )
            for g in problem.groups
        ],
    )
    for lesson in problem.lessons:
        subject = (lesson.subject or "-")[:40]
        result.subjects.setdefault(subject, subject)
        result.lessons.append(
            LessonData(
                lesson.id[:80],
                [g[:40] for g in lesson.groups],
                subject,
                mapping[lesson.teacher],
                [slot_keys[s] for s in lesson.slots],
            )
        )
    result.pins = [(pin.lesson[:80], mapping[pin.teacher]) for pin in problem.pins]
    result.info = {
        "xhstt_instance": problem.name,
        "xhstt_solution": solution,
        "teacher_map": mapping,
        "notes": list(problem.notes),
    }
    return ParseResult(data=result)


def _map_teachers(
    problem: Any, unit: Unit, previous: dict[str, int]
) -> tuple[dict[str, int], list[RowError]]:
    staff = [
        u
        for u in unit_staff(unit.id)
        if u.profession in (*SPECIALIST_PROFESSIONS, *MAINSTREAM_PROFESSIONS)
    ]
    by_id = {u.id: u for u in staff}
    free = dict(by_id)
    mapping: dict[str, int] = {}
    teaching = {lesson.teacher for lesson in problem.lessons} | {p.teacher for p in problem.pins}
    xhstt_teachers = [t for t in problem.teachers if t.id in teaching]
    for teacher in xhstt_teachers:
        user_id = previous.get(teacher.id)
        if user_id in free:
            mapping[teacher.id] = user_id
            del free[user_id]
    for teacher in xhstt_teachers:
        if teacher.id in mapping:
            continue
        wanted = teacher.id.lower()
        match = next(
            (
                u
                for u in free.values()
                if u.email.split("@")[0].lower() == wanted or u.name.lower() == wanted
            ),
            None,
        )
        if match is not None:
            mapping[teacher.id] = match.id
            del free[match.id]
    for teacher in xhstt_teachers:
        if teacher.id in mapping:
            continue
        order = SPECIALIST_PROFESSIONS if teacher.is_specialist else MAINSTREAM_PROFESSIONS
        candidates = sorted(
            free.values(),
            key=lambda u: (
                order.index(u.profession) if u.profession in order else len(order),
                u.name,
                u.id,
            ),
        )
        if candidates:
            mapping[teacher.id] = candidates[0].id
            del free[candidates[0].id]
    missing = [t.id for t in xhstt_teachers if t.id not in mapping]
    if missing:
        return {}, [
            RowError(
                1,
                _(
                    "The file has %(count)d teachers but %(unit)s has only %(staff)d class, "
                    "subject and special-needs teachers: add staff to the unit first.",
                    count=len(xhstt_teachers),
                    unit=unit.name,
                    staff=len(staff),
                ),
            )
        ]
    return mapping, []
