"""Charts drawn on the server as inline SVG: a line chart for trends, horizontal bars for breakdowns.

No JavaScript and no style attributes, which the content security policy forbids: shapes are coloured with
SVG presentation attributes (fill, stroke), which it allows. Every text is escaped (format_html). Each chart
has a <title> and <desc> for screen readers, each point and bar its own <title>, and a chart without data is
a sentence saying so.
"""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

TEXT = "#334155"
AXIS = "#94a3b8"
GRID = "#e2e8f0"
PALETTE = ("#2563eb", "#d97706", "#059669", "#dc2626")
FONT = "system-ui, sans-serif"

WIDTH = 720
LABEL_UNITS = 26  # what fits in the label column at 12px: 26 Latin letters or 13 Chinese characters


@dataclass(frozen=True)
class Series:
    """One line: a value (or None: no data) per x label."""

    name: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    note: str = ""  # shown after the value, e.g. "n = 23"


def _join(parts: Sequence[SafeString]) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _width(char: str) -> int:
    """Half-width units of a character: Chinese takes two, Latin one."""
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _short(label: str) -> str:
    """The label cut to fit left of the bars (LABEL_UNITS half-width units), with an ellipsis if cut."""
    if sum(_width(char) for char in label) <= LABEL_UNITS:
        return label
    kept, used = [], 0
    for char in label:
        used += _width(char)
        if used > LABEL_UNITS - 1:
            break
        kept.append(char)
    return "".join(kept) + "…"


def _empty(text: str) -> SafeString:
    return format_html('<p class="muted chart-empty">{}</p>', text)


def _open(chart_id: str, width: int, height: int, title: str, description: str) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" role="img" aria-labelledby="{id}-title {id}-desc" '
        'font-family="{font}" font-size="12" fill="{text}">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>',
        w=width,
        h=height,
        id=chart_id,
        font=FONT,
        text=TEXT,
        title=title,
        desc=description,
    )


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    y_range: tuple[float, float],
    y_ticks: Sequence[float],
    x_title: str,
    y_title: str,
    value_suffix: str = "",
    empty_text: str,
) -> SafeString:
    """Draw `series` over `x_labels` on a y axis from y_range[0] to y_range[1]; None values break a line."""
    if not x_labels or not any(value is not None for line in series for value in line.values):
        return _empty(empty_text)
    height, left, right, top, bottom = 300, 56, 44, 40, 56
    plot_width, plot_height = WIDTH - left - right, height - top - bottom
    low, high = y_range
    count = len(x_labels)

    def x_at(index: int) -> float:
        return left + (plot_width / 2 if count == 1 else plot_width * index / (count - 1))

    def y_at(value: float) -> float:
        value = min(max(value, low), high)
        return top + plot_height * (high - value) / (high - low)

    parts = [_open(chart_id, WIDTH, height, title, description)]
    for tick in y_ticks:
        y = _number(y_at(tick))
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>',
                left,
                y,
                WIDTH - right,
                y,
                AXIS if tick == 0 else GRID,
                left - 6,
                y,
                f"{_number(tick)}{value_suffix}",
            )
        )
    every = max(1, -(-count // 12))  # at most about twelve labels under the axis
    for index, label in enumerate(x_labels):
        last_fits = index == count - 1 and index % every > every // 2
        if index % every == 0 or last_fits:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" font-size="11">{}</text>',
                    _number(x_at(index)),
                    top + plot_height + 18,
                    label,
                )
            )
    parts.append(
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>'
            '<text x="{}" y="{}" text-anchor="middle">{}</text>'
            '<text x="14" y="{}" text-anchor="middle" transform="rotate(-90 14 {})">{}</text>',
            left,
            top + plot_height,
            WIDTH - right,
            top + plot_height,
            AXIS,
            left + plot_width / 2,
            height - 8,
            x_title,
            top + plot_height / 2,
            top + plot_height / 2,
            y_title,
        )
    )
    for number, line in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        legend_x = left + number * 160
        parts.append(
            format_html(
                '<line x1="{}" y1="16" x2="{}" y2="16" stroke="{}" stroke-width="3"/>'
                '<text x="{}" y="16" dominant-baseline="middle">{}</text>',
                legend_x,
                legend_x + 20,
                colour,
                legend_x + 26,
                line.name,
            )
        )
        run: list[str] = []
        runs: list[list[str]] = []
        for index, value in enumerate(line.values):
            if value is None:
                if run:
                    runs.append(run)
                run = []
                continue
            run.append(f"{_number(x_at(index))},{_number(y_at(value))}")
        if run:
            runs.append(run)
        for points in runs:
            if len(points) > 1:
                parts.append(
                    format_html(
                        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>',
                        " ".join(points),
                        colour,
                    )
                )
        for index, value in enumerate(line.values):
            if value is not None:
                parts.append(
                    format_html(
                        '<circle cx="{}" cy="{}" r="3.5" fill="{}"><title>{} · {}: {}{}</title></circle>',
                        _number(x_at(index)),
                        _number(y_at(value)),
                        colour,
                        x_labels[index],
                        line.name,
                        _number(value),
                        value_suffix,
                    )
                )
    parts.append(SafeString("</svg>"))
    return _join(parts)


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[Bar],
    domain: tuple[float, float] = (0, 100),
    value_suffix: str = "%",
    empty_text: str,
) -> SafeString:
    """Draw one horizontal bar per item, from zero to its value within `domain`; None draws no bar."""
    if not bars or all(bar.value is None for bar in bars):
        return _empty(empty_text)
    row, label_width, right, top = 28, 170, 130, 8
    low, high = domain
    plot_width = WIDTH - label_width - right
    height = top + row * len(bars) + 24

    def x_at(value: float) -> float:
        value = min(max(value, low), high)
        return label_width + plot_width * (value - low) / (high - low)

    zero = x_at(0 if low <= 0 <= high else low)
    parts = [_open(chart_id, WIDTH, height, title, description)]
    for index, bar in enumerate(bars):
        y = top + index * row
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle"><title>{}</title>{}</text>',
                label_width - 8,
                y + row / 2,
                bar.label,
                _short(bar.label),
            )
        )
        if bar.value is None:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" dominant-baseline="middle" fill="{}">–</text>',
                    zero + 4,
                    y + row / 2,
                    AXIS,
                )
            )
            continue
        end = x_at(bar.value)
        value_text = f"{_number(bar.value)}{value_suffix}"
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>'
                '<text x="{}" y="{}" dominant-baseline="middle">{}</text>',
                _number(min(zero, end)),
                y + 5,
                _number(max(abs(end - zero), 1)),
                row - 10,
                PALETTE[0],
                bar.label,
                value_text,
                _number(max(zero, end) + 6),
                y + row / 2,
                f"{value_text} · {bar.note}" if bar.note else value_text,
            )
        )
    axis_y = top + row * len(bars)
    parts.append(
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>'
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>'
            '<text x="{}" y="{}" text-anchor="middle" font-size="11">{}</text>'
            '<text x="{}" y="{}" text-anchor="middle" font-size="11">{}</text>',
            label_width,
            axis_y,
            label_width + plot_width,
            axis_y,
            AXIS,
            _number(zero),
            top,
            _number(zero),
            axis_y,
            AXIS,
            label_width,
            axis_y + 16,
            f"{_number(low)}{value_suffix}",
            label_width + plot_width,
            axis_y + 16,
            f"{_number(high)}{value_suffix}",
        )
    )
    parts.append(SafeString("</svg>"))
    return _join(parts)
