"""The management dashboard's charts, drawn with charter.common.charts (inline SVG, no script): each has a
<title>, a <desc> listing its figures, and its numbers written beside the shapes."""

import datetime as dt

from django.utils import formats
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from charter.common import charts
from charter.reports.figures import DashboardFigures, Row

BARS = 10  # the longest breakdowns show their first ten rows (the table beside lists them all)


def _month(month: dt.date) -> str:
    return str(formats.date_format(month, "Y-m"))


def _percent(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _ratio_bars(rows: list[Row]) -> list[charts.Bar]:
    bars = []
    for row in rows[:BARS]:
        ratio = row.ratio
        if ratio is None:
            continue
        note = _("%(part)d of %(whole)d") % {"part": ratio.part, "whole": ratio.whole}
        bars.append(charts.Bar(row.label, _percent(ratio.percent), note))
    return bars


def _count_bars(rows: list[Row]) -> list[charts.Bar]:
    return [charts.Bar(row.label, float(row.count)) for row in rows[:BARS]]


def _count_domain(rows: list[Row]) -> tuple[float, float]:
    return 0, charts.nice_ceiling(max((row.count for row in rows), default=1))


def _count_chart(
    rows: list[Row], *, chart_id: str, title: str, description: str, tone: str, empty_text: str
) -> SafeString:
    """A bar chart of counts (complaints by category or root cause, violations by clause)."""
    return charts.bar_chart(
        chart_id=chart_id,
        title=title,
        description=description,
        bars=_count_bars(rows),
        domain=_count_domain(rows),
        value_suffix="",
        tone=tone,
        empty_text=empty_text,
        caption=True,
    )


def dashboard_charts(figures: DashboardFigures, *, survey_results: bool = True) -> dict[str, SafeString]:
    """Return the page's charts by name: sla_kind, sla_service, backlog, categories, root_causes,
    violations, trend_shares, trend_nps, trend_received. Without `survey_results` (a reader who may not see
    survey results) the CSAT and 好评 series and the NPS chart are left out."""
    months = [_month(point.month) for point in figures.trend]
    trend = figures.trend
    survey_series = [
        charts.Series(_("CSAT"), [_percent(p.csat.percent) for p in trend], "primary"),
        charts.Series(_("Good reviews"), [_percent(p.good_bad.percent) for p in trend], "ok"),
    ]
    result = {
        "sla_kind": charts.bar_chart(
            chart_id="dash-sla-kind",
            title=_("Time limits met, by kind of case"),
            description=_("Share of the time limits (SLA targets) met among those finished in the period."),
            bars=_ratio_bars(figures.sla_by_kind),
            empty_text=_("No time limit finished in the period."),
            caption=True,
        ),
        "sla_service": charts.bar_chart(
            chart_id="dash-sla-service",
            title=_("Time limits met, by service"),
            description=_("Share of the time limits met among those finished, for the services with most."),
            bars=_ratio_bars(figures.sla_by_service),
            empty_text=_("No time limit finished in the period."),
            caption=True,
        ),
        "backlog": charts.column_chart(
            chart_id="dash-backlog",
            title=_("Open cases by age"),
            description=_("Cases open now, by the time since they were received."),
            x_labels=[row.label for row in figures.backlog_ageing],
            values=[float(row.count) for row in figures.backlog_ageing],
            tone="warn",
            empty_text=_("No open cases."),
            caption=True,
        ),
        "categories": _count_chart(
            figures.complaints_by_category,
            chart_id="dash-categories",
            title=_("Complaints by category"),
            description=_("Complaints received in the period, by category."),
            tone="bad",
            empty_text=_("No complaint in the period."),
        ),
        "root_causes": _count_chart(
            figures.complaints_by_root_cause,
            chart_id="dash-root-causes",
            title=_("Complaints by root cause"),
            description=_("Complaints resolved in the period, by the root cause recorded."),
            tone="secondary",
            empty_text=_("No complaint resolved with a root cause in the period."),
        ),
        "violations": _count_chart(
            figures.violations_by_clause,
            chart_id="dash-violations",
            title=_("Violations by clause"),
            description=_("Violations of the code of conduct recorded in the period, by clause."),
            tone="warn",
            empty_text=_("No violation recorded in the period."),
        ),
        "trend_shares": charts.line_chart(
            chart_id="dash-trend-shares",
            title=_("Satisfaction, 好差评 and time limits by month"),
            description=_(
                "By month over the last twelve: CSAT (share of 4-5), good reviews (好评) among all ratings, "
                "time limits met, and the average QA score."
            ),
            x_labels=months,
            series=[
                *(survey_series if survey_results else []),
                charts.Series(_("Time limits met"), [_percent(p.sla.percent) for p in trend], "warn"),
                charts.Series(_("QA score"), [_percent(p.qa_average) for p in trend], "secondary"),
            ],
            y_range=(0, 100),
            y_ticks=[0, 25, 50, 75, 100],
            x_title=_("Month"),
            y_title=_("Per cent"),
            value_suffix="%",
            empty_text=_("No answers, reviews or time limits in these months."),
            caption=True,
        ),
        "trend_nps": charts.line_chart(
            chart_id="dash-trend-nps",
            title=_("NPS by month"),
            description=_("Net promoter score by month: per cent of 9-10 minus per cent of 0-6."),
            x_labels=months,
            series=[charts.Series(_("NPS"), [_percent(p.nps.score) for p in trend], "primary")],
            y_range=(-100, 100),
            y_ticks=[-100, -50, 0, 50, 100],
            x_title=_("Month"),
            y_title=_("NPS"),
            empty_text=_("No NPS answer in these months."),
            caption=True,
        ),
        "trend_received": charts.column_chart(
            chart_id="dash-trend-received",
            title=_("Cases received by month"),
            description=_("Cases received in each of the last twelve months."),
            x_labels=months,
            values=[float(p.received) for p in trend],
            empty_text=_("No case received in these months."),
            caption=True,
        ),
    }
    if not survey_results:
        del result["trend_nps"]
    return result
