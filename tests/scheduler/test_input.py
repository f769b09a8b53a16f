"""Bad input fails at construction with an error naming the offending item."""

from __future__ import annotations

import pytest

from scheduler import Group, Lesson, Parameters, Pin, Problem, ProblemError, Team, Weights
from tests.scheduler.builders import lesson, school, slots, teacher


def test_a_valid_school_builds():
    problem = school([teacher("A")], [lesson("L1", "1A", "A", "Mo_1")])
    assert problem.lesson("L1").hours == 1


@pytest.mark.parametrize(
    ("build", "fragment"),
    [
        (lambda: school([teacher("A")], [lesson("L1", "1A", "X", "Mo_1")]), "teacher 'X'"),
        (lambda: school([teacher("A")], [lesson("L1", "1A", "A", "Fr_9")]), "'Fr_9' does not"),
        (
            lambda: school(
                [teacher("A")], [lesson("L1", "1A", "A", "Mo_1"), lesson("L2", "1B", "A", "Mo_1")]
            ),
            "teacher 'A' teaches lessons 'L1' and 'L2' at the same time",
        ),
        (
            lambda: school([teacher("A")], [lesson("L1", "1A", "A", "Mo_1", "Mo_3")]),
            "not consecutive",
        ),
        (lambda: teacher("A", capacity=-1), "capacity -1 is negative"),
        (lambda: teacher("A", profession="wizard"), "unknown profession 'wizard'"),
        (lambda: teacher("A", wished=frozenset({"A"})), "wishes to pair with itself"),
        (
            lambda: school([teacher("A", wished=frozenset({"Z"}))], []),
            "wished or avoided teacher 'Z' is unknown",
        ),
        (
            lambda: school([teacher("A"), teacher("A")], []),
            "duplicate teacher id 'A'",
        ),
        (
            lambda: school([teacher("A")], [], teams=(Team("k", ("A", "Q")),)),
            "member 'Q' is unknown",
        ),
        (
            lambda: school(
                [teacher("A"), teacher("B")],
                [lesson("L1", "1A", "A", "Mo_1")],
                pins=(Pin("L1", "A"),),
            ),
            "already teaches lesson 'L1'",
        ),
        (
            lambda: school([teacher("A")], [], pins=(Pin("L9", "A"),)),
            "lesson 'L9' is unknown",
        ),
        (lambda: Group("G", pupil_support=-2), "pupil_support -2 is negative"),
        (lambda: Lesson("L", (), "A", ("Mo_1",)), "has no group"),
        (lambda: Team("k", ("A",), length=0), "length 0 is below 1"),
        (
            lambda: Problem(slots(), (), (), (), teams=(Team("k", ("A",)),)),
            "member 'A' is unknown",
        ),
    ],
)
def test_bad_input_is_rejected_with_the_item_named(build, fragment):
    with pytest.raises(ProblemError, match=None) as error:
        build()
    assert fragment in str(error.value)


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"min_lessons": 0}, "min_lessons"),
        ({"workers": -1}, "workers"),
        ({"time_limit_seconds": 0}, "time_limit_seconds"),
        ({"max_coteachers": 0}, "max_coteachers"),
    ],
)
def test_bad_parameters_are_rejected(values, fragment):
    with pytest.raises(ProblemError, match=fragment):
        Parameters(**values)


def test_negative_weight_is_rejected():
    with pytest.raises(ProblemError, match="weight 'wish'"):
        Weights(wish=-1)


def test_parameters_from_dict_refuses_unknown_keys():
    with pytest.raises(ProblemError, match="unknown parameter"):
        Parameters.from_dict({"time_limit": 3})
    with pytest.raises(ProblemError, match="unknown weight"):
        Parameters.from_dict({"weights": {"happiness": 3}})
    params = Parameters.from_dict({"min_lessons": 3, "weights": {"wish": 1}})
    assert params.min_lessons == 3 and params.weights.wish == 1
