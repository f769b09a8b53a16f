"""Facts derived once from a Problem: slot order, who is busy when, and every co-teaching and
meeting option that the rules allow.

The model, the greedy baseline, the explanations and `find_team_slots` all read the same index,
so "which options exist" is decided in one place. The validator deliberately does not use it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from .domain import Lesson, Problem, Teacher, avoids, is_competent, pair_key
from .meetings import windows
from .parameters import Parameters
from .reasons import Reason


@dataclass
class Index:
    problem: Problem
    params: Parameters
    slot_order: dict[str, int]
    day_of: dict[str, str]
    day_slots: dict[str, list[str]]
    own: dict[str, dict[str, str]]  # teacher -> slot -> own lesson id
    need: dict[str, int]  # lesson -> support-need points of its groups
    lesson_host: dict[str, str]  # lesson -> its own teacher
    lesson_hours: dict[str, int]  # lesson -> slots it takes
    candidates: list[tuple[str, str]]  # (lesson, co-teacher) options
    by_lesson: dict[str, list[str]] = field(default_factory=dict)
    pair_options: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)
    windows: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)

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
        """Most hours a pair could share: its options' hours, capped by both capacities."""
        total = sum(self.hours(lesson) for lesson, _ in options)
        a, b = key
        return min(total, self.problem.teacher(a).capacity, self.problem.teacher(b).capacity)


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
        for slot_id in lesson.slots:
            own[lesson.teacher][slot_id] = lesson.id
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
        if busy_with is not None and add(
            Reason(
                "own_lesson",
                f"{teacher.id} teaches lesson {busy_with} at {slot_id}",
                {"teacher": teacher.id, "lesson": busy_with, "slot": slot_id},
            )
        ):
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
    # A pair shares at least min_lessons hours, so a capacity below that (or below the
    # lesson's length) rules out every co-teaching of the person.
    needed = max(lesson.hours, index.params.min_lessons)
    for person in (teacher, host):
        if person.capacity < needed and add(
            Reason(
                "capacity",
                f"{person.id} can co-teach at most {person.capacity} hours a week,"
                f" {needed} are needed (lesson {lesson.id}, minimum per pair"
                f" {index.params.min_lessons})",
                {"teacher": person.id, "capacity": person.capacity, "hours": needed},
            )
        ):
            return found
    return found


def window_blockers(index: Index, team_id: str, window: tuple[str, ...]) -> list[Reason]:
    """Which members' own lessons or unavailability block a meeting window (fixed facts only)."""
    problem = index.problem
    blockers: list[Reason] = []
    for member in problem.team(team_id).members:
        teacher = problem.teacher(member)
        for slot_id in window:
            lesson_id = index.own[member].get(slot_id)
            if lesson_id is not None:
                blockers.append(
                    Reason(
                        "own_lesson",
                        f"{member} teaches lesson {lesson_id} at {slot_id}",
                        {"teacher": member, "lesson": lesson_id, "slot": slot_id},
                    )
                )
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
    problem = index.problem
    teaching_at: dict[str, set[str]] = defaultdict(set)
    for lesson in problem.lessons:
        for slot_id in lesson.slots:
            teaching_at[slot_id].add(lesson.teacher)
    for lesson in problem.lessons:
        # Skipping teachers who teach at the same time is only a shortcut (the obstacle check
        # below would reject them too); it keeps large schools fast to index.
        busy = set().union(*(teaching_at[s] for s in lesson.slots))
        for teacher in problem.teachers:
            if teacher.id in busy:
                continue
            if co_teaching_obstacles(index, lesson, teacher, first_only=True):
                continue
            index.candidates.append((lesson.id, teacher.id))
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
            if index.pair_hours_available(key, options) >= index.params.min_lessons
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
