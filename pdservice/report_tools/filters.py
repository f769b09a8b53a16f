"""The query-string checks every report page shares (HR reports, strategy dashboard): which
filters a page takes, one value each, dates, date ranges. Each check stops a bad request with
a 400 whose message names the filter (`abort_with`, so HTML or JSON as the client asked);
the pages' own parsers (`pdservice/hr_reports/filters.py`, `pdservice/strategy/filters.py`)
build on them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, NoReturn

from flask_babel import gettext as _

from pdservice.errors import abort_with

# Query-string keys every page ignores: the language switch.
IGNORED = frozenset({"lang"})


def bad_filter(name: str, message: str) -> NoReturn:
    abort_with(400, message, {name: message})
    raise AssertionError("abort_with raises")  # pragma: no cover


def given_filters(args: Any, allowed: Iterable[str]) -> dict[str, str]:
    """The non-empty filters of `args` (a request's args): a filter the page does not take,
    or one given twice, is refused; an empty value (a form's "all" choice) counts as none."""
    allowed = set(allowed)
    given: dict[str, str] = {}
    for name in args:
        if name in IGNORED:
            continue
        if name not in allowed:
            bad_filter(
                name,
                _(
                    "This page has no filter “%(name)s”. Its filters are: %(names)s.",
                    name=str(name)[:40],
                    names=", ".join(sorted(allowed)),
                ),
            )
        values = args.getlist(name) if hasattr(args, "getlist") else [args[name]]
        if len(values) > 1:
            bad_filter(name, _("Give the filter “%(name)s” once.", name=name))
        value = (values[0] or "").strip()
        if value:
            given[name] = value
    return given


def date_filter(name: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        bad_filter(name, _("The filter “%(name)s” must be a date as YYYY-MM-DD.", name=name))


def check_range(start: date | None, end: date | None, *, end_name: str = "to") -> None:
    if start is not None and end is not None and end < start:
        bad_filter(
            end_name,
            _(
                "The date range ends (%(end)s) before it starts (%(start)s).",
                end=end.isoformat(),
                start=start.isoformat(),
            ),
        )
