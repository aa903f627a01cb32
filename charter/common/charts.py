"""Charts drawn on the server as inline SVG, one module for every app: a line chart for trends, columns for
counts or scores per period, horizontal bars for breakdowns, and stacked horizontal bars for parts of a whole.

No JavaScript and no style attributes, which the content security policy forbids (`style-src 'self'`): every
shape and text is coloured by a class that charter.css defines (`chart-fill-<tone>`, `chart-stroke-<tone>`,
`chart-grid`, `chart-axis`...). Every text is escaped (format_html). Each chart has a <title> and a <desc> for
screen readers (role="img"; the bar charts' <desc> also lists their figures), every point, bar and segment
its own <title>, and its numbers written beside or inside the shapes. The SVG has a viewBox and no fixed size,
so it scales down to a 390 px screen. A chart without data is a sentence saying so.

With `caption=True` the chart comes inside a <figure> with its title as a visible <figcaption>, and
data-testid="chart-<chart_id>" for the browser tests.
"""

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import pgettext

WIDTH = 480  # user units; at 390 px the chart scales to about 0.75, so 13-unit text reads at 10 px
FONT_SIZE = 13
LABEL_UNITS = 20  # what fits in the label column at 13px: 20 Latin letters or 10 Chinese characters
TONES = ("primary", "warn", "ok", "bad", "secondary", "muted")  # chart-fill-<tone> / chart-stroke-<tone>
SUMMARY_ITEMS = 30  # at most this many figures are listed in a <desc>


@dataclass(frozen=True)
class Series:
    """One line: a value (or None: no data) per x label; `tone` defaults to the series' place in TONES."""

    name: str
    values: Sequence[float | None]
    tone: str = ""


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    note: str = ""  # shown after the value, e.g. "n = 23"


@dataclass(frozen=True)
class Segment:
    """One part of the stacked bars: its name in the legend and its colour (one of TONES)."""

    name: str
    tone: str


@dataclass(frozen=True)
class StackedBar:
    """One row of a stacked bar chart: a value per segment, in the order of the chart's segments."""

    label: str
    values: Sequence[float]


def _join(parts: Sequence[SafeString]) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _width(char: str) -> int:
    """Half-width units of a character: Chinese takes two, Latin one."""
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _text_width(text: str, font_size: float = FONT_SIZE) -> float:
    """About how wide `text` is drawn, in user units: a Latin letter taken as 0.55 em, a Chinese one 1.1."""
    return sum(_width(char) for char in text) * font_size * 0.55


def _short(label: str, units: int = LABEL_UNITS) -> str:
    """The label cut to fit in `units` half-width units, with an ellipsis if cut."""
    if sum(_width(char) for char in label) <= units:
        return label
    kept, used = [], 0
    for char in label:
        used += _width(char)
        if used > units - 1:
            break
        kept.append(char)
    return "".join(kept) + "…"


def _tone(tone: str, index: int) -> str:
    return tone if tone in TONES else TONES[index % len(TONES)]


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 × 10^k that is at least `value` (at least 1): the top of a count axis, whose
    middle is a whole number too from 2 on."""
    value = float(value)
    if not math.isfinite(value) or value <= 1:
        return 1
    power: int = 10 ** math.floor(math.log10(value))  # an int: value > 1, so the exponent is >= 0
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def _span(low: float, high: float) -> float:
    """The width of an axis from `low` to `high`; 1 when they are equal, so nothing divides by zero."""
    return float(high - low) or 1.0


def _summary(description: str, items: Sequence[tuple[str, str]]) -> str:
    """The description followed by the figures ("label: value; …"), the first SUMMARY_ITEMS of them."""
    if not items:
        return description
    shown = [
        pgettext("chart", "%(label)s: %(value)s") % {"label": label, "value": value} for label, value in items
    ]
    if len(items) > SUMMARY_ITEMS:
        shown = [*shown[:SUMMARY_ITEMS], "…"]
    separator = pgettext("chart", "; ")
    return f"{description} {separator.join(shown)}".strip()


def _figure(chart_id: str, title: str, body: SafeString, caption: bool) -> SafeString:
    if not caption:
        return body
    return format_html(
        '<figure class="chart-figure" data-testid="chart-{}">'
        '<figcaption class="chart-caption">{}</figcaption>{}</figure>',
        chart_id,
        title,
        body,
    )


def _empty(text: str) -> SafeString:
    return format_html('<p class="muted chart-empty">{}</p>', text)


def _open(chart_id: str, width: int, height: float, title: str, description: str) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{id}" viewBox="0 0 {w} {h}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" role="img" aria-labelledby="{id}-title {id}-desc" '
        'font-size="{size}">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>',
        w=width,
        h=_number(height),
        id=chart_id,
        size=FONT_SIZE,
        title=title,
        desc=description,
    )


def _legend(
    entries: Sequence[tuple[str, str]], *, top: float, width: int = WIDTH
) -> tuple[SafeString, float]:
    """Legend swatches with their names, wrapped into lines across `width`; returns it and its height."""
    parts, x, y = [], 0.0, top
    for name, tone in entries:
        needed = 20 + _text_width(name) + 18
        if x > 0 and x + needed > width:
            x, y = 0, y + 20
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="14" height="14" rx="2" class="chart-fill-{}"/>'
                '<text x="{}" y="{}" dominant-baseline="middle">{}</text>',
                _number(x),
                _number(y),
                tone,
                _number(x + 20),
                _number(y + 7),
                name,
            )
        )
        x += needed
    return _join(parts), y + 20 - top


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
    caption: bool = False,
) -> SafeString:
    """Draw `series` over `x_labels` on a y axis from y_range[0] to y_range[1]; None values break a line."""
    if not x_labels or not any(value is not None for line in series for value in line.values):
        return _figure(chart_id, title, _empty(empty_text), caption)
    legend, legend_height = _legend(
        [(line.name, _tone(line.tone, number)) for number, line in enumerate(series)], top=8
    )
    height, left, right, bottom = 300 + legend_height, 56, 24, 56
    top = 24 + legend_height
    plot_width, plot_height = WIDTH - left - right, height - top - bottom
    low, high = y_range
    count = len(x_labels)

    def x_at(index: int) -> float:
        return left + (plot_width / 2 if count == 1 else plot_width * index / (count - 1))

    def y_at(value: float) -> float:
        value = min(max(float(value), low), high)
        return top + plot_height * (high - value) / _span(low, high)

    parts = [_open(chart_id, WIDTH, height, title, description), legend]
    for tick in y_ticks:
        y = _number(y_at(tick))
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" class="{}"/>'
                '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>',
                left,
                y,
                WIDTH - right,
                y,
                "chart-axis" if tick == 0 else "chart-grid",
                left - 6,
                y,
                f"{_number(tick)}{value_suffix}",
            )
        )
    every = max(1, -(-count // 10))  # at most about ten labels under the axis
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
            '<line x1="{}" y1="{}" x2="{}" y2="{}" class="chart-axis"/>'
            '<text x="{}" y="{}" text-anchor="middle">{}</text>'
            '<text x="14" y="{}" text-anchor="middle" transform="rotate(-90 14 {})">{}</text>',
            left,
            _number(top + plot_height),
            WIDTH - right,
            _number(top + plot_height),
            left + plot_width / 2,
            _number(height - 8),
            x_title,
            _number(top + plot_height / 2),
            _number(top + plot_height / 2),
            y_title,
        )
    )
    for number, line in enumerate(series):
        parts.extend(
            _line_series(
                line,
                tone=_tone(line.tone, number),
                x_at=x_at,
                y_at=y_at,
                x_labels=x_labels,
                value_suffix=value_suffix,
            )
        )
    parts.append(SafeString("</svg>"))
    return _figure(chart_id, title, _join(parts), caption)


def _line_series(
    line: Series,
    *,
    tone: str,
    x_at: Callable[[int], float],
    y_at: Callable[[float], float],
    x_labels: Sequence[str],
    value_suffix: str,
) -> list[SafeString]:
    """Draw one series of a line chart: a polyline through each run of values (None breaks the line), and a
    dot on each value whose tooltip names its x label, the series and the value."""
    parts: list[SafeString] = []
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
                    '<polyline points="{}" class="chart-stroke-{}" fill="none" stroke-width="2"/>',
                    " ".join(points),
                    tone,
                )
            )
    for index, value in enumerate(line.values):
        if value is not None:
            parts.append(
                format_html(
                    '<circle cx="{}" cy="{}" r="3.5" class="chart-fill-{}">'
                    "<title>{} · {}: {}{}</title></circle>",
                    _number(x_at(index)),
                    _number(y_at(value)),
                    tone,
                    x_labels[index],
                    line.name,
                    _number(value),
                    value_suffix,
                )
            )
    return parts


def column_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    x_labels: Sequence[str],
    values: Sequence[float | None],
    domain: tuple[float, float] | None = None,
    value_suffix: str = "",
    tone: str = "primary",
    empty_text: str,
    caption: bool = False,
) -> SafeString:
    """Draw one column per x label (a month, a week) from zero to its value, the value written on top.

    `domain` defaults to zero up to a round number above the largest value (counts); None draws no column.
    """
    if not x_labels or all(value is None for value in values):
        return _figure(chart_id, title, _empty(empty_text), caption)
    present = [value for value in values if value is not None]
    low, high = domain or (0, nice_ceiling(max(present)))
    height, left, right, top, bottom = 260, 48, 12, 24, 36
    plot_width, plot_height = WIDTH - left - right, height - top - bottom
    count = len(x_labels)
    slot = plot_width / count
    column = max(min(slot * 0.6, 48), 2)

    def y_at(value: float) -> float:
        value = min(max(float(value), low), high)
        return top + plot_height * (high - value) / _span(low, high)

    items = [
        (label, f"{_number(value)}{value_suffix}")
        for label, value in zip(x_labels, values, strict=True)
        if value is not None
    ]
    parts = [_open(chart_id, WIDTH, height, title, _summary(description, items))]
    middle = (low + high) / 2
    ticks = (low, middle, high) if domain is not None or middle.is_integer() else (low, high)
    for tick in ticks:
        y = _number(y_at(tick))
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" class="{}"/>'
                '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle" font-size="11">{}</text>',
                left,
                y,
                WIDTH - right,
                y,
                "chart-axis" if tick == low else "chart-grid",
                left - 6,
                y,
                f"{_number(tick)}{value_suffix}",
            )
        )
    widest = max(_text_width(label, 11) for label in x_labels)
    every = max(1, math.ceil((widest + 6) / slot))  # labels that would overlap are thinned out
    value_fits = slot >= _text_width(f"{_number(high)}{value_suffix}", 11) + 2
    for index, (label, value) in enumerate(zip(x_labels, values, strict=True)):
        middle = left + slot * (index + 0.5)
        if index % every == 0:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" font-size="11">{}</text>',
                    _number(middle),
                    height - bottom + 18,
                    label,
                )
            )
        if value is None:
            continue
        value_text = f"{_number(value)}{value_suffix}"
        top_y = y_at(value)
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" class="chart-fill-{}">'
                "<title>{}: {}</title></rect>",
                _number(middle - column / 2),
                _number(top_y),
                _number(column),
                _number(max(y_at(low) - top_y, 1)),
                _tone(tone, 0),
                label,
                value_text,
            )
        )
        if value_fits and (value or domain is not None):  # a count of zero is the empty column itself
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" font-size="11" class="chart-value">{}</text>',
                    _number(middle),
                    _number(top_y - 5),
                    value_text,
                )
            )
    parts.append(SafeString("</svg>"))
    return _figure(chart_id, title, _join(parts), caption)


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[Bar],
    domain: tuple[float, float] | None = (0, 100),
    value_suffix: str = "%",
    tone: str = "primary",
    empty_text: str,
    caption: bool = False,
) -> SafeString:
    """Draw one horizontal bar per item, from zero to its value within `domain`; None draws no bar.

    `domain=None` runs from zero to a round number above the largest value (counts).
    """
    if not bars or all(bar.value is None for bar in bars):
        return _figure(chart_id, title, _empty(empty_text), caption)
    row, label_width, right, top = 28, 150, 110, 8
    low, high = domain or (0, nice_ceiling(max(bar.value for bar in bars if bar.value is not None)))
    plot_width = WIDTH - label_width - right
    height = top + row * len(bars) + 24

    def x_at(value: float) -> float:
        value = min(max(float(value), low), high)
        return label_width + plot_width * (value - low) / _span(low, high)

    def shown(bar: Bar) -> str:
        if bar.value is None:
            return "–"
        value_text = f"{_number(bar.value)}{value_suffix}"
        return f"{value_text} · {bar.note}" if bar.note else value_text

    zero = x_at(0 if low <= 0 <= high else low)
    parts = [
        _open(
            chart_id, WIDTH, height, title, _summary(description, [(bar.label, shown(bar)) for bar in bars])
        )
    ]
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
                    '<text x="{}" y="{}" dominant-baseline="middle" class="chart-muted">–</text>',
                    _number(zero + 4),
                    y + row / 2,
                )
            )
            continue
        end = x_at(bar.value)
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" class="chart-fill-{}">'
                "<title>{}: {}</title></rect>"
                '<text x="{}" y="{}" dominant-baseline="middle" class="chart-value">{}</text>',
                _number(min(zero, end)),
                y + 5,
                _number(max(abs(end - zero), 1)),
                row - 10,
                _tone(tone, 0),
                bar.label,
                f"{_number(bar.value)}{value_suffix}",
                _number(max(zero, end) + 6),
                y + row / 2,
                shown(bar),
            )
        )
    parts.append(
        _bar_axis(label_width, plot_width, top, top + row * len(bars), zero, low, high, value_suffix)
    )
    parts.append(SafeString("</svg>"))
    return _figure(chart_id, title, _join(parts), caption)


def _bar_axis(
    left: float,
    plot_width: float,
    top: float,
    axis_y: float,
    zero: float,
    low: float,
    high: float,
    suffix: str,
) -> SafeString:
    return format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" class="chart-axis"/>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" class="chart-axis"/>'
        '<text x="{}" y="{}" text-anchor="middle" font-size="11">{}</text>'
        '<text x="{}" y="{}" text-anchor="middle" font-size="11">{}</text>',
        left,
        _number(axis_y),
        _number(left + plot_width),
        _number(axis_y),
        _number(zero),
        _number(top),
        _number(zero),
        _number(axis_y),
        left,
        _number(axis_y + 16),
        f"{_number(low)}{suffix}",
        _number(left + plot_width),
        _number(axis_y + 16),
        f"{_number(high)}{suffix}",
    )


def stacked_bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    segments: Sequence[Segment],
    bars: Sequence[StackedBar],
    value_suffix: str = "",
    empty_text: str,
    caption: bool = False,
) -> SafeString:
    """Draw one horizontal bar per item, split into `segments` (a legend on top names them), from zero to the
    item's total; each segment's value is written inside it when it fits, the total after the bar.

    The axis runs from zero to a round number above the largest total. A chart whose totals are all zero
    says `empty_text`.
    """
    totals = [sum(bar.values) for bar in bars]
    if not bars or not any(totals):
        return _figure(chart_id, title, _empty(empty_text), caption)
    legend, legend_height = _legend([(segment.name, segment.tone) for segment in segments], top=6)
    row, label_width, right = 28, 150, 44
    top = 6 + legend_height + 6
    high = nice_ceiling(max(totals))
    plot_width = WIDTH - label_width - right
    height = top + row * len(bars) + 24

    def x_at(value: float) -> float:
        return label_width + plot_width * min(max(value, 0), high) / high

    def breakdown(bar: StackedBar, total: float) -> str:
        named = pgettext("chart", ", ").join(
            f"{segment.name} {_number(value)}{value_suffix}"
            for segment, value in zip(segments, bar.values, strict=True)
            if value
        )
        whole = f"{_number(total)}{value_suffix}"
        return (
            pgettext("chart", "%(total)s (%(parts)s)") % {"total": whole, "parts": named} if named else whole
        )

    items = [(bar.label, breakdown(bar, total)) for bar, total in zip(bars, totals, strict=True)]
    parts = [_open(chart_id, WIDTH, height, title, _summary(description, items)), legend]
    for index, (bar, total) in enumerate(zip(bars, totals, strict=True)):
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
        start = 0.0
        for segment, value in zip(segments, bar.values, strict=True):
            if value <= 0:
                continue
            x0, x1 = x_at(start), x_at(start + value)
            value_text = f"{_number(value)}{value_suffix}"
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" class="chart-fill-{}">'
                    "<title>{} · {}: {}</title></rect>",
                    _number(x0),
                    y + 4,
                    _number(max(x1 - x0, 1)),
                    row - 8,
                    segment.tone,
                    bar.label,
                    segment.name,
                    value_text,
                )
            )
            if x1 - x0 >= _text_width(value_text, 11) + 6:
                parts.append(
                    format_html(
                        '<text x="{}" y="{}" text-anchor="middle" dominant-baseline="middle" font-size="11" '
                        'class="chart-on-fill">{}</text>',
                        _number((x0 + x1) / 2),
                        y + row / 2,
                        value_text,
                    )
                )
            start += value
        parts.append(
            format_html(
                '<text x="{}" y="{}" dominant-baseline="middle" class="chart-value">{}</text>',
                _number(x_at(total) + 6),
                y + row / 2,
                f"{_number(total)}{value_suffix}",
            )
        )
    parts.append(
        _bar_axis(label_width, plot_width, top, top + row * len(bars), label_width, 0, high, value_suffix)
    )
    parts.append(SafeString("</svg>"))
    return _figure(chart_id, title, _join(parts), caption)
