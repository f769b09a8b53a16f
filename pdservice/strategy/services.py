"""Snapshots, targets and trends of the collaboration indicators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from pdservice.core.models import SchoolYear, User
from pdservice.core.services import audit
from pdservice.extensions import db
from pdservice.strategy.indicators import BY_CODE, INDICATORS, Figures, compute_figures
from pdservice.strategy.models import IndicatorSnapshot, IndicatorTarget

SOURCES = ("nightly", "backfill", "demo")


# --- snapshots -----------------------------------------------------------------------------


def snapshot_rows(figures: Figures, source: str) -> list[dict[str, Any]]:
    """The rows recording `figures`: one per indicator and unit, and one per indicator for the
    city (unit NULL)."""
    rows = []
    for indicator in INDICATORS:
        for unit_id in [*(u.id for u in figures.units), None]:
            figure = figures.of(indicator.code, unit_id)
            if figure.value is None:
                continue  # e.g. a share of no groups at all: nothing to record
            rows.append(
                {
                    "indicator": indicator.code,
                    "unit_id": unit_id,
                    "taken_on": figures.on,
                    "value": figure.value,
                    "numerator": figure.numerator,
                    "denominator": figure.denominator,
                    "source": source,
                }
            )
    return rows


def replace_snapshots(day: date, rows: list[dict[str, Any]], *, keep_nightly: bool = False) -> int:
    """Make `rows` the snapshots of `day`: delete the day's rows, then insert (idempotent; the
    caller holds the write lock). With `keep_nightly`, a day recorded nightly is left alone."""
    if keep_nightly and nightly_days({day}):
        return 0
    db.session.execute(sa.delete(IndicatorSnapshot).where(IndicatorSnapshot.taken_on == day))
    if rows:
        db.session.execute(sa.insert(IndicatorSnapshot), rows)
    return len(rows)


def nightly_days(days: set[date]) -> set[date]:
    if not days:
        return set()
    return set(
        db.session.scalars(
            sa.select(IndicatorSnapshot.taken_on)
            .distinct()
            .where(IndicatorSnapshot.taken_on.in_(days), IndicatorSnapshot.source == "nightly")
        )
    )


def record_snapshots(day: date, *, source: str = "nightly") -> int:
    """Compute every indicator now and record it as `day`'s snapshot (replacing that day)."""
    rows = snapshot_rows(compute_figures(day), source)
    count = replace_snapshots(day, rows)
    db.session.flush()
    return count


# --- targets -------------------------------------------------------------------------------


class TargetError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def parse_target(code: str, text: str) -> float | None:
    """A target typed into the form: empty for none; percentages within 0–100."""
    indicator = BY_CODE[code]
    text = (
        (text or "")
        .replace("\xa0", "")
        .replace(" ", "")
        .replace(",", ".")
        .removesuffix("%")
        .strip()
    )
    if not text:
        return None
    try:
        value = float(text)
    except ValueError as exc:
        raise TargetError(code, _("Type a number, e.g. 40 or 2.5.")) from exc
    if value != value or value in (float("inf"), float("-inf")):  # NaN, infinity
        raise TargetError(code, _("Type a number, e.g. 40 or 2.5."))
    if indicator.is_percent and not 0 <= value <= 100:
        raise TargetError(code, _("A percentage target must be between 0 and 100."))
    if value < 0:
        raise TargetError(code, _("A target cannot be negative."))
    if value > 100000:
        raise TargetError(code, _("That target is implausibly large."))
    return value


def targets_for(year: SchoolYear) -> dict[tuple[str, int | None], float]:
    """{(indicator, unit id or None): target} of a school year."""
    return {
        (t.indicator, t.unit_id): t.value
        for t in db.session.scalars(
            sa.select(IndicatorTarget).where(IndicatorTarget.school_year_id == year.id)
        )
    }


def set_targets(
    year: SchoolYear, values: dict[tuple[str, int | None], float | None], actor: User
) -> int:
    """Set (or clear, with None) targets of a year; each change audited. Returns the number of
    changes."""
    existing = {
        (t.indicator, t.unit_id): t
        for t in db.session.scalars(
            sa.select(IndicatorTarget).where(IndicatorTarget.school_year_id == year.id)
        )
    }
    changed = 0
    for (code, unit_id), value in sorted(values.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        target = existing.get((code, unit_id))
        before = target.value if target is not None else None
        if before == value:
            continue
        if value is None:
            db.session.delete(target)
        elif target is None:
            db.session.add(
                IndicatorTarget(
                    indicator=code,
                    unit_id=unit_id,
                    school_year_id=year.id,
                    value=value,
                    set_by_id=actor.id,
                )
            )
        else:
            target.value = value
            target.set_by_id = actor.id
        audit(
            "indicator_target.set" if value is not None else "indicator_target.cleared",
            entity_type="IndicatorTarget",
            entity_id=f"{code}:{unit_id or 'city'}:{year.name}",
            unit_id=unit_id,
            actor=actor,
            changes={"indicator": code, "school_year": year.name, "value": [before, value]},
        )
        changed += 1
    db.session.flush()
    return changed


# --- trends --------------------------------------------------------------------------------


def sample_days(start: date, end: date) -> list[date]:
    """The days a trend shows: every day of a month or less, every week of four months or
    less, else the last day of each month (and the range's last day)."""
    span = (end - start).days
    if span <= 31:
        return [start + timedelta(days=i) for i in range(span + 1)]
    if span <= 122:
        days = [end - timedelta(days=7 * i) for i in range(span // 7 + 1)]
        return sorted(d for d in days if d >= start)
    days = []
    month = date(start.year, start.month, 1)
    while month <= end:
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        last = following - timedelta(days=1)
        days.append(min(last, end))
        month = following
    return days


@dataclass
class Trend:
    days: list[date]
    values: dict[tuple[str, date], float]  # (indicator, day) -> value

    def series(self, code: str) -> list[float | None]:
        return [self.values.get((code, d)) for d in self.days]

    def first(self, code: str) -> float | None:
        return next((v for v in self.series(code) if v is not None), None)

    def last(self, code: str) -> float | None:
        return next((v for v in reversed(self.series(code)) if v is not None), None)


def trend(start: date, end: date, unit_id: int | None, codes: list[str] | None = None) -> Trend:
    """The snapshots of the sample days of [start, end], for a unit or the city: one query."""
    days = sample_days(start, end)
    query = sa.select(
        IndicatorSnapshot.indicator, IndicatorSnapshot.taken_on, IndicatorSnapshot.value
    ).where(IndicatorSnapshot.taken_on.in_(days))
    if unit_id is None:
        query = query.where(IndicatorSnapshot.unit_id.is_(None))
    else:
        query = query.where(IndicatorSnapshot.unit_id == unit_id)
    if codes:
        query = query.where(IndicatorSnapshot.indicator.in_(codes))
    values = {(code, day): value for code, day, value in db.session.execute(query)}
    return Trend(days, values)


def values_on(day: date, code: str) -> dict[int | None, float]:
    """{unit id or None: value} of one indicator's snapshot on the latest day on or before
    `day` that has one."""
    latest = db.session.scalar(
        sa.select(sa.func.max(IndicatorSnapshot.taken_on)).where(
            IndicatorSnapshot.indicator == code, IndicatorSnapshot.taken_on <= day
        )
    )
    if latest is None:
        return {}
    query = sa.select(IndicatorSnapshot.unit_id, IndicatorSnapshot.value).where(
        IndicatorSnapshot.indicator == code, IndicatorSnapshot.taken_on == latest
    )
    return dict(db.session.execute(query).all())
