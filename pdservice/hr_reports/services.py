"""The HR reports' figures, aggregated in SQL.

Each report is a fixed handful of GROUP BY queries, whatever the number of staff or ledger
rows: Python only turns the aggregated rows (one per person, unit, area or course) into
tables. Every function returns `Table`s of `pdservice.report_tools.exports`, so the page and
its CSV and XLSX exports show the same rows and figures.

Whose figures: the *staff in scope* are the active accounts that belong to a unit of the
report's scope (`ReportFilters.unit_ids`; the whole city when None). A person in two units
counts in both units' rows, and once in the totals.

What counts as development hours is the hours feature's ledger (`development_hours`): every
row is a credit that counts (attended training, approved external training, VESO days,
co-teaching planning; external training enters the ledger only when approved), in the school
year its day falls in. VESO hours are the ledger's VESO rows, against the hours feature's
yearly requirement (`veso_hours_per_year()`, 3 days × `PDSERVICE_VESO_HOURS_PER_DAY`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from flask import g
from flask_babel import gettext as _

from pdservice.clock import HELSINKI
from pdservice.competences.enums import AssessmentSource
from pdservice.competences.levels import LEVELS, level_descriptors
from pdservice.competences.models import CompetenceAssessment
from pdservice.competences.services import active_areas, latest_assessment_ids
from pdservice.core.enums import Profession
from pdservice.core.models import CompetenceArea, Unit, UnitMembership, User
from pdservice.extensions import db
from pdservice.hours.enums import HoursKind
from pdservice.hours.models import DevelopmentHours, development_hours_area
from pdservice.hours.services import VESO_DAYS_PER_YEAR, counted_hours, veso_hours_per_year
from pdservice.hr_reports.filters import PAGE_SIZE, ReportFilters
from pdservice.report_tools.exports import Column, Table
from pdservice.training.enums import ATTENDED_STATES, EnrollmentStatus, SessionStatus
from pdservice.training.models import Course, CourseSession, Enrollment, TrainingFeedback

ZERO = Decimal(0)
# Sums of hours are compared with the VESO requirement with half a hundredth of slack, so a
# float sum on SQLite (17.999999) counts the same as the exact one on PostgreSQL.
EPSILON = 0.005


def dec(value: Any) -> Decimal:
    """A sum from the database (Decimal on PostgreSQL, float on SQLite) as two decimals."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def ratio(numerator: Any, denominator: Any, scale: int = 1) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(str(numerator)) * scale / Decimal(str(denominator))).quantize(Decimal("0.1"))


def profession_label(value: Any) -> str:
    """A profession's name in the request's language (the enum builds every label on each
    `.label`; a report with thousands of rows asks once per profession)."""
    cache = g.setdefault("report_profession_labels", {})
    if value not in cache:
        cache[value] = Profession(value).label
    return cache[value]


def staff_in_scope(filters: ReportFilters) -> sa.Select:
    """The ids of the staff a report covers, as a subquery."""
    query = (
        sa.select(UnitMembership.user_id)
        .join(User, User.id == UnitMembership.user_id)
        .where(User.active.is_(True))
    )
    if filters.unit_ids is not None:
        query = query.where(UnitMembership.unit_id.in_(filters.unit_ids))
    return query


def _members(filters: ReportFilters):
    """(unit, membership, user) joined for the units in scope: "by unit" rows."""
    join = (
        sa.select(Unit)
        .join(UnitMembership, UnitMembership.unit_id == Unit.id)
        .join(User, sa.and_(User.id == UnitMembership.user_id, User.active.is_(True)))
    )
    if filters.unit_ids is not None:
        join = join.where(Unit.id.in_(filters.unit_ids))
    return join


@dataclass
class Report:
    """One report's tables: `main` (paged on the page, whole in the exports), `summary`
    (the figures of the chart, shown beside it) and the paging of `main`."""

    main: Table
    summary: Table | None = None
    total_rows: int = 0
    page: int = 1
    chart: Any = None
    figures: dict[str, Any] = field(default_factory=dict)
    links: dict[Any, str] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total_rows // PAGE_SIZE))


def _page(query: sa.Select, filters: ReportFilters, paged: bool) -> sa.Select:
    if not paged:
        return query
    return query.limit(PAGE_SIZE).offset((filters.page - 1) * PAGE_SIZE)


def _count(query: sa.Select) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0


# --- 1. development hours ---------------------------------------------------------------


def _ledger_on(filters: ReportFilters) -> list:
    """The ledger rows a report counts: the hours feature's definition for the school year,
    and the date range if given."""
    return counted_hours(filters.year.id, date_from=filters.date_from, date_to=filters.date_to)


def _kind_sums() -> list:
    columns = [
        sa.func.sum(
            sa.case((DevelopmentHours.kind == kind, DevelopmentHours.hours), else_=0)
        ).label(kind.value)
        for kind in HoursKind
    ]
    return [*columns, sa.func.sum(DevelopmentHours.hours).label("total")]


def _per_person(filters: ReportFilters, people: sa.Select | None, *, cte: bool = False):
    """The ledger summed per person (a row per person with hours): by kind and in total.
    The groupings and the totals sum these rows further, so a query reads the ledger once,
    through the covering index ix_development_hours_year_user_kind (an index-only scan in
    person order). `people` limits it to some people (a principal's units, a page); None
    sums everyone's, and the query that uses the rows keeps the staff in scope (for the
    whole city that is nearly everyone, and summing first is the cheaper plan)."""
    query = sa.select(DevelopmentHours.user_id.label("user_id"), *_kind_sums()).where(
        *_ledger_on(filters)
    )
    if people is not None:
        query = query.where(DevelopmentHours.user_id.in_(people))
    query = query.group_by(DevelopmentHours.user_id)
    return query.cte("per_person") if cte else query.subquery("per_person")


def _sums_of(per_person) -> list:
    return [
        sa.func.sum(per_person.c[key]).label(key)
        for key in [k.value for k in HoursKind] + ["total"]
    ]


def _values_of(per_person) -> list:
    return [per_person.c[key] for key in [k.value for k in HoursKind] + ["total"]]


def kind_columns() -> list[Column]:
    return [Column(kind.value, kind.label, "number") for kind in HoursKind] + [
        Column("total", _("Hours in total"), "number")
    ]


def _kind_values(row: Any) -> dict[str, Decimal]:
    values = {kind.value: dec(getattr(row, kind.value)) for kind in HoursKind}
    values["total"] = dec(row.total)
    return values


def hours_report(filters: ReportFilters, *, paged: bool = True) -> Report:
    """Development hours in the school year (and date range), grouped by person, unit,
    profession or competence area, with the totals by kind for everyone in scope."""
    staff = staff_in_scope(filters)
    # Grouped by unit or profession, the totals come in the same statement (UNION ALL), so
    # the ledger is summed once per page: a CTE used twice is computed once.
    per_person = _per_person(
        filters, None if filters.whole_city else staff, cte=filters.group in ("unit", "profession")
    )
    totals = None
    links: dict[Any, str] = {}
    if filters.group == "person":
        people = sa.select(User.id).where(User.id.in_(staff))
        if paged:
            # Sum the ledger of this page's people only (by the (user, year) index).
            shown = _page(people.order_by(User.name, User.id), filters, paged).subquery("shown")
            people = sa.select(shown.c.id)
            per_page = _per_person(filters, people)
        else:
            per_page = per_person
        query = (
            sa.select(User.id, User.name, User.email, User.profession, *_values_of(per_page))
            .outerjoin(per_page, per_page.c.user_id == User.id)
            .where(User.id.in_(people))
            .order_by(User.name, User.id)
        )
        total_rows = _count(sa.select(User.id).where(User.id.in_(staff))) if paged else 0
        rows = [
            {
                "name": r.name,
                "email": r.email,
                "profession": profession_label(r.profession),
                "key": r.id,
                **_kind_values(r),
            }
            for r in db.session.execute(query)
        ]
        columns = [
            Column("name", _("Name")),
            Column("email", _("Email")),
            Column("profession", _("Profession")),
            *kind_columns(),
        ]
        links = {"name": "person"}
    elif filters.group == "unit":
        member_hours = (
            _members(filters)
            .with_only_columns(
                Unit.id,
                Unit.name,
                sa.func.count(UnitMembership.user_id).label("staff"),
                *_sums_of(per_person),
            )
            .outerjoin(per_person, per_person.c.user_id == UnitMembership.user_id)
            .group_by(Unit.id, Unit.name)
        )
        found, totals = _with_totals(member_hours, per_person, staff, 2)
        rows = []
        for r in sorted(found, key=lambda r: (r.name, r.id)):
            values = _kind_values(r)
            rows.append(
                {
                    "name": r.name,
                    "staff": r.staff,
                    **values,
                    "per_person": ratio(values["total"], r.staff),
                    "key": r.id,
                }
            )
        total_rows = len(rows)
        columns = [
            Column("name", _("Unit")),
            Column("staff", _("Staff"), "number"),
            *kind_columns(),
            Column("per_person", _("Hours per person"), "number"),
        ]
    elif filters.group == "profession":
        query = (
            sa.select(
                User.profession,
                sa.func.count(User.id).label("staff"),
                *_sums_of(per_person),
            )
            .outerjoin(per_person, per_person.c.user_id == User.id)
            .where(User.id.in_(staff))
            .group_by(User.profession)
        )
        found, totals = _with_totals(query, per_person, staff, 1)
        rows = []
        for r in found:
            values = _kind_values(r)
            rows.append(
                {
                    "name": profession_label(r.profession),
                    "staff": r.staff,
                    **values,
                    "per_person": ratio(values["total"], r.staff),
                }
            )
        rows.sort(key=lambda row: str(row["name"]))
        total_rows = len(rows)
        columns = [
            Column("name", _("Profession")),
            Column("staff", _("Staff"), "number"),
            *kind_columns(),
            Column("per_person", _("Hours per person"), "number"),
        ]
    else:  # area
        query = (
            sa.select(
                development_hours_area.c.area_id,
                *_kind_sums(),
            )
            .select_from(DevelopmentHours)
            .outerjoin(
                development_hours_area, development_hours_area.c.hours_id == DevelopmentHours.id
            )
            .where(DevelopmentHours.user_id.in_(staff), *_ledger_on(filters))
            .group_by(development_hours_area.c.area_id)
        )
        areas = {a.id: a for a in db.session.scalars(sa.select(CompetenceArea))}
        found = {r.area_id: r for r in db.session.execute(query)}
        rows = []
        order = sorted(
            (a for a in areas.values() if a.active or a.id in found), key=lambda a: a.sort_order
        )
        for area in order:
            r = found.get(area.id)
            rows.append(
                {
                    "code": area.code,
                    "name": area.name,
                    **(_kind_values(r) if r else dict.fromkeys(_kind_keys(), ZERO)),
                }
            )
        if None in found:
            rows.append(
                {
                    "code": "",
                    "name": _("No competence area"),
                    **_kind_values(found[None]),
                }
            )
        total_rows = len(rows)
        columns = [
            Column("code", _("Code")),
            Column("name", _("Competence area")),
            *kind_columns(),
        ]

    if totals is None:
        totals = db.session.execute(
            sa.select(
                sa.func.count(per_person.c.user_id).label("people"), *_sums_of(per_person)
            ).where(per_person.c.user_id.in_(staff))
        ).one()
    staff_count = db.session.scalar(
        sa.select(sa.func.count()).select_from(User).where(User.id.in_(staff))
    )
    kind_values = _kind_values(totals)
    summary = Table(
        [Column("kind", _("Kind")), Column("hours", _("Hours"), "number")],
        [{"kind": kind.label, "hours": kind_values[kind.value]} for kind in HoursKind]
        + [{"kind": _("Hours in total"), "hours": kind_values["total"]}],
        title=_("Hours by kind"),
    )
    return Report(
        main=Table(columns, rows, title=_("Development hours")),
        summary=summary,
        total_rows=total_rows,
        page=filters.page,
        links=links,
        figures={
            "staff": staff_count or 0,
            "people_with_hours": totals.people or 0,
            "total": kind_values["total"],
            "per_person": ratio(kind_values["total"], staff_count),
        },
    )


def _with_totals(grouped: sa.Select, per_person, staff: sa.Select, keys: int) -> tuple:
    """Run `grouped` (its first `keys` columns name the group, then a count of staff and the
    sums) with the totals of the staff in scope as one more row, in one statement. Returns
    (the grouped rows, the totals as an object with `people` and the sums)."""
    totals = sa.select(
        *[sa.null() for _ in range(keys)],
        sa.func.count(per_person.c.user_id),
        *_sums_of(per_person),
        sa.literal(1),
    ).where(per_person.c.user_id.in_(staff))
    marked = grouped.add_columns(sa.literal(0).label("totals_row"))
    rows = db.session.execute(sa.union_all(marked, totals)).all()
    last = next(r for r in rows if r.totals_row == 1)
    summary = SimpleNamespace(
        people=last.staff, **{key: getattr(last, key) for key in _kind_keys()}
    )
    return [r for r in rows if r.totals_row == 0], summary


def _kind_keys() -> list[str]:
    return [kind.value for kind in HoursKind] + ["total"]


# --- 2. VESO compliance ------------------------------------------------------------------


def _veso_per_person(filters: ReportFilters):
    """VESO hours per person in the school year; a CTE, computed once for the statement
    that uses it twice (the units and the city's totals)."""
    return (
        sa.select(
            DevelopmentHours.user_id.label("user_id"),
            sa.func.sum(DevelopmentHours.hours).label("veso"),
        )
        .where(*counted_hours(filters.year.id), DevelopmentHours.kind == HoursKind.VESO)
        .group_by(DevelopmentHours.user_id)
        .cte("veso")
    )


def veso_report(filters: ReportFilters, *, paged: bool = True) -> Report:
    """Per unit: staff, how many have done the yearly VESO hours and their share; and every
    staff member below the requirement with the hours missing (by unit)."""
    target = veso_hours_per_year()
    veso = _veso_per_person(filters)
    done = sa.func.coalesce(veso.c.veso, 0)
    compliant = sa.case((done >= float(target) - EPSILON, 1), else_=0)
    per_unit = (
        _members(filters)
        .with_only_columns(
            Unit.id,
            Unit.name,
            sa.func.count(UnitMembership.user_id).label("staff"),
            sa.func.sum(compliant).label("compliant"),
            sa.func.sum(done).label("veso"),
        )
        .outerjoin(veso, veso.c.user_id == UnitMembership.user_id)
        .group_by(Unit.id, Unit.name)
        .add_columns(sa.literal(0).label("totals_row"))
    )
    # The city's (or the principal's units') figures, each person once, in the same
    # statement.
    city_row = (
        sa.select(
            sa.null(),
            sa.null(),
            sa.func.count(User.id),
            sa.func.sum(compliant),
            sa.func.sum(done),
            sa.literal(1),
        )
        .select_from(User)
        .outerjoin(veso, veso.c.user_id == User.id)
        .where(User.id.in_(staff_in_scope(filters)))
    )
    rows = db.session.execute(sa.union_all(per_unit, city_row)).all()
    city = next(r for r in rows if r.totals_row == 1)
    units = [
        {
            "name": r.name,
            "staff": r.staff,
            "compliant": int(r.compliant or 0),
            "below": r.staff - int(r.compliant or 0),
            "share": ratio(r.compliant or 0, r.staff, 100),
            "key": r.id,
        }
        for r in sorted((r for r in rows if r.totals_row == 0), key=lambda r: (r.name, r.id))
    ]
    below_query = (
        _members(filters)
        .with_only_columns(
            Unit.name.label("unit"),
            User.id,
            User.name,
            User.profession,
            done.label("veso"),
            sa.func.count().over().label("all_rows"),
        )
        .outerjoin(veso, veso.c.user_id == UnitMembership.user_id)
        .where(done < float(target) - EPSILON)
        .order_by(Unit.name, User.name, User.id)
    )
    # The page's rows and, in each, how many there are in all (a window count).
    found = db.session.execute(_page(below_query, filters, paged)).all()
    total_rows = found[0].all_rows if found else 0
    if paged and not found and filters.page > 1:
        total_rows = _count(below_query)
    below = []
    for r in found:
        hours = dec(r.veso)
        below.append(
            {
                "unit": r.unit,
                "name": r.name,
                "profession": profession_label(r.profession),
                "veso": hours,
                "missing": max(ZERO, target - hours),
                "key": r.id,
            }
        )
    summary = Table(
        [
            Column("name", _("Unit")),
            Column("staff", _("Staff"), "number"),
            Column("compliant", _("VESO done"), "number"),
            Column("below", _("Below the requirement"), "number"),
            Column("share", _("Share done (%)"), "percent"),
        ],
        units,
        title=_("VESO compliance by unit"),
    )
    main = Table(
        [
            Column("unit", _("Unit")),
            Column("name", _("Name")),
            Column("profession", _("Profession")),
            Column("veso", _("VESO hours"), "number"),
            Column("missing", _("Hours missing"), "number"),
        ],
        below,
        title=_("Below the VESO requirement"),
    )
    return Report(
        main=main,
        summary=summary,
        total_rows=total_rows,
        page=filters.page,
        links={"name": "person"},
        figures={
            "target": target,
            "days": VESO_DAYS_PER_YEAR,
            "per_day": target / VESO_DAYS_PER_YEAR,
            "staff": city.staff or 0,
            "compliant": int(city.compliant or 0),
            "share": ratio(city.compliant or 0, city.staff, 100),
        },
    )


# --- 3. training participation and cost --------------------------------------------------

SEAT_STATUSES = (
    EnrollmentStatus.BOOKED,
    EnrollmentStatus.ATTENDED,
    EnrollmentStatus.PARTLY_ATTENDED,
    EnrollmentStatus.NO_SHOW,
)


def _year_window(filters: ReportFilters) -> tuple[datetime, datetime]:
    """The sessions a report counts: those starting in the school year (Helsinki time), or
    in the date range when one is given."""
    first = filters.date_from or filters.year.starts_on
    last = filters.date_to or filters.year.ends_on
    start = datetime.combine(first, time(0), HELSINKI)
    end = datetime.combine(last + timedelta(days=1), time(0), HELSINKI)
    return start, end


def _training_sums() -> list:
    status = Enrollment.status
    attended = [s for s in EnrollmentStatus if s in ATTENDED_STATES]
    return [
        sa.func.count(Enrollment.id).label("seats"),
        sa.func.sum(sa.case((status == EnrollmentStatus.BOOKED, 1), else_=0)).label("booked"),
        sa.func.sum(sa.case((status.in_(attended), 1), else_=0)).label("attended"),
        sa.func.sum(sa.case((status == EnrollmentStatus.NO_SHOW, 1), else_=0)).label("no_show"),
        sa.func.count(sa.distinct(Enrollment.user_id)).label("participants"),
        sa.func.sum(Course.cost_eur).label("cost"),
    ]


def _training_values(r: Any) -> dict[str, Any]:
    cost = dec(r.cost) if r is not None else ZERO
    seats = r.seats if r is not None else 0
    attended = int(r.attended or 0) if r is not None else 0
    participants = r.participants if r is not None else 0
    return {
        "seats": seats,
        "booked": int(r.booked or 0) if r is not None else 0,
        "attended": attended,
        "no_show": int(r.no_show or 0) if r is not None else 0,
        "participants": participants,
        "cost": cost,
        "per_participant": ratio(cost, participants) if participants else None,
        "per_attendance": ratio(cost, attended) if attended else None,
    }


def training_report(filters: ReportFilters, *, paged: bool = True) -> Report:
    """Per unit (the participant's): enrolments holding a seat in sessions of the year,
    booked / attended / no-show, participants and the cost."""
    start, end = _year_window(filters)
    counted = [
        Enrollment.status.in_(SEAT_STATUSES),
        CourseSession.status != SessionStatus.CANCELLED,
        CourseSession.starts_at >= start,
        CourseSession.starts_at < end,
    ]
    per_unit = (
        _members(filters)
        .with_only_columns(Unit.id, *_training_sums())
        .join(Enrollment, Enrollment.user_id == UnitMembership.user_id)
        .join(CourseSession, CourseSession.id == Enrollment.session_id)
        .join(Course, Course.id == CourseSession.course_id)
        .where(*counted)
        .group_by(Unit.id)
    )
    found = {r.id: r for r in db.session.execute(per_unit)}
    chosen = filters.units if filters.unit is None else [filters.unit]
    rows = [{"name": u.name, **_training_values(found.get(u.id)), "key": u.id} for u in chosen]
    city = db.session.execute(
        sa.select(*_training_sums())
        .select_from(Enrollment)
        .join(CourseSession, CourseSession.id == Enrollment.session_id)
        .join(Course, Course.id == CourseSession.course_id)
        .where(Enrollment.user_id.in_(staff_in_scope(filters)), *counted)
    ).one()
    columns = [
        Column("name", _("Unit")),
        Column("seats", _("Enrolments"), "number"),
        Column("booked", _("Booked (not yet marked)"), "number"),
        Column("attended", _("Attended"), "number"),
        Column("no_show", _("Did not attend"), "number"),
        Column("participants", _("Participants"), "number"),
        Column("cost", _("Cost (€)"), "number"),
        Column("per_participant", _("Cost per person (€)"), "number"),
        Column("per_attendance", _("Cost per attendance (€)"), "number"),
    ]
    return Report(
        main=Table(columns, rows, title=_("Training participation and cost")),
        total_rows=len(rows),
        figures=_training_values(city),
    )


# --- 4. competence levels ----------------------------------------------------------------


def competence_report(filters: ReportFilters, *, paged: bool = True) -> Report:
    """Area × level counts of the latest self-assessment of each staff member in scope, and
    how many have not assessed themselves in the area."""
    staff = staff_in_scope(filters)
    latest = latest_assessment_ids(staff, AssessmentSource.SELF)
    counts: dict[int, dict[int, int]] = {}
    for area_id, level, n in db.session.execute(
        sa.select(CompetenceAssessment.area_id, CompetenceAssessment.level, sa.func.count())
        .where(CompetenceAssessment.id.in_(latest))
        .group_by(CompetenceAssessment.area_id, CompetenceAssessment.level)
    ):
        counts.setdefault(area_id, {})[level] = n
    staff_count = (
        db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.id.in_(staff)))
        or 0
    )
    rows = []
    for area in active_areas():
        by_level = counts.get(area.id, {})
        assessed = sum(by_level.values())
        row: dict[str, Any] = {"code": area.code, "name": area.name}
        for level in LEVELS:
            row[f"level_{level}"] = by_level.get(level, 0)
        row["not_assessed"] = max(0, staff_count - assessed)
        row["average"] = (
            ratio(sum(level * n for level, n in by_level.items()), assessed) if assessed else None
        )
        row["high_share"] = ratio(by_level.get(3, 0) + by_level.get(4, 0), assessed, 100)
        rows.append(row)
    descriptors = level_descriptors()
    columns = [
        Column("code", _("Code")),
        Column("name", _("Competence area")),
        *[
            Column(f"level_{level}", f"{level} – {descriptors[level]}", "number")
            for level in LEVELS
        ],
        Column("not_assessed", _("Not assessed"), "number"),
        Column("average", _("Average level"), "number"),
        Column("high_share", _("At level 3–4 (%)"), "percent"),
    ]
    return Report(
        main=Table(columns, rows, title=_("Competence levels")),
        total_rows=len(rows),
        figures={"staff": staff_count},
    )


# --- 5. course feedback ------------------------------------------------------------------


def feedback_report(filters: ReportFilters, *, paged: bool = True) -> Report:
    """Per course: feedback given by staff in scope on sessions of the year, the average
    rating and how many gave each rating 1–5."""
    start, end = _year_window(filters)
    ratings = [
        sa.func.sum(sa.case((TrainingFeedback.rating == k, 1), else_=0)).label(f"r{k}")
        for k in range(1, 6)
    ]
    base = (
        sa.select(
            Course.id,
            Course.title,
            sa.func.count(TrainingFeedback.id).label("count"),
            sa.func.avg(TrainingFeedback.rating).label("average"),
            *ratings,
        )
        .select_from(TrainingFeedback)
        .join(Course, Course.id == TrainingFeedback.course_id)
        .join(Enrollment, Enrollment.id == TrainingFeedback.enrollment_id)
        .join(CourseSession, CourseSession.id == Enrollment.session_id)
        .where(
            Enrollment.user_id.in_(staff_in_scope(filters)),
            CourseSession.starts_at >= start,
            CourseSession.starts_at < end,
        )
        .group_by(Course.id, Course.title)
        .order_by(Course.title, Course.id)
    )
    total_rows = _count(base) if paged else 0
    rows = []
    for r in db.session.execute(_page(base, filters, paged)):
        rows.append(
            {
                "title": r.title,
                "count": r.count,
                "average": Decimal(str(r.average)).quantize(Decimal("0.1")),
                **{f"r{k}": int(getattr(r, f"r{k}") or 0) for k in range(1, 6)},
                "key": r.id,
            }
        )
    overall = db.session.execute(
        sa.select(
            sa.func.count(TrainingFeedback.id).label("count"),
            sa.func.avg(TrainingFeedback.rating).label("average"),
        )
        .select_from(TrainingFeedback)
        .join(Enrollment, Enrollment.id == TrainingFeedback.enrollment_id)
        .join(CourseSession, CourseSession.id == Enrollment.session_id)
        .where(
            Enrollment.user_id.in_(staff_in_scope(filters)),
            CourseSession.starts_at >= start,
            CourseSession.starts_at < end,
        )
    ).one()
    columns = [
        Column("title", _("Course")),
        Column("count", _("Answers"), "number"),
        Column("average", _("Average rating (1–5)"), "number"),
        *[Column(f"r{k}", _("Rated %(n)d", n=k), "number") for k in range(1, 6)],
    ]
    return Report(
        main=Table(columns, rows, title=_("Course feedback")),
        total_rows=total_rows,
        page=filters.page,
        figures={
            "count": overall.count or 0,
            "average": (
                Decimal(str(overall.average)).quantize(Decimal("0.1"))
                if overall.average is not None
                else None
            ),
        },
    )
