"""Finding training: the catalogue search, recommendations, and "my enrolments".

Each page runs a fixed number of queries, whatever the number of rows (the benchmark
`bench/catalogue.py` counts them): the sessions of the page with their courses, then one
query each for the areas, the dates, the waiting-list lengths and the reader's own
enrolments on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from pdservice.clock import today
from pdservice.competences.services import LearnerAreas, learner_areas
from pdservice.core.models import CompetenceArea, SchoolYear, User
from pdservice.db import utcnow
from pdservice.extensions import db
from pdservice.training.enrolment import waitlist_positions
from pdservice.training.enums import CLOSED_STATES, CourseFormat, EnrollmentStatus, SessionStatus
from pdservice.training.models import Course, CourseSession, Enrollment, course_area
from pdservice.training.services import waitlist_counts
from pdservice.training.times import day_start_utc

PAGE_SIZE = 20


@dataclass
class Filters:
    q: str = ""
    area_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    format: CourseFormat | None = None
    free_only: bool = False
    my_goals: bool = False
    page: int = 1


@dataclass
class SessionRow:
    session: CourseSession
    waitlist: int = 0
    mine: Enrollment | None = None
    position: tuple[int, int] | None = None
    goal_match: bool = False


@dataclass
class SearchResult:
    rows: list[SessionRow]
    total: int
    page: int
    pages: int
    goal_areas: set[int] = field(default_factory=set)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def search(
    filters: Filters, user: User, year: SchoolYear, areas: LearnerAreas | None = None
) -> SearchResult:
    goal_areas = set((areas or learner_areas(user, year)).goals)
    query = (
        sa.select(CourseSession)
        .join(Course, Course.id == CourseSession.course_id)
        .where(Course.active.is_(True), CourseSession.status == SessionStatus.SCHEDULED)
    )
    start = filters.date_from or today()
    query = query.where(CourseSession.starts_at >= day_start_utc(start))
    if filters.date_to:
        query = query.where(CourseSession.starts_at < day_start_utc(filters.date_to + timedelta(1)))
    if filters.q:
        like = f"%{filters.q.strip().lower()}%"
        query = query.where(
            sa.or_(
                sa.func.lower(Course.title).like(like),
                sa.func.lower(Course.description).like(like),
                sa.func.lower(Course.provider).like(like),
            )
        )
    if filters.area_id:
        query = query.where(
            sa.exists().where(
                course_area.c.course_id == Course.id, course_area.c.area_id == filters.area_id
            )
        )
    if filters.format:
        query = query.where(Course.format == filters.format)
    if filters.free_only:
        query = query.where(CourseSession.booked_count < CourseSession.capacity)
    if filters.my_goals:
        query = query.where(
            sa.exists().where(
                course_area.c.course_id == Course.id,
                course_area.c.area_id.in_(goal_areas or {-1}),
            )
        )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    sessions = list(
        db.session.scalars(
            query.order_by(CourseSession.starts_at, CourseSession.id)
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
            .options(
                sa.orm.contains_eager(CourseSession.course).selectinload(Course.areas),
                sa.orm.selectinload(CourseSession.dates),
            )
        ).unique()
    )
    ids = [s.id for s in sessions]
    waits = waitlist_counts(ids)
    mine = my_active_enrollments(user, ids)
    positions = waitlist_positions(
        [e.id for e in mine.values() if e.status == EnrollmentStatus.WAITLISTED]
    )
    rows = [
        SessionRow(
            session=s,
            waitlist=waits.get(s.id, 0),
            mine=mine.get(s.id),
            position=positions.get(mine[s.id].id) if s.id in mine else None,
            goal_match=bool(goal_areas & {a.id for a in s.course.areas}),
        )
        for s in sessions
    ]
    return SearchResult(rows=rows, total=total, page=page, pages=pages, goal_areas=goal_areas)


def my_active_enrollments(user: User, session_ids: list[int]) -> dict[int, Enrollment]:
    if not session_ids:
        return {}
    rows = db.session.scalars(
        sa.select(Enrollment).where(
            Enrollment.user_id == user.id,
            Enrollment.session_id.in_(session_ids),
            Enrollment.status.not_in(CLOSED_STATES),
        )
    )
    return {e.session_id: e for e in rows}


# --- recommendations ----------------------------------------------------------------------


@dataclass
class Recommendation:
    course: Course
    session: CourseSession
    goal_areas: list[CompetenceArea]
    low_areas: list[CompetenceArea]


def recommendations(
    user: User, year: SchoolYear, limit: int = 5, areas: LearnerAreas | None = None
) -> list[Recommendation]:
    """Courses in the areas of the person's unmet goals and of their lowest self-assessed
    areas, meant for their profession, that they have not taken or enrolled in, each with
    its soonest session still open (or opening) for enrolment. Goal matches first, then the
    soonest. The database picks the soonest session per course and the top `limit` (a
    window function), so the cost does not grow with the catalogue."""
    areas = areas or learner_areas(user, year)
    goals, low = set(areas.unmet_goals), set(areas.lowest)
    wanted = goals | low
    if not wanted:
        return []
    from pdservice.training.models import CourseAudience

    now = utcnow()
    taken = (
        sa.select(CourseSession.course_id)
        .join(Enrollment, Enrollment.session_id == CourseSession.id)
        .where(Enrollment.user_id == user.id, Enrollment.status.not_in(CLOSED_STATES))
    )
    audience_ok = sa.or_(
        ~sa.exists().where(CourseAudience.course_id == Course.id),
        sa.exists().where(
            CourseAudience.course_id == Course.id, CourseAudience.profession == user.profession
        ),
    )

    def in_areas(ids: set[int]):
        return sa.exists().where(
            course_area.c.course_id == Course.id, course_area.c.area_id.in_(ids or {-1})
        )

    ranked = (
        sa.select(
            CourseSession.id,
            CourseSession.starts_at,
            CourseSession.course_id,
            sa.case((in_areas(goals), 1), else_=0).label("goal"),
            sa.func.row_number()
            .over(
                partition_by=CourseSession.course_id,
                order_by=(CourseSession.starts_at, CourseSession.id),
            )
            .label("n"),
        )
        .join(Course, Course.id == CourseSession.course_id)
        .where(
            Course.active.is_(True),
            CourseSession.status == SessionStatus.SCHEDULED,
            CourseSession.enrol_closes_at > now,
            Course.id.not_in(taken),
            audience_ok,
            in_areas(wanted),
        )
        .subquery()
    )
    top = list(
        db.session.scalars(
            sa.select(ranked.c.id)
            .where(ranked.c.n == 1)
            .order_by(ranked.c.goal.desc(), ranked.c.starts_at, ranked.c.course_id)
            .limit(limit)
        )
    )
    sessions = {
        s.id: s
        for s in db.session.scalars(
            sa.select(CourseSession)
            .where(CourseSession.id.in_(top or [-1]))
            .options(sa.orm.joinedload(CourseSession.course).selectinload(Course.areas))
        ).unique()
    }
    return [
        Recommendation(
            course=sessions[i].course,
            session=sessions[i],
            goal_areas=[a for a in sessions[i].course.areas if a.id in goals],
            low_areas=[a for a in sessions[i].course.areas if a.id in low and a.id not in goals],
        )
        for i in top
    ]


# --- my enrolments ----------------------------------------------------------------------


@dataclass
class MyEnrolment:
    enrollment: Enrollment
    position: tuple[int, int] | None
    can_cancel: bool
    can_give_feedback: bool


def my_enrolments(user: User) -> tuple[list[MyEnrolment], list[MyEnrolment]]:
    """A person's enrolments: (upcoming, past), with waiting-list positions, in a fixed
    number of queries."""
    from pdservice.training.enums import ATTENDED_STATES
    from pdservice.training.services import has_feedback

    enrollments = list(
        db.session.scalars(
            sa.select(Enrollment)
            .join(CourseSession, CourseSession.id == Enrollment.session_id)
            .where(Enrollment.user_id == user.id)
            .order_by(CourseSession.starts_at.desc(), Enrollment.id.desc())
            .options(
                sa.orm.contains_eager(Enrollment.session).joinedload(CourseSession.course),
                sa.orm.contains_eager(Enrollment.session).selectinload(CourseSession.dates),
            )
        ).unique()
    )
    positions = waitlist_positions(
        [e.id for e in enrollments if e.status == EnrollmentStatus.WAITLISTED]
    )
    given = has_feedback([e.id for e in enrollments if e.status in ATTENDED_STATES])
    now = utcnow()
    upcoming, past = [], []
    for e in enrollments:
        session = e.session
        s = EnrollmentStatus
        can_cancel = now < session.starts_at and (
            e.status in (s.REQUESTED, s.WAITLISTED)
            or (e.status == s.BOOKED and now <= session.cancel_cutoff_at)
        )
        item = MyEnrolment(
            enrollment=e,
            position=positions.get(e.id),
            can_cancel=can_cancel,
            can_give_feedback=e.status in ATTENDED_STATES and e.id not in given,
        )
        (upcoming if session.ends_at >= now else past).append(item)
    upcoming.reverse()  # soonest first
    return upcoming, past
