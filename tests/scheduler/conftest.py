"""Fixtures of the solver tests (builders live in builders.py)."""

from __future__ import annotations

import pytest

from scheduler import Group, Parameters, Problem
from tests.scheduler.builders import FAST, lesson, school, specialist, teacher


@pytest.fixture
def fast() -> Parameters:
    return FAST


@pytest.fixture
def pair_school() -> Problem:
    """A (class teacher) teaches 2A in periods 1-2; B (special needs) is free then and
    teaches in 3-4: the one possible pair shares a double lesson."""
    return school(
        [teacher("A", capacity=4), specialist("B", capacity=4)],
        [
            lesson("A1", "2A", "A", "Mo_1", "Mo_2"),
            lesson("B1", "2B", "B", "Mo_3", "Mo_4"),
        ],
        groups=[Group("2A", grade=2, group_support=True), Group("2B", grade=2)],
    )
