"""The one meeting-slot search (`scheduler.meetings.search_windows`), on plain input: the
cost of a window is the new idle slots it leaves in members' days plus a penalty for each
member who would come in only for it."""

from __future__ import annotations

import pytest

from scheduler import COME_IN_PENALTY, ProblemError, Reason, Slot, search_windows


def week(days=("Mo", "Tu"), periods=5) -> list[Slot]:
    return [Slot(f"{d}_{p}", d, p) for d in days for p in range(1, periods + 1)]


def busy(code: str, teacher: str, *slots: str) -> list[Reason]:
    return [Reason(code, f"{teacher} {code} {s}", {"teacher": teacher, "slot": s}) for s in slots]


def test_a_member_with_nothing_else_that_day_costs_the_come_in_penalty():
    """A and B teach on Monday only: a Tuesday meeting brings both in for it alone, a Monday
    one right after their lessons costs nothing, one with a gap costs the gap."""
    occupied = busy("own_lesson", "A", "Mo_1", "Mo_2") + busy("own_lesson", "B", "Mo_1", "Mo_2")
    found = search_windows(week(), ["A", "B"], 1, occupied)
    by_start = {w.slots[0]: w for w in found.options}
    assert by_start["Mo_3"].cost == 0
    assert by_start["Mo_4"].new_idle_slots == 2 and by_start["Mo_4"].cost == 2
    assert by_start["Tu_1"].come_in == ("A", "B")
    assert by_start["Tu_1"].cost == 2 * COME_IN_PENALTY
    assert found.options[0].slots == ("Mo_3",)


def test_equal_costs_prefer_the_earlier_day_and_the_later_period():
    occupied = busy("own_lesson", "A", "Mo_3") + busy("own_lesson", "A", "Tu_3")
    found = search_windows(week(), ["A"], 1, occupied)
    assert [w.slots[0] for w in found.options[:4]] == ["Mo_4", "Mo_2", "Tu_4", "Tu_2"]


def test_unavailability_blocks_but_is_not_being_at_work():
    """A is unavailable on Tuesday morning and has nothing else that day: a Tuesday
    afternoon meeting still brings A in, and the unavailable periods make no idle gap."""
    occupied = busy("unavailable", "A", "Tu_1", "Tu_2") + busy("own_lesson", "A", "Mo_1")
    found = search_windows(week(), ["A"], 1, occupied)
    by_start = {w.slots[0]: w for w in found.options}
    assert "Tu_1" not in by_start
    assert by_start["Tu_5"].come_in == ("A",) and by_start["Tu_5"].new_idle_slots == 0
    (blocked,) = [w for w in found.blocked if w.slots == ("Tu_1",)]
    assert [b.code for b in blocked.blockers] == ["unavailable"]


def test_windows_never_span_a_hole_in_the_periods_or_leave_the_allowed_slots():
    slots = [Slot("Mo_1", "Mo", 1), Slot("Mo_2", "Mo", 2), Slot("Mo_4", "Mo", 4)]
    found = search_windows(slots, ["A"], 2, [])
    assert [w.slots for w in found.options] == [("Mo_1", "Mo_2")]
    allowed = search_windows(week(), ["A"], 2, [], allowed=frozenset({"Tu_4", "Tu_5"}))
    assert [w.slots for w in allowed.options] == [("Tu_4", "Tu_5")]


def test_no_free_window_names_the_members_who_block_and_the_closest_windows():
    occupied = busy("own_lesson", "A", "Mo_1", "Mo_2") + busy("meeting", "B", "Mo_2", "Mo_3")
    found = search_windows(week(("Mo",), 3), ["A", "B"], 1, occupied, team="k")
    assert found.options == ()
    assert found.reason.code == "no_common_free_slot"
    assert found.reason.data == {"team": "k", "length": 1, "blocking": ["A", "B"]}
    # Mo_1 and Mo_3 each have one busy member, Mo_2 two.
    assert [w.slots for w in found.closest(2)] == [("Mo_1",), ("Mo_3",)]


def test_a_meeting_length_below_one_is_an_input_error():
    with pytest.raises(ProblemError, match="meeting length"):
        search_windows(week(), ["A"], 0, [])
