"""Small helpers the co-teaching pages use to draw a proposal's week and a run's progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup

from pdservice.report_tools.charts import Series, line_chart


@dataclass
class MiniGrid:
    """Only the days and periods a proposal's lessons use, with the lessons in them."""

    days: list[int] = field(default_factory=list)
    indices: list[int] = field(default_factory=list)
    cells: dict[tuple[int, int], list[Any]] = field(default_factory=dict)
    times: dict[int, str] = field(default_factory=dict)

    def cell(self, day: int, index: int) -> list[Any]:
        return self.cells.get((day, index), [])


def mini_grid(items: list[Any]) -> MiniGrid:
    """`items` are proposal lessons (or decisions): anything with a `.lesson`."""
    grid = MiniGrid()
    for item in items:
        for slot in item.lesson.slots:
            grid.cells.setdefault((slot.day, slot.index), []).append(item)
            grid.times.setdefault(slot.index, f"{slot.starts_at:%H:%M}–{slot.ends_at:%H:%M}")
    grid.days = sorted({day for day, _ in grid.cells})
    grid.indices = sorted({index for _, index in grid.cells})
    return grid


#: Points drawn at most; a long search is thinned evenly (the table keeps the latest).
CHART_POINTS = 60


def progress_chart(points: list[dict[str, Any]]) -> Markup | None:
    """The best plan's score and the bound over the search, as the project's line chart."""
    if not any(p["objective"] is not None or p["bound"] is not None for p in points):
        return None
    if len(points) > CHART_POINTS:
        step = len(points) / CHART_POINTS
        points = [points[int(i * step)] for i in range(CHART_POINTS - 1)] + [points[-1]]
    return line_chart(
        _("The search: the best plan's score and the bound"),
        _(
            "The best plan's score rises and the bound (the best any plan could score) falls "
            "as the solver searches; the latest values are in the table below."
        ),
        [f"{p['seconds']:.0f} s" for p in points],
        [
            Series(_("score"), [p["objective"] for p in points]),
            Series(_("bound"), [p["bound"] for p in points]),
        ],
        height=220,
    )
