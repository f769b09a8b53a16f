"""Co-teaching's part in other features: what a timetable import keeps, the home panel, and
the questions a teacher's pages ask (my proposals, my pairs)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _
from flask_babel import ngettext

from pdservice.core.enums import TEACHING_PROFESSIONS, Role
from pdservice.core.models import User
from pdservice.coteaching.enums import DecisionState
from pdservice.coteaching.models import (
    CoTeachingAssignment,
    Proposal,
    ProposalLesson,
    SolveRun,
)
from pdservice.coteaching.solving.runs import active_run, latest_plan_run
from pdservice.extensions import db
from pdservice.timetable.models import Lesson, Term
from pdservice.timetable.replace import (
    ReplaceReport,
    TimetableData,
    TimetableLocked,
    on_after_replace,
    on_before_replace,
)
from pdservice.timetable.services import is_unit_member, teaching_slots, terms_of


# --- timetable imports ------------------------------------------------------------------------
def _refuse_while_solving(term: Term) -> None:
    if active_run(term.unit_id) is not None:
        raise TimetableLocked(
            _("A solve run of this unit is in progress. Import the timetable when it has ended.")
        )


def _keep_what_applies(term: Term, data: TimetableData, report: ReplaceReport) -> None:
    """After a re-import, drop co-teaching decisions that no longer make sense (the lesson is
    now the co-teacher's own, or the co-teacher teaches elsewhere at its time, or left the
    unit), and pin co-teaching the file itself contains."""
    own = teaching_slots(term.id)
    kept = dropped = 0
    for decision in db.session.scalars(
        sa.select(CoTeachingAssignment)
        .where(CoTeachingAssignment.term_id == term.id)
        .options(so.joinedload(CoTeachingAssignment.lesson).selectinload(Lesson.lesson_slots))
    ):
        lesson = decision.lesson
        if (
            lesson.teacher_id == decision.coteacher_id
            or any(ls.slot_id in own.get(decision.coteacher_id, ()) for ls in lesson.lesson_slots)
            or not is_unit_member(decision.coteacher_id, term.unit_id)
        ):
            db.session.delete(decision)
            dropped += 1
        else:
            kept += 1
    db.session.flush()
    lessons = dict(
        db.session.execute(sa.select(Lesson.code, Lesson.id).where(Lesson.term_id == term.id)).all()
    )
    pinned = 0
    for code, user_id in data.pins:
        lesson_id = lessons.get(code)
        exists = db.session.scalar(
            sa.select(CoTeachingAssignment.id).where(
                CoTeachingAssignment.lesson_id == lesson_id,
                CoTeachingAssignment.coteacher_id == user_id,
            )
        )
        if lesson_id is not None and exists is None:
            db.session.add(
                CoTeachingAssignment(
                    term_id=term.id,
                    lesson_id=lesson_id,
                    coteacher_id=user_id,
                    state=DecisionState.ACCEPTED,
                    pinned=True,
                )
            )
            pinned += 1
    db.session.flush()
    if kept:
        report.notes.append(
            ngettext(
                "%(num)d co-teaching decision still applies and was kept.",
                "%(num)d co-teaching decisions still apply and were kept.",
                kept,
            )
        )
    if dropped:
        report.notes.append(
            ngettext(
                "%(num)d co-teaching decision no longer applies and was removed.",
                "%(num)d co-teaching decisions no longer apply and were removed.",
                dropped,
            )
        )
    if pinned:
        report.notes.append(
            ngettext(
                "%(num)d lesson of the file already has a second teacher: pinned as co-teaching.",
                "%(num)d lessons of the file already have a second teacher: pinned as co-teaching.",
                pinned,
            )
        )


on_before_replace("coteaching", _refuse_while_solving)
on_after_replace("coteaching", _keep_what_applies)


# --- a teacher's view ------------------------------------------------------------------------
def my_proposals(user: User) -> list[tuple[Term, SolveRun, list[Proposal]]]:
    """Per term of the user's units: the current plan's proposals that involve the user."""
    result = []
    for term in terms_of(user.member_unit_ids):
        run = latest_plan_run(term.id)
        if run is None or run.timetable_version != term.timetable_version:
            continue
        proposals = list(
            db.session.scalars(
                sa.select(Proposal)
                .where(
                    Proposal.run_id == run.id,
                    sa.or_(Proposal.teacher_a_id == user.id, Proposal.teacher_b_id == user.id),
                )
                .options(
                    so.selectinload(Proposal.lessons).joinedload(ProposalLesson.lesson),
                    so.selectinload(Proposal.responses),
                )
                .order_by(Proposal.rank)
            )
        )
        if proposals:
            result.append((term, run, proposals))
    return result


def published_pairs(term_id: int) -> dict[tuple[int, int], list[CoTeachingAssignment]]:
    """The term's published co-teaching by pair (lower user id first)."""
    pairs: dict[tuple[int, int], list[CoTeachingAssignment]] = defaultdict(list)
    for decision in db.session.scalars(
        sa.select(CoTeachingAssignment)
        .where(CoTeachingAssignment.term_id == term_id, CoTeachingAssignment.published)
        .options(so.joinedload(CoTeachingAssignment.lesson))
    ):
        a, b = decision.coteacher_id, decision.lesson.teacher_id
        pairs[(min(a, b), max(a, b))].append(decision)
    return pairs


def home_panel(user: User) -> dict[str, Any]:
    proposals = my_proposals(user)
    open_count = sum(
        1
        for _term, _run, items in proposals
        for proposal in items
        if proposal.response_of(user.id) is None
    )
    runs = []
    if Role.PRINCIPAL in user.roles:
        runs = list(
            db.session.scalars(
                sa.select(SolveRun)
                .where(SolveRun.unit_id.in_(user.principal_unit_ids))
                .order_by(SolveRun.id.desc())
                .limit(3)
                .options(so.joinedload(SolveRun.term), so.joinedload(SolveRun.unit))
            )
        )
    return {
        "open_proposals": open_count,
        "proposal_terms": proposals,
        "recent_runs": runs,
        # HR specialists, psychologists and the like teach no lessons: no wishes to state.
        "can_coteach": user.profession in TEACHING_PROFESSIONS,
    }
