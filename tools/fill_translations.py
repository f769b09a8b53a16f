"""Fill Finnish and Swedish translations into the catalogue (`pdservice/translations/`).

    python tools/fill_translations.py --missing > new.json   # what is untranslated, to fill in
    python tools/fill_translations.py new.json               # write the translations in
    python tools/fill_translations.py some/fi/LC_MESSAGES/messages.po   # fold in another .po

Run `flask i18n extract` first, so the .po files hold every string of the sources. The JSON is
a list of entries,

    [{"msgid": "Subject", "context": "email", "fi": "Aihe", "sv": "Ämne"},
     {"msgid": "%(n)d hour", "msgid_plural": "%(n)d hours",
      "fi": ["%(n)d tunti", "%(n)d tuntia"], "sv": ["%(n)d timme", "%(n)d timmar"]}]

("context" only for a `pgettext` string; a plural gives each language its list of forms), or
the short form {"English": {"fi": "...", "sv": "..."}} for strings without a context. A JSON's
translation replaces the catalogue's. A .po file (a catalogue of another branch, say) fills only
what the catalogue leaves untranslated; where both translate a string differently, the
catalogue's is kept and the difference printed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from babel.messages.catalog import Catalog, Message  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

from pdservice.i18n import TRANSLATED_LANGUAGES  # noqa: E402
from pdservice.i18n_tools import (  # noqa: E402
    describe,
    is_translated,
    load_po,
    po_path,
    write_catalogue,
)


def load_catalogues() -> dict[str, Catalog]:
    return {language: load_po(po_path(language), language) for language in TRANSLATED_LANGUAGES}


def singular(msgid) -> str:
    return msgid[0] if isinstance(msgid, tuple | list) else msgid


def missing_entries(catalogues: dict[str, Catalog]) -> list[dict]:
    """Every string some language leaves untranslated, as JSON entries to fill in."""
    entries: dict[tuple, dict] = {}
    for language, po in catalogues.items():
        for message in po:
            if not message.id or is_translated(message):
                continue
            key = (message.context or "", singular(message.id))
            if key in entries:
                continue
            entry: dict = {"msgid": singular(message.id)}
            if message.context:
                entry["context"] = message.context
            if message.pluralizable:
                entry["msgid_plural"] = message.id[1]
            for other, other_po in catalogues.items():
                found = other_po.get(message.id, context=message.context)
                if found is not None and is_translated(found) and other != language:
                    entry[other] = _json_string(found.string)
                elif message.pluralizable:
                    entry[other] = [""] * other_po.num_plurals
                else:
                    entry[other] = ""
            entries[key] = entry
    return [entries[key] for key in sorted(entries)]


def _json_string(string):
    return list(string) if isinstance(string, tuple | list) else string


def parse_mapping(data) -> list[dict]:
    if isinstance(data, dict):
        return [{"msgid": msgid, **translations} for msgid, translations in data.items()]
    return list(data)


def fill_from_json(catalogues: dict[str, Catalog], entries: list[dict]) -> list[str]:
    """Write each entry's translations; returns complaints (unknown strings, wrong forms)."""
    complaints = []
    for entry in entries:
        context = entry.get("context") or None
        for language, po in catalogues.items():
            if language not in entry:
                continue
            message = po.get(entry["msgid"], context=context)
            if message is None:
                complaints.append(
                    f"not in the catalogue: {describe(entry['msgid'], context)} "
                    "(run `flask i18n extract` first)"
                )
                break
            string = entry[language]
            if message.pluralizable != isinstance(string, list):
                complaints.append(
                    f"{language}: {describe(entry['msgid'], context)} needs "
                    + ("a list of plural forms" if message.pluralizable else "one string")
                )
                continue
            if not string or (isinstance(string, list) and not all(string)):
                continue  # left empty in the JSON: nothing to write
            message.string = tuple(string) if isinstance(string, list) else string
            message.flags.discard("fuzzy")
    return complaints


def fill_from_po(catalogues: dict[str, Catalog], path: Path) -> list[str]:
    """Take another .po file's translations where the catalogue has none."""
    with path.open("rb") as fh:
        other = read_po(fh)
    language = str(other.locale) if other.locale else path.parent.parent.name
    if language not in catalogues:
        return [f"{path}: language {language!r} is not one of {sorted(catalogues)}"]
    po = catalogues[language]
    complaints = []
    for theirs in other:
        if not theirs.id or not is_translated(theirs):
            continue
        ours: Message | None = po.get(theirs.id, context=theirs.context)
        if ours is None:
            continue  # no longer in the sources
        if not is_translated(ours):
            ours.string = theirs.string
            ours.flags.discard("fuzzy")
        elif ours.string != theirs.string:
            complaints.append(
                f"{language}: {describe(theirs.id, theirs.context)}: kept {ours.string!r}, "
                f"{path} says {theirs.string!r}"
            )
    return complaints


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="JSON or .po files to fill from")
    parser.add_argument(
        "--missing", action="store_true", help="print the untranslated strings as JSON"
    )
    args = parser.parse_args(argv)
    catalogues = load_catalogues()
    if args.missing:
        json.dump(missing_entries(catalogues), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    if not args.files:
        parser.error("give JSON or .po files, or --missing")
    complaints = []
    for path in args.files:
        if path.suffix == ".po":
            complaints += fill_from_po(catalogues, path)
        else:
            data = json.loads(path.read_text(encoding="utf-8"))
            complaints += fill_from_json(catalogues, parse_mapping(data))
    for language, po in catalogues.items():
        write_catalogue(po, language)
        left = sum(1 for m in po if m.id and not is_translated(m))
        print(f"{language}: {left} strings left untranslated")
    for complaint in complaints:
        print(complaint, file=sys.stderr)
    return 1 if complaints else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
