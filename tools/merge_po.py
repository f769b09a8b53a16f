"""Resolve a merge conflict in a .po file: keep every translation from both sides.

    python tools/merge_po.py path/to/messages.po   (during a conflicted merge)

Reads "ours" (stage 2) and "theirs" (stage 3) from git, writes the union (ours wins where both
translate the same msgid), then `flask i18n extract` brings it in line with the sources.
"""

from __future__ import annotations

import io
import subprocess
import sys

from babel.messages.pofile import read_po, write_po


def stage(path: str, n: int):
    data = subprocess.run(["git", "show", f":{n}:{path}"], capture_output=True, check=True).stdout
    return read_po(io.BytesIO(data))


def main(path: str) -> None:
    ours, theirs = stage(path, 2), stage(path, 3)
    for message in theirs:
        if not message.id:
            continue
        mine = ours.get(message.id, context=message.context)
        if mine is None:
            ours[message.id] = message
        elif not mine.string and message.string:
            mine.string = message.string
    buf = io.BytesIO()
    write_po(buf, ours, sort_output=True, width=100, include_lineno=False)
    with open(path, "wb") as fh:
        fh.write(buf.getvalue())


if __name__ == "__main__":
    for p in sys.argv[1:]:
        main(p)
