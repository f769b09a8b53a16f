"""The dashboard's filters, validated in one place for every page and export.

    ?year=2025        the school year starting in August 2025 (default: the current one)
    ?unit=12          one unit, by id or code (default: the city for HR and admin, a
                      principal's first unit)
    ?from=2025-08-01  the trend's first day (default: the school year's first day)
    ?to=2026-05-31    the trend's last day (default: today, or the school year's last day)

Unknown parameters or values, malformed dates and a range ending before it starts answer 400
with a message saying which; a unit outside the principal's reach answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _
from flask_login import current_user

from pdservice.auth.access import scoped_unit_ids
from pdservice.clock import today
from pdservice.core.enums import Role
from pdservice.core.models import SchoolYear, Unit
from pdservice.core.services import school_year_bounds
from pdservice.errors import abort_with
from pdservice.extensions import db
from pdservice.report_tools.filters import check_range, date_filter, given_filters
from pdservice.strategy.indicators import active_units

DASHBOARD_ROLES = (Role.PRINCIPAL, Role.HR, Role.ADMIN)
LEADERSHIP_ROLES = (Role.HR, Role.ADMIN)
FILTER_KEYS = ("year", "unit", "from", "to")
MAX_RANGE_DAYS = 366 * 5


@dataclass
class Filters:
    year: SchoolYear
    unit: Unit | None  # None: the whole city
    start: date
    end: date
    units: list[Unit]  # the active units the user reaches
    sees_city: bool
    explicit: dict[str, str]

    def args(self, **overrides: Any) -> dict[str, Any]:
        """Query arguments that repeat these filters (for links and exports)."""
        args: dict[str, Any] = {"year": self.year.starts_on.year}
        if self.unit is not None:
            args["unit"] = self.unit.id
        for key in ("from", "to"):
            if key in self.explicit:
                args[key] = self.explicit[key]
        args.update(overrides)
        return {k: v for k, v in args.items() if v is not None}

    @property
    def scope_label(self) -> str:
        return self.unit.name if self.unit is not None else _("City of Vantaa")


def school_years() -> list[SchoolYear]:
    return list(db.session.scalars(sa.select(SchoolYear).order_by(SchoolYear.starts_on.desc())))


def school_year(text: str | None) -> SchoolYear:
    """The school year `?year=` names by its first year (default: the current one)."""
    current_start, current_end = school_year_bounds(today())
    starts_on = current_start
    if text is not None:
        try:
            start_year = int(text)
        except ValueError:
            start_year = 0
        if not 1900 < start_year < 2200:
            abort_with(
                400,
                _(
                    "Unknown school year “%(value)s”: give its first year, e.g. 2025.",
                    value=text[:20],
                ),
            )
        starts_on = date(start_year, 8, 1)
    year = db.session.scalar(sa.select(SchoolYear).where(SchoolYear.starts_on == starts_on))
    if year is not None:
        return year
    if starts_on != current_start:
        abort_with(400, _("Unknown school year “%(value)s”.", value=str(text)[:20]))
    # The current year with nothing recorded yet: a transient one, nothing is written.
    return SchoolYear(
        name=f"{current_start.year}–{current_end.year}",
        starts_on=current_start,
        ends_on=current_end,
    )


def parse_filters(
    args: Any, *, allowed: tuple[str, ...] = FILTER_KEYS, city_allowed: bool = True
) -> Filters:
    """Validate the query string of a dashboard page for the signed-in user."""
    explicit = given_filters(args, allowed)
    scope = scoped_unit_ids(current_user, roles=DASHBOARD_ROLES)
    sees_city = scope is None
    units = active_units(scope)
    year = school_year(explicit.get("year"))

    unit: Unit | None = None
    if "unit" in explicit:
        value = explicit["unit"]
        if value.isdigit():
            unit = db.session.get(Unit, int(value))
        else:
            unit = db.session.scalar(sa.select(Unit).where(Unit.code == value[:40]))
        if unit is None:
            abort_with(400, _("Unknown unit “%(value)s”.", value=explicit["unit"][:20]))
        if scope is not None and unit.id not in scope:
            abort(404)
    elif not sees_city or not city_allowed:
        if not units:
            abort_with(404, _("You lead no units."))
        unit = units[0]

    start = date_filter("from", explicit["from"]) if "from" in explicit else year.starts_on
    if "to" in explicit:
        end = date_filter("to", explicit["to"])
    else:
        end = min(year.ends_on, max(today(), year.starts_on))
    check_range(start, end)
    if end - start > timedelta(days=MAX_RANGE_DAYS):
        abort_with(400, _("Choose a range of at most five years."))
    return Filters(year, unit, start, end, units, sees_city, explicit)
