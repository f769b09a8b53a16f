"""Shared pieces of the benchmarks: a throw-away database, migrations, timing figures."""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SECRET_KEY = "benchmark-secret-" + uuid.uuid4().hex


def _psycopg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@contextmanager
def fresh_database(kind: str, admin_url: str, prefix: str, tmp_dir: Path):
    """Yield the URL of a new empty database (PostgreSQL or a SQLite file); drop it after."""
    if kind == "sqlite":
        path = tmp_dir / f"{prefix}_{os.getpid()}.db"
        path.unlink(missing_ok=True)
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        return
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(_psycopg(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    parts = urlsplit(admin_url)
    try:
        yield urlunsplit(parts._replace(path="/" + name))
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def bench_env(database_url: str) -> dict[str, str]:
    """The environment of a production-like pdservice against `database_url`."""
    return dict(
        os.environ,
        DATABASE_URL=database_url,
        PDSERVICE_ENV="production",
        SECRET_KEY=SECRET_KEY,
        PDSERVICE_PASSWORD_HASH="pbkdf2:sha256:1000",
        PDSERVICE_LOGIN_MAX_FAILURES="1000",
        MAIL_ENABLED="0",
        PYTHONUNBUFFERED="1",
    )


def migrate(database_url: str) -> None:
    """`flask db upgrade`, as a deployment does."""
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "pdservice", "db", "upgrade"],
        cwd=ROOT,
        env=bench_env(database_url),
        check=True,
        capture_output=True,
    )


def bench_app(database_url: str):
    """An app object (production settings) for seeding and in-process measuring."""
    from pdservice import create_app

    return create_app(
        {
            "ENV": "production",
            "SECRET_KEY": SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "MAIL_ENABLED": False,
        }
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank), in the units of `values`."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary_ms(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "p50_ms": round(statistics.median(ms), 1) if ms else 0.0,
        "p95_ms": round(percentile(ms, 95), 1),
        "max_ms": round(max(ms), 1) if ms else 0.0,
    }


def measure_pages(
    app,
    pages: list[tuple[str, str, dict]],
    requests_per_page: int,
    user_for: Callable[[dict], int],
    *,
    warmup: int = 5,
) -> dict[str, dict]:
    """Request each page of `pages` ((name, path, facts)) `warmup` + `requests_per_page` times
    through the app (in-process test client, Finnish), each time signed in as
    `user_for(facts)`, and time the requests after the warm-up ones. Returns per page its
    path and facts, p50/p95/max in ms, and the most and fewest SQL statements a request ran
    (counted with SQLAlchemy's `before_cursor_execute` event). A page that does not answer
    200 stops the benchmark."""
    from sqlalchemy import event

    from pdservice.extensions import db

    counter = {"n": 0}

    def count(*_args, **_kwargs) -> None:
        counter["n"] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    results = {}
    try:
        for name, path, facts in pages:
            times, queries = [], []
            for n in range(warmup + requests_per_page):
                client = app.test_client()
                with client.session_transaction() as session:
                    session["_user_id"] = f"{user_for(facts)}:1"
                    session["_fresh"] = True
                counter["n"] = 0
                started = time.perf_counter()
                response = client.get(path, headers={"Accept-Language": "fi"})
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    raise RuntimeError(f"{path} ({facts}) answered {response.status_code}")
                if n >= warmup:  # the first few warm the caches
                    times.append(elapsed)
                    queries.append(counter["n"])
            results[name] = {
                "path": path,
                **facts,
                **summary_ms(times),
                "queries_per_page": max(queries),
                "queries_min": min(queries),
            }
    finally:
        event.remove(engine, "before_cursor_execute", count)
        with app.app_context():
            db.engine.dispose()
    return results


def page_benchmark_args(description: str, default_requests: int) -> argparse.Namespace:
    """The command line every page benchmark takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file instead of PostgreSQL")
    parser.add_argument("--admin-url", default=DEFAULT_ADMIN_URL)
    parser.add_argument("--requests", type=int, default=default_requests, help="requests per page")
    parser.add_argument("--json", action="store_true")
    return parser.parse_args()


@contextmanager
def migrated_app(kind: str, admin_url: str, prefix: str):
    """A production-like app on a new database (`kind` sqlite or postgresql) migrated to
    head; the database is dropped afterwards."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        fresh_database(kind, admin_url, prefix, Path(tmp)) as url,
    ):
        migrate(url)
        yield bench_app(url)


def print_pages(pages: dict[str, dict], width: int) -> None:
    """The per-page figures as a plain table."""
    print(f"{'page':{width}} {'p50_ms':>8} {'p95_ms':>8} {'max_ms':>8} {'queries':>8}")
    for name, figures in pages.items():
        print(
            f"{name:{width}} {figures['p50_ms']:8} {figures['p95_ms']:8} {figures['max_ms']:8} "
            f"{figures['queries_per_page']:8}"
        )


def unit_rows(count: int, now) -> list[dict]:
    """`count` comprehensive schools, ids 1..count, for a Core insert into `unit`."""
    return [
        {
            "id": n + 1,
            "code": f"unit-{n}",
            "name": f"School {n}",
            "kind": "comprehensive_school",
            "language": "fi",
            "active": True,
            "created_at": now,
        }
        for n in range(count)
    ]


def session_rows(
    session_id: int, course_id: int, start, now, *, capacity: int, status: str = "scheduled"
) -> tuple[dict, dict]:
    """A six-hour on-site training session starting at `start` (enrolment open from 60 days
    before to the day before, cancellation until 3 days before) and its one date: rows for
    Core inserts into `course_session` and `session_date`."""
    session = {
        "id": session_id,
        "course_id": course_id,
        "status": status,
        "location": "Tikkurila",
        "online_url": "",
        "capacity": capacity,
        "waitlist_limit": None,
        "booked_count": 0,
        "starts_at": start,
        "ends_at": start + timedelta(hours=6),
        "enrol_opens_at": start - timedelta(days=60),
        "enrol_closes_at": start - timedelta(days=1),
        "cancel_cutoff_at": start - timedelta(days=3),
        "created_at": now,
        "updated_at": now,
    }
    date_row = {"session_id": session_id, "starts_at": start, "ends_at": start + timedelta(hours=6)}
    return session, date_row
