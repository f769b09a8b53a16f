"""Reading uploaded CSV files the way staff produce them.

Spreadsheets in Finland save CSV with semicolons and often with a byte-order mark or in
Windows-1252; this module accepts those, and reports problems by line number.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field


class CsvFormatError(ValueError):
    """The file is not a readable CSV at all (as opposed to a bad row)."""


@dataclass
class RowError:
    line: int
    message: str
    column: str | None = None

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass
class CsvTable:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (line, values)


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CsvFormatError("the file is not UTF-8 or Windows-1252 text")


def read_csv(data: bytes, aliases: dict[str, str] | None = None) -> CsvTable:
    """Parse CSV bytes. Header names are matched case-insensitively and through `aliases`
    (e.g. {"nimi": "name"}). Blank lines are skipped; line numbers count from the header (1)."""
    text = decode(data)
    if not text.strip():
        raise CsvFormatError("the file is empty")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        raw_header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise CsvFormatError("the file has no header row") from exc
    aliases = aliases or {}
    header = [aliases.get(h.strip().lower(), h.strip().lower()) for h in raw_header]
    table = CsvTable(header=header)
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            padded = values + [""] * (len(header) - len(values))
            row = {name: padded[i].strip() for i, name in enumerate(header)}
            if len(values) > len(header):
                row["__extra__"] = "1"
            table.rows.append((line, row))
    except csv.Error as exc:
        raise CsvFormatError(f"line {reader.line_num}: {exc}") from exc
    return table
