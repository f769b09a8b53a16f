"""Signing in with the city's account against a real OpenID provider."""

from __future__ import annotations

import sqlalchemy as sa

from pdservice.core.enums import UnitRole
from pdservice.core.models import UnitMembership, User
from pdservice.extensions import db
from pdservice.oidc.models import IdentityLink


def test_a_known_person_signs_in_and_is_linked_by_email(
    app, client, oidc, make_user, make_unit, sign_in_with_provider
):
    unit = make_unit("koivurinne")
    person = make_user("Anna Virtanen", email="anna@vantaa.fi", units=[unit])
    login = oidc.person("anna@vantaa.fi", roles=["Teacher"], groups=["grp-koivurinne"])
    response = sign_in_with_provider(login)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/home")
    assert client.get("/home").status_code == 200
    with app.app_context():
        link = db.session.scalar(sa.select(IdentityLink))
        assert (link.user_id, link.provider, link.subject) == (person.id, "city", login)


def _memberships(app, email):
    with app.app_context():
        rows = db.session.scalars(sa.select(UnitMembership).join(User).where(User.email == email))
        return {m.unit.code: m.role for m in rows}


def test_just_in_time_creation_gives_the_units_and_roles_the_claims_name(
    app, client, oidc, make_unit, sign_in_with_provider
):
    make_unit("koivurinne")
    make_unit("lehtola")
    oidc.configure(create_users=True)
    login = oidc.person(
        "uusi.rehtori@vantaa.fi",
        name="Uusi Rehtori",
        roles=["Principal"],
        groups=["grp-koivurinne", "some-other-group"],
    )
    response = sign_in_with_provider(login)
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "uusi.rehtori@vantaa.fi"))
        assert user.name == "Uusi Rehtori" and user.active and user.password_hash is None
    assert _memberships(app, "uusi.rehtori@vantaa.fi") == {"koivurinne": UnitRole.PRINCIPAL}
    page = client.get("/home")
    assert page.status_code == 200


def test_an_unknown_person_is_refused_with_a_clear_page_when_creation_is_off(
    app, oidc, sign_in_with_provider, caplog
):
    login = oidc.person("stranger@vantaa.fi", roles=["Teacher"], groups=["grp-koivurinne"])
    response = sign_in_with_provider(login)
    assert response.status_code == 403
    assert "no account for you" in response.get_data(as_text=True)
    assert "just-in-time creation is off" in caplog.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_a_claim_naming_a_unit_that_does_not_exist_creates_nothing(
    app, oidc, make_unit, sign_in_with_provider, caplog
):
    make_unit("koivurinne")
    oidc.configure(
        create_users=True, unit_map={"grp-x": "no-such-unit", "grp-koivurinne": "koivurinne"}
    )
    login = oidc.person("x@vantaa.fi", roles=["Teacher"], groups=["grp-koivurinne", "grp-x"])
    response = sign_in_with_provider(login)
    assert response.status_code == 403
    assert "no-such-unit" in response.get_data(as_text=True)
    assert "name units that do not exist: no-such-unit" in caplog.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(IdentityLink.id))) == 0
