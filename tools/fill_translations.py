"""Fill translations into a catalogue's .po files from a JSON file.

    python tools/fill_translations.py pdservice/translations translations.json

The JSON maps each English msgid to {"fi": "...", "sv": "..."}. Run `flask i18n extract`
first so the msgids exist; existing translations are overwritten by the JSON's.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def main(catalogue: str, mapping_file: str) -> int:
    mapping = json.loads(Path(mapping_file).read_text(encoding="utf-8"))
    unknown = set(mapping)
    for language in ("fi", "sv"):
        path = Path(catalogue) / language / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as fh:
            po = read_po(fh, locale=language)
        for message in po:
            if message.id in mapping and language in mapping[message.id]:
                message.string = mapping[message.id][language]
                message.flags.discard("fuzzy")
                unknown.discard(message.id)
        buf = io.BytesIO()
        write_po(buf, po, sort_output=True, width=100, include_lineno=False)
        path.write_bytes(buf.getvalue())
    for msgid in sorted(unknown):
        print(f"not in the catalogue: {msgid!r}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
