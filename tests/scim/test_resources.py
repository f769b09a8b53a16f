"""The endpoint's resources in detail: discovery, lists and paging, replacement, groups and the
places they give, deletion, and the people it must not lose."""

from __future__ import annotations

import sqlalchemy as sa

from pdservice.core.enums import Role, UnitRole
from pdservice.core.models import AuditLog, UnitMembership, User
from pdservice.extensions import db
from pdservice.scim.models import ScimGroup
from pdservice.scim.provisioning import map_group

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def _user(n: int, **extra) -> dict:
    return {
        "schemas": [USER],
        "userName": f"person{n}@vantaa.fi",
        "displayName": f"Person {n}",
        **extra,
    }


def _roles(app, user_id: int) -> dict[str, UnitRole]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(UnitMembership).where(UnitMembership.user_id == user_id)
        )
        return {m.unit.code: m.role for m in rows}


def test_discovery_documents(app, scim_http):
    config = scim_http.get("/ServiceProviderConfig").get_json(force=True)
    assert config["patch"]["supported"] is True
    assert config["bulk"]["supported"] is False
    assert config["filter"] == {"supported": True, "maxResults": 200}
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"
    types = scim_http.get("/ResourceTypes").get_json(force=True)
    assert {r["id"] for r in types["Resources"]} == {"User", "Group"}
    user_type = scim_http.get("/ResourceTypes/User").get_json(force=True)
    assert user_type["schemaExtensions"][0]["schema"] == ENTERPRISE
    schemas = scim_http.get("/Schemas").get_json(force=True)
    assert {s["id"] for s in schemas["Resources"]} == {USER, ENTERPRISE, GROUP}
    user_schema = scim_http.get(f"/Schemas/{USER}").get_json(force=True)
    assert "userName" in {a["name"] for a in user_schema["attributes"]}


def test_lists_page_through_everyone(app, scim_http):
    for n in range(5):
        assert scim_http.post("/Users", json=_user(n)).status_code == 201
    first = scim_http.get("/Users", query_string={"startIndex": 1, "count": 2}).get_json(force=True)
    assert (first["totalResults"], first["itemsPerPage"], first["startIndex"]) == (5, 2, 1)
    last = scim_http.get("/Users", query_string={"startIndex": 5, "count": 2}).get_json(force=True)
    assert (last["totalResults"], last["itemsPerPage"]) == (5, 1)
    names = scim_http.get("/Users", query_string={"attributes": "userName"}).get_json(force=True)
    assert set(names["Resources"][0]) <= {"schemas", "id", "userName"}
    none = scim_http.get("/Users", query_string={"count": 0}).get_json(force=True)
    assert (none["totalResults"], none["itemsPerPage"]) == (5, 0)


def test_people_made_here_are_found_by_email_and_taken_over(app, scim_http, make_user):
    person = make_user("Pekka Salminen", email="pekka.salminen@vantaa.fi")
    found = scim_http.get(
        "/Users", query_string={"filter": 'userName eq "Pekka.Salminen@vantaa.fi"'}
    ).get_json(force=True)
    assert [r["id"] for r in found["Resources"]] == [str(person.id)]
    response = scim_http.post(
        "/Users",
        json=_user(0, userName="pekka.salminen@vantaa.fi", externalId="x-1", displayName="P S"),
    )
    assert response.status_code == 201
    assert response.get_json(force=True)["id"] == str(person.id)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1
        assert db.session.get(User, person.id).name == "P S"


def test_put_replaces_what_the_provider_knows(app, scim_http):
    created = scim_http.post(
        "/Users",
        json=_user(1, title="Rehtori", **{ENTERPRISE: {"employeeNumber": "7"}}),
    ).get_json(force=True)
    body = _user(1, displayName="Renamed", active=False)
    body["schemas"] = [USER]
    replaced = scim_http.put(f"/Users/{created['id']}", json=body)
    assert replaced.status_code == 200, replaced.get_data(as_text=True)
    payload = replaced.get_json(force=True)
    assert payload["displayName"] == "Renamed" and payload["active"] is False
    assert "title" not in payload
    with app.app_context():
        person = db.session.get(User, int(created["id"]))
        assert person.employee_number is None and not person.active


def test_groups_give_and_take_places(app, scim_http, make_unit):
    unit = make_unit("lehtola")
    person = scim_http.post("/Users", json=_user(1)).get_json(force=True)
    group = scim_http.post(
        "/Groups",
        json={
            "schemas": [GROUP],
            "displayName": "Lehtolan rehtorit",
            "members": [{"value": person["id"]}],
        },
    ).get_json(force=True)
    assert _roles(app, int(person["id"])) == {}  # unmapped: changes nothing
    with app.app_context():
        map_group(
            db.session.get(ScimGroup, int(group["id"])),
            db.session.get(type(unit), unit.id),
            Role.PRINCIPAL,
            source="admin",
        )
        db.session.commit()
    assert _roles(app, int(person["id"])) == {"lehtola": UnitRole.PRINCIPAL}
    renamed = scim_http.patch(
        f"/Groups/{group['id']}",
        json={"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"displayName": "L"}}]},
    )
    assert renamed.status_code == 204
    assert scim_http.get(f"/Groups/{group['id']}").get_json(force=True)["displayName"] == "L"
    assert scim_http.delete(f"/Groups/{group['id']}").status_code == 204
    assert _roles(app, int(person["id"])) == {}
    assert scim_http.get(f"/Groups/{group['id']}").status_code == 404


def test_hr_and_admin_groups(app, scim_http):
    admin = scim_http.post("/Users", json=_user(1)).get_json(force=True)
    app.config["SCIM_GROUP_MAP"] = {"PD HR": "hr", "PD Admins": "admin"}
    try:
        hr = scim_http.post(
            "/Groups",
            json={"schemas": [GROUP], "displayName": "PD HR", "members": [{"value": admin["id"]}]},
        ).get_json(force=True)
        admins = scim_http.post(
            "/Groups",
            json={
                "schemas": [GROUP],
                "displayName": "PD Admins",
                "members": [{"value": admin["id"]}],
            },
        ).get_json(force=True)
    finally:
        app.config["SCIM_GROUP_MAP"] = {}
    with app.app_context():
        person = db.session.get(User, int(admin["id"]))
        assert person.is_hr and person.is_admin
    scim_http.patch(
        f"/Groups/{hr['id']}",
        json={
            "schemas": [PATCH],
            "Operations": [{"op": "remove", "path": f'members[value eq "{admin["id"]}"]'}],
        },
    )
    with app.app_context():
        assert not db.session.get(User, int(admin["id"])).is_hr
    # The only administrator cannot be taken out of the admins' group, deactivated or deleted.
    refused = scim_http.patch(
        f"/Groups/{admins['id']}",
        json={"schemas": [PATCH], "Operations": [{"op": "remove", "path": "members"}]},
    )
    assert refused.status_code == 409
    deactivate = scim_http.patch(
        f"/Users/{admin['id']}",
        json={
            "schemas": [PATCH],
            "Operations": [{"op": "replace", "path": "active", "value": False}],
        },
    )
    assert deactivate.status_code == 409
    assert scim_http.delete(f"/Users/{admin['id']}").status_code == 409
    with app.app_context():
        person = db.session.get(User, int(admin["id"]))
        assert person.is_admin and person.active


def test_a_deleted_person_can_be_provisioned_again(app, scim_http):
    created = scim_http.post("/Users", json=_user(1)).get_json(force=True)
    assert scim_http.delete(f"/Users/{created['id']}").status_code == 204
    assert scim_http.delete(f"/Users/{created['id']}").status_code == 404
    found = scim_http.get(
        "/Users", query_string={"filter": 'userName eq "person1@vantaa.fi"'}
    ).get_json(force=True)
    assert found["totalResults"] == 0
    again = scim_http.post("/Users", json=_user(1, active=True))
    assert again.status_code == 201
    assert again.get_json(force=True)["id"] == created["id"]
    with app.app_context():
        assert db.session.get(User, int(created["id"])).active
        actions = list(db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)))
    assert actions.count("user.deactivated") == 1 and "user.activated" in actions
