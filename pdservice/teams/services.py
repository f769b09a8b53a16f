"""Teams, their members, and finding a common free slot for a team's weekly meeting.

"Find a slot" looks at the term as it stands now: members' own lessons, the co-teaching
accepted or published for them, and other teams' meetings. A window is the team's meeting
length in consecutive periods of one day; the best free windows leave the fewest new idle
periods in members' days and bring the fewest members in just for the meeting (the solver
package's search, `scheduler.search_windows`, ranks them); when no window is free, the
closest ones are listed with who is busy and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _
from flask_babel import ngettext

import scheduler as sch
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
# The search itself is the solver package's (`scheduler.search_windows`): this part reads what
# occupies the members from the database and shows its answer with rows (users, periods).
@dataclass(frozen=True)
class Blocker:
    user: User
    slot: PeriodSlot
    what: str  # the search's code: "own_lesson", "co_teaching", "meeting"
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


@dataclass
class SlotSearch:
    team: Team
    term: Term
    members: list[User]
    candidates: list[Window] = field(default_factory=list)  # free, best first
    closest: list[Window] = field(default_factory=list)  # when none is free
    reason: str | None = None  # why there is no free window


def _occupations(term: Term, member_ids: list[int], team_id: int) -> list[sch.Reason]:
    """Everything that occupies the members in the term, as the search's input: their own
    lessons, the co-teaching accepted or published for them, other teams' meetings (draft
    and published). Ids are the rows' ids as strings; `detail` is what the page shows."""
    from pdservice.coteaching.enums import DecisionState
    from pdservice.coteaching.models import CoTeachingAssignment

    found: list[sch.Reason] = []

    def add(code: str, user_id: int, slot_id: int, detail: str) -> None:
        data = {"teacher": str(user_id), "slot": str(slot_id), "detail": detail}
        found.append(sch.Reason(code, f"{code} {detail}", data))

    # Every lesson with its groups at once (the co-teaching below then finds them loaded).
    for lesson in term_lessons(term.id):
        if lesson.teacher_id in member_ids:
            for ls in lesson.lesson_slots:
                add("own_lesson", lesson.teacher_id, ls.slot_id, lesson.group_codes)
    for decision in db.session.scalars(
        sa.select(CoTeachingAssignment)
        .where(
            CoTeachingAssignment.term_id == term.id,
            CoTeachingAssignment.coteacher_id.in_(member_ids),
            sa.or_(
                CoTeachingAssignment.published,
                CoTeachingAssignment.state == DecisionState.ACCEPTED,
            ),
        )
        .options(so.joinedload(CoTeachingAssignment.lesson).selectinload(Lesson.lesson_slots))
    ):
        for ls in decision.lesson.lesson_slots:
            add("co_teaching", decision.coteacher_id, ls.slot_id, decision.lesson.group_codes)
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
                    if member.user_id in member_ids:
                        add("meeting", member.user_id, slot.id, meeting.team.name)
    return found


def solver_slots(slots: list[PeriodSlot]) -> list[sch.Slot]:
    """The term's periods as the solver package's slots (ids: the rows' ids as strings)."""
    return [sch.Slot(str(s.id), str(s.day), s.index) for s in slots]


def search_team_windows(team: Team, term: Term, members: list[User]) -> sch.TeamSlots:
    """Every window of the team's meeting length in the term, best free ones first."""
    member_ids = [m.id for m in members]
    return sch.search_windows(
        solver_slots(term_slots(term.id)),
        [str(i) for i in member_ids],
        team.meeting_slots,
        _occupations(term, member_ids, team.id),
        team=str(team.id),
    )


def has_free_window(
    member_ids: list[int], slots: list[PeriodSlot], length: int, busy: dict[int, set[int]]
) -> bool:
    """Whether the members' own lessons (`busy`: user id -> slot ids) leave any run of
    `length` periods free for them all."""
    occupied = [
        sch.Reason("own_lesson", "", {"teacher": str(m), "slot": str(s)})
        for m in member_ids
        for s in busy.get(m, ())
    ]
    found = sch.search_windows(
        solver_slots(slots), [str(m) for m in member_ids], length, occupied, limit=1
    )
    return bool(found.options)


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
    found = search_team_windows(team, term, members)
    if not found.options and not found.blocked:
        search.reason = ngettext(
            "No day of the week has %(num)d consecutive period.",
            "No day of the week has %(num)d consecutive periods.",
            team.meeting_slots,
        )
        return search
    slots = {str(s.id): s for s in term_slots(term.id)}
    users = {str(m.id): m for m in members}

    def window(found_window: sch.Window) -> Window:
        return Window(
            [slots[s] for s in found_window.slots],
            [
                Blocker(users[b.data["teacher"]], slots[b.data["slot"]], b.code, b.data["detail"])
                for b in found_window.blockers
            ],
            found_window.new_idle_slots,
            len(found_window.come_in),
        )

    search.candidates = [window(w) for w in found.options[:CANDIDATES_SHOWN]]
    if not found.options:
        search.reason = ngettext(
            "There is no period in the week when all %(num)d members are free.",
            "There is no period in the week when all %(num)d members are free.",
            len(members),
        )
        search.closest = [window(w) for w in found.closest(3)]
    return search


def set_meeting(team: Team, term: Term, start: PeriodSlot, actor: User) -> TeamMeeting:
    """Make `start` the team's published weekly meeting (refused when it is no longer free)."""
    members = active_members(team)
    free = len(members) >= 2 and any(
        w.slots[0] == str(start.id) for w in search_team_windows(team, term, members).options
    )
    if not free:
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
