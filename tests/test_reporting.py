"""Exports open in the tools people use, and charts carry their text alternative."""

import csv
import io
from datetime import date
from xml.etree import ElementTree

from openpyxl import load_workbook

from pdservice.report_tools.charts import Series, bar_chart, line_chart
from pdservice.report_tools.exports import Column, Table, to_csv, to_xlsx

TABLE = Table(
    columns=[
        Column("name", "Name"),
        Column("hours", "Hours", "number"),
        Column("on", "Date", "date"),
    ],
    rows=[
        {"name": "Äijälä; Åsa", "hours": 12.5, "on": date(2025, 9, 1)},
        {"name": "Bo", "hours": 3, "on": None},
    ],
    title="Hours",
)


def test_csv_has_bom_semicolons_and_quotes():
    data = to_csv(TABLE)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows == [
        ["Name", "Hours", "Date"],
        ["Äijälä; Åsa", "12.5", "2025-09-01"],
        ["Bo", "3", ""],
    ]


def test_xlsx_keeps_numbers_and_dates():
    sheet = load_workbook(io.BytesIO(to_xlsx(TABLE))).active
    assert [c.value for c in sheet[1]] == ["Name", "Hours", "Date"]
    assert sheet["B2"].value == 12.5 and sheet["C2"].value.date() == date(2025, 9, 1)


def test_bar_chart_is_valid_svg_with_text_alternative():
    svg = str(
        bar_chart(
            "Hours by unit",
            "Bars of hours",
            ["A", "B"],
            [3, 7.5],
            unit=" h",
            target=5,
            target_label="Target",
        )
    )
    root = ElementTree.fromstring(svg)
    assert root.get("role") == "img"
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert root.find("s:title", ns).text == "Hours by unit"
    assert "7.5 h" in svg and "Target 5 h" in svg


def test_line_chart_handles_gaps_and_empty_series():
    svg = str(
        line_chart(
            "Trend",
            "Share over time",
            ["9/25", "10/25", "11/25"],
            [Series("City", [10, None, 30]), Series("Empty", [None, None, None])],
            unit=" %",
        )
    )
    ElementTree.fromstring(svg)
    assert "City 30 %" in svg


def test_formula_like_text_is_neutralised_in_both_formats():
    table = Table.of(["Name", "Note"], [["=cmd|' /C calc'!A0", "-5"], ["@SUM(1)", "+x"]])
    rows = list(csv.reader(io.StringIO(to_csv(table).decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["'=cmd|' /C calc'!A0", "-5"]  # a negative number stays a number
    assert rows[2] == ["'@SUM(1)", "'+x"]
    sheet = load_workbook(io.BytesIO(to_xlsx(table))).active
    assert sheet["A2"].value.startswith("'=") and sheet["B3"].value == "'+x"


def test_bar_chart_labels_get_the_room_they_need_and_long_ones_keep_their_text():
    ns = {"s": "http://www.w3.org/2000/svg"}
    long = "Yhteisopettajuuden suunnittelu"  # 30 characters: clipped by a fixed column before
    root = ElementTree.fromstring(str(bar_chart("T", "D", ["VESO", long], [3, 4], ident="k")))
    labels = [t for t in root.findall("s:text", ns) if t.get("text-anchor") == "end"]
    left = float(labels[0].get("x")) + 8
    assert left >= len(long) * 7.4  # the column fits the longest label
    assert "".join(labels[1].itertext()) == long
    assert root.get("aria-labelledby") == "k-t k-d"
    huge = "An extraordinarily long competence area name that cannot possibly fit " * 2
    root = ElementTree.fromstring(str(bar_chart("T", "D", [huge], [1])))
    label = next(t for t in root.findall("s:text", ns) if t.get("text-anchor") == "end")
    assert label.find("s:title", ns).text == huge  # the full text as a tooltip
    shown = label.find("s:title", ns).tail
    assert shown.endswith("…") and len(shown) < len(huge)
    assert float(label.get("x")) + 8 <= 640 * 0.45


def test_report_pages_share_one_filter_check(app, client, login, world):
    """The HR reports and the strategy dashboard refuse the same bad filters in the same
    words, and both ignore the language switch."""
    login(world.hr)
    for path in ("/reports/hours", "/strategy/"):
        unknown = client.get(path, query_string={"colour": "red"})
        assert unknown.status_code == 400
        assert "This page has no filter “colour”" in unknown.text
        twice = client.get(f"{path}?from=2026-01-01&from=2026-02-01")
        assert twice.status_code == 400 and "Give the filter “from” once" in twice.text
        backwards = client.get(path, query_string={"from": "2026-03-01", "to": "2026-02-01"})
        assert backwards.status_code == 400
        assert "ends (2026-02-01) before it starts (2026-03-01)" in backwards.text
        assert client.get(path, query_string={"lang": "sv"}).status_code == 200
