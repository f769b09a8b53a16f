"""Languages: Finnish (default), Swedish and English.

Source strings are written in English and pass through gettext. Each feature package that has
its own strings keeps its own catalogue in `pdservice/<feature>/translations/`; the core
catalogue is `pdservice/translations/`. Flask-Babel merges them at run time, so features can be
translated independently. `flask i18n extract|compile|check` manage them (see the README).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

PACKAGE_ROOT = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_ROOT.parent
TEMPLATES_ROOT = PROJECT_ROOT / "templates"
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


def catalogue_dirs() -> list[Path]:
    """Every translations directory: the core one first, then each feature's."""
    dirs = [PACKAGE_ROOT / "translations"]
    dirs += sorted(
        p / "translations" for p in PACKAGE_ROOT.iterdir() if (p / "translations").is_dir()
    )
    return dirs


def catalogue_sources(catalogue: Path) -> list[Path]:
    """The source files whose strings belong to a catalogue.

    A feature catalogue covers its package and `templates/<feature>/`. The core catalogue
    covers everything else: top-level modules, packages without a catalogue of their own and
    the templates outside feature folders.
    """
    feature_names = {d.parent.name for d in catalogue_dirs()[1:]}
    if catalogue.parent != PACKAGE_ROOT:
        name = catalogue.parent.name
        files = sorted(catalogue.parent.rglob("*.py"))
        files += (
            sorted((TEMPLATES_ROOT / name).rglob("*.html"))
            if (TEMPLATES_ROOT / name).is_dir()
            else []
        )
        files += (
            sorted((TEMPLATES_ROOT / name).rglob("*.txt"))
            if (TEMPLATES_ROOT / name).is_dir()
            else []
        )
        return files
    files = [
        p
        for p in PACKAGE_ROOT.rglob("*.py")
        if p.relative_to(PACKAGE_ROOT).parts[0] not in feature_names
    ]
    for pattern in ("*.html", "*.txt"):
        files += [
            p
            for p in TEMPLATES_ROOT.rglob(pattern)
            if len(p.relative_to(TEMPLATES_ROOT).parts) == 1
            or p.relative_to(TEMPLATES_ROOT).parts[0] not in feature_names
        ]
    return sorted(files)


def init_app(app: Flask) -> None:
    from pdservice.extensions import babel

    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=";".join(str(d) for d in catalogue_dirs()),
    )

    @app.context_processor
    def _language_context() -> dict:
        return {"current_language": current_language, "languages": app.config["LANGUAGES"]}
