"""The competence scale: levels 0–4, each with a short descriptor (the same for every area)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

MIN_LEVEL = 0
MAX_LEVEL = 4
LEVELS = range(MIN_LEVEL, MAX_LEVEL + 1)


def level_descriptors() -> dict[int, object]:
    return {
        0: _l("Not yet familiar with it"),
        1: _l("Knows the basics"),
        2: _l("Applies it with support"),
        3: _l("Applies it independently"),
        4: _l("Develops it and guides others"),
    }


def level_label(level: int | None) -> str:
    """ "3 – Applies it independently"; an en dash for "not assessed"."""
    if level is None:
        return "–"
    return f"{level} – {level_descriptors()[level]}"


def level_choices(blank: object | None = None) -> list[tuple[str, str]]:
    choices = [(str(level), level_label(level)) for level in LEVELS]
    return ([("", str(blank))] if blank is not None else []) + choices
