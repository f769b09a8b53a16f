"""The HR reports on a small hand-built city with known answers (see factories.py): the
figures on the page, the same figures in the XLSX and CSV downloads, and who sees what."""

from __future__ import annotations

import pytest

from tests.hr_reports.helpers import by_first, csv_rows, number, same_figures, table, xlsx_rows

HOURS_HEADER = [
    "Name",
    "Email",
    "Profession",
    "Training",
    "In-service training (VESO)",
    "External training",
    "Co-teaching planning",
    "Hours in total",
]


def get(client, url, **query):
    response = client.get(url, query_string=query)
    assert response.status_code == 200, (url, query, response.status_code)
    return response.get_data(as_text=True)


def test_hours_by_person_for_hr(client, city, login):
    login(city.world.hr)
    page = get(client, "/reports/hours")
    rows = table(page, "Development hours by person")
    assert rows[0] == HOURS_HEADER
    people = by_first(rows)
    assert list(people) == [
        "Bo Both",
        "Principal A",
        "Principal B",
        "Sanna Subject",
        "Teacher A",
        "Teacher B",
    ]
    assert [number(v) for v in people["Teacher A"][2:]] == [6, 18, 0, 0, 24]
    assert [number(v) for v in people["Sanna Subject"][2:]] == [0, 6, 4, 0, 10]
    assert [number(v) for v in people["Bo Both"][2:]] == [0, 18, 0, 3, 21]
    assert [number(v) for v in people["Teacher B"][2:]] == [2.5, 0, 0, 0, 2.5]
    assert number(people["Principal A"][-1]) == 0
    assert "Gone Person" not in page  # inactive
    kinds = by_first(table(page, "Hours by kind"))
    assert {k: number(v[0]) for k, v in kinds.items()} == {
        "Training": 8.5,
        "In-service training (VESO)": 42,
        "External training": 4,
        "Co-teaching planning": 3,
        "Hours in total": 57.5,
    }
    assert "4 of 6 staff have hours." in page
    assert '<svg class="chart" role="img"' in page


def test_hours_by_unit_profession_and_area(client, city, login):
    login(city.world.hr)
    units = by_first(
        table(get(client, "/reports/hours", group="unit"), "Development hours by unit")
    )
    # staff, training, VESO, external, co-teaching, total, per person
    assert [number(v) for v in units["School A"]] == [4, 6, 42, 4, 3, 55, 13.8]
    assert [number(v) for v in units["School B"]] == [3, 2.5, 18, 0, 3, 23.5, 7.8]
    professions = by_first(
        table(get(client, "/reports/hours", group="profession"), "Development hours by profession")
    )
    assert [number(v) for v in professions["Class teacher"]][0::5] == [2, 26.5]
    assert number(professions["Principal"][0]) == 2 and number(professions["Principal"][5]) == 0
    assert number(professions["Special-needs teacher"][5]) == 21
    areas = table(
        get(client, "/reports/hours", group="area"), "Development hours by competence area"
    )
    by_code = {r[0]: r[1:] for r in areas[1:]}
    # code -> name, training, VESO, external, co-teaching, total
    assert [number(v) for v in by_code["DIGI"][1:]] == [6, 0, 4, 0, 10]
    assert [number(v) for v in by_code["INCL"][1:]] == [0, 6, 4, 0, 10]
    assert [number(v) for v in by_code["COTEACH"][1:]] == [0, 0, 0, 3, 3]
    assert [number(v) for v in by_code["L1"][1:]] == [0, 0, 0, 0, 0]
    assert areas[-1][1] == "No competence area"
    assert [number(v) for v in areas[-1][2:]] == [2.5, 36, 0, 0, 38.5]


def test_hours_date_range_and_year(client, city, login, app):
    from datetime import timedelta

    from pdservice.core.models import SchoolYear
    from pdservice.extensions import db

    login(city.world.hr)
    with app.app_context():
        year = db.session.get(SchoolYear, city.year_id)
        first = year.starts_on + timedelta(days=20)
        previous = db.session.query(SchoolYear).filter_by(name="previous").one().id
    # only the first ledger row of each person (day 20 of the year)
    page = get(client, "/reports/hours", **{"from": first.isoformat(), "to": first.isoformat()})
    kinds = by_first(table(page, "Hours by kind"))
    assert number(kinds["Hours in total"][0]) == 6 + 6 + 3 + 2.5
    page = get(client, "/reports/hours", year=previous)
    people = by_first(table(page, "Development hours by person"))
    assert number(people["Teacher A"][-1]) == 100


def test_principal_sees_their_units_only(client, city, login):
    w = city.world
    login(w.principal)
    page = get(client, "/reports/hours", group="unit")
    units = by_first(table(page, "Development hours by unit"))
    assert list(units) == ["School A"]
    people = by_first(table(get(client, "/reports/hours"), "Development hours by person"))
    assert list(people) == ["Bo Both", "Principal A", "Sanna Subject", "Teacher A"]
    kinds = by_first(table(get(client, "/reports/hours"), "Hours by kind"))
    assert number(kinds["Hours in total"][0]) == 55
    login(w.principal_b)
    people = by_first(table(get(client, "/reports/hours"), "Development hours by person"))
    assert list(people) == ["Bo Both", "Principal B", "Teacher B"]
    for url in (
        "/reports/hours",
        "/reports/hours.csv",
        "/reports/hours.xlsx",
        "/reports/veso",
        "/reports/veso.xlsx",
        "/reports/veso-units.csv",
        "/reports/training",
        "/reports/training.csv",
        "/reports/competences",
        "/reports/competences.xlsx",
        "/reports/feedback",
        "/reports/feedback.csv",
    ):
        assert client.get(url, query_string={"unit": w.unit_a.id}).status_code == 404, url
        assert client.get(url, query_string={"unit": w.unit_b.id}).status_code == 200, url
        assert client.get(url, query_string={"unit": 99999}).status_code == 404, url
    login(w.teacher)
    for url in ("/reports/hours", "/reports/veso.csv", "/reports/competences"):
        assert client.get(url).status_code == 403
    login(w.hr)
    assert client.get("/reports/hours", query_string={"unit": 99999}).status_code == 404


def test_every_report_is_scoped(client, city, login):
    """Each report for a principal of B (unit B's staff only) and for HR (the city)."""
    w = city.world
    login(w.principal_b)
    veso = get(client, "/reports/veso")
    assert list(by_first(table(veso, "VESO compliance by unit"))) == ["School B"]
    training = by_first(table(get(client, "/reports/training"), "Training participation"))
    assert list(training) == ["School B"]
    comp = by_first(table(get(client, "/reports/competences"), "Staff by self-assessed level"))
    assert number(comp["DIGI"][5]) == 1  # Bo at level 4; Teacher A and Sanna are in A
    feedback = by_first(table(get(client, "/reports/feedback"), "Feedback by course"))
    assert [number(v) for v in feedback["Course X"][:2]] == [1, 3]  # Bo's rating only
    login(w.hr)
    veso = get(client, "/reports/veso")
    assert list(by_first(table(veso, "VESO compliance by unit"))) == ["School A", "School B"]


def test_veso_compliance(client, city, login):
    login(city.world.hr)
    page = get(client, "/reports/veso")
    units = by_first(table(page, "VESO compliance by unit"))
    # staff, done, below, share
    assert [number(v) for v in units["School A"]] == [4, 2, 2, 50]
    assert [number(v) for v in units["School B"]] == [3, 1, 2, 33.3]
    below = table(page, "Staff below the VESO requirement")
    assert [r[:2] + [number(r[3]), number(r[4])] for r in below[1:]] == [
        ["School A", "Principal A", 0, 18],
        ["School A", "Sanna Subject", 6, 12],
        ["School B", "Principal B", 0, 18],
        ["School B", "Teacher B", 0, 18],
    ]
    assert "2 / 6" in page and "18 h" in page


def test_veso_requirement_follows_the_setting(client, city, login, app):
    app.config["VESO_HOURS_PER_DAY"] = "2"
    try:
        login(city.world.hr)
        page = get(client, "/reports/veso")
        units = by_first(table(page, "VESO compliance by unit"))
        assert [number(v) for v in units["School A"]] == [4, 3, 1, 75]  # Sanna's 6 h do
    finally:
        app.config["VESO_HOURS_PER_DAY"] = "6"


def test_training_participation_and_cost(client, city, login):
    login(city.world.hr)
    page = get(client, "/reports/training")
    units = by_first(table(page, "Training participation and cost by unit"))
    # enrolments, booked, attended, no-show, participants, cost, per person, per attendance
    assert [number(v) for v in units["School A"]] == [4, 1, 2, 1, 3, 350, 116.7, 175]
    assert [number(v) for v in units["School B"]] == [2, 1, 1, 0, 2, 150, 75, 150]
    assert "400 €" in page and "4 participants" in page
    assert "1 did not attend" in page.replace("1 did not attend, 2 booked", "1 did not attend")


def test_competence_levels(client, city, login):
    login(city.world.hr)
    page = get(client, "/reports/competences")
    rows = table(page, "Staff by self-assessed level")
    assert rows[0][:3] == ["Code", "Competence area", "0 – Not yet familiar with it"]
    areas = {r[0]: [number(v) for v in r[2:]] for r in rows[1:]}
    # levels 0-4, not assessed, average, share at 3-4
    assert areas["DIGI"] == [0, 0, 0, 2, 1, 3, 3.3, 100]
    assert areas["INCL"] == [0, 1, 1, 0, 0, 4, 1.5, 0]
    assert areas["L1"] == [0, 0, 0, 0, 0, 6, None, None]
    assert "6 staff members" in page


def test_course_feedback(client, city, login):
    login(city.world.hr)
    page = get(client, "/reports/feedback")
    courses = by_first(table(page, "Feedback by course"))
    # answers, average, rated 1..5
    assert [number(v) for v in courses["Course X"]] == [2, 4, 0, 0, 1, 0, 1]
    assert [number(v) for v in courses["Course Y"]] == [1, 4, 0, 0, 0, 1, 0]


@pytest.mark.parametrize(
    ("url", "caption", "query"),
    [
        ("/reports/hours", "Development hours by person", {}),
        ("/reports/hours", "Development hours by unit", {"group": "unit"}),
        ("/reports/hours", "Development hours by competence area", {"group": "area"}),
        ("/reports/veso", "Staff below the VESO requirement", {}),
        ("/reports/training", "Training participation and cost by unit", {}),
        ("/reports/competences", "Staff by self-assessed level", {}),
        ("/reports/feedback", "Feedback by course", {}),
    ],
)
def test_exports_match_the_page(client, city, login, url, caption, query):
    login(city.world.hr)
    screen = table(get(client, url, **query), caption)
    xlsx = client.get(url + ".xlsx", query_string=query)
    assert xlsx.status_code == 200
    assert xlsx.mimetype.endswith("spreadsheetml.sheet")
    same_figures(screen, xlsx_rows(xlsx.data))
    csv_response = client.get(url + ".csv", query_string=query)
    assert csv_response.mimetype == "text/csv"
    sheet = xlsx_rows(xlsx.data)
    csv_sheet = csv_rows(csv_response.data)
    assert csv_sheet[0] == screen[0] and len(csv_sheet) == len(sheet)
    for text_row, xlsx_row in zip(csv_sheet[1:], sheet[1:], strict=True):
        for text, value in zip(text_row, xlsx_row, strict=True):
            if value is None:
                assert text == ""
            elif isinstance(value, int | float):
                assert float(text) == value
            else:
                assert text == value


def test_veso_units_export(client, city, login):
    login(city.world.principal)
    screen = table(get(client, "/reports/veso"), "VESO compliance by unit")
    same_figures(screen, xlsx_rows(client.get("/reports/veso-units.xlsx").data))


def test_exports_apply_the_filters(client, city, login):
    w = city.world
    login(w.hr)
    sheet = xlsx_rows(
        client.get("/reports/hours.xlsx", query_string={"unit": w.unit_b.id, "group": "unit"}).data
    )
    assert [r[0] for r in sheet[1:]] == ["School B"]
    response = client.get("/reports/hours.csv", query_string={"unit": w.unit_b.id})
    assert "School-B" not in response.headers["Content-Disposition"]
    assert "school-b" in response.headers["Content-Disposition"]
    assert [r[0] for r in csv_rows(response.data)[1:]] == ["Bo Both", "Principal B", "Teacher B"]


def test_old_hours_report_addresses_lead_to_the_new_report(client, city, login):
    w = city.world
    login(w.principal)
    response = client.get("/hours/report", query_string={"unit": w.unit_a.id, "year": city.year_id})
    assert response.status_code == 301
    assert response.headers["Location"].startswith("/reports/hours?")
    assert f"unit={w.unit_a.id}" in response.headers["Location"]
    response = client.get("/hours/report.csv")
    assert response.status_code == 301
    assert response.headers["Location"].startswith("/reports/hours.csv")
    followed = client.get("/hours/report", follow_redirects=True)
    assert "Development hours by person" in followed.get_data(as_text=True)
    login(w.teacher)
    assert client.get("/hours/report").status_code == 403


def test_a_principal_of_two_units_sees_both_and_can_choose_one(client, city, login, make_user):
    from pdservice.core.enums import Profession, UnitRole

    w = city.world
    both = make_user(
        "Principal Both",
        units=[(w.unit_a, UnitRole.PRINCIPAL), (w.unit_b, UnitRole.PRINCIPAL)],
        profession=Profession.PRINCIPAL,
    )
    login(both)
    page = get(client, "/reports/veso")
    assert "All my units" in page
    units = by_first(table(page, "VESO compliance by unit"))
    assert [number(v) for v in units["School A"]] == [5, 2, 3, 40]  # now 5 staff in A
    assert [number(v) for v in units["School B"]] == [4, 1, 3, 25]
    sheet = xlsx_rows(client.get("/reports/hours.xlsx", query_string={"unit": w.unit_b.id}).data)
    assert [r[0] for r in sheet[1:]] == ["Bo Both", "Principal B", "Principal Both", "Teacher B"]
