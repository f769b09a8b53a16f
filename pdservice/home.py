"""Panels on the home page, and sections of the account page, contributed by features.

    add_home_panel(app, "training/home_panel.html", {Role.TEACHER}, context=my_training, order=20)

`context(user)` returns a dict the panel template reads as `panel`. Panels show for users who
hold one of their roles, in `order`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask

from pdservice.core.enums import Role


@dataclass(frozen=True)
class HomePanel:
    template: str
    roles: frozenset[Role]
    context: Callable[[Any], dict] | None
    order: int


def add_home_panel(
    app: Flask,
    template: str,
    roles: set[Role],
    context: Callable[[Any], dict] | None = None,
    order: int = 100,
) -> None:
    app.extensions.setdefault("pdservice_home_panels", []).append(
        HomePanel(template, frozenset(roles), context, order)
    )


def panels_for(app: Flask, user: Any) -> list[tuple[HomePanel, dict]]:
    roles = user.roles
    chosen = sorted(
        (p for p in app.extensions.get("pdservice_home_panels", []) if p.roles & roles),
        key=lambda p: p.order,
    )
    return [(p, p.context(user) if p.context else {}) for p in chosen]


@dataclass(frozen=True)
class AccountSection:
    template: str
    context: Callable[[Any], dict] | None
    order: int


def add_account_section(
    app: Flask, template: str, context: Callable[[Any], dict] | None = None, order: int = 100
) -> None:
    """A section of the account page (e.g. mail choices, the calendar feed address).
    `context(user)` returns a dict the template reads as `section`."""
    app.extensions.setdefault("pdservice_account_sections", []).append(
        AccountSection(template, context, order)
    )


def account_sections_for(app: Flask, user: Any) -> list[tuple[AccountSection, dict]]:
    chosen = sorted(app.extensions.get("pdservice_account_sections", []), key=lambda s: s.order)
    return [(s, s.context(user) if s.context else {}) for s in chosen]
