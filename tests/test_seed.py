"""The demo city and the reference data."""

import sqlalchemy as sa

from pdservice.core.models import CompetenceArea, Unit, UnitMembership, User
from pdservice.core.reference import COMPETENCE_AREAS
from pdservice.extensions import db


def table_counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t))
            for t in db.metadata.sorted_tables
            if t.name not in {"login_attempt", "job_heartbeat", "job_lock"}
        }


def test_seed_demo_builds_the_city(app, demo_city):
    assert demo_city.exit_code == 0, demo_city.output
    accounts = demo_city.accounts
    roles = {a["role"] for a in accounts}
    assert {"admin", "hr", "principal", "teacher"} <= roles
    assert {a["unit"] for a in accounts if a["role"] == "principal"} == {
        "koivurinne",
        "lehtola",
        "bjorkby",
        "kuusikko",
    }
    with app.app_context():
        units = db.session.scalars(sa.select(Unit)).all()
        assert len(units) == 4
        assert sorted(str(u.language) for u in units) == ["fi", "fi", "fi", "sv"]
        staff = db.session.scalar(sa.select(sa.func.count(User.id)))
        assert 100 <= staff <= 140
        professions = {str(p) for p in db.session.scalars(sa.select(User.profession))}
        assert {
            "class_teacher",
            "subject_teacher",
            "special_needs_teacher",
            "school_assistant",
            "psychologist",
            "school_social_worker",
            "nurse",
            "principal",
        } <= professions
        principal = db.session.scalar(sa.select(User).where(User.email == accounts[2]["email"]))
        assert principal.check_password(app.config["DEMO_PASSWORD"])
        # Published pairs have planned together, and the ledger counts it as its own kind
        # (from the term's third week on: on the first school days there is nothing yet).
        from pdservice.clock import today
        from pdservice.coteaching.models import PlanningEntry
        from pdservice.hours.enums import HoursKind
        from pdservice.hours.models import DevelopmentHours
        from pdservice.timetable.models import Term

        started = db.session.scalar(sa.select(sa.func.min(Term.starts_on)))
        if (today() - started).days > 21:
            entries = db.session.scalar(sa.select(sa.func.count(PlanningEntry.id)))
            credited = db.session.scalar(
                sa.select(sa.func.count(DevelopmentHours.id)).where(
                    DevelopmentHours.kind == HoursKind.COTEACHING_PLANNING
                )
            )
            assert entries >= 10 and credited == 2 * entries


def test_seed_demo_twice_changes_nothing(runner, app, demo_city):
    first = demo_city
    counts = table_counts(app)
    second = runner.invoke(args=["seed", "demo", "--json"])
    assert second.exit_code == 0
    assert first.output == second.output
    assert table_counts(app) == counts


def test_seed_demo_prints_a_table(runner, demo_city):
    result = runner.invoke(args=["seed", "demo"])
    assert "role" in result.output and "admin@vantaa.example" in result.output


def test_seed_demo_if_empty_leaves_a_real_database_alone(runner, app, make_user):
    make_user(email="real.person@example.org")
    result = runner.invoke(args=["seed", "demo", "--if-empty"])
    assert result.exit_code == 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Unit.id))) == 0


def test_seed_demo_needs_a_password(runner, app):
    saved = app.config["DEMO_PASSWORD"]
    app.config["DEMO_PASSWORD"] = None
    try:
        result = runner.invoke(args=["seed", "demo"])
    finally:
        app.config["DEMO_PASSWORD"] = saved
    assert result.exit_code == 2
    assert "PDSERVICE_DEMO_PASSWORD" in result.output


def test_demo_principal_home_in_finnish(app, demo_city):
    client = app.test_client()
    accounts = demo_city.accounts
    principal = next(a for a in accounts if a["role"] == "principal" and a["unit"] == "lehtola")
    response = client.post(
        "/login", data={"email": principal["email"], "password": app.config["DEMO_PASSWORD"]}
    )
    assert response.status_code == 302
    page = client.get("/home").get_data(as_text=True)
    assert '<html lang="fi">' in page and "Johtamasi yksiköt" in page
    with app.app_context():
        unit = db.session.scalar(sa.select(Unit).where(Unit.code == "lehtola"))
        members = db.session.scalar(
            sa.select(sa.func.count(UnitMembership.id)).where(UnitMembership.unit_id == unit.id)
        )
    assert f'<td class="num">{members}</td>' in page


def test_reference_seed_is_idempotent_and_complete(runner, app):
    assert runner.invoke(args=["seed", "reference"]).exit_code == 0
    with app.app_context():
        codes = list(
            db.session.scalars(sa.select(CompetenceArea.code).order_by(CompetenceArea.sort_order))
        )
    assert codes == [row[0] for row in COMPETENCE_AREAS]
    assert "0 rows" in runner.invoke(args=["seed", "reference"]).output
