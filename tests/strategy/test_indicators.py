"""Each indicator's definition on the hand-built city of `tests/strategy/factories.py`."""

from __future__ import annotations

import pytest

from pdservice.clock import today
from pdservice.extensions import db
from pdservice.strategy.indicators import INDICATORS, compute_figures

EXPECTED_A = {
    "coteaching_teachers": (60.0, 3, 5),
    "cotaught_lessons": (2.0, 2, None),
    "cotaught_lessons_per_teacher": (0.4, 2, 5),
    "support_groups_coteaching": (66.67, 2, 3),
    "teams_with_meeting": (1.0, 1, 3),
    "multiprofessional_staff": (5.0, 5, 8),
}
EXPECTED_B = {
    "coteaching_teachers": (0.0, 0, 2),
    "cotaught_lessons": (0.0, 0, 0),
    "cotaught_lessons_per_teacher": (0.0, 0, 2),
    "support_groups_coteaching": (None, 0, 0),
    "teams_with_meeting": (0.0, 0, 0),
    "multiprofessional_staff": (0.0, 0, 2),
}
EXPECTED_CITY = {
    "coteaching_teachers": 42.86,
    "cotaught_lessons": 2.0,
    "cotaught_lessons_per_teacher": 0.29,
    "support_groups_coteaching": 66.67,
    "teams_with_meeting": 1.0,
    "multiprofessional_staff": 5.0,
}


def test_the_registry_defines_every_indicator_once():
    codes = [i.code for i in INDICATORS]
    assert len(codes) == len(set(codes)) == 6
    for indicator in INDICATORS:
        assert indicator.measure in ("percent", "count", "ratio")
        assert len(str(indicator.definition)) > 60


@pytest.mark.parametrize("code", list(EXPECTED_A))
def test_each_indicator_on_the_hand_built_city(app, indicator_city, code):
    with app.app_context():
        figures = compute_figures(today())
        a = figures.of(code, indicator_city.ids["unit_a"])
        b = figures.of(code, indicator_city.ids["unit_b"])
        assert (a.value, a.numerator, a.denominator) == EXPECTED_A[code]
        value, num, den = EXPECTED_B[code]
        assert (b.value, b.numerator or 0, b.denominator or 0) == (value, num, den)
        assert figures.of(code, None).value == EXPECTED_CITY[code]


def test_figures_take_a_bounded_number_of_queries(app, indicator_city):
    from sqlalchemy import event

    with app.app_context():
        statements = []
        engine = db.engine
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            compute_figures(today())
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    assert len(statements) <= 10


def test_publishing_more_moves_the_figures(app, indicator_city):
    """The figures are live: publishing the accepted lesson of T2 adds a lesson and a
    teacher (T3 hosts L3)."""
    from pdservice.coteaching.models import CoTeachingAssignment

    with app.app_context():
        db.session.execute(
            CoTeachingAssignment.__table__.update()
            .where(CoTeachingAssignment.term_id == indicator_city.ids["term"])
            .values(published=True)
        )
        db.session.commit()
        figures = compute_figures(today())
        assert figures.of("cotaught_lessons", indicator_city.ids["unit_a"]).value == 3
        assert figures.of("coteaching_teachers", indicator_city.ids["unit_a"]).value == 80.0
