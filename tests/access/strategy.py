"""Routes of the strategy dashboard: principals, HR and admin see it (principals their own
units only: unit A's page answers 404 to principal B); teachers get 403; the targets are for
HR and admin (leadership) only."""

from __future__ import annotations

from tests.access.rules import Rule, statuses

DASHBOARD = statuses(403, principal=200, principal_b=200, hr=200, admin=200)
UNIT_A = statuses(403, principal=200, principal_b=404, hr=200, admin=200)
LEADERSHIP = statuses(403, hr=200, admin=200)


def _rules(endpoint: str, url) -> list[Rule]:
    return [
        Rule(endpoint, "GET", url, DASHBOARD),
        Rule(endpoint, "GET", url, UNIT_A, id="unit-a", query={"unit": "school-a"}),
    ]


RULES = [
    *_rules("strategy.overview", lambda w: "/strategy/"),
    *_rules("strategy.overview_export", lambda w: "/strategy/overview.csv"),
    Rule(
        "strategy.overview_export", "GET", lambda w: "/strategy/overview.xlsx", DASHBOARD, id="xlsx"
    ),
    *_rules("strategy.units", lambda w: "/strategy/units"),
    *_rules("strategy.units_export", lambda w: "/strategy/units.xlsx"),
    *_rules("strategy.indicator", lambda w: "/strategy/indicators/coteaching_teachers"),
    *_rules(
        "strategy.indicator_export", lambda w: "/strategy/indicators/cotaught_lessons/trend.csv"
    ),
    Rule(
        "strategy.indicator_export",
        "GET",
        lambda w: "/strategy/indicators/teams_with_meeting/units.xlsx",
        DASHBOARD,
        id="units",
    ),
    Rule("strategy.targets", "GET", lambda w: "/strategy/targets", LEADERSHIP),
    Rule(
        "strategy.targets",
        "POST",
        lambda w: "/strategy/targets",
        statuses(403, hr=302, admin=302),
        data=lambda w: {"target-coteaching_teachers-city": "40"},
    ),
]
