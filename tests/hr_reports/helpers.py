"""Reading a report page's tables and its downloads, to compare them."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

from openpyxl import load_workbook


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: str | None = None
        self._in_caption = False
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._rows, self._caption = [], ""
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None and self._rows is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables[" ".join((self._caption or "").split())] = self._rows
            self._rows = None

    def handle_data(self, data):
        if self._in_caption:
            self._caption = (self._caption or "") + data
        elif self._cell is not None:
            self._cell.append(data)


def page_tables(html: str) -> dict[str, list[list[str]]]:
    """{caption: rows of cell texts (the header row first)} of every table on a page."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def table(html: str, caption_start: str) -> list[list[str]]:
    tables = page_tables(html)
    for caption, rows in tables.items():
        if caption.startswith(caption_start):
            return rows
    raise AssertionError(f"no table {caption_start!r}; tables: {list(tables)}")


def by_first(rows: list[list[str]]) -> dict[str, list[str]]:
    return {r[0]: r[1:] for r in rows[1:]}


def xlsx_rows(body: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(body)).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def number(text: str) -> float | None:
    """A figure as the page writes it ("1,234.5", "33.3 %", "–") as a number."""
    text = text.replace(",", "").replace("%", "").strip()
    if text in ("", "–"):
        return None
    return float(re.sub(r"[^0-9.\-]", "", text))


def same_figures(screen: list[list[str]], sheet: list[list]) -> None:
    """The page's table and the XLSX sheet hold the same header, rows and figures."""
    assert screen[0] == [str(v) for v in sheet[0]]
    assert len(screen) == len(sheet), (len(screen), len(sheet))
    for shown, stored in zip(screen[1:], sheet[1:], strict=True):
        for text, value in zip(shown, stored, strict=True):
            if isinstance(value, int | float):
                assert number(text) == round(float(value), 2), (text, value, shown)
            elif value is None:
                assert text in ("", "–"), (text, shown)
            else:
                assert text == str(value), (text, value, shown)
