"""Small helpers the co-teaching pages use to draw a proposal's week and a run's progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 400, 160, 30


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


@dataclass
class Chart:
    objective: str
    bound: str
    low: float
    high: float
    seconds: float


def progress_chart(points: list[dict[str, Any]]) -> Chart | None:
    """SVG polyline points of objective and bound over time (the page's JS redraws them)."""
    values = [p[k] for p in points for k in ("objective", "bound") if p[k] is not None]
    if not values:
        return None
    max_t = max([p["seconds"] for p in points] + [1])
    low, high = min(values), max(values)
    span = (high - low) or 1

    def x(seconds: float) -> float:
        return CHART_PAD + seconds / max_t * (CHART_WIDTH - 2 * CHART_PAD)

    def y(value: float) -> float:
        return CHART_HEIGHT - CHART_PAD - (value - low) / span * (CHART_HEIGHT - 2 * CHART_PAD)

    def line(key: str) -> str:
        return " ".join(
            f"{x(p['seconds']):.1f},{y(p[key]):.1f}" for p in points if p[key] is not None
        )

    return Chart(line("objective"), line("bound"), low, high, max_t)
