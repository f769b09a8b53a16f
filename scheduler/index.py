"""Facts derived once from a Problem: slot order, who is busy when, and every co-teaching and
meeting option that the rules allow.

The model, the greedy baseline, the explanations and `find_team_slots` all read the same index,
so "which options exist" is decided in one place. The validator deliberately does not use it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from .domain import (
    CLASS_TEACHER,
    LAST_PRIMARY_GRADE,
    Lesson,
    Problem,
    Teacher,
    avoids,
    is_competent,
    pair_key,
)
from .meetings import windows
from .parameters import Parameters
from .reasons import Reason
from .solution import existing_assignments


@dataclass
class Existing:
    """What co-teaching already in the timetable (and in other units) takes: facts that count
    toward capacity, partners and co-teachers, but are never held to the rules for new pairs."""

    hours: Counter[str] = field(default_factory=Counter)  # per teacher, both roles + elsewhere
    pairs: dict[tuple[str, str], int] = field(default_factory=dict)  # pair -> shared hours
    partners: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    coteachers: Counter[str] = field(default_factory=Counter)  # per lesson

    @classmethod
    def of(cls, problem: Problem) -> Existing:
        existing = cls()
        for teacher in problem.teachers:
            if teacher.hours_elsewhere:
                existing.hours[teacher.id] += teacher.hours_elsewhere
        for a in existing_assignments(problem):
            lesson = problem.lesson(a.lesson)
            key = pair_key(lesson.teacher, a.teacher)
            existing.hours[a.teacher] += lesson.hours
            existing.hours[lesson.teacher] += lesson.hours
            existing.pairs[key] = existing.pairs.get(key, 0) + lesson.hours
            existing.partners[a.teacher].add(lesson.teacher)
            existing.partners[lesson.teacher].add(a.teacher)
            existing.coteachers[a.lesson] += 1
        return existing


@dataclass
class Index:
    problem: Problem
    params: Parameters
    slot_order: dict[str, int]
    day_of: dict[str, str]
    day_slots: dict[str, list[str]]
    own: dict[str, dict[str, str]]  # teacher -> slot -> lesson or commitment id (at work)
    need: dict[str, int]  # lesson -> support-need points of its groups
    lesson_host: dict[str, str]  # lesson -> its own teacher
    lesson_hours: dict[str, int]  # lesson -> slots it takes
    candidates: list[tuple[str, str]]  # (lesson, co-teacher) options
    by_lesson: dict[str, list[str]] = field(default_factory=dict)
    pair_options: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)
    windows: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    existing: Existing = field(default_factory=Existing)

    def host(self, lesson_id: str) -> str:
        return self.lesson_host[lesson_id]

    def hours(self, lesson_id: str) -> int:
        return self.lesson_hours[lesson_id]

    def pair_of(self, lesson_id: str, teacher_id: str) -> tuple[str, str]:
        return pair_key(self.host(lesson_id), teacher_id)

    def restricted(self, pairs: Iterable[tuple[str, str]]) -> Index:
        """The same index with only the options of `pairs`: the search space of the
        restricted phase (every rule still applies; only fewer pairs are considered)."""
        keep = set(pairs)
        narrower = replace(self)
        _set_options(narrower, {k: v for k, v in self.pair_options.items() if k in keep})
        return narrower

    def pair_hours_available(self, key: tuple[str, str], options: Iterable[tuple[str, str]]) -> int:
        """Most new hours a pair could share: its options' hours, capped by what is left of
        both capacities."""
        total = sum(self.hours(lesson) for lesson, _ in options)
        a, b = key
        return min(total, self.capacity_left(a), self.capacity_left(b))

    def capacity_left(self, teacher_id: str) -> int:
        """Co-teaching hours a teacher can still take on: the capacity less what co-teaching
        in the timetable and in other units already takes (never below 0)."""
        return max(0, self.problem.teacher(teacher_id).capacity - self.existing.hours[teacher_id])

    def partners_left(self, teacher_id: str) -> int:
        """New partners a teacher may still have (co-teaching in the timetable counts)."""
        return max(0, self.params.max_partners - len(self.existing.partners.get(teacher_id, ())))

    def coteachers_left(self, lesson_id: str) -> int:
        """New co-teachers a lesson may still have."""
        return max(0, self.params.max_coteachers - self.existing.coteachers[lesson_id])

    def pair_minimum(self, key: tuple[str, str]) -> int:
        """New hours a pair must share if the plan gives it any: `min_lessons`, less what the
        pair already shares in the timetable (at least one)."""
        return max(1, self.params.min_lessons - self.existing.pairs.get(key, 0))


def build_index(
    problem: Problem, params: Parameters | None = None, *, options: bool = True
) -> Index:
    """Derive every fact the solver, greedy and explanations share.

    `options=False` skips the co-teaching options (the costly part) for callers that only
    place meetings.
    """
    params = params or Parameters()
    slot_order: dict[str, int] = {}
    day_of: dict[str, str] = {}
    day_slots = problem.day_slots()
    for day, slot_ids in day_slots.items():
        for slot_id in slot_ids:
            slot_order[slot_id] = len(slot_order)
            day_of[slot_id] = day
    own: dict[str, dict[str, str]] = {t.id: {} for t in problem.teachers}
    for lesson in problem.lessons:
        for teacher_id in lesson.teachers:
            for slot_id in lesson.slots:
                own[teacher_id][slot_id] = lesson.id
    for commitment in problem.commitments:
        for teacher_id in commitment.teachers:
            for slot_id in commitment.slots:
                own[teacher_id].setdefault(slot_id, commitment.id)
    need = {
        lesson.id: sum(problem.group(g).need for g in lesson.groups) for lesson in problem.lessons
    }
    index = Index(
        problem,
        params,
        slot_order,
        day_of,
        day_slots,
        own,
        need,
        lesson_host={lesson.id: lesson.teacher for lesson in problem.lessons},
        lesson_hours={lesson.id: lesson.hours for lesson in problem.lessons},
        candidates=[],
        existing=Existing.of(problem),
    )
    if options:
        _add_candidates(index)
    _add_windows(index)
    return index


def co_teaching_obstacles(
    index: Index, lesson: Lesson, teacher: Teacher, *, first_only: bool = False
) -> list[Reason]:
    """Every rule that forbids `teacher` from co-teaching `lesson`; empty when it is an option.

    Each obstacle is a requirement a human could change (a preference, a decision, the fixed
    timetable), which is why the infeasibility explanation can name them.
    """
    problem = index.problem
    host = problem.teacher(lesson.teacher)
    found: list[Reason] = []

    def add(reason: Reason) -> bool:
        found.append(reason)
        return first_only

    who = {"teacher": teacher.id, "lesson": lesson.id}
    if not teacher.can_co_teach:
        if add(
            Reason(
                "not_coteaching_profession",
                f"{teacher.id} ({teacher.profession}) does not co-teach lessons",
                {**who, "profession": teacher.profession},
            )
        ):
            return found
    elif not is_competent(problem, teacher, lesson) and add(
        Reason(
            "not_competent",
            f"{teacher.id} is not qualified for lesson {lesson.id}"
            f" ({lesson.subject or 'no subject'}, groups {', '.join(lesson.groups)})",
            who,
        )
    ):
        return found
    for person in (teacher, host):
        if not person.willing and add(
            Reason("not_willing", f"{person.id} is not willing to co-teach", {"teacher": person.id})
        ):
            return found
    for slot_id in lesson.slots:
        busy_with = index.own[teacher.id].get(slot_id)
        if busy_with is not None and add(occupied_reason(index, teacher.id, slot_id)):
            return found
        if slot_id in teacher.unavailable and add(
            Reason(
                "unavailable",
                f"{teacher.id} is unavailable at {slot_id}",
                {"teacher": teacher.id, "slot": slot_id},
            )
        ):
            return found
    if avoids(teacher, host) and add(
        Reason(
            "avoided",
            f"{teacher.id} and {host.id} have asked not to be paired",
            {"teachers": list(pair_key(teacher.id, host.id))},
        )
    ):
        return found
    if pair_key(teacher.id, host.id) in _rejected_pairs(problem) and add(
        Reason(
            "rejected_pair",
            f"the principal rejected the pair {teacher.id} and {host.id}",
            {"teachers": list(pair_key(teacher.id, host.id))},
        )
    ):
        return found
    rejected = _rejected_lessons(problem)
    if (lesson.id, None) in rejected or (lesson.id, teacher.id) in rejected:
        whom = "anyone" if (lesson.id, None) in rejected else teacher.id
        if add(
            Reason(
                "rejected_lesson",
                f"the principal rejected co-teaching of lesson {lesson.id} by {whom}",
                {"lesson": lesson.id, "teacher": None if whom == "anyone" else teacher.id},
            )
        ):
            return found
    # A new pair shares at least min_lessons hours (a pair already co-teaching in the
    # timetable fewer), so a capacity left below that, or below the lesson's length, rules the
    # option out.
    needed = max(lesson.hours, index.pair_minimum(pair_key(teacher.id, host.id)))
    for person in (teacher, host):
        left = index.capacity_left(person.id)
        if left < needed and add(
            Reason(
                "capacity",
                f"{person.id} can co-teach at most {person.capacity} hours a week"
                + (f" ({person.capacity - left} already taken)" if left < person.capacity else "")
                + f", {needed} are needed (lesson {lesson.id}, minimum per pair"
                f" {index.params.min_lessons})",
                {
                    "teacher": person.id,
                    "capacity": person.capacity,
                    "hours": needed,
                    "taken": person.capacity - left,
                },
            )
        ):
            return found
    return found


def occupied_reason(index: Index, teacher_id: str, slot_id: str) -> Reason:
    """Why a teacher is not free at a slot of the timetable: an own lesson (or team teaching),
    or a commitment (another event, another unit)."""
    what = index.own[teacher_id][slot_id]
    if what in index.lesson_host:
        return Reason(
            "own_lesson",
            f"{teacher_id} teaches lesson {what} at {slot_id}",
            {"teacher": teacher_id, "lesson": what, "slot": slot_id},
        )
    commitment = index.problem.commitment(what)
    return Reason(
        "busy",
        f"{teacher_id} is busy at {slot_id}"
        + (f": {commitment.label}" if commitment.label else f" ({commitment.kind})"),
        {
            "teacher": teacher_id,
            "slot": slot_id,
            "commitment": commitment.id,
            "kind": commitment.kind,
            "label": commitment.label,
        },
    )


def window_blockers(index: Index, team_id: str, window: tuple[str, ...]) -> list[Reason]:
    """Which members' own lessons or unavailability block a meeting window (fixed facts only)."""
    problem = index.problem
    blockers: list[Reason] = []
    for member in problem.team(team_id).members:
        teacher = problem.teacher(member)
        for slot_id in window:
            if slot_id in index.own[member]:
                blockers.append(occupied_reason(index, member, slot_id))
            elif slot_id in teacher.unavailable:
                blockers.append(
                    Reason(
                        "unavailable",
                        f"{member} is unavailable at {slot_id}",
                        {"teacher": member, "slot": slot_id},
                    )
                )
    return blockers


def team_windows(index: Index, team_id: str) -> list[tuple[str, ...]]:
    """Every run of `length` consecutive slots of one day inside the team's allowed slots."""
    team = index.problem.team(team_id)
    return [window for _, window in windows(index.problem.slots, team.length, team.allowed)]


def _add_candidates(index: Index) -> None:
    """Every (lesson, co-teacher) option the rules allow. The same rules as
    `co_teaching_obstacles` (a test holds the two equal), with each person's facts looked up
    once: a large school has hundreds of thousands of lesson-teacher combinations."""
    problem = index.problem
    teaching_at: dict[str, set[str]] = defaultdict(set)
    for lesson in problem.lessons:
        for slot_id in lesson.slots:
            teaching_at[slot_id].update(lesson.teachers)
    joiners = [t for t in problem.teachers if t.can_co_teach and t.willing]
    blocked = {  # slots a joiner cannot take: commitments and unavailability
        t.id: {s for s, what in index.own[t.id].items() if what not in index.lesson_host}
        | set(t.unavailable)
        for t in joiners
    }
    groups_of = {t.id: problem.groups_taught(t.id) for t in joiners}
    grades_of = {t.id: problem.grades_taught(t.id) for t in joiners}
    left = {t.id: index.capacity_left(t.id) for t in problem.teachers}
    rejected_pairs = _rejected_pairs(problem)
    rejected_lessons = _rejected_lessons(problem)
    for lesson in problem.lessons:
        host = problem.teacher(lesson.teacher)
        if not host.willing or (lesson.id, None) in rejected_lessons:
            continue
        slots = set(lesson.slots)
        # Teachers who teach at the same time are skipped at once (own lessons).
        busy = set().union(*(teaching_at[s] for s in lesson.slots))
        grades = {problem.group(g).grade for g in lesson.groups}
        primary = all(g is not None and 1 <= g <= LAST_PRIMARY_GRADE for g in grades)
        for teacher in joiners:
            t = teacher.id
            if t in busy or slots & blocked[t]:
                continue
            competent = (
                teacher.is_specialist
                or not groups_of[t].isdisjoint(lesson.groups)
                or (lesson.subject and lesson.subject in teacher.subjects)
                or (teacher.profession == CLASS_TEACHER and primary and grades <= grades_of[t])
            )
            if not competent or avoids(teacher, host):
                continue
            key = pair_key(t, host.id)
            if key in rejected_pairs or (lesson.id, t) in rejected_lessons:
                continue
            needed = max(lesson.hours, index.pair_minimum(key))
            if left[t] < needed or left[host.id] < needed:
                continue
            index.candidates.append((lesson.id, t))
    pair_options: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for lesson_id, teacher_id in index.candidates:
        pair_options[index.pair_of(lesson_id, teacher_id)].append((lesson_id, teacher_id))
    # A pair whose options (or capacities) cannot reach the minimum shared hours can never
    # form, so none of its options can be chosen: leaving them out is exact, not a heuristic.
    _set_options(
        index,
        {
            key: options
            for key, options in pair_options.items()
            if index.pair_hours_available(key, options) >= index.pair_minimum(key)
        },
    )


def _set_options(index: Index, pair_options: dict[tuple[str, str], list[tuple[str, str]]]) -> None:
    index.pair_options = pair_options
    index.candidates = [option for options in pair_options.values() for option in options]
    by_lesson: dict[str, list[str]] = defaultdict(list)
    for lesson_id, teacher_id in index.candidates:
        by_lesson[lesson_id].append(teacher_id)
    index.by_lesson = dict(by_lesson)


def _add_windows(index: Index) -> None:
    for team in index.problem.teams:
        index.windows[team.id] = [
            window
            for window in team_windows(index, team.id)
            if not window_blockers(index, team.id, window)
        ]


def _rejected_pairs(problem: Problem) -> frozenset[tuple[str, str]]:
    return problem._memo(
        "rejected_pairs", lambda: frozenset(r.teachers for r in problem.rejected_pairs)
    )


def _rejected_lessons(problem: Problem) -> frozenset[tuple[str, str | None]]:
    return problem._memo(
        "rejected_lessons",
        lambda: frozenset((r.lesson, r.teacher) for r in problem.rejected_lessons),
    )
