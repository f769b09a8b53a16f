"""One import, whether from the page or from `flask timetable import`: detect the format,
read the file, replace the term's timetable."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from pdservice.core.models import Unit, User
from pdservice.csvutil import RowError
from pdservice.timetable.formats.csv_file import parse_timetable_csv
from pdservice.timetable.formats.xhstt_file import parse_xhstt
from pdservice.timetable.models import Term
from pdservice.timetable.replace import ParseResult, ReplaceReport, replace_timetable

CSV, XHSTT = "csv", "xhstt"


@dataclass
class ImportOutcome:
    format: str
    parsed: ParseResult
    report: ReplaceReport | None = None

    @property
    def ok(self) -> bool:
        return self.report is not None


def detect_format(filename: str, data: bytes) -> str:
    """XHSTT for .xml files or files that start like XML; CSV otherwise."""
    if filename.lower().endswith(".xml"):
        return XHSTT
    head = data[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
    return XHSTT if head.startswith(b"<") else CSV


def import_timetable(
    unit: Unit,
    term: Term,
    data: bytes,
    filename: str,
    *,
    solution: int = 1,
    matching: str | None = None,
    actor: User | None = None,
) -> ImportOutcome:
    """Read `data` and, if it has no errors, replace `term`'s timetable with it (flushes; the
    caller commits). `matching` corrects an XHSTT file's teacher matching
    (`formats.xhstt_file.parse_teacher_matching`). Raises `replace.TimetableLocked` when the term
    cannot change now."""
    kind = detect_format(filename, data)
    if kind == XHSTT:
        parsed = parse_xhstt(
            data,
            unit,
            solution,
            previous_map=(term.import_info or {}).get("teacher_map"),
            matching=matching,
        )
    elif matching and matching.strip():
        parsed = ParseResult(
            errors=[
                RowError(
                    1,
                    _("A teacher matching list applies to XHSTT files only."),
                    _("Teacher matching"),
                )
            ]
        )
    else:
        parsed = parse_timetable_csv(data, unit)
    outcome = ImportOutcome(kind, parsed)
    if parsed.ok:
        assert parsed.data is not None
        outcome.report = replace_timetable(
            term, parsed.data, source=kind, source_name=filename, actor=actor
        )
    return outcome
