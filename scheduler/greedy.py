"""The greedy baseline: how a principal would plan co-teaching by hand.

Pinned decisions first, then each team at its first common free slot, then the lessons of the
neediest groups first, each with the first free eligible teacher (specialists first), until
capacities run out. A new pair is only started when it can reach the minimum shared hours at
once. It serves as the benchmark's baseline and as the solver's starting hint.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .domain import Problem, pair_key
from .index import Index, build_index
from .parameters import Parameters
from .solution import Assignment, Meeting, Solution


def greedy(
    problem: Problem, params: Parameters | None = None, *, base: Solution | None = None
) -> Solution:
    """The hand-made plan. With `base`, first keep what of that solution is still possible."""
    return greedy_from_index(build_index(problem, params), base=base)


def greedy_from_index(index: Index, *, base: Solution | None = None) -> Solution:
    plan = Plan(index)
    plan.apply_pins()
    if base is not None:
        for meeting in base.meetings:
            plan.try_meeting(meeting.team, meeting.slots)
    plan.place_meetings()
    if base is not None:
        for assignment in base.assignments:
            plan.try_assign(assignment.lesson, assignment.teacher, allow_new_pair=True)
        plan.drop_short_pairs()
    plan.serve_neediest_first()
    return plan.solution()


@dataclass
class Plan:
    """A plan under construction: what each teacher and lesson has taken so far, and the
    moves that keep every hard rule (shared by the greedy baseline and `hint.value_plan`)."""

    index: Index
    busy: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    hours: Counter[str] = field(default_factory=Counter)
    partners: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    pair_hours: Counter[tuple[str, str]] = field(default_factory=Counter)
    coteachers: Counter[str] = field(default_factory=Counter)
    assignments: list[Assignment] = field(default_factory=list)
    meetings: dict[str, Meeting] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.options = set(self.index.candidates)
        self.pinned = {(p.lesson, p.teacher) for p in self.index.problem.pins}
        # Co-teaching in the timetable (and other units' hours) is taken first; `new_hours`
        # is what this plan adds to each pair.
        existing = self.index.existing
        self.hours.update(existing.hours)
        self.pair_hours.update(existing.pairs)
        for teacher_id, partners in existing.partners.items():
            self.partners[teacher_id].update(partners)
        self.coteachers.update(existing.coteachers)
        self.new_hours: Counter[tuple[str, str]] = Counter()

    # --- steps -----------------------------------------------------------------------------
    def apply_pins(self) -> None:
        """Pins are decisions, not suggestions: they go in even if they break a rule (the
        validator then reports it, and the solver explains the conflict)."""
        for pin in self.index.problem.pins:
            self.commit(pin.lesson, pin.teacher)
        for pin in self.index.problem.meeting_pins:
            team = self.index.problem.team(pin.team)
            slots = self.index.day_slots[self.index.day_of[pin.start]]
            start = slots.index(pin.start)
            self._commit_meeting(pin.team, tuple(slots[start : start + team.length]))

    def place_meetings(self) -> None:
        """Largest teams first, each at the first window where every member is free."""
        teams = sorted(self.index.problem.teams, key=lambda t: (-len(t.members), t.id))
        for team in teams:
            for window in self.index.windows[team.id]:
                if self.try_meeting(team.id, window):
                    break

    def serve_neediest_first(self) -> None:
        index = self.index
        lessons = sorted(
            index.by_lesson,
            key=lambda lesson_id: (
                -index.need[lesson_id],
                index.slot_order[index.problem.lesson(lesson_id).slots[0]],
                lesson_id,
            ),
        )
        for lesson_id in lessons:
            teachers = sorted(
                index.by_lesson[lesson_id],
                key=lambda t: (not index.problem.teacher(t).is_specialist, t),
            )
            for teacher_id in teachers:
                if self.coteachers[lesson_id] >= index.params.max_coteachers:
                    break
                self.try_assign(lesson_id, teacher_id, allow_new_pair=False)

    def drop_short_pairs(self) -> None:
        """Remove pairs below the minimum (kept from a base solution) unless pinned."""
        short = {
            key
            for key, h in self.pair_hours.items()
            if self.new_hours[key] and h < self.index.params.min_lessons
        }
        for assignment in list(self.assignments):
            key = self.index.pair_of(assignment.lesson, assignment.teacher)
            if key in short and (assignment.lesson, assignment.teacher) not in self.pinned:
                self._uncommit(assignment)

    # --- moves -----------------------------------------------------------------------------
    def try_meeting(self, team_id: str, window: tuple[str, ...]) -> bool:
        team = self.index.problem.team(team_id)
        if team_id in self.meetings or window not in self.index.windows.get(team_id, ()):
            return False
        if any(self.busy[m] & set(window) for m in team.members):
            return False
        self._commit_meeting(team_id, window)
        return True

    def try_assign(self, lesson_id: str, teacher_id: str, *, allow_new_pair: bool) -> bool:
        """Assign if every rule allows; a new pair must reach the minimum hours right away,
        using further lessons of the same two teachers (neediest first) if needed."""
        if not self.fits(lesson_id, teacher_id, []):
            return False
        key = self.index.pair_of(lesson_id, teacher_id)
        if self.new_hours[key] or allow_new_pair:
            self.commit(lesson_id, teacher_id)
            return True
        planned = [(lesson_id, teacher_id)]
        shared = self.pair_hours[key] + self.index.hours(lesson_id)
        others = sorted(
            self.index.pair_options[key],
            key=lambda option: (-self.index.need[option[0]], option),
        )
        for option in others:
            if shared >= self.index.params.min_lessons:
                break
            if option not in planned and self.fits(*option, planned):
                planned.append(option)
                shared += self.index.hours(option[0])
        if shared < self.index.params.min_lessons:
            return False
        for option in planned:
            self.commit(*option)
        return True

    def fits(self, lesson_id: str, teacher_id: str, planned: list[tuple[str, str]]) -> bool:
        index = self.index
        if (lesson_id, teacher_id) not in self.options:
            return False
        if self.coteachers[lesson_id] >= index.params.max_coteachers:
            return False
        lesson = index.problem.lesson(lesson_id)
        busy = self.busy[teacher_id]
        if any(slot_id in busy for slot_id in lesson.slots):
            return False
        extra = 0
        for other_id, other_teacher in planned:
            if other_id == lesson_id:
                return False
            other = index.problem.lesson(other_id)
            extra += other.hours
            if other_teacher == teacher_id and not other.slots_set.isdisjoint(lesson.slots):
                return False
        host = lesson.teacher
        teachers = index.problem
        for person in (teacher_id, host):
            if self.hours[person] + extra + lesson.hours > teachers.teacher(person).capacity:
                return False
        if pair_key(host, teacher_id) not in self.pair_hours:  # a new partner for both
            limit = index.params.max_partners
            if len(self.partners[host]) >= limit or len(self.partners[teacher_id]) >= limit:
                return False
        return True

    def commit(self, lesson_id: str, teacher_id: str) -> None:
        lesson = self.index.problem.lesson(lesson_id)
        key = pair_key(lesson.teacher, teacher_id)
        self.assignments.append(Assignment(lesson_id, teacher_id))
        self.busy[teacher_id].update(lesson.slots)
        self.hours[teacher_id] += lesson.hours
        self.hours[lesson.teacher] += lesson.hours
        self.pair_hours[key] += lesson.hours
        self.new_hours[key] += lesson.hours
        self.partners[lesson.teacher].add(teacher_id)
        self.partners[teacher_id].add(lesson.teacher)
        self.coteachers[lesson_id] += 1

    def _uncommit(self, assignment: Assignment) -> None:
        lesson = self.index.problem.lesson(assignment.lesson)
        key = pair_key(lesson.teacher, assignment.teacher)
        self.assignments.remove(assignment)
        self.busy[assignment.teacher].difference_update(lesson.slots)
        self.hours[assignment.teacher] -= lesson.hours
        self.hours[lesson.teacher] -= lesson.hours
        self.pair_hours[key] -= lesson.hours
        self.new_hours[key] -= lesson.hours
        self.coteachers[assignment.lesson] -= 1
        if self.pair_hours[key] <= 0:
            del self.pair_hours[key]
            self.partners[lesson.teacher].discard(assignment.teacher)
            self.partners[assignment.teacher].discard(lesson.teacher)

    def _commit_meeting(self, team_id: str, window: tuple[str, ...]) -> None:
        self.meetings[team_id] = Meeting(team_id, window)
        for member in self.index.problem.team(team_id).members:
            self.busy[member].update(window)

    def solution(self) -> Solution:
        return Solution(tuple(self.assignments), tuple(self.meetings.values()))
