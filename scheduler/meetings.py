"""Find a meeting slot for one team right now, on top of the timetable and a current plan.

Fast and exact without CP-SAT: a team meeting is one window of consecutive slots, so every
window can be checked directly. Windows are ranked by the new idle slots they would leave in
members' days (fewest first, the same measure as the solver's compact-days term), then by time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .domain import Problem, ProblemError
from .index import Index, build_index, team_windows, window_blockers
from .reasons import Reason, join_ids
from .scoring import idle_slots
from .solution import Solution


@dataclass(frozen=True)
class SlotOption:
    """A free window for the team and how well it fits members' days."""

    slots: tuple[str, ...]
    new_idle_slots: int

    def to_dict(self) -> dict:
        return {"slots": list(self.slots), "new_idle_slots": self.new_idle_slots}


@dataclass(frozen=True)
class BlockedWindow:
    """A window the team cannot use, with every member activity that blocks it."""

    slots: tuple[str, ...]
    blockers: tuple[Reason, ...]

    def to_dict(self) -> dict:
        return {"slots": list(self.slots), "blockers": [b.to_dict() for b in self.blockers]}


@dataclass(frozen=True)
class TeamSlots:
    team: str
    options: tuple[SlotOption, ...]
    blocked: tuple[BlockedWindow, ...] = field(default=())
    reason: Reason | None = None  # set when there is no option

    def to_dict(self) -> dict:
        return {
            "team": self.team,
            "options": [o.to_dict() for o in self.options],
            "blocked": [b.to_dict() for b in self.blocked],
            "reason": self.reason.to_dict() if self.reason else None,
        }


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
    index = build_index(problem, options=False)
    busy = _plan_activities(problem, solution, team_id)
    options: list[SlotOption] = []
    blocked: list[BlockedWindow] = []
    for window in team_windows(index, team_id):
        blockers = window_blockers(index, team_id, window) + [
            reason
            for member in team.members
            for slot_id in window
            if (reason := busy.get((member, slot_id))) is not None
        ]
        if blockers:
            blocked.append(BlockedWindow(window, tuple(blockers)))
        else:
            options.append(SlotOption(window, _new_idle(index, team.members, window, busy)))
    options.sort(key=lambda o: (o.new_idle_slots, index.slot_order[o.slots[0]]))
    reason = None
    if not options:
        blocking = sorted({str(b.data["teacher"]) for w in blocked for b in w.blockers})
        reason = Reason(
            "no_common_free_slot",
            f"team {team_id} has no window of {team.length} slot(s) where all members are free;"
            f" blocked by {join_ids(blocking)}",
            {"team": team_id, "length": team.length, "blocking": blocking},
        )
    return TeamSlots(team_id, tuple(options[:limit]), tuple(blocked), reason)


def _plan_activities(
    problem: Problem, solution: Solution | None, team_id: str
) -> dict[tuple[str, str], Reason]:
    """(teacher, slot) -> what the current plan has them doing there."""
    busy: dict[tuple[str, str], Reason] = {}
    if solution is None:
        return busy
    for a in solution.assignments:
        for slot_id in problem.lesson(a.lesson).slots:
            busy[a.teacher, slot_id] = Reason(
                "co_teaching",
                f"{a.teacher} co-teaches lesson {a.lesson} at {slot_id}",
                {"teacher": a.teacher, "lesson": a.lesson, "slot": slot_id},
            )
    for m in solution.meetings:
        if m.team == team_id:
            continue
        for member in problem.team(m.team).members:
            for slot_id in m.slots:
                busy[member, slot_id] = Reason(
                    "meeting",
                    f"{member} meets with team {m.team} at {slot_id}",
                    {"teacher": member, "team": m.team, "slot": slot_id},
                )
    return busy


def _new_idle(
    index: Index,
    members: tuple[str, ...],
    window: tuple[str, ...],
    busy: dict[tuple[str, str], Reason],
) -> int:
    """New idle slots the window would leave in members' days."""
    day_slots = index.day_slots[index.day_of[window[0]]]
    total = 0
    for member in members:
        occupied = {s for s in day_slots if s in index.own[member] or (member, s) in busy}
        before = idle_slots(day_slots, occupied)
        after = idle_slots(day_slots, occupied | set(window))
        total += len(after - before)
    return total
