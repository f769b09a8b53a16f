"""Structured explanations: a stable machine code, the ids and numbers it refers to, a sentence.

The app translates explanations itself (Finnish, Swedish, English), so it keys on `code` and
`data`; `message` is the English sentence for logs, the command line and English users. Every
code is listed in `scheduler/README.md`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    data: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "data": dict(self.data)}


def join_ids(ids: list[str] | tuple[str, ...]) -> str:
    """Readable list of ids for sentences: 'A', 'A and B', 'A, B and C'."""
    ids = list(ids)
    if len(ids) <= 1:
        return "".join(ids)
    return f"{', '.join(ids[:-1])} and {ids[-1]}"
