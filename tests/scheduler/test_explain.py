"""Proposals explain themselves; unmet wishes get a reason; infeasible requests are explained by
a minimal set of conflicting requirements."""

from __future__ import annotations

from dataclasses import replace

import pytest

from scheduler import Group, MeetingPin, Pin, RejectedPair, Team, Weights, solve
from tests.scheduler.builders import FAST, lesson, school, specialist, teacher


def needy_pair_school(**fields):
    return school(
        [
            teacher("A", development_goals=frozenset({"L2"})),
            specialist("B", strengths=frozenset({"L2"}), wished=frozenset({"A"})),
        ],
        [
            lesson("LA", "3A", "A", "Mo_1", "Mo_2"),
            lesson("LB", "8B", "B", "Mo_3", "Mo_4", subject="PE"),
        ],
        groups=[Group("3A", 3, group_support=True, pupil_support=2), Group("8B", 8)],
        periods=5,
        **fields,
    )


def test_a_proposal_lists_its_lessons_and_the_terms_that_justify_it():
    result = solve(needy_pair_school(), FAST)
    (proposal,) = result.proposals
    assert proposal.teachers == ("A", "B")
    assert [x.lesson for x in proposal.lessons] == ["LA"]
    assert proposal.lessons[0].slots == ("Mo_1", "Mo_2") and proposal.lessons[0].group == "3A"
    terms = {t.code: t for t in proposal.terms}
    assert {"support_need", "complementarity", "wish", "coverage", "fairness"} <= set(terms)
    assert terms["support_need"].value == (3 + 2) * 2  # need points x hours
    assert terms["support_need"].data == {"groups": {"3A": 5}}
    assert terms["complementarity"].data["specialist"] == "B"
    assert terms["complementarity"].data["goals"] == [{"learner": "A", "goal": "L2", "mentor": "B"}]
    assert terms["wish"].data == {"wished_by": ["B"]}
    assert "A and B co-teach 2 hour(s) a week" in proposal.message
    assert all(t.message for t in proposal.terms)


def test_proposal_and_meeting_points_add_up_to_the_objective():
    problem = needy_pair_school(teams=(Team("k", ("A", "B")),))
    result = solve(problem, FAST)
    attributed = sum(p.points for p in result.proposals) + sum(
        t.points for m in result.meetings for t in m.terms
    )
    assert attributed == pytest.approx(result.objective)


def unmet(problem, params=FAST):
    result = solve(problem, params)
    assert result.violations == []
    return {(w.teacher, w.wished): w.reason for w in result.unmet_wishes}


def wish_school(**changes):
    """A wishes B as a partner; the keyword arguments change one fact to block it."""
    a = teacher("A", capacity=changes.pop("a_capacity", 4), wished=frozenset({"B"}))
    b = changes.pop("b", teacher("B"))
    lessons = changes.pop(
        "lessons",
        [lesson("LA", "3A", "A", "Mo_1", "Mo_2"), lesson("LB", "3B", "B", "Mo_3", "Mo_4")],
    )
    return school([a, b, *changes.pop("others", [])], lessons, **changes)


@pytest.mark.parametrize(
    ("problem", "code"),
    [
        (wish_school(b=teacher("B", avoided=frozenset({"A"}))), "avoided"),
        (wish_school(b=teacher("B", willing=False)), "not_willing"),
        (
            wish_school(
                b=teacher("B", profession="subject_teacher", subjects=frozenset({"PE"})),
                lessons=[
                    lesson("LA", "3A", "A", "Mo_1", "Mo_2"),
                    lesson("LB", "8B", "B", "Mo_3", "Mo_4", subject="PE"),
                ],
                groups=[Group("3A", 3), Group("8B", 8)],
            ),
            "not_competent",
        ),
        (wish_school(rejected_pairs=(RejectedPair(("A", "B")),)), "rejected_pair"),
        (
            wish_school(
                lessons=[
                    lesson("LA", "3A", "A", "Mo_1", "Mo_2"),
                    lesson("LB", "3B", "B", "Mo_1", "Mo_2"),
                ]
            ),
            "no_common_free_slot",
        ),
        (
            wish_school(
                lessons=[lesson("LA", "3A", "A", "Mo_1"), lesson("LB", "3B", "B", "Mo_1")]
                + [lesson("LA2", "3A", "A", "Mo_2"), lesson("LB2", "3B", "B", "Mo_2")]
                + [
                    lesson("LA3", "3A", "A", "Mo_3"),
                    lesson("LB3", "8B", "B", "Mo_4", subject="PE"),
                ],
                groups=[Group("3A", 3), Group("3B", 3), Group("8B", 8)],
            ),
            "min_lessons_unreachable",
        ),
    ],
    ids=["avoided", "not-willing", "not-competent", "rejected", "no-slot", "min-lessons"],
)
def test_unmet_wishes_get_the_fixed_reason(problem, code):
    reason = unmet(problem)[("A", "B")]
    assert reason.code == code
    assert reason.data["teacher"] == "A" and reason.data["wished"] == "B"
    assert reason.message


def test_unmet_wish_blocked_by_partners_already_taken():
    problem = wish_school(
        others=[specialist("C"), specialist("D")],
        pins=(Pin("LA", "C"), Pin("LB", "D")),
        lessons=[
            lesson("LA", "3A", "A", "Mo_1", "Mo_2"),
            lesson("LB", "3B", "B", "Mo_3", "Mo_4"),
            lesson("LA2", "3A", "A", "Tu_1", "Tu_2"),
        ],
        days=("Mo", "Tu"),
    )
    params = replace(FAST, max_partners=1)
    reason = unmet(problem, params)[("A", "B")]
    assert reason.code == "max_partners"
    assert reason.data["full"] in {"A", "B"}


def test_unmet_wish_blocked_by_capacity_used_elsewhere():
    problem = wish_school(
        a_capacity=2,
        others=[specialist("C")],
        pins=(Pin("LA", "C"),),
    )
    reason = unmet(problem)[("A", "B")]
    assert reason.code == "capacity"
    assert reason.data == {
        "teacher": "A",
        "wished": "B",
        "full": "A",
        "capacity": 2,
        "left": 0,
    }


def test_unmet_wish_outweighed_by_better_choices():
    """A and B both have a pair already and room for another; their only common lesson would
    leave A an idle slot (Tu_2) and serves no need, so without the wish bonus it is left out."""
    problem = wish_school(
        b=teacher("B"),
        others=[specialist("C", capacity=2), specialist("D", capacity=2)],
        lessons=[
            lesson("LA", "3A", "A", "Mo_1", "Mo_2"),
            lesson("LA8", "8A", "A", "Tu_1", subject="PE"),
            lesson("LB", "3B", "B", "Mo_1", "Mo_2"),
            lesson("LBZ", "3Z", "B", "Tu_3", "Tu_4"),
        ],
        groups=[
            Group("3A", 3, pupil_support=4),
            Group("3B", 3, pupil_support=4),
            Group("3Z", 3),
            Group("8A", 8),
        ],
        days=("Mo", "Tu"),
    )
    params = replace(FAST, weights=Weights(wish=0, fairness=0))
    result = solve(problem, params)
    assert ("A", "B") not in {p.teachers for p in result.proposals}
    assert {w.wished: w.reason.code for w in result.unmet_wishes if w.teacher == "A"} == {
        "B": "outweighed"
    }


def conflict_codes(problem):
    result = solve(problem, FAST)
    assert result.status == "infeasible"
    assert result.solution is None and result.proposals == []
    return sorted(c.code for c in result.conflicts)


def test_a_pin_into_an_own_lesson_is_explained():
    problem = school(
        [teacher("A"), teacher("B")],
        [lesson("LA", "3A", "A", "Mo_1", "Mo_2"), lesson("LB", "3B", "B", "Mo_2")],
        pins=(Pin("LA", "B"),),
    )
    assert conflict_codes(problem) == ["own_lesson", "pinned"]


def test_two_pins_at_the_same_time_are_explained():
    problem = school(
        [teacher("A"), teacher("B"), specialist("C")],
        [lesson("LA", "3A", "A", "Mo_1", "Mo_2"), lesson("LB", "3B", "B", "Mo_1", "Mo_2")],
        pins=(Pin("LA", "C"), Pin("LB", "C")),
    )
    result = solve(problem, FAST)
    assert sorted(c.code for c in result.conflicts) == ["pinned", "pinned"]
    assert {c.data["lesson"] for c in result.conflicts} == {"LA", "LB"}


def test_pins_beyond_capacity_are_explained():
    problem = school(
        [teacher("A"), specialist("C", capacity=3)],
        [lesson("LA", "3A", "A", "Mo_1", "Mo_2"), lesson("LA2", "3A", "A", "Mo_3", "Mo_4")],
        pins=(Pin("LA", "C"), Pin("LA2", "C")),
    )
    assert conflict_codes(problem) == ["capacity", "pinned", "pinned"]


def test_a_pin_with_an_avoided_partner_is_explained():
    problem = school(
        [teacher("A", avoided=frozenset({"C"})), specialist("C")],
        [lesson("LA", "3A", "A", "Mo_1", "Mo_2")],
        pins=(Pin("LA", "C"),),
    )
    assert conflict_codes(problem) == ["avoided", "pinned"]


def test_a_team_without_a_common_free_slot_is_explained():
    problem = school(
        [teacher("A"), teacher("B")],
        [
            lesson("LA", "3A", "A", "Mo_1", "Mo_2"),
            lesson("LB", "3B", "B", "Mo_3", "Mo_4"),
        ],
        teams=(Team("k", ("A", "B")),),
    )
    codes = conflict_codes(problem)
    assert codes.count("team_meeting") == 1
    assert set(codes) == {"team_meeting", "own_lesson"}


def test_a_meeting_pin_against_a_co_teaching_pin_is_explained():
    problem = school(
        [teacher("A"), specialist("C")],
        [lesson("LA", "3A", "A", "Mo_1", "Mo_2")],
        teams=(Team("k", ("C",)),),
        pins=(Pin("LA", "C"),),
        meeting_pins=(MeetingPin("k", "Mo_2"),),
    )
    assert conflict_codes(problem) == ["pinned", "pinned_meeting"]
