"""The dashboard's pages: scoping, filters, targets and exports that match the screen."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from pdservice.clock import today
from pdservice.core.services import school_year_bounds
from pdservice.extensions import db
from pdservice.strategy.models import IndicatorTarget

YEAR = school_year_bounds(today())[0].year


def _cells(html: str, row_header: str) -> list[str]:
    """The cells of the table row headed `row_header`, as text."""
    match = re.search(
        r"<tr>\s*<th scope=\"row\">(?:<a [^>]*>)?"
        + re.escape(row_header)
        + r"(?:</a>)?</th>(.*?)</tr>",
        html,
        re.S,
    )
    assert match, f"no row {row_header!r}"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in cells]


def _xlsx_rows(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def _shown(value) -> str:
    """A figure as the English page writes it."""
    if value is None:
        return "–"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


# --- scoping -------------------------------------------------------------------------------


def test_hr_sees_the_city_and_every_unit(login, world, indicator_city):
    client = login(world.hr)
    html = client.get("/strategy/").get_data(as_text=True)
    assert "Collaboration indicators: City of Vantaa" in html
    assert _cells(html, "Teachers who co-teach")[1] == "42.86"
    units = client.get("/strategy/units").get_data(as_text=True)
    assert "School A" in units and "School B" in units and "City of Vantaa" in units
    assert _cells(units, "School A")[0] == "60"


def test_a_principal_sees_their_own_unit_only(login, world, indicator_city):
    client = login(world.principal)
    html = client.get("/strategy/").get_data(as_text=True)
    assert "Collaboration indicators: School A" in html
    assert ">City of Vantaa<" not in html  # neither a row nor a choice
    assert _cells(html, "Teachers who co-teach")[1] == "60"
    units = client.get("/strategy/units").get_data(as_text=True)
    assert "School A" in units and "School B" not in units and ">City of Vantaa<" not in units
    detail = client.get("/strategy/indicators/cotaught_lessons").get_data(as_text=True)
    assert "School B" not in detail and ">City of Vantaa<" not in detail


@pytest.mark.parametrize(
    "path",
    [
        "/strategy/",
        "/strategy/units",
        "/strategy/indicators/coteaching_teachers",
        "/strategy/overview.csv",
        "/strategy/units.xlsx",
        "/strategy/indicators/coteaching_teachers/units.csv",
        "/strategy/indicators/coteaching_teachers/trend.xlsx",
    ],
)
def test_another_units_figures_answer_404_to_a_principal(login, world, indicator_city, path):
    principal_b = login(world.principal_b)
    assert principal_b.get(path, query_string={"unit": world.unit_a.id}).status_code == 404
    assert principal_b.get(path, query_string={"unit": "school-a"}).status_code == 404
    assert principal_b.get(path).status_code == 200  # their own unit B
    assert login(world.teacher).get(path).status_code == 403


def test_a_principal_cannot_edit_targets(login, world, indicator_city):
    client = login(world.principal)
    assert client.get("/strategy/targets").status_code == 403
    response = client.post("/strategy/targets", data={"target-coteaching_teachers-city": "50"})
    assert response.status_code == 403


# --- bad filters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, message",
    [
        ({"colour": "red"}, "This page has no filter “colour”"),
        ({"year": "next"}, "Unknown school year"),
        ({"year": "1999"}, "Unknown school year"),
        ({"unit": "no-such-school"}, "Unknown unit"),
        ({"unit": "987654"}, "Unknown unit"),
        ({"from": "2025-02-30"}, "The filter “from” must be a date"),
        ({"to": "yesterday"}, "The filter “to” must be a date"),
        ({"from": "2026-03-01", "to": "2026-02-01"}, "before it starts"),
        ({"from": "2000-01-01", "to": "2026-02-01"}, "at most five years"),
    ],
)
def test_bad_filters_answer_400_with_a_clear_message(login, world, indicator_city, query, message):
    client = login(world.hr)
    for path in ("/strategy/", "/strategy/units.csv", "/strategy/indicators/cotaught_lessons"):
        response = client.get(path, query_string=query)
        assert response.status_code == 400, path
        assert message in response.get_data(as_text=True)
    api = client.get("/strategy/", query_string=query, headers={"Accept": "application/json"})
    assert api.status_code == 400 and message in api.get_json()["message"]


def test_unknown_indicator_or_format_is_404(login, world):
    client = login(world.hr)
    assert client.get("/strategy/indicators/happiness").status_code == 404
    assert client.get("/strategy/overview.pdf").status_code == 404
    assert client.get("/strategy/indicators/cotaught_lessons/other.csv").status_code == 404


# --- targets -------------------------------------------------------------------------------


def _targets(app) -> dict:
    with app.app_context():
        return {
            (t.indicator, t.unit_id): t.value
            for t in db.session.scalars(sa.select(IndicatorTarget))
        }


def test_leadership_sets_targets_for_the_city_and_a_unit(app, login, world, indicator_city):
    client = login(world.hr)
    a = world.unit_a.id
    response = client.post(
        "/strategy/targets",
        data={
            "target-coteaching_teachers-city": "75",
            f"target-coteaching_teachers-{a}": "80,5",
            "target-cotaught_lessons-city": "40",
            "target-cotaught_lessons_per_teacher-city": "",
        },
    )
    assert response.status_code == 302
    assert _targets(app) == {
        ("coteaching_teachers", None): 75.0,
        ("coteaching_teachers", a): 80.5,
        ("cotaught_lessons", None): 40.0,
    }
    # Changing one and clearing another.
    client.post(
        "/strategy/targets",
        data={"target-coteaching_teachers-city": "70", "target-cotaught_lessons-city": ""},
    )
    assert _targets(app) == {("coteaching_teachers", None): 70.0, ("coteaching_teachers", a): 80.5}
    html = client.get("/strategy/").get_data(as_text=True)
    assert _cells(html, "Teachers who co-teach")[4] == "70"  # the target column
    unit_page = client.get("/strategy/", query_string={"unit": a}).get_data(as_text=True)
    assert _cells(unit_page, "Teachers who co-teach")[4] == "80.5"
    with app.app_context():
        from pdservice.core.models import AuditLog

        actions = db.session.scalars(
            sa.select(AuditLog.action).where(AuditLog.entity_type == "IndicatorTarget")
        ).all()
    assert actions.count("indicator_target.set") == 4
    assert actions.count("indicator_target.cleared") == 1


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("target-coteaching_teachers-city", "150", "between 0 and 100"),
        ("target-support_groups_coteaching-city", "-1", "between 0 and 100"),
        ("target-cotaught_lessons-city", "-3", "cannot be negative"),
        ("target-cotaught_lessons-city", "lots", "Type a number"),
        ("target-cotaught_lessons-city", "nan", "Type a number"),
    ],
)
def test_bad_targets_answer_422_and_save_nothing(
    app, login, world, indicator_city, field, value, message
):
    client = login(world.admin)
    response = client.post(
        "/strategy/targets", data={field: value, "target-teams_with_meeting-city": "5"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and 'aria-invalid="true"' in html
    assert _targets(app) == {}


def test_targets_for_a_chosen_school_year(app, login, world, indicator_city):
    client = login(world.hr)
    response = client.post(
        f"/strategy/targets?year={YEAR}", data={"target-cotaught_lessons-city": "10"}
    )
    assert response.status_code == 302
    assert client.get("/strategy/targets?year=1990").status_code == 400


# --- exports -------------------------------------------------------------------------------


def test_exports_open_in_openpyxl_and_match_the_screen(app, login, world, indicator_city):
    client = login(world.hr)
    client.post("/strategy/targets", data={"target-coteaching_teachers-city": "75"})
    html = client.get("/strategy/").get_data(as_text=True)
    rows = _xlsx_rows(client.get("/strategy/overview.xlsx").data)
    assert rows[0][:3] == ["Indicator", "Measure", "Now"]
    assert len(rows) == 7
    for row in rows[1:]:
        shown = _cells(html, row[0])
        assert shown[1:6] == [_shown(v) for v in row[2:7]], row[0]
    csv_text = client.get("/strategy/overview.csv").data.decode("utf-8-sig")
    assert csv_text.splitlines()[1].startswith("Teachers who co-teach;%;42.86;3;7;75;")

    units_html = client.get("/strategy/units").get_data(as_text=True)
    unit_rows = _xlsx_rows(client.get("/strategy/units.xlsx").data)
    assert [r[0] for r in unit_rows[1:]] == ["School A", "School B", "City of Vantaa"]
    for row in unit_rows[1:]:
        assert _cells(units_html, row[0]) == [_shown(v) for v in row[1:]]

    detail = client.get("/strategy/indicators/coteaching_teachers").get_data(as_text=True)
    by_unit = _xlsx_rows(client.get("/strategy/indicators/coteaching_teachers/units.xlsx").data)
    assert by_unit[1][:4] == ["School A", 60, 3, 5]
    for row in by_unit[1:]:
        assert _cells(detail, row[0]) == [_shown(v) for v in row[1:]]


def test_exports_apply_the_filters(app, login, world, indicator_city, runner):
    runner.invoke(args=["strategy", "snapshot"])
    client = login(world.hr)
    start = today() - timedelta(days=3)
    query = {"unit": world.unit_a.id, "from": start.isoformat(), "to": today().isoformat()}
    trend = _xlsx_rows(
        client.get("/strategy/indicators/coteaching_teachers/trend.xlsx", query_string=query).data
    )
    assert [r[0].date() if hasattr(r[0], "date") else r[0] for r in trend[1:]] == [
        start + timedelta(days=i) for i in range(4)
    ]
    assert trend[-1][1] == 60  # unit A's snapshot of today; no snapshots before
    assert trend[1][1] is None
    response = client.get("/strategy/units.csv", query_string={"unit": world.unit_a.id})
    lines = response.data.decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and lines[1].startswith("School A;60;")
    assert "school-a" in response.headers["Content-Disposition"]


def test_the_home_page_shows_the_indicators_against_the_targets(login, world, indicator_city):
    """HR sees the city; a principal their unit, against the unit's own target (as the
    dashboard shows it); a teacher sees no indicators."""
    a = world.unit_a.id
    hr = login(world.hr)
    hr.post(
        "/strategy/targets",
        data={"target-coteaching_teachers-city": "75", f"target-coteaching_teachers-{a}": "90"},
    )
    home = hr.get("/home").get_data(as_text=True)
    assert "Collaboration now and this year" in home
    assert "City of Vantaa" in home
    assert "/ target 75 %" in home
    principal = login(world.principal)
    home = principal.get("/home").get_data(as_text=True)
    assert "60 %" in home and "/ target 90 %" in home  # unit A: 3 of 5 teachers co-teach
    assert "/ target 75 %" not in home  # the city's target is not the unit's
    assert f">{world.unit_a.name}</th>" in home, home[home.find("<main") :][:4000]
    assert ">City of Vantaa</th>" not in home
    assert world.unit_b.name not in home
    teacher = login(world.teacher)
    assert "Collaboration now" not in teacher.get("/home").get_data(as_text=True)
