"""An ID token or an answer that fails a check is refused with the error OpenID Connect and
OAuth 2.0 name, a log line saying which check, and nothing created or signed in."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pdservice.core.models import User
from pdservice.extensions import db
from pdservice.oidc.models import IdentityLink


def _nothing_happened(app, client):
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(IdentityLink.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(User.id))) <= 1
    assert client.get("/home").status_code == 302  # not signed in


@pytest.mark.parametrize(
    ("mode", "logged"),
    [
        ("bad_signature", "ID token signature invalid"),
        ("wrong_audience", "Invalid claim: 'aud'"),
        ("wrong_issuer", "Invalid claim: 'iss'"),
        ("expired", "ID token expired"),
        ("alg_none", "ID token refused"),
        ("replay", "nonce"),
    ],
)
def test_a_tampered_id_token_is_refused(
    app, client, oidc, make_user, sign_in_with_provider, caplog, mode, logged
):
    make_user(email="anna@vantaa.fi")
    login = oidc.person("anna@vantaa.fi")
    if mode == "replay":
        # An earlier, genuine ID token (of another sign-in, with its own nonce) sent again.
        other = oidc.person("someone.else@vantaa.fi")
        oidc.configure(create_users=False)
        sign_in_with_provider(other)
    oidc.provider.tamper(mode)
    response = sign_in_with_provider(login)
    assert response.status_code == 401, response.get_data(as_text=True)
    assert "invalid_token" in response.get_data(as_text=True)
    assert "refused the sign-in (401 invalid_token)" in caplog.text
    assert logged in caplog.text
    _nothing_happened(app, client)


def test_a_replayed_state_is_refused(app, client, oidc, make_user, provider_browser, caplog):
    make_user(email="anna@vantaa.fi")
    login = oidc.person("anna@vantaa.fi")
    start = client.get("/auth/oidc/city/login")
    back = provider_browser.sign_in(start.headers["Location"], login, "provider-password")
    path = back.removeprefix("http://localhost")
    assert client.get(path).status_code == 302  # signed in
    client.post("/logout")
    replayed = client.get(path)
    assert replayed.status_code == 400
    assert "invalid_request" in replayed.get_data(as_text=True)
    assert "state missing or used before" in caplog.text
    assert client.get("/home").status_code == 302


def test_a_callback_without_a_started_sign_in_is_refused(app, client, oidc):
    response = client.get("/auth/oidc/city/callback?code=abc&state=forged")
    assert response.status_code == 400
    assert client.get("/home").status_code == 302


def test_a_sign_in_cancelled_at_the_provider_says_so(app, client, oidc):
    response = client.get("/auth/oidc/city/callback?error=access_denied&state=x")
    assert response.status_code == 403
    assert "cancelled" in response.get_data(as_text=True)


def test_an_answer_naming_another_issuer_is_refused(app, client, oidc, caplog):
    response = client.get("/auth/oidc/city/callback?code=a&state=b&iss=https%3A%2F%2Fevil.example")
    assert response.status_code == 400
    assert "iss 'https://evil.example'" in caplog.text


def test_an_unknown_provider_is_404(app, client, oidc):
    assert client.get("/auth/oidc/nosuch/login").status_code == 404
