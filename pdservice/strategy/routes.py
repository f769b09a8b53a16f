"""The strategy dashboard: the overview (city or one unit), the units compared, one
indicator's detail, the targets, and a CSV/XLSX export of every table."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pdservice.auth.access import roles_required
from pdservice.clock import today
from pdservice.core.services import school_year_for
from pdservice.errors import abort_with
from pdservice.extensions import db
from pdservice.report_tools.charts import Series, line_chart
from pdservice.report_tools.exports import export_response
from pdservice.strategy import bp
from pdservice.strategy.filters import (
    DASHBOARD_ROLES,
    LEADERSHIP_ROLES,
    Filters,
    parse_filters,
    school_years,
)
from pdservice.strategy.forms import TargetsForm
from pdservice.strategy.indicators import (
    BY_CODE,
    INDICATORS,
    Indicator,
    active_units,
    compute_figures,
)
from pdservice.strategy.services import TargetError, Trend, parse_target, set_targets, targets_for
from pdservice.strategy.tables import (
    indicator_units_table,
    overview_table,
    page_data,
    trend_table,
    units_table,
)

FMT = "<any(csv, xlsx):fmt>"


def _chart(f: Filters, indicator: Indicator, series: Trend, targets: dict, ident: str):
    unit_id = f.unit.id if f.unit is not None else None
    return line_chart(
        _("%(name)s – %(scope)s", name=indicator.label, scope=f.scope_label),
        _(
            "The indicator's value on each day shown, from the nightly snapshots, against the "
            "target; the same figures are in the table beside the chart."
        ),
        [f"{d.day}.{d.month}." for d in series.days],
        [Series("", series.series(indicator.code))],  # the title names the scope
        unit=indicator.unit_symbol,
        target=targets.get((indicator.code, unit_id)),
        target_label=_("Target"),
        y_max=100.0 if indicator.is_percent else None,
        ident=ident,
    )


def indicator_or_404(code: str) -> Indicator:
    indicator = BY_CODE.get(code)
    if indicator is None:
        abort(404)
    return indicator


def _filename(name: str, f: Filters) -> str:
    scope = f.unit.code if f.unit is not None else "city"
    return f"{name}-{scope}-{f.start.isoformat()}-{f.end.isoformat()}"


@bp.route("/", endpoint="overview")
@roles_required(*DASHBOARD_ROLES)
def overview():
    f = parse_filters(request.args)
    figures, targets, series = page_data(f)
    cards = [
        {
            "indicator": indicator,
            "chart": _chart(f, indicator, series, targets, f"chart-{indicator.code}"),
            "trend": trend_table(f, indicator, series, targets),
        }
        for indicator in INDICATORS
    ]
    return render_template(
        "strategy/overview.html",
        f=f,
        years=school_years(),
        table=overview_table(f, figures, targets, series),
        cards=cards,
    )


@bp.route(f"/overview.{FMT}", endpoint="overview_export")
@roles_required(*DASHBOARD_ROLES)
def overview_export(fmt: str):
    f = parse_filters(request.args)
    figures, targets, series = page_data(f)
    return export_response(
        overview_table(f, figures, targets, series), _filename("indicators", f), fmt
    )


@bp.route("/units", endpoint="units")
@roles_required(*DASHBOARD_ROLES)
def units():
    f = parse_filters(request.args)
    figures, targets, _series = page_data(f)
    return render_template(
        "strategy/units.html",
        f=f,
        years=school_years(),
        table=units_table(f, figures, targets),
        indicators=INDICATORS,
    )


@bp.route(f"/units.{FMT}", endpoint="units_export")
@roles_required(*DASHBOARD_ROLES)
def units_export(fmt: str):
    f = parse_filters(request.args)
    figures, targets, _series = page_data(f)
    return export_response(units_table(f, figures, targets), _filename("units", f), fmt)


@bp.route("/indicators/<code>", endpoint="indicator")
@roles_required(*DASHBOARD_ROLES)
def indicator_page(code: str):
    indicator = indicator_or_404(code)
    f = parse_filters(request.args)
    figures, targets, series = page_data(f)
    return render_template(
        "strategy/indicator.html",
        f=f,
        years=school_years(),
        indicator=indicator,
        chart=_chart(f, indicator, series, targets, "chart-detail"),
        trend=trend_table(f, indicator, series, targets),
        by_unit=indicator_units_table(f, indicator, figures, targets),
    )


@bp.route(f"/indicators/<code>/<any(units, trend):table>.{FMT}", endpoint="indicator_export")
@roles_required(*DASHBOARD_ROLES)
def indicator_export(code: str, table: str, fmt: str):
    indicator = indicator_or_404(code)
    f = parse_filters(request.args)
    figures, targets, series = page_data(f)
    if table == "units":
        result = indicator_units_table(f, indicator, figures, targets)
    else:
        result = trend_table(f, indicator, series, targets)
    return export_response(result, _filename(f"{code}-{table}", f), fmt)


# --- targets --------------------------------------------------------------------------------


def _field(code: str, unit_id: int | None) -> str:
    return f"target-{code}-{unit_id if unit_id is not None else 'city'}"


@bp.route("/targets", methods=["GET", "POST"], endpoint="targets")
@roles_required(*LEADERSHIP_ROLES)
def targets():
    f = parse_filters(request.args, allowed=("year",))
    form = TargetsForm()
    units = active_units()
    scopes: list[int | None] = [None, *(u.id for u in units)]
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            abort_with(400, _("The form had expired. Please try again."))
        values: dict[tuple[str, int | None], float | None] = {}
        for indicator in INDICATORS:
            for unit_id in scopes:
                name = _field(indicator.code, unit_id)
                if name not in request.form:
                    continue
                typed[name] = request.form[name][:40]
                try:
                    values[(indicator.code, unit_id)] = parse_target(indicator.code, typed[name])
                except TargetError as exc:
                    errors[name] = exc.message
        if not errors:
            year = school_year_for(f.year.starts_on)
            changed = set_targets(year, values, current_user)
            db.session.commit()
            flash(_("Targets saved (%(n)d changed).", n=changed), "success")
            return redirect(url_for("strategy.targets", year=f.year.starts_on.year))
        db.session.rollback()
    current = targets_for(f.year) if f.year.id is not None else {}
    figures = compute_figures(today(), units=units)
    return (
        render_template(
            "strategy/targets.html",
            f=f,
            years=school_years(),
            form=form,
            units=units,
            scopes=scopes,
            indicators=INDICATORS,
            current=current,
            figures=figures,
            typed=typed,
            errors=errors,
            field_name=_field,
        ),
        422 if errors else 200,
    )
