"""The test database's states: emptied for each test, or one set-up shared by many tests.

`reset_database(app)` empties every table and puts the reference data back: the state each
test starts from (`tests/conftest.py` calls it before every test that uses the app).

`shared_connection(app)` lets many tests share one set-up while each still sees exactly that
set-up. Inside the block every session of the app (the test client's requests,
`with app.app_context():` blocks, factories) runs on one connection, inside one outer
transaction that is never committed: a session's commit releases a SAVEPOINT of its own and
its rollback returns to it (SQLAlchemy's "join an external transaction" recipe). Marks taken
with `savepoint()` restore the database exactly when left, whatever the requests in between
wrote, on SQLite and on PostgreSQL alike. Leaving the block rolls everything back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Flask

from pdservice.extensions import db


def empty_database() -> None:
    # DELETE, children first, is much faster than TRUNCATE on the small tables of a test.
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


def reset_database(app: Flask) -> None:
    """An empty database holding only the reference data."""
    from pdservice.core.reference import seed_reference_data

    with app.app_context():
        empty_database()
        seed_reference_data()
        db.session.commit()
        db.session.remove()


def shared_connection_active(app: Flask) -> bool:
    with app.app_context():
        return isinstance(db.engine, sa.Connection)


class SharedConnection:
    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Whatever happens inside the block is undone when it is left."""
        mark = self.connection.begin_nested()
        try:
            yield
        finally:
            if mark.is_active:
                mark.rollback()


@contextmanager
def shared_connection(app: Flask) -> Iterator[SharedConnection]:
    """Every session of `app` on one connection in one transaction, rolled back at the end."""
    with app.app_context():
        engines = db._app_engines[app]  # Flask-SQLAlchemy's engines of this app, by bind key
        engine = engines[None]
    options = db.session.session_factory.kw
    connection = engine.connect()
    outer = connection.begin()
    engines[None] = connection  # type: ignore[assignment]  # sessions bind to the connection
    options["join_transaction_mode"] = "create_savepoint"
    try:
        yield SharedConnection(connection)
    finally:
        engines[None] = engine
        del options["join_transaction_mode"]
        outer.rollback()
        connection.close()


class Snapshot:
    """Every row of every table, taken once and put back as often as needed: a set-up that is
    slow to build (the demo city) is built once per test process instead of once per test."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = {}

    @classmethod
    def take(cls, app: Flask) -> Snapshot:
        snapshot = cls()
        with app.app_context():
            for table in db.metadata.sorted_tables:
                query = sa.select(table).order_by(*table.primary_key.columns)
                snapshot.rows[table.name] = [dict(r._mapping) for r in db.session.execute(query)]
            db.session.remove()
        return snapshot

    def restore(self, app: Flask) -> None:
        """The database as it was when the snapshot was taken (parents before children, each
        table in the order of its keys, so that rows referring to rows of their own table
        find them)."""
        with app.app_context():
            empty_database()
            for table in db.metadata.sorted_tables:
                if self.rows[table.name]:
                    db.session.execute(table.insert(), self.rows[table.name])
            if db.engine.dialect.name == "postgresql":
                _restart_sequences()
            db.session.commit()
            db.session.remove()


def _restart_sequences() -> None:
    """PostgreSQL: each table's id sequence continues after the highest restored id."""
    for table in db.metadata.sorted_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column), max({column.name})) "
                f'FROM "{table.name}" HAVING max({column.name}) IS NOT NULL'
            ),
            {"table": table.name, "column": column.name},
        )
