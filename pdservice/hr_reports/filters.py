"""The filters of the HR reports, parsed and validated in one place.

Every report page and its exports call `parse_filters(names)` with the filter names the
report takes. The result says which units the report covers (the scope), the school year,
the grouping, an optional date range and the page of a long table. Bad input stops the
request here, never deeper down:

- a filter the report does not know, a value that is not one of the choices, a malformed
  date, a date range that ends before it starts, a school year that does not exist: 400 with
  a message that names the filter;
- a unit outside the user's reach (a principal asking for another school): 404, the same as
  a unit that does not exist.

An empty value (`?unit=` from a form's "all" choice) is the same as no value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from pdservice.auth.access import chosen_unit, scoped_unit_ids, units_in_scope
from pdservice.core.enums import Role
from pdservice.core.models import SchoolYear, Unit
from pdservice.core.services import current_school_year
from pdservice.errors import abort_with
from pdservice.extensions import db
from pdservice.report_tools.filters import bad_filter, check_range, date_filter, given_filters

REPORT_ROLES = (Role.PRINCIPAL, Role.HR, Role.ADMIN)

# The groupings of the development-hours report, in the order the page offers them.
GROUPS = {
    "person": _l("Person"),
    "unit": _l("Unit"),
    "profession": _l("Profession"),
    "area": _l("Competence area"),
}

PAGE_SIZE = 200


@dataclass
class ReportFilters:
    """What a report shows. `unit_ids` is the scope: None for the whole city (HR and admins
    without a unit chosen), else the units whose staff the report covers."""

    units: list[Unit]  # the units the user may choose from
    unit: Unit | None  # the unit chosen, if any
    unit_ids: set[int] | None
    years: list[SchoolYear]
    year: SchoolYear
    group: str = "person"
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1
    reaches_city: bool = False  # the user reaches every unit (HR, admins)
    given: dict[str, str] = field(default_factory=dict)

    @property
    def whole_city(self) -> bool:
        return self.unit_ids is None

    def query(self, **changes: Any) -> dict[str, Any]:
        """The filters as query-string arguments (for links and exports), with `changes`."""
        args: dict[str, Any] = {k: v for k, v in self.given.items() if k != "page"}
        args.update(changes)
        return {k: v for k, v in args.items() if v not in (None, "")}


def _int(name: str, value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 1:
        bad_filter(name, _("The filter “%(name)s” must be a positive whole number.", name=name))
    return number


def parse_filters(names: Iterable[str], args: Any = None) -> ReportFilters:
    """Parse the query string of a report that takes the filters `names` (of "unit", "year",
    "group", "from", "to", "page")."""
    given = given_filters(request.args if args is None else args, names)
    units = units_in_scope(current_user, roles=REPORT_ROLES)
    scope = scoped_unit_ids(current_user, roles=REPORT_ROLES)
    unit = None
    if "unit" in given:
        unit = chosen_unit(units, _int("unit", given["unit"]))
        unit_ids: set[int] | None = {unit.id}
    else:
        if scope is not None and not units:
            abort_with(404, _("You lead no units."))
        unit_ids = None if scope is None else {u.id for u in units}

    years = list(db.session.scalars(sa.select(SchoolYear).order_by(SchoolYear.starts_on.desc())))
    if "year" in given:
        wanted = _int("year", given["year"])
        year = next((y for y in years if y.id == wanted), None)
        if year is None:
            bad_filter("year", _("There is no school year with the id %(id)d.", id=wanted))
    else:
        year = current_school_year()
        if year not in years:
            years.insert(0, year)

    group = given.get("group", "person")
    if group not in GROUPS:
        bad_filter(
            "group",
            _(
                "Group by one of: %(choices)s.",
                choices=", ".join(GROUPS),
            ),
        )
    date_from = date_filter("from", given["from"]) if "from" in given else None
    date_to = date_filter("to", given["to"]) if "to" in given else None
    check_range(date_from, date_to)
    page = _int("page", given["page"]) if "page" in given else 1
    assert year is not None
    return ReportFilters(
        units=units,
        unit=unit,
        unit_ids=unit_ids,
        years=years,
        year=year,
        group=group,
        date_from=date_from,
        date_to=date_to,
        page=page,
        reaches_city=scope is None,
        given=given,
    )
