"""The strategy dashboard's records: targets per indicator and the nightly snapshots of every
indicator per unit and for the whole city (unit NULL)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from pdservice.core.models import SchoolYear, Unit
from pdservice.db import UtcDateTime, utcnow
from pdservice.extensions import db

CITY_SQL = "unit_id IS NULL"


class IndicatorTarget(db.Model):
    """Leadership's target for one indicator in one school year, for the city (unit NULL) or
    for one unit."""

    __tablename__ = "indicator_target"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    indicator: so.Mapped[str] = so.mapped_column(sa.String(40))
    unit_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("unit.id", ondelete="CASCADE"), index=True
    )
    school_year_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("school_year.id", ondelete="CASCADE"), index=True
    )
    value: so.Mapped[float] = so.mapped_column(sa.Float)
    set_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    updated_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    unit: so.Mapped[Unit | None] = so.relationship()
    school_year: so.Mapped[SchoolYear] = so.relationship()

    __table_args__ = (
        sa.UniqueConstraint("indicator", "unit_id", "school_year_id"),
        # NULLs are distinct in a unique constraint: the city's target needs its own index.
        sa.Index(
            "uq_indicator_target_city",
            "indicator",
            "school_year_id",
            unique=True,
            sqlite_where=sa.text(CITY_SQL),
            postgresql_where=sa.text(CITY_SQL),
        ),
        sa.CheckConstraint("value >= 0", name="value_not_negative"),
    )

    @property
    def scope_unit_ids(self) -> set[int]:
        return {self.unit_id} if self.unit_id is not None else set()


class IndicatorSnapshot(db.Model):
    """One indicator's value on one day, for one unit or the city (unit NULL).

    `source`: nightly (the jobs process), backfill (recomputed from the audit history) or demo.
    """

    __tablename__ = "indicator_snapshot"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    indicator: so.Mapped[str] = so.mapped_column(sa.String(40))
    unit_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("unit.id", ondelete="CASCADE"), index=True
    )
    taken_on: so.Mapped[date] = so.mapped_column(sa.Date)
    value: so.Mapped[float] = so.mapped_column(sa.Float)
    numerator: so.Mapped[float | None] = so.mapped_column(sa.Float)
    denominator: so.Mapped[float | None] = so.mapped_column(sa.Float)
    source: so.Mapped[str] = so.mapped_column(sa.String(10), default="nightly")
    recorded_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("indicator", "unit_id", "taken_on"),
        sa.Index(
            "uq_indicator_snapshot_city",
            "indicator",
            "taken_on",
            unique=True,
            sqlite_where=sa.text(CITY_SQL),
            postgresql_where=sa.text(CITY_SQL),
        ),
        sa.Index("ix_indicator_snapshot_taken_on", "taken_on"),
        sa.CheckConstraint("source IN ('nightly', 'backfill', 'demo')", name="source_known"),
    )
