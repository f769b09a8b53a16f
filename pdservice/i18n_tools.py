"""Extract, update, compile and check the translation catalogues (`flask i18n ...`)."""

from __future__ import annotations

import io
import os
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from pdservice.i18n import PROJECT_ROOT, TRANSLATED_LANGUAGES, catalogue_dirs, catalogue_sources

KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "lazy_ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}
JINJA_OPTIONS = {"extensions": "jinja2.ext.do,jinja2.ext.loopcontrols", "trimmed": "true"}


def extract(catalogue: Path) -> Catalog:
    """Every translatable string in a catalogue's sources."""
    template = Catalog(project="pdservice", fuzzy=False)
    for path in catalogue_sources(catalogue):
        method = "python" if path.suffix == ".py" else "jinja2.ext:babel_extract"
        options = {} if method == "python" else JINJA_OPTIONS
        for lineno, message, comments, context in extract_from_file(
            method, str(path), keywords=KEYWORDS, options=options, strip_comment_tags=True
        ):
            template.add(
                message,
                None,
                [(str(path.relative_to(PROJECT_ROOT)), lineno)],
                auto_comments=comments,
                context=context,
            )
    return template


def po_path(catalogue: Path, language: str) -> Path:
    return catalogue / language / "LC_MESSAGES" / "messages.po"


def load_po(path: Path, language: str) -> Catalog:
    if not path.exists():
        return Catalog(locale=language, project="pdservice")
    with path.open("rb") as fh:
        return read_po(fh, locale=language)


def update(catalogue: Path) -> dict[str, int]:
    """Bring each language's .po in line with the sources; returns untranslated counts."""
    template = extract(catalogue)
    missing = {}
    for language in TRANSLATED_LANGUAGES:
        path = po_path(catalogue, language)
        po = load_po(path, language)
        po.update(template, no_fuzzy_matching=True)
        po.obsolete.clear()
        path.parent.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        write_po(buf, po, omit_header=False, sort_output=True, width=100, include_lineno=False)
        path.write_bytes(buf.getvalue())
        missing[language] = sum(1 for m in po if m.id and not _translated(m))
    return missing


def compile_all() -> int:
    """Write a .mo beside every .po. Returns the number compiled."""
    count = 0
    for catalogue in catalogue_dirs():
        for language in TRANSLATED_LANGUAGES:
            path = po_path(catalogue, language)
            if not path.exists():
                continue
            po = load_po(path, language)
            buf = io.BytesIO()
            write_mo(buf, po, use_fuzzy=False)
            # Written aside and renamed, so a reader never sees half a file.
            target = path.with_suffix(".mo")
            tmp = target.with_suffix(f".mo.{os.getpid()}")
            tmp.write_bytes(buf.getvalue())
            os.replace(tmp, target)
            count += 1
    return count


def _translated(message) -> bool:
    if message.fuzzy:
        return False
    if isinstance(message.string, tuple | list):
        return all(message.string)
    return bool(message.string)


def check() -> list[str]:
    """Problems: strings in the sources that a language's catalogue does not translate."""
    problems = []
    for catalogue in catalogue_dirs():
        template = extract(catalogue)
        for language in TRANSLATED_LANGUAGES:
            po = load_po(po_path(catalogue, language), language)
            for message in template:
                if not message.id:
                    continue
                found = po.get(message.id, context=message.context)
                if found is None or not _translated(found):
                    where = message.locations[0] if message.locations else ("?", 0)
                    problems.append(
                        f"{language}: {message.id!r} ({where[0]}:{where[1]}) is not translated "
                        f"in {po_path(catalogue, language).relative_to(PROJECT_ROOT)}"
                    )
    return problems


if __name__ == "__main__":  # `python -m pdservice.i18n_tools compile`, used by the Makefile
    import sys

    if sys.argv[1:] == ["compile"]:
        print(f"compiled {compile_all()} catalogues")
    else:
        print("usage: python -m pdservice.i18n_tools compile", file=sys.stderr)
        sys.exit(2)
