"""Finding training: search filters, "matches my goals", recommendations, my enrolments,
and a bounded number of queries per page (no query per row)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from pdservice.clock import today
from pdservice.competences.enums import AssessmentSource
from pdservice.competences.models import CompetenceAssessment
from pdservice.core.models import CompetenceArea
from pdservice.extensions import db
from pdservice.training.enums import CourseFormat
from tests.factories import count_queries


def titles(client, **query) -> list[str]:
    page = client.get("/training/", query_string=query).get_data(as_text=True)
    import re

    return re.findall(r'href="/training/sessions/\d+">([^<]+)</a>', page)


@pytest.fixture
def catalogue(make_session, make_course):
    return {
        "digi": make_session(title="Digi", areas=("DIGI",), format=CourseFormat.ONLINE),
        "kiva": make_session(title="KiVa", areas=("SEL",), starts_in=timedelta(days=40)),
        "full": make_session(title="Full", areas=("INCL",), capacity=0),
        "past": make_session(title="Past", areas=("DIGI",), starts_in=timedelta(days=-5)),
    }


def test_search_filters(client, world, login, catalogue):
    login(world.teacher)
    assert titles(client) == ["Digi", "Full", "KiVa"]  # upcoming, soonest first
    assert titles(client, q="kiv") == ["KiVa"]
    assert titles(client, format="online") == ["Digi"]
    assert titles(client, free="1") == ["Digi", "KiVa"]
    later = (today() + timedelta(days=30)).isoformat()
    assert titles(client, **{"from": later}) == ["KiVa"]
    assert titles(client, to=later) == ["Digi", "Full"]
    assert titles(client, **{"from": (today() - timedelta(days=10)).isoformat()}) == [
        "Past",
        "Digi",
        "Full",
        "KiVa",
    ]


def test_area_filter_and_my_goals(app, client, world, login, catalogue):
    with app.app_context():
        sel = db.session.scalar(sa.select(CompetenceArea.id).where(CompetenceArea.code == "SEL"))
    login(world.teacher)
    assert titles(client, area=sel) == ["KiVa"]
    assert titles(client, goals="1") == []
    page = client.get("/training/?goals=1").get_data(as_text=True)
    assert "has no goals yet" in page
    client.post("/competences/plan")
    from tests.competences.test_competences import in_this_year

    with app.app_context():
        from pdservice.competences.models import DevelopmentPlan

        plan_id = db.session.scalar(sa.select(DevelopmentPlan.id))
    client.post(
        f"/competences/plans/{plan_id}/goals",
        data={
            "area_id": sel,
            "target_level": "3",
            "planned_actions": "x",
            "due_on": in_this_year(app),
        },
    )
    assert titles(client, goals="1") == ["KiVa"]


def test_bad_dates_are_refused(client, world, login):
    login(world.teacher)
    assert client.get("/training/?from=yesterday").status_code == 400


def test_recommendations_follow_goals_and_low_areas(app, client, world, login, catalogue, enrol_as):
    with app.app_context():
        ids = dict(db.session.execute(sa.select(CompetenceArea.code, CompetenceArea.id)).all())
        for code, level in (("SEL", 1), ("DIGI", 4), ("INCL", 2)):
            db.session.add(
                CompetenceAssessment(
                    user_id=world.teacher.id,
                    area_id=ids[code],
                    level=level,
                    source=AssessmentSource.SELF,
                )
            )
        db.session.commit()
    login(world.teacher)
    page = client.get("/training/").get_data(as_text=True)
    section = page[page.index("Suggested for you") : page.index("</section>")]
    assert "KiVa" in section and "Full" in section and "Digi" not in section
    assert "Develops an area you rated low" in section
    # Enrolled: no longer suggested.
    enrol_as(catalogue["kiva"], world.teacher)
    page = client.get("/training/").get_data(as_text=True)
    assert "KiVa" not in page[page.index("Suggested for you") : page.index("</section>")]


def test_pages_run_a_bounded_number_of_queries(
    app, client, world, login, make_user, make_session, enrol_as
):
    """Twenty sessions or two, with enrolments or not: the same number of queries."""

    def measure():
        login(world.teacher)
        with count_queries(app) as catalogue_queries:
            assert client.get("/training/").status_code == 200
        with count_queries(app) as mine_queries:
            assert client.get("/training/my").status_code == 200
        return catalogue_queries["n"], mine_queries["n"]

    people = [make_user(units=[world.unit_a]) for _ in range(3)]
    few = [make_session(capacity=1) for _ in range(2)]
    enrol_as(few[0], world.teacher)
    enrol_as(few[1], people[0])
    enrol_as(few[1], world.teacher)  # on the waiting list
    small = measure()
    many = [make_session(capacity=1, areas=("DIGI", "SEL")) for _ in range(18)]
    for n, session in enumerate(many):
        for person in people:
            enrol_as(session, person)
        if n % 2:
            enrol_as(session, world.teacher)  # on the waiting list
    large = measure()
    assert large == small, (small, large)
    assert large[0] <= 16 and large[1] <= 12
