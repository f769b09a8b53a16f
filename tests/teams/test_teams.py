"""Teams, finding a common free slot, and meetings placed by a run."""

from __future__ import annotations

import sqlalchemy as sa

from pdservice.extensions import db
from pdservice.teams.models import Team, TeamMeeting
from pdservice.timetable.models import PeriodSlot


def new_team(client, unit_id, name, members, length=1) -> int:
    response = client.post(
        f"/teams/units/{unit_id}/new",
        data={
            "name": name,
            "kind": "grade_level",
            "meeting_slots": str(length),
            "needs_meeting": "y",
            "members": [str(m.id) for m in members],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def test_principal_defines_a_team_and_finds_the_best_free_slot(app, school, client, login):
    login(school.principal)
    team_id = new_team(client, school.unit.id, "Grade 3 team", [school.teacher, school.sam])
    page = client.get(f"/teams/{team_id}/find-slot?term={school.term_id}").get_data(as_text=True)
    assert "The best common free times" in page
    with app.app_context():
        from pdservice.teams.services import find_slots
        from pdservice.timetable.models import Term

        search = find_slots(db.session.get(Team, team_id), db.session.get(Term, school.term_id))
        windows = [(w.start.code, w.idle_periods, w.come_in) for w in search.candidates]
        slot_id = search.candidates[0].slots[0].id
    # Teacher A teaches Mo1, Mo2, Tu1, Tu2 and Sam Mo2: both are free at Mo3 and Tu3. Mo3
    # follows both their lessons; on Tuesday Sam would come in only for the meeting.
    assert windows == [("Mo-3", 0, 0), ("Tu-3", 0, 1)]
    response = client.post(
        f"/teams/{team_id}/meeting", data={"term_id": school.term_id, "slot_id": slot_id}
    )
    assert response.status_code == 302
    with app.app_context():
        meeting = db.session.scalar(sa.select(TeamMeeting))
        assert meeting.published_slot_id == slot_id and meeting.source == "find_slot"
    login(school.sam)
    week = client.get(f"/timetable/terms/{school.term_id}/teachers/{school.sam.id}")
    assert "Grade 3 team" in week.get_data(as_text=True)


def test_no_common_free_slot_says_why(app, school, client, login):
    login(school.principal)
    team_id = new_team(client, school.unit.id, "Busy", [school.teacher, school.bea], length=3)
    page = client.get(f"/teams/{team_id}/find-slot?term={school.term_id}").get_data(as_text=True)
    assert "No common free time." in page
    assert "There is no period in the week when all 2 members are free." in page
    assert "Teacher A – teaches 3A" in page
    # Choosing a busy time anyway is refused and changes nothing.
    with app.app_context():
        busy = db.session.scalar(
            sa.select(PeriodSlot.id).where(PeriodSlot.day == 1, PeriodSlot.index == 1)
        )
    response = client.post(
        f"/teams/{team_id}/meeting", data={"term_id": school.term_id, "slot_id": busy}
    )
    assert response.status_code == 409
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(TeamMeeting.id))) == 0


def test_a_team_with_one_member_cannot_meet(app, school, client, login):
    login(school.principal)
    team_id = new_team(client, school.unit.id, "Alone", [school.sam])
    page = client.get(f"/teams/{team_id}/find-slot").get_data(as_text=True)
    assert "A team needs at least two members to meet." in page


def test_team_names_are_unique_in_a_unit_and_members_are_staff(app, school, client, login, world):
    login(school.principal)
    new_team(client, school.unit.id, "KiVa", [school.sam, school.bea])
    again = client.post(
        f"/teams/units/{school.unit.id}/new",
        data={"name": "kiva", "kind": "kiva", "meeting_slots": "1", "members": [school.sam.id]},
    )
    assert again.status_code == 409
    outsider = client.post(
        f"/teams/units/{school.unit.id}/new",
        data={"name": "X", "kind": "kiva", "meeting_slots": "1", "members": [world.teacher_b.id]},
    )
    assert outsider.status_code == 422


def test_a_run_places_team_meetings_and_publishing_shows_them(
    app, school, client, login, solve_now
):
    login(school.principal)
    team_id = new_team(client, school.unit.id, "Grade 3 team", [school.teacher, school.sam])
    run_id, result = solve_now(school.term_id)
    assert [m.team for m in result.meetings] == [f"team-{team_id}"]
    from pdservice.coteaching.models import MeetingProposal

    with app.app_context():
        proposal = db.session.scalar(sa.select(MeetingProposal))
        proposal_id, slot_id = proposal.id, proposal.start_slot_id
    client.post(f"/coteaching/meeting-proposals/{proposal_id}/decide", data={"action": "accept"})
    client.post(f"/coteaching/terms/{school.term_id}/publish")
    with app.app_context():
        meeting = db.session.scalar(sa.select(TeamMeeting))
        assert meeting.published_slot_id == slot_id and meeting.source == "run"
    # A published meeting is kept by the next run (pinned).
    _second, again = solve_now(school.term_id)
    assert [m.slots[0] for m in again.meetings] == [result.meetings[0].slots[0]]


def test_another_units_principal_cannot_touch_the_team(app, school, client, login, world):
    login(school.principal)
    team_id = new_team(client, school.unit.id, "Grade 3 team", [school.teacher, school.bea])
    login(world.principal_b)
    assert client.get(f"/teams/{team_id}/find-slot").status_code == 404
    assert client.post(f"/teams/{team_id}/delete").status_code == 404
    with app.app_context():
        assert db.session.get(Team, team_id) is not None


def test_a_team_that_can_never_meet_is_left_out_of_a_run_and_said_so(
    app, school, client, login, solve_now
):
    login(school.principal)
    # Teacher A and Bea are never free at the same time (see the tiny week).
    new_team(client, school.unit.id, "Never free", [school.teacher, school.bea])
    run_id, result = solve_now(school.term_id)
    assert result.status in ("optimal", "feasible") and result.meetings == []
    page = client.get(f"/coteaching/runs/{run_id}").get_data(as_text=True)
    assert "never share a free period" in page and "Never free" in page
    assert "Find a slot for Never free" in client.get(f"/coteaching/runs/{run_id}/review").get_data(
        as_text=True
    )
