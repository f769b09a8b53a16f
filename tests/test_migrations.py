"""The migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from pdservice import create_app
from pdservice.core.reference import COMPETENCE_AREAS
from pdservice.extensions import db


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """A brand-new empty database of the same kind as the test database."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path}/migrated.db"
        return
    name = f"pdservice_migrations_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    parts = urlsplit(database_url)
    yield urlunsplit(parts._replace(path="/" + name))
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_builds_the_models_schema(empty_database_url, app):
    migrated = create_app(dict(app.config, SQLALCHEMY_DATABASE_URI=empty_database_url))
    with migrated.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "render_as_batch": True}
            )
            differences = compare_metadata(context, db.metadata)
        assert not differences, (
            "models and migrations disagree; run `flask db migrate -m ...`:\n"
            + "\n".join(str(d) for d in differences)
        )
        rows = db.session.execute(
            sa.text(
                "SELECT code, kind, name_fi, name_sv, name_en FROM competence_area "
                "ORDER BY sort_order"
            )
        ).all()
        assert [tuple(r) for r in rows] == COMPETENCE_AREAS
        db.session.remove()
        db.engine.dispose()


def test_migrations_have_a_single_head():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    directory = os.path.join(os.path.dirname(__file__), "..", "migrations")
    config = Config(os.path.join(directory, "alembic.ini"))
    config.set_main_option("script_location", directory)
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}; merge or re-base them"
