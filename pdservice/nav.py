"""The navigation menu, assembled from what each feature registers.

A feature calls `add_nav_item(...)` when its blueprint is registered; the base template shows
the items the signed-in user's roles allow, in `order`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask
from flask_login import current_user

from pdservice.core.enums import Role


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy_gettext string
    roles: frozenset[Role] = field(default_factory=lambda: frozenset(Role))
    order: int = 100


def add_nav_item(app: Flask, endpoint: str, label: object, roles: set[Role], order: int = 100):
    app.extensions.setdefault("pdservice_nav", []).append(
        NavItem(endpoint, label, frozenset(roles), order)
    )


def init_app(app: Flask) -> None:
    @app.context_processor
    def _nav_context() -> dict:
        items: list[NavItem] = []
        if current_user.is_authenticated:
            roles = current_user.roles
            items = sorted(
                (i for i in app.extensions.get("pdservice_nav", []) if i.roles & roles),
                key=lambda i: i.order,
            )
        return {"nav_items": items}
