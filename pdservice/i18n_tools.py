"""The translation catalogue: extract, compile and check it (`flask i18n ...`).

The application has one catalogue, `pdservice/translations/<language>/LC_MESSAGES/messages.po`,
so one English string (with its context, if any) has one translation per language. The files
are written to merge well while many people add strings at once: entries sorted by msgid (then
context), each location a file name on a line of its own (no line numbers), and a header without
dates. Extracting twice, or on two branches with the same sources, writes the same bytes; two
people adding different strings touch different lines.
"""

from __future__ import annotations

import io
import os
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileParser, read_po, write_po

from pdservice.i18n import (
    CATALOGUE,
    PACKAGE_ROOT,
    PROJECT_ROOT,
    TRANSLATED_LANGUAGES,
    source_files,
)

KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "lazy_ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "lazy_pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}
JINJA_OPTIONS = {"extensions": "jinja2.ext.do,jinja2.ext.loopcontrols", "trimmed": "true"}
WIDTH = 100
LANGUAGE_NAMES = {"fi": "Finnish", "sv": "Swedish"}


# -- Reading and writing ------------------------------------------------------------------------


def po_path(language: str, catalogue: Path = CATALOGUE) -> Path:
    return catalogue / language / "LC_MESSAGES" / "messages.po"


def load_po(path: Path, language: str) -> Catalog:
    if not path.exists():
        return Catalog(locale=language, project="pdservice")
    with path.open("rb") as fh:
        return read_po(fh, locale=language)


def render_po(po: Catalog, language: str) -> bytes:
    """The .po file's bytes in the one canonical form (see the module's docstring)."""
    buf = io.BytesIO()
    write_po(
        buf,
        po,
        width=WIDTH,
        omit_header=True,
        sort_output=True,
        ignore_obsolete=True,
        include_lineno=False,
    )
    return _header(language) + _one_location_per_line(buf.getvalue().decode("utf-8")).encode()


def write_catalogue(po: Catalog, language: str, path: Path | None = None) -> None:
    path = path or po_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_po(po, language))


def _header(language: str) -> bytes:
    plural_forms = Catalog(locale=Locale.parse(language)).plural_forms
    return (
        f"# {LANGUAGE_NAMES[language]} translations of pdservice: the one catalogue of the whole\n"
        "# application. `flask i18n extract` writes this file; docs/DEVELOPING.md\n"
        "# (Strings and languages) says how to add and translate strings.\n"
        'msgid ""\n'
        'msgstr ""\n'
        f'"Language: {language}\\n"\n'
        '"MIME-Version: 1.0\\n"\n'
        '"Content-Type: text/plain; charset=utf-8\\n"\n'
        '"Content-Transfer-Encoding: 8bit\\n"\n'
        f'"Plural-Forms: {plural_forms}\\n"\n'
        "\n"
    ).encode()


def _one_location_per_line(text: str) -> str:
    """Babel wraps an entry's file names into as few `#:` lines as fit; one sorted name a line
    means that a string used in one more file adds one line instead of re-wrapping several."""
    out: list[str] = []
    pending: list[str] = []
    for line in text.splitlines(keepends=True):
        if line.startswith("#: "):
            pending += line[3:].split()
            continue
        if pending:
            out += [f"#: {name}\n" for name in sorted(set(pending))]
            pending = []
        out.append(line)
    return "".join(out)


# -- Extracting ---------------------------------------------------------------------------------


def extract(files: Iterable[Path] | None = None) -> Catalog:
    """Every translatable string in the sources (by default the whole application's)."""
    template = Catalog(project="pdservice", fuzzy=False)
    for path in source_files() if files is None else files:
        method = "python" if path.suffix == ".py" else "jinja2.ext:babel_extract"
        options = {} if method == "python" else JINJA_OPTIONS
        try:
            where = str(path.relative_to(PROJECT_ROOT))
        except ValueError:
            where = str(path)
        for _lineno, message, comments, context in extract_from_file(
            method, str(path), keywords=KEYWORDS, options=options, strip_comment_tags=True
        ):
            template.add(message, None, [(where, None)], auto_comments=comments, context=context)
    return template


def updated(po: Catalog, template: Catalog) -> Catalog:
    """The catalogue brought in line with the sources: new strings added untranslated, strings
    no longer used dropped, translations kept."""
    po.update(template, no_fuzzy_matching=True)
    po.obsolete.clear()
    return po


def update() -> dict[str, int]:
    """Rewrite each language's .po from the sources; returns the untranslated counts."""
    template = extract()
    missing = {}
    for language in TRANSLATED_LANGUAGES:
        po = updated(load_po(po_path(language), language), template)
        write_catalogue(po, language)
        missing[language] = sum(1 for m in po if m.id and not is_translated(m))
    return missing


def compile_all() -> int:
    """Write a .mo beside each language's .po. Returns the number compiled."""
    count = 0
    for language in TRANSLATED_LANGUAGES:
        path = po_path(language)
        if not path.exists():
            continue
        buf = io.BytesIO()
        write_mo(buf, load_po(path, language), use_fuzzy=False)
        # Written aside and renamed, so a reader never sees half a file.
        target = path.with_suffix(".mo")
        tmp = target.with_suffix(f".mo.{os.getpid()}")
        tmp.write_bytes(buf.getvalue())
        os.replace(tmp, target)
        count += 1
    return count


def is_translated(message: Message) -> bool:
    if message.fuzzy:
        return False
    if isinstance(message.string, tuple | list):
        return all(message.string)
    return bool(message.string)


def describe(msgid, context: str | None) -> str:
    text = repr(msgid[0] if isinstance(msgid, tuple | list) else msgid)
    return f"{text} (context {context!r})" if context else text


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


# -- Checking -----------------------------------------------------------------------------------


def missing_translations(template: Catalog, po: Catalog, language: str) -> list[str]:
    """Strings of the sources that the language's catalogue lacks or leaves untranslated."""
    problems = []
    for message in template:
        if not message.id:
            continue
        found = po.get(message.id, context=message.context)
        if found is None or not is_translated(found):
            where = message.locations[0][0] if message.locations else "?"
            problems.append(
                f"{language}: {describe(message.id, message.context)} ({where}) is not translated"
            )
    return problems


class _EveryEntry(Catalog):
    """A catalogue that also remembers each entry as written, duplicates included (Babel keeps
    the first of two entries with one msgid and context, and says nothing)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.entries: list[Message] = []

    def __setitem__(self, id, message: Message) -> None:
        if id:
            self.entries.append(message)
        super().__setitem__(id, message)


def _entries(path: Path, language: str) -> list[Message]:
    catalog = _EveryEntry(locale=language)
    with path.open("rb") as fh:
        PoFileParser(catalog, ignore_obsolete=True).parse(fh)
    return catalog.entries


def _language_of(path: Path) -> str:
    # <catalogue>/<language>/LC_MESSAGES/messages.po
    return path.parent.parent.name


def collisions(paths: Iterable[Path]) -> list[str]:
    """Every msgid (with its context) translated more than one way in one language, across the
    given .po files, and every msgid with two entries in one file (Flask-Babel would show one
    of the translations everywhere, whichever it read last; Babel keeps the first entry)."""
    seen: dict[tuple, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    problems = []
    for path in paths:
        language = _language_of(path)
        counts: dict[tuple, int] = defaultdict(int)
        for message in _entries(path, language):
            key = (language, message.context, message.id)
            counts[key] += 1
            if is_translated(message):
                seen[key][repr(message.string)].add(_relative(path))
        problems += [
            f"{_relative(path)}: {describe(key[2], key[1])} has {n} entries"
            for key, n in sorted(counts.items(), key=repr)
            if n > 1
        ]
    for (language, context, msgid), translations in sorted(seen.items(), key=repr):
        if len(translations) > 1:
            ways = "; ".join(
                f"{string} in {', '.join(sorted(files))}"
                for string, files in sorted(translations.items())
            )
            problems.append(
                f"{language}: {describe(msgid, context)} is translated {len(translations)} ways "
                f"({ways}). Keep one, or give each use its own context (pgettext)."
            )
    return problems


def stray_catalogues() -> list[Path]:
    """.po files in the package outside the one catalogue: the application does not load them."""
    return sorted(p for p in PACKAGE_ROOT.rglob("*.po") if not p.is_relative_to(CATALOGUE))


def format_errors(po: Catalog, language: str) -> list[str]:
    """Translations whose placeholders differ from the English (they would fail when shown)."""
    return [
        f"{language}: {describe(message.id, message.context)}: {error}"
        for message, errors in po.check()
        for error in errors
    ]


def out_of_date(template: Catalog, language: str) -> list[str]:
    """The .po differs from what `flask i18n extract` writes (stale entries or locations, or not
    in the sorted form that keeps merges clean)."""
    path = po_path(language)
    if not path.exists():
        return [f"{_relative(path)} is missing: run `flask i18n extract`"]
    expected = render_po(updated(load_po(path, language), template), language)
    if path.read_bytes() != expected:
        return [f"{_relative(path)} is not as `flask i18n extract` writes it: run it"]
    return []


def check() -> list[str]:
    """Every problem of the catalogue: strays, collisions, missing translations, broken
    placeholders, and a file that `flask i18n extract` would change."""
    problems = [
        f"{_relative(p)}: a second catalogue, which the application does not load. Fold its "
        f"translations into the one with `python tools/fill_translations.py {_relative(p)}`, "
        "then delete it."
        for p in stray_catalogues()
    ]
    own = [po_path(language) for language in TRANSLATED_LANGUAGES if po_path(language).exists()]
    problems += collisions(own + stray_catalogues())
    template = extract()
    for language in TRANSLATED_LANGUAGES:
        po = load_po(po_path(language), language)
        problems += missing_translations(template, po, language)
        problems += format_errors(po, language)
        problems += out_of_date(template, language)
    return problems


if __name__ == "__main__":  # `python -m pdservice.i18n_tools compile`, used by the Makefile
    import sys

    if sys.argv[1:] == ["compile"]:
        print(f"compiled {compile_all()} catalogues")
    else:
        print("usage: python -m pdservice.i18n_tools compile", file=sys.stderr)
        sys.exit(2)
