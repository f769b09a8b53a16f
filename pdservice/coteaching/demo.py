"""Demo step: teachers' wishes, a finished solve run, the principal's review, the teachers'
answers and the published co-teaching timetable for every demo school, so that a new user
sees the whole flow on first start.

The run is a real solve (same code as `flask coteach solve`) with a short time limit
(`COTEACH_DEMO_SOLVE_SECONDS`); a school whose term already has a run is left as it is, so
seeding twice changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from pdservice.core.enums import Profession
from pdservice.core.models import User
from pdservice.coteaching.enums import Answer
from pdservice.coteaching.models import Proposal, SolveRun
from pdservice.coteaching.review.decisions import decide_meeting, decide_pair, publish, respond
from pdservice.coteaching.solving.execution import execute_run
from pdservice.coteaching.solving.parameters import default_parameters
from pdservice.coteaching.solving.runs import claim_run, start_run
from pdservice.coteaching.wishes import Wish, save_wish, term_subject_codes
from pdservice.db import write_intent
from pdservice.extensions import db
from pdservice.timetable.demo import demo_term_name, demo_units
from pdservice.timetable.services import find_term, unit_principal_ids, unit_staff

CO_TEACHING = (
    Profession.CLASS_TEACHER,
    Profession.SUBJECT_TEACHER,
    Profession.SPECIAL_NEEDS_TEACHER,
    Profession.SPECIAL_CLASS_TEACHER,
)
SPECIALISTS = (Profession.SPECIAL_NEEDS_TEACHER, Profession.SPECIAL_CLASS_TEACHER)
PLANNING_NOTE = "Yhteinen suunnittelu: tavoitteet, työnjako ja eriyttäminen."
COMMENTS = (
    "Sopii hyvin, suunnitellaan yhdessä tiistaisin.",
    "Hyvä pari, aloitetaan syyskuussa.",
    "Passar bra, vi planerar tillsammans.",
)


def seed(ctx) -> None:
    """The demo's co-teaching: wishes and a reviewed, published run in every demo school.
    No mails: nobody was waiting for these proposals."""
    from pdservice.notifications.services import notifications_suppressed

    with notifications_suppressed():
        _seed(ctx)


def _seed(ctx) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for unit in demo_units():
        term = find_term(unit, demo_term_name(unit))
        if term is None or not term.has_timetable:
            continue
        if db.session.scalar(sa.select(SolveRun.id).where(SolveRun.term_id == term.id).limit(1)):
            continue
        rng = ctx.rng(f"coteaching:{unit.code}")
        staff = unit_staff(unit.id)
        teachers = [u for u in staff if u.profession in CO_TEACHING]
        subjects = [code for code, _name in term_subject_codes(term.id)]
        staff_ids = {u.id for u in staff}
        for user in teachers:
            if rng.random() < 0.25:
                continue  # not everyone states wishes; a run assumes them willing
            others = [u for u in teachers if u.id != user.id]
            wished = [rng.choice(others).id] if others and rng.random() < 0.35 else []
            avoided = (
                [rng.choice([u for u in others if u.id not in wished]).id]
                if len(others) > 1 and rng.random() < 0.06
                else []
            )
            specialist = user.profession in SPECIALISTS
            save_wish(
                term,
                user,
                Wish(
                    willing=specialist or rng.random() < 0.88,
                    max_lessons=rng.choice((6, 8, 10)) if specialist else rng.choice((2, 3, 4, 4)),
                    subjects=tuple(rng.sample(subjects, 2))
                    if subjects and rng.random() < 0.1
                    else (),
                    wished=tuple(wished),
                    avoided=tuple(avoided),
                ),
                staff_ids,
            )
        principal_ids = sorted(unit_principal_ids(unit.id))
        principal = db.session.get(User, principal_ids[0]) if principal_ids else None
        parameters = default_parameters(float(app.config["COTEACH_DEMO_SOLVE_SECONDS"]))
        run = start_run(term, parameters, principal)
        claim_run(run, "demo")
        run_id = run.id
        # The solve writes in transactions of its own: commit what the step made so far.
        db.session.commit()
        execute_run(app, run_id, "demo")
        with write_intent():
            run = db.session.get(SolveRun, run_id)
            db.session.refresh(run)
            if run.status.has_plan:
                _review_and_publish(run, principal, rng)
            db.session.commit()


def _review_and_publish(run: SolveRun, principal: User | None, rng) -> None:
    """Accept the pairs (but the last of a long list, which the principal rejects), accept
    the meetings, let the teachers answer, publish."""
    proposals = list(
        db.session.scalars(
            sa.select(Proposal).where(Proposal.run_id == run.id).order_by(Proposal.rank)
        )
    )
    for index, proposal in enumerate(proposals):
        action = "reject" if len(proposals) > 4 and index == len(proposals) - 1 else "accept"
        decide_pair(run, proposal, action, principal)
        for user in (proposal.teacher_a, proposal.teacher_b):
            if rng.random() < 0.7:
                respond(proposal, user, Answer.ACCEPT, rng.choice(COMMENTS))
    for meeting in run.meeting_proposals:
        if principal is not None:
            decide_meeting(run, meeting, "accept", principal)
    publish(run.term, principal)
    _log_planning(run.term, rng)


def _log_planning(term, rng) -> None:
    """Most published pairs have already planned together a few times this term (on school
    days since the term's third week), so the hours ledger and the HR reports show the
    co-teaching planning kind."""
    from pdservice.clock import today
    from pdservice.coteaching.published.planning import log_planning
    from pdservice.coteaching.services import published_pairs

    first, last = (
        term.starts_on + timedelta(days=14),
        min(term.ends_on, today() - timedelta(days=1)),
    )
    days = [
        first + timedelta(days=n)
        for n in range((last - first).days + 1)
        if (first + timedelta(days=n)).weekday() < 5
    ]
    if not days:
        return
    for low, high in sorted(published_pairs(term.id)):
        if rng.random() < 0.25:
            continue
        a, b = db.session.get(User, low), db.session.get(User, high)
        for occurred_on in sorted(rng.sample(days, min(len(days), rng.randint(1, 3)))):
            hours = Decimal(rng.choice(("0.75", "1", "1.5")))
            user, partner = (a, b) if rng.random() < 0.5 else (b, a)
            log_planning(term, user, partner, occurred_on, hours, PLANNING_NOTE)
