"""Template filters shared by every feature."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal


def init_app(app: Flask) -> None:
    @app.template_filter("date")
    def _date(value: date | datetime | None, fmt: str = "short") -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.date() if value.tzinfo is None else value
            if isinstance(value, datetime):
                return format_datetime(value, "d.M.yyyy")
        return format_date(value, "d.M.yyyy")

    @app.template_filter("datetime")
    def _datetime(value: datetime | None) -> str:
        if value is None:
            return ""
        return format_datetime(value, "d.M.yyyy HH:mm")

    @app.template_filter("number")
    def _number(value: float | int | None, digits: int = 2) -> str:
        if value is None:
            return ""
        return format_decimal(round(float(value), digits))
