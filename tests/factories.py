"""Factory fixtures with sensible defaults, and a small two-unit world for access tests.

Factories open an app context of their own, commit, and return *detached* objects whose
columns (and the relationships named in `detach`) are loaded. Tests therefore hold no
database session between requests, as in production: the test client's requests each get a
fresh session. To read the database in a test, open `with app.app_context():` and query.
"""

from __future__ import annotations

import itertools
import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event

from pdservice.core.enums import Language, Profession, UnitKind, UnitRole
from pdservice.core.models import Unit, UnitMembership, User
from pdservice.core.services import hash_password
from pdservice.extensions import db
from tests.database import Snapshot, reset_database

_counter = itertools.count(1)
PASSWORD = "correct horse battery"


def detach(obj, *relationships: str):
    """Load `obj`'s columns and the named relationships, then detach it from the session.

    A dotted name loads through a relationship: "memberships.unit"."""
    db.session.refresh(obj)
    for path in relationships:
        _load_path(obj, path.split("."))
    db.session.expunge_all()
    return obj


def _load_path(obj, parts: list[str]) -> None:
    if not parts or obj is None:
        return
    value = getattr(obj, parts[0])
    for item in value if isinstance(value, list) else [value]:
        _load_path(item, parts[1:])


def new_unit(app, code: str | None = None, **kwargs) -> Unit:
    n = next(_counter)
    with app.app_context():
        unit = Unit(
            code=code or f"unit-{n}",
            name=kwargs.pop("name", f"Test School {n}"),
            kind=kwargs.pop("kind", UnitKind.COMPREHENSIVE_SCHOOL),
            language=kwargs.pop("language", Language.FI),
            **kwargs,
        )
        db.session.add(unit)
        db.session.commit()
        return detach(unit)


@pytest.fixture
def make_unit(app):
    def make(code: str | None = None, **kwargs) -> Unit:
        return new_unit(app, code, **kwargs)

    return make


def new_user(
    app,
    name: str | None = None,
    *,
    units: list[tuple[Unit, UnitRole]] | list[Unit] = (),
    password: str | None = PASSWORD,
    hashed: dict[str, str] | None = None,
    **kwargs,
) -> User:
    """A user, members of `units` (as teachers unless a role is given); `hashed` caches
    password hashes between calls."""
    n = next(_counter)
    with app.app_context():
        return _make_user(n, name, units, password, {} if hashed is None else hashed, kwargs)


@pytest.fixture
def make_user(app):
    hashed = {}

    def make(
        name: str | None = None,
        *,
        units: list[tuple[Unit, UnitRole]] | list[Unit] = (),
        password: str | None = PASSWORD,
        **kwargs,
    ) -> User:
        return new_user(app, name, units=units, password=password, hashed=hashed, **kwargs)

    return make


def _make_user(n, name, units, password, hashed, kwargs) -> User:
    if password and password not in hashed:
        hashed[password] = hash_password(password)
    user = User(
        name=name or f"Test Person {n}",
        email=kwargs.pop("email", f"person{n}@example.org"),
        profession=kwargs.pop("profession", Profession.CLASS_TEACHER),
        fte=kwargs.pop("fte", Decimal("1.00")),
        preferred_language=kwargs.pop("preferred_language", Language.EN),
        password_hash=hashed.get(password) if password else None,
        **kwargs,
    )
    db.session.add(user)
    db.session.flush()
    for item in units:
        unit, role = item if isinstance(item, tuple) else (item, UnitRole.TEACHER)
        db.session.add(UnitMembership(user_id=user.id, unit_id=unit.id, role=role))
    db.session.commit()
    return detach(user, "memberships.unit")


def sign_in_as(client, user: User | None) -> None:
    """Put `user` in the client's session without going through the form (fast)."""
    with client.session_transaction() as session:
        session.clear()
        if user is not None:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True


@pytest.fixture
def login(client):
    def do(user: User | None):
        sign_in_as(client, user)
        return client

    return do


@dataclass
class World:
    """Two units, A and B, with a teacher and a principal each, plus HR and an admin."""

    unit_a: Unit
    unit_b: Unit
    teacher: User
    teacher_b: User
    principal: User
    principal_b: User
    hr: User
    admin: User

    def user(self, role: str) -> User | None:
        return None if role == "anon" else getattr(self, role)


def build_world(app) -> World:
    hashed: dict[str, str] = {}

    def unit(code, **kwargs):
        return new_unit(app, code, **kwargs)

    def user(name, **kwargs):
        return new_user(app, name, hashed=hashed, **kwargs)

    a = unit("school-a", name="School A")
    b = unit("school-b", name="School B", language=Language.SV)
    return World(
        unit_a=a,
        unit_b=b,
        teacher=user("Teacher A", units=[a], email="teacher.a@example.org"),
        teacher_b=user("Teacher B", units=[b], email="teacher.b@example.org"),
        principal=user(
            "Principal A",
            units=[(a, UnitRole.PRINCIPAL)],
            profession=Profession.PRINCIPAL,
            email="principal.a@example.org",
        ),
        principal_b=user(
            "Principal B",
            units=[(b, UnitRole.PRINCIPAL)],
            profession=Profession.PRINCIPAL,
            email="principal.b@example.org",
        ),
        hr=user(
            "HR Person", is_hr=True, profession=Profession.HR_SPECIALIST, email="hr@example.org"
        ),
        admin=user(
            "Admin Person",
            is_admin=True,
            profession=Profession.ADMINISTRATOR,
            email="admin@example.org",
        ),
    )


@pytest.fixture
def world(app) -> World:
    return build_world(app)


@dataclass
class DemoCity:
    """What `flask seed demo --json` printed when it built the demo city."""

    exit_code: int
    output: str
    seeded_on: date

    @property
    def accounts(self) -> list[dict]:
        return json.loads(self.output)


@pytest.fixture(scope="session")
def _demo_city_snapshots() -> dict:
    return {}


@pytest.fixture
def demo_city(app, _demo_city_snapshots) -> DemoCity:
    """The demo city, as `flask seed demo` builds it. Seeding takes a while, so it runs once
    per test process (and again should the day change meanwhile: the city is built around
    today); each test gets its own copy, restored from a snapshot."""
    from pdservice.clock import today

    saved = _demo_city_snapshots.get(today())
    if saved is None:
        reset_database(app)
        seeded_on = today()
        result = app.test_cli_runner().invoke(args=["seed", "demo", "--json"])
        assert result.exit_code == 0, result.output
        city = DemoCity(result.exit_code, result.output, seeded_on)
        saved = _demo_city_snapshots[seeded_on] = (city, Snapshot.take(app))
    city, snapshot = saved
    snapshot.restore(app)
    return city


@contextmanager
def count_queries(app):
    """Count the SQL statements run inside the block (SQLAlchemy's before_cursor_execute):
    `with count_queries(app) as counter: ...; counter["n"]`."""
    counter = {"n": 0}

    def before(*_args, **_kwargs):
        counter["n"] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before)
