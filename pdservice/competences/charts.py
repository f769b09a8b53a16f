"""Server-side SVG charts (no JavaScript, nothing from a CDN). Each chart is shown with its
data table beside it, so no information depends on colour or on seeing the image."""

from __future__ import annotations

from dataclasses import dataclass

from pdservice.competences.levels import LEVELS
from pdservice.competences.services import Distribution

# Light to dark for levels 0–4, grey for "not assessed"; text colour chosen for ≥ 4.5:1.
LEVEL_FILLS = ["#d6e6f4", "#9ec5e6", "#4f93c9", "#1f5f99", "#0b3558"]
LEVEL_TEXT = ["#1b1b1b", "#1b1b1b", "#1b1b1b", "#ffffff", "#ffffff"]
UNASSESSED_FILL = "#e4e4e4"

BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 70
PLOT_WIDTH = 520


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    fill: str
    text_fill: str
    count: int
    level: int | None


@dataclass(frozen=True)
class Bar:
    y: float
    code: str
    name: str
    segments: list[Segment]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: list[Bar]
    legend: list[tuple[int | None, str]]


def distribution_chart(distribution: Distribution) -> Chart:
    """One stacked bar per area: how many staff rate themselves at each level."""
    total = max(1, distribution.staff_count)
    bars = []
    for n, area in enumerate(distribution.areas):
        counts = distribution.row(area.id)
        x = float(LABEL_WIDTH)
        segments = []
        keys: list[int | None] = [*LEVELS, None]
        for key, count in zip(keys, counts, strict=True):
            width = PLOT_WIDTH * count / total
            if count:
                segments.append(
                    Segment(
                        x=round(x, 2),
                        width=round(width, 2),
                        fill=UNASSESSED_FILL if key is None else LEVEL_FILLS[key],
                        text_fill="#1b1b1b" if key is None else LEVEL_TEXT[key],
                        count=count,
                        level=key,
                    )
                )
            x += width
        bars.append(
            Bar(y=n * (BAR_HEIGHT + BAR_GAP), code=area.code, name=area.name, segments=segments)
        )
    legend: list[tuple[int | None, str]] = [(level, LEVEL_FILLS[level]) for level in LEVELS]
    legend.append((None, UNASSESSED_FILL))
    height = len(bars) * (BAR_HEIGHT + BAR_GAP)
    return Chart(
        width=LABEL_WIDTH + PLOT_WIDTH + 10,
        height=height,
        label_width=LABEL_WIDTH,
        bar_height=BAR_HEIGHT,
        bars=bars,
        legend=legend,
    )
