"""Teams, their members, and finding a common free slot for a team's weekly meeting.

"Find a slot" looks at the term as it stands now: members' own lessons, the co-teaching
accepted or published for them, and other teams' meetings. A window is the team's meeting
length in consecutive periods of one day; the best free windows leave the fewest new idle
periods in members' days and bring the fewest members in just for the meeting; when no window
is free, the closest ones are listed with who is busy and why.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _
from flask_babel import ngettext

from pdservice.core.models import User
from pdservice.core.services import audit
from pdservice.db import utcnow
from pdservice.extensions import db
from pdservice.teams.enums import TeamKind
from pdservice.teams.models import Team, TeamMeeting, TeamMember
from pdservice.timetable.models import Lesson, PeriodSlot, Term
from pdservice.timetable.replace import (
    ReplaceReport,
    TimetableData,
    on_after_replace,
)
from pdservice.timetable.services import (
    consecutive_slots,
    teaching_slots,
    term_lessons,
    term_slots,
)

# Weights of "best": a member who would come in only for the meeting costs as much as three
# idle periods.
COME_IN_PENALTY = 3
CANDIDATES_SHOWN = 5


class TeamError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def save_team(
    team: Team | None,
    *,
    unit_id: int,
    name: str,
    kind: TeamKind,
    meeting_slots: int,
    needs_meeting: bool,
    member_ids: list[int],
    staff_ids: set[int],
    actor: User,
) -> Team:
    name = name.strip()
    if not set(member_ids) <= staff_ids:
        raise TeamError("members", _("Members must be staff of the unit."))
    clash = db.session.scalar(
        sa.select(Team.id).where(
            Team.unit_id == unit_id,
            sa.func.lower(Team.name) == name.lower(),
            Team.id != (team.id if team is not None else -1),
        )
    )
    if clash is not None:
        raise TeamError("name", _("The unit already has a team with this name."))
    created = team is None
    if team is None:
        team = Team(unit_id=unit_id)
        db.session.add(team)
    before = _snapshot(team) if not created else None
    team.name = name
    team.kind = kind
    team.meeting_slots = meeting_slots
    team.needs_meeting = needs_meeting
    team.members = [TeamMember(user_id=user_id) for user_id in sorted(set(member_ids))]
    db.session.flush()
    after = _snapshot(team)
    audit(
        "team.created" if created else "team.updated",
        team,
        unit_id=unit_id,
        actor=actor,
        changes=after
        if created
        else {k: [before[k], v] for k, v in after.items() if before[k] != v},
    )
    return team


def _snapshot(team: Team) -> dict:
    return {
        "name": team.name,
        "kind": str(team.kind) if team.kind else None,
        "meeting_slots": team.meeting_slots,
        "needs_meeting": team.needs_meeting,
        "members": sorted(m.user_id for m in team.members),
    }


def delete_team(team: Team, actor: User) -> None:
    audit("team.deleted", team, unit_id=team.unit_id, actor=actor, changes=_snapshot(team))
    db.session.delete(team)
    db.session.flush()


def teams_of(unit_ids: set[int] | None) -> list[Team]:
    query = (
        sa.select(Team)
        .options(
            so.selectinload(Team.members).joinedload(TeamMember.user),
            so.joinedload(Team.unit),
        )
        .order_by(Team.unit_id, Team.name)
    )
    if unit_ids is not None:
        query = query.where(Team.unit_id.in_(unit_ids))
    return list(db.session.scalars(query))


# --- finding a slot --------------------------------------------------------------------------
@dataclass(frozen=True)
class Blocker:
    user: User
    slot: PeriodSlot
    what: str  # "lesson", "coteaching", "meeting"
    detail: str  # the group(s) or team


@dataclass
class Window:
    slots: list[PeriodSlot]
    blockers: list[Blocker] = field(default_factory=list)
    idle_periods: int = 0
    come_in: int = 0

    @property
    def start(self) -> PeriodSlot:
        return self.slots[0]

    @property
    def free(self) -> bool:
        return not self.blockers

    @property
    def penalty(self) -> int:
        return self.idle_periods + COME_IN_PENALTY * self.come_in

    @property
    def busy_members(self) -> list[User]:
        seen: dict[int, User] = {}
        for blocker in self.blockers:
            seen.setdefault(blocker.user.id, blocker.user)
        return sorted(seen.values(), key=lambda u: u.name)


@dataclass
class SlotSearch:
    team: Team
    term: Term
    members: list[User]
    candidates: list[Window] = field(default_factory=list)  # free, best first
    closest: list[Window] = field(default_factory=list)  # when none is free
    reason: str | None = None  # why there is no free window


def _busy(term: Term, members: list[User], team_id: int) -> dict[int, dict[int, tuple[str, str]]]:
    """member id -> slot id -> (what, detail) of everything that occupies them."""
    from pdservice.coteaching.enums import DecisionState
    from pdservice.coteaching.models import CoTeachingAssignment

    ids = [m.id for m in members]
    busy: dict[int, dict[int, tuple[str, str]]] = defaultdict(dict)
    # Every lesson with its groups at once (the co-teaching below then finds them loaded).
    for lesson in term_lessons(term.id):
        if lesson.teacher_id in ids:
            for ls in lesson.lesson_slots:
                busy[lesson.teacher_id][ls.slot_id] = ("lesson", lesson.group_codes)
    for decision in db.session.scalars(
        sa.select(CoTeachingAssignment)
        .where(
            CoTeachingAssignment.term_id == term.id,
            CoTeachingAssignment.coteacher_id.in_(ids),
            sa.or_(
                CoTeachingAssignment.published,
                CoTeachingAssignment.state == DecisionState.ACCEPTED,
            ),
        )
        .options(so.joinedload(CoTeachingAssignment.lesson).selectinload(Lesson.lesson_slots))
    ):
        for ls in decision.lesson.lesson_slots:
            busy[decision.coteacher_id][ls.slot_id] = ("coteaching", decision.lesson.group_codes)
    by_position = {(s.day, s.index): s for s in term.slots}
    for meeting in db.session.scalars(
        sa.select(TeamMeeting)
        .where(TeamMeeting.term_id == term.id, TeamMeeting.team_id != team_id)
        .options(
            so.joinedload(TeamMeeting.team).selectinload(Team.members),
            so.joinedload(TeamMeeting.start_slot),
            so.joinedload(TeamMeeting.published_slot),
        )
    ):
        for start, length in (
            (meeting.published_slot, meeting.published_length),
            (meeting.start_slot, meeting.length),
        ):
            if start is None or not length:
                continue
            for index in range(start.index, start.index + length):
                slot = by_position.get((start.day, index))
                if slot is None:
                    continue
                for member in meeting.team.members:
                    if member.user_id in ids:
                        busy[member.user_id][slot.id] = ("meeting", meeting.team.name)
    return busy


def windows(slots: list[PeriodSlot], length: int) -> list[list[PeriodSlot]]:
    """Every run of `length` consecutive periods within one day."""
    by_day: dict[int, list[PeriodSlot]] = defaultdict(list)
    for slot in slots:
        by_day[slot.day].append(slot)
    result = []
    for day in sorted(by_day):
        day_slots = sorted(by_day[day], key=lambda s: s.index)
        for start in range(len(day_slots) - length + 1):
            run = day_slots[start : start + length]
            if run[-1].index - run[0].index == length - 1:
                result.append(run)
    return result


def has_free_window(
    member_ids: list[int], slots: list[PeriodSlot], length: int, busy: dict[int, set[int]]
) -> bool:
    """Whether the members' own lessons (`busy`: user id -> slot ids) leave any run of
    `length` periods free for them all."""
    taken = set().union(*(busy.get(m, set()) for m in member_ids))
    return any(not taken & {s.id for s in window} for window in windows(slots, length))


def evaluate_windows(team: Team, term: Term, members: list[User]) -> list[Window]:
    """Every window of the team's meeting length, with who is busy in it and, when it is
    free, what it costs members' days."""
    slots = term_slots(term.id)
    busy = _busy(term, members, team.id)
    by_id = {s.id: s for s in slots}
    evaluated = []
    for run in windows(slots, team.meeting_slots):
        window = Window(run)
        for member in members:
            for slot in run:
                if slot.id in busy[member.id]:
                    what, detail = busy[member.id][slot.id]
                    window.blockers.append(Blocker(member, slot, what, detail))
        if window.free:
            for member in members:
                day_busy = sorted(
                    by_id[s].index for s in busy[member.id] if by_id[s].day == run[0].day
                )
                gap, came_in = _idle_added(day_busy, run[0].index, run[-1].index)
                window.idle_periods += gap
                window.come_in += int(came_in)
        evaluated.append(window)
    return evaluated


def active_members(team: Team) -> list[User]:
    return sorted((m.user for m in team.members if m.user.active), key=lambda u: u.name)


def find_slots(team: Team, term: Term) -> SlotSearch:
    members = active_members(team)
    search = SlotSearch(team, term, members)
    if len(members) < 2:
        search.reason = _("A team needs at least two members to meet.")
        return search
    if not term.has_timetable:
        search.reason = _("The term has no timetable yet.")
        return search
    evaluated = evaluate_windows(team, term, members)
    if not evaluated:
        search.reason = ngettext(
            "No day of the week has %(num)d consecutive period.",
            "No day of the week has %(num)d consecutive periods.",
            team.meeting_slots,
        )
        return search
    free = [w for w in evaluated if w.free]
    search.candidates = sorted(free, key=lambda w: (w.penalty, w.start.day, -w.start.index))[
        :CANDIDATES_SHOWN
    ]
    if not free:
        search.reason = ngettext(
            "There is no period in the week when all %(num)d members are free.",
            "There is no period in the week when all %(num)d members are free.",
            len(members),
        )
        search.closest = sorted(
            evaluated, key=lambda w: (len(w.busy_members), len(w.blockers), w.start.day)
        )[:3]
    return search


def _idle_added(busy_indices: list[int], first: int, last: int) -> tuple[int, bool]:
    """New idle periods a meeting at first..last adds to a day with lessons at
    `busy_indices`, and whether the member would come in just for the meeting."""
    if not busy_indices:
        return 0, True
    before = [i for i in busy_indices if i < first]
    after = [i for i in busy_indices if i > last]
    if before and after:
        return 0, False  # the meeting fills a gap that was idle anyway, or is in between
    if before:
        return first - max(before) - 1, False
    return min(after) - last - 1, False


def set_meeting(team: Team, term: Term, start: PeriodSlot, actor: User) -> TeamMeeting:
    """Make `start` the team's published weekly meeting (refused when it is no longer free)."""
    members = active_members(team)
    chosen = next(
        (w for w in evaluate_windows(team, term, members) if w.start.id == start.id), None
    )
    if len(members) < 2 or chosen is None or not chosen.free:
        raise TeamError("slot", _("That time is no longer free for every member."))
    meeting = team.meeting_for(term.id)
    if meeting is None:
        meeting = TeamMeeting(team_id=team.id, term_id=term.id)
        db.session.add(meeting)
    now = utcnow()
    meeting.start_slot_id = meeting.published_slot_id = start.id
    meeting.length = meeting.published_length = team.meeting_slots
    meeting.published_at = meeting.decided_at = now
    meeting.decided_by_id = actor.id
    meeting.source = "find_slot"
    db.session.flush()
    audit(
        "team_meeting.set",
        meeting,
        unit_id=team.unit_id,
        actor=actor,
        changes={"term": term.name, "slot": start.code, "length": team.meeting_slots},
    )
    return meeting


def clear_meeting(team: Team, term: Term, actor: User) -> bool:
    meeting = team.meeting_for(term.id)
    if meeting is None:
        return False
    audit(
        "team_meeting.cleared",
        meeting,
        unit_id=team.unit_id,
        actor=actor,
        changes={"term": term.name},
    )
    db.session.delete(meeting)
    db.session.flush()
    return True


def meeting_window(meeting: TeamMeeting, *, published: bool) -> list[PeriodSlot]:
    """The periods of a team's meeting: the published one, or the draft."""
    start = meeting.published_slot if published else meeting.start_slot
    length = meeting.published_length if published else meeting.length
    if start is None or not length:
        return []
    return consecutive_slots(meeting.term_id, start, length) or [start]


# --- timetable imports ------------------------------------------------------------------------
def _drop_clashing_meetings(term: Term, data: TimetableData, report: ReplaceReport) -> None:
    """After a re-import, a meeting during a member's new lesson no longer applies."""
    own = teaching_slots(term.id)
    by_position = {(s.day, s.index): s for s in term_slots(term.id)}
    dropped = 0
    for meeting in db.session.scalars(
        sa.select(TeamMeeting)
        .where(TeamMeeting.term_id == term.id)
        .options(so.joinedload(TeamMeeting.team).selectinload(Team.members))
    ):
        members = [m.user_id for m in meeting.team.members]
        for start_attr, length_attr in (
            ("start_slot", "length"),
            ("published_slot", "published_length"),
        ):
            start, length = getattr(meeting, start_attr), getattr(meeting, length_attr)
            if start is None or not length:
                continue
            slots = [
                by_position.get((start.day, i)) for i in range(start.index, start.index + length)
            ]
            if None in slots or any(s.id in own.get(m, ()) for m in members for s in slots):
                if start_attr == "start_slot":
                    meeting.start_slot_id = None
                else:
                    meeting.published_slot_id = meeting.published_length = None
                    meeting.published_at = None
                dropped += 1
        if meeting.start_slot_id is None and meeting.published_slot_id is None:
            db.session.delete(meeting)
    db.session.flush()
    if dropped:
        report.notes.append(
            ngettext(
                "%(num)d team meeting clashes with the new lessons and was removed.",
                "%(num)d team meetings clash with the new lessons and were removed.",
                dropped,
            )
        )


on_after_replace("teams", _drop_clashing_meetings)
