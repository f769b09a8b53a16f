"""Import a school week from an XHSTT archive (an instance plus one of its solutions).

XHSTT gives the timetable: times, teachers, classes, events and, in a solution, when each event
(or a split part of it) takes place. It says nothing of professions, support needs, capacities
or wishes; those come from an optional CSV overlay, else from the seeded defaults below, so
that the same file always yields the same problem. README.md documents both.

Ids are XHSTT ids: slots are Time ids, teachers and groups Resource ids, lessons Event ids
(a split event's parts get `#2`, `#3`... after the first).
"""

from __future__ import annotations

import csv
import io
import math
import random
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import defaults
from .domain import (
    CLASS_TEACHER,
    LAST_PRIMARY_GRADE,
    SPECIAL_NEEDS_TEACHER,
    SUBJECT_TEACHER,
    TEACHER_SET_FIELDS,
    Commitment,
    Group,
    Lesson,
    Problem,
    ProblemError,
    Slot,
    Teacher,
    Team,
)

# The seeded defaults specific to XHSTT files (README.md, "XHSTT import"); the rest are in
# defaults.py.
SPECIALIST_SHARE = 1 / 8  # the lightest-loaded eighth of the teachers act as specialists
SPECIALIST_CAPACITY = 8
TEACHER_CAPACITY = 4


class XhsttError(ProblemError):
    """The file is not an XHSTT archive this importer can read; the message says where."""


@dataclass
class _Event:
    id: str
    duration: int
    course: str
    resources: list[tuple[str | None, str]] = field(default_factory=list)  # (ref, role)


def load_xhstt(
    source: str | Path | bytes,
    solution_index: int = 0,
    overlay: str | Path | None = None,
    seed: int = 0,
) -> Problem:
    """The weekly timetable of an XHSTT instance as placed by its `solution_index`-th solution.

    `source` is a path or the XML bytes; `overlay` an optional CSV path (see README.md).
    """
    name, root = _parse(source)
    instance = root.find("Instances/Instance") if root.tag != "Instance" else root
    if instance is None:
        raise XhsttError(f"{name}: no Instances/Instance element")
    slots = _slots(name, instance)
    kinds = _resource_kinds(instance)
    events = _events(name, instance)
    placements = _placements(name, root, solution_index, events)
    lessons, commitments, notes = _lessons(name, slots, kinds, events, placements)
    unavailable = _unavailability(instance, kinds, {s.id for s in slots})

    teacher_ids = [r for r, k in kinds.items() if k == "teacher"]
    group_ids = sorted({g for lesson in lessons for g in lesson.groups})
    rng = random.Random(seed)
    groups = _default_groups(group_ids, rng)
    teachers = _default_teachers(teacher_ids, lessons, groups, unavailable, rng)
    last_term = defaults.last_term_pairs(teachers, rng)
    draft = Problem(
        slots=tuple(slots),
        teachers=tuple(teachers),
        groups=tuple(groups),
        lessons=tuple(lessons),
        commitments=tuple(commitments),
        last_term_pairs=last_term,
        name=instance.get("Id", name),
        notes=tuple(notes),
    )
    teams = defaults.default_teams(draft, rng)
    problem = replace(draft, teams=tuple(teams))
    if overlay is not None:
        problem = apply_overlay(problem, overlay)
    return problem


# --- XML ------------------------------------------------------------------------------------
def _parse(source: str | Path | bytes) -> tuple[str, ET.Element]:
    if isinstance(source, bytes):
        name, data = "XHSTT data", source
    else:
        name = str(source)
        try:
            data = Path(source).read_bytes()
        except OSError as error:
            raise XhsttError(f"{name}: cannot read file: {error.strerror}") from None
    try:
        return name, ET.fromstring(data)
    except ET.ParseError as error:
        line, column = error.position
        raise XhsttError(f"{name}: not well-formed XML (line {line}, column {column})") from None


def _slots(name: str, instance: ET.Element) -> list[Slot]:
    times = instance.findall("Times/Time")
    if not times:
        raise XhsttError(f"{name}: the instance has no Times/Time")
    day_names = {
        day.get("Id"): (day.findtext("Name") or day.get("Id"))
        for day in instance.findall("Times/TimeGroups/Day")
    }
    per_day: Counter[str] = Counter()
    slots = []
    for time_element in times:
        time_id = time_element.get("Id")
        if not time_id:
            raise XhsttError(f"{name}: a Time has no Id")
        day = time_element.find("Day")
        if day is None or not day.get("Reference"):
            raise XhsttError(f"{name}: time {time_id!r} has no Day")
        day_id = day_names.get(day.get("Reference"), day.get("Reference"))
        per_day[day_id] += 1
        slots.append(Slot(time_id, day_id, per_day[day_id]))
    return slots


def _resource_kinds(instance: ET.Element) -> dict[str, str]:
    """Resource id -> 'teacher', 'group' or 'other', from the resource type's id or name."""
    type_kind = {}
    for resource_type in instance.findall("Resources/ResourceTypes/ResourceType"):
        label = f"{resource_type.get('Id', '')} {resource_type.findtext('Name', '')}".lower()
        if "teacher" in label:
            type_kind[resource_type.get("Id")] = "teacher"
        elif any(word in label for word in ("class", "student", "group")):
            type_kind[resource_type.get("Id")] = "group"
    kinds = {}
    for resource in instance.findall("Resources/Resource"):
        type_ref = resource.find("ResourceType")
        reference = type_ref.get("Reference") if type_ref is not None else None
        kinds[resource.get("Id")] = type_kind.get(reference, "other")
    return kinds


def _events(name: str, instance: ET.Element) -> dict[str, _Event]:
    events = {}
    for element in instance.findall("Events/Event"):
        event_id = element.get("Id")
        if not event_id:
            raise XhsttError(f"{name}: an Event has no Id")
        duration = _int(name, element.findtext("Duration"), f"event {event_id!r} Duration")
        course = element.find("Course")
        event = _Event(
            event_id, duration, course.get("Reference", "") if course is not None else ""
        )
        for resource in element.findall("Resources/Resource"):
            event.resources.append((resource.get("Reference"), resource.findtext("Role") or ""))
        events[event_id] = event
    if not events:
        raise XhsttError(f"{name}: the instance has no Events/Event")
    return events


def _placements(
    name: str, root: ET.Element, solution_index: int, events: dict[str, _Event]
) -> list[tuple[str, int, str | None, dict[str, str]]]:
    """(event id, duration, time id or None, role -> resource) for each solution event."""
    solutions = root.findall("SolutionGroups/SolutionGroup/Solution")
    if not solutions:
        raise XhsttError(f"{name}: no SolutionGroups/SolutionGroup/Solution to take times from")
    if not 0 <= solution_index < len(solutions):
        raise XhsttError(
            f"{name}: solution index {solution_index} is out of range"
            f" (the file has {len(solutions)} solution(s))"
        )
    placements = []
    for element in solutions[solution_index].findall("Events/Event"):
        event_id = element.get("Reference")
        if event_id not in events:
            raise XhsttError(f"{name}: the solution places unknown event {event_id!r}")
        duration_text = element.findtext("Duration")
        duration = (
            _int(name, duration_text, f"solution event {event_id!r} Duration")
            if duration_text
            else events[event_id].duration
        )
        time_element = element.find("Time")
        time_id = time_element.get("Reference") if time_element is not None else None
        roles = {
            r.findtext("Role") or "": r.get("Reference")
            for r in element.findall("Resources/Resource")
            if r.get("Reference")
        }
        placements.append((event_id, duration, time_id, roles))
    return placements


def _lessons(
    name: str,
    slots: list[Slot],
    kinds: dict[str, str],
    events: dict[str, _Event],
    placements: list[tuple[str, int, str | None, dict[str, str]]],
) -> tuple[list[Lesson], list[Commitment], list[str]]:
    """Every placed event occupies its teachers: one with a class becomes a lesson (its
    further teachers already co-teach it), one without (an elective of pupils from several
    classes, a duty, a meeting) a commitment of its teachers. The notes say what became what."""
    order = {slot.id: position for position, slot in enumerate(slots)}
    lessons: list[Lesson] = []
    commitments: list[Commitment] = []
    notes: list[str] = []
    parts: Counter[str] = Counter()
    for event_id, duration, time_id, roles in placements:
        if time_id is None:
            notes.append(f"event {event_id} has no time in the solution and was left out")
            continue
        if time_id not in order:
            raise XhsttError(f"{name}: event {event_id!r} is placed at unknown time {time_id!r}")
        start = order[time_id]
        run = slots[start : start + duration]
        if len(run) < duration or any(s.day != slots[start].day for s in run):
            raise XhsttError(
                f"{name}: event {event_id!r} at {time_id} with duration {duration}"
                " runs past the end of the day"
            )
        event = events[event_id]
        resources = [ref or roles.get(role) for ref, role in event.resources]
        # A resource the solution assigns under a role the instance's event does not list.
        listed = {role for _, role in event.resources}
        resources += [ref for role, ref in roles.items() if role not in listed]
        teachers = list(dict.fromkeys(r for r in resources if r and kinds.get(r) == "teacher"))
        groups = list(dict.fromkeys(r for r in resources if r and kinds.get(r) == "group"))
        parts[event_id] += 1
        part_id = event_id if parts[event_id] == 1 else f"{event_id}#{parts[event_id]}"
        where = f"at {run[0].id}" + (f"-{run[-1].id}" if len(run) > 1 else "")
        if not teachers:
            notes.append(f"event {part_id} ({where}) has no teacher: it occupies no teacher")
            continue
        if not groups:
            commitments.append(
                Commitment(
                    part_id,
                    tuple(teachers),
                    tuple(s.id for s in run),
                    "event",
                    event.course.removeprefix("gr_") or event_id,
                )
            )
            notes.append(
                f"event {part_id} ({where}) has no class: not a lesson to co-teach, but"
                f" {', '.join(teachers)} {'is' if len(teachers) == 1 else 'are'} busy then"
            )
            continue
        subject = event.course.removeprefix("gr_")
        lessons.append(
            Lesson(
                part_id,
                tuple(groups),
                teachers[0],
                tuple(s.id for s in run),
                subject,
                coteachers=tuple(teachers[1:]),
            )
        )
        if len(teachers) > 1:
            notes.append(
                f"event {part_id} ({where}) is taught by {', '.join(teachers)} together:"
                " co-teaching already in the timetable"
            )
    return lessons, commitments, notes


def _unavailability(
    instance: ET.Element, kinds: dict[str, str], slot_ids: set[str]
) -> dict[str, set[str]]:
    """Teachers' unavailable times from AvoidUnavailableTimes constraints."""
    group_members: dict[str, list[str]] = defaultdict(list)
    for resource in instance.findall("Resources/Resource"):
        for group in resource.findall("ResourceGroups/ResourceGroup"):
            group_members[group.get("Reference")].append(resource.get("Id"))
    time_groups: dict[str, list[str]] = defaultdict(list)
    for time_element in instance.findall("Times/Time"):
        for group in time_element.findall("TimeGroups/TimeGroup"):
            time_groups[group.get("Reference")].append(time_element.get("Id"))
    result: dict[str, set[str]] = defaultdict(set)
    for constraint in instance.findall("Constraints/AvoidUnavailableTimesConstraint"):
        resources = [r.get("Reference") for r in constraint.findall("AppliesTo/Resources/Resource")]
        for group in constraint.findall("AppliesTo/ResourceGroups/ResourceGroup"):
            resources += group_members[group.get("Reference")]
        times = [t.get("Reference") for t in constraint.findall("Times/Time")]
        for group in constraint.findall("TimeGroups/TimeGroup"):
            times += time_groups[group.get("Reference")]
        for resource in resources:
            if kinds.get(resource) == "teacher":
                result[resource].update(t for t in times if t in slot_ids)
    return result


def _int(name: str, text: str | None, what: str) -> int:
    try:
        value = int((text or "").strip())
    except ValueError:
        raise XhsttError(f"{name}: {what} is not an integer: {text!r}") from None
    if value < 1:
        raise XhsttError(f"{name}: {what} must be at least 1: {value}")
    return value


# --- seeded defaults ------------------------------------------------------------------------
def _grade(group_id: str) -> int | None:
    match = re.search(r"\d+", group_id)
    return int(match.group()) if match and 1 <= int(match.group()) <= 13 else None


def _default_groups(group_ids: list[str], rng: random.Random) -> list[Group]:
    groups = []
    for group_id in group_ids:
        size = rng.randint(*defaults.GROUP_SIZE_RANGE)
        group_support, pupil_support = defaults.support_need(rng)
        groups.append(Group(group_id, _grade(group_id), size, group_support, pupil_support))
    return groups


def _default_teachers(
    teacher_ids: list[str],
    lessons: list[Lesson],
    groups: list[Group],
    unavailable: dict[str, set[str]],
    rng: random.Random,
) -> list[Teacher]:
    load: Counter[str] = Counter()
    by_group: dict[str, Counter[str]] = defaultdict(Counter)
    subjects: dict[str, set[str]] = defaultdict(set)
    for lesson in lessons:
        load[lesson.teacher] += lesson.hours
        by_group[lesson.teacher][lesson.group] += lesson.hours
        if lesson.subject:
            subjects[lesson.teacher].add(lesson.subject)
    grade = {g.id: g.grade for g in groups}
    specialists = set(
        sorted(teacher_ids, key=lambda t: (load[t], t))[
            : math.ceil(len(teacher_ids) * SPECIALIST_SHARE)
        ]
    )
    teachers = []
    for teacher_id in teacher_ids:
        if teacher_id in specialists:
            profession, capacity = SPECIAL_NEEDS_TEACHER, SPECIALIST_CAPACITY
        else:
            capacity = TEACHER_CAPACITY
            main_group, main_hours = (by_group[teacher_id].most_common(1) or [("", 0)])[0]
            primary = (grade.get(main_group) or 99) <= LAST_PRIMARY_GRADE
            profession = (
                CLASS_TEACHER if primary and 2 * main_hours >= load[teacher_id] else SUBJECT_TEACHER
            )
        teachers.append(
            Teacher(
                teacher_id,
                name=teacher_id,
                profession=profession,
                subjects=frozenset(subjects[teacher_id]),
                unavailable=frozenset(unavailable.get(teacher_id, ())),
                capacity=capacity,
                willing=defaults.willing(rng),
                **defaults.competence_profile(rng),
            )
        )
    return defaults.with_wishes(teachers, rng)


# --- CSV overlay ----------------------------------------------------------------------------
TEACHER_COLUMNS = {"name", "profession", "capacity", "willing", *TEACHER_SET_FIELDS}
GROUP_COLUMNS = {"grade", "size", "group_support", "pupil_support"}
TEAM_COLUMNS = {"name", "members", "length", "allowed"}


def apply_overlay(problem: Problem, overlay: str | Path) -> Problem:
    """Override defaults from a CSV with columns `kind,id,...` (README.md lists them).

    Blank cells keep the default; list cells are space-separated ids. Team rows, if any,
    replace the default teams.
    """
    path = Path(overlay)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise ProblemError(f"{path}: cannot read overlay: {error.strerror}") from None
    teachers = {t.id: t for t in problem.teachers}
    groups = {g.id: g for g in problem.groups}
    teams: list[Team] = []
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"kind", "id"} <= set(reader.fieldnames):
        raise ProblemError(f"{path}: the overlay needs the columns 'kind' and 'id'")
    for line, row in enumerate(reader, start=2):
        where = f"{path}:{line}"
        kind, item_id = (row.get("kind") or "").strip(), (row.get("id") or "").strip()
        values = {
            k: v.strip() for k, v in row.items() if k not in ("kind", "id") and v and v.strip()
        }
        try:
            if kind == "teacher":
                if item_id not in teachers:
                    raise ProblemError(f"unknown teacher {item_id!r}")
                teachers[item_id] = replace(teachers[item_id], **_teacher_fields(values))
            elif kind == "group":
                if item_id not in groups:
                    raise ProblemError(f"unknown group {item_id!r}")
                groups[item_id] = replace(groups[item_id], **_group_fields(values))
            elif kind == "team":
                teams.append(Team(item_id, **_team_fields(values)))
            else:
                raise ProblemError(f"kind must be teacher, group or team, not {kind!r}")
        except ProblemError as error:
            raise ProblemError(f"{where}: {error}") from None
    return replace(
        problem,
        teachers=tuple(teachers.values()),
        groups=tuple(groups.values()),
        teams=tuple(teams) if teams else problem.teams,
    )


def _columns(values: dict[str, str], allowed: set[str]) -> None:
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ProblemError(f"column(s) {', '.join(unknown)} do not apply to this kind")


def _teacher_fields(values: dict[str, str]) -> dict:
    _columns(values, TEACHER_COLUMNS)
    result: dict = {}
    for key, value in values.items():
        if key in ("name", "profession"):
            result[key] = value
        elif key == "capacity":
            result[key] = _csv_int(key, value)
        elif key == "willing":
            result[key] = _csv_bool(key, value)
        else:
            result[key] = frozenset(value.split())
    return result


def _group_fields(values: dict[str, str]) -> dict:
    _columns(values, GROUP_COLUMNS)
    result: dict = {}
    for key, value in values.items():
        if key == "group_support":
            result[key] = _csv_bool(key, value)
        else:
            result[key] = _csv_int(key, value)
    return result


def _team_fields(values: dict[str, str]) -> dict:
    _columns(values, TEAM_COLUMNS)
    if "members" not in values:
        raise ProblemError("a team row needs members")
    result: dict = {"members": tuple(values["members"].split())}
    if "length" in values:
        result["length"] = _csv_int("length", values["length"])
    if "allowed" in values:
        result["allowed"] = frozenset(values["allowed"].split())
    if "name" in values:
        result["name"] = values["name"]
    return result


def _csv_int(key: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ProblemError(f"{key} must be an integer, not {value!r}") from None


def _csv_bool(key: str, value: str) -> bool:
    lowered = value.lower()
    if lowered in ("1", "true", "yes", "y"):
        return True
    if lowered in ("0", "false", "no", "n"):
        return False
    raise ProblemError(f"{key} must be true or false, not {value!r}")
