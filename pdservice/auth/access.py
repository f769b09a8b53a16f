"""Authorization in one place.

Two tools, used by every route:
- `roles_required(*roles)`: the route is for these roles; others get 403, visitors who are not
  signed in are sent to the sign-in page.
- `get_scoped_or_404(Model, id, roles=...)`: load an object and check that the current user
  may see it, by role *and unit scope*. An object outside the user's scope answers 404, the same
  as a missing one, so ids of other units reveal nothing.

Scope rules: admin and HR reach every unit; a principal reaches the units they lead; a teacher
(any staff member) reaches the units they belong to; `owner=True` also lets the object's owner
(`obj.owner_id`) through. Models expose `scope_unit_ids` (the units an object belongs to).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from pdservice.core.enums import Role
from pdservice.extensions import db

T = TypeVar("T")


def roles_required(*roles: Role) -> Callable:
    """Allow the route to signed-in users holding one of `roles` (403 for other users)."""
    allowed = set(roles)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(*allowed):
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapped

    return decorator


def can_reach(user: Any, obj: Any, roles: Iterable[Role], *, owner: bool = False) -> bool:
    """Whether `user` may reach `obj` through one of `roles` in the object's units."""
    if not user or not user.is_authenticated:
        return False
    if owner and getattr(obj, "owner_id", None) == user.id:
        return True
    units = set(getattr(obj, "scope_unit_ids", set()) or set())
    for role in roles:
        if role == Role.ADMIN and user.is_admin:
            return True
        if role == Role.HR and user.is_hr:
            return True
        if role == Role.PRINCIPAL and units & user.principal_unit_ids:
            return True
        if role == Role.TEACHER and units & user.member_unit_ids:
            return True
    return False


def get_scoped_or_404(
    model: type[T], obj_id: Any, *, roles: Iterable[Role], owner: bool = False
) -> T:
    """Load `model` by primary key and authorize it; 404 when missing or out of scope."""
    obj = db.session.get(model, obj_id)
    if obj is None or not can_reach(current_user, obj, roles, owner=owner):
        abort(404)
    return obj


def scoped_unit_ids(user: Any, *, roles: Iterable[Role]) -> set[int] | None:
    """The unit ids a user reaches through `roles`, or None for "every unit"."""
    roles = set(roles)
    if (Role.ADMIN in roles and user.is_admin) or (Role.HR in roles and user.is_hr):
        return None
    units: set[int] = set()
    if Role.PRINCIPAL in roles:
        units |= user.principal_unit_ids
    if Role.TEACHER in roles:
        units |= user.member_unit_ids
    return units


def require_unit_access(unit_id: int, *, roles: Iterable[Role]) -> None:
    """404 unless the current user reaches `unit_id` through one of `roles`."""
    units = scoped_unit_ids(current_user, roles=roles)
    if units is not None and unit_id not in units:
        abort(404)


def units_in_scope(user: Any, *, roles: Iterable[Role]) -> list:
    """The active and inactive units `user` reaches through `roles`, by name."""
    import sqlalchemy as sa

    from pdservice.core.models import Unit

    scope = scoped_unit_ids(user, roles=roles)
    query = sa.select(Unit).order_by(Unit.name)
    if scope is not None:
        query = query.where(Unit.id.in_(scope))
    return list(db.session.scalars(query))


def chosen_unit(units: list, requested_id: int | None) -> Any:
    """The unit a page shows: the one asked for (`?unit=`), else the first. 404 when the user
    reaches no unit or asks for one outside their scope."""
    from flask_babel import gettext as _

    from pdservice.errors import abort_with

    if not units:
        abort_with(404, _("You lead no units."))
    if requested_id is None:
        return units[0]
    unit = next((u for u in units if u.id == requested_id), None)
    if unit is None:
        abort(404)
    return unit
