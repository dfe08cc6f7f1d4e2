"""Charts for the editor pages: inline SVG drawn on the server, each with its data table.

    labels + one or more series of counts -> bar_chart (horizontal bars, one panel
                                             per series, each with its own scale)
    (year, count) pairs                   -> column_chart (one column per year)
    -> Chart: the SVG markup and the rows of the table the page shows after it

No JavaScript and no style attributes (the site's CSP allows neither): shapes
and text carry classes styled in style.css. The SVG is `role="img"` with a
title and a description; the numbers are printed beside the bars and again in
the table, so nothing is told by colour alone. All text is escaped here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 720
LABEL_WIDTH = 250  # the bar charts' column of row labels
LABEL_CHARS = 30  # longer labels are cut (the table has them whole)
ROW = 26
BAR = 16
TOP = 30  # room for the panel headings
GAP = 24  # between panels
VALUE_ROOM = 48  # right of the longest bar, for its number
COLUMN_HEIGHT = 180
MIN_LABEL_SPACING = 44  # between year labels under the columns


@dataclass(frozen=True)
class Series:
    heading: str
    values: tuple[int, ...]
    css: str = "chart-bar"  # class of its bars (style.css)


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    svg: Markup
    columns: tuple[str, ...]  # the table's column headings; the first heads the row names
    rows: tuple[tuple[str, tuple[int, ...]], ...]


def _svg(chart_id: str, title: str, description: str, height: int, body: list[str]) -> Markup:
    head = (f'<svg class="chart-svg" role="img" viewBox="0 0 {WIDTH} {height}" '
            f'aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc" '
            f'focusable="false" xmlns="http://www.w3.org/2000/svg">'
            f'<title id="{chart_id}-title">{escape(title)}</title>'
            f'<desc id="{chart_id}-desc">{escape(description)}</desc>')
    return Markup(head + "".join(body) + "</svg>")


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1] + "\u2026"


HATCH = ('<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
         'patternTransform="rotate(45)"><rect class="chart-hatch-bg" width="6" height="6"/>'
         '<line class="chart-hatch-line" x1="0" y1="0" x2="0" y2="6"/></pattern></defs>')


def bar_chart(chart_id: str, title: str, description: str, labels: Sequence[str],
              series: Sequence[Series], row_heading: str) -> Chart:
    """Horizontal bars: a row per label, a panel per series (each scaled to its largest
    value, so a small series next to a large one stays readable)."""
    count = len(labels)
    height = TOP + count * ROW + 8
    panel_width = (WIDTH - LABEL_WIDTH - GAP * (len(series) - 1)) / len(series)
    body = [HATCH] if any("hatched" in s.css for s in series) else []
    for row, label in enumerate(labels):
        y = TOP + row * ROW + ROW / 2
        body.append(f'<text class="chart-text" x="{LABEL_WIDTH - 8}" y="{y:.1f}" '
                    f'text-anchor="end" dominant-baseline="middle">{escape(_short(label))}</text>')
    for number, one in enumerate(series):
        left = LABEL_WIDTH + number * (panel_width + GAP)
        largest = max(one.values, default=0) or 1
        scale = (panel_width - VALUE_ROOM) / largest
        body.append(f'<text class="chart-heading" x="{left:.1f}" y="18">'
                    f'{escape(one.heading)}</text>')
        body.append(f'<line class="chart-axis" x1="{left:.1f}" y1="{TOP - 4}" '
                    f'x2="{left:.1f}" y2="{height - 6}"/>')
        for row, value in enumerate(one.values):
            top = TOP + row * ROW + (ROW - BAR) / 2
            width = value * scale
            if value:
                body.append(f'<rect class="{one.css}" x="{left:.1f}" y="{top:.1f}" '
                            f'width="{width:.1f}" height="{BAR}"/>')
            body.append(f'<text class="chart-value" x="{left + width + 5:.1f}" '
                        f'y="{top + BAR / 2:.1f}" dominant-baseline="middle">{value:,}</text>')
    rows = tuple((label, tuple(s.values[i] for s in series)) for i, label in enumerate(labels))
    return Chart(chart_id, title, description, _svg(chart_id, title, description, height, body),
                 (row_heading, *(s.heading for s in series)), rows)


def column_chart(chart_id: str, title: str, description: str,
                 counts: Sequence[tuple[int, int]], heading: str, row_heading: str) -> Chart:
    """One column per year from the first to the last in `counts` (years between
    without summaries are drawn as empty, so gaps in time show)."""
    found = dict(counts)
    years = list(range(min(found), max(found) + 1)) if found else []
    height = COLUMN_HEIGHT + 54
    left, right, base = 40, WIDTH - 10, COLUMN_HEIGHT + 24
    step = (right - left) / max(len(years), 1)
    largest = max(found.values(), default=0) or 1
    every = max(1, int(-(-MIN_LABEL_SPACING // step)))
    body = [f'<text class="chart-heading" x="{left}" y="14">{escape(heading)}</text>',
            f'<line class="chart-axis" x1="{left}" y1="{base}" x2="{right}" y2="{base}"/>']
    for i, year in enumerate(years):
        value = found.get(year, 0)
        tall = value / largest * (COLUMN_HEIGHT - 12)
        x = left + i * step
        middle = x + step / 2
        if value:
            body.append(f'<rect class="chart-bar" x="{x + step * 0.12:.1f}" '
                        f'y="{base - tall:.1f}" width="{step * 0.76:.1f}" height="{tall:.1f}"/>')
            if step >= 16:
                body.append(f'<text class="chart-value" x="{middle:.1f}" y="{base - tall - 4:.1f}" '
                            f'text-anchor="middle">{value}</text>')
        if (len(years) - 1 - i) % every == 0:  # counted from the newest: it is always named
            body.append(f'<text class="chart-text" x="{middle:.1f}" y="{base + 18}" '
                        f'text-anchor="middle">{year}</text>')
    rows = tuple((str(year), (found[year],)) for year in years if year in found)
    return Chart(chart_id, title, description, _svg(chart_id, title, description, height, body),
                 (row_heading, heading), rows)
