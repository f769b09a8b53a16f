"""From the database to the solver's input, and the ids back.

The solver speaks in string ids: teachers are e-mail addresses (readable in logs and in
`flask coteach solve --json`), slots their codes ("Mo-1"), groups and lessons their codes,
teams "team-<id>". `SolverInput` keeps the maps back to rows.

How wishes become solver input:
- a stated preference gives willingness, capacity and wished/avoided partners; someone who has
  stated none is taken as willing with the run's default capacity (`assume_willing`);
- "in which subjects": a person who names subjects co-teaches (joins or hosts) only lessons
  of those subjects. The solver has no such rule, so it is expressed as rejected lessons for
  that person, remembered in `subject_limits` so explanations say why and not "rejected".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

import scheduler as sch
from pdservice.competences.enums import PlanStatus
from pdservice.competences.models import DevelopmentGoal, DevelopmentPlan
from pdservice.competences.services import latest_levels
from pdservice.core.enums import Profession
from pdservice.core.models import CompetenceArea, User
from pdservice.coteaching.enums import DecisionState, PartnerKind, RunStatus
from pdservice.coteaching.models import (
    CoTeachingAssignment,
    CoTeachingPreference,
    RejectedPair,
    SolveRun,
)
from pdservice.coteaching.solving.parameters import RunOptions
from pdservice.extensions import db
from pdservice.teams.models import Team, TeamMeeting
from pdservice.teams.services import has_free_window
from pdservice.timetable.models import Group, Lesson, PeriodSlot, Term
from pdservice.timetable.services import term_lessons, term_slots, unit_staff
from scheduler.domain import KNOWN_PROFESSIONS

SPECIALISTS = (Profession.SPECIAL_NEEDS_TEACHER, Profession.SPECIAL_CLASS_TEACHER)


@dataclass
class SolverInput:
    """The solver's problem and the plan to stay close to, with the row ids behind the solver's
    string ids (plain ids, so they stay valid after the session that read them is gone)."""

    problem: Any  # scheduler.Problem
    previous: Any | None = None  # scheduler.Solution
    user_ids: dict[str, int] = field(default_factory=dict)
    lesson_ids: dict[str, int] = field(default_factory=dict)
    slot_ids: dict[str, int] = field(default_factory=dict)
    team_ids: dict[str, int] = field(default_factory=dict)
    # (lesson code, teacher key or None) rejected only because of someone's subject wishes.
    subject_limits: set[tuple[str, str | None]] = field(default_factory=set)
    # Teams left out because their members never share a free period (ids).
    skipped_teams: list[int] = field(default_factory=list)


def teacher_key(user: User) -> str:
    return user.email


def team_key(team: Team) -> str:
    return f"team-{team.id}"


def solver_profession(user: User) -> str:
    value = str(user.profession)
    return value if value in KNOWN_PROFESSIONS else "other"


def build_input(
    term: Term, options: RunOptions, previous_run: SolveRun | None = None
) -> SolverInput:
    """Everything the solver needs for a run on `term`, read in one go."""
    lessons = [lesson for lesson in term_lessons(term.id) if lesson.lesson_slots]
    slots = term_slots(term.id)
    groups = list(db.session.scalars(sa.select(Group).where(Group.term_id == term.id)))
    people: dict[int, User] = {u.id: u for u in unit_staff(term.unit_id)}
    for lesson in lessons:
        people.setdefault(lesson.teacher_id, lesson.teacher)
    preferences = {
        p.user_id: p
        for p in db.session.scalars(
            sa.select(CoTeachingPreference)
            .where(CoTeachingPreference.term_id == term.id)
            .options(
                so.selectinload(CoTeachingPreference.subjects),
                so.selectinload(CoTeachingPreference.partners),
            )
        )
    }
    inp = SolverInput(problem=None)
    inp.user_ids = {teacher_key(u): u.id for u in people.values()}
    inp.lesson_ids = {lesson.code: lesson.id for lesson in lessons}
    inp.slot_ids = {slot.code: slot.id for slot in slots}
    key_of = {u.id: teacher_key(u) for u in people.values()}

    strengths, goals = competence_profiles(list(people), term.school_year_id)
    taught: dict[int, set[str]] = {}
    for lesson in lessons:
        taught.setdefault(lesson.teacher_id, set()).add(lesson.subject.code)
    limits: dict[int, set[str]] = {}
    teachers = []
    for user in sorted(people.values(), key=lambda u: u.email):
        pref = preferences.get(user.id)
        specialist = user.profession in SPECIALISTS
        wished = avoided = frozenset()
        if pref is not None:
            wished = frozenset(key_of[i] for i in pref.partner_ids(PartnerKind.WISH) if i in key_of)
            avoided = (
                frozenset(key_of[i] for i in pref.partner_ids(PartnerKind.AVOID) if i in key_of)
                - wished
            )
            if pref.subjects:
                limits[user.id] = {s.code for s in pref.subjects}
        teachers.append(
            sch.Teacher(
                id=key_of[user.id],
                name=user.name,
                profession=solver_profession(user),
                subjects=frozenset(taught.get(user.id, set()) | limits.get(user.id, set())),
                capacity=pref.max_lessons
                if pref is not None
                else (options.specialist_capacity if specialist else options.default_capacity),
                willing=pref.willing if pref is not None else options.assume_willing,
                wished=wished,
                avoided=avoided,
                strengths=strengths.get(user.id, frozenset()),
                development_goals=goals.get(user.id, frozenset()),
            )
        )

    rejected_lessons: set[tuple[str, str | None]] = set()
    for lesson in lessons:
        subject = lesson.subject.code
        if subject not in limits.get(lesson.teacher_id, {subject}):
            rejected_lessons.add((lesson.code, None))
            continue
        for user_id, subjects in limits.items():
            if user_id != lesson.teacher_id and subject not in subjects:
                rejected_lessons.add((lesson.code, key_of[user_id]))
    inp.subject_limits = set(rejected_lessons)

    decisions = list(
        db.session.scalars(
            sa.select(CoTeachingAssignment)
            .join(Lesson, Lesson.id == CoTeachingAssignment.lesson_id)
            .where(CoTeachingAssignment.term_id == term.id)
            .options(so.joinedload(CoTeachingAssignment.lesson))
        )
    )
    pins = []
    for decision in decisions:
        key = key_of.get(decision.coteacher_id)
        if key is None or decision.lesson.code not in inp.lesson_ids:
            continue
        if decision.state == DecisionState.REJECTED:
            rejected_lessons.add((decision.lesson.code, key))
        elif decision.state == DecisionState.ACCEPTED and decision.pinned:
            pins.append(sch.Pin(decision.lesson.code, key))
    # A pin wins over a subject limit: the principal decided it explicitly.
    for pin in pins:
        rejected_lessons.discard((pin.lesson, pin.teacher))
        inp.subject_limits.discard((pin.lesson, pin.teacher))
        # A host's subject limit is the only source of a lesson rejected for everyone.
        rejected_lessons.discard((pin.lesson, None))
        inp.subject_limits.discard((pin.lesson, None))

    rejected_pairs = [
        sch.RejectedPair((key_of[r.teacher_low_id], key_of[r.teacher_high_id]))
        for r in db.session.scalars(sa.select(RejectedPair).where(RejectedPair.term_id == term.id))
        if r.teacher_low_id in key_of and r.teacher_high_id in key_of
    ]

    teams, meeting_pins = [], []
    teams_by_key: dict[str, Team] = {}
    busy: dict[int, set[int]] = {}
    for lesson in lessons:
        busy.setdefault(lesson.teacher_id, set()).update(ls.slot_id for ls in lesson.lesson_slots)
    if options.include_meetings:
        for team in db.session.scalars(
            sa.select(Team)
            .where(Team.unit_id == term.unit_id, Team.needs_meeting.is_(True))
            .options(so.selectinload(Team.members), so.selectinload(Team.meetings))
            .order_by(Team.id)
        ):
            members = tuple(sorted(key_of[m] for m in team.member_ids if m in key_of))
            if len(members) < 2:
                continue
            meeting = team.meeting_for(term.id)
            pinned = (
                meeting is not None
                and meeting.published_slot_id is not None
                and meeting.published_length == team.meeting_slots
            )
            if not pinned and not has_free_window(team.member_ids, slots, team.meeting_slots, busy):
                # No run could place it: leave it out (and say so) rather than fail the run.
                inp.skipped_teams.append(team.id)
                continue
            inp.team_ids[team_key(team)] = team.id
            teams_by_key[team_key(team)] = team
            teams.append(
                sch.Team(
                    team_key(team),
                    members,
                    team.meeting_slots,
                    name=team.name,
                    kind=str(team.kind),
                )
            )
            if pinned:
                start = db.session.get(PeriodSlot, meeting.published_slot_id)
                meeting_pins.append(sch.MeetingPin(team_key(team), start.code))

    inp.problem = sch.Problem(
        slots=tuple(sch.Slot(s.code, str(s.day), s.index) for s in slots),
        teachers=tuple(teachers),
        groups=tuple(
            sch.Group(
                g.code,
                grade=g.grade,
                size=g.size,
                group_support=g.group_support,
                pupil_support=g.pupil_support,
            )
            for g in groups
        ),
        lessons=tuple(
            sch.Lesson(
                lesson.code,
                tuple(g.code for g in lesson.groups),
                key_of[lesson.teacher_id],
                tuple(s.code for s in lesson.slots),
                lesson.subject.code,
            )
            for lesson in lessons
        ),
        teams=tuple(teams),
        pins=tuple(pins),
        meeting_pins=tuple(meeting_pins),
        rejected_pairs=tuple(rejected_pairs),
        rejected_lessons=tuple(
            sch.RejectedLesson(code, t)
            for code, t in sorted(rejected_lessons, key=lambda x: (x[0], x[1] or ""))
        ),
        last_term_pairs=last_term_pairs(term, key_of),
        name=f"{term.unit.code} {term.name}",
    )
    inp.previous = previous_solution(term, inp, decisions, teams_by_key, previous_run)
    return inp


#: A self-assessed level from which an area counts as a strength a colleague can learn from
#: (3 = applies it independently, 4 = develops it and guides others).
STRENGTH_LEVEL = 3


def competence_profiles(
    user_ids: list[int], school_year_id: int
) -> tuple[dict[int, frozenset[str]], dict[int, frozenset[str]]]:
    """Each person's strengths (areas self-assessed at STRENGTH_LEVEL or above) and
    development goals (areas of their plan for the term's school year, unless returned), as
    competence codes for the solver's complementarity term. Two queries for everyone."""
    strengths: dict[int, set[str]] = {}
    for (user_id, _area_id), assessment in latest_levels(user_ids).items():
        if assessment.level >= STRENGTH_LEVEL:
            strengths.setdefault(user_id, set()).add(assessment.area.code)
    goals: dict[int, set[str]] = {}
    rows = db.session.execute(
        sa.select(DevelopmentPlan.user_id, CompetenceArea.code)
        .join(DevelopmentGoal, DevelopmentGoal.plan_id == DevelopmentPlan.id)
        .join(CompetenceArea, CompetenceArea.id == DevelopmentGoal.area_id)
        .where(
            DevelopmentPlan.user_id.in_(user_ids),
            DevelopmentPlan.school_year_id == school_year_id,
            DevelopmentPlan.status != PlanStatus.RETURNED,
        )
    )
    for user_id, code in rows:
        goals.setdefault(user_id, set()).add(code)
    return (
        {k: frozenset(v) for k, v in strengths.items()},
        {k: frozenset(v) for k, v in goals.items()},
    )


def last_term_pairs(term: Term, key_of: dict[int, str]) -> frozenset[tuple[str, str]]:
    """The pairs of the unit's published co-teaching in the term before this one."""
    before = db.session.scalar(
        sa.select(Term)
        .where(Term.unit_id == term.unit_id, Term.starts_on < term.starts_on)
        .order_by(Term.starts_on.desc())
        .limit(1)
    )
    if before is None:
        return frozenset()
    pairs = set()
    for coteacher_id, host_id in db.session.execute(
        sa.select(CoTeachingAssignment.coteacher_id, Lesson.teacher_id)
        .join(Lesson, Lesson.id == CoTeachingAssignment.lesson_id)
        .where(CoTeachingAssignment.term_id == before.id, CoTeachingAssignment.published)
    ):
        if coteacher_id in key_of and host_id in key_of and coteacher_id != host_id:
            pairs.add(tuple(sorted((key_of[coteacher_id], key_of[host_id]))))
    return frozenset(pairs)


def previous_solution(
    term: Term,
    inp: SolverInput,
    decisions: list[CoTeachingAssignment],
    teams: dict[str, Team],
    previous_run: SolveRun | None,
) -> Any | None:
    """The plan a new run should change as little as it can: the last reviewable run's plan
    and the accepted decisions, without what was rejected since."""
    by_id = {user_id: key for key, user_id in inp.user_ids.items()}
    rejected = {
        (d.lesson_id, d.coteacher_id) for d in decisions if d.state == DecisionState.REJECTED
    }
    kept: set[tuple[str, str]] = set()
    meetings: dict[str, tuple[str, ...]] = {}
    if previous_run is not None and previous_run.status in (RunStatus.FINISHED, RunStatus.STOPPED):
        for proposal in previous_run.proposals:
            for item in proposal.lessons:
                if (item.lesson_id, item.coteacher_id) in rejected:
                    continue
                lesson = db.session.get(Lesson, item.lesson_id)
                if (
                    lesson is not None
                    and item.coteacher_id in by_id
                    and lesson.code in inp.lesson_ids
                ):
                    kept.add((lesson.code, by_id[item.coteacher_id]))
        for proposal in previous_run.meeting_proposals:
            key = team_key(proposal.team)
            if key in teams:
                meetings[key] = _window(inp, proposal.start_slot, proposal.length)
    for decision in decisions:
        if (
            decision.state == DecisionState.ACCEPTED
            and decision.coteacher_id in by_id
            and decision.lesson.code in inp.lesson_ids
        ):
            kept.add((decision.lesson.code, by_id[decision.coteacher_id]))
    for team_id, team in teams.items():
        meeting: TeamMeeting | None = team.meeting_for(term.id)
        if meeting is not None and meeting.start_slot is not None:
            meetings[team_id] = _window(inp, meeting.start_slot, meeting.length)
    if not kept and not meetings:
        return None
    return sch.Solution(
        assignments=tuple(sch.Assignment(lesson, teacher) for lesson, teacher in sorted(kept)),
        meetings=tuple(sch.Meeting(team, window) for team, window in meetings.items() if window),
    )


def _window(inp: SolverInput, start: PeriodSlot, length: int) -> tuple[str, ...]:
    codes = []
    for index in range(start.index, start.index + length):
        code = f"{start.code.split('-')[0]}-{index}"
        if code not in inp.slot_ids:
            return ()
        codes.append(code)
    return tuple(codes)
