"""The HR reports with a city-sized database.

    .venv/bin/python bench/reports.py                  # PostgreSQL
    .venv/bin/python bench/reports.py --sqlite         # a SQLite file
    .venv/bin/python bench/reports.py --json           # per page p50_ms, p95_ms, queries_per_page

It creates a database of its own (and drops it), migrates it, and bulk-inserts (Core
executemany, no ORM objects) 40 units, 5,000 staff with their memberships (one in twenty in
two units) and professions, a principal per unit, 200,000 development-hours ledger rows over
two school years (most with one or two competence areas), self-assessments, courses with
sessions, enrolments and feedback. Then it requests each page of `PAGES` through the app
(in-process, production settings), as HR or as a principal of a random unit, and reports per
page the median and 95th-percentile time and the number of SQL statements the page ran
(counted with SQLAlchemy's `before_cursor_execute` event). Target: p95 <= 300 ms.

The data is made by the steps in `POPULATE`, each `step(conn, city)`, then `SESSION_STEPS`
(the strategy dashboard's co-teaching, teams and two years of nightly snapshots, from
`bench/strategy_load.py`); `PAGES` lists what is measured: the HR reports and the strategy
dashboard's city indicator pages.
"""

from __future__ import annotations

import json
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    measure_pages,
    migrated_app,
    page_benchmark_args,
    print_pages,
    session_rows,
    unit_rows,
)
from bench.strategy_load import TWO_YEARS_AGO, populate_strategy  # noqa: E402

UNITS = 40
STAFF = 5000
LEDGER_ROWS = 200_000
COURSES = 200
SESSIONS = 1000
ENROLMENTS = 40_000
TARGET_P95_MS = 300
CHUNK = 5000
PROFESSIONS = [
    "class_teacher",
    "subject_teacher",
    "special_needs_teacher",
    "school_assistant",
    "ecec_teacher",
    "guidance_counsellor",
]
KINDS = ["training", "veso", "external", "coteaching_planning"]


@dataclass
class City:
    """What the steps share: ids of what was made, the school years, a seeded random."""

    rng: random.Random
    now: datetime
    years: list  # SchoolYear objects (detached), the older first
    area_ids: list[int]
    unit_ids: list[int] = field(default_factory=list)
    staff_ids: list[int] = field(default_factory=list)
    principal_ids: list[int] = field(default_factory=list)  # one per unit, by unit
    hr_id: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def insert(conn, table, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        conn.execute(table.insert(), rows[start : start + CHUNK])


def populate_people(conn, city: City) -> None:
    """Units, staff with professions and memberships, a principal per unit, one HR user."""
    from werkzeug.security import generate_password_hash

    from pdservice.core.models import Unit, UnitMembership, User

    password = generate_password_hash("benchmark password", method="pbkdf2:sha256:1000")
    rng, now = city.rng, city.now
    insert(
        conn,
        Unit.__table__,
        unit_rows(UNITS, now),
    )
    city.unit_ids = list(range(1, UNITS + 1))

    def person(uid: int, name: str, profession: str, **extra) -> dict:
        return {
            "id": uid,
            "email": f"{name.lower().replace(' ', '.')}@bench.example",
            "name": name,
            "profession": profession,
            "fte": Decimal(1),
            "preferred_language": "fi",
            "active": uid % 97 != 0,  # a few who left
            "is_hr": extra.get("is_hr", False),
            "is_admin": False,
            "password_hash": password,
            "must_change_password": False,
            "session_version": 1,
            "created_at": now,
            "updated_at": now,
        }

    users = [person(n + 1, f"Staff {n}", rng.choice(PROFESSIONS)) for n in range(STAFF)]
    principals = [person(STAFF + u + 1, f"Principal {u}", "principal") for u in range(UNITS)]
    for p in principals:
        p["active"] = True
    hr = person(STAFF + UNITS + 1, "HR Bench", "hr_specialist", is_hr=True)
    hr["active"] = True
    insert(conn, User.__table__, [*users, *principals, hr])
    memberships = []
    for n in range(STAFF):
        home = n % UNITS + 1
        memberships.append(
            {"user_id": n + 1, "unit_id": home, "role": "teacher", "created_at": now}
        )
        if n % 20 == 0:
            second = (home % UNITS) + 1
            memberships.append(
                {"user_id": n + 1, "unit_id": second, "role": "teacher", "created_at": now}
            )
    for u in range(UNITS):
        memberships.append(
            {"user_id": STAFF + u + 1, "unit_id": u + 1, "role": "principal", "created_at": now}
        )
    insert(conn, UnitMembership.__table__, memberships)
    city.staff_ids = list(range(1, STAFF + 1))
    city.principal_ids = [STAFF + u + 1 for u in range(UNITS)]
    city.hr_id = STAFF + UNITS + 1
    city.counts.update(units=UNITS, staff=STAFF)


def populate_ledger(conn, city: City) -> None:
    """200,000 ledger rows over two school years, most tagged with one or two areas."""
    from pdservice.hours.models import DevelopmentHours, development_hours_area

    rng, now = city.rng, city.now
    rows, links = [], []
    for n in range(LEDGER_ROWS):
        year = city.years[n % len(city.years)]
        span = (year.ends_on - year.starts_on).days
        kind = rng.choices(KINDS, weights=[5, 3, 1, 2])[0]
        rows.append(
            {
                "id": n + 1,
                "user_id": rng.randint(1, STAFF),
                "school_year_id": year.id,
                "occurred_on": year.starts_on + timedelta(days=rng.randint(0, span)),
                "hours": Decimal(rng.choice([1, 1.5, 2, 3, 6])),
                "kind": kind,
                "source_type": "bench",
                "source_id": n + 1,
                "title": "Bench",
                "created_at": now,
                "updated_at": now,
            }
        )
        draw = rng.random()
        if draw < 0.85:
            for area in rng.sample(city.area_ids, 1 if draw < 0.7 else 2):
                links.append({"hours_id": n + 1, "area_id": area})
    insert(conn, DevelopmentHours.__table__, rows)
    insert(conn, development_hours_area, links)
    city.counts.update(ledger_rows=len(rows), ledger_area_links=len(links))


def populate_competences(conn, city: City) -> None:
    """A self-assessment in 8 areas for nine in ten staff (some assessed twice)."""
    from pdservice.competences.models import CompetenceAssessment

    rng, now = city.rng, city.now
    rows = []
    for uid in city.staff_ids:
        if uid % 10 == 0:
            continue
        for area in rng.sample(city.area_ids, min(8, len(city.area_ids))):
            for again in range(1 + (uid % 7 == 0)):
                rows.append(
                    {
                        "user_id": uid,
                        "area_id": area,
                        "source": "self",
                        "level": rng.randint(0, 4),
                        "assessor_id": uid,
                        "assessed_at": now - timedelta(days=60 - again * 30),
                    }
                )
    insert(conn, CompetenceAssessment.__table__, rows)
    city.counts.update(assessments=len(rows))


def populate_training(conn, city: City) -> None:
    """Courses with a price, sessions over the two years, enrolments (booked, attended,
    no-show, cancelled) and feedback from a third of the attendees."""
    from pdservice.training.models import (
        Course,
        CourseSession,
        Enrollment,
        SessionDate,
        TrainingFeedback,
    )

    rng, now = city.rng, city.now
    insert(
        conn,
        Course.__table__,
        [
            {
                "id": c + 1,
                "title": f"Course {c:03d}",
                "description": "A course.",
                "provider": "Vantaa",
                "format": "onsite",
                "hours_credited": Decimal(6),
                "veso_eligible": c % 3 == 0,
                "cost_eur": Decimal(rng.choice([0, 50, 120, 300])),
                "approval_required": False,
                "active": True,
                "created_at": now,
                "updated_at": now,
            }
            for c in range(COURSES)
        ],
    )
    first = datetime.combine(city.years[0].starts_on, datetime.min.time(), UTC)
    span = (city.years[-1].ends_on - city.years[0].starts_on).days
    sessions, dates = [], []
    for s in range(SESSIONS):
        start = first + timedelta(days=rng.randint(0, span), hours=8)
        session_row, date_row = session_rows(
            s + 1,
            s % COURSES + 1,
            start,
            now,
            capacity=60,
            status="cancelled" if s % 50 == 0 else "scheduled",
        )
        sessions.append(session_row)
        dates.append(date_row)
    enrolments, feedback = [], []
    seen = set()
    eid = 0
    while eid < ENROLMENTS:
        s = rng.randrange(SESSIONS)
        uid = rng.randint(1, STAFF)
        if (s, uid) in seen:
            continue
        seen.add((s, uid))
        eid += 1
        past = sessions[s]["starts_at"] < now
        status = (
            rng.choices(["attended", "no_show", "partly_attended", "cancelled"], [8, 1, 1, 1])[0]
            if past
            else rng.choice(["booked", "booked", "cancelled"])
        )
        enrolments.append(
            {
                "id": eid,
                "session_id": s + 1,
                "user_id": uid,
                "status": status,
                "reason": "",
                "waitlisted_at": None,
                "booked_at": sessions[s]["enrol_opens_at"],
                "hours_attended": Decimal(6) if status == "attended" else None,
                "created_at": sessions[s]["enrol_opens_at"],
                "updated_at": sessions[s]["enrol_opens_at"],
            }
        )
        if status == "attended" and eid % 3 == 0:
            feedback.append(
                {
                    "enrollment_id": eid,
                    "course_id": sessions[s]["course_id"],
                    "rating": rng.choices([1, 2, 3, 4, 5], [1, 2, 4, 6, 4])[0],
                    "comment": "",
                    "created_at": now,
                }
            )
    insert(conn, CourseSession.__table__, sessions)
    insert(conn, SessionDate.__table__, dates)
    insert(conn, Enrollment.__table__, enrolments)
    insert(conn, TrainingFeedback.__table__, feedback)
    city.counts.update(sessions=SESSIONS, enrolments=len(enrolments), feedback=len(feedback))


POPULATE = [populate_people, populate_ledger, populate_competences, populate_training]


def populate_strategy_step(session, city: City) -> None:
    """The city indicator page's data: each unit's current term with lessons, published
    co-teaching, teams with meetings and two years of nightly snapshots
    (`bench/strategy_load.py`, shared with `bench/strategy.py`). It takes an ORM session, so
    it runs after the Core steps."""
    counts = populate_strategy(session, city.unit_ids, city.staff_ids, years=2, seed=0)
    city.counts.update(counts)


SESSION_STEPS: list = [populate_strategy_step]

# (name, path, who): who is "hr" or "principal" (a principal of a random unit, who sees
# their own unit's staff).
PAGES: list[tuple[str, str, str]] = [
    ("hours_by_person_hr", "/reports/hours", "hr"),
    ("hours_by_unit_hr", "/reports/hours?group=unit", "hr"),
    ("hours_by_profession_hr", "/reports/hours?group=profession", "hr"),
    ("hours_by_area_hr", "/reports/hours?group=area", "hr"),
    ("hours_by_person_principal", "/reports/hours", "principal"),
    ("veso_hr", "/reports/veso", "hr"),
    ("veso_principal", "/reports/veso", "principal"),
    ("training_hr", "/reports/training", "hr"),
    ("competences_hr", "/reports/competences", "hr"),
    ("feedback_hr", "/reports/feedback", "hr"),
    ("strategy_city_hr", "/strategy/", "hr"),
    ("strategy_city_2y_trend_hr", f"/strategy/?from={TWO_YEARS_AGO}", "hr"),
    ("strategy_units_hr", "/strategy/units", "hr"),
    ("strategy_indicator_hr", "/strategy/indicators/coteaching_teachers", "hr"),
    ("strategy_unit_principal", "/strategy/", "principal"),
]


def seed(app, rng: random.Random) -> City:
    from pdservice.core.models import CompetenceArea
    from pdservice.core.services import current_school_year, school_year_for
    from pdservice.extensions import db

    with app.app_context():
        current = current_school_year()
        previous = school_year_for(current.starts_on - timedelta(days=1))
        db.session.commit()
        years = [previous, current]
        for y in years:
            db.session.refresh(y)
        db.session.expunge_all()
        city = City(
            rng=rng,
            now=datetime.now(UTC).replace(microsecond=0),
            years=years,
            area_ids=list(db.session.scalars(sa.select(CompetenceArea.id))),
        )
        with db.engine.begin() as conn:
            for step in POPULATE:
                started = time.perf_counter()
                step(conn, city)
                print(f"  {step.__name__}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
            if conn.dialect.name == "postgresql":
                for table in (
                    "unit",
                    "user_account",
                    "development_hours",
                    "course",
                    "course_session",
                    "enrollment",
                ):
                    conn.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT max(id) FROM {table}))"
                        )
                    )
        # End the session's read transaction (begun before the Core steps wrote): on SQLite
        # a reader whose snapshot predates another connection's commit cannot write.
        db.session.rollback()
        for step in SESSION_STEPS:
            step(db.session, city)
            db.session.commit()
        with db.engine.begin() as conn:
            conn.execute(sa.text("ANALYZE"))
        db.session.rollback()
        db.engine.dispose()
    return city


def measure(app, city: City, requests_per_page: int, rng: random.Random) -> dict[str, dict]:
    """Each page as HR, or as the principal of a random unit (a new one each request)."""
    return measure_pages(
        app,
        [(name, path, {"as": who}) for name, path, who in PAGES],
        requests_per_page,
        lambda facts: city.hr_id if facts["as"] == "hr" else rng.choice(city.principal_ids),
        warmup=3,
    )


def main() -> int:
    args = page_benchmark_args(__doc__.splitlines()[0], default_requests=40)
    rng = random.Random(20250801)
    kind = "sqlite" if args.sqlite else "postgresql"
    with migrated_app(kind, args.admin_url, "pdbench_reports") as app:
        started = time.perf_counter()
        city = seed(app, rng)
        seeded = time.perf_counter() - started
        pages = measure(app, city, args.requests, rng)
    result = {
        "database": kind,
        **city.counts,
        "seed_seconds": round(seeded, 1),
        "requests_per_page": args.requests,
        "pages": pages,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{kind}: {city.counts['staff']} staff in {city.counts['units']} units, "
            f"{city.counts['ledger_rows']} ledger rows over 2 school years "
            f"(seeded in {seeded:.1f} s); {args.requests} requests per page"
        )
        print_pages(pages, 28)
    return 0 if all(p["p95_ms"] <= TARGET_P95_MS for p in pages.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
