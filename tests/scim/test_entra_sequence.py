"""Provisioning as Microsoft Entra ID does it, driven by a SCIM client library (scim2-client):
look a person up, create them, put them in a group, change their attributes, deactivate them,
delete them; the app's people, units, roles and sessions follow."""

from __future__ import annotations

import sqlalchemy as sa
from scim2_models import (
    Email,
    EnterpriseUser,
    Group,
    GroupMember,
    Name,
    PatchOp,
    PatchOperation,
    SearchRequest,
    User,
)

from pdservice.core.enums import Language, Profession, UnitRole
from pdservice.core.models import AuditLog, UnitMembership
from pdservice.core.models import User as Person
from pdservice.extensions import db

EntraUser = User[EnterpriseUser]
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def _entra_user(user_name="anna.virtanen@vantaa.fi") -> EntraUser:
    user = EntraUser(
        user_name=user_name,
        external_id="4f1d7c2e-6a57-4c8b-9f8e-1c2d3e4f5a6b",
        active=True,
        display_name="Anna Virtanen",
        name=Name(given_name="Anna", family_name="Virtanen", formatted="Anna Virtanen"),
        emails=[Email(value=user_name, type=Email.Type.work, primary=True)],
        title="Luokanopettaja",
        preferred_language="sv-FI",
    )
    user[EnterpriseUser] = EnterpriseUser(employee_number="100234", department="Koivurinne")
    return user


def _person(app, email) -> Person | None:
    with app.app_context():
        person = db.session.scalar(sa.select(Person).where(Person.email == email))
        if person is not None:
            person.memberships  # noqa: B018 - loaded before the session closes
            db.session.expunge_all()
        return person


def _memberships(app, email) -> dict[str, UnitRole]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(UnitMembership)
            .join(Person, Person.id == UnitMembership.user_id)
            .where(Person.email == email)
        ).scalars()
        return {m.unit.code: m.role for m in rows}


def test_entra_provisioning_cycle(app, scim_client, make_unit, client, login):
    make_unit("koivurinne", name="Koivurinteen koulu")
    app.config["SCIM_GROUP_MAP"] = {"PD Koivurinne rehtorit": "koivurinne:principal"}
    try:
        # 1. Entra looks the person up by its matching attribute: nobody yet.
        found = scim_client.search(
            EntraUser,
            search_request=SearchRequest(filter='userName eq "anna.virtanen@vantaa.fi"'),
        )
        assert found.total_results == 0

        # 2. Create.
        created = scim_client.create(_entra_user())
        assert created.id and created.user_name == "anna.virtanen@vantaa.fi"
        assert created[EnterpriseUser].employee_number == "100234"
        person = _person(app, "anna.virtanen@vantaa.fi")
        assert person.name == "Anna Virtanen"
        assert person.profession == Profession.CLASS_TEACHER
        assert person.preferred_language == Language.SV
        assert person.active
        found = scim_client.search(
            EntraUser,
            search_request=SearchRequest(filter='userName eq "Anna.Virtanen@vantaa.fi"'),
        )
        assert [u.id for u in found.resources] == [created.id]

        # 3. The unit's group, then the person added to it: staff of the unit.
        staff = scim_client.create(Group(display_name="koivurinne", external_id="g-staff"))
        scim_client.modify(
            Group,
            staff.id,
            PatchOp[Group](
                operations=[
                    PatchOperation[Group](op="add", path="members", value=[{"value": created.id}])
                ]
            ),
        )
        assert _memberships(app, "anna.virtanen@vantaa.fi") == {"koivurinne": UnitRole.TEACHER}

        # ... and to the principals' group: principal of the unit.
        principals = scim_client.create(
            Group(display_name="PD Koivurinne rehtorit", members=[GroupMember(value=created.id)])
        )
        assert _memberships(app, "anna.virtanen@vantaa.fi") == {"koivurinne": UnitRole.PRINCIPAL}
        group = scim_client.query(Group, principals.id)
        assert [m.value for m in group.members] == [created.id]
        user = scim_client.query(EntraUser, created.id)
        assert sorted(g.value for g in user.groups) == sorted([staff.id, principals.id])

        # Removed from the principals (as Entra sends it: the member in the value): staff again.
        scim_client.modify(
            Group,
            principals.id,
            {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [
                    {"op": "Remove", "path": "members", "value": [{"value": created.id}]}
                ],
            },
            check_request_payload=False,
        )
        assert _memberships(app, "anna.virtanen@vantaa.fi") == {"koivurinne": UnitRole.TEACHER}

        # 4. Attributes change (Entra's capitalised ops, a path per attribute).
        updated = scim_client.modify(
            EntraUser,
            created.id,
            {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [
                    {"op": "Replace", "path": "displayName", "value": "Anna Virtanen-Salo"},
                    {"op": "Replace", "path": "name.familyName", "value": "Virtanen-Salo"},
                    {
                        "op": "Replace",
                        "path": 'emails[type eq "work"].value',
                        "value": "anna.virtanen-salo@vantaa.fi",
                    },
                    {"op": "Replace", "path": "title", "value": "Erityisopettaja"},
                    {"op": "Replace", "path": f"{ENTERPRISE}:employeeNumber", "value": "100999"},
                ],
            },
            check_request_payload=False,
        )
        assert updated.display_name == "Anna Virtanen-Salo"
        person = _person(app, "anna.virtanen-salo@vantaa.fi")
        assert person is not None and person.name == "Anna Virtanen-Salo"
        assert person.profession == Profession.SPECIAL_NEEDS_TEACHER
        assert _person(app, "anna.virtanen@vantaa.fi") is None

        # 5. Deactivate: the person can no longer sign in, and a session they had ends.
        with app.app_context():
            from pdservice.core.services import set_password

            set_password(db.session.get(Person, int(created.id)), "a long password 123")
            db.session.commit()
        login(_person(app, "anna.virtanen-salo@vantaa.fi"))
        assert client.get("/account").status_code == 200
        scim_client.modify(
            EntraUser,
            created.id,
            {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
            },
            check_request_payload=False,
        )
        assert not _person(app, "anna.virtanen-salo@vantaa.fi").active
        assert client.get("/account").status_code == 302  # signed out

        # 6. Delete: the resource is gone, the person stays deactivated for the records.
        scim_client.delete(EntraUser, created.id)
        assert scim_client.query(EntraUser, created.id, raise_scim_errors=False).status == 404
        person = _person(app, "anna.virtanen-salo@vantaa.fi")
        assert person is not None and not person.active
        assert scim_client.query(Group, staff.id).members in (None, [])

        with app.app_context():
            actions = set(db.session.scalars(sa.select(AuditLog.action)))
        assert {"user.created", "user.updated", "user.deactivated", "scim.user_deleted"} <= actions
        assert {"membership.created", "membership.updated", "scim.group_created"} <= actions
    finally:
        app.config["SCIM_GROUP_MAP"] = {}
