"""The team load page's charts: open cases per team and per handler, split by how near their limits are."""

from collections.abc import Sequence

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from charter.cases.selectors import CaseStats, HandlerLoad, TeamLoad
from charter.common import charts


def _segments() -> list[charts.Segment]:
    return [
        charts.Segment(_("Breached"), "bad"),
        charts.Segment(_("Near breach"), "warn"),
        charts.Segment(_("On track"), "primary"),
    ]


def _bar(label: str, row: TeamLoad | HandlerLoad) -> charts.StackedBar:
    on_track = max(row.open_cases - row.breached - row.near_breach_only, 0)
    return charts.StackedBar(label, [row.breached, row.near_breach_only, on_track])


def _chart(chart_id: str, title: str, description: str, bars: Sequence[charts.StackedBar]) -> SafeString:
    return charts.stacked_bar_chart(
        chart_id=chart_id,
        title=title,
        description=description,
        segments=_segments(),
        bars=bars,
        empty_text=_("No open cases."),
        caption=True,
    )


def load_charts(stats: CaseStats) -> dict[str, SafeString]:
    """Return the page's two charts: `teams` and `handlers` (busiest first)."""
    handlers = sorted(stats.handlers, key=lambda row: (-row.open_cases, str(row.user)))
    return {
        "teams": _chart(
            "load-teams",
            _("Open cases by team"),
            _("Open cases of each team: with a time limit breached, near breach, and on track."),
            [_bar(str(row.team), row) for row in stats.teams],
        ),
        "handlers": _chart(
            "load-handlers",
            _("Open cases by handler"),
            _("Open cases of each handler: with a time limit breached, near breach, and on track."),
            [_bar(str(row.user), row) for row in handlers],
        ),
    }
