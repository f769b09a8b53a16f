"""The principal's review of a plan, the teachers' answers, and publishing.

Decisions are kept per term, not per run (`CoTeachingAssignment`, `RejectedPair`), so they
carry over to the next run: pinned lessons are kept, rejected lessons and pairs never come
back, accepted lessons are kept when they still fit (the solver's stay term). Only the term's
newest plan, made on the current timetable, can be decided on (`runs.is_reviewable`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from pdservice.core.models import User
from pdservice.core.services import audit
from pdservice.coteaching.enums import Answer, DecisionState
from pdservice.coteaching.models import (
    CoTeachingAssignment,
    MeetingProposal,
    Proposal,
    ProposalLesson,
    ProposalResponse,
    RejectedPair,
    SolveRun,
)
from pdservice.coteaching.solving.runs import active_run, is_reviewable
from pdservice.db import utcnow
from pdservice.extensions import db
from pdservice.teams.models import Team, TeamMeeting
from pdservice.timetable.grid import slot_code
from pdservice.timetable.models import Lesson, LessonSlot, Term
from pdservice.timetable.services import is_unit_member, term_lessons

LESSON_ACTIONS = ("accept", "pin", "unpin", "reject", "reset")
PAIR_ACTIONS = ("accept", "reject", "reset")


class ReviewError(Exception):
    """A decision that cannot be made now; `status` is the HTTP status that fits."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def require_reviewable(run: SolveRun) -> None:
    if not run.status.has_plan:
        raise ReviewError(409, _("This run has no plan to decide on."))
    if not is_reviewable(run):
        raise ReviewError(
            409,
            _(
                "This run is no longer the term's current plan (a newer run or a new timetable "
                "replaced it). Decide on the newest run instead."
            ),
        )


def decisions_by_key(term_id: int) -> dict[tuple[int, int], CoTeachingAssignment]:
    return {
        (d.lesson_id, d.coteacher_id): d
        for d in db.session.scalars(
            sa.select(CoTeachingAssignment).where(CoTeachingAssignment.term_id == term_id)
        )
    }


def rejected_pairs(term_id: int) -> set[tuple[int, int]]:
    return {
        (r.teacher_low_id, r.teacher_high_id)
        for r in db.session.scalars(sa.select(RejectedPair).where(RejectedPair.term_id == term_id))
    }


def pair_key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _decide(
    term_id: int,
    lesson_id: int,
    coteacher_id: int,
    action: str,
    actor: User | None,
    run_id: int | None,
) -> CoTeachingAssignment | None:
    decision = db.session.scalar(
        sa.select(CoTeachingAssignment).where(
            CoTeachingAssignment.lesson_id == lesson_id,
            CoTeachingAssignment.coteacher_id == coteacher_id,
        )
    )
    before = (decision.state, decision.pinned) if decision is not None else None
    if action == "reset" or (action == "unpin" and decision is None):
        if decision is None:
            return None
        if decision.published:
            decision.state, decision.pinned = DecisionState.OPEN, False
        else:
            db.session.delete(decision)
            decision = None
    else:
        if decision is None:
            decision = CoTeachingAssignment(
                term_id=term_id, lesson_id=lesson_id, coteacher_id=coteacher_id
            )
            db.session.add(decision)
        if action == "accept":
            decision.pinned = bool(decision.pinned and decision.state == DecisionState.ACCEPTED)
            decision.state = DecisionState.ACCEPTED
        elif action == "pin":
            decision.state, decision.pinned = DecisionState.ACCEPTED, True
        elif action == "unpin":
            decision.pinned = False
            if decision.state != DecisionState.ACCEPTED:
                decision.state = DecisionState.ACCEPTED
        elif action == "reject":
            decision.state, decision.pinned = DecisionState.REJECTED, False
        else:  # pragma: no cover - the routes only pass the actions above
            raise ValueError(action)
        decision.run_id = run_id
        decision.decided_by_id = actor.id if actor is not None else None
        decision.decided_at = utcnow()
    db.session.flush()
    after = (decision.state, decision.pinned) if decision is not None else None
    if before != after:
        audit(
            "coteaching.decided",
            entity_type="CoTeachingAssignment",
            entity_id=f"{lesson_id}:{coteacher_id}",
            unit_id=_unit_of(term_id),
            actor=actor,
            changes={"action": action, "before": before, "after": after},
        )
    return decision


def _unit_of(term_id: int) -> int:
    return db.session.get(Term, term_id).unit_id


def decide_lesson(
    run: SolveRun, item: ProposalLesson, action: str, actor: User | None
) -> CoTeachingAssignment | None:
    """Accept, pin, unpin, reject or reset one proposed lesson of `run`."""
    require_reviewable(run)
    if action not in LESSON_ACTIONS:
        raise ReviewError(400, _("Unknown decision."))
    return _decide(run.term_id, item.lesson_id, item.coteacher_id, action, actor, run.id)


def decide_pair(run: SolveRun, proposal: Proposal, action: str, actor: User | None) -> None:
    """Accept, reject or reset a whole proposed pair. Rejecting a pair also keeps later runs
    from pairing the two at all in this term."""
    require_reviewable(run)
    if action not in PAIR_ACTIONS:
        raise ReviewError(400, _("Unknown decision."))
    for item in proposal.lessons:
        _decide(run.term_id, item.lesson_id, item.coteacher_id, action, actor, run.id)
    low, high = pair_key(proposal.teacher_a_id, proposal.teacher_b_id)
    existing = db.session.scalar(
        sa.select(RejectedPair).where(
            RejectedPair.term_id == run.term_id,
            RejectedPair.teacher_low_id == low,
            RejectedPair.teacher_high_id == high,
        )
    )
    if action == "reject" and existing is None:
        db.session.add(
            RejectedPair(
                term_id=run.term_id,
                teacher_low_id=low,
                teacher_high_id=high,
                decided_by_id=actor.id if actor is not None else None,
            )
        )
    elif action != "reject" and existing is not None:
        db.session.delete(existing)
    db.session.flush()
    audit(
        "coteaching.pair_decided",
        proposal,
        unit_id=run.unit_id,
        actor=actor,
        changes={"action": action, "teachers": [low, high]},
    )


def remove_pair_rejection(term: Term, low: int, high: int, actor: User | None) -> bool:
    row = db.session.scalar(
        sa.select(RejectedPair).where(
            RejectedPair.term_id == term.id,
            RejectedPair.teacher_low_id == low,
            RejectedPair.teacher_high_id == high,
        )
    )
    if row is None:
        return False
    db.session.delete(row)
    audit(
        "coteaching.pair_rejection_removed",
        entity_type="RejectedPair",
        entity_id=f"{low}:{high}",
        unit_id=term.unit_id,
        actor=actor,
    )
    db.session.flush()
    return True


def pin_lesson(term: Term, lesson: Lesson, coteacher: User, actor: User | None) -> None:
    """The principal's own decision: `coteacher` joins `lesson` in every later run.

    Refused (ReviewError 422) when it cannot work whatever the solver does: the co-teacher
    is not staff of the unit, teaches the lesson, or is busy at that time.
    """
    if not is_unit_member(coteacher.id, term.unit_id):
        raise ReviewError(422, _("%(name)s is not staff of this unit.", name=coteacher.name))
    if coteacher.id == lesson.teacher_id:
        raise ReviewError(422, _("%(name)s teaches this lesson.", name=coteacher.name))
    slot_ids = [ls.slot_id for ls in lesson.lesson_slots]
    clash = db.session.scalar(
        sa.select(Lesson)
        .join(LessonSlot, LessonSlot.lesson_id == Lesson.id)
        .where(LessonSlot.teacher_id == coteacher.id, LessonSlot.slot_id.in_(slot_ids))
        .limit(1)
    )
    if clash is not None:
        raise ReviewError(
            422,
            _(
                "%(name)s teaches %(group)s at that time.",
                name=coteacher.name,
                group=clash.group_codes,
            ),
        )
    for other in _accepted_coteaching(term.id, coteacher.id):
        if other.lesson_id != lesson.id and set(slot_ids) & {
            ls.slot_id for ls in other.lesson.lesson_slots
        }:
            raise ReviewError(
                422,
                _(
                    "%(name)s already co-teaches %(group)s at that time.",
                    name=coteacher.name,
                    group=other.lesson.group_codes,
                ),
            )
    _decide(term.id, lesson.id, coteacher.id, "pin", actor, None)


def _accepted_coteaching(term_id: int, user_id: int) -> list[CoTeachingAssignment]:
    return list(
        db.session.scalars(
            sa.select(CoTeachingAssignment)
            .where(
                CoTeachingAssignment.term_id == term_id,
                CoTeachingAssignment.coteacher_id == user_id,
                CoTeachingAssignment.state == DecisionState.ACCEPTED,
            )
            .options(so.joinedload(CoTeachingAssignment.lesson).selectinload(Lesson.lesson_slots))
        )
    )


def remove_decision(decision: CoTeachingAssignment, actor: User | None) -> None:
    _decide(decision.term_id, decision.lesson_id, decision.coteacher_id, "reset", actor, None)


def decide_meeting(run: SolveRun, proposal: MeetingProposal, action: str, actor: User) -> None:
    """Accept a proposed team meeting (it becomes the team's draft meeting, published with the
    co-teaching) or reset it (the team's draft goes back to its published slot)."""
    require_reviewable(run)
    if action not in ("accept", "reset"):
        raise ReviewError(400, _("Unknown decision."))
    meeting = _meeting(proposal.team, run.term_id)
    if action == "accept":
        meeting.start_slot_id = proposal.start_slot_id
        meeting.length = proposal.length
        meeting.source = "run"
    else:
        meeting.start_slot_id = meeting.published_slot_id
        meeting.length = meeting.published_length or proposal.length
    meeting.decided_by_id = actor.id
    meeting.decided_at = utcnow()
    db.session.flush()
    audit(
        "team_meeting.decided",
        meeting,
        unit_id=run.unit_id,
        actor=actor,
        changes={"action": action, "slot": meeting.start_slot_id, "length": meeting.length},
    )


def _meeting(team: Team, term_id: int) -> TeamMeeting:
    meeting = db.session.scalar(
        sa.select(TeamMeeting).where(TeamMeeting.team_id == team.id, TeamMeeting.term_id == term_id)
    )
    if meeting is None:
        meeting = TeamMeeting(team_id=team.id, term_id=term_id, length=team.meeting_slots)
        db.session.add(meeting)
    return meeting


def respond(proposal: Proposal, user: User, answer: Answer, comment: str | None) -> None:
    """A teacher's answer to a proposal that involves them."""
    if not proposal.involves(user.id):
        raise ReviewError(404, _("The page or record was not found."))
    require_reviewable(proposal.run)
    response = proposal.response_of(user.id)
    if response is None:
        response = ProposalResponse(proposal_id=proposal.id, user_id=user.id, answer=answer)
        db.session.add(response)
    response.answer = answer
    response.comment = (comment or "").strip()[:1000] or None
    response.answered_at = utcnow()
    db.session.flush()
    audit(
        "coteaching.proposal_answered",
        proposal,
        unit_id=proposal.run.unit_id,
        actor=user,
        changes={"answer": answer, "comment": response.comment},
    )


# --- publishing ------------------------------------------------------------------------------
@dataclass
class PublishSummary:
    published: int = 0
    added: int = 0
    removed: int = 0
    meetings: int = 0
    problems: list[str] = field(default_factory=list)


def publish_problems(term: Term) -> list[str]:
    """Why the accepted plan cannot be published as it is: someone in two places at once."""
    # Every lesson with its groups at once (the decisions below then find them loaded).
    lessons = term_lessons(term.id)
    decisions = list(
        db.session.scalars(
            sa.select(CoTeachingAssignment)
            .where(
                CoTeachingAssignment.term_id == term.id,
                CoTeachingAssignment.state == DecisionState.ACCEPTED,
            )
            .options(
                so.joinedload(CoTeachingAssignment.lesson).selectinload(Lesson.lesson_slots),
                so.joinedload(CoTeachingAssignment.coteacher),
            )
        )
    )
    busy: dict[tuple[int, int], str] = {
        (lesson.teacher_id, ls.slot_id): lesson.group_codes
        for lesson in lessons
        for ls in lesson.lesson_slots
    }
    problems = []
    slots = {s.id: s for s in term.slots}
    for decision in sorted(decisions, key=lambda d: (d.coteacher.name, d.lesson.code)):
        for ls in decision.lesson.lesson_slots:
            key = (decision.coteacher_id, ls.slot_id)
            slot = slots[ls.slot_id]
            if key in busy:
                problems.append(
                    _(
                        "%(name)s would be in two places at %(slot)s: %(one)s and %(other)s.",
                        name=decision.coteacher.name,
                        slot=slot_code(slot.day, slot.index),
                        one=busy[key],
                        other=decision.lesson.group_codes,
                    )
                )
            busy[key] = decision.lesson.group_codes
    return problems


def publish(term: Term, actor: User | None) -> PublishSummary:
    """Make the accepted co-teaching and the teams' draft meetings the unit's published
    timetable for the term. Raises ReviewError (409) when a run is active or the plan has
    clashes; the summary lists them."""
    if active_run(term.unit_id) is not None:
        raise ReviewError(409, _("Wait for the running solve to end before publishing."))
    problems = publish_problems(term)
    if problems:
        raise ReviewError(409, " ".join(problems))
    summary = PublishSummary()
    now = utcnow()
    for decision in db.session.scalars(
        sa.select(CoTeachingAssignment).where(CoTeachingAssignment.term_id == term.id)
    ):
        wanted = decision.state == DecisionState.ACCEPTED
        if wanted and not decision.published:
            summary.added += 1
            decision.published_at = now
        elif decision.published and not wanted:
            summary.removed += 1
        decision.published = wanted
        if decision.state == DecisionState.OPEN:
            db.session.delete(decision)
        summary.published += int(wanted)
    for meeting in db.session.scalars(sa.select(TeamMeeting).where(TeamMeeting.term_id == term.id)):
        meeting.published_slot_id = meeting.start_slot_id
        meeting.published_length = meeting.length if meeting.start_slot_id else None
        meeting.published_at = now if meeting.start_slot_id else None
        summary.meetings += int(meeting.start_slot_id is not None)
    db.session.flush()
    audit(
        "coteaching.published",
        term,
        unit_id=term.unit_id,
        actor=actor,
        changes={
            "lessons": summary.published,
            "added": summary.added,
            "removed": summary.removed,
            "meetings": summary.meetings,
        },
    )
    return summary
