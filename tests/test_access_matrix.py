"""Every route × every role: the expected status, and no route without a rule."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

import tests.access
from tests.access.rules import ROLES, Rule
from tests.database import SharedConnection, reset_database, shared_connection
from tests.factories import World, build_world, sign_in_as

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


class Matrix:
    """One world for the whole module, one set-up per rule, one savepoint per case.

    The world (two units, their staff, HR, an admin) is built once inside a shared connection
    (`tests/database.py`). A rule's `setup` runs inside a savepoint kept while the following
    cases need the same setup (the rules of a feature mostly share one), and each case runs
    inside a savepoint of its own, rolled back after its request: every case sees exactly the
    world and its rule's set-up, whatever the cases before it wrote.
    """

    def __init__(self, shared: SharedConnection, world: World) -> None:
        self.shared = shared
        self.world = world
        self._setup: object = None
        self._setup_mark: ExitStack | None = None

    def world_for(self, rule: Rule) -> World:
        if rule.setup is not self._setup or self._setup_mark is None:
            self.close_setup()
            self._setup_mark = ExitStack()
            self._setup_mark.enter_context(self.shared.savepoint())
            with self.world.app.app_context():  # setups create their objects with the database
                self.world.extra = rule.setup(self.world) if rule.setup else None
            self._setup = rule.setup
        return self.world

    def close_setup(self) -> None:
        if self._setup_mark is not None:
            self._setup_mark.close()
        self._setup_mark = None


@pytest.fixture(scope="module")
def matrix(app) -> Iterator[Matrix]:
    reset_database(app)
    with shared_connection(app) as shared:
        world = build_world(app)
        world.app = app
        matrix = Matrix(shared, world)
        yield matrix
        matrix.close_setup()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "rule", RULES, ids=[f"{r.method}-{r.endpoint}{'-' + r.id if r.id else ''}" for r in RULES]
)
def test_route_answers_role(app, client, matrix, rule: Rule, role: str):
    world = matrix.world_for(rule)
    with matrix.shared.savepoint():  # this case's writes are undone before the next case
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
