"""Wishes, and the privacy of avoided partners."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from pdservice.core.models import AuditLog
from pdservice.coteaching.enums import PartnerKind
from pdservice.coteaching.models import CoTeachingPreference
from pdservice.coteaching.review.explain import Names, reason_text
from pdservice.extensions import db


def wish_form(**values) -> dict:
    data = {"willing": "y", "max_lessons": "4", "comment": ""}
    data.update(values)
    return data


def test_a_teacher_states_wishes_and_sees_them_again(app, school, client, login):
    login(school.teacher)
    page = client.get(f"/coteaching/terms/{school.term_id}/wishes")
    assert page.status_code == 200 and "Only you and your principal see this" in page.get_data(
        as_text=True
    )
    response = client.post(
        f"/coteaching/terms/{school.term_id}/wishes",
        data=wish_form(
            max_lessons="3", subjects=["MA"], wished=[school.sam.id], avoided=[school.bea.id]
        ),
    )
    assert response.status_code == 302
    with app.app_context():
        pref = db.session.scalar(sa.select(CoTeachingPreference))
        assert pref.max_lessons == 3 and [s.code for s in pref.subjects] == ["MA"]
        assert pref.partner_ids(PartnerKind.WISH) == [school.sam.id]
        assert pref.partner_ids(PartnerKind.AVOID) == [school.bea.id]
    again = client.get(f"/coteaching/terms/{school.term_id}/wishes").get_data(as_text=True)
    assert f'<option selected value="{school.bea.id}">' in again


@pytest.mark.parametrize(
    "values, message",
    [
        ({"wished": ["SAME"], "avoided": ["SAME"]}, "both wished and avoided"),
        ({"max_lessons": "31"}, "Number must be between 0 and 30"),
        ({"wished": ["OUTSIDER"]}, "is not a valid choice"),
    ],
)
def test_wishes_that_make_no_sense_are_refused(app, school, client, login, world, values, message):
    ids = {"SAME": str(school.sam.id), "OUTSIDER": str(world.teacher_b.id)}
    values = {
        k: [ids.get(v, v) for v in vs] if isinstance(vs, list) else vs for k, vs in values.items()
    }
    login(school.teacher)
    response = client.post(f"/coteaching/terms/{school.term_id}/wishes", data=wish_form(**values))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(CoTeachingPreference.id))) == 0


def test_avoided_partners_are_seen_by_the_principal_and_nobody_else(
    app, school, solve_now, client, login, world
):
    # Bea wishes to co-teach with Teacher A; Teacher A privately avoids Bea.
    login(school.bea)
    client.post(
        f"/coteaching/terms/{school.term_id}/wishes", data=wish_form(wished=[school.teacher.id])
    )
    login(school.teacher)
    client.post(
        f"/coteaching/terms/{school.term_id}/wishes", data=wish_form(avoided=[school.bea.id])
    )
    run_id, _ = solve_now(school.term_id)

    # The principal sees it in the overview and in the reason Bea's wish is unmet.
    login(school.principal)
    overview = client.get(f"/coteaching/terms/{school.term_id}/wishes/all").get_data(as_text=True)
    row = overview.split("Teacher A<br>")[1].split("</tr>")[0]
    assert "Bea Class" in row
    review = client.get(f"/coteaching/runs/{run_id}/review").get_data(as_text=True)
    assert "have asked, privately, not to be paired" in review

    # Bea, the avoided person, is never told: her unmet wish has a neutral reason.
    login(school.bea)
    mine = client.get("/coteaching/mine").get_data(as_text=True)
    assert "privately" not in mine and "not to be paired" not in mine
    own_form = client.get(f"/coteaching/terms/{school.term_id}/wishes").get_data(as_text=True)
    assert f'<option selected value="{school.teacher.id}">' in own_form  # her own wish only
    assert client.get(f"/coteaching/terms/{school.term_id}/wishes/all").status_code == 403

    # Nobody else: another teacher, the admin, HR, the other unit's principal.
    for user, status in (
        (school.sam, 403),
        (world.admin, 403),
        (world.hr, 403),
        (world.principal_b, 404),
    ):
        login(user)
        assert client.get(f"/coteaching/terms/{school.term_id}/wishes/all").status_code == status
        if status == 403:
            assert client.get(f"/coteaching/runs/{run_id}/review").status_code == 403

    # The audit log, read by administrators, records that a wish changed, not whom it avoids.
    with app.app_context():
        logged = json.dumps(
            [
                a.changes
                for a in db.session.scalars(sa.select(AuditLog))
                if a.action.startswith("coteaching.wish")
            ]
        )
        assert str(school.bea.id) not in logged.replace(f"[{school.bea.id}]", "")  # no avoid list
        assert '"avoided_count"' in logged


def test_the_avoid_reason_is_neutral_unless_the_reader_is_the_principal(app, school):
    reason = {
        "code": "avoided",
        "data": {"teachers": ["bea.class@example.org", "teacher.a@example.org"]},
    }
    with app.test_request_context(headers={"Accept-Language": "en"}):
        from pdservice.timetable.models import Term

        names = Names.for_term(db.session.get(Term, school.term_id))
        assert reason_text(reason, names, private=False) == "It is not possible this term."
        assert "Bea Class" in reason_text(reason, names, private=True)


def test_the_form_starts_from_last_terms_wishes(app, school, client, login):
    from pdservice.timetable.services import create_term

    login(school.sam)
    client.post(f"/coteaching/terms/{school.term_id}/wishes", data=wish_form(max_lessons="7"))
    with app.app_context():
        from datetime import timedelta

        from pdservice.core.models import Unit
        from pdservice.timetable.models import Term

        autumn = db.session.get(Term, school.term_id)
        later = create_term(
            db.session.get(Unit, school.unit.id), "Spring", autumn.ends_on + timedelta(days=1)
        )
        db.session.commit()
        later_id = later.id
    page = client.get(f"/coteaching/terms/{later_id}/wishes").get_data(as_text=True)
    assert "starts from your wishes of the previous term" in page and 'value="7"' in page
