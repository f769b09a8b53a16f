"""Importing a timetable from an XHSTT archive through the solver's importer."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from pdservice.core.enums import Profession
from pdservice.core.models import Unit, User
from pdservice.csvutil import RowError
from pdservice.extensions import db
from pdservice.timetable.grid import default_times, parse_day
from pdservice.timetable.models import Term
from pdservice.timetable.replace import (
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
    data: bytes,
    unit: Unit,
    solution: int = 1,
    previous_map: dict[str, int] | None = None,
    matching: str | None = None,
) -> ParseResult:
    """Read an XHSTT archive through the solver's importer, placing lessons as its
    `solution`-th solution does (1 = the first).

    XHSTT names teachers by short ids; each is matched to a staff member of the unit: the one
    the principal's `matching` list names (`parse_teacher_matching`), else the one it was
    matched to by the previous import of the term, else a staff member whose e-mail name or
    name equals the id, else the next free staff member of a fitting profession (special-needs
    teachers for the importer's specialists, class and subject teachers for the others), in a
    fixed order, so the same file always gives the same timetable.
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
    chosen, errors = parse_teacher_matching(matching or "", unit)
    if not errors:
        mapping, errors = _map_teachers(problem, unit, previous_map or {}, chosen)
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


def teaching_staff(unit: Unit) -> list[User]:
    """The unit's staff who can be matched to an XHSTT file's teachers."""
    return [
        u
        for u in unit_staff(unit.id)
        if u.profession in (*SPECIALIST_PROFESSIONS, *MAINSTREAM_PROFESSIONS)
    ]


def parse_teacher_matching(text: str, unit: Unit) -> tuple[dict[str, int], list[RowError]]:
    """The principal's corrections to the automatic matching: one line per XHSTT teacher,
    `ID = e-mail address or name` (`ID, ...` and `ID; ...` also do); empty lines and lines
    starting with # are skipped. Every problem is reported with its line number."""
    column = _("Teacher matching")
    staff = teaching_staff(unit)
    by_email = {u.email.lower(): u for u in staff}
    by_name: dict[str, list[User]] = {}
    for user in staff:
        by_name.setdefault(user.name.strip().lower(), []).append(user)
    chosen: dict[str, int] = {}
    first_line: dict[int, int] = {}
    id_line: dict[str, int] = {}
    errors: list[RowError] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, who = _split_matching_line(line)
        if not sep or not key or not who:
            errors.append(RowError(number, _("Write “XHSTT id = e-mail address or name”."), column))
            continue
        if key in id_line:
            errors.append(
                RowError(
                    number,
                    _("%(id)s is already matched on line %(line)d.", id=key, line=id_line[key]),
                    column,
                )
            )
            continue
        id_line[key] = number
        user = by_email.get(who.lower())
        if user is None:
            named = by_name.get(who.lower(), [])
            if len(named) > 1:
                errors.append(
                    RowError(
                        number,
                        _(
                            "Several staff members are called %(name)s: use the e-mail address.",
                            name=who,
                        ),
                        column,
                    )
                )
                continue
            user = named[0] if named else None
        if user is None:
            errors.append(
                RowError(
                    number,
                    _(
                        "%(who)s is not a class, subject or special-needs teacher of %(unit)s.",
                        who=who,
                        unit=unit.name,
                    ),
                    column,
                )
            )
            continue
        if user.id in first_line:
            errors.append(
                RowError(
                    number,
                    _(
                        "%(name)s is already matched on line %(line)d: one staff member "
                        "per XHSTT teacher.",
                        name=user.name,
                        line=first_line[user.id],
                    ),
                    column,
                )
            )
            continue
        first_line[user.id] = number
        chosen[key] = user.id
    return chosen, errors


def _split_matching_line(line: str) -> tuple[str, str, str]:
    for sep in ("=", ";", ","):
        key, found, who = line.partition(sep)
        if found:
            return key.strip(), found, who.strip()
    return line, "", ""


def teacher_matching(term: Term) -> list[tuple[str, User]]:
    """How the term's last XHSTT import matched the file's teachers to staff, by XHSTT id."""
    mapping: dict[str, int] = (term.import_info or {}).get("teacher_map") or {}
    if term.source != "xhstt" or not mapping:
        return []
    users = {
        u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(mapping.values())))
    }
    return [(key, users[uid]) for key, uid in sorted(mapping.items()) if uid in users]


def current_matching(term: Term) -> str:
    """The matching as the import page's list shows it (`ID = e-mail`), for editing."""
    return "\n".join(f"{key} = {user.email}" for key, user in teacher_matching(term))


def _map_teachers(
    problem: Any, unit: Unit, previous: dict[str, int], chosen: dict[str, int] | None = None
) -> tuple[dict[str, int], list[RowError]]:
    staff = teaching_staff(unit)
    by_id = {u.id: u for u in staff}
    free = dict(by_id)
    mapping: dict[str, int] = {}
    teaching = {lesson.teacher for lesson in problem.lessons} | {p.teacher for p in problem.pins}
    xhstt_teachers = [t for t in problem.teachers if t.id in teaching]
    known = {t.id for t in xhstt_teachers}
    unknown = sorted(set(chosen or {}) - known)
    if unknown:
        return {}, [
            RowError(
                1,
                _(
                    "The file has no teacher %(ids)s (its teachers: %(known)s).",
                    ids=", ".join(unknown),
                    known=", ".join(sorted(known)),
                ),
                _("Teacher matching"),
            )
        ]
    for xhstt_id, user_id in (chosen or {}).items():
        mapping[xhstt_id] = user_id
        del free[user_id]
    for teacher in xhstt_teachers:
        if teacher.id in mapping:
            continue
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
