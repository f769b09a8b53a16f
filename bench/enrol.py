"""Many people enrol into one session at the same moment, over HTTP, against gunicorn.

    .venv/bin/python bench/enrol.py            # 200 clients, capacity 30, 4 workers, PostgreSQL
    .venv/bin/python bench/enrol.py --json     # one JSON object on stdout

It creates a PostgreSQL database of its own (and drops it), migrates it, seeds a unit with
`--clients` teachers and one session of `--capacity` seats, starts gunicorn with `--workers`
workers on a free port, signs every client in (not timed), then releases all clients at once
to POST the enrolment form (timed). It checks the outcome in the database: exactly
`capacity` booked, the rest waitlisted in arrival order (the order in which the server
accepted them), `booked_count` equal to the seats, no errors. Target: that outcome in every
run (the timings show how long the last of the simultaneous clients waits).
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    DEFAULT_ADMIN_URL,
    ROOT,
    bench_app,
    bench_env,
    free_port,
    fresh_database,
    migrate,
    summary_ms,
)

PASSWORD = "benchmark password 2025"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def seed(database_url: str, clients: int, capacity: int) -> tuple[int, list[str]]:
    """A unit, `clients` teachers and a session open for enrolment. Returns (session id,
    emails)."""
    from werkzeug.security import generate_password_hash

    from pdservice.core.enums import Language, Profession, UnitKind, UnitRole
    from pdservice.core.models import Unit, UnitMembership, User
    from pdservice.extensions import db
    from pdservice.training.models import Course, CourseSession, SessionDate

    app = bench_app(database_url)
    with app.app_context():
        unit = Unit(
            code="bench",
            name="Bench School",
            kind=UnitKind.COMPREHENSIVE_SCHOOL,
            language=Language.FI,
        )
        db.session.add(unit)
        db.session.flush()
        password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        emails = [f"teacher{n:04d}@bench.example" for n in range(clients)]
        users = [
            User(
                email=e,
                name=f"Teacher {n}",
                profession=Profession.CLASS_TEACHER,
                preferred_language=Language.EN,
                password_hash=password_hash,
            )
            for n, e in enumerate(emails)
        ]
        db.session.add_all(users)
        db.session.flush()
        db.session.add_all(
            UnitMembership(user_id=u.id, unit_id=unit.id, role=UnitRole.TEACHER) for u in users
        )
        course = Course(title="Yhteisopettajuuden perusteet", hours_credited=Decimal(6))
        start = datetime.now(UTC) + timedelta(days=14)
        session = CourseSession(
            course=course,
            capacity=capacity,
            booked_count=0,
            starts_at=start,
            ends_at=start + timedelta(hours=6),
            enrol_opens_at=start - timedelta(days=30),
            enrol_closes_at=start - timedelta(days=1),
            cancel_cutoff_at=start - timedelta(days=3),
            location="Tikkurila",
        )
        session.dates = [SessionDate(starts_at=start, ends_at=start + timedelta(hours=6))]
        db.session.add_all([course, session])
        db.session.commit()
        session_id = session.id
        db.engine.dispose()
    return session_id, emails


class Client:
    """One browser: its own connection and cookies."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Accept-Language": "en"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read().decode("utf-8", "replace")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
            return response.status, data
        finally:
            connection.close()

    def token(self, page: str) -> str:
        match = CSRF.search(page)
        if not match:
            raise RuntimeError("no CSRF token on the page")
        return match.group(1) or match.group(2)

    def sign_in(self, email: str) -> None:
        _status, page = self.request("GET", "/login")
        status, _ = self.request(
            "POST", "/login", {"csrf_token": self.token(page), "email": email, "password": PASSWORD}
        )
        if status != 302:
            raise RuntimeError(f"sign-in of {email} answered {status}")


def wait_until_up(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn stopped while starting")
        try:
            status, _ = Client(port).request("GET", "/login")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def run(args) -> dict:
    with (
        tempfile.TemporaryDirectory() as tmp,
        fresh_database("postgresql", args.admin_url, "pdbench_training_enrol", Path(tmp)) as url,
    ):
        migrate(url)
        session_id, emails = seed(url, args.clients, args.capacity)
        port = free_port()
        log = open(Path(tmp) / "gunicorn.log", "w")  # noqa: SIM115 - closed below
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(args.workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "120",
                "--backlog",
                "2048",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=bench_env(url),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(port, server)
            clients = [Client(port) for _ in emails]
            tokens: list[str] = [""] * len(clients)

            def prepare(n: int) -> None:
                clients[n].sign_in(emails[n])
                _status, page = clients[n].request("GET", f"/training/sessions/{session_id}")
                tokens[n] = clients[n].token(page)

            run_threads(prepare, len(clients), limit=16)
            results = fire(clients, tokens, session_id)
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()
        outcome = check(url, session_id)
    latencies = [r[1] for r in results]
    errors = sum(1 for r in results if r[0] != 302)
    wall = max(r[2] for r in results) - min(r[3] for r in results)
    return {
        "clients": args.clients,
        "capacity": args.capacity,
        "workers": args.workers,
        "database": "postgresql",
        **outcome,
        "errors": errors,
        "requests_per_second": round(len(results) / wall, 1),
        **summary_ms(latencies),
        "wall_seconds": round(wall, 2),
    }


def run_threads(fn, count: int, limit: int) -> None:
    """Run fn(0..count-1) on `limit` threads (setup work, not timed)."""
    lock = threading.Lock()
    next_index = iter(range(count))
    failures: list[BaseException] = []

    def worker() -> None:
        while True:
            with lock:
                n = next(next_index, None)
            if n is None:
                return
            try:
                fn(n)
            except BaseException as exc:  # report after the threads have finished
                failures.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(limit)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise failures[0]


def fire(clients: list[Client], tokens: list[str], session_id: int) -> list[tuple]:
    """Every client POSTs the enrolment form at the same moment: (status, seconds, end, start)."""
    barrier = threading.Barrier(len(clients))
    results: list[tuple] = [None] * len(clients)  # type: ignore[list-item]

    def one(n: int) -> None:
        barrier.wait()
        started = time.perf_counter()
        try:
            status, _ = clients[n].request(
                "POST", f"/training/sessions/{session_id}/enrol", {"csrf_token": tokens[n]}
            )
        except OSError:
            status = 0
        ended = time.perf_counter()
        results[n] = (status, ended - started, ended, started)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def check(database_url: str, session_id: int) -> dict:
    """What the database holds after the storm."""
    import sqlalchemy as sa

    from pdservice.extensions import db
    from pdservice.training.enums import EnrollmentStatus as S
    from pdservice.training.models import CourseSession, Enrollment, EnrollmentEvent

    app = bench_app(database_url)
    with app.app_context():
        rows = db.session.scalars(
            sa.select(Enrollment).where(Enrollment.session_id == session_id)
        ).all()
        booked = [e for e in rows if e.status == S.BOOKED]
        waiting = [e for e in rows if e.status == S.WAITLISTED]
        first_event = {
            ev.enrollment_id: ev.id
            for ev in db.session.scalars(
                sa.select(EnrollmentEvent).order_by(EnrollmentEvent.id.desc())
            )
        }
        fifo = sorted(waiting, key=lambda e: (e.waitlisted_at, e.id))
        in_order = [first_event[e.id] for e in fifo] == sorted(first_event[e.id] for e in waiting)
        seats_first = (
            not booked
            or not waiting
            or (max(first_event[e.id] for e in booked) < min(first_event[e.id] for e in waiting))
        )
        booked_count = db.session.get(CourseSession, session_id).booked_count
        # Each enrolment's first event is written right after it took the session's lock,
        # so the gaps between them are how long each enrolment held the lock (its commit
        # included), that is, the serial part of the work.
        times = sorted(
            ev.at
            for ev in db.session.scalars(
                sa.select(EnrollmentEvent).where(EnrollmentEvent.id.in_(first_event.values()))
            )
        )
        gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:], strict=False)]
        db.engine.dispose()
    return {
        "booked": len(booked),
        "waitlisted": len(waiting),
        "booked_count_column": booked_count,
        "waitlist_in_arrival_order": bool(in_order and seats_first),
        "lock_held_p50_ms": round(sorted(gaps)[len(gaps) // 2] * 1000, 1) if gaps else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--capacity", type=int, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--admin-url",
        default=DEFAULT_ADMIN_URL,
        help="a PostgreSQL URL allowed to CREATE and DROP DATABASE",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    result = run(args)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:28} {value}")
    ok = (
        result["booked"] == args.capacity
        and result["waitlisted"] == args.clients - args.capacity
        and result["errors"] == 0
        and result["waitlist_in_arrival_order"]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
