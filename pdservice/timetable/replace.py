"""Importing a term's timetable, all or nothing.

Reading a file (`formats.csv_file.parse_timetable_csv`, `formats.xhstt_file.parse_xhstt`) gives a
`TimetableData` or the list of every problem with its line number; `replace_timetable` then
makes the term's timetable equal to it in the caller's transaction.
Rows keep their identity by natural keys (a period by day and index, a group or subject by
code, a lesson by code), so what refers to them (the principal's co-teaching decisions, team
meetings) survives a re-import when it still applies; features check that through
`after_replace` listeners and report what they had to drop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import time
from typing import Any

import sqlalchemy as sa

from pdservice.core.enums import Language
from pdservice.core.models import User
from pdservice.core.services import audit
from pdservice.csvutil import RowError
from pdservice.db import utcnow
from pdservice.extensions import db
from pdservice.timetable.models import Group, Lesson, LessonSlot, PeriodSlot, Subject, Term

MAX_PERIODS_A_DAY = 14
MAX_GROUP_SIZE = 99


# --- what a file says ------------------------------------------------------------------------
@dataclass
class SlotData:
    day: int
    index: int
    starts_at: time
    ends_at: time
    line: int = 0


@dataclass
class GroupData:
    code: str
    grade: int | None
    language: Language
    size: int
    group_support: bool
    pupil_support: int
    line: int = 0


@dataclass
class LessonData:
    code: str
    groups: list[str]
    subject: str
    teacher_id: int
    slots: list[tuple[int, int]]  # (day, index), consecutive on one day
    room: str | None = None
    line: int = 0


@dataclass
class TimetableData:
    slots: list[SlotData] = field(default_factory=list)
    groups: list[GroupData] = field(default_factory=list)
    subjects: dict[str, str] = field(default_factory=dict)  # code -> name
    lessons: list[LessonData] = field(default_factory=list)
    # Co-teaching already in the file (XHSTT events with two teachers): (lesson code, user id).
    pins: list[tuple[str, int]] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class ParseResult:
    data: TimetableData | None = None
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.data is not None


@dataclass
class ReplaceReport:
    """What an import changed, and what it had to drop because it no longer applies."""

    counts: dict[str, int] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # translated sentences for the page


class TimetableLocked(Exception):
    """The timetable cannot be replaced now (a listener says why, e.g. a solve is running)."""


# Features that refer to timetable rows register here (at import time of their services).
BeforeReplace = Callable[[Term], None]  # raise TimetableLocked to refuse
AfterReplace = Callable[[Term, TimetableData, ReplaceReport], None]
_before_replace: dict[str, BeforeReplace] = {}
_after_replace: dict[str, AfterReplace] = {}


def on_before_replace(name: str, listener: BeforeReplace) -> None:
    _before_replace[name] = listener


def on_after_replace(name: str, listener: AfterReplace) -> None:
    _after_replace[name] = listener


# --- replacing a term's timetable -------------------------------------------------------------
def replace_timetable(
    term: Term,
    data: TimetableData,
    *,
    source: str,
    source_name: str | None = None,
    actor: User | None = None,
) -> ReplaceReport:
    """Make `term`'s timetable equal to `data`, keeping rows that still exist by natural key.

    Flushes, never commits: the caller commits once (or rolls back everything).
    """
    for listener in _before_replace.values():
        listener(term)
    report = ReplaceReport()
    lessons_before = list(db.session.scalars(sa.select(Lesson).where(Lesson.term_id == term.id)))
    # Periods are re-linked from scratch; dropping the links first keeps the unique
    # constraints (one lesson per teacher and group at a time) true at every flush.
    if lessons_before:
        db.session.execute(
            sa.delete(LessonSlot).where(LessonSlot.lesson_id.in_([x.id for x in lessons_before]))
        )
        db.session.flush()
        for lesson in lessons_before:
            db.session.expire(lesson, ["lesson_slots"])

    slots = _sync_slots(term, data, report)
    subjects = _sync_by_code(
        term,
        Subject,
        data.subjects.items(),
        report,
        "subjects",
        lambda s, item: setattr(s, "name", item[1][:120]),
        key=lambda item: item[0],
    )
    groups = _sync_by_code(
        term, Group, data.groups, report, "groups", _set_group, key=lambda g: g.code
    )
    existing = {lesson.code: lesson for lesson in lessons_before}
    wanted = {lesson.code for lesson in data.lessons}
    for lesson in lessons_before:
        if lesson.code not in wanted:
            db.session.delete(lesson)
    report.deleted["lessons"] = sum(1 for code in existing if code not in wanted)
    db.session.flush()
    created = 0
    placed: list[tuple[Lesson, LessonData]] = []
    for item in data.lessons:
        lesson = existing.get(item.code)
        if lesson is None:
            lesson = Lesson(term_id=term.id, code=item.code)
            db.session.add(lesson)
            created += 1
        lesson.group_id = groups[item.groups[0]].id
        lesson.extra_groups = [groups[code] for code in item.groups[1:]]
        lesson.subject_id = subjects[item.subject].id
        lesson.teacher_id = item.teacher_id
        lesson.room = item.room
        placed.append((lesson, item))
    db.session.flush()
    db.session.add_all(
        LessonSlot(
            lesson_id=lesson.id,
            slot_id=slots[key].id,
            teacher_id=item.teacher_id,
            group_id=lesson.group_id,
        )
        for lesson, item in placed
        for key in item.slots
    )
    db.session.flush()
    report.created["lessons"] = created
    _delete_unused(term, Subject, subjects, report, "subjects")
    _delete_unused(term, Group, groups, report, "groups")
    report.counts = {
        "periods": len(data.slots),
        "groups": len(data.groups),
        "subjects": len(data.subjects),
        "lessons": len(data.lessons),
        "lesson_hours": sum(len(x.slots) for x in data.lessons),
    }
    term.timetable_version += 1
    term.source = source
    term.source_name = (source_name or "")[:200] or None
    term.imported_at = utcnow()
    term.imported_by_id = actor.id if actor is not None else None
    term.import_info = {**data.info, "counts": report.counts}
    db.session.flush()
    db.session.expire(term, ["slots"])
    for listener in _after_replace.values():
        listener(term, data, report)
    audit(
        "timetable.imported",
        term,
        unit_id=term.unit_id,
        actor=actor,
        changes={
            "source": source,
            "file": source_name,
            "version": term.timetable_version,
            "counts": report.counts,
            "created": report.created,
            "deleted": report.deleted,
        },
    )
    return report


def _sync_slots(
    term: Term, data: TimetableData, report: ReplaceReport
) -> dict[tuple[int, int], PeriodSlot]:
    existing = {
        (s.day, s.index): s
        for s in db.session.scalars(sa.select(PeriodSlot).where(PeriodSlot.term_id == term.id))
    }
    wanted = {(s.day, s.index): s for s in data.slots}
    for key, slot in existing.items():
        if key not in wanted:
            db.session.delete(slot)
    report.deleted["periods"] = sum(1 for key in existing if key not in wanted)
    db.session.flush()
    result: dict[tuple[int, int], PeriodSlot] = {}
    for key, item in sorted(wanted.items()):
        slot = existing.get(key)
        if slot is None:
            slot = PeriodSlot(term_id=term.id, day=item.day, index=item.index)
            db.session.add(slot)
        slot.starts_at, slot.ends_at = item.starts_at, item.ends_at
        result[key] = slot
    report.created["periods"] = sum(1 for key in wanted if key not in existing)
    db.session.flush()
    return result


def _set_group(group: Group, item: GroupData) -> None:
    group.grade = item.grade
    group.language = item.language
    group.size = item.size
    group.group_support = item.group_support
    group.pupil_support = item.pupil_support


def _sync_by_code(term, model, items, report, what, update, *, key) -> dict[str, Any]:
    existing = {
        row.code: row
        for row in db.session.scalars(sa.select(model).where(model.term_id == term.id))
    }
    result = {}
    created = 0
    for item in items:
        code = key(item)
        row = existing.get(code)
        if row is None:
            row = model(term_id=term.id, code=code)
            db.session.add(row)
            created += 1
        update(row, item)
        result[code] = row
    db.session.flush()
    report.created[what] = created
    return result


def _delete_unused(term, model, kept: dict[str, Any], report, what) -> None:
    rows = db.session.scalars(sa.select(model).where(model.term_id == term.id)).all()
    stale = [row for row in rows if row.code not in kept]
    for row in stale:
        db.session.delete(row)
    report.deleted[what] = len(stale)
    db.session.flush()
