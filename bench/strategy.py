"""The strategy dashboard with a city-sized database.

    .venv/bin/python bench/strategy.py                  # PostgreSQL
    .venv/bin/python bench/strategy.py --sqlite         # a SQLite file
    .venv/bin/python bench/strategy.py --json

It creates a database of its own (and drops it), migrates it, and bulk-inserts 5,000 staff in
40 units (teachers of every kind, assistants and student-welfare staff; a principal for each
unit; an HR account), then `bench.strategy_load.populate_strategy`: a current term per unit
with about 40,000 weekly lessons, published co-teaching, teams with weekly meetings, and two
years of nightly snapshots (about 180,000 rows). Then it requests each page of
`strategy_load.PAGES` through the app (in-process, production settings, signed in with the
page's role) and reports, per page, the median and 95th-percentile time and the number of SQL
statements the page ran (counted with SQLAlchemy's `before_cursor_execute` event).
Target: p95 <= 300 ms for the city indicator page.
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    measure_pages,
    migrated_app,
    page_benchmark_args,
    unit_rows,
)
from bench.strategy_load import PAGES, populate_strategy  # noqa: E402

STAFF = 5000
UNITS = 40
PROFESSIONS = [
    ("class_teacher", 30),
    ("subject_teacher", 30),
    ("special_needs_teacher", 8),
    ("special_class_teacher", 4),
    ("school_assistant", 14),
    ("guidance_counsellor", 3),
    ("psychologist", 2),
    ("school_social_worker", 2),
    ("nurse", 2),
]


def seed(app, rng: random.Random) -> dict:
    from werkzeug.security import generate_password_hash

    from pdservice.core.models import Unit, UnitMembership, User
    from pdservice.extensions import db

    now = datetime.now(UTC).replace(microsecond=0)
    password = generate_password_hash("benchmark password", method="pbkdf2:sha256:1000")
    names, weights = zip(*PROFESSIONS, strict=True)
    with app.app_context():
        session = db.session
        session.execute(
            Unit.__table__.insert(),
            unit_rows(UNITS, now),
        )
        people = []
        for n in range(STAFF + 1):
            principal = n < UNITS
            people.append(
                {
                    "id": n + 1,
                    "email": f"staff{n}@bench.example",
                    "name": f"Staff {n}",
                    "profession": "principal"
                    if principal
                    else ("hr_specialist" if n == STAFF else rng.choices(names, weights)[0]),
                    "fte": Decimal(1),
                    "preferred_language": "fi",
                    "active": True,
                    "is_hr": n == STAFF,
                    "is_admin": False,
                    "password_hash": password,
                    "must_change_password": False,
                    "session_version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        session.execute(User.__table__.insert(), people)
        session.execute(
            UnitMembership.__table__.insert(),
            [
                {
                    "user_id": n + 1,
                    "unit_id": n % UNITS + 1,
                    "role": "principal" if n < UNITS else "teacher",
                    "created_at": now,
                }
                for n in range(STAFF)
            ],
        )
        started = time.perf_counter()
        counts = populate_strategy(
            session, range(1, UNITS + 1), range(1, STAFF + 1), years=2, seed=0
        )
        counts["populate_seconds"] = round(time.perf_counter() - started, 1)
        if session.get_bind().dialect.name == "postgresql":
            for table in ("unit", "user_account"):
                session.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
        session.commit()
        session.execute(sa.text("ANALYZE"))
        session.commit()
        db.engine.dispose()
    return counts


def measure(app, requests_per_page: int) -> dict[str, dict]:
    """Each page as HR or as the principal of unit 1."""
    users = {"hr": STAFF + 1, "principal": 1}
    return measure_pages(
        app,
        [(name, path, {"role": role}) for name, path, role in PAGES],
        requests_per_page,
        lambda facts: users[facts["role"]],
    )


def main() -> int:
    args = page_benchmark_args(__doc__.splitlines()[0], default_requests=50)
    rng = random.Random(20250801)
    kind = "sqlite" if args.sqlite else "postgresql"
    with migrated_app(kind, args.admin_url, "pdbench_strategy") as app:
        started = time.perf_counter()
        counts = seed(app, rng)
        seed_seconds = round(time.perf_counter() - started, 1)
        pages = measure(app, args.requests)
    report = {"database": kind, "data": counts, "seed_seconds": seed_seconds, "pages": pages}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{kind}: {counts} (seeded in {seed_seconds} s)")
        for name, r in pages.items():
            print(
                f"{name:32} p50 {r['p50_ms']:7.1f} ms  p95 {r['p95_ms']:7.1f} ms  "
                f"queries {r['queries_per_page']}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
