"""The package's own JSON format (documented in README.md, example in examples/scheduler/).

Reading is strict: an unknown key or a value of the wrong type is an error that says where
(`teachers[3].capacity`), because a silently ignored typo would change the plan.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .domain import (
    TEACHER_SET_FIELDS,
    Commitment,
    Group,
    Lesson,
    MeetingPin,
    Pin,
    Problem,
    ProblemError,
    RejectedLesson,
    RejectedPair,
    Slot,
    Teacher,
    Team,
)
from .parameters import Parameters
from .solution import Assignment, Meeting, Solution

FORMAT = "pdservice-coteaching/1"
TOP_LEVEL_KEYS = {
    "format",
    "name",
    "days",
    "periods_per_day",
    "slots",
    "teachers",
    "groups",
    "lessons",
    "teams",
    "pins",
    "meeting_pins",
    "rejected_pairs",
    "rejected_lessons",
    "last_term_pairs",
    "commitments",
    "parameters",
    "previous",
}


@dataclass(frozen=True)
class Request:
    """A JSON document: the problem, and optionally parameters and a previous solution."""

    problem: Problem
    parameters: Parameters | None = None
    previous: Solution | None = None


def load_json(source: str | Path | bytes | dict) -> Problem:
    """The Problem of a JSON document (a path, JSON bytes or an already parsed dict)."""
    return load_request(source).problem


def load_request(source: str | Path | bytes | dict) -> Request:
    """Problem, parameters and previous solution of a JSON document."""
    data = _read(source)
    _keys(data, TOP_LEVEL_KEYS, "document")
    if "format" in data and data["format"] != FORMAT:
        raise ProblemError(f"format: expected {FORMAT!r}, got {data['format']!r}")
    problem = problem_from_dict(data)
    parameters = Parameters.from_dict(data["parameters"]) if "parameters" in data else None
    previous = solution_from_dict(data["previous"]) if "previous" in data else None
    return Request(problem, parameters, previous)


def dump_json(
    problem: Problem,
    *,
    parameters: Parameters | None = None,
    previous: Solution | None = None,
    indent: int | None = 2,
) -> str:
    """The JSON document of a problem (and optional parameters and previous solution)."""
    data = problem_to_dict(problem)
    if parameters is not None:
        data["parameters"] = parameters.to_dict()
    if previous is not None:
        data["previous"] = previous.to_dict()
    return json.dumps(data, indent=indent, ensure_ascii=False)


def problem_from_dict(data: dict[str, Any]) -> Problem:
    return Problem(
        slots=tuple(_slots(data)),
        teachers=tuple(_teacher(t, f"teachers[{i}]") for i, t in _items(data, "teachers")),
        groups=tuple(_group(g, f"groups[{i}]") for i, g in _items(data, "groups")),
        lessons=tuple(_lesson(x, f"lessons[{i}]") for i, x in _items(data, "lessons")),
        teams=tuple(_team(t, f"teams[{i}]") for i, t in _items(data, "teams", required=False)),
        pins=tuple(_pin(p, f"pins[{i}]") for i, p in _items(data, "pins", required=False)),
        meeting_pins=tuple(
            _meeting_pin(p, f"meeting_pins[{i}]")
            for i, p in _items(data, "meeting_pins", required=False)
        ),
        rejected_pairs=tuple(
            RejectedPair(_pair(p, f"rejected_pairs[{i}]"))
            for i, p in _items(data, "rejected_pairs", required=False)
        ),
        rejected_lessons=tuple(
            _rejected_lesson(r, f"rejected_lessons[{i}]")
            for i, r in _items(data, "rejected_lessons", required=False)
        ),
        last_term_pairs=frozenset(
            _pair(p, f"last_term_pairs[{i}]")
            for i, p in _items(data, "last_term_pairs", required=False)
        ),
        name=_get(data, "name", str, "document", ""),
        commitments=tuple(
            _commitment(c, f"commitments[{i}]")
            for i, c in _items(data, "commitments", required=False)
        ),
    )


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "name": problem.name,
        "slots": [{"id": s.id, "day": s.day, "index": s.index} for s in problem.slots],
        "teachers": [
            {
                "id": t.id,
                "name": t.name,
                "profession": t.profession,
                "subjects": sorted(t.subjects),
                "unavailable": sorted(t.unavailable),
                "capacity": t.capacity,
                "willing": t.willing,
                "wished": sorted(t.wished),
                "avoided": sorted(t.avoided),
                "strengths": sorted(t.strengths),
                "development_goals": sorted(t.development_goals),
                "hours_elsewhere": t.hours_elsewhere,
            }
            for t in problem.teachers
        ],
        "groups": [
            {
                "id": g.id,
                "grade": g.grade,
                "size": g.size,
                "group_support": g.group_support,
                "pupil_support": g.pupil_support,
            }
            for g in problem.groups
        ],
        "lessons": [
            {
                "id": x.id,
                "groups": list(x.groups),
                "subject": x.subject,
                "teacher": x.teacher,
                "coteachers": list(x.coteachers),
                "slots": list(x.slots),
            }
            for x in problem.lessons
        ],
        "commitments": [
            {
                "id": c.id,
                "teachers": list(c.teachers),
                "slots": list(c.slots),
                "kind": c.kind,
                "label": c.label,
            }
            for c in problem.commitments
        ],
        "teams": [
            {
                "id": t.id,
                "name": t.name,
                "kind": t.kind,
                "members": list(t.members),
                "length": t.length,
                "allowed": sorted(t.allowed),
            }
            for t in problem.teams
        ],
        "pins": [{"lesson": p.lesson, "teacher": p.teacher} for p in problem.pins],
        "meeting_pins": [{"team": p.team, "start": p.start} for p in problem.meeting_pins],
        "rejected_pairs": [list(r.teachers) for r in problem.rejected_pairs],
        "rejected_lessons": [
            {"lesson": r.lesson, "teacher": r.teacher} for r in problem.rejected_lessons
        ],
        "last_term_pairs": [list(p) for p in sorted(problem.last_term_pairs)],
    }


def solution_from_dict(data: dict[str, Any]) -> Solution:
    _keys(data, {"assignments", "meetings"}, "previous")
    assignments = []
    for i, item in _items(data, "assignments", required=False, where="previous"):
        _keys(item, {"lesson", "teacher"}, f"previous.assignments[{i}]")
        assignments.append(
            Assignment(
                _get(item, "lesson", str, f"previous.assignments[{i}]"),
                _get(item, "teacher", str, f"previous.assignments[{i}]"),
            )
        )
    meetings = []
    for i, item in _items(data, "meetings", required=False, where="previous"):
        where = f"previous.meetings[{i}]"
        _keys(item, {"team", "slots"}, where)
        meetings.append(
            Meeting(_get(item, "team", str, where), tuple(_strings(item, "slots", where)))
        )
    return Solution(tuple(assignments), tuple(meetings))


# --- private readers ------------------------------------------------------------------------
def _read(source: str | Path | bytes | dict) -> dict[str, Any]:
    if isinstance(source, dict):
        data = source
    else:
        try:
            text = source if isinstance(source, bytes) else Path(source).read_bytes()
        except OSError as error:
            raise ProblemError(f"{source}: cannot read file: {error.strerror}") from None
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ProblemError(f"not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise ProblemError("the JSON document must be an object")
    return data


def _keys(data: Any, allowed: set[str], where: str) -> None:
    if not isinstance(data, dict):
        raise ProblemError(f"{where} must be a JSON object")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ProblemError(f"{where}: unknown key(s) {', '.join(unknown)}")


_MISSING = object()


def _get(data: dict, key: str, kind: type, where: str, default: Any = _MISSING) -> Any:
    if key not in data or data[key] is None:
        if default is _MISSING:
            raise ProblemError(f"{where}.{key} is required")
        return default
    value = data[key]
    wrong_bool = kind is int and isinstance(value, bool)
    if not isinstance(value, kind) or wrong_bool:
        raise ProblemError(f"{where}.{key} must be {kind.__name__}, not {value!r}")
    return value


def _strings(data: dict, key: str, where: str, required: bool = True) -> list[str]:
    values = _get(data, key, list, where, _MISSING if required else [])
    for value in values:
        if not isinstance(value, str):
            raise ProblemError(f"{where}.{key} must list strings, not {value!r}")
    return values


def _items(
    data: dict, key: str, required: bool = True, where: str = "document"
) -> list[tuple[int, Any]]:
    values = _get(data, key, list, where, _MISSING if required else [])
    return list(enumerate(values))


def _slots(data: dict) -> list[Slot]:
    if "slots" in data:
        if "days" in data or "periods_per_day" in data:
            raise ProblemError("give either slots or days with periods_per_day, not both")
        result = []
        for i, item in _items(data, "slots"):
            where = f"slots[{i}]"
            _keys(item, {"id", "day", "index"}, where)
            day = _get(item, "day", str, where)
            index = _get(item, "index", int, where)
            result.append(Slot(_get(item, "id", str, where, f"{day}_{index}"), day, index))
        return result
    days = _strings(data, "days", "document")
    periods = _get(data, "periods_per_day", int, "document")
    if periods < 1:
        raise ProblemError("document.periods_per_day must be at least 1")
    return [Slot(f"{day}_{i}", day, i) for day in days for i in range(1, periods + 1)]


TEACHER_KEYS = {
    "id",
    "name",
    "profession",
    "capacity",
    "willing",
    "hours_elsewhere",
    *TEACHER_SET_FIELDS,
}


def _teacher(item: Any, where: str) -> Teacher:
    _keys(item, TEACHER_KEYS, where)
    sets = {
        key: frozenset(_strings(item, key, where, required=False)) for key in TEACHER_SET_FIELDS
    }
    defaults = Teacher("x")
    try:
        return Teacher(
            _get(item, "id", str, where),
            name=_get(item, "name", str, where, ""),
            profession=_get(item, "profession", str, where, defaults.profession),
            capacity=_get(item, "capacity", int, where, defaults.capacity),
            willing=_get(item, "willing", bool, where, True),
            hours_elsewhere=_get(item, "hours_elsewhere", int, where, 0),
            **sets,
        )
    except ProblemError as error:
        raise ProblemError(f"{where}: {error}") from None


def _group(item: Any, where: str) -> Group:
    _keys(item, {"id", "grade", "size", "group_support", "pupil_support"}, where)
    return Group(
        _get(item, "id", str, where),
        grade=_get(item, "grade", int, where, None),
        size=_get(item, "size", int, where, 20),
        group_support=_get(item, "group_support", bool, where, False),
        pupil_support=_get(item, "pupil_support", int, where, 0),
    )


def _lesson(item: Any, where: str) -> Lesson:
    _keys(item, {"id", "group", "groups", "subject", "teacher", "coteachers", "slots"}, where)
    if ("group" in item) == ("groups" in item):
        raise ProblemError(f"{where}: give exactly one of group or groups")
    groups = (
        [_get(item, "group", str, where)] if "group" in item else _strings(item, "groups", where)
    )
    return Lesson(
        _get(item, "id", str, where),
        tuple(groups),
        _get(item, "teacher", str, where),
        tuple(_strings(item, "slots", where)),
        _get(item, "subject", str, where, ""),
        tuple(_strings(item, "coteachers", where, required=False)),
    )


def _commitment(item: Any, where: str) -> Commitment:
    _keys(item, {"id", "teachers", "slots", "kind", "label"}, where)
    try:
        return Commitment(
            _get(item, "id", str, where),
            tuple(_strings(item, "teachers", where)),
            tuple(_strings(item, "slots", where)),
            _get(item, "kind", str, where, "event"),
            _get(item, "label", str, where, ""),
        )
    except ProblemError as error:
        raise ProblemError(f"{where}: {error}") from None


def _team(item: Any, where: str) -> Team:
    _keys(item, {"id", "name", "kind", "members", "length", "allowed"}, where)
    return Team(
        _get(item, "id", str, where),
        tuple(_strings(item, "members", where)),
        length=_get(item, "length", int, where, 1),
        allowed=frozenset(_strings(item, "allowed", where, required=False)),
        name=_get(item, "name", str, where, ""),
        kind=_get(item, "kind", str, where, ""),
    )


def _pin(item: Any, where: str) -> Pin:
    _keys(item, {"lesson", "teacher"}, where)
    return Pin(_get(item, "lesson", str, where), _get(item, "teacher", str, where))


def _meeting_pin(item: Any, where: str) -> MeetingPin:
    _keys(item, {"team", "start"}, where)
    return MeetingPin(_get(item, "team", str, where), _get(item, "start", str, where))


def _rejected_lesson(item: Any, where: str) -> RejectedLesson:
    _keys(item, {"lesson", "teacher"}, where)
    return RejectedLesson(_get(item, "lesson", str, where), _get(item, "teacher", str, where, None))


def _pair(item: Any, where: str) -> tuple[str, str]:
    if not isinstance(item, list) or len(item) != 2 or not all(isinstance(x, str) for x in item):
        raise ProblemError(f"{where} must be a list of two teacher ids")
    return (item[0], item[1])
