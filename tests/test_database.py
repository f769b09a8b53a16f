"""The test database's shared set-up (`tests/database.py`): a savepoint undoes exactly what
happened inside it, commits and failures included, and the shared block commits nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from pdservice.core.enums import Language, UnitKind
from pdservice.core.models import Unit
from pdservice.extensions import db
from tests.database import shared_connection, shared_connection_active
from tests.factories import new_unit


def school(code: str) -> Unit:
    return Unit(code=code, name=code, kind=UnitKind.COMPREHENSIVE_SCHOOL, language=Language.FI)


def units(app) -> dict[str, str]:
    with app.app_context():
        rows = db.session.execute(sa.select(Unit.code, Unit.name)).all()
        db.session.remove()
    return dict(rows)


def test_a_savepoint_undoes_the_commits_inside_it(app):
    with shared_connection(app) as shared:
        assert shared_connection_active(app)
        new_unit(app, "kept", name="Kept")
        with shared.savepoint():
            new_unit(app, "added")
            with app.app_context():
                db.session.execute(sa.update(Unit).values(name="Changed"))
                db.session.commit()
                db.session.remove()
            assert units(app) == {"kept": "Changed", "added": "Changed"}
        assert units(app) == {"kept": "Kept"}
        with shared.savepoint():  # a second case sees the set-up as the first one did
            assert units(app) == {"kept": "Kept"}
    assert not shared_connection_active(app)
    assert units(app) == {}  # the shared set-up itself was never committed


def test_a_failed_transaction_inside_a_savepoint_keeps_the_set_up(app):
    """As a request whose commit fails: its rollback returns to its own start."""
    with shared_connection(app) as shared:
        new_unit(app, "kept")
        with shared.savepoint(), app.app_context():
            db.session.add(school("kept"))  # the code is taken
            with pytest.raises(IntegrityError):
                db.session.commit()
            db.session.rollback()
            db.session.add(school("after"))
            db.session.commit()
            db.session.remove()
            assert set(units(app)) == {"kept", "after"}
        assert set(units(app)) == {"kept"}
