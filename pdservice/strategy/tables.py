"""The dashboard's tables, built once for the page and for its CSV/XLSX export (so a download
always holds the figures on the screen)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from pdservice.clock import today
from pdservice.report_tools.exports import Column, Table
from pdservice.strategy.filters import Filters
from pdservice.strategy.indicators import INDICATORS, Figures, Indicator, compute_figures
from pdservice.strategy.services import Trend, targets_for, trend, values_on


def figures_for(f: Filters) -> Figures:
    units = [f.unit] if f.unit is not None else f.units
    return compute_figures(today(), units=units, with_city=f.sees_city)


def measure_label(indicator: Indicator) -> str:
    return {"percent": "%", "count": _("number"), "ratio": _("per teacher")}[indicator.measure]


def overview_table(f: Filters, figures: Figures, targets: dict, series: Trend) -> Table:
    unit_id = f.unit.id if f.unit is not None else None
    rows = []
    for indicator in INDICATORS:
        figure = figures.of(indicator.code, unit_id)
        first = series.first(indicator.code)
        rows.append(
            {
                "code": indicator.code,
                "indicator": str(indicator.label),
                "measure": measure_label(indicator),
                "value": figure.value,
                "numerator": figure.numerator,
                "denominator": figure.denominator,
                "target": targets.get((indicator.code, unit_id)),
                "start": first,
                "change": None
                if first is None or figure.value is None
                else round(figure.value - first, 2),
            }
        )
    return Table(
        [
            Column("indicator", _("Indicator")),
            Column("measure", _("Measure")),
            Column("value", _("Now"), "number"),
            Column("numerator", _("Counted"), "number"),
            Column("denominator", _("Out of"), "number"),
            Column("target", _("Target %(year)s", year=f.year.name), "number"),
            Column("start", _("First in the range"), "number"),
            Column("change", _("Difference"), "number"),
        ],
        rows,
        title=_("Indicators – %(scope)s", scope=f.scope_label),
    )


def units_table(f: Filters, figures: Figures, targets: dict) -> Table:
    columns = [Column("unit", _("Unit"))]
    for indicator in INDICATORS:
        columns.append(Column(indicator.code, str(indicator.label), "number"))
        columns.append(
            Column(
                f"{indicator.code}:target", _("Target: %(name)s", name=indicator.label), "number"
            )
        )
    rows = []
    scope = [(u.id, u.name) for u in ([f.unit] if f.unit is not None else f.units)]
    if f.sees_city and f.unit is None:
        scope.append((None, _("City of Vantaa")))
    for unit_id, name in scope:
        row: dict = {"unit": name, "unit_id": unit_id}
        for indicator in INDICATORS:
            row[indicator.code] = figures.of(indicator.code, unit_id).value
            row[f"{indicator.code}:target"] = targets.get((indicator.code, unit_id))
        rows.append(row)
    return Table(columns, rows, title=_("Units compared, %(year)s", year=f.year.name))


def indicator_units_table(
    f: Filters, indicator: Indicator, figures: Figures, targets: dict
) -> Table:
    earlier = values_on(f.start, indicator.code)
    scope = [(u.id, u.name) for u in ([f.unit] if f.unit is not None else f.units)]
    if f.sees_city and f.unit is None:
        scope.append((None, _("City of Vantaa")))
    rows = []
    for unit_id, name in scope:
        figure = figures.of(indicator.code, unit_id)
        rows.append(
            {
                "unit": name,
                "unit_id": unit_id,
                "value": figure.value,
                "numerator": figure.numerator,
                "denominator": figure.denominator,
                "target": targets.get((indicator.code, unit_id)),
                "start": earlier.get(unit_id),
            }
        )
    return Table(
        [
            Column("unit", _("Unit")),
            Column("value", _("Now"), "number"),
            Column("numerator", str(indicator.numerator_label).capitalize(), "number"),
            Column("denominator", str(indicator.denominator_label).capitalize(), "number"),
            Column("target", _("Target %(year)s", year=f.year.name), "number"),
            Column("start", _("On %(day)s", day=_short(f.start)), "number"),
        ],
        rows,
        title=_("%(name)s by unit", name=indicator.label),
    )


def trend_table(f: Filters, indicator: Indicator, series: Trend, targets: dict) -> Table:
    unit_id = f.unit.id if f.unit is not None else None
    target = targets.get((indicator.code, unit_id))
    rows = [
        {"day": day, "value": value, "target": target}
        for day, value in zip(series.days, series.series(indicator.code), strict=True)
    ]
    return Table(
        [
            Column("day", _("Day")),
            Column("value", str(indicator.label), "number"),
            Column("target", _("Target"), "number"),
        ],
        rows,
        title=_("%(name)s – %(scope)s", name=indicator.label, scope=f.scope_label),
    )


def _short(day: date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


def page_data(f: Filters) -> tuple[Figures, dict, Trend]:
    figures = figures_for(f)
    targets = targets_for(f.year) if f.year.id is not None else {}
    unit_id = f.unit.id if f.unit is not None else None
    return figures, targets, trend(f.start, f.end, unit_id)
