"""Review: decisions on pairs and lessons, pins and rejections honoured by the next run, the
teachers' answers, publishing."""

from __future__ import annotations

import sqlalchemy as sa

from pdservice.core.models import AuditLog
from pdservice.coteaching.enums import DecisionState, RunStatus
from pdservice.coteaching.models import (
    CoTeachingAssignment,
    Proposal,
    ProposalLesson,
    ProposalResponse,
    RejectedPair,
    SolveRun,
)
from pdservice.extensions import db
from tests.timetable.factories import lesson_id


def plan(app, run_id) -> set[tuple[str, int]]:
    """(lesson code, co-teacher id) of a run's proposals."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(ProposalLesson.coteacher_id, ProposalLesson.lesson_id)
            .join(Proposal, Proposal.id == ProposalLesson.proposal_id)
            .where(Proposal.run_id == run_id)
        ).all()
        from pdservice.timetable.models import Lesson

        result = {(db.session.get(Lesson, lid).code, uid) for uid, lid in rows}
        db.session.remove()
        return result


def first_proposal(app, run_id) -> tuple[int, tuple[int, int], list[int]]:
    with app.app_context():
        proposal = db.session.scalars(
            sa.select(Proposal).where(Proposal.run_id == run_id).order_by(Proposal.rank)
        ).first()
        result = (
            proposal.id,
            (proposal.teacher_a_id, proposal.teacher_b_id),
            [item.id for item in proposal.lessons],
        )
        db.session.remove()
        return result


def decisions(app, term_id) -> dict[tuple[int, int], CoTeachingAssignment]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(CoTeachingAssignment).where(CoTeachingAssignment.term_id == term_id)
        ).all()
        for row in rows:
            db.session.expunge(row)
        db.session.remove()
        return {(r.lesson_id, r.coteacher_id): r for r in rows}


def test_pins_and_rejections_are_honoured_by_the_next_run(app, school, solve_now, client, login):
    first, _ = solve_now(school.term_id, school.principal.id)
    login(school.principal)
    # Pin Bea to 3A's Tuesday maths lesson by hand, reject Sam joining 3A-MA-Mo1, and reject
    # the pair of Teacher A and Sam altogether.
    tu1 = lesson_id(app, school.term_id, "3A-MA-Tu1")
    response = client.post(
        f"/coteaching/terms/{school.term_id}/decisions",
        data={"lesson_id": tu1, "coteacher_id": school.bea.id},
    )
    assert response.status_code == 302
    with app.app_context():
        mo1 = lesson_id(app, school.term_id, "3A-MA-Mo1")
        db.session.add(
            CoTeachingAssignment(
                term_id=school.term_id,
                lesson_id=mo1,
                coteacher_id=school.sam.id,
                state=DecisionState.REJECTED,
            )
        )
        low, high = sorted((school.teacher.id, school.sam.id))
        db.session.add(
            RejectedPair(term_id=school.term_id, teacher_low_id=low, teacher_high_id=high)
        )
        db.session.commit()
        db.session.remove()
    second, result = solve_now(school.term_id, school.principal.id)
    planned = plan(app, second)
    assert ("3A-MA-Tu1", school.bea.id) in planned
    assert ("3A-MA-Mo1", school.sam.id) not in planned
    pairs = {tuple(sorted(p.teachers)) for p in result.proposals}
    assert tuple(sorted(("teacher.a@example.org", "sam.special@example.org"))) not in pairs
    assert result.changes is not None  # solved against the previous plan
    with app.app_context():
        run = db.session.get(SolveRun, second)
        assert run.previous_run_id == first and run.status == RunStatus.FINISHED


def test_a_new_run_changes_as_little_as_it_can(app, school, solve_now):
    first, one = solve_now(school.term_id)
    second, two = solve_now(school.term_id)
    assert plan(app, first) == plan(app, second)
    assert two.changes["added"] == [] and two.changes["removed"] == []
    assert any(t.code == "stay" for p in two.proposals for t in p.terms)


def test_accepting_and_rejecting_a_pair_and_single_lessons(app, school, solve_now, client, login):
    run_id, _ = solve_now(school.term_id)
    proposal_id, (a, b), items = first_proposal(app, run_id)
    login(school.principal)
    assert (
        client.post(
            f"/coteaching/proposals/{proposal_id}/decide", data={"action": "accept"}
        ).status_code
        == 302
    )
    rows = decisions(app, school.term_id)
    assert len(rows) == len(items) and all(r.state == DecisionState.ACCEPTED for r in rows.values())
    assert (
        client.post(
            f"/coteaching/proposal-lessons/{items[0]}/decide", data={"action": "pin"}
        ).status_code
        == 302
    )
    assert sum(r.pinned for r in decisions(app, school.term_id).values()) == 1
    client.post(f"/coteaching/proposals/{proposal_id}/decide", data={"action": "reject"})
    rows = decisions(app, school.term_id)
    assert all(r.state == DecisionState.REJECTED and not r.pinned for r in rows.values())
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(RejectedPair.id))) == 1
        actions = set(db.session.scalars(sa.select(AuditLog.action)))
        assert {"coteaching.decided", "coteaching.pair_decided"} <= actions
    client.post(f"/coteaching/proposals/{proposal_id}/decide", data={"action": "reset"})
    assert decisions(app, school.term_id) == {}
    bad = client.post(f"/coteaching/proposal-lessons/{items[0]}/decide", data={"action": "burn"})
    assert bad.status_code == 400


def test_decisions_on_an_old_run_or_another_units_run_are_refused(
    app, school, solve_now, client, login, world
):
    old, _ = solve_now(school.term_id)
    solve_now(school.term_id)
    proposal_id, _pair, items = first_proposal(app, old)
    login(school.principal)
    response = client.post(f"/coteaching/proposals/{proposal_id}/decide", data={"action": "accept"})
    assert response.status_code == 409
    assert "Decide on the newest run instead" in response.get_data(as_text=True)
    login(world.principal_b)
    assert (
        client.post(
            f"/coteaching/proposal-lessons/{items[0]}/decide", data={"action": "accept"}
        ).status_code
        == 404
    )
    assert client.get(f"/coteaching/runs/{old}/review").status_code == 404
    assert decisions(app, school.term_id) == {}


def test_a_failed_run_has_nothing_to_decide(app, school, client, login):
    with app.app_context():
        run = SolveRun(
            unit_id=school.unit.id,
            term_id=school.term_id,
            status=RunStatus.FAILED,
            timetable_version=1,
        )
        db.session.add(run)
        db.session.commit()
        run_id = run.id
    login(school.principal)
    assert client.get(f"/coteaching/runs/{run_id}/review").status_code == 302


def test_manual_pins_that_cannot_work_are_refused(app, school, client, login):
    login(school.principal)
    mo1 = lesson_id(app, school.term_id, "3A-MA-Mo1")
    own = client.post(
        f"/coteaching/terms/{school.term_id}/decisions",
        data={"lesson_id": mo1, "coteacher_id": school.teacher.id},
    )
    assert own.status_code == 422 and "teaches this lesson" in own.get_data(as_text=True)
    busy = client.post(
        f"/coteaching/terms/{school.term_id}/decisions",
        data={"lesson_id": mo1, "coteacher_id": school.bea.id},
    )
    assert busy.status_code == 422 and "Bea Class teaches 3B at that time" in busy.get_data(
        as_text=True
    )
    assert decisions(app, school.term_id) == {}


def test_teachers_answer_the_proposals_that_involve_them(app, school, solve_now, client, login):
    run_id, _ = solve_now(school.term_id)
    proposal_id, pair, _items = first_proposal(app, run_id)
    involved = next(u for u in school.staff + [school.principal] if u.id in pair)
    outsider = next(u for u in school.staff if u.id not in pair)
    login(involved)
    page = client.get("/coteaching/mine").get_data(as_text=True)
    assert f'id="proposal-{proposal_id}"' in page and "Why this pair" in page
    response = client.post(
        f"/coteaching/proposals/{proposal_id}/respond",
        data={"answer": "decline", "comment": "Tuesdays are impossible for me"},
    )
    assert response.status_code == 302
    login(outsider)
    assert f'id="proposal-{proposal_id}"' not in client.get("/coteaching/mine").get_data(
        as_text=True
    )
    denied = client.post(f"/coteaching/proposals/{proposal_id}/respond", data={"answer": "accept"})
    assert denied.status_code == 404
    login(school.principal)
    review = client.get(f"/coteaching/runs/{run_id}/review").get_data(as_text=True)
    assert "Declined" in review and "Tuesdays are impossible for me" in review
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ProposalResponse.id))) == 1


def test_publish_makes_the_accepted_plan_the_timetable(app, school, solve_now, client, login):
    run_id, _ = solve_now(school.term_id)
    proposal_id, pair, items = first_proposal(app, run_id)
    login(school.principal)
    client.post(f"/coteaching/proposals/{proposal_id}/decide", data={"action": "accept"})
    host = next(u for u in school.staff if u.id in pair)
    week_before = client.get(f"/timetable/terms/{school.term_id}/teachers/{host.id}")
    assert "entry-coteaching" not in week_before.get_data(as_text=True)  # not yet published
    response = client.post(f"/coteaching/terms/{school.term_id}/publish")
    assert response.status_code == 302
    rows = decisions(app, school.term_id)
    assert rows and all(r.published and r.published_at for r in rows.values())
    with app.app_context():
        entry = db.session.scalar(
            sa.select(AuditLog).where(AuditLog.action == "coteaching.published")
        )
        assert entry.actor_id == school.principal.id and entry.changes["added"] == len(items)
    week = client.get(f"/timetable/terms/{school.term_id}/teachers/{host.id}").get_data(
        as_text=True
    )
    assert "entry entry-coteaching" in week and "This week has 0 co-taught" not in week
    # Undo one lesson: it stays in the timetable until the next publish, then leaves.
    client.post(f"/coteaching/proposal-lessons/{items[0]}/decide", data={"action": "reset"})
    assert sum(r.published for r in decisions(app, school.term_id).values()) == len(items)
    client.post(f"/coteaching/terms/{school.term_id}/publish")
    assert sum(r.published for r in decisions(app, school.term_id).values()) == len(items) - 1


def test_publishing_a_plan_with_clashes_is_refused(app, school, client, login):
    mo1 = lesson_id(app, school.term_id, "3A-MA-Mo1")
    bea_mo1 = lesson_id(app, school.term_id, "3B-AI-Mo1")
    with app.app_context():
        for lesson in (mo1, bea_mo1):
            db.session.add(
                CoTeachingAssignment(
                    term_id=school.term_id,
                    lesson_id=lesson,
                    coteacher_id=school.sam.id,
                    state=DecisionState.ACCEPTED,
                )
            )
        db.session.commit()
    login(school.principal)
    response = client.post(f"/coteaching/terms/{school.term_id}/publish")
    assert response.status_code == 409
    assert "Sam Special would be in two places at Mo-1" in response.get_data(as_text=True)
    assert not any(r.published for r in decisions(app, school.term_id).values())


def test_publishing_while_a_run_is_active_is_refused(app, school, client, login):
    with app.app_context():
        db.session.add(
            SolveRun(unit_id=school.unit.id, term_id=school.term_id, status=RunStatus.RUNNING)
        )
        db.session.commit()
    login(school.principal)
    assert client.post(f"/coteaching/terms/{school.term_id}/publish").status_code == 409


def test_a_new_run_releases_accepted_lessons_it_no_longer_contains(app, school, solve_now):
    """Accepted (not pinned) lessons are kept when they fit; one that cannot be kept (here:
    its co-teacher is no longer willing) is released, and published ones wait for publish."""
    from pdservice.coteaching.models import CoTeachingPreference

    run_id, _ = solve_now(school.term_id)
    _pid, pair, _items = first_proposal(app, run_id)
    with app.app_context():
        items = db.session.scalars(
            sa.select(ProposalLesson).join(Proposal).where(Proposal.run_id == run_id)
        ).all()
        for item in items:
            db.session.add(
                CoTeachingAssignment(
                    term_id=school.term_id,
                    lesson_id=item.lesson_id,
                    coteacher_id=item.coteacher_id,
                    state=DecisionState.ACCEPTED,
                    published=item.coteacher_id == school.sam.id,
                )
            )
        for user in school.staff:
            db.session.add(
                CoTeachingPreference(
                    term_id=school.term_id, user_id=user.id, willing=False, max_lessons=0
                )
            )
        db.session.commit()
        count = len(items)
        published = sum(1 for i in items if i.coteacher_id == school.sam.id)
    second, result = solve_now(school.term_id)
    assert result.proposals == []
    rows = decisions(app, school.term_id)
    assert len(rows) == published
    assert all(r.state == DecisionState.OPEN and r.published for r in rows.values())
    with app.app_context():
        assert db.session.get(SolveRun, second).result["released"] == count
