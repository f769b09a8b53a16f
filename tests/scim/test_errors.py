"""Bad requests get the status and `scimType` RFC 7644 names, a log line, and change nothing."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from pdservice.core.models import User
from pdservice.extensions import db
from pdservice.scim.models import ScimToken
from pdservice.scim.tokens import revoke_token

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def _people(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(User.id)))


def _error(response, status: int, scim_type: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/scim+json"
    body = response.get_json(force=True)
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert body["status"] == str(status)
    assert body.get("scimType") == scim_type
    assert body["detail"]
    return body


def _user(**extra) -> dict:
    return {"schemas": [USER], "userName": "olli@vantaa.fi", **extra}


@pytest.mark.parametrize(
    ("body", "scim_type", "words"),
    [
        (_user(favouriteColour="blue"), "invalidSyntax", "favouriteColour"),
        (_user(active="maybe"), "invalidValue", "active"),
        (_user(emails="olli@vantaa.fi"), "invalidValue", "emails"),
        ({"schemas": [USER]}, "invalidValue", "userName"),
        (_user(schemas=["urn:example:unknown"]), "invalidSyntax", None),
        ([1, 2, 3], "invalidSyntax", None),
    ],
)
def test_a_bad_user_body_is_refused_and_nothing_is_created(
    app, scim_http, caplog, body, scim_type, words
):
    before = _people(app)
    with caplog.at_level(logging.WARNING):
        response = scim_http.post("/Users", json=body)
    detail = _error(response, 400, scim_type)["detail"]
    if words:
        assert words in detail
    assert _people(app) == before
    assert "SCIM POST /scim/v2/Users refused (400" in caplog.text


def test_a_body_that_is_not_json_is_invalid_syntax(app, scim_http):
    response = scim_http.post("/Users", data=b"{not json", headers={})
    _error(response, 400, "invalidSyntax")


def test_a_user_without_an_address_is_refused(app, scim_http):
    response = scim_http.post("/Users", json=_user(userName="olli"))
    assert "e-mail" in _error(response, 400, "invalidValue")["detail"]
    assert _people(app) == 0


def test_a_taken_user_name_is_a_uniqueness_conflict(app, scim_http):
    assert scim_http.post("/Users", json=_user()).status_code == 201
    _error(scim_http.post("/Users", json=_user()), 409, "uniqueness")
    assert _people(app) == 1


@pytest.mark.parametrize(
    ("query", "scim_type"),
    [
        ('userName sw "olli"', "invalidFilter"),
        ('userName eq "a" or userName eq "b"', "invalidFilter"),
        ('title eq "Rehtori"', "invalidFilter"),
        ('emails[type eq "work"].value eq "x@y.fi"', "invalidFilter"),
        ("userName eq", "invalidFilter"),
        ('nosuchattribute eq "x"', "invalidFilter"),
    ],
)
def test_a_filter_the_endpoint_does_not_support_is_invalid_filter(app, scim_http, query, scim_type):
    _error(scim_http.get("/Users", query_string={"filter": query}), 400, scim_type)


def test_an_unknown_query_parameter_is_refused(app, scim_http):
    _error(scim_http.get("/Users", query_string={"sortBy": "userName"}), 400, "invalidSyntax")


def test_a_patch_of_an_unknown_attribute_or_a_wrong_type_changes_nothing(app, scim_http):
    created = scim_http.post("/Users", json=_user(displayName="Olli")).get_json(force=True)
    for operations in (
        [{"op": "replace", "path": "displayName", "value": "Changed"}, {"op": "frobnicate"}],
        [
            {"op": "replace", "path": "displayName", "value": "Changed"},
            {"op": "replace", "path": "active", "value": "perhaps"},
        ],
        [
            {"op": "replace", "path": "displayName", "value": "Changed"},
            {"op": "replace", "path": "nickName.first", "value": "x"},
        ],
    ):
        response = scim_http.patch(
            f"/Users/{created['id']}", json={"schemas": [PATCH], "Operations": operations}
        )
        assert response.status_code == 400, response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, int(created["id"])).name == "Olli"


def test_a_member_who_does_not_exist_changes_nothing(app, scim_http, make_unit):
    make_unit("koivurinne")
    group = scim_http.post(
        "/Groups",
        json={"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "x"},
    ).get_json(force=True)
    person = scim_http.post("/Users", json=_user()).get_json(force=True)
    response = scim_http.patch(
        f"/Groups/{group['id']}",
        json={
            "schemas": [PATCH],
            "Operations": [
                {"op": "add", "path": "members", "value": [{"value": person["id"]}]},
                {"op": "add", "path": "members", "value": [{"value": "999999"}]},
            ],
        },
    )
    assert "999999" in _error(response, 400, "invalidValue")["detail"]
    members = scim_http.get(f"/Groups/{group['id']}").get_json(force=True).get("members")
    assert not members


@pytest.mark.parametrize("path", ["/Users/999999", "/Users/abc", "/Groups/77", "/Nothing"])
def test_unknown_resources_are_404(app, scim_http, path):
    _error(scim_http.get(path), 404)


def test_no_token_or_a_wrong_one_is_401(app, client, scim_token, caplog):
    with caplog.at_level(logging.WARNING):
        no_token = client.get("/scim/v2/Users")
        wrong = client.get(
            "/scim/v2/Users", headers={"Authorization": "Bearer pdscim_not-a-real-token"}
        )
        cookie = client.get("/scim/v2/Users", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    for response in (no_token, wrong, cookie):
        _error(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "no bearer token" in caplog.text and "unknown token" in caplog.text


def test_a_token_for_another_endpoint_is_refused_and_logged_as_such(app, client, caplog):
    with caplog.at_level(logging.WARNING):
        response = client.post(
            "/scim/v2/Users",
            json=_user(),
            headers={"Authorization": "Bearer eyJhbGciOiJSUzI1NiJ9.an-access-token.sig"},
        )
    assert "not a provisioning token" in _error(response, 401)["detail"]
    assert "a token of another kind" in caplog.text
    assert _people(app) == 0


def test_a_revoked_token_is_refused(app, client, scim_token):
    with app.app_context():
        revoke_token(db.session.scalar(sa.select(ScimToken)))
        db.session.commit()
    response = client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {scim_token}"})
    assert "revoked" in _error(response, 401)["detail"]


def test_a_signed_in_admin_without_a_token_is_refused(app, client, world, login):
    login(world.admin)
    _error(client.get("/scim/v2/Users"), 401)
