"""The navigation menu, assembled from what each feature registers.

A feature calls `add_nav_item(app, endpoint, label, roles, order, group=...)` when its
blueprint is registered. Items of a group appear under that group's menu; a group in which
the user sees one item only shows as a plain link (with the group's name). Users see only the
items their roles allow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from pdservice.core.enums import Role


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy_gettext string
    roles: frozenset[Role] = field(default_factory=lambda: frozenset(Role))
    order: int = 100
    group: str | None = None


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: object
    order: int


GROUPS = {
    g.key: g
    for g in (
        NavGroup("mine", _l("My work"), 10),
        NavGroup("training", _l("Training"), 30),
        NavGroup("coteaching", _l("Co-teaching"), 40),
        NavGroup("reports", _l("Reports"), 60),
        NavGroup("admin", _l("Administration"), 90),
    )
}


@dataclass
class NavEntry:
    """One place in the menu bar: a link, or a group with its links."""

    label: object
    order: int
    items: list[NavItem]
    key: str | None = None

    @property
    def current(self) -> bool:
        return any(item.endpoint == request.endpoint for item in self.items)


def add_nav_item(
    app: Flask,
    endpoint: str,
    label: object,
    roles: set[Role],
    order: int = 100,
    group: str | None = None,
) -> None:
    if group is not None and group not in GROUPS:
        raise ValueError(f"unknown navigation group {group!r}; known: {sorted(GROUPS)}")
    app.extensions.setdefault("pdservice_nav", []).append(
        NavItem(endpoint, label, frozenset(roles), order, group)
    )


def entries_for(app: Flask, roles: set[Role]) -> list[NavEntry]:
    visible = sorted(
        (i for i in app.extensions.get("pdservice_nav", []) if i.roles & roles),
        key=lambda i: i.order,
    )
    entries: list[NavEntry] = []
    groups: dict[str, NavEntry] = {}
    for item in visible:
        if item.group is None:
            entries.append(NavEntry(item.label, item.order, [item]))
            continue
        if item.group not in groups:
            group = GROUPS[item.group]
            groups[item.group] = NavEntry(group.label, group.order, [], key=group.key)
            entries.append(groups[item.group])
        groups[item.group].items.append(item)
    return sorted(entries, key=lambda e: e.order)


def init_app(app: Flask) -> None:
    @app.context_processor
    def _nav_context() -> dict:
        entries: list[NavEntry] = []
        if current_user.is_authenticated:
            entries = entries_for(app, current_user.roles)
        return {"nav_entries": entries}
