"""An independent check of any solution against every hard rule.

Deliberately written from the domain alone, without the index or the model: if the model lost
a constraint, the validator still catches the violation. The tests and the benchmark run it on
every solution, including the greedy baseline and CP-SAT's.

Co-teaching already in the timetable (`Lesson.coteachers`) is a fact: it occupies its
teachers and counts toward capacity, partners and co-teachers, but only what a plan *adds*
is held to the rules (so a plan adding nothing to a pair or a person is never in violation
because of the timetable's own team teaching).
"""

from __future__ import annotations

from collections import Counter, defaultdict

from .domain import Problem, avoids, is_competent, pair_key
from .parameters import Parameters
from .reasons import Reason
from .solution import Solution, existing_assignments


class Violation(Reason):
    """A broken hard rule: a stable `code`, a sentence, and the ids involved."""


def validate(
    problem: Problem, solution: Solution, params: Parameters | None = None
) -> list[Violation]:
    """Every hard-rule violation of `solution`; an empty list means it is valid."""
    params = params or Parameters()
    violations = _unknown_ids(problem, solution)
    if violations:  # the remaining checks would only trip over the unknown ids
        return violations
    for check in (
        _duplicates,
        _eligibility,
        _one_place_at_a_time,
        _capacity,
        _max_coteachers,
        _avoided_and_rejected,
        _pins,
        _min_lessons,
        _max_partners,
        _meetings,
    ):
        violations.extend(check(problem, solution, params))
    return violations


def _unknown_ids(problem: Problem, solution: Solution) -> list[Violation]:
    lessons = {lesson.id for lesson in problem.lessons}
    teachers = {teacher.id for teacher in problem.teachers}
    teams = {team.id for team in problem.teams}
    slots = {slot.id for slot in problem.slots}
    found = []
    for a in solution.assignments:
        for kind, value, known in (("lesson", a.lesson, lessons), ("teacher", a.teacher, teachers)):
            if value not in known:
                found.append(Violation("unknown_id", f"unknown {kind} {value!r}", {kind: value}))
    for m in solution.meetings:
        if m.team not in teams:
            found.append(Violation("unknown_id", f"unknown team {m.team!r}", {"team": m.team}))
        for slot_id in m.slots:
            if slot_id not in slots:
                found.append(
                    Violation("unknown_id", f"unknown slot {slot_id!r}", {"slot": slot_id})
                )
    return found


def _duplicates(problem: Problem, solution: Solution, params: Parameters) -> list[Violation]:
    counts = Counter((a.lesson, a.teacher) for a in solution.assignments)
    return [
        Violation(
            "duplicate_assignment",
            f"{teacher} is assigned to lesson {lesson} {n} times",
            {"lesson": lesson, "teacher": teacher},
        )
        for (lesson, teacher), n in sorted(counts.items())
        if n > 1
    ]


def _eligibility(problem: Problem, solution: Solution, params: Parameters) -> list[Violation]:
    found = []
    for a in solution.assignments:
        lesson = problem.lesson(a.lesson)
        teacher = problem.teacher(a.teacher)
        host = problem.teacher(lesson.teacher)
        data = {"lesson": a.lesson, "teacher": a.teacher}
        if teacher.id in lesson.teachers:
            found.append(Violation("own_lesson", f"{teacher.id} co-teaches own lesson", data))
        elif not is_competent(problem, teacher, lesson):
            found.append(
                Violation("not_competent", f"{teacher.id} may not co-teach {lesson.id}", data)
            )
        for person in (teacher, host):
            if not person.willing:
                found.append(
                    Violation("not_willing", f"{person.id} is not willing to co-teach", data)
                )
    return found


def _one_place_at_a_time(
    problem: Problem, solution: Solution, params: Parameters
) -> list[Violation]:
    """Own lessons (team teaching included), commitments (other events, other units),
    co-teaching and meetings never overlap; unavailable slots stay free."""
    where: dict[tuple[str, str], list[str]] = defaultdict(list)
    fixed: set[tuple[str, str]] = set()  # occupied in the timetable already
    for lesson in problem.lessons:
        for teacher_id in lesson.teachers:
            for slot_id in lesson.slots:
                where[teacher_id, slot_id].append(f"own lesson {lesson.id}")
                fixed.add((teacher_id, slot_id))
    for commitment in problem.commitments:
        for teacher_id in commitment.teachers:
            for slot_id in commitment.slots:
                if (teacher_id, slot_id) in fixed:
                    continue  # overlapping facts are the timetable's own, not the plan's
                where[teacher_id, slot_id].append(f"commitment {commitment.id}")
                fixed.add((teacher_id, slot_id))
    for a in solution.assignments:
        for slot_id in problem.lesson(a.lesson).slots:
            where[a.teacher, slot_id].append(f"co-teaching {a.lesson}")
    for m in solution.meetings:
        for member in problem.team(m.team).members:
            for slot_id in m.slots:
                where[member, slot_id].append(f"meeting of {m.team}")
    found = []
    for (teacher_id, slot_id), activities in sorted(where.items()):
        if len(activities) > 1:
            found.append(
                Violation(
                    "double_booked",
                    f"{teacher_id} is in {len(activities)} places at {slot_id}:"
                    f" {', '.join(activities)}",
                    {"teacher": teacher_id, "slot": slot_id},
                )
            )
        extra = [x for x in activities if not x.startswith(("own lesson", "commitment"))]
        if extra and slot_id in problem.teacher(teacher_id).unavailable:
            found.append(
                Violation(
                    "unavailable",
                    f"{teacher_id} is unavailable at {slot_id} but has {', '.join(extra)}",
                    {"teacher": teacher_id, "slot": slot_id},
                )
            )
    return found


def _capacity(problem: Problem, solution: Solution, params: Parameters) -> list[Violation]:
    """New co-teaching hours fit in what the timetable's co-teaching and other units leave."""
    added: Counter[str] = Counter()
    for a in solution.assignments:
        lesson = problem.lesson(a.lesson)
        added[a.teacher] += lesson.hours
        added[lesson.teacher] += lesson.hours
    before: Counter[str] = Counter({t.id: t.hours_elsewhere for t in problem.teachers})
    for a in existing_assignments(problem):
        lesson = problem.lesson(a.lesson)
        before[a.teacher] += lesson.hours
        before[lesson.teacher] += lesson.hours
    return [
        Violation(
            "capacity",
            f"{teacher_id} co-teaches {before[teacher_id] + used} hours, capacity"
            f" {problem.teacher(teacher_id).capacity}",
            {"teacher": teacher_id, "hours": before[teacher_id] + used},
        )
        for teacher_id, used in sorted(added.items())
        if used and before[teacher_id] + used > problem.teacher(teacher_id).capacity
    ]


def _max_coteachers(problem: Problem, solution: Solution, params: Parameters) -> list[Violation]:
    counts = Counter(a.lesson for a in solution.assignments)
    return [
        Violation(
            "max_coteachers",
            f"lesson {lesson_id} has {total} co-teachers, at most {params.max_coteachers} allowed",
            {"lesson": lesson_id, "coteachers": total},
        )
        for lesson_id, n in sorted(counts.items())
        if (total := n + len(problem.lesson(lesson_id).coteachers)) > params.max_coteachers
    ]


def _avoided_and_rejected(
    problem: Problem, solution: Solution, params: Parameters
) -> list[Violation]:
    rejected_pairs = {r.teachers for r in problem.rejected_pairs}
    rejected_lessons = {(r.lesson, r.teacher) for r in problem.rejected_lessons}
    found = []
    for a in solution.assignments:
        host = problem.lesson(a.lesson).teacher
        key = pair_key(host, a.teacher)
        data = {"lesson": a.lesson, "teacher": a.teacher}
        if avoids(problem.teacher(host), problem.teacher(a.teacher)):
            found.append(Violation("avoided", f"{key[0]} and {key[1]} avoid each other", data))
        if key in rejected_pairs:
            found.append(Violation("rejected", f"pair {key[0]}-{key[1]} was rejected", data))
        if (a.lesson, None) in rejected_lessons or (a.lesson, a.teacher) in rejected_lessons:
            found.append(
                Violation("rejected", f"co-teaching of {a.lesson} by {a.teacher} rejected", data)
            )
    return found


def _pins(problem: Problem, solution: Solution, params: Parameters) -> list[Violation]:
    assigned = {(a.lesson, a.teacher) for a in solution.assignments}
    starts = {m.team: m.slots[0] for m in solution.meetings if m.slots}
    found = [
        Violation(
            "pin_missing",
            f"pinned {pin.teacher} in lesson {pin.lesson} is missing",
            {"lesson": pin.lesson, "teacher": pin.teacher},
        )
        for pin in problem.pins
        if (pin.lesson, pin.teacher) not in assigned
    ]
    found += [
        Violation(
            "meeting_pin_missing",
            f"team {pin.team} is pinned to start at {pin.start}",
            {"team": pin.team, "slot": pin.start},
        )
        for pin in problem.meeting_pins
        if starts.get(pin.team) != pin.start
    ]
    return found


def _pair_hours(problem: Problem, assignments) -> Counter[tuple[str, str]]:
    hours: Counter[tuple[str, str]] = Counter()
    for a in assignments:
        lesson = problem.lesson(a.lesson)
        hours[pair_key(lesson.teacher, a.teacher)] += lesson.hours
    return hours


def _min_lessons(problem: Problem, solution: Solution, params: Parameters) -> list[Violation]:
    """A pair the plan gives lessons shares at least `min_lessons` hours (with what it shares
    in the timetable already)."""
    before = _pair_hours(problem, existing_assignments(problem))
    return [
        Violation(
            "min_lessons",
            f"pair {a}-{b} shares {shared} hours, fewer than {params.min_lessons}",
            {"teachers": [a, b], "hours": shared},
        )
        for (a, b), added in sorted(_pair_hours(problem, solution.assignments).items())
        if (shared := added + before[a, b]) < params.min_lessons
    ]


def _max_partners(problem: Problem, solution: Solution, params: Parameters) -> list[Violation]:
    """At most `max_partners` partners; only someone the plan gives a new partner can break
    it (more partners than that in the timetable alone are a fact)."""
    before = set(_pair_hours(problem, existing_assignments(problem)))
    partners: dict[str, set[str]] = defaultdict(set)
    gained: set[str] = set()
    for a, b in before | set(_pair_hours(problem, solution.assignments)):
        partners[a].add(b)
        partners[b].add(a)
        if (a, b) not in before:
            gained.update((a, b))
    return [
        Violation(
            "max_partners",
            f"{teacher_id} has {len(others)} partners, at most {params.max_partners} allowed",
            {"teacher": teacher_id, "partners": sorted(others)},
        )
        for teacher_id, others in sorted(partners.items())
        if teacher_id in gained and len(others) > params.max_partners
    ]


def _meetings(problem: Problem, solution: Solution, params: Parameters) -> list[Violation]:
    """Each team meets exactly once, in `length` consecutive allowed slots of one day."""
    found = []
    by_team: dict[str, list] = defaultdict(list)
    for m in solution.meetings:
        by_team[m.team].append(m)
    for team in problem.teams:
        meetings = by_team.get(team.id, [])
        if len(meetings) != 1:
            code = "meeting_missing" if not meetings else "meeting_duplicate"
            found.append(
                Violation(code, f"team {team.id} has {len(meetings)} meetings", {"team": team.id})
            )
            continue
        slots = meetings[0].slots
        if len(slots) != team.length or not problem.consecutive(slots):
            found.append(
                Violation(
                    "meeting_shape",
                    f"team {team.id} meets in {list(slots)}, not {team.length} consecutive slots",
                    {"team": team.id, "slots": list(slots)},
                )
            )
        if team.allowed and not team.allowed.issuperset(slots):
            found.append(
                Violation(
                    "meeting_not_allowed",
                    f"team {team.id} meets outside its allowed slots",
                    {"team": team.id, "slots": list(slots)},
                )
            )
    return found
