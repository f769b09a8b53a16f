"""One way to export a table: the same columns and rows the page shows, as CSV or XLSX.

    table = Table(columns=[Column("name", _("Name")), Column("hours", _("Hours"), "number")],
                  rows=[{"name": "Aino", "hours": 12.5}], title=_("Development hours"))
    return export_response(table, "hours-2025", fmt)   # fmt: "csv" or "xlsx"

or, for a header and rows of values: `Table.of(header, rows, title)`.

CSV: UTF-8 with a byte-order mark and semicolons, which is what Excel in Finland and Sweden
opens correctly; numbers with a decimal point. XLSX keeps numbers and dates as such. In both, a
text cell that a spreadsheet would read as a formula (=, +, -, @) is neutralised with a leading
apostrophe (CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from pdservice.clock import HELSINKI

FORMATS = ("csv", "xlsx")
CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@")


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # str or a lazy translation
    kind: str = "text"  # text | number | percent (dates and datetimes are recognised by value)


@dataclass
class Table:
    columns: Sequence[Column]
    rows: Iterable[Mapping[str, Any] | Sequence[Any]]
    title: Any = ""
    notes: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, header: Sequence[Any], rows: Iterable[Sequence[Any]], title: Any = "") -> Table:
        """A table from a header row and rows of values in the same order."""
        return cls([Column(str(i), label) for i, label in enumerate(header)], rows, title)

    def values(self) -> Iterable[list[Any]]:
        keys = [c.key for c in self.columns]
        for row in self.rows:
            if isinstance(row, Mapping):
                yield [row.get(k) for k in keys]
            else:
                yield list(row)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _safe_text(text: str) -> str:
    if text[:1] in FORMULA_STARTS and not _is_number(text):
        return "'" + text
    return text


def _plain(value: Any) -> Any:
    """A value as a spreadsheet cell takes it: numbers, dates, local naive datetimes, text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime):
        return value.astimezone(HELSINKI).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "label") and not isinstance(value, str):
        return _safe_text(str(value.label))
    return _safe_text(str(value))


def _csv_cell(value: Any) -> Any:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{Decimal(str(value)).normalize():f}"
    return value


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(c.label) for c in table.columns])
    for values in table.values():
        writer.writerow([_csv_cell(v) for v in values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = (str(table.title) or "Data")[:31].replace("/", "-")
    sheet.append([str(c.label) for c in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(str(c.label)) for c in table.columns]
    formats = [{"number": "0.0#", "percent": "0.0"}.get(c.kind) for c in table.columns]
    for values in table.values():
        row = [_plain(v) for v in values]
        sheet.append(row)
        for i, value in enumerate(row):
            widths[i] = min(60, max(widths[i], len(str(value)) if value is not None else 0))
            cell = sheet.cell(row=sheet.max_row, column=i + 1)
            if isinstance(value, datetime):
                cell.number_format = "d.m.yyyy h:mm"
            elif isinstance(value, date):
                cell.number_format = "d.m.yyyy"
            elif formats[i] and isinstance(value, int | float):
                cell.number_format = formats[i]
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width + 2
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_response(table: Table, filename: str, fmt: str) -> Response:
    """A download of `table` as `filename.fmt`; `fmt` is one of FORMATS (validate it at the
    edge)."""
    if fmt == "xlsx":
        body, mimetype = to_xlsx(table), XLSX_MIMETYPE
    else:
        body, mimetype = to_csv(table), CSV_MIMETYPE
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response
