"""The report pages and their exports. Thin: parse the filters (one module), compute the
report (SQL aggregates), render the page or the download."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol
from flask import render_template
from flask_babel import get_locale
from flask_babel import gettext as _

from pdservice.auth.access import roles_required
from pdservice.hr_reports import bp
from pdservice.hr_reports.filters import GROUPS, REPORT_ROLES, ReportFilters, parse_filters
from pdservice.hr_reports.services import (
    Report,
    competence_report,
    feedback_report,
    hours_report,
    training_report,
    veso_report,
)
from pdservice.report_tools.charts import bar_chart
from pdservice.report_tools.exports import Table, export_response

EXPORT = "<any(csv, xlsx):fmt>"


def number_formatter(locale: Any) -> Callable[[Any], str]:
    """Numbers as the `number` filter writes them (babel's decimal format, at most two
    decimals), with the locale's symbols looked up once: a report may have thousands of
    cells, and babel's format_decimal costs ~25 µs a number."""
    group, decimal = get_group_symbol(locale), get_decimal_symbol(locale)

    def fmt(value: Any) -> str:
        number = round(float(value), 2)
        if number < 0:
            return format_decimal(number, locale=locale)
        text = f"{number:,.2f}".rstrip("0").rstrip(".")
        return text.replace(",", "\0").replace(".", decimal).replace("\0", group)

    return fmt


@bp.app_template_filter("report_cells")
def report_cells(table: Table) -> list[tuple[Any, list[str]]]:
    """A table's rows as the page shows them: (the row's key, the text of each cell)."""
    fmt = number_formatter(get_locale())
    kinds = [(c.key, c.kind) for c in table.columns]
    result = []
    for row in table.rows:
        texts = []
        for key, kind in kinds:
            value = row.get(key)
            if value is None:
                texts.append("–")
            elif kind == "number":
                texts.append(fmt(value))
            elif kind == "percent":
                texts.append(f"{fmt(value)} %")
            else:
                texts.append(str(value))
        result.append((row.get("key"), texts))
    return result


def _filename(name: str, filters: ReportFilters) -> str:
    scope = filters.unit.code if filters.unit else "city" if filters.whole_city else "my-units"
    return f"{name}-{scope}-{filters.year.starts_on.year}-{filters.year.ends_on.year}"


def _export(name: str, names: tuple[str, ...], build: Callable, fmt: str):
    filters = parse_filters(names)
    report: Report = build(filters, paged=False)
    return export_response(report.main, _filename(name, filters), fmt)


# --- 1. development hours ---------------------------------------------------------------

HOURS_FILTERS = ("unit", "year", "group", "from", "to", "page")


@bp.route("/hours")
@roles_required(*REPORT_ROLES)
def hours():
    filters = parse_filters(HOURS_FILTERS)
    report = hours_report(filters)
    assert report.summary is not None
    summary_rows = list(report.summary.rows)
    report.chart = bar_chart(
        _("Development hours by kind"),
        _("Bars, one per kind of development hours; the same figures are in the table."),
        [str(r["kind"]) for r in summary_rows[:-1]],
        [float(r["hours"]) for r in summary_rows[:-1]],
        unit=" h",
    )
    return render_template(
        "hr_reports/hours.html", filters=filters, report=report, groups=GROUPS, endpoint="hours"
    )


@bp.route(f"/hours.{EXPORT}")
@roles_required(*REPORT_ROLES)
def hours_export(fmt: str):
    return _export("development-hours", HOURS_FILTERS[:-1], hours_report, fmt)


# --- 2. VESO compliance -------------------------------------------------------------------

VESO_FILTERS = ("unit", "year", "page")


@bp.route("/veso")
@roles_required(*REPORT_ROLES)
def veso():
    filters = parse_filters(VESO_FILTERS)
    report = veso_report(filters)
    assert report.summary is not None
    units = list(report.summary.rows)
    report.chart = bar_chart(
        _("Share of staff who have done their VESO hours, by unit"),
        _("Bars, one per unit, in per cent; the same figures are in the table."),
        [str(r["name"]) for r in units],
        [float(r["share"] or 0) for r in units],
        unit=" %",
    )
    return render_template("hr_reports/veso.html", filters=filters, report=report, endpoint="veso")


@bp.route(f"/veso.{EXPORT}")
@roles_required(*REPORT_ROLES)
def veso_export(fmt: str):
    return _export("veso-compliance", VESO_FILTERS[:-1], veso_report, fmt)


@bp.route(f"/veso-units.{EXPORT}")
@roles_required(*REPORT_ROLES)
def veso_units_export(fmt: str):
    filters = parse_filters(VESO_FILTERS[:-1])
    report = veso_report(filters, paged=False)
    assert report.summary is not None
    return export_response(report.summary, _filename("veso-by-unit", filters), fmt)


# --- 3. training participation and cost ---------------------------------------------------

TRAINING_FILTERS = ("unit", "year", "from", "to")


@bp.route("/training")
@roles_required(*REPORT_ROLES)
def training():
    filters = parse_filters(TRAINING_FILTERS)
    report = training_report(filters)
    rows = list(report.main.rows)
    report.chart = bar_chart(
        _("Training cost by unit"),
        _("Bars, one per unit, in euros; the same figures are in the table."),
        [str(r["name"]) for r in rows],
        [float(r["cost"]) for r in rows],
        unit=" €",
    )
    return render_template(
        "hr_reports/training.html", filters=filters, report=report, endpoint="training"
    )


@bp.route(f"/training.{EXPORT}")
@roles_required(*REPORT_ROLES)
def training_export(fmt: str):
    return _export("training-cost", TRAINING_FILTERS, training_report, fmt)


# --- 4. competence levels -----------------------------------------------------------------

COMPETENCE_FILTERS = ("unit",)


@bp.route("/competences")
@roles_required(*REPORT_ROLES)
def competences():
    filters = parse_filters(COMPETENCE_FILTERS)
    report = competence_report(filters)
    rows = list(report.main.rows)
    report.chart = bar_chart(
        _("Staff at level 3 or 4, by competence area"),
        _(
            "Bars, one per area: the share of those who assessed themselves who are at level "
            "3 or 4, in per cent; the same figures are in the table."
        ),
        [str(r["code"]) for r in rows],
        [float(r["high_share"] or 0) for r in rows],
        unit=" %",
    )
    return render_template(
        "hr_reports/competences.html", filters=filters, report=report, endpoint="competences"
    )


@bp.route(f"/competences.{EXPORT}")
@roles_required(*REPORT_ROLES)
def competences_export(fmt: str):
    return _export("competence-levels", COMPETENCE_FILTERS, competence_report, fmt)


# --- 5. course feedback -------------------------------------------------------------------

FEEDBACK_FILTERS = ("unit", "year", "from", "to", "page")


@bp.route("/feedback")
@roles_required(*REPORT_ROLES)
def feedback():
    filters = parse_filters(FEEDBACK_FILTERS)
    report = feedback_report(filters)
    return render_template(
        "hr_reports/feedback.html", filters=filters, report=report, endpoint="feedback"
    )


@bp.route(f"/feedback.{EXPORT}")
@roles_required(*REPORT_ROLES)
def feedback_export(fmt: str):
    return _export("course-feedback", FEEDBACK_FILTERS[:-1], feedback_report, fmt)
