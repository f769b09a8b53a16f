"""The whole flow through the pages: start a run, review, accept, publish, see it."""

import sqlalchemy as sa

from pdservice.coteaching.enums import RunStatus
from pdservice.coteaching.models import Proposal, SolveRun
from pdservice.coteaching.solving.execution import execute_run
from pdservice.coteaching.solving.runs import claim_run
from pdservice.extensions import db


def claim_and_solve(app, run_id):
    with app.app_context():
        claim_run(db.session.get(SolveRun, run_id), "test")
        db.session.commit()
        db.session.remove()
    return execute_run(app, run_id, "test")


def test_principal_runs_reviews_publishes_and_the_teacher_sees_it(app, client, login, school):
    login(school.principal)
    page = client.get(f"/coteaching/terms/{school.term_id}/runs/new")
    assert page.status_code == 200
    response = client.post(
        f"/coteaching/terms/{school.term_id}/runs/new",
        data={
            "time_limit_seconds": 2,
            "min_lessons": 2,
            "max_partners": 2,
            "max_coteachers": 1,
            "include_meetings": "y",
            "assume_willing": "y",
            "default_capacity": 4,
            "specialist_capacity": 8,
            **{
                f"weight_{k}": v
                for k, v in {
                    "support_need": 2,
                    "complementarity": 6,
                    "wish": 10,
                    "continuity": 5,
                    "coverage": 20,
                    "fairness": 4,
                    "compact_days": 3,
                    "stay": 30,
                }.items()
            },
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    run_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert client.get(f"/coteaching/runs/{run_id}").status_code == 200
    assert client.get(f"/coteaching/runs/{run_id}/status.json").json["status"] == "queued"
    claim_and_solve(app, run_id)
    with app.app_context():
        run = db.session.get(SolveRun, run_id)
        assert run.status == RunStatus.FINISHED, run.failure_reason
        proposal = db.session.scalars(sa.select(Proposal).where(Proposal.run_id == run_id)).first()
        proposal_id, pair = proposal.id, {proposal.teacher_a_id, proposal.teacher_b_id}
    page = client.get(f"/coteaching/runs/{run_id}")
    assert "Review the proposals" in page.get_data(as_text=True)
    review = client.get(f"/coteaching/runs/{run_id}/review")
    assert review.status_code == 200
    text = review.get_data(as_text=True)
    assert "Why this pair" in text
    assert (
        client.post(
            f"/coteaching/proposals/{proposal_id}/decide", data={"action": "accept"}
        ).status_code
        == 302
    )
    published = client.post(f"/coteaching/terms/{school.term_id}/publish", follow_redirects=True)
    assert "Published:" in published.get_data(as_text=True)
    teacher = next(u for u in school.staff if u.id in pair)
    login(teacher)
    week = client.get(f"/timetable/terms/{school.term_id}/teachers/{teacher.id}")
    assert "Co-teaching" in week.get_data(as_text=True)
    assert client.get("/coteaching/mine").status_code == 200
    assert client.get("/coteaching/").status_code == 200
    assert client.get("/home").status_code == 200
