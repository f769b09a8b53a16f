"""Find a weekly meeting time for a team: the one meeting-slot search of the package and of
the app (the teams feature builds its input from the database and calls `search_windows`).

Fast and exact without CP-SAT: a meeting is one window of consecutive slots, so every window
is checked directly. The input is plain: the week's slots, the members, and what occupies
each member when (`Reason`s with `teacher` and `slot` in their data: an own lesson,
co-teaching, another team's meeting, another event, another unit's lesson, unavailability).

A window is free when nothing occupies any member in it. A free window costs
- the **new idle slots** it leaves in members' days (`scoring.new_idle_slots`, the measure of
  the solver's compact-days term: a gap between what a member does that day and the meeting),
- plus `COME_IN_PENALTY` for each member with nothing else that day, who would come in only
  for the meeting (unavailability is not being at work).

Free windows are ranked by cost, then by day, then later in the day first (a meeting usually
follows the day's lessons); blocked windows say who blocks them and why.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .domain import Problem, ProblemError, Slot
from .reasons import Reason, join_ids
from .scoring import new_idle_slots
from .solution import Solution

#: A member who would come in only for the meeting costs as much as three new idle slots.
COME_IN_PENALTY = 3
#: What occupies a member without them being at work (no come-in saved, no idle slot made).
NOT_AT_WORK = frozenset({"unavailable"})


@dataclass(frozen=True)
class Window:
    """One window of the team's meeting length: who blocks it, or what it costs if free."""

    slots: tuple[str, ...]
    blockers: tuple[Reason, ...] = ()
    new_idle_slots: int = 0
    come_in: tuple[str, ...] = ()  # members with nothing else that day

    @property
    def free(self) -> bool:
        return not self.blockers

    @property
    def cost(self) -> int:
        return self.new_idle_slots + COME_IN_PENALTY * len(self.come_in)

    @property
    def blocking_members(self) -> tuple[str, ...]:
        return tuple(sorted({str(b.data["teacher"]) for b in self.blockers}))

    def to_dict(self) -> dict:
        if not self.free:
            return {"slots": list(self.slots), "blockers": [b.to_dict() for b in self.blockers]}
        return {
            "slots": list(self.slots),
            "new_idle_slots": self.new_idle_slots,
            "come_in": list(self.come_in),
            "cost": self.cost,
        }


@dataclass(frozen=True)
class TeamSlots:
    """The outcome of a search: free windows best first, every blocked window, and when
    nothing is free, why (`no_common_free_slot`)."""

    team: str
    options: tuple[Window, ...]
    blocked: tuple[Window, ...] = field(default=())
    reason: Reason | None = None

    def closest(self, count: int = 3) -> list[Window]:
        """The blocked windows fewest members are busy in: what to negotiate about."""
        return sorted(self.blocked, key=lambda w: (len(w.blocking_members), len(w.blockers)))[
            :count
        ]

    def to_dict(self) -> dict:
        return {
            "team": self.team,
            "options": [o.to_dict() for o in self.options],
            "blocked": [b.to_dict() for b in self.blocked],
            "reason": self.reason.to_dict() if self.reason else None,
        }


def search_windows(
    slots: Sequence[Slot],
    members: Sequence[str],
    length: int,
    occupied: Iterable[Reason],
    *,
    allowed: frozenset[str] = frozenset(),
    team: str = "",
    limit: int | None = None,
) -> TeamSlots:
    """Every window of `length` consecutive slots of one day (inside `allowed`, if given) for
    `members`, given what occupies them (`occupied`: reasons whose data name `teacher` and
    `slot`). Free windows come best first (at most `limit`); `blocked` lists the rest."""
    if length < 1:
        raise ProblemError(f"team {team!r}: meeting length {length} is below 1")
    member_set = set(members)
    busy: dict[str, dict[str, list[Reason]]] = defaultdict(lambda: defaultdict(list))
    for reason in occupied:
        member = str(reason.data["teacher"])
        if member in member_set:
            busy[member][str(reason.data["slot"])].append(reason)
    at_work = {
        member: {
            s for s, reasons in by_slot.items() if any(r.code not in NOT_AT_WORK for r in reasons)
        }
        for member, by_slot in busy.items()
    }
    order = {
        s: (day, -position)
        for day, ids in enumerate(_days(slots))
        for position, s in enumerate(ids)
    }
    free: list[Window] = []
    blocked: list[Window] = []
    for day_slots, window in windows(slots, length, allowed):
        blockers = tuple(r for m in members for s in window for r in busy.get(m, {}).get(s, ()))
        if blockers:
            blocked.append(Window(window, blockers))
            continue
        idle, come_in = 0, []
        for member in members:
            present = at_work.get(member, set()) & set(day_slots)
            if not present:
                come_in.append(member)
            idle += len(new_idle_slots(day_slots, present, window))
        free.append(Window(window, new_idle_slots=idle, come_in=tuple(come_in)))
    free.sort(key=lambda w: (w.cost, order[w.slots[0]][0], order[w.slots[0]][1]))
    reason = None
    if not free:
        blocking = sorted({m for w in blocked for m in w.blocking_members})
        reason = Reason(
            "no_common_free_slot",
            f"team {team} has no window of {length} slot(s) where all members are free;"
            f" blocked by {join_ids(blocking)}",
            {"team": team, "length": length, "blocking": blocking},
        )
    options = tuple(free if limit is None else free[:limit])
    return TeamSlots(team, options, tuple(blocked), reason)


def _days(slots: Sequence[Slot]) -> list[list[str]]:
    """Slot ids per day: days in order of first appearance, slots by index."""
    by_day: dict[str, list[Slot]] = {}
    for slot in slots:
        by_day.setdefault(slot.day, []).append(slot)
    return [[s.id for s in sorted(day, key=lambda s: s.index)] for day in by_day.values()]


def windows(
    slots: Sequence[Slot], length: int, allowed: frozenset[str] = frozenset()
) -> list[tuple[list[str], tuple[str, ...]]]:
    """(the day's slots, window) for every run of `length` consecutive periods of one day
    inside `allowed` (empty: anywhere), days in order of first appearance."""
    index = {s.id: s.index for s in slots}
    found = []
    for day_slots in _days(slots):
        for start in range(len(day_slots) - length + 1):
            window = tuple(day_slots[start : start + length])
            if index[window[-1]] - index[window[0]] != length - 1:
                continue  # a hole in the day's periods
            if allowed and not allowed.issuperset(window):
                continue
            found.append((day_slots, window))
    return found


# --- on a Problem and a plan -----------------------------------------------------------------
def find_team_slots(
    problem: Problem, team_id: str, solution: Solution | None = None, limit: int = 5
) -> TeamSlots:
    """The best `limit` windows where every member of `team_id` is free, given the fixed
    timetable and `solution` (its co-teaching and the other teams' meetings; the team's own
    meeting in it is ignored, as it is being moved). With no free window, `reason` is
    `no_common_free_slot` and `blocked` says which members block which windows."""
    try:
        team = problem.team(team_id)
    except KeyError:
        raise ProblemError(f"unknown team {team_id!r}") from None
    return search_windows(
        problem.slots,
        team.members,
        team.length,
        occupations(problem, solution, skip_team=team_id),
        allowed=team.allowed,
        team=team_id,
        limit=limit,
    )


def occupations(
    problem: Problem, solution: Solution | None = None, *, skip_team: str | None = None
) -> list[Reason]:
    """Everything that occupies someone, slot by slot: own lessons, unavailability, and the
    plan's co-teaching and meetings (except `skip_team`'s)."""
    found: list[Reason] = []
    for lesson in problem.lessons:
        for slot_id in lesson.slots:
            found.append(
                Reason(
                    "own_lesson",
                    f"{lesson.teacher} teaches lesson {lesson.id} at {slot_id}",
                    {"teacher": lesson.teacher, "lesson": lesson.id, "slot": slot_id},
                )
            )
    for teacher in problem.teachers:
        for slot_id in sorted(teacher.unavailable):
            found.append(
                Reason(
                    "unavailable",
                    f"{teacher.id} is unavailable at {slot_id}",
                    {"teacher": teacher.id, "slot": slot_id},
                )
            )
    if solution is None:
        return found
    for a in solution.assignments:
        for slot_id in problem.lesson(a.lesson).slots:
            found.append(
                Reason(
                    "co_teaching",
                    f"{a.teacher} co-teaches lesson {a.lesson} at {slot_id}",
                    {"teacher": a.teacher, "lesson": a.lesson, "slot": slot_id},
                )
            )
    for m in solution.meetings:
        if m.team == skip_team:
            continue
        for member in problem.team(m.team).members:
            for slot_id in m.slots:
                found.append(
                    Reason(
                        "meeting",
                        f"{member} meets with team {m.team} at {slot_id}",
                        {"teacher": member, "team": m.team, "slot": slot_id},
                    )
                )
    return found
