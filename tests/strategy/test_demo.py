"""The demo city's year of snapshots and targets (seed idempotence: tests/test_seed.py)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from pdservice.clock import today
from pdservice.extensions import db
from pdservice.strategy.indicators import INDICATORS, compute_figures
from pdservice.strategy.models import IndicatorSnapshot, IndicatorTarget


def test_demo_has_a_year_of_plausible_snapshots_and_targets(app, demo_city):
    accounts = demo_city.accounts
    with app.app_context():
        days = db.session.scalars(
            sa.select(IndicatorSnapshot.taken_on).distinct().order_by(IndicatorSnapshot.taken_on)
        ).all()
        assert days[0] == today() - timedelta(days=365) and days[-1] == today()
        assert len(days) == 366
        city = {
            (code, day): value
            for code, day, value in db.session.execute(
                sa.select(
                    IndicatorSnapshot.indicator, IndicatorSnapshot.taken_on, IndicatorSnapshot.value
                ).where(IndicatorSnapshot.unit_id.is_(None))
            )
        }
        live = compute_figures(today())
        for indicator in INDICATORS:
            now = live.of(indicator.code, None).value
            assert city[(indicator.code, today())] == now
            series = [city[(indicator.code, d)] for d in days if (indicator.code, d) in city]
            assert len(series) == 366
            # Rising toward today, never above it: a city taking up co-teaching.
            assert series[0] <= now and max(series) <= now + 1e-9
            if indicator.measure == "percent":
                assert all(0 <= v <= 100 for v in series)
        assert city[("coteaching_teachers", days[0])] < city[("coteaching_teachers", today())]
        targets = db.session.scalars(sa.select(IndicatorTarget)).all()
        assert {t.indicator for t in targets if t.unit_id is None} == {i.code for i in INDICATORS}
        for t in targets:
            assert t.value >= (live.of(t.indicator, t.unit_id).value or 0)

    hr = next(a["email"] for a in accounts if a["role"] == "hr")
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.post("/login", data={"email": hr, "password": app.config["DEMO_PASSWORD"]})
    client.post("/language", data={"language": "en"})
    html = client.get("/strategy/").get_data(as_text=True)
    assert html.count("<polyline") == len(INDICATORS)
    assert html.count('role="img"') >= len(INDICATORS)
