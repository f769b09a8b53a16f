"""Languages: Finnish (default), Swedish and English.

Source strings are written in English and pass through gettext. The whole application has ONE
catalogue, `pdservice/translations/` (`fi/` and `sv/`): one English string has one translation
in each language wherever it appears, so two features can never translate it two ways. Where
one English word truly needs two translations (a school "Subject" and a mail's "Subject"), the
call gives a context: `pgettext("email", "Subject")`. `flask i18n extract|compile|check` manage
the catalogue (docs/DEVELOPING.md, "Strings and languages").
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

PACKAGE_ROOT = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_ROOT.parent
TEMPLATES_ROOT = PROJECT_ROOT / "templates"
CATALOGUE = PACKAGE_ROOT / "translations"
TRANSLATED_LANGUAGES = ("fi", "sv")  # English is the source language.


def select_locale() -> str:
    """The user's preferred language; else the language chosen with the switcher; else the
    browser's; else the default. Outside a request (jobs, commands) the default, unless the
    caller chose one with `force_locale`."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated:
        preferred = str(current_user.preferred_language)
        if preferred in languages:
            return preferred
    chosen = session.get("language")
    if chosen in languages:
        return chosen
    best = request.accept_languages.best_match(languages)
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else "fi"


def source_files() -> list[Path]:
    """Every file whose strings the catalogue translates: the package's Python modules and
    the templates (HTML pages, plain-text mails)."""
    files = list(PACKAGE_ROOT.rglob("*.py"))
    for pattern in ("*.html", "*.txt"):
        files += TEMPLATES_ROOT.rglob(pattern)
    return sorted(files)


def init_app(app: Flask) -> None:
    from pdservice.extensions import babel

    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(CATALOGUE),
    )

    @app.context_processor
    def _language_context() -> dict:
        return {"current_language": current_language, "languages": app.config["LANGUAGES"]}
