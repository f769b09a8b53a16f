"""Finnish by default, Swedish and English on request, every string translated."""

import pytest

from pdservice.i18n_tools import check


def test_every_string_has_finnish_and_swedish_translations():
    problems = check()
    assert not problems, "\n".join(problems[:30])


def test_finnish_is_the_default_for_visitors(app):
    page = app.test_client().get("/login").get_data(as_text=True)
    assert '<html lang="fi">' in page
    assert "Kirjaudu sisään" in page


@pytest.mark.parametrize(
    "header, lang, text",
    [
        ("sv-FI,sv;q=0.9", "sv", "Logga in"),
        ("en-GB,en;q=0.8", "en", "Sign in"),
        ("de-DE", "fi", "Kirjaudu sisään"),
    ],
)
def test_browser_language_is_honoured(app, header, lang, text):
    page = (
        app.test_client().get("/login", headers={"Accept-Language": header}).get_data(as_text=True)
    )
    assert f'<html lang="{lang}">' in page and text in page


def test_switcher_for_visitors_is_kept_in_the_session(app):
    client = app.test_client()
    response = client.post("/language", data={"language": "sv", "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert "Logga in" in client.get("/login").get_data(as_text=True)


def test_switcher_refuses_unknown_languages(client):
    assert client.post("/language", data={"language": "de"}).status_code == 400


def test_switcher_does_not_redirect_off_site(client):
    response = client.post("/language", data={"language": "en", "next": "https://evil.example"})
    assert response.headers["Location"] == "/"


def test_signed_in_user_sees_their_preferred_language(client, make_user, login):
    login(make_user(preferred_language="sv"))
    page = client.get("/home").get_data(as_text=True)
    assert '<html lang="sv">' in page and "Välkommen" in page


def test_switching_while_signed_in_saves_the_preference(client, make_user, login, app):
    from pdservice.core.models import User
    from pdservice.extensions import db

    user = make_user(preferred_language="fi")
    login(user)
    client.post("/language", data={"language": "en", "next": "/home"})
    assert "Welcome" in client.get("/home").get_data(as_text=True)
    with app.app_context():
        assert str(db.session.get(User, user.id).preferred_language) == "en"


def test_enum_labels_are_translated(client, world, login):
    login(world.principal)
    client.post("/language", data={"language": "fi"})
    page = client.get(f"/units/{world.unit_a.id}").get_data(as_text=True)
    assert "Luokanopettaja" in page and "Rehtori" in page


def test_translations_work_outside_a_request(app):
    """Jobs and commands translate in the default language, or in one they force."""
    from flask_babel import force_locale
    from flask_babel import gettext as _

    with app.app_context():
        assert _("Sign in") == "Kirjaudu sisään"
        with force_locale("sv"):
            assert _("Sign in") == "Logga in"
