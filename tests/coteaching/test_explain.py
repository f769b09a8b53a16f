"""Every explanation the solver can give is worded, in every language, for the right reader."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from pdservice.coteaching.review.explain import (
    Names,
    failure_text,
    reason_text,
    term_label,
    term_text,
)
from pdservice.extensions import db
from pdservice.timetable.models import Term

A, B = "teacher.a@example.org", "sam.special@example.org"
REASONS = {
    "avoided": {"teachers": [A, B]},
    "rejected_pair": {"teachers": [A, B]},
    "not_willing": {"teacher": B},
    "host_not_willing": {"teacher": A},
    "not_coteaching_profession": {"teacher": A, "profession": "nurse"},
    "not_competent": {"teacher": B, "lesson": "3A-MA-Mo1"},
    "no_lessons": {},
    "no_common_free_slot": {"teachers": [A, B]},
    "own_lesson": {"teacher": B, "lesson": "3B-EN-Mo2", "slot": "Mo-2"},
    "unavailable": {"teacher": B, "slot": "Tu-1"},
    "rejected_lesson": {"lesson": "3A-MA-Mo1", "teacher": B},
    "capacity": {"teacher": B, "capacity": 2, "hours": 3},
    "min_lessons_unreachable": {"hours": 1, "min_lessons": 2},
    "min_lessons": {"teachers": [A, B], "min_lessons": 2},
    "max_partners": {"teacher": A, "max_partners": 2},
    "max_coteachers": {"lesson": "3A-MA-Mo1", "max_coteachers": 1},
    "lessons_taken": {"hours": 1, "min_lessons": 2},
    "outweighed": {},
    "no_solution": {},
    "pinned": {"lesson": "3A-MA-Mo1", "teacher": B},
    "pinned_meeting": {"team": "team-1", "slot": "Tu-3"},
    "team_meeting": {"team": "team-1", "length": 2, "members": [A, B]},
}
TERMS = {
    "support_need": {"groups": {"3A": 5}},
    "complementarity": {"specialist": B, "goals": [{"learner": A, "goal": "L4", "mentor": B}]},
    "wish": {"wished_by": [A]},
    "continuity": {},
    "coverage": {"teachers": [A, B]},
    "fairness": {"groups": ["3A"]},
    "compact_days": {},
    "stay": {},
}


@pytest.fixture
def names(app, school):
    with app.test_request_context():
        yield Names.for_term(db.session.get(Term, school.term_id), [["3A-MA-Mo1", None]])


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
def test_every_reason_has_its_own_sentence(names, language):
    with force_locale(language):
        for code, data in REASONS.items():
            text = reason_text({"code": code, "data": data}, names, private=True)
            assert "Not possible" not in text and "Ei mahdollista" not in text, code
            assert "@" not in text, f"{code}: {text}"  # people by name, never by address


def test_names_in_the_sentences(names):
    with force_locale("en"):
        pinned = reason_text({"code": "pinned", "data": REASONS["pinned"]}, names, private=True)
        assert pinned == "Sam Special is pinned to co-teach 3A MA (Mon period 1)."
        limited = reason_text(
            {"code": "rejected_lesson", "data": {"lesson": "3A-MA-Mo1", "teacher": None}},
            names,
            private=True,
        )
        assert "outside the subjects its teacher wants to co-teach" in limited


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
def test_every_objective_term_is_worded(names, language):
    with force_locale(language):
        for code, data in TERMS.items():
            text = term_text({"code": code, "value": 2, "points": 4, "data": data}, names)
            assert text and text != code and "@" not in text
            assert term_label(code) != code


def test_failures_are_worded(app):
    with app.test_request_context(), force_locale("en"):
        for code in (
            "infeasible",
            "no_plan",
            "worker_died",
            "stale_heartbeat",
            "overran",
            "error",
            "invalid_input",
        ):
            assert failure_text(code) != failure_text("unknown")
