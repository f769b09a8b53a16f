"""The demo's strategy dashboard: a year of nightly snapshots and this school year's targets.

The snapshots end at the demo city's real figures of today (computed from the co-teaching and
teams the earlier steps made) and rise to them over the past year in steps at the term starts
(mid-August and early January) and an occasional republish in between, as a city that is
taking up co-teaching would. Co-teaching figures of a unit move together; team figures move
less (most teams existed already). Deterministic (the step's own random generator) and
idempotent: only days without snapshots get them, only missing targets are set.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import sqlalchemy as sa

from pdservice.clock import today
from pdservice.core.services import school_year_for
from pdservice.extensions import db
from pdservice.strategy.indicators import INDICATORS, PERCENT, RATIO, compute_figures
from pdservice.strategy.models import IndicatorSnapshot, IndicatorTarget

DAYS = 365
TEAM_INDICATORS = ("teams_with_meeting", "multiprofessional_staff")


def term_starts(first: date, last: date) -> list[date]:
    starts = []
    for year in range(first.year, last.year + 1):
        starts += [date(year, 1, 7), date(year, 8, 10)]
    return [d for d in starts if first < d <= last]


def ramp(rng, first: date, last: date, start_share: float) -> dict[date, float]:
    """The share of today's figure on each day of [first, last): steps at term starts, an
    occasional step in between, reaching 1 at the last term start."""
    starts = term_starts(first, last)
    levels = [
        start_share + (1 - start_share) * k / max(1, len(starts)) for k in range(len(starts) + 1)
    ]
    # An occasional republish in the middle of a term: half of the way to the next level.
    changes: list[tuple[date, float]] = []
    bounds = [first, *starts, last]
    for k in range(len(bounds) - 1):
        changes.append((bounds[k], levels[k]))
        span = (bounds[k + 1] - bounds[k]).days
        if k + 1 < len(levels) and span > 40 and rng.random() < 0.7:
            middle = bounds[k] + timedelta(days=rng.randint(20, span - 15))
            changes.append(
                (middle, levels[k] + (levels[k + 1] - levels[k]) * rng.uniform(0.3, 0.6))
            )
    shares = {}
    share = changes[0][1]
    pending = list(changes)
    day = first
    while day < last:
        while pending and pending[0][0] <= day:
            share = pending.pop(0)[1]
        shares[day] = share
        day += timedelta(days=1)
    return shares


def seed(ctx) -> None:
    end = today()
    first = end - timedelta(days=DAYS)
    existing = set(
        db.session.scalars(
            sa.select(IndicatorSnapshot.taken_on)
            .distinct()
            .where(IndicatorSnapshot.taken_on >= first, IndicatorSnapshot.taken_on <= end)
        )
    )
    figures = compute_figures(end)
    units = figures.units
    rows = []
    if end not in existing:
        from pdservice.strategy.services import snapshot_rows

        rows += snapshot_rows(figures, "demo")
    shares: dict[tuple[str, int], dict[date, float]] = {}
    for unit in units:
        rng = ctx.rng(f"strategy:{unit.code}")
        shares[("coteaching", unit.id)] = ramp(rng, first, end, rng.uniform(0.4, 0.6))
        shares[("teams", unit.id)] = ramp(rng, first, end, rng.uniform(0.7, 0.85))
    for offset in range(DAYS):
        day = first + timedelta(days=offset)
        if day in existing:
            continue
        for indicator in INDICATORS:
            family = "teams" if indicator.code in TEAM_INDICATORS else "coteaching"
            nums, dens = [], []
            for unit in units:
                now = figures.of(indicator.code, unit.id)
                if now.numerator is None:
                    continue
                num = round(now.numerator * shares[(family, unit.id)][day])
                nums.append(num)
                dens.append(now.denominator)
                rows += _rows(indicator, unit.id, day, num, now.denominator)
            if nums:
                known = [d for d in dens if d is not None]
                rows += _rows(indicator, None, day, sum(nums), sum(known) if known else None)
    if rows:
        db.session.execute(sa.insert(IndicatorSnapshot), rows)
    _targets(figures)
    db.session.flush()


def _rows(indicator, unit_id, day, num, den) -> list[dict]:
    figure = indicator.figure(num, den)
    if figure.value is None:
        return []
    return [
        {
            "indicator": indicator.code,
            "unit_id": unit_id,
            "taken_on": day,
            "value": figure.value,
            "numerator": figure.numerator,
            "denominator": figure.denominator,
            "source": "demo",
        }
    ]


def target_for(indicator, value: float | None) -> float:
    """A plausible target a little above today's figure."""
    value = value or 0
    if indicator.measure == PERCENT:
        return float(min(100, 5 * math.ceil((value + 10) / 5)))
    if indicator.measure == RATIO:
        return round(max(0.5, value * 1.25), 1)
    return float(max(1, math.ceil(value * 1.25)))


def _targets(figures) -> None:
    year = school_year_for(figures.on)
    have = {
        (t.indicator, t.unit_id)
        for t in db.session.scalars(
            sa.select(IndicatorTarget).where(IndicatorTarget.school_year_id == year.id)
        )
    }
    wanted = {(i.code, None): target_for(i, figures.of(i.code, None).value) for i in INDICATORS}
    # One school has agreed a target of its own for the share of teachers who co-teach.
    if figures.units:
        unit = figures.units[0]
        indicator = INDICATORS[0]
        wanted[(indicator.code, unit.id)] = target_for(
            indicator, figures.of(indicator.code, unit.id).value
        )
    for (code, unit_id), value in sorted(wanted.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        if (code, unit_id) not in have:
            db.session.add(
                IndicatorTarget(
                    indicator=code, unit_id=unit_id, school_year_id=year.id, value=value
                )
            )
