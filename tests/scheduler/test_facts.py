"""The school's own timetable is a fact: every event a teacher takes part in occupies that
teacher (lessons, team teaching, events that are no lessons, other units, unavailability),
and co-teaching already in the timetable never makes a request infeasible."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler import (
    CLASS_TEACHER,
    SPECIAL_NEEDS_TEACHER,
    SUBJECT_TEACHER,
    Commitment,
    Group,
    Parameters,
    Pin,
    Problem,
    ProblemError,
    RejectedLesson,
    RejectedPair,
    Slot,
    Teacher,
    Team,
    find_team_slots,
    load_json,
    load_xhstt,
    solve,
    validate,
)
from scheduler.index import build_index, co_teaching_obstacles
from scheduler.jsonio import dump_json
from scheduler.scoring import analyse
from tests.scheduler.builders import FAST, lesson, school, specialist, teacher
from tests.scheduler.test_properties import SUBJECTS, draw_lessons

HERE = Path(__file__).parent
EVENTS = HERE / "data" / "events-school.xhstt.xml"
#: The defaults a principal gets (pairs share >= 2 hours, <= 2 partners, <= 1 co-teacher),
#: with a deterministic stop.
DEFAULTS = Parameters(time_limit_seconds=5.0, workers=1, seed=0, deterministic=True)


# --- the XHSTT fixture ------------------------------------------------------------------------
def test_every_event_of_the_xhstt_file_occupies_its_teachers():
    problem = load_xhstt(EVENTS)
    lessons = {x.id: x for x in problem.lessons}
    assert set(lessons) == {"Event_Math", "Event_English", "Event_Team", "Event_History2"}
    # The solution, not the instance, names the math teacher.
    assert lessons["Event_Math"].teacher == "BBB"
    # Team teaching in the file is co-teaching already in the timetable, not a pin.
    assert lessons["Event_Team"].coteachers == ("BBB",)
    assert problem.pins == ()
    # Events without a class are no lessons, but occupy their teachers (the duty's teacher
    # is also assigned by the solution only).
    commitments = {c.id: (c.teachers, c.slots, c.kind) for c in problem.commitments}
    assert commitments == {
        "Event_Duty": (("CCC",), ("Mo_1",), "event"),
        "Event_Elective": (("DDD",), ("Mo_3",), "event"),
    }
    notes = " ".join(problem.notes)
    assert "Event_Elective (at Mo_3) has no class" in notes and "DDD is busy then" in notes
    assert "Event_Team (at Mo_4) is taught by AAA, BBB together" in notes


def test_the_xhstt_school_gets_a_valid_plan_with_default_rules():
    """BBB is not competent for the team-taught history lesson and shares one hour with AAA
    there, below the minimum of two: as a pin this was infeasible; as a fact it is not."""
    problem = load_xhstt(EVENTS)
    result = solve(problem, DEFAULTS)
    assert result.status in ("optimal", "feasible"), result.conflicts
    assert result.violations == [] and validate(problem, result.solution, DEFAULTS) == []
    placed = {
        (a.teacher, s) for a in result.solution.assignments for s in problem.lesson(a.lesson).slots
    }
    assert ("DDD", "Mo_3") not in placed  # the elective
    assert ("CCC", "Mo_1") not in placed  # the duty the solution gave CCC
    assert result.solution.assignments, "the specialist DDD co-teaches where free"
    # The team teaching counts for the indicator.
    assert {"AAA", "BBB"} <= set(result.coverage["teachers"])
    assert result.objective == analyse(problem, DEFAULTS, result.solution).total


def test_the_same_team_teaching_as_a_principal_s_pin_is_explained_as_infeasible():
    """Requests are held to the rules, facts are not: pinning BBB into AAA's lesson (instead
    of it being in the timetable) is the principal's own request, and the conflict names it."""
    problem = load_xhstt(EVENTS)
    team = problem.lesson("Event_Team")
    as_request = replace(
        problem,
        lessons=tuple(replace(x, coteachers=()) if x.id == team.id else x for x in problem.lessons),
        pins=(Pin(team.id, "BBB"),),
    )
    result = solve(as_request, DEFAULTS)
    assert result.status == "infeasible"
    codes = {c.code for c in result.conflicts}
    assert "pinned" in codes and codes & {"not_competent", "min_lessons"}


# --- co-teaching already in the timetable ------------------------------------------------------
def _team_taught(**fields):
    """A (class teacher) and B (special needs) already teach A1 together (one hour); C is
    another class teacher; B's lesson B1 and A's A2 are further options."""
    return school(
        [teacher("A", **fields), specialist("B", **fields), teacher("C", **fields)],
        [
            replace(lesson("A1", "2A", "A", "Mo_1"), coteachers=("B",)),
            lesson("A2", "2A", "A", "Mo_2"),
            lesson("B1", "2B", "B", "Mo_3"),
            lesson("C1", "2C", "C", "Mo_4"),
        ],
        groups=[Group("2A", 2, group_support=True), Group("2B", 2), Group("2C", 2)],
    )


def test_team_teaching_occupies_the_co_teacher_and_counts_toward_capacity():
    problem = _team_taught(capacity=2)
    result = solve(problem, FAST)
    assert result.violations == []
    # B is in A1 already: B can never be placed in Mo_1.
    assert all(
        "Mo_1" not in problem.lesson(a.lesson).slots
        for a in result.solution.assignments
        if a.teacher == "B"
    )
    # A and B have 1 of their 2 hours left: at most one more hour each.
    hours = dict.fromkeys("ABC", 0)
    for a in result.solution.assignments:
        hours[a.teacher] += 1
        hours[problem.lesson(a.lesson).teacher] += 1
    assert hours["A"] <= 1 and hours["B"] <= 1


def test_a_pair_already_sharing_an_hour_may_add_one_more_to_reach_the_minimum():
    problem = _team_taught(capacity=4)
    result = solve(problem, FAST)
    added = result.solution.pairs(problem).get(("A", "B"), [])
    # A2 (the needy group's second lesson) joins the pair's team-taught hour: 2 hours in all.
    assert [a.lesson for a in added] == ["A2"]
    assert result.violations == []


def test_over_the_limits_in_the_timetable_alone_is_a_fact_not_an_infeasible_request():
    """A teaches with three partners in the timetable, over capacity and the partner limit:
    the plan adds nothing for A, and nothing is infeasible."""
    problem = school(
        [teacher("A", capacity=1), specialist("B"), specialist("C"), specialist("D")],
        [
            replace(lesson("A1", "2A", "A", "Mo_1"), coteachers=("B",)),
            replace(lesson("A2", "2A", "A", "Mo_2"), coteachers=("C", "D")),
            lesson("A3", "2A", "A", "Mo_3"),
            lesson("B1", "2B", "B", "Mo_4"),
        ],
        groups=[Group("2A", 2, group_support=True), Group("2B", 2)],
    )
    result = solve(problem, FAST)
    assert result.status == "optimal" and result.violations == []
    assert all("A" not in pair for pair in result.solution.pairs(problem))
    assert result.coverage["covered"] == 4


def test_hours_in_other_units_count_against_the_person_s_capacity():
    problem = _team_taught(capacity=4)
    busy_elsewhere = replace(
        problem,
        teachers=tuple(
            replace(t, hours_elsewhere=3) if t.id == "B" else t for t in problem.teachers
        ),
    )
    result = solve(busy_elsewhere, FAST)
    # B: 3 hours elsewhere and 1 in A1 fill the capacity of 4.
    assert all("B" not in pair for pair in result.solution.pairs(busy_elsewhere))
    assert result.violations == []


def test_commitments_and_team_teaching_survive_the_json_format():
    problem = replace(
        _team_taught(capacity=4, hours_elsewhere=1),
        commitments=(Commitment("duty", ("C",), ("Mo_2",), "event", "yard duty"),),
    )
    assert load_json(dump_json(problem).encode()) == problem


def test_a_commitment_names_known_teachers_and_slots():
    problem = _team_taught()
    for bad, fragment in (
        (Commitment("x", ("Z",), ("Mo_1",)), "teacher 'Z' is unknown"),
        (Commitment("x", ("A",), ("Fr_9",)), "slot 'Fr_9' does not exist"),
        (Commitment("A1", ("A",), ("Mo_1",)), "duplicate lesson or commitment id"),
    ):
        try:
            replace(problem, commitments=(bad,))
        except ProblemError as error:
            assert fragment in str(error)
        else:  # pragma: no cover - the assertion's message
            raise AssertionError(f"{bad} was accepted")


def test_the_meeting_search_skips_commitments_and_counts_them_as_being_at_work():
    """A teaches at Mo_1 and has a duty at Mo_3; B teaches in another unit at Mo_2 and team
    teaches X's lesson at Mo_5. Only Mo_4 is free, and it leaves nobody an idle gap."""
    problem = school(
        [teacher("A"), teacher("B"), teacher("X")],
        [
            lesson("A1", "2A", "A", "Mo_1"),
            replace(lesson("X5", "2A", "X", "Mo_5"), coteachers=("B",)),
        ],
        teams=(Team("k", ("A", "B")),),
        periods=5,
        groups=[Group("2A", 2)],
    )
    problem = replace(
        problem,
        commitments=(
            Commitment("duty", ("A",), ("Mo_3",), "event", "yard duty"),
            Commitment("other", ("B",), ("Mo_2",), "other_unit"),
        ),
    )
    found = find_team_slots(problem, "k")
    assert [(o.slots, o.cost) for o in found.options] == [(("Mo_4",), 0)]
    blocked = {w.slots[0]: {b.code for b in w.blockers} for w in found.blocked}
    assert blocked == {
        "Mo_1": {"own_lesson"},
        "Mo_2": {"busy"},
        "Mo_3": {"busy"},
        "Mo_5": {"own_lesson"},
    }


# --- the property: nobody is ever in two places at once -------------------------------------
@st.composite
def busy_schools(draw) -> Problem:
    """Random small schools with every kind of fixed occupation: own lessons, team teaching,
    events that are no lessons, other units' lessons and unavailability."""
    days = ("Mo", "Tu")[: draw(st.integers(1, 2))]
    periods = draw(st.integers(3, 5))
    slots = [Slot(f"{d}_{p}", d, p) for d in days for p in range(1, periods + 1)]
    slot_ids = [s.id for s in slots]
    groups = [
        Group(f"G{i}", grade=draw(st.sampled_from([2, 5, 8])), group_support=draw(st.booleans()))
        for i in range(draw(st.integers(1, 3)))
    ]
    ids = [f"T{i}" for i in range(draw(st.integers(2, 5)))]
    teachers = [
        Teacher(
            t,
            profession=draw(
                st.sampled_from([CLASS_TEACHER, SUBJECT_TEACHER, SPECIAL_NEEDS_TEACHER])
            ),
            subjects=frozenset(draw(st.sets(st.sampled_from(SUBJECTS), max_size=2))),
            capacity=draw(st.integers(0, 6)),
            hours_elsewhere=draw(st.integers(0, 2)),
            unavailable=frozenset(draw(st.sets(st.sampled_from(slot_ids), max_size=2))),
        )
        for t in ids
    ]
    lessons = draw_lessons(draw, ids, groups, days, periods, draw(st.integers(1, 8)))
    taken = {(t, s) for x in lessons for s in x.slots for t in x.teachers}
    # Team teaching: a second teacher free at the lesson's slots.
    for position, x in enumerate(lessons):
        free = [t for t in ids if t != x.teacher and not any((t, s) in taken for s in x.slots)]
        if free and draw(st.integers(0, 3)) == 0:
            coteacher = draw(st.sampled_from(free))
            lessons[position] = replace(x, coteachers=(coteacher,))
            taken.update((coteacher, s) for s in x.slots)
    commitments = [
        Commitment(
            f"C{n}",
            tuple(draw(st.sets(st.sampled_from(ids), min_size=1, max_size=2))),
            (draw(st.sampled_from(slot_ids)),),
            draw(st.sampled_from(["event", "other_unit"])),
        )
        for n in range(draw(st.integers(0, 4)))
    ]
    teams = ()
    if draw(st.booleans()):
        teams = (Team("k", tuple(draw(st.sets(st.sampled_from(ids), min_size=1, max_size=3)))),)
    return Problem(
        tuple(slots),
        tuple(teachers),
        tuple(groups),
        tuple(lessons),
        teams,
        commitments=tuple(commitments),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(busy_schools())
def test_no_teacher_is_ever_in_two_places_at_once(problem):
    result = solve(problem, DEFAULTS)
    if result.status == "infeasible":
        # Only the principal's requests (here: the team's meeting) can be infeasible.
        assert problem.teams and {c.code for c in result.conflicts} >= {"team_meeting"}
        return
    # Occupied, written out from the problem alone (not the validator, not the index).
    occupied = {(t, s) for x in problem.lessons for t in x.teachers for s in x.slots}
    occupied |= {(t, s) for c in problem.commitments for t in c.teachers for s in c.slots}
    occupied |= {(t.id, s) for t in problem.teachers for s in t.unavailable}
    placed = [
        (a.teacher, s) for a in result.solution.assignments for s in problem.lesson(a.lesson).slots
    ]
    placed += [
        (member, s)
        for m in result.solution.meetings
        for member in problem.team(m.team).members
        for s in m.slots
    ]
    assert not set(placed) & occupied
    assert len(placed) == len(set(placed))  # nor in two activities of the plan
    assert validate(problem, result.solution, DEFAULTS) == []
    assert result.objective == analyse(problem, DEFAULTS, result.solution).total


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(busy_schools(), st.data())
def test_the_fast_option_check_says_what_the_obstacles_say(problem, data):
    """The index finds options with each person's facts looked up once; every option it
    keeps, and only those, has no obstacle (the rules the explanations name)."""
    teacher_ids = [t.id for t in problem.teachers]
    if len(teacher_ids) >= 2 and problem.lessons:
        pair = data.draw(
            st.lists(st.sampled_from(teacher_ids), min_size=2, max_size=2, unique=True)
        )
        rejected = data.draw(st.sampled_from(problem.lessons))
        problem = replace(
            problem,
            rejected_pairs=(RejectedPair(tuple(pair)),),
            rejected_lessons=(
                RejectedLesson(rejected.id, data.draw(st.sampled_from([None, *teacher_ids]))),
            ),
        )
    params = Parameters(min_lessons=data.draw(st.integers(1, 3)))
    index = build_index(problem, params)
    expected = {
        (lesson.id, t.id)
        for lesson in problem.lessons
        for t in problem.teachers
        if t.id not in lesson.teachers and not co_teaching_obstacles(index, lesson, t)
    }
    kept = {
        key
        for key in expected
        if index.pair_hours_available(
            index.pair_of(*key), [o for o in expected if index.pair_of(*o) == index.pair_of(*key)]
        )
        >= index.pair_minimum(index.pair_of(*key))
    }
    assert set(index.candidates) == kept
