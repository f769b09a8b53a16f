"""The collaboration indicators: ONE registry of what each one means and how it is computed.

Every page, export, snapshot, target and the backfill reads `INDICATORS`. Each indicator is
computed in SQL for all units at once (a handful of aggregate queries per page, whatever the
number of staff) from the co-teaching data of each unit's *current term* (the term that today
falls in and has a timetable, else the latest with a timetable, as `timetable.current_term`
chooses it).

A unit's figure is a numerator and, where meaningful, a denominator; the city's figure adds up
the active units' numerators and denominators (a person who works in two units counts in
each), so the city row is always the sum of the unit rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from pdservice.core.enums import TEACHING_PROFESSIONS
from pdservice.core.models import Unit, UnitMembership, User
from pdservice.coteaching.models import CoTeachingAssignment
from pdservice.extensions import db
from pdservice.teams.models import Team, TeamMeeting, TeamMember
from pdservice.timetable.models import Group, Lesson, Term, lesson_extra_group

PERCENT, COUNT, RATIO = "percent", "count", "ratio"
TEACHING = sorted(str(p) for p in TEACHING_PROFESSIONS)


@dataclass(frozen=True)
class Figure:
    """One indicator's value for one unit or the city, with what it was computed from."""

    value: float | None
    numerator: float | None = None
    denominator: float | None = None


@dataclass(frozen=True)
class Indicator:
    code: str
    label: Any  # lazy string
    measure: str  # percent | count | ratio
    definition: Any  # lazy string: what counts, from which data
    compute: Callable[[Basis], dict[int, tuple[float, float | None]]]
    # Why the backfill cannot recompute it from the audit history (None: it can).
    no_backfill: Any = None
    numerator_label: Any = ""
    denominator_label: Any = ""

    @property
    def is_percent(self) -> bool:
        return self.measure == PERCENT

    @property
    def unit_symbol(self) -> str:
        return " %" if self.measure == PERCENT else ""

    def figure(self, numerator: float | None, denominator: float | None) -> Figure:
        if numerator is None:
            return Figure(None, None, denominator)
        if self.measure == COUNT:
            return Figure(float(numerator), float(numerator), denominator)
        if not denominator:
            return Figure(None, float(numerator), denominator)
        scale = 100.0 if self.measure == PERCENT else 1.0
        return Figure(round(scale * numerator / denominator, 2), float(numerator), denominator)


# --- the SQL building blocks ------------------------------------------------------------------


def current_terms(on: date) -> sa.Subquery:
    """(unit_id, term_id): each unit's current term on `on`, chosen in SQL."""
    has_timetable = Term.timetable_version > 0
    in_term = sa.and_(Term.starts_on <= on, Term.ends_on >= on, has_timetable)
    ranked = sa.select(
        Term.id.label("term_id"),
        Term.unit_id.label("unit_id"),
        sa.func.row_number()
        .over(
            partition_by=Term.unit_id,
            order_by=[
                sa.case((in_term, 0), else_=1),
                sa.case((has_timetable, 0), else_=1),
                Term.starts_on.desc(),
                Term.id.desc(),
            ],
        )
        .label("rank"),
    ).subquery("ranked_terms")
    return (
        sa.select(ranked.c.unit_id, ranked.c.term_id)
        .where(ranked.c.rank == 1)
        .subquery("current_term")
    )


@dataclass
class Basis:
    """The day the figures are for, with each base query run at most once."""

    on: date
    _cache: dict[str, Any] = field(default_factory=dict)

    def once(self, key: str, fn: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    @property
    def terms(self) -> sa.Subquery:
        return self.once("terms", lambda: current_terms(self.on))


def _pairs(query: sa.Select) -> dict[int, int]:
    return {unit_id: int(n or 0) for unit_id, n in db.session.execute(query)}


def _staff(basis: Basis, *, teaching: bool) -> dict[int, int]:
    query = (
        sa.select(UnitMembership.unit_id, sa.func.count(UnitMembership.user_id))
        .join(User, User.id == UnitMembership.user_id)
        .where(User.active.is_(True))
        .group_by(UnitMembership.unit_id)
    )
    if teaching:
        query = query.where(User.profession.in_(TEACHING))
    return _pairs(query)


def teaching_staff(basis: Basis) -> dict[int, int]:
    return basis.once("teaching_staff", lambda: _staff(basis, teaching=True))


def all_staff(basis: Basis) -> dict[int, int]:
    return basis.once("all_staff", lambda: _staff(basis, teaching=False))


def _published(basis: Basis) -> sa.Select:
    """Published co-teaching assignments of each unit's current term."""
    terms = basis.terms
    return (
        sa.select(
            terms.c.unit_id, CoTeachingAssignment.lesson_id, CoTeachingAssignment.coteacher_id
        )
        .join(terms, terms.c.term_id == CoTeachingAssignment.term_id)
        .where(CoTeachingAssignment.published.is_(True))
    )


def cotaught_lessons(basis: Basis) -> dict[int, int]:
    def run() -> dict[int, int]:
        published = _published(basis).subquery()
        return _pairs(sa.select(published.c.unit_id, sa.func.count()).group_by(published.c.unit_id))

    return basis.once("cotaught_lessons", run)


def coteaching_people(basis: Basis) -> dict[int, int]:
    """Active teaching staff of the unit who host or join a published co-taught lesson."""

    def run() -> dict[int, int]:
        published = _published(basis).subquery()
        people = sa.union(
            sa.select(published.c.unit_id, published.c.coteacher_id.label("user_id")),
            sa.select(published.c.unit_id, Lesson.teacher_id.label("user_id")).join(
                Lesson, Lesson.id == published.c.lesson_id
            ),
        ).subquery("people")
        return _pairs(
            sa.select(people.c.unit_id, sa.func.count())
            .join(
                UnitMembership,
                sa.and_(
                    UnitMembership.unit_id == people.c.unit_id,
                    UnitMembership.user_id == people.c.user_id,
                ),
            )
            .join(User, User.id == people.c.user_id)
            .where(User.active.is_(True), User.profession.in_(TEACHING))
            .group_by(people.c.unit_id)
        )

    return basis.once("coteaching_people", run)


def support_groups(basis: Basis) -> dict[int, tuple[int, int]]:
    """(groups with group-specific support that have a co-taught lesson, all such groups)."""

    def run() -> dict[int, tuple[int, int]]:
        terms = basis.terms
        published = (
            sa.select(CoTeachingAssignment.lesson_id)
            .join(terms, terms.c.term_id == CoTeachingAssignment.term_id)
            .where(CoTeachingAssignment.published.is_(True))
            .subquery("published_lessons")
        )
        covered = sa.union(
            sa.select(Lesson.group_id.label("group_id")).join(
                published, published.c.lesson_id == Lesson.id
            ),
            sa.select(lesson_extra_group.c.group_id.label("group_id")).join(
                published, published.c.lesson_id == lesson_extra_group.c.lesson_id
            ),
        ).subquery("covered")
        query = (
            sa.select(terms.c.unit_id, sa.func.count(covered.c.group_id), sa.func.count(Group.id))
            .join(terms, terms.c.term_id == Group.term_id)
            .outerjoin(covered, covered.c.group_id == Group.id)
            .where(Group.group_support.is_(True))
            .group_by(terms.c.unit_id)
        )
        return {u: (int(n), int(d)) for u, n, d in db.session.execute(query)}

    return basis.once("support_groups", run)


def team_meetings(basis: Basis) -> dict[int, tuple[int, int]]:
    """(teams with a published weekly meeting in the current term, all teams)."""

    def run() -> dict[int, tuple[int, int]]:
        terms = basis.terms
        query = (
            sa.select(Team.unit_id, sa.func.count(TeamMeeting.id), sa.func.count(Team.id))
            .outerjoin(terms, terms.c.unit_id == Team.unit_id)
            .outerjoin(
                TeamMeeting,
                sa.and_(
                    TeamMeeting.team_id == Team.id,
                    TeamMeeting.term_id == terms.c.term_id,
                    TeamMeeting.published_slot_id.is_not(None),
                ),
            )
            .group_by(Team.unit_id)
        )
        return {u: (int(n), int(d)) for u, n, d in db.session.execute(query)}

    return basis.once("team_meetings", run)


def multiprofessional_staff(basis: Basis) -> dict[int, int]:
    """Active staff who belong to at least one team of the unit whose active members have at
    least two different professions."""

    def run() -> dict[int, int]:
        mixed = (
            sa.select(TeamMember.team_id)
            .join(User, User.id == TeamMember.user_id)
            .where(User.active.is_(True))
            .group_by(TeamMember.team_id)
            .having(sa.func.count(sa.distinct(User.profession)) >= 2)
        )
        return _pairs(
            sa.select(Team.unit_id, sa.func.count(sa.distinct(TeamMember.user_id)))
            .join(Team, Team.id == TeamMember.team_id)
            .join(User, User.id == TeamMember.user_id)
            .where(User.active.is_(True), TeamMember.team_id.in_(mixed))
            .group_by(Team.unit_id)
        )

    return basis.once("multiprofessional_staff", run)


# --- the registry ---------------------------------------------------------------------------


def _share(numerators: Callable, denominators: Callable) -> Callable:
    def compute(basis: Basis) -> dict[int, tuple[float, float | None]]:
        nums, dens = numerators(basis), denominators(basis)
        return {u: (nums.get(u, 0), dens.get(u, 0)) for u in set(nums) | set(dens)}

    return compute


def _count(source: Callable) -> Callable:
    """A count with nothing it is "out of"."""

    def compute(basis: Basis) -> dict[int, tuple[float, float | None]]:
        return {u: (n, None) for u, n in source(basis).items()}

    return compute


def _paired(source: Callable) -> Callable:
    def compute(basis: Basis) -> dict[int, tuple[float, float | None]]:
        return {u: (n, d) for u, (n, d) in source(basis).items()}

    return compute


NO_PEOPLE_IN_AUDIT = _l(
    "The audit history records how many lessons were published, not who teaches them, so "
    "past shares of teachers cannot be recomputed."
)

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "coteaching_teachers",
        _l("Teachers who co-teach"),
        PERCENT,
        _l(
            "The share of the unit's active teaching staff (class, subject, special-needs and "
            "special-class teachers, guidance counsellors, principals, ECEC teachers) who host "
            "or join at least one published co-taught lesson in the unit's current term. From "
            "the published co-teaching timetable and the unit's memberships."
        ),
        _share(coteaching_people, teaching_staff),
        no_backfill=NO_PEOPLE_IN_AUDIT,
        numerator_label=_l("teachers in a pair"),
        denominator_label=_l("teaching staff"),
    ),
    Indicator(
        "cotaught_lessons",
        _l("Co-taught lessons a week"),
        COUNT,
        _l(
            "The number of weekly lessons joined by a co-teacher in the published co-teaching "
            "timetable of the unit's current term (a lesson joined by two co-teachers counts "
            "twice)."
        ),
        _count(cotaught_lessons),
        numerator_label=_l("co-taught lessons"),
    ),
    Indicator(
        "cotaught_lessons_per_teacher",
        _l("Co-taught lessons a week per teacher"),
        RATIO,
        _l(
            "Co-taught lessons a week (as above) divided by the unit's active teaching staff. "
            "From the published co-teaching timetable and the unit's memberships."
        ),
        _share(cotaught_lessons, teaching_staff),
        no_backfill=_l(
            "The audit history does not record who belonged to a unit on a past day, so the "
            "number of teachers then is unknown."
        ),
        numerator_label=_l("co-taught lessons"),
        denominator_label=_l("teaching staff"),
    ),
    Indicator(
        "support_groups_coteaching",
        _l("Groups with group-specific support that are co-taught"),
        PERCENT,
        _l(
            "Of the pupil groups with group-specific support in the unit's current term, the "
            "share that have at least one published co-taught lesson (as the lesson's group "
            "or one of its combined groups). From the imported timetable's groups and the "
            "published co-teaching timetable."
        ),
        _paired(support_groups),
        no_backfill=_l(
            "The audit history does not record which groups' lessons were co-taught, nor the "
            "groups' support needs on a past day."
        ),
        numerator_label=_l("co-taught groups"),
        denominator_label=_l("groups with group-specific support"),
    ),
    Indicator(
        "teams_with_meeting",
        _l("Teams with a weekly meeting"),
        COUNT,
        _l(
            "The number of the unit's teams that have a published weekly meeting in the "
            "unit's current term. From the teams and their published meetings."
        ),
        _paired(team_meetings),
        numerator_label=_l("teams with a meeting"),
        denominator_label=_l("teams"),
    ),
    Indicator(
        "multiprofessional_staff",
        _l("Staff in a multiprofessional team"),
        COUNT,
        _l(
            "The number of active staff members who belong to at least one of the unit's "
            "teams that is multiprofessional: its active members have at least two different "
            "professions (e.g. teachers with a psychologist, a social worker or a nurse). From "
            "the teams, their members and the members' professions."
        ),
        _share(multiprofessional_staff, all_staff),
        numerator_label=_l("staff in a multiprofessional team"),
        denominator_label=_l("staff"),
    ),
)

BY_CODE: dict[str, Indicator] = {i.code: i for i in INDICATORS}
# Counts that are not "out of" anything (no denominator shown or stored).
COUNT_ONLY = frozenset(i.code for i in INDICATORS if not i.denominator_label)


def active_units(unit_ids: set[int] | None = None) -> list[Unit]:
    query = sa.select(Unit).where(Unit.active.is_(True)).order_by(Unit.name)
    if unit_ids is not None:
        query = query.where(Unit.id.in_(unit_ids))
    return list(db.session.scalars(query))


@dataclass
class Figures:
    """Every indicator's figure per unit (and for the city) on one day."""

    on: date
    units: list[Unit]
    by_unit: dict[tuple[str, int], Figure]
    city: dict[str, Figure]

    def of(self, code: str, unit_id: int | None) -> Figure:
        if unit_id is None:
            return self.city.get(code, Figure(None))
        return self.by_unit.get((code, unit_id), Figure(None))


def compute_figures(
    on: date, *, units: list[Unit] | None = None, with_city: bool = True
) -> Figures:
    """Every indicator for `units` (default: every active unit) and, if asked, the city.

    The city is always the sum over every active unit, whatever `units` holds."""
    basis = Basis(on)
    all_units = active_units()
    active_ids = {u.id for u in all_units}
    units = all_units if units is None else units
    by_unit: dict[tuple[str, int], Figure] = {}
    city: dict[str, Figure] = {}
    for indicator in INDICATORS:
        raw = indicator.compute(basis)
        for unit in units:
            num, den = raw.get(unit.id, (0, None if indicator.code in COUNT_ONLY else 0))
            by_unit[(indicator.code, unit.id)] = indicator.figure(num, den)
        if with_city:
            nums = [n for u, (n, _d) in raw.items() if u in active_ids]
            dens = [d for u, (_n, d) in raw.items() if u in active_ids and d is not None]
            den = None if indicator.code in COUNT_ONLY else sum(dens)
            city[indicator.code] = indicator.figure(sum(nums), den)
    return Figures(on, units, by_unit, city)
