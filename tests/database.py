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

import functools
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


# The rows of the reference data (competence areas) as this process last seeded them.
_reference_rows: dict[str, list[tuple]] = {}


def reset_database(app: Flask) -> None:
    """An empty database holding only the reference data.

    The same state as emptying every table and seeding the reference data again, for less:
    one query finds the tables a test left rows in (the test process's own, its live server's
    and its child processes' alike), only those are emptied, and the reference rows stay
    when they are exactly as seeded."""
    from pdservice.core.reference import seed_reference_data

    with app.app_context():
        connection = db.session.connection()
        filled = _filled_tables(connection)
        kept = {
            name
            for name, rows in _reference_rows.items()
            if name in filled and _rows(connection, name) == rows
        }
        for name in reversed(_table_names()):
            if name in filled - kept:
                connection.exec_driver_sql(f'DELETE FROM "{name}"')
        if not _reference_rows or kept != set(_reference_rows):
            seed_reference_data()
            db.session.flush()
            connection = db.session.connection()
            _reference_rows.clear()
            _reference_rows.update(
                {name: _rows(connection, name) for name in _filled_tables(connection)}
            )
        db.session.commit()
        db.session.remove()


@functools.cache
def _table_names() -> tuple[str, ...]:
    """Every table, parents before children."""
    return tuple(table.name for table in db.metadata.sorted_tables)


@functools.cache
def _filled_tables_sql() -> str:
    return " UNION ALL ".join(
        f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM \"{name}\")" for name in _table_names()
    )


def _filled_tables(connection: sa.Connection) -> set[str]:
    """The names of the tables that hold at least one row, in one query."""
    return set(connection.exec_driver_sql(_filled_tables_sql()).scalars())


def _rows(connection: sa.Connection, name: str) -> list[tuple]:
    table = db.metadata.tables[name]
    query = sa.select(table).order_by(*table.primary_key.columns)
    return [tuple(row) for row in connection.execute(query)]


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
