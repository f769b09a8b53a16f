"""The home page's summary of the collaboration indicators: where each stands now against
this school year's target, for the city (HR, admins) or for the units a principal leads."""

from __future__ import annotations

from typing import Any

from pdservice.auth.access import scoped_unit_ids
from pdservice.clock import today
from pdservice.strategy.filters import DASHBOARD_ROLES, school_year
from pdservice.strategy.indicators import INDICATORS, active_units, compute_figures
from pdservice.strategy.services import targets_for

# A principal of many units sees the first few here; the dashboard has them all.
MAX_UNITS = 3


def home_panel(user: Any) -> dict:
    scope = scoped_unit_ids(user, roles=DASHBOARD_ROLES)
    year = school_year(None)
    targets = targets_for(year) if year.id is not None else {}
    if scope is None:
        figures = compute_figures(today(), units=[], with_city=True)
        columns = [(None, None)]
    else:
        units = active_units(scope)[:MAX_UNITS]
        if not units:
            return {"rows": []}
        figures = compute_figures(today(), units=units, with_city=False)
        columns = [(unit.id, unit.name) for unit in units]
    rows = [
        {
            "indicator": indicator,
            "cells": [
                {
                    "value": figures.of(indicator.code, unit_id).value,
                    "target": targets.get((indicator.code, unit_id)),
                }
                for unit_id, _name in columns
            ],
        }
        for indicator in INDICATORS
    ]
    return {"rows": rows, "columns": columns, "year": year}
