"""The vocabulary of the route × role matrix.

Every route of the app needs at least one `Rule` in a module of this package (one module per
feature, exporting `RULES`). `tests/test_access_matrix.py` fails when a route has no rule, and
checks each rule's expected status for every role:

    anon         not signed in
    teacher      staff member of unit A          teacher_b    staff member of unit B
    principal    principal of unit A             principal_b  principal of unit B
    hr           division HR                     admin        administrator

URLs and form data are built from the `World` (unit A's objects, unless a rule says otherwise)
by functions, so rules can refer to objects the test creates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLES = ("anon", "teacher", "teacher_b", "principal", "principal_b", "hr", "admin")
LOGIN = 302  # a visitor who is not signed in is sent to the sign-in page


@dataclass(frozen=True)
class Rule:
    endpoint: str
    method: str
    url: Callable[[Any], str]
    expected: dict[str, int]
    data: Callable[[Any], dict] | None = None
    # Extra objects, stored as world.extra; runs inside an app context (return ids, or
    # objects detached from the session).
    setup: Callable[[Any], Any] | None = None
    id: str = ""
    query: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = set(ROLES) - set(self.expected)
        if missing:
            raise ValueError(f"{self.endpoint}: no expected status for {sorted(missing)}")


def statuses(default: int, anon: int = LOGIN, **by_role: int) -> dict[str, int]:
    result = dict.fromkeys(ROLES, default)
    result["anon"] = anon
    result.update(by_role)
    return result


def admin_only(ok: int = 200, **by_role: int) -> dict[str, int]:
    return statuses(403, admin=ok, **by_role)


def signed_in(ok: int = 200, **by_role: int) -> dict[str, int]:
    return statuses(ok, **by_role)


def unit_a_scope(
    *, teacher: int, principal: int, hr: int, admin: int, outsider: int = 404
) -> dict[str, int]:
    """Object of unit A: unit B's staff see 404 (or 403 when the route itself is closed)."""
    return statuses(
        outsider,
        teacher=teacher,
        principal=principal,
        hr=hr,
        admin=admin,
        teacher_b=outsider if teacher != 403 else 403,
        principal_b=outsider if principal != 403 else 403,
    )
