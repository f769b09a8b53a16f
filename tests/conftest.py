"""Fixtures: one app per test session, a fresh (emptied) database for every test.

The database is SQLite in a temporary folder, or PostgreSQL when TEST_DATABASE_URL is set
(`.ci/run` does that). Under pytest-xdist every worker gets a database of its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest
import sqlalchemy as sa

from pdservice import create_app
from pdservice.config import normalise_database_url
from pdservice.extensions import db
from tests.database import reset_database, shared_connection_active

pytest_plugins = [
    "tests.factories",
    "tests.browser",
    "tests.training.factories",
    "tests.timetable.factories",
    "tests.strategy.factories",
    "tests.hr_reports.factories",
    "tests.scim.factories",
]

TEST_PASSWORD = "correct horse battery"


def _worker_database_url(base_url: str, worker: str) -> str:
    """PostgreSQL: a database per xdist worker, created on first use."""
    if worker == "master":
        return base_url
    parts = urlsplit(base_url)
    name = f"{parts.path.lstrip('/')}_{worker}"
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).scalar()
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return urlunsplit(parts._replace(path="/" + name))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        # pytest-xdist names its workers gw0, gw1...; without it (-p no:xdist) there is one.
        worker = os.environ.get("PYTEST_XDIST_WORKER", "master")
        return _worker_database_url(normalise_database_url(base), worker)
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    from pdservice.i18n_tools import compile_all

    compile_all()  # the catalogues as they are in the working tree
    app = create_app(
        {
            "ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "DEMO_PASSWORD": TEST_PASSWORD,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": 1,  # nothing listens: tests that send mail start their own server
            "SERVER_NAME": None,
            # Co-teaching: short demo solves and quick heartbeats keep the suite fast; every
            # solve's limit is work, not seconds, so a busy machine changes no outcome.
            "COTEACH_DEMO_SOLVE_SECONDS": 0.3,
            "COTEACH_DETERMINISTIC_SOLVES": True,
            "COTEACH_HEARTBEAT_SECONDS": 0.2,
        }
    )
    app.instance_path = str(tmp_path_factory.mktemp("instance"))
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _fresh_database(request) -> Iterator[None]:
    """Every test starts from an empty database holding only the reference data, except the
    tests inside a shared set-up (`tests/database.py`), which start from that set-up."""
    if "app" not in request.fixturenames and not request.node.get_closest_marker("db"):
        yield
        return
    app = request.getfixturevalue("app")
    if not shared_connection_active(app):
        reset_database(app)
    yield


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    """A browser that asks for English, so assertions read the source strings."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def csrf_enabled(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False
