"""Every route × every role: the expected status, and no route without a rule."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import tests.access
from tests.access.rules import ROLES, Rule
from tests.factories import sign_in_as

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _all_rules() -> list[Rule]:
    rules: list[Rule] = []
    for info in pkgutil.iter_modules(tests.access.__path__):
        if info.name == "rules":
            continue
        module = importlib.import_module(f"tests.access.{info.name}")
        rules.extend(module.RULES)
    return rules


RULES = _all_rules()


def test_every_route_and_method_has_a_rule(app):
    covered = {(r.endpoint, r.method) for r in RULES}
    missing = []
    for url_rule in app.url_map.iter_rules():
        for method in sorted(url_rule.methods - IGNORED_METHODS):
            if (url_rule.endpoint, method) not in covered:
                missing.append(f"{method} {url_rule.rule} ({url_rule.endpoint})")
    assert not missing, "routes without an access rule in tests/access/: " + ", ".join(missing)


def test_every_rule_names_a_route(app):
    endpoints = {(r.endpoint, m) for r in app.url_map.iter_rules() for m in r.methods}
    unknown = [f"{r.method} {r.endpoint}" for r in RULES if (r.endpoint, r.method) not in endpoints]
    assert not unknown, "rules for routes that do not exist: " + ", ".join(unknown)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "rule", RULES, ids=[f"{r.method}-{r.endpoint}{'-' + r.id if r.id else ''}" for r in RULES]
)
def test_route_answers_role(app, client, world, rule: Rule, role: str):
    with app.app_context():  # setups create their objects with the database
        world.extra = rule.setup(world) if rule.setup else None
    sign_in_as(client, world.user(role))
    url = rule.url(world)
    data = rule.data(world) if rule.data else {}
    response = client.open(url, method=rule.method, data=data, query_string=rule.query or None)
    assert response.status_code == rule.expected[role], (
        f"{rule.method} {url} as {role}: {response.status_code}, expected {rule.expected[role]}"
    )
    if (
        role == "anon"
        and rule.expected[role] == 302
        and rule.endpoint not in {"main.index", "main.set_language", "auth.logout"}
    ):
        assert "/login" in response.headers["Location"]
