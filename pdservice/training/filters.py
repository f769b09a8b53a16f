"""Template filters for sessions: Helsinki time, compact ranges."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask_babel import format_datetime

from pdservice.clock import HELSINKI


def timespan(start: datetime, end: datetime) -> str:
    """ "Tue 3.10.2026 09:00–15:00" (the end's date too when it is another day)."""
    full = "EEE d.M.yyyy HH:mm"
    if start.astimezone(HELSINKI).date() == end.astimezone(HELSINKI).date():
        return f"{format_datetime(start, full)}–{format_datetime(end, 'HH:mm')}"
    return f"{format_datetime(start, full)} – {format_datetime(end, full)}"


def register_filters(app: Flask) -> None:
    app.add_template_filter(timespan, "timespan")
