"""One way to export a table: the same columns and rows the page shows, as CSV or XLSX.

    table = Table(columns=[Column("name", _("Name")), Column("hours", _("Hours"), "number")],
                  rows=[{"name": "Aino", "hours": 12.5}], title=_("Development hours"))
    return export_response(table, "hours-2025", fmt)   # fmt: "csv" or "xlsx"

CSV uses a semicolon and a byte-order mark, which Finnish spreadsheet programs open correctly;
numbers are written with a decimal point. XLSX keeps numbers and dates as such.
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
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # str or a lazy translation
    kind: str = "text"  # text | number | date | datetime | percent


@dataclass
class Table:
    columns: Sequence[Column]
    rows: Iterable[Mapping[str, Any] | Sequence[Any]]
    title: Any = ""
    notes: list[str] = field(default_factory=list)

    def values(self) -> Iterable[list[Any]]:
        keys = [c.key for c in self.columns]
        for row in self.rows:
            if isinstance(row, Mapping):
                yield [row.get(k) for k in keys]
            else:
                yield list(row)


def _plain(value: Any, kind: str) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(HELSINKI).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "label") and not isinstance(value, str | int | float):
        return str(value.label)
    if value is not None and kind == "text" and not isinstance(value, str | int | float | date):
        return str(value)
    return value


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(c.label) for c in table.columns])
    for values in table.values():
        out = []
        for column, value in zip(table.columns, values, strict=False):
            value = _plain(value, column.kind)
            if isinstance(value, datetime):
                value = value.strftime("%Y-%m-%d %H:%M")
            elif isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, float):
                value = f"{value:.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"
            out.append("" if value is None else value)
        writer.writerow(out)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = (str(table.title) or "Data")[:31].replace("/", "-")
    sheet.append([str(c.label) for c in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(str(c.label)) for c in table.columns]
    for values in table.values():
        row = [_plain(v, c.kind) for c, v in zip(table.columns, values, strict=False)]
        sheet.append(row)
        for i, value in enumerate(row):
            widths[i] = min(60, max(widths[i], len(str(value)) if value is not None else 0))
    for i, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = widths[i - 1] + 2
        number_format = {
            "number": "0.0#",
            "percent": "0.0",
            "date": "d.m.yyyy",
            "datetime": "d.m.yyyy h:mm",
        }.get(column.kind)
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_response(table: Table, filename: str, fmt: str) -> Response:
    """A download of `table`; `fmt` must be one of FORMATS (validate it at the edge)."""
    if fmt == "xlsx":
        body, mimetype = to_xlsx(table), XLSX_MIMETYPE
    else:
        body, mimetype = to_csv(table), "text/csv; charset=utf-8"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
