"""Bad filters answer 400 with a message that says what is wrong (HTML or JSON), and every
page runs the same number of SQL statements on a small and a larger city."""

from __future__ import annotations

import pytest

from tests.factories import count_queries
from tests.hr_reports.factories import grow


@pytest.mark.parametrize(
    ("url", "query", "message"),
    [
        ("/reports/hours", {"colour": "red"}, "This page has no filter “colour”"),
        ("/reports/competences", {"year": "1"}, "This page has no filter “year”"),
        ("/reports/hours.csv", {"page": "2"}, "This page has no filter “page”"),
        ("/reports/hours", {"group": "shoe-size"}, "Group by one of: person, unit"),
        ("/reports/hours", {"year": "last"}, "The filter “year” must be a positive whole number"),
        ("/reports/veso", {"year": "98765"}, "There is no school year with the id 98765"),
        ("/reports/hours", {"unit": "A"}, "The filter “unit” must be a positive whole number"),
        ("/reports/hours", {"from": "2026-13-01"}, "The filter “from” must be a date"),
        ("/reports/feedback", {"to": "yesterday"}, "The filter “to” must be a date"),
        (
            "/reports/training",
            {"from": "2026-10-01", "to": "2026-09-01"},
            "The date range ends (2026-09-01) before it starts (2026-10-01)",
        ),
        ("/reports/veso", {"page": "0"}, "The filter “page” must be a positive whole number"),
        ("/reports/hours", {"group": ["unit", "person"]}, "Give the filter “group” once"),
    ],
)
def test_bad_filters_answer_400_with_a_message(client, world, login, url, query, message):
    login(world.hr)
    response = client.get(url, query_string=query)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    response = client.get(url, query_string=query, headers={"Accept": "application/json"})
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "bad_request" and message in body["message"]
    assert body["fields"]


def test_empty_filters_mean_all(client, world, login):
    login(world.hr)
    query = {"unit": "", "year": "", "group": "", "from": "", "to": ""}
    assert client.get("/reports/hours", query_string=query).status_code == 200
    assert client.get("/reports/hours", query_string={"lang": "fi"}).status_code == 200


PAGES = [
    "/reports/hours",
    "/reports/hours?group=unit",
    "/reports/hours?group=profession",
    "/reports/hours?group=area",
    "/reports/hours.xlsx?group=person",
    "/reports/veso",
    "/reports/veso.csv",
    "/reports/training",
    "/reports/competences",
    "/reports/feedback",
]


def _statements(app, client) -> dict[str, int]:
    counts = {}
    for path in PAGES:
        with count_queries(app) as counter:
            assert client.get(path).status_code == 200, path
        counts[path] = counter["n"]
    return counts


def test_statements_per_page_do_not_grow_with_the_data(app, client, city, login):
    login(city.world.hr)
    small = _statements(app, client)
    grow(app, units=4, staff=60)
    larger = _statements(app, client)
    assert larger == small
    assert max(small.values()) <= 15, small


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
def test_report_numbers_read_as_the_number_filter_writes_them(app, language):
    from flask_babel import get_locale

    from pdservice.hr_reports.routes import number_formatter

    number = app.jinja_env.filters["number"]  # the app's own number filter
    with app.test_request_context(headers={"Accept-Language": language}):
        assert str(get_locale()) == language
        fmt = number_formatter(get_locale())
        for value in (0, 0.5, 1, 2.25, 13.75, 999.99, 1000, 1234.5, 266555, 1234567.891, -3.5):
            assert fmt(value) == number(value), (language, value)
