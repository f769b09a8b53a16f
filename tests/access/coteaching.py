"""Routes of timetables, co-teaching and teams.

`setup` builds, for unit A, a term with a two-period timetable, a finished run whose proposal
pairs Teacher A with Principal A, a published co-teaching lesson, a planning entry, a team
with a meeting, and the decisions a route needs: small rows, made directly.
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

from pdservice.core.enums import Language
from pdservice.coteaching.enums import DecisionState, RunStatus
from pdservice.coteaching.models import (
    CoTeachingAssignment,
    MeetingProposal,
    PlanningEntry,
    Proposal,
    ProposalLesson,
    RejectedPair,
    SolveRun,
)
from pdservice.extensions import db
from pdservice.teams.enums import TeamKind
from pdservice.teams.models import Team, TeamMeeting, TeamMember
from pdservice.timetable.models import Group, Lesson, LessonSlot, PeriodSlot, Subject, Term
from tests.access.rules import Rule, signed_in, statuses, unit_a_scope


def coteaching_world(w) -> dict:
    with w.app.app_context():
        from pdservice.core.services import school_year_for

        year = school_year_for(date(2025, 9, 1))
        term = Term(
            unit_id=w.unit_a.id,
            school_year_id=year.id,
            name="Autumn",
            starts_on=date(2025, 8, 1),
            ends_on=date(2025, 12, 31),
            timetable_version=1,
        )
        db.session.add(term)
        db.session.flush()
        slots = [
            PeriodSlot(
                term_id=term.id, day=1, index=i, starts_at=time(7 + i), ends_at=time(7 + i, 45)
            )
            for i in (1, 2, 3)
        ]
        group = Group(term_id=term.id, code="3A", grade=3, language=Language.FI, size=20)
        subject = Subject(term_id=term.id, code="MA", name="Maths")
        db.session.add_all([*slots, group, subject])
        db.session.flush()
        lesson = Lesson(
            term_id=term.id,
            code="3A-MA",
            group_id=group.id,
            subject_id=subject.id,
            teacher_id=w.teacher.id,
        )
        db.session.add(lesson)
        db.session.flush()
        db.session.add(
            LessonSlot(
                lesson_id=lesson.id, slot_id=slots[0].id, teacher_id=w.teacher.id, group_id=group.id
            )
        )
        run = SolveRun(
            unit_id=w.unit_a.id,
            term_id=term.id,
            status=RunStatus.FINISHED,
            timetable_version=1,
            parameters={"solver": {"time_limit_seconds": 1}},
            proposal_count=1,
        )
        team = Team(unit_id=w.unit_a.id, name="KiVa", kind=TeamKind.KIVA)
        team.members = [TeamMember(user_id=w.teacher.id), TeamMember(user_id=w.principal.id)]
        db.session.add_all([run, team])
        db.session.flush()
        proposal = Proposal(
            run_id=run.id,
            rank=1,
            teacher_a_id=w.teacher.id,
            teacher_b_id=w.principal.id,
            hours=1,
            points=10,
            terms=[{"code": "coverage", "value": 2, "points": 40, "data": {}}],
        )
        proposal.lessons = [ProposalLesson(lesson_id=lesson.id, coteacher_id=w.principal.id)]
        meeting_proposal = MeetingProposal(
            run_id=run.id, team_id=team.id, start_slot_id=slots[1].id, length=1
        )
        decision = CoTeachingAssignment(
            term_id=term.id,
            lesson_id=lesson.id,
            coteacher_id=w.principal.id,
            state=DecisionState.ACCEPTED,
            published=True,
        )
        low, high = sorted((w.teacher.id, w.principal.id))
        entry = PlanningEntry(
            term_id=term.id,
            teacher_low_id=low,
            teacher_high_id=high,
            logged_by_id=w.teacher.id,
            occurred_on=date(2025, 9, 2),
            hours=Decimal("1.5"),
        )
        rejected = RejectedPair(term_id=term.id, teacher_low_id=low, teacher_high_id=high)
        meeting = TeamMeeting(team_id=team.id, term_id=term.id, start_slot_id=slots[2].id, length=1)
        db.session.add_all([proposal, meeting_proposal, decision, entry, rejected, meeting])
        db.session.commit()
        ids = {
            "term": term.id,
            "slot2": slots[1].id,
            "group": group.id,
            "run": run.id,
            "proposal": proposal.id,
            "item": proposal.lessons[0].id,
            "meeting_proposal": meeting_proposal.id,
            "decision": decision.id,
            "entry": entry.id,
            "team": team.id,
            "low": low,
            "high": high,
        }
        db.session.remove()
        return ids


def x(w, key):
    return w.extra[key]


SETUP = coteaching_world
TEAM_A = unit_a_scope(teacher=200, principal=200, hr=404, admin=200)


def manage(ok: int) -> dict:
    """Managers of unit A: its principal and admins (teachers and HR lack the role)."""
    return statuses(403, principal=ok, principal_b=404, admin=ok)


def principal_only(ok: int) -> dict:
    """Unit A's principal only: not even admins see wishes and reviews."""
    return statuses(403, principal=ok, principal_b=404)


def member(ok: int) -> dict:
    """Staff of unit A (its teacher and principal): personal pages, 404 for everyone else."""
    return statuses(404, teacher=ok, principal=ok)


RULES = [
    # --- timetable ---------------------------------------------------------------------------
    Rule("timetable.index", "GET", lambda w: "/timetable/", signed_in(200)),
    Rule(
        "timetable.mine",
        "GET",
        lambda w: "/timetable/mine",
        signed_in(200, teacher=302, principal=302),
        setup=SETUP,
    ),
    Rule("timetable.example", "GET", lambda w: "/timetable/example.csv", signed_in(200)),
    Rule(
        "timetable.term_new",
        "GET",
        lambda w: f"/timetable/units/{w.unit_a.id}/terms/new",
        manage(200),
    ),
    Rule(
        "timetable.term_new",
        "POST",
        lambda w: f"/timetable/units/{w.unit_a.id}/terms/new",
        manage(422),
        data=lambda w: {"name": ""},
    ),
    Rule(
        "timetable.term_edit",
        "GET",
        lambda w: f"/timetable/terms/{x(w, 'term')}/edit",
        manage(200),
        setup=SETUP,
    ),
    Rule(
        "timetable.term_edit",
        "POST",
        lambda w: f"/timetable/terms/{x(w, 'term')}/edit",
        manage(422),
        setup=SETUP,
        data=lambda w: {"name": ""},
    ),
    Rule(
        "timetable.import_file",
        "GET",
        lambda w: f"/timetable/units/{w.unit_a.id}/import",
        manage(200),
    ),
    Rule(
        "timetable.import_file",
        "POST",
        lambda w: f"/timetable/units/{w.unit_a.id}/import",
        manage(422),
        data=lambda w: {},
    ),
    Rule(
        "timetable.term", "GET", lambda w: f"/timetable/terms/{x(w, 'term')}", TEAM_A, setup=SETUP
    ),
    Rule(
        "timetable.teacher",
        "GET",
        lambda w: f"/timetable/terms/{x(w, 'term')}/teachers/{w.teacher.id}",
        TEAM_A,
        setup=SETUP,
    ),
    Rule(
        "timetable.group",
        "GET",
        lambda w: f"/timetable/terms/{x(w, 'term')}/groups/{x(w, 'group')}",
        TEAM_A,
        setup=SETUP,
    ),
    Rule(
        "timetable.export",
        "GET",
        lambda w: f"/timetable/terms/{x(w, 'term')}/export.csv",
        TEAM_A,
        setup=SETUP,
    ),
    # --- co-teaching: everyone's pages ---------------------------------------------------------
    Rule("coteaching.index", "GET", lambda w: "/coteaching/", signed_in(200), setup=SETUP),
    Rule("coteaching.mine", "GET", lambda w: "/coteaching/mine", signed_in(200), setup=SETUP),
    Rule(
        "coteaching.wishes",
        "GET",
        lambda w: f"/coteaching/terms/{x(w, 'term')}/wishes",
        member(200),
        setup=SETUP,
    ),
    Rule(
        "coteaching.wishes",
        "POST",
        lambda w: f"/coteaching/terms/{x(w, 'term')}/wishes",
        member(422),
        setup=SETUP,
        data=lambda w: {"max_lessons": "-1"},
    ),
    Rule(
        "coteaching.respond_to",
        "POST",
        lambda w: f"/coteaching/proposals/{x(w, 'proposal')}/respond",
        member(422),
        setup=SETUP,
        data=lambda w: {"comment": "no answer chosen"},
    ),
    Rule(
        "coteaching.planning",
        "GET",
        lambda w: f"/coteaching/terms/{x(w, 'term')}/planning",
        member(200),
        setup=SETUP,
    ),
    Rule(
        "coteaching.planning",
        "POST",
        lambda w: f"/coteaching/terms/{x(w, 'term')}/planning",
        member(422),
        setup=SETUP,
        data=lambda w: {"hours": "0"},
    ),
    Rule(
        "coteaching.planning_delete",
        "POST",
        lambda w: f"/coteaching/planning/{x(w, 'entry')}/delete",
        member(302),
        setup=SETUP,
    ),
    # --- co-teaching: the unit's principal -------------------------------------------------------
    Rule(
        "coteaching.wishes_overview",
        "GET",
        lambda w: f"/coteaching/terms/{x(w, 'term')}/wishes/all",
        principal_only(200),
        setup=SETUP,
    ),
    Rule(
        "coteaching.runs",
        "GET",
        lambda w: f"/coteaching/terms/{x(w, 'term')}/runs",
        principal_only(200),
        setup=SETUP,
    ),
    Rule(
        "coteaching.run_new",
        "GET",
        lambda w: f"/coteaching/terms/{x(w, 'term')}/runs/new",
        principal_only(200),
        setup=SETUP,
    ),
    Rule(
        "coteaching.run_new",
        "POST",
        lambda w: f"/coteaching/terms/{x(w, 'term')}/runs/new",
        principal_only(422),
        setup=SETUP,
        data=lambda w: {"time_limit_seconds": "0"},
    ),
    Rule(
        "coteaching.run",
        "GET",
        lambda w: f"/coteaching/runs/{x(w, 'run')}",
        principal_only(200),
        setup=SETUP,
    ),
    Rule(
        "coteaching.run_status_json",
        "GET",
        lambda w: f"/coteaching/runs/{x(w, 'run')}/status.json",
        principal_only(200),
        setup=SETUP,
    ),
    Rule(
        "coteaching.run_stop",
        "POST",
        lambda w: f"/coteaching/runs/{x(w, 'run')}/stop",
        principal_only(409),
        setup=SETUP,
    ),
    Rule(
        "coteaching.review",
        "GET",
        lambda w: f"/coteaching/runs/{x(w, 'run')}/review",
        principal_only(200),
        setup=SETUP,
    ),
    Rule(
        "coteaching.decide_proposal",
        "POST",
        lambda w: f"/coteaching/proposals/{x(w, 'proposal')}/decide",
        principal_only(302),
        setup=SETUP,
        data=lambda w: {"action": "accept"},
    ),
    Rule(
        "coteaching.decide_proposal_lesson",
        "POST",
        lambda w: f"/coteaching/proposal-lessons/{x(w, 'item')}/decide",
        principal_only(302),
        setup=SETUP,
        data=lambda w: {"action": "pin"},
    ),
    Rule(
        "coteaching.decide_meeting_proposal",
        "POST",
        lambda w: f"/coteaching/meeting-proposals/{x(w, 'meeting_proposal')}/decide",
        principal_only(302),
        setup=SETUP,
        data=lambda w: {"action": "accept"},
    ),
    Rule(
        "coteaching.decisions",
        "GET",
        lambda w: f"/coteaching/terms/{x(w, 'term')}/decisions",
        principal_only(200),
        setup=SETUP,
    ),
    Rule(
        "coteaching.decisions",
        "POST",
        lambda w: f"/coteaching/terms/{x(w, 'term')}/decisions",
        principal_only(422),
        setup=SETUP,
        data=lambda w: {},
    ),
    Rule(
        "coteaching.decision_remove",
        "POST",
        lambda w: f"/coteaching/decisions/{x(w, 'decision')}/remove",
        principal_only(302),
        setup=SETUP,
    ),
    Rule(
        "coteaching.rejected_pair_remove",
        "POST",
        lambda w: (
            f"/coteaching/terms/{x(w, 'term')}/rejected-pairs/{x(w, 'low')}/{x(w, 'high')}/remove"
        ),
        principal_only(302),
        setup=SETUP,
    ),
    Rule(
        "coteaching.publish_term",
        "POST",
        lambda w: f"/coteaching/terms/{x(w, 'term')}/publish",
        principal_only(302),
        setup=SETUP,
    ),
    # --- teams -------------------------------------------------------------------------
    Rule("teams.index", "GET", lambda w: "/teams/", signed_in(200), setup=SETUP),
    Rule("teams.new", "GET", lambda w: f"/teams/units/{w.unit_a.id}/new", manage(200)),
    Rule(
        "teams.new",
        "POST",
        lambda w: f"/teams/units/{w.unit_a.id}/new",
        manage(422),
        data=lambda w: {"name": ""},
    ),
    Rule("teams.detail", "GET", lambda w: f"/teams/{x(w, 'team')}", TEAM_A, setup=SETUP),
    Rule("teams.edit", "GET", lambda w: f"/teams/{x(w, 'team')}/edit", manage(200), setup=SETUP),
    Rule(
        "teams.edit",
        "POST",
        lambda w: f"/teams/{x(w, 'team')}/edit",
        manage(422),
        setup=SETUP,
        data=lambda w: {"name": ""},
    ),
    Rule(
        "teams.delete", "POST", lambda w: f"/teams/{x(w, 'team')}/delete", manage(302), setup=SETUP
    ),
    Rule(
        "teams.find_slot",
        "GET",
        lambda w: f"/teams/{x(w, 'team')}/find-slot",
        manage(200),
        setup=SETUP,
    ),
    Rule(
        "teams.set_meeting",
        "POST",
        lambda w: f"/teams/{x(w, 'team')}/meeting",
        manage(302),
        setup=SETUP,
        data=lambda w: {"term_id": x(w, "term"), "slot_id": x(w, "slot2")},
    ),
    Rule(
        "teams.meeting_clear",
        "POST",
        lambda w: f"/teams/{x(w, 'team')}/meeting/clear",
        manage(302),
        setup=SETUP,
        data=lambda w: {"term_id": x(w, "term")},
    ),
]
