"""Report charts drawn on the server as SVG (no script, no third-party host).

Each chart is drawn from a report table and shown beside that table, which says the
same in words and numbers for screen readers; a suppressed figure is drawn as a gap
with "suppressed" written in it, never as a bar.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _

from alongside.reports.result import Table

WIDTH = 320
LABEL_W = 110
BAR_H, GAP, TOP = 14, 6, 6
# Colours of stacked series, distinguishable in grey too; the legend names each. Set as
# presentation attributes, so the PDF renderer (which ignores page CSS in SVG) draws them.
SERIES = ("#1f5f4a", "#7aa893", "#c9a227", "#8a4b00", "#50575e")
BAR, INK, MUTED = "#1f5f4a", "#1d2327", "#50575e"


def _num(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _fmt(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _open(height: int, title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'class="report-chart" role="img" aria-label={quoteattr(title)}>',
        f"<title>{escape(title)}</title>",
    ]


def _label(y: float, text: str) -> str:
    short = text if len(text) <= 18 else text[:17] + "…"
    return (
        f'<text x="{LABEL_W - 4}" y="{y + BAR_H - 3}" text-anchor="end" fill="{INK}" '
        f'font-size="10">{escape(short)}</text>'
    )


def bars_svg(table: Table) -> str:
    """One horizontal bar per row (not the total) for the chart's column."""
    column = table.chart.column
    rows = [row for row in table.rows if not row.is_total]
    values = [_num(row.cells[column].shown) for row in rows]
    top = max(values, default=0) or 1
    plot_w = WIDTH - LABEL_W - 40
    height = TOP * 2 + len(rows) * (BAR_H + GAP)
    parts = _open(height, f"{table.title}: {table.columns[column]}")
    for i, row in enumerate(rows):
        y = TOP + i * (BAR_H + GAP)
        cell = row.cells[column]
        parts.append(_label(y, row.label))
        if cell.suppressed:
            parts.append(
                f'<text x="{LABEL_W + 2}" y="{y + BAR_H - 3}" fill="{MUTED}" '
                f'font-style="italic" font-size="10">{escape(_("suppressed"))}</text>'
            )
            continue
        width = round(plot_w * values[i] / top, 1)
        text = f"{_fmt(cell.value)}{table.chart.unit}"
        parts.append(
            f'<rect fill="{BAR}" x="{LABEL_W}" y="{y}" width="{width}" height="{BAR_H}">'
            f"<title>{escape(row.label)}: {escape(text)}</title></rect>"
        )
        parts.append(
            f'<text x="{LABEL_W + width + 3}" y="{y + BAR_H - 3}" fill="{INK}" '
            f'font-size="10">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def stacked_svg(table: Table) -> str:
    """Each row's parts as shares of one 100 % bar, with a legend (a total column is the
    whole, not a part)."""
    rows = [row for row in table.rows if not row.is_total]
    series = len(table.columns) - (1 if table.row_total else 0)
    plot_w = WIDTH - LABEL_W - 10
    legend_h = 16
    height = TOP * 2 + len(rows) * (BAR_H + GAP) + legend_h
    parts = _open(height, table.title)
    for i, row in enumerate(rows):
        y = TOP + i * (BAR_H + GAP)
        parts.append(_label(y, row.label))
        cells = row.cells[:series]
        if any(cell.suppressed for cell in cells):
            parts.append(
                f'<text x="{LABEL_W + 2}" y="{y + BAR_H - 3}" fill="{MUTED}" '
                f'font-style="italic" font-size="10">{escape(_("suppressed"))}</text>'
            )
            continue
        total = sum(_num(cell.value) for cell in cells) or 1
        x = float(LABEL_W)
        for j, cell in enumerate(cells):
            width = round(plot_w * _num(cell.value) / total, 1)
            if width <= 0:
                continue
            share = round(100 * _num(cell.value) / total)
            parts.append(
                f'<rect fill="{SERIES[j % len(SERIES)]}" x="{x}" y="{y}" width="{width}" '
                f'height="{BAR_H}"><title>{escape(row.label)}, {escape(table.columns[j])}: '
                f"{share}%</title></rect>"
            )
            x += width
    y = height - legend_h + 4
    x = float(LABEL_W)
    for j, name in enumerate(table.columns[:series]):
        parts.append(
            f'<rect fill="{SERIES[j % len(SERIES)]}" x="{x}" y="{y}" width="8" height="8"/>'
            f'<text x="{x + 10}" y="{y + 8}" fill="{INK}" font-size="9">{escape(name)}</text>'
        )
        x += 12 + 6 * len(name)
    parts.append("</svg>")
    return "".join(parts)


def chart_svg(table: Table) -> str:
    if table.chart is None or not table.rows:
        return ""
    return stacked_svg(table) if table.chart.kind == "stacked" else bars_svg(table)
