"""Administration: users, memberships, units, and the all-or-nothing staff import."""

from io import BytesIO

import pytest
import sqlalchemy as sa

from pdservice.core.enums import Profession, UnitRole
from pdservice.core.models import AuditLog, Unit, UnitMembership, User
from pdservice.extensions import db


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


NEW_USER = {
    "name": "Ville Uusi",
    "email": "Ville.Uusi@example.org",
    "profession": "subject_teacher",
    "fte": "0.8",
    "preferred_language": "fi",
}


def test_admin_creates_a_user_with_temporary_password(client, world, login, app):
    login(world.admin)
    response = client.post("/admin/users/new", data=NEW_USER | {"password": "temporary pass 1"})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "ville.uusi@example.org"))
        assert user.profession == Profession.SUBJECT_TEACHER
        assert float(user.fte) == 0.8
        assert user.must_change_password
        assert (
            db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "user.created")).actor_id
            == world.admin.id
        )


def test_duplicate_email_is_a_conflict(client, world, login, app):
    login(world.admin)
    response = client.post("/admin/users/new", data=NEW_USER | {"email": "TEACHER.A@example.org"})
    assert response.status_code == 409
    assert "Another user already has this email address." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "field, value",
    [("fte", "1.5"), ("fte", "0"), ("email", "nope"), ("name", ""), ("profession", "wizard")],
)
def test_invalid_user_is_refused_and_nothing_saved(client, world, login, app, field, value):
    login(world.admin)
    before = count(app, User)
    response = client.post("/admin/users/new", data=NEW_USER | {field: value})
    assert response.status_code == 422
    assert count(app, User) == before


def test_deactivate_and_reactivate(client, world, login, app):
    login(world.admin)
    assert client.post(f"/admin/users/{world.teacher.id}/active").status_code == 302
    with app.app_context():
        assert not db.session.get(User, world.teacher.id).active
    client.post("/logout")
    response = client.post(
        "/login", data={"email": world.teacher.email, "password": "correct horse battery"}
    )
    assert response.status_code == 401
    login(world.admin)
    client.post(f"/admin/users/{world.teacher.id}/active")
    with app.app_context():
        assert db.session.get(User, world.teacher.id).active


def test_admin_cannot_deactivate_themself(client, world, login):
    login(world.admin)
    assert client.post(f"/admin/users/{world.admin.id}/active").status_code == 409


def test_membership_add_change_and_remove(client, world, login, app):
    login(world.admin)
    client.post(
        f"/admin/users/{world.teacher.id}/memberships",
        data={"unit_id": world.unit_b.id, "role": "principal"},
    )
    with app.app_context():
        m = db.session.scalar(
            sa.select(UnitMembership).where(
                UnitMembership.user_id == world.teacher.id,
                UnitMembership.unit_id == world.unit_b.id,
            )
        )
        assert m.role == UnitRole.PRINCIPAL
        membership_id = m.id
    client.post(f"/admin/memberships/{membership_id}/delete")
    assert count(app, UnitMembership, UnitMembership.id == membership_id) == 0


def test_unit_code_must_be_unique_and_well_formed(client, world, login, app):
    login(world.admin)
    base = {"name": "New School", "kind": "comprehensive_school", "language": "fi", "active": "y"}
    assert client.post("/admin/units/new", data=base | {"code": "school-a"}).status_code == 409
    assert client.post("/admin/units/new", data=base | {"code": "Bad Code"}).status_code == 422
    assert client.post("/admin/units/new", data=base | {"code": "new-one"}).status_code == 302
    assert count(app, Unit, Unit.code == "new-one") == 1


# --- staff CSV import ------------------------------------------------------------------------


def upload(client, text: str, encoding="utf-8"):
    return client.post(
        "/admin/import",
        data={"file": (BytesIO(text.encode(encoding)), "staff.csv")},
        content_type="multipart/form-data",
    )


GOOD = """name,email,profession,unit,role
Aino Aalto,aino.aalto@example.org,class_teacher,school-a,teacher
Aino Aalto,aino.aalto@example.org,class_teacher,school-b,teacher
Bo Berg,bo.berg@example.org,Speciallärare,School B,principal
Henna HR,henna@example.org,hr_specialist,,hr
"""


def test_good_file_imports_everything(client, world, login, app):
    login(world.admin)
    before = count(app, User)
    response = upload(client, GOOD)
    assert response.status_code == 302
    assert count(app, User) == before + 3
    with app.app_context():
        bo = db.session.scalar(sa.select(User).where(User.email == "bo.berg@example.org"))
        assert bo.profession == Profession.SPECIAL_NEEDS_TEACHER
        assert bo.principal_unit_ids == {world.unit_b.id}
        assert str(bo.preferred_language) == "sv"  # unit B is Swedish-language
        aino = db.session.scalar(sa.select(User).where(User.email == "aino.aalto@example.org"))
        assert aino.member_unit_ids == {world.unit_a.id, world.unit_b.id}
        assert aino.password_hash is None  # cannot sign in until given a password
        assert db.session.scalar(sa.select(User).where(User.email == "henna@example.org")).is_hr


def test_semicolons_finnish_headers_and_bom(client, world, login, app):
    login(world.admin)
    text = (
        "\ufeffnimi;sähköposti;ammatti;yksikkö;rooli\n"
        "Olli Oja;olli@example.org;Luokanopettaja;school-a;teacher\n"
    )
    assert upload(client, text).status_code == 302
    assert count(app, User, User.email == "olli@example.org") == 1


def test_any_bad_row_imports_nothing_and_reports_every_row(client, world, login, app):
    login(world.admin)
    text = GOOD + (
        "Bad Email,not-an-email,class_teacher,school-a,teacher\n"
        "No Unit,nounit@example.org,class_teacher,atlantis,teacher\n"
        "Odd Job,odd@example.org,astronaut,school-a,wizard\n"
        "Aino Aalto,aino.aalto@example.org,class_teacher,school-a,teacher\n"
    )
    before_users, before_members = count(app, User), count(app, UnitMembership)
    response = upload(client, text)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nothing was imported" in page
    for line, message in [
        (6, "not a valid email address"),
        (7, "Unknown unit atlantis"),
        (8, "Unknown profession astronaut"),
        (8, "Unknown role wizard"),
        (9, "already on line 2"),
    ]:
        assert message in page, message
        assert f'<td class="num">{line}</td>' in page
    assert count(app, User) == before_users
    assert count(app, UnitMembership) == before_members


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "The file cannot be read"),
        ("name,email\nA,b@example.org\n", "Missing columns: profession, unit, role"),
        ("name,email,profession,unit,role,shoe size\n", "Unknown columns: shoe size"),
        ("name,email,profession,unit,role\n", "The file has no rows to import."),
    ],
)
def test_malformed_files_are_explained(client, world, login, text, message):
    login(world.admin)
    response = upload(client, text)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_binary_garbage_is_a_clear_error(client, world, login):
    login(world.admin)
    response = client.post(
        "/admin/import",
        data={"file": (BytesIO(bytes(range(256)) * 4), "x.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422


def test_missing_file_is_422(client, world, login):
    login(world.admin)
    assert client.post("/admin/import", data={}).status_code == 422


def test_change_log_lists_and_filters_changes(client, world, login, app):
    login(world.admin)
    client.post("/admin/users/new", data=NEW_USER)
    client.post(f"/admin/users/{world.teacher.id}/active")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "user.created" in page and "user.deactivated" in page
    filtered = client.get("/admin/audit?action=user.deactivated").get_data(as_text=True)
    assert "user.deactivated" in filtered and "user.created" not in filtered
    by_actor = client.get("/admin/audit?actor=nobody-like-this").get_data(as_text=True)
    assert "No changes match." in by_actor


def test_change_log_refuses_a_backwards_range(client, world, login):
    login(world.admin)
    response = client.get("/admin/audit?since=2025-09-01&until=2025-08-01")
    assert response.status_code == 400
