"""A small server-side SVG line chart of one instrument's scores over time (no script).

The chart is drawn from completed responses only: x is the date completed, y the
definition's ``scoring.range``; band boundaries are light horizontal lines. It carries
no name, only dates and scores, and is always shown beside a data table that says the
same thing in words (see ``surveys/_trend.html``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _

WIDTH, HEIGHT = 300, 140
LEFT, RIGHT, TOP, BOTTOM = 34, 10, 10, 22


@dataclass(frozen=True)
class Point:
    when: datetime.date
    score: float
    band: str  # the band's label, or "" where it is not shown


def _fmt(value: float) -> str:
    return f"{value:g}"


def trend_svg(
    points: list[Point],
    *,
    low: float,
    high: float,
    boundaries: list[float] = (),
    title: str = "",
) -> str:
    """The SVG markup of the chart; points are drawn left to right in the order given."""
    span = (high - low) or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        clamped = min(max(value, low), high)
        return round(TOP + plot_h * (high - clamped) / span, 1)

    def x(index: int) -> float:
        if len(points) == 1:
            return round(LEFT + plot_w / 2, 1)
        return round(LEFT + plot_w * index / (len(points) - 1), 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label={quoteattr(title)}>',
        f"<title>{escape(title)}</title>",
    ]
    for value in (low, high):
        parts.append(
            f'<text class="axis" x="{LEFT - 4}" y="{y(value) + 4}" '
            f'text-anchor="end" font-size="10">{_fmt(value)}</text>'
        )
    parts.append(
        f'<line class="guide" x1="{LEFT}" y1="{y(low)}" x2="{WIDTH - RIGHT}" y2="{y(low)}"/>'
    )
    for boundary in boundaries:
        if low < boundary < high:
            parts.append(
                f'<line class="band-line" x1="{LEFT}" y1="{y(boundary)}" '
                f'x2="{WIDTH - RIGHT}" y2="{y(boundary)}"/>'
            )
    if points:
        first, last = points[0].when, points[-1].when
        parts.append(
            f'<text class="axis" x="{LEFT}" y="{HEIGHT - 6}" font-size="10">'
            f"{escape(first.isoformat())}</text>"
        )
        if len(points) > 1:
            parts.append(
                f'<text class="axis" x="{WIDTH - RIGHT}" y="{HEIGHT - 6}" font-size="10" '
                f'text-anchor="end">{escape(last.isoformat())}</text>'
            )
    if len(points) > 1:
        coords = " ".join(f"{x(i)},{y(p.score)}" for i, p in enumerate(points))
        parts.append(f'<polyline class="line" points="{coords}"/>')
    for i, point in enumerate(points):
        label = _("%(date)s: %(score)s") % {
            "date": point.when.isoformat(),
            "score": _fmt(point.score),
        }
        if point.band:
            label = f"{label} ({point.band})"
        parts.append(
            f'<circle class="dot" cx="{x(i)}" cy="{y(point.score)}" r="3.5">'
            f"<title>{escape(label)}</title></circle>"
        )
    parts.append("</svg>")
    return "".join(parts)
