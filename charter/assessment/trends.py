"""A person's indicator trends: the values snapshotted on his scorecards over his last cycles, drawn as
server-rendered line charts (charter/common/charts.py), one chart per unit so that a share in percent and a
count of minutes never share an axis."""

from collections.abc import Sequence
from decimal import Decimal

from django.utils.safestring import SafeString
from django.utils.translation import gettext, pgettext

from charter.assessment.indicators import INDICATORS, UNIT_LABELS, Unit
from charter.assessment.models import Scorecard, ScorecardLine
from charter.common import charts

TREND_CYCLES = 6


def _period_label(card: Scorecard) -> str:
    start, end = card.cycle.period_start, card.cycle.period_end
    if start.year == end.year and start.month == end.month:
        return f"{start:%Y-%m}"
    return f"{start:%Y-%m}–{end:%Y-%m}"


def indicator_trend_charts(*, cards: Sequence[Scorecard]) -> list[SafeString]:
    """Return one line chart per unit of the indicator values on `cards` (one person's scorecards, with their
    cycles loaded), oldest cycle first, the last TREND_CYCLES of them. One query for the lines."""
    chosen = sorted(cards, key=lambda card: card.cycle.period_start)[-TREND_CYCLES:]
    if not chosen:
        return []
    labels = [_period_label(card) for card in chosen]
    position = {card.pk: index for index, card in enumerate(chosen)}
    values: dict[str, list[Decimal | None]] = {}
    for line in ScorecardLine.objects.filter(
        scorecard__in=[card.pk for card in chosen], kind=ScorecardLine.Kind.INDICATOR
    ).order_by("pk"):
        if line.code not in INDICATORS:
            continue
        row = values.setdefault(line.code, [None] * len(chosen))
        row[position[line.scorecard_id]] = line.value
    by_unit: dict[Unit, list[str]] = {}
    for code in values:
        by_unit.setdefault(INDICATORS[code].unit, []).append(code)
    result = []
    for unit, codes in by_unit.items():
        series = [
            charts.Series(
                name=str(INDICATORS[code].name),
                values=[None if value is None else float(value) for value in values[code]],
            )
            for code in codes
        ]
        present = [value for line in series for value in line.values if value is not None]
        if unit == Unit.PERCENT:
            low, top = 0.0, 100.0
            ticks: list[float] = [0, 25, 50, 75, 100]
        else:
            # NPS runs from -100 to 100: an axis below zero only when a value is below it.
            top = charts.nice_ceiling(max(present, default=1))
            lowest = min(present, default=0)
            low = -charts.nice_ceiling(-lowest) if lowest < 0 else 0.0
            ticks = [low, 0, top] if low < 0 else [0, top / 2, top]
        unit_label = str(UNIT_LABELS[unit])
        result.append(
            charts.line_chart(
                chart_id=f"trend-{unit.value.replace('_', '-')}",
                title=gettext("Indicator trends (%(unit)s)") % {"unit": unit_label},
                description=gettext("Your indicator values over your last cycles, as snapshotted."),
                x_labels=labels,
                series=series,
                y_range=(low, top),
                y_ticks=ticks,
                x_title=pgettext("scorecard", "Period"),
                y_title=unit_label,
                value_suffix="%" if unit == Unit.PERCENT else "",
                empty_text=gettext("No indicator values yet."),
                caption=True,
            )
        )
    return result
