"""Routes of the foundation: main, auth, admin."""

from tests.access.rules import LOGIN, Rule, admin_only, signed_in, statuses, unit_a_scope

RULES = [
    Rule("main.index", "GET", lambda w: "/", statuses(302, anon=302)),
    Rule("main.home", "GET", lambda w: "/home", signed_in(200)),
    Rule(
        "main.unit_detail",
        "GET",
        lambda w: f"/units/{w.unit_a.id}",
        unit_a_scope(teacher=200, principal=200, hr=200, admin=200),
    ),
    Rule(
        "main.set_language",
        "POST",
        lambda w: "/language",
        statuses(302, anon=302),
        data=lambda w: {"language": "sv", "next": "/home"},
    ),
    Rule("main.account", "GET", lambda w: "/account", signed_in(200)),
    Rule(
        "main.account",
        "POST",
        lambda w: "/account",
        signed_in(302),
        data=lambda w: {"preferred_language": "fi"},
        id="save",
    ),
    Rule("auth.login", "GET", lambda w: "/login", statuses(302, anon=200)),
    Rule(
        "auth.login",
        "POST",
        lambda w: "/login",
        statuses(302, anon=401),
        data=lambda w: {"email": "nobody@example.org", "password": "wrong password"},
    ),
    Rule("auth.logout", "POST", lambda w: "/logout", statuses(302, anon=302)),
    Rule("auth.change_password", "GET", lambda w: "/account/password", signed_in(200)),
    Rule(
        "auth.change_password",
        "POST",
        lambda w: "/account/password",
        signed_in(422),
        data=lambda w: {"current_password": "x", "new_password": "short", "confirm": "short"},
    ),
    Rule("admin.users", "GET", lambda w: "/admin/users", admin_only()),
    Rule("admin.user_new", "GET", lambda w: "/admin/users/new", admin_only()),
    Rule(
        "admin.user_new", "POST", lambda w: "/admin/users/new", admin_only(422), data=lambda w: {}
    ),
    Rule("admin.user_edit", "GET", lambda w: f"/admin/users/{w.teacher.id}", admin_only()),
    Rule(
        "admin.user_edit",
        "POST",
        lambda w: f"/admin/users/{w.teacher.id}",
        admin_only(422),
        data=lambda w: {"name": "", "email": "not an email"},
    ),
    Rule(
        "admin.user_toggle_active",
        "POST",
        lambda w: f"/admin/users/{w.teacher_b.id}/active",
        admin_only(302),
    ),
    Rule(
        "admin.membership_add",
        "POST",
        lambda w: f"/admin/users/{w.teacher.id}/memberships",
        admin_only(302),
        data=lambda w: {"unit_id": w.unit_b.id, "role": "teacher"},
    ),
    Rule(
        "admin.membership_delete",
        "POST",
        lambda w: f"/admin/memberships/{w.teacher.memberships[0].id}/delete",
        admin_only(302),
    ),
    Rule("admin.units", "GET", lambda w: "/admin/units", admin_only()),
    Rule("admin.unit_form", "GET", lambda w: "/admin/units/new", admin_only(), id="new"),
    Rule(
        "admin.unit_form",
        "GET",
        lambda w: f"/admin/units/{w.unit_a.id}/edit",
        admin_only(),
        id="edit",
    ),
    Rule(
        "admin.unit_form", "POST", lambda w: "/admin/units/new", admin_only(422), data=lambda w: {}
    ),
    Rule("admin.staff_import", "GET", lambda w: "/admin/import", admin_only()),
    Rule(
        "admin.staff_import", "POST", lambda w: "/admin/import", admin_only(422), data=lambda w: {}
    ),
    Rule("admin.audit_log", "GET", lambda w: "/admin/audit", admin_only()),
    Rule(
        "admin.audit_log",
        "GET",
        lambda w: "/admin/audit",
        admin_only(400),
        query={"since": "2025-09-01", "until": "2025-08-01"},
        id="bad-range",
    ),
    Rule("static", "GET", lambda w: "/static/css/app.css", statuses(200, anon=200)),
]

_ = LOGIN
