"""Accessible charts as server-side SVG (no JavaScript, nothing from a CDN).

Each chart is an `<svg role="img">` with a `<title>` and a `<desc>` that says what it shows;
the page puts the same figures in a table beside it (WCAG 1.1.1). Series are told apart by
pattern and label, not by colour alone. Colours are the app's palette, at least 3:1 against
white.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

PALETTE = ("#00558c", "#b35900", "#1e6b30", "#6b2d8a", "#8a1c1c", "#4a4a4a")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")
# The average width of a character at the bar labels' 13 px (sans-serif, Finnish text), to
# size the label column; generous, so that labels are not clipped.
LABEL_CHAR_PX = 7.4


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    for step in (1, 2, 2.5, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 5:
            return step * 5 if value > step * 4 else max(step * 4, value)
    return value * 1.1


def bar_chart(
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    unit: str = "",
    target: float | None = None,
    target_label: str = "",
    width: int = 640,
    bar_height: int = 26,
    ident: str = "c",
) -> Markup:
    """Horizontal bars, one per label, each with its value written beside it. The label
    column is as wide as the longest label needs (at most 45 % of the chart); a label longer
    than that is shortened with an ellipsis and keeps its full text as a tooltip. `ident`
    makes the title's and description's ids unique when a page has several charts."""
    longest = max((len(label) for label in labels), default=0)
    left = int(min(max(120, longest * LABEL_CHAR_PX + 16), width * 0.45))
    fits = max(4, int((left - 16) / LABEL_CHAR_PX))
    right, top = 70, 10
    height = top + len(labels) * (bar_height + 8) + 30
    scale_max = _nice_max(max([*values, target or 0, 0]))
    plot = width - left - right
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{ident}-t {ident}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ident}-t">{escape(title)}</title>'
        f'<desc id="{ident}-d">{escape(description)}</desc>',
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + i * (bar_height + 8)
        w = max(0.0, plot * (value or 0) / scale_max)
        shown = label if len(label) <= fits else label[: fits - 1].rstrip() + "…"
        tooltip = f"<title>{escape(label)}</title>" if shown != label else ""
        parts.append(
            f'<text x="{left - 8}" y="{y + bar_height * 0.7:.0f}" text-anchor="end" '
            f'font-size="13" fill="#1b1b1b">{tooltip}{escape(shown)}</text>'
            f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_height}" '
            f'fill="{PALETTE[0]}"/>'
            f'<text x="{left + w + 6:.1f}" y="{y + bar_height * 0.7:.0f}" font-size="13" '
            f'fill="#1b1b1b">{_fmt(value or 0)}{escape(unit)}</text>'
        )
    if target is not None:
        x = left + plot * target / scale_max
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4}" y2="{height - 26}" '
            f'stroke="#8a1c1c" stroke-width="2" stroke-dasharray="6 3"/>'
            f'<text x="{x:.1f}" y="{height - 10}" text-anchor="middle" font-size="12" '
            f'fill="#8a1c1c">{escape(target_label)} {_fmt(target)}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(
    title: str,
    description: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    unit: str = "",
    target: float | None = None,
    target_label: str = "",
    width: int = 640,
    height: int = 260,
    y_max: float | None = None,
    ident: str = "l",
) -> Markup:
    """Lines over time; each series has its own dash pattern and an end label. `ident` makes
    the title's and description's ids unique when a page has several charts."""
    left, right, top, bottom = 48, 150, 12, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series for v in s.values if v is not None]
    scale_max = y_max or _nice_max(max([*values, target or 0, 0]))
    n = max(1, len(x_labels) - 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + plot_w * i / n, top + plot_h * (1 - v / scale_max)

    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" aria-labelledby="{ident}-t {ident}-d" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ident}-t">{escape(title)}</title>'
        f'<desc id="{ident}-d">{escape(description)}</desc>',
    ]
    for k in range(5):
        v = scale_max * k / 4
        _, y = xy(0, v)
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d0d5da"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#4a4a4a">{_fmt(v)}</text>'
        )
    step = max(1, len(x_labels) // 6)
    for i in range(0, len(x_labels), step):
        x, _ = xy(i, 0)
        parts.append(
            f'<text x="{x:.1f}" y="{height - 12}" text-anchor="middle" font-size="11" '
            f'fill="#4a4a4a">{escape(x_labels[i])}</text>'
        )
    if target is not None:
        _, y = xy(0, target)
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#8a1c1c" stroke-width="2" stroke-dasharray="6 3"/>'
            f'<text x="{left + plot_w + 6}" y="{y + 4:.1f}" font-size="12" fill="#8a1c1c">'
            f"{escape(target_label)} {_fmt(target)}{escape(unit)}</text>"
        )
    for s_index, s in enumerate(series):
        colour = PALETTE[s_index % len(PALETTE)]
        dash = DASHES[s_index % len(DASHES)]
        points = [xy(i, v) for i, v in enumerate(s.values) if v is not None]
        if not points:
            continue
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"'
            f"{dash_attr}/>"
        )
        last_x, last_y = points[-1]
        last_value = next(v for v in reversed(s.values) if v is not None)
        parts.append(
            f'<text x="{last_x + 6:.1f}" y="{last_y + 4:.1f}" font-size="12" fill="{colour}">'
            f"{escape(s.label[:18])} {_fmt(last_value)}{escape(unit)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
