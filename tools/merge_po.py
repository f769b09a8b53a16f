"""Resolve a merge conflict in the catalogue: keep every translation from both sides.

    python tools/merge_po.py pdservice/translations/fi/LC_MESSAGES/messages.po   (during a merge)
    .venv/bin/flask --app pdservice i18n extract && git add pdservice/translations

Reads "ours" (stage 2) and "theirs" (stage 3) from git and writes the union. Where both sides
translate one string differently, ours is kept and the difference printed: decide, then edit.
`flask i18n extract` then brings the file in line with the merged sources.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

from pdservice.i18n_tools import describe, is_translated, write_catalogue  # noqa: E402


def stage(path: str, n: int) -> Catalog | None:
    shown = subprocess.run(["git", "show", f":{n}:{path}"], capture_output=True)
    return read_po(io.BytesIO(shown.stdout)) if shown.returncode == 0 else None


def main(path: str) -> int:
    ours, theirs = stage(path, 2), stage(path, 3)
    if ours is None or theirs is None:
        print(
            f"{path}: one side deleted it; fold a deleted catalogue's translations into the one "
            "with tools/fill_translations.py",
            file=sys.stderr,
        )
        return 1
    differences = 0
    for message in theirs:
        if not message.id:
            continue
        mine = ours.get(message.id, context=message.context)
        if mine is None:
            ours[message.id] = message
        elif not is_translated(mine) and is_translated(message):
            mine.string = message.string
            mine.flags.discard("fuzzy")
        elif is_translated(message) and mine.string != message.string:
            differences += 1
            print(
                f"{path}: {describe(message.id, message.context)}: kept {mine.string!r}, "
                f"theirs {message.string!r}",
                file=sys.stderr,
            )
    write_catalogue(ours, str(ours.locale), Path(path))
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(max((main(p) for p in sys.argv[1:]), default=0))
