"""Finnish by default, Swedish and English on request, every string translated, and once."""

import pytest
from babel.messages.catalog import Catalog
from flask import render_template_string
from flask_babel import force_locale, gettext, pgettext

from pdservice.i18n import CATALOGUE, TRANSLATED_LANGUAGES
from pdservice.i18n_tools import (
    collisions,
    extract,
    format_errors,
    load_po,
    missing_translations,
    out_of_date,
    po_path,
    render_po,
    stray_catalogues,
)

# -- The catalogue ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template():
    return extract()


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_every_string_has_a_translation(template, language):
    po = load_po(po_path(language), language)
    problems = missing_translations(template, po, language)
    assert not problems, "\n".join(problems[:30])


def test_the_application_has_one_catalogue(app):
    assert not stray_catalogues(), "a second catalogue: fold it in (docs/DEVELOPING.md)"
    assert app.extensions["babel"].translation_directories == [str(CATALOGUE)]


def test_no_string_is_translated_two_ways():
    paths = [po_path(language) for language in TRANSLATED_LANGUAGES] + stray_catalogues()
    problems = collisions(paths)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_translations_keep_the_placeholders(language):
    problems = format_errors(load_po(po_path(language), language), language)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_the_catalogue_is_as_extract_writes_it(template, language):
    """Sorted, file names without line numbers, no dates: the form that merges cleanly."""
    assert not out_of_date(template, language)
    text = po_path(language).read_text(encoding="utf-8")
    assert "POT-Creation-Date" not in text
    locations = [line for line in text.splitlines() if line.startswith("#: ")]
    assert locations and all(":" not in line[3:] and " " not in line[3:] for line in locations)


# -- The checks fail when they should -----------------------------------------------------------


def test_a_string_nobody_translated_is_reported(tmp_path):
    source = tmp_path / "feature.py"
    source.write_text(
        "from flask_babel import gettext as _, pgettext\n"
        '_("Sign in")\n'
        '_("A sentence no translator has seen")\n'
        'pgettext("email", "Sign in")\n'
    )
    template = extract([source])
    po = load_po(po_path("fi"), "fi")
    problems = missing_translations(template, po, "fi")
    assert len(problems) == 2
    assert "'A sentence no translator has seen'" in problems[0]
    assert "'Sign in' (context 'email')" in problems[1]


def _write_po(path, language, entries):
    po = Catalog(locale=language)
    for msgid, context, string in entries:
        po.add(msgid, string, context=context)
    path.parent.mkdir(parents=True)
    path.write_bytes(render_po(po, language))
    return path


def test_a_string_translated_two_ways_is_reported(tmp_path):
    reports = _write_po(
        tmp_path / "reports/fi/LC_MESSAGES/messages.po", "fi", [("Kind", None, "Laji")]
    )
    hours = _write_po(
        tmp_path / "hours/fi/LC_MESSAGES/messages.po", "fi", [("Kind", None, "Tyyppi")]
    )
    (problem,) = collisions([reports, hours])
    assert problem.startswith("fi: 'Kind' is translated 2 ways")
    assert "'Laji'" in problem and "'Tyyppi'" in problem


def test_contexts_keep_two_translations_apart(tmp_path):
    po = _write_po(
        tmp_path / "one/fi/LC_MESSAGES/messages.po",
        "fi",
        [("Subject", None, "Oppiaine"), ("Subject", "email", "Aihe")],
    )
    assert collisions([po]) == []


def test_two_entries_of_one_string_in_one_file_are_reported(tmp_path):
    path = _write_po(tmp_path / "one/sv/LC_MESSAGES/messages.po", "sv", [("Reject", None, "Avslå")])
    path.write_text(
        path.read_text(encoding="utf-8") + '\nmsgid "Reject"\nmsgstr "Avvisa"\n', encoding="utf-8"
    )
    problems = collisions([path])
    assert any("'Reject' has 2 entries" in p for p in problems)
    assert any("'Reject' is translated 2 ways" in p for p in problems)


def test_a_broken_placeholder_is_reported(tmp_path):
    po = Catalog(locale="fi")
    po.add("%(n)d hours", "%(m)d tuntia", flags=["python-format"])
    (problem,) = format_errors(po, "fi")
    assert "'%(n)d hours'" in problem


# -- Where one English word has two meanings, each place shows its own --------------------------


@pytest.mark.parametrize(
    "language, context, msgid, plain, in_context",
    [
        ("fi", "email", "Subject", "Oppiaine", "Aihe"),
        ("fi", "sum of costs", "Cost", "Hinta", "Kustannukset"),
        ("fi", "solver run", "Progress", "Edistyminen", "Eteneminen"),
        ("fi", "noun", "Change", "Vaihda", "Muutos"),
        ("sv", "co-teaching proposal", "Reject", "Avslå", "Avvisa"),
        ("sv", "co-teaching proposal", "Reason", "Motivering", "Skäl"),
        ("sv", "message to the principal", "Note", "Anteckning", "Meddelande"),
    ],
)
def test_a_context_chooses_the_translation(app, language, context, msgid, plain, in_context):
    with app.test_request_context(), force_locale(language):
        assert gettext(msgid) == plain
        assert pgettext(context, msgid) == in_context
        page = render_template_string(
            "{{ _(msgid) }}|{{ pgettext(context, msgid) }}", msgid=msgid, context=context
        )
        assert page == f"{plain}|{in_context}"


def test_hours_and_reports_name_development_hours_alike(client, world, login):
    login(world.hr)
    client.post("/language", data={"language": "fi"})
    transcript = client.get("/hours/").get_data(as_text=True)
    assert "Kehittämistunnit" in transcript and "Kehittymisen" not in transcript


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
    with app.app_context():
        assert gettext("Sign in") == "Kirjaudu sisään"
        with force_locale("sv"):
            assert gettext("Sign in") == "Logga in"
