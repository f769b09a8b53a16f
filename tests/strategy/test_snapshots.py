"""The nightly snapshot job: every indicator per unit and for the city, idempotent per night."""

from __future__ import annotations

import sqlalchemy as sa

from pdservice.clock import today
from pdservice.db import write_intent
from pdservice.extensions import db
from pdservice.jobs.registry import JOBS
from pdservice.strategy.indicators import INDICATORS
from pdservice.strategy.models import IndicatorSnapshot


def _rows(app) -> list[tuple]:
    with app.app_context():
        return sorted(
            db.session.execute(
                sa.select(
                    IndicatorSnapshot.indicator,
                    sa.func.coalesce(IndicatorSnapshot.unit_id, 0),
                    IndicatorSnapshot.taken_on,
                    IndicatorSnapshot.value,
                    IndicatorSnapshot.numerator,
                    IndicatorSnapshot.denominator,
                    IndicatorSnapshot.source,
                )
            ).all()
        )


def _run_job(app) -> None:
    import pdservice.strategy.jobs  # noqa: F401 - registers the job

    with app.app_context(), write_intent():
        JOBS["strategy.record_snapshots"].func()
        db.session.commit()


def test_nightly_job_records_every_indicator_per_unit_and_city(app, indicator_city):
    _run_job(app)
    rows = _rows(app)
    a, b = indicator_city.ids["unit_a"], indicator_city.ids["unit_b"]
    by_key = {(r[0], r[1]): r for r in rows}
    assert {r[2] for r in rows} == {today()}
    for indicator in INDICATORS:
        assert (indicator.code, a) in by_key
        assert (indicator.code, 0) in by_key  # the city
    # B has no group with group-specific support: no share to record.
    assert ("support_groups_coteaching", b) not in by_key
    assert by_key[("coteaching_teachers", a)][3:6] == (60.0, 3.0, 5.0)
    assert by_key[("coteaching_teachers", 0)][3] == 42.86
    assert by_key[("cotaught_lessons", 0)][3] == 2.0
    assert all(r[6] == "nightly" for r in rows)


def test_running_the_job_twice_in_a_night_gives_the_same_rows(app, indicator_city):
    _run_job(app)
    first = _rows(app)
    _run_job(app)
    assert _rows(app) == first
    assert len(first) == 6 * 2 + 6 - 1  # 6 indicators × (A, city) + B's five


def test_a_second_run_records_what_changed_since(app, indicator_city):
    """Idempotent per night, but not frozen: a later run that night replaces the day's rows."""
    from pdservice.teams.models import TeamMeeting

    _run_job(app)
    with app.app_context():
        db.session.execute(sa.delete(TeamMeeting))
        db.session.commit()
    _run_job(app)
    values = {(r[0], r[1]): r[3] for r in _rows(app)}
    assert values[("teams_with_meeting", indicator_city.ids["unit_a"])] == 0


def test_snapshot_command_does_what_the_job_does(app, indicator_city, runner):
    result = runner.invoke(args=["strategy", "snapshot"])
    assert result.exit_code == 0, result.output
    assert "17 snapshots recorded" in result.output
    assert len(_rows(app)) == 17
