"""Routes of the HR reports: principals, HR and admins; teachers 403. Without a unit a
principal sees their own units; with unit A, principal B gets 404 (another unit)."""

from __future__ import annotations

from tests.access.rules import Rule, statuses

ALL = {"principal": 200, "principal_b": 200, "hr": 200, "admin": 200}
UNIT_A = {"principal": 200, "principal_b": 404, "hr": 200, "admin": 200}

PAGES = [
    ("reports.hours", "/reports/hours"),
    ("reports.veso", "/reports/veso"),
    ("reports.training", "/reports/training"),
    ("reports.competences", "/reports/competences"),
    ("reports.feedback", "/reports/feedback"),
]
EXPORTS = [
    ("reports.hours_export", "/reports/hours"),
    ("reports.veso_export", "/reports/veso"),
    ("reports.veso_units_export", "/reports/veso-units"),
    ("reports.training_export", "/reports/training"),
    ("reports.competences_export", "/reports/competences"),
    ("reports.feedback_export", "/reports/feedback"),
]


def _rules() -> list[Rule]:
    rules = []
    for endpoint, path in PAGES:
        rules.append(Rule(endpoint, "GET", lambda w, p=path: p, statuses(403, **ALL)))
        rules.append(
            Rule(
                endpoint,
                "GET",
                lambda w, p=path: f"{p}?unit={w.unit_a.id}",
                statuses(403, **UNIT_A),
                id="unit-a",
            )
        )
    for endpoint, path in EXPORTS:
        for fmt in ("csv", "xlsx"):
            rules.append(
                Rule(
                    endpoint,
                    "GET",
                    lambda w, p=path, f=fmt: f"{p}.{f}",
                    statuses(403, **ALL),
                    id=fmt,
                )
            )
        rules.append(
            Rule(
                endpoint,
                "GET",
                lambda w, p=path: f"{p}.xlsx?unit={w.unit_a.id}",
                statuses(403, **UNIT_A),
                id="unit-a",
            )
        )
    return rules


RULES = _rules()
