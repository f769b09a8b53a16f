"""Signing in and out, throttling, deactivation, passwords, sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pdservice.core.models import LoginAttempt, User
from pdservice.db import utcnow
from pdservice.extensions import db
from tests.factories import PASSWORD


def post_login(client, email, password, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def test_sign_in_with_right_password_lands_on_home(client, make_user):
    user = make_user(email="anna@example.org")
    response = post_login(client, "Anna@Example.org ", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/home")
    home = client.get("/home")
    assert home.status_code == 200
    assert user.name in home.get_data(as_text=True)


@pytest.mark.parametrize(
    "email, password",
    [
        ("anna@example.org", "wrong password"),
        ("nobody@example.org", PASSWORD),
    ],
)
def test_wrong_password_and_unknown_email_answer_the_same(client, make_user, email, password):
    make_user(email="anna@example.org")
    response = post_login(client, email, password)
    assert response.status_code == 401
    assert "Wrong email or password." in response.get_data(as_text=True)
    assert client.get("/home").status_code == 302


def test_empty_form_is_unprocessable(client):
    assert client.post("/login", data={}).status_code == 422


def test_five_failures_lock_the_account_for_a_while(client, make_user, app):
    make_user(email="anna@example.org")
    for _ in range(5):
        assert post_login(client, "anna@example.org", "nope nope").status_code == 401
    locked = post_login(client, "anna@example.org", PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.get_data(as_text=True)
    # Another account is not affected.
    make_user(email="ben@example.org")
    assert post_login(client, "ben@example.org", PASSWORD).status_code == 302


def test_lock_ends_when_the_failures_leave_the_window(client, make_user, app):
    make_user(email="anna@example.org")
    with app.app_context():
        long_ago = utcnow() - timedelta(minutes=16)
        for _ in range(5):
            db.session.add(LoginAttempt(email="anna@example.org", at=long_ago, succeeded=False))
        db.session.commit()
    assert post_login(client, "anna@example.org", PASSWORD).status_code == 302


def test_refused_attempts_do_not_extend_the_lock(client, make_user, app):
    make_user(email="anna@example.org")
    for _ in range(5):
        post_login(client, "anna@example.org", "nope nope")
    for _ in range(3):
        assert post_login(client, "anna@example.org", "nope nope").status_code == 429
    with app.app_context():
        assert db.session.query(LoginAttempt).count() == 5


def test_deactivated_user_cannot_sign_in(client, make_user):
    make_user(email="gone@example.org", active=False)
    assert post_login(client, "gone@example.org", PASSWORD).status_code == 401


def test_deactivation_ends_existing_sessions(client, make_user, app, login):
    user = make_user()
    login(user)
    assert client.get("/home").status_code == 200
    with app.app_context():
        u = db.session.get(User, user.id)
        u.active = False
        u.session_version += 1
        db.session.commit()
    assert client.get("/home").status_code == 302


def test_sign_out_requires_post_and_ends_the_session(client, make_user, login):
    login(make_user())
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/home").status_code == 302


def test_change_password(client, make_user, login, app):
    user = make_user()
    login(user)
    bad = client.post(
        "/account/password",
        data={
            "current_password": "wrong",
            "new_password": "a new long password",
            "confirm": "a new long password",
        },
    )
    assert bad.status_code == 422
    assert "The current password is wrong." in bad.get_data(as_text=True)
    ok = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a new long password",
            "confirm": "a new long password",
        },
    )
    assert ok.status_code == 302
    assert client.get("/home").status_code == 200  # still signed in here
    client.post("/logout")
    assert post_login(client, user.email, PASSWORD).status_code == 401
    assert post_login(client, user.email, "a new long password").status_code == 302


@pytest.mark.parametrize("new, confirm", [("short", "short"), ("long enough pw", "different one")])
def test_change_password_validation(client, make_user, login, new, confirm):
    login(make_user())
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": new, "confirm": confirm},
    )
    assert response.status_code == 422


def test_password_change_signs_out_other_browsers(app, make_user, login, client):
    user = make_user()
    other = app.test_client()
    for c in (client, other):
        post_login(c, user.email, PASSWORD)
    client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a new long password",
            "confirm": "a new long password",
        },
    )
    assert client.get("/home").status_code == 200
    assert other.get("/home").status_code == 302


def test_temporary_password_must_be_changed_first(client, make_user, app):
    user = make_user(must_change_password=True)
    response = post_login(client, user.email, PASSWORD)
    assert response.headers["Location"].endswith("/account/password")
    assert client.get("/home").headers["Location"].endswith("/account/password")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_no_open_redirect_after_sign_in(client, make_user, target):
    user = make_user()
    response = post_login(client, user.email, PASSWORD, next=target)
    assert response.headers["Location"].endswith("/home")


def test_same_site_next_is_followed(client, make_user):
    user = make_user()
    response = post_login(client, user.email, PASSWORD, next="/account")
    assert response.headers["Location"].endswith("/account")


def test_passwords_are_hashed(app, make_user):
    user = make_user(password="plain text password")
    assert "plain text password" not in user.password_hash
    assert user.check_password("plain text password")


def test_session_cookie_flags(app, client, make_user):
    user = make_user()
    response = post_login(client, user.email, PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_csrf_token_required_on_forms(client, make_user, csrf_enabled):
    user = make_user()
    response = post_login(client, user.email, PASSWORD)
    assert response.status_code == 400
    assert "The form had expired or was not sent from this site" in response.get_data(as_text=True)


def test_forged_csrf_token_refused(client, make_user, csrf_enabled):
    user = make_user()
    response = post_login(client, user.email, PASSWORD, csrf_token="forged")
    assert response.status_code == 400


def test_real_csrf_token_accepted(client, make_user, csrf_enabled):
    import re

    user = make_user()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert post_login(client, user.email, PASSWORD, csrf_token=token).status_code == 302


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_have_no_inline_script(client, make_user, login):
    login(make_user())
    for url in ("/login", "/home", "/account"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and "onclick=" not in html and "style=" not in html
