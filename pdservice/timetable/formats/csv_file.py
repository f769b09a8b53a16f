"""The timetable CSV format: one file, a `kind` column says what each row describes.

    kind=period   day, period, start, end
    kind=group    group, grade, language, size, support, pupil_support
    kind=lesson   day, period, group, subject, teacher; optional subject_name, room, lesson

README "Timetables" documents the columns; `examples/timetable/` has an example. Every bad row
is reported with its line number, and a file with any bad row gives no data at all.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import time  # noqa: F401
from typing import Any

from flask_babel import gettext as _

from pdservice.core.enums import Language
from pdservice.core.models import Unit, User
from pdservice.csvutil import CsvFormatError, RowError, read_csv
from pdservice.timetable.grid import DAY_CODES, parse_day, parse_time
from pdservice.timetable.replace import (
    GroupData,
    LessonData,
    ParseResult,
    SlotData,
    TimetableData,
)
from pdservice.timetable.services import unit_staff

MAX_PERIODS_A_DAY = 14
MAX_GROUP_SIZE = 99


COLUMNS = (
    "kind",
    "day",
    "period",
    "start",
    "end",
    "group",
    "grade",
    "language",
    "size",
    "support",
    "pupil_support",
    "subject",
    "subject_name",
    "teacher",
    "room",
    "lesson",
)
ALIASES = {
    "tyyppi": "kind",
    "typ": "kind",
    "päivä": "day",
    "paiva": "day",
    "dag": "day",
    "tunti": "period",
    "lektion": "period",
    "alkaa": "start",
    "börjar": "start",
    "päättyy": "end",
    "paattyy": "end",
    "slutar": "end",
    "ryhmä": "group",
    "ryhma": "group",
    "grupp": "group",
    "luokka-aste": "grade",
    "vuosiluokka": "grade",
    "årskurs": "grade",
    "kieli": "language",
    "språk": "language",
    "koko": "size",
    "storlek": "size",
    "tuki": "support",
    "stöd": "support",
    "oppilaskohtainen tuki": "pupil_support",
    "elevspecifikt stöd": "pupil_support",
    "aine": "subject",
    "oppiaine": "subject",
    "ämne": "subject",
    "aineen nimi": "subject_name",
    "ämnets namn": "subject_name",
    "opettaja": "teacher",
    "lärare": "teacher",
    "tila": "room",
    "sal": "room",
    "oppitunti": "lesson",
}
KINDS = {
    "period": "period",
    "jakso": "period",
    "lektionstid": "period",
    "group": "group",
    "ryhmä": "group",
    "ryhma": "group",
    "grupp": "group",
    "lesson": "lesson",
    "oppitunti": "lesson",
    "lektion": "lesson",
}
SUPPORT_NONE = {"", "none", "no", "0", "false", "ei", "ingen", "nej", "-"}
SUPPORT_GROUP = {
    "group",
    "group-specific",
    "yes",
    "1",
    "true",
    "ryhmä",
    "ryhmakohtainen",
    "ryhmäkohtainen",
    "kyllä",
    "grupp",
    "gruppspecifikt",
    "ja",
}


class _Rows:
    """Collects errors while a file is read; a file with any error imports nothing."""

    def __init__(self) -> None:
        self.errors: list[RowError] = []

    def error(self, line: int, column: str | None, message: str) -> None:
        self.errors.append(RowError(line, message, column))

    def integer(
        self, line: int, column: str, value: str, low: int, high: int, default: int | None
    ) -> int | None:
        if value == "":
            if default is None:
                self.error(line, column, _("%(column)s is missing.", column=column))
            return default
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            self.error(
                line,
                column,
                _(
                    "%(column)s must be a whole number from %(low)d to %(high)d, not %(value)s.",
                    column=column,
                    low=low,
                    high=high,
                    value=value,
                ),
            )
            return None
        return number


def staff_lookup(unit: Unit) -> tuple[dict[str, User], dict[str, list[User]]]:
    """The unit's active staff by e-mail address and by name (both lower-cased)."""
    by_email: dict[str, User] = {}
    by_name: dict[str, list[User]] = defaultdict(list)
    for user in unit_staff(unit.id):
        by_email[user.email.lower()] = user
        by_name[user.name.strip().lower()].append(user)
    return by_email, by_name


def parse_timetable_csv(data: bytes, unit: Unit) -> ParseResult:
    """Read a timetable CSV for `unit`; every bad row is reported with its line number."""
    rows = _Rows()
    try:
        table = read_csv(data, ALIASES)
    except CsvFormatError as exc:
        rows.error(1, None, _("The file cannot be read: %(reason)s", reason=exc))
        return ParseResult(errors=rows.errors)
    if "kind" not in table.header:
        rows.error(1, "kind", _("The file needs a kind column (period, group or lesson)."))
        return ParseResult(errors=rows.errors)
    unknown = [c for c in table.header if c not in COLUMNS]
    if unknown:
        rows.error(1, None, _("Unknown columns: %(columns)s", columns=", ".join(unknown)))
        return ParseResult(errors=rows.errors)

    by_kind: dict[str, list[tuple[int, dict[str, str]]]] = defaultdict(list)
    for line, values in table.rows:
        if values.get("__extra__"):
            rows.error(line, None, _("The row has more values than the header has columns."))
            continue
        kind = KINDS.get(values.get("kind", "").lower())
        if kind is None:
            rows.error(
                line,
                "kind",
                _("Unknown kind %(value)s: use period, group or lesson.", value=values["kind"]),
            )
            continue
        by_kind[kind].append((line, values))

    data_out = TimetableData()
    data_out.slots = _csv_periods(rows, by_kind["period"])
    data_out.groups = _csv_groups(rows, by_kind["group"], unit)
    data_out.lessons, data_out.subjects = _csv_lessons(
        rows, by_kind["lesson"], unit, data_out.slots, data_out.groups
    )
    if not by_kind["period"]:
        rows.error(1, "kind", _("The file has no period rows: the week's grid is missing."))
    if not by_kind["lesson"]:
        rows.error(1, "kind", _("The file has no lesson rows."))
    rows.errors.sort(key=lambda e: e.line)
    if rows.errors:
        return ParseResult(errors=rows.errors)
    return ParseResult(data=data_out)


def _csv_periods(rows: _Rows, items: list[tuple[int, dict[str, str]]]) -> list[SlotData]:
    slots: dict[tuple[int, int], SlotData] = {}
    for line, values in items:
        day = parse_day(values.get("day", ""))
        if day is None:
            rows.error(line, "day", _("Unknown day %(value)s.", value=values.get("day") or "''"))
        index = rows.integer(line, "period", values.get("period", ""), 1, MAX_PERIODS_A_DAY, None)
        start, end = parse_time(values.get("start", "")), parse_time(values.get("end", ""))
        if start is None:
            rows.error(line, "start", _("Start must be a time such as 8:15."))
        if end is None:
            rows.error(line, "end", _("End must be a time such as 9:00."))
        if start and end and end <= start:
            rows.error(line, "end", _("The period ends before it starts."))
        if day is None or index is None or start is None or end is None or end <= start:
            continue
        if (day, index) in slots:
            rows.error(
                line,
                "period",
                _("This period is already on line %(line)d.", line=slots[(day, index)].line),
            )
            continue
        slots[(day, index)] = SlotData(day, index, start, end, line)
    by_day: dict[int, list[SlotData]] = defaultdict(list)
    for slot in slots.values():
        by_day[slot.day].append(slot)
    for day_slots in by_day.values():
        day_slots.sort(key=lambda s: s.index)
        for before, after in zip(day_slots, day_slots[1:], strict=False):
            if after.starts_at < before.ends_at:
                rows.error(
                    after.line,
                    "start",
                    _(
                        "The period starts before the previous period (line %(line)d) ends.",
                        line=before.line,
                    ),
                )
    return sorted(slots.values(), key=lambda s: (s.day, s.index))


def _support(value: str) -> bool | None:
    lowered = value.strip().lower()
    if lowered in SUPPORT_NONE:
        return False
    if lowered in SUPPORT_GROUP:
        return True
    return None


def _csv_groups(
    rows: _Rows, items: list[tuple[int, dict[str, str]]], unit: Unit
) -> list[GroupData]:
    groups: dict[str, GroupData] = {}
    languages = {m.value: m for m in Language}
    for line, values in items:
        code = values.get("group", "")
        if not code:
            rows.error(line, "group", _("The group's code is missing."))
        elif len(code) > 40 or "+" in code:
            rows.error(line, "group", _("A group code has at most 40 characters and no +."))
        grade = None
        if values.get("grade"):
            grade = rows.integer(line, "grade", values["grade"], 0, 13, None)
        language = unit.language
        if values.get("language"):
            language = languages.get(values["language"].lower())
            if language is None:
                rows.error(
                    line, "language", _("Unknown language %(value)s.", value=values["language"])
                )
        size = rows.integer(line, "size", values.get("size", ""), 0, MAX_GROUP_SIZE, 20)
        support = _support(values.get("support", ""))
        if support is None:
            rows.error(
                line,
                "support",
                _(
                    "Support is none or group (group-specific support), not %(value)s.",
                    value=values["support"],
                ),
            )
        pupils = rows.integer(
            line, "pupil_support", values.get("pupil_support", ""), 0, MAX_GROUP_SIZE, 0
        )
        if pupils is not None and size is not None and pupils > size:
            rows.error(
                line,
                "pupil_support",
                _("More pupils with pupil-specific support than pupils in the group."),
            )
            pupils = None
        if code in groups:
            rows.error(
                line, "group", _("This group is already on line %(line)d.", line=groups[code].line)
            )
            continue
        if not code or None in (size, support, pupils, language) or len(code) > 40:
            continue
        groups[code] = GroupData(code, grade, language, size, support, pupils, line)  # type: ignore[arg-type]
    return list(groups.values())


def _csv_lessons(
    rows: _Rows,
    items: list[tuple[int, dict[str, str]]],
    unit: Unit,
    slots: list[SlotData],
    groups: list[GroupData],
) -> tuple[list[LessonData], dict[str, str]]:
    grid = {(s.day, s.index) for s in slots}
    group_codes = {g.code for g in groups}
    by_email, by_name = staff_lookup(unit)
    subjects: dict[str, str] = {}
    lessons: dict[str, LessonData] = {}
    # (teacher id | group code | room, day, index) -> line: one place at a time.
    taken: dict[tuple[str, Any, int, int], int] = {}
    for line, values in items:
        errors_before = len(rows.errors)
        day = parse_day(values.get("day", ""))
        if day is None:
            rows.error(line, "day", _("Unknown day %(value)s.", value=values.get("day") or "''"))
        index = rows.integer(line, "period", values.get("period", ""), 1, MAX_PERIODS_A_DAY, None)
        if day is not None and index is not None and (day, index) not in grid:
            rows.error(
                line,
                "period",
                _(
                    "%(day)s period %(period)d is not in the week's grid (no period row).",
                    day=DAY_CODES[day],
                    period=index,
                ),
            )
        lesson_groups = [g for g in values.get("group", "").replace(" ", "+").split("+") if g]
        if not lesson_groups:
            rows.error(line, "group", _("The lesson's group is missing."))
        for code in lesson_groups:
            if code not in group_codes:
                rows.error(
                    line, "group", _("Unknown group %(value)s (add a group row).", value=code)
                )
        subject = values.get("subject", "")
        if not subject:
            rows.error(line, "subject", _("The lesson's subject is missing."))
        elif len(subject) > 40:
            rows.error(line, "subject", _("A subject code has at most 40 characters."))
        teacher = _find_teacher(values.get("teacher", ""), by_email, by_name)
        if teacher is None:
            rows.error(
                line,
                "teacher",
                _(
                    "Unknown teacher %(value)s: give the e-mail address or name of a staff "
                    "member of %(unit)s.",
                    value=values.get("teacher") or "''",
                    unit=unit.name,
                ),
            )
        room = values.get("room") or None
        if room and len(room) > 40:
            rows.error(line, "room", _("A room has at most 40 characters."))
        code = values.get("lesson") or (
            f"{'+'.join(lesson_groups)}-{subject}-{DAY_CODES.get(day or 0, '?')}{index or 0}"
        )
        if len(code) > 80:
            rows.error(line, "lesson", _("A lesson id has at most 80 characters."))
        if len(rows.errors) > errors_before:
            continue
        assert day is not None and index is not None and teacher is not None
        for key in (
            ("teacher", teacher.id, day, index),
            *(("group", g, day, index) for g in lesson_groups),
            *((("room", room.lower(), day, index),) if room else ()),
        ):
            if key in taken:
                rows.error(
                    line,
                    key[0],
                    _(
                        "Clashes with the lesson on line %(line)d: the same %(what)s at the "
                        "same time.",
                        line=taken[key],
                        what=_what(key[0]),
                    ),
                )
        if len(rows.errors) > errors_before:
            continue
        for key in (
            ("teacher", teacher.id, day, index),
            *(("group", g, day, index) for g in lesson_groups),
            *((("room", room.lower(), day, index),) if room else ()),
        ):
            taken[key] = line
        subjects.setdefault(subject, values.get("subject_name") or subject)
        existing = lessons.get(code)
        if existing is None:
            lessons[code] = LessonData(
                code, lesson_groups, subject, teacher.id, [(day, index)], room, line
            )
            continue
        if (existing.groups, existing.subject, existing.teacher_id) != (
            lesson_groups,
            subject,
            teacher.id,
        ):
            rows.error(
                line,
                "lesson",
                _(
                    "Lesson %(code)s has another group, subject or teacher on line %(line)d.",
                    code=code,
                    line=existing.line,
                ),
            )
            continue
        existing.slots.append((day, index))
    for lesson in lessons.values():
        lesson.slots.sort()
        days = {d for d, _i in lesson.slots}
        indices = [i for _d, i in lesson.slots]
        if len(days) > 1 or indices != list(range(indices[0], indices[0] + len(indices))):
            rows.error(
                lesson.line,
                "lesson",
                _(
                    "The periods of lesson %(code)s are not consecutive on one day.",
                    code=lesson.code,
                ),
            )
    return list(lessons.values()), subjects


def _what(key: str) -> str:
    return {"teacher": _("teacher"), "group": _("group"), "room": _("room")}[key]


def _find_teacher(
    value: str, by_email: dict[str, User], by_name: dict[str, list[User]]
) -> User | None:
    value = value.strip().lower()
    if not value:
        return None
    if value in by_email:
        return by_email[value]
    named = by_name.get(value, [])
    return named[0] if len(named) == 1 else None
