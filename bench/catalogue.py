"""The catalogue search and "my enrolments" with a city-sized database.

    .venv/bin/python bench/catalogue.py                  # PostgreSQL
    .venv/bin/python bench/catalogue.py --sqlite         # a SQLite file
    .venv/bin/python bench/catalogue.py --json

It creates a database of its own (and drops it), migrates it, and bulk-inserts 5,000 staff in
40 units with self-assessments and development plans, 400 courses with 2,000 sessions from a
year back to a year ahead, and 100,000 enrolments (with their history and, for sessions that
took place, attendance and hours). Then it requests each page through the app (in-process,
production settings, signed in as a different staff member each time) and reports, per page,
the median and 95th-percentile time and the number of SQL statements the page ran (counted
with SQLAlchemy's `before_cursor_execute` event): the count must not depend on the rows.
Target: p95 <= 100 ms for every page.
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
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

STAFF = 5000
UNITS = 40
COURSES = 400
SESSIONS = 2000
ENROLMENTS = 100_000
CHUNK = 5000


def insert(conn, table, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        conn.execute(table.insert(), rows[start : start + CHUNK])


def seed(app, rng: random.Random) -> dict[str, int]:
    from werkzeug.security import generate_password_hash

    from pdservice.competences.models import CompetenceAssessment, DevelopmentGoal, DevelopmentPlan
    from pdservice.core.models import CompetenceArea, Unit, UnitMembership, User
    from pdservice.core.services import current_school_year
    from pdservice.extensions import db
    from pdservice.hours.models import DevelopmentHours
    from pdservice.training.models import (
        Course,
        CourseSession,
        Enrollment,
        EnrollmentEvent,
        SessionDate,
        course_area,
    )

    now = datetime.now(UTC).replace(microsecond=0)
    with app.app_context():
        year = current_school_year()
        db.session.commit()
        area_ids = list(db.session.scalars(sa.select(CompetenceArea.id)))
        password = generate_password_hash("benchmark password", method="pbkdf2:sha256:1000")
        with db.engine.begin() as conn:
            insert(
                conn,
                Unit.__table__,
                unit_rows(UNITS, now),
            )
            insert(
                conn,
                User.__table__,
                [
                    {
                        "id": n + 1,
                        "email": f"staff{n}@bench.example",
                        "name": f"Staff {n}",
                        "profession": rng.choice(
                            ["class_teacher", "subject_teacher", "special_needs_teacher"]
                        ),
                        "fte": Decimal(1),
                        "preferred_language": "fi",
                        "active": True,
                        "is_hr": False,
                        "is_admin": False,
                        "password_hash": password,
                        "must_change_password": False,
                        "session_version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for n in range(STAFF)
                ],
            )
            insert(
                conn,
                UnitMembership.__table__,
                [
                    {
                        "user_id": n + 1,
                        "unit_id": n % UNITS + 1,
                        "role": "teacher",
                        "created_at": now,
                    }
                    for n in range(STAFF)
                ],
            )
            insert(
                conn,
                CompetenceAssessment.__table__,
                [
                    {
                        "user_id": u + 1,
                        "area_id": a,
                        "source": "self",
                        "level": rng.randint(0, 4),
                        "assessor_id": u + 1,
                        "assessed_at": now - timedelta(days=30),
                    }
                    for u in range(STAFF)
                    for a in area_ids
                ],
            )
            insert(
                conn,
                DevelopmentPlan.__table__,
                [
                    {
                        "id": u + 1,
                        "user_id": u + 1,
                        "school_year_id": year.id,
                        "status": "approved",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for u in range(STAFF)
                ],
            )
            insert(
                conn,
                DevelopmentGoal.__table__,
                [
                    {
                        "plan_id": u + 1,
                        "area_id": a,
                        "target_level": 3,
                        "planned_actions": "x",
                        "due_on": year.ends_on,
                        "created_at": now,
                    }
                    for u in range(STAFF)
                    for a in rng.sample(area_ids, 2)
                ],
            )
            insert(
                conn,
                Course.__table__,
                [
                    {
                        "id": c + 1,
                        "title": f"Course {c} "
                        + rng.choice(["digi", "kiva", "arviointi", "yhteisopettajuus"]),
                        "description": "A course.",
                        "provider": "Vantaa",
                        "format": rng.choice(["onsite", "online", "hybrid"]),
                        "hours_credited": Decimal(rng.choice([3, 6])),
                        "veso_eligible": c % 3 == 0,
                        "cost_eur": Decimal(0),
                        "approval_required": c % 7 == 0,
                        "active": True,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for c in range(COURSES)
                ],
            )
            insert(
                conn,
                course_area,
                [
                    {"course_id": c + 1, "area_id": a}
                    for c in range(COURSES)
                    for a in rng.sample(area_ids, rng.randint(1, 3))
                ],
            )
            sessions, dates = [], []
            for s in range(SESSIONS):
                start = now + timedelta(days=rng.randint(-365, 365), hours=rng.randint(0, 8))
                start = start.replace(minute=0, second=0)
                session_row, date_row = session_rows(
                    s + 1, s % COURSES + 1, start, now, capacity=40
                )
                sessions.append(session_row)
                dates.append(date_row)
            # Enrolments: 20 per person on distinct sessions, 50 per session on average.
            enrolments, events, hours = [], [], []
            seats = [0] * SESSIONS
            eid = 0
            for u in range(STAFF):
                for s in rng.sample(range(SESSIONS), ENROLMENTS // STAFF):
                    eid += 1
                    session = sessions[s]
                    past = session["starts_at"] < now
                    if seats[s] < session["capacity"]:
                        seats[s] += 1
                        status = (
                            rng.choice(["attended", "attended", "no_show"]) if past else "booked"
                        )
                        waitlisted_at = None
                    else:
                        status, waitlisted_at = (
                            "waitlisted",
                            session["enrol_opens_at"] + timedelta(minutes=eid % 9000),
                        )
                    at = session["enrol_opens_at"] + timedelta(minutes=eid % 5000)
                    enrolments.append(
                        {
                            "id": eid,
                            "session_id": s + 1,
                            "user_id": u + 1,
                            "status": status,
                            "reason": "",
                            "waitlisted_at": waitlisted_at,
                            "booked_at": at if status != "waitlisted" else None,
                            "hours_attended": Decimal(6) if status == "attended" else None,
                            "created_at": at,
                            "updated_at": at,
                        }
                    )
                    events.append(
                        {
                            "enrollment_id": eid,
                            "at": at,
                            "actor_id": u + 1,
                            "from_status": None,
                            "to_status": "booked" if status != "waitlisted" else "waitlisted",
                            "note": "",
                        }
                    )
                    if status == "attended":
                        hours.append(
                            {
                                "user_id": u + 1,
                                "school_year_id": year.id,
                                "occurred_on": date.today(),
                                "hours": Decimal(6),
                                "kind": "training",
                                "source_type": "enrollment",
                                "source_id": eid,
                                "title": "Course",
                                "created_at": now,
                                "updated_at": now,
                            }
                        )
            for s, count in enumerate(seats):
                sessions[s]["booked_count"] = count
            insert(conn, CourseSession.__table__, sessions)
            insert(conn, SessionDate.__table__, dates)
            insert(conn, Enrollment.__table__, enrolments)
            insert(conn, EnrollmentEvent.__table__, events)
            insert(conn, DevelopmentHours.__table__, hours)
            if conn.dialect.name == "postgresql":
                for table in (
                    "unit",
                    "user_account",
                    "course",
                    "course_session",
                    "enrollment",
                    "development_plan",
                ):
                    conn.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT max(id) FROM {table}))"
                        )
                    )
                conn.execute(sa.text("ANALYZE"))
            else:
                conn.execute(sa.text("ANALYZE"))
        db.session.rollback()  # a new transaction sees the rows inserted above
        counts = {
            "staff": STAFF,
            "sessions": SESSIONS,
            "enrolments": db.session.scalar(sa.select(sa.func.count(Enrollment.id))),
        }
        db.engine.dispose()
    return counts


PAGES = {
    "catalogue": "/training/",
    "catalogue_filtered": "/training/?area={area}&free=1&format=online",
    "catalogue_goals_text": "/training/?goals=1&q=digi",
    "catalogue_page_3": "/training/?page=3&from={year_ago}",
    "my_enrolments": "/training/my",
}


def measure(app, requests_per_page: int, rng: random.Random) -> dict[str, dict]:
    """Each page as a random staff member (a new one each request)."""
    from pdservice.extensions import db

    with app.app_context():
        area = db.session.execute(sa.text("SELECT min(id) FROM competence_area")).scalar()
    year_ago = (date.today() - timedelta(days=365)).isoformat()
    pages = [
        (name, template.format(area=area, year_ago=year_ago), {})
        for name, template in PAGES.items()
    ]
    return measure_pages(app, pages, requests_per_page, lambda _facts: rng.randint(1, STAFF))


def main() -> int:
    args = page_benchmark_args(__doc__.splitlines()[0], default_requests=200)
    rng = random.Random(20250801)
    kind = "sqlite" if args.sqlite else "postgresql"
    with migrated_app(kind, args.admin_url, "pdbench_training_catalogue") as app:
        started = time.perf_counter()
        counts = seed(app, rng)
        seeded = time.perf_counter() - started
        pages = measure(app, args.requests, rng)
    result = {"database": kind, **counts, "seed_seconds": round(seeded, 1), "pages": pages}
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{kind}: {counts['staff']} staff, {counts['sessions']} sessions, "
            f"{counts['enrolments']} enrolments (seeded in {seeded:.1f} s)"
        )
        print_pages(pages, 22)
    return 0 if all(p["p95_ms"] <= 100 for p in pages.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
