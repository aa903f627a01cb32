"""The corrective action report as tables for download (CSV or XLSX through charter.common.exports) and as
charts for its page."""

import datetime as dt

from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from charter.common import charts
from charter.common.exports import Cell, Table
from charter.improvement.selectors import CorrectiveActionReport, ReportRow


def _headers(first: str) -> list[str]:
    return [
        first,
        _("Opened"),
        _("Closed"),
        _("Open now"),
        _("Overdue now"),
        _("Effective"),
        _("Not effective"),
    ]


def _row(row: ReportRow, label: str) -> list[Cell]:
    return [label, row.opened, row.closed, row.active, row.overdue, row.effective, row.ineffective]


def report_tables(report: CorrectiveActionReport) -> list[Table]:
    """The report's total, by source and by team, one table each."""
    first = timezone.localtime(report.since).date().isoformat()
    last = (timezone.localtime(report.until) - dt.timedelta(days=1)).date().isoformat()
    period = f"{first} – {last}"
    return [
        Table(
            title=_("Corrective actions %(period)s") % {"period": period},
            headers=_headers(_("Total")),
            rows=[_row(report.total, _("All"))],
        ),
        Table(
            title=_("By source"),
            headers=_headers(_("Found through")),
            rows=[_row(row, row.label) for row in report.by_source],
        ),
        Table(
            title=_("By team"),
            headers=_headers(_("Team")),
            rows=[_row(row, row.label or _("No team")) for row in report.by_team],
        ),
    ]


def _state_chart(chart_id: str, title: str, rows: list[tuple[str, ReportRow]]) -> SafeString:
    return charts.stacked_bar_chart(
        chart_id=chart_id,
        title=title,
        description=_(
            "Corrective actions overdue now, open and on time now, and closed in the period, of each group."
        ),
        segments=[
            charts.Segment(_("Overdue now"), "bad"),
            charts.Segment(_("Open, on time"), "primary"),
            charts.Segment(_("Closed in the period"), "ok"),
        ],
        bars=[
            charts.StackedBar(label, [row.overdue, max(row.active - row.overdue, 0), row.closed])
            for label, row in rows
        ],
        empty_text=_("No corrective action open now or closed in the period."),
        caption=True,
    )


def report_charts(report: CorrectiveActionReport) -> list[SafeString]:
    """The report's charts: open, overdue and closed actions by source and by team, and the effectiveness
    checks by source."""
    by_source = [(row.label, row) for row in report.by_source]
    return [
        _state_chart("actions-by-source", _("Corrective actions by source"), by_source),
        _state_chart(
            "actions-by-team",
            _("Corrective actions by team"),
            [(row.label or _("No team"), row) for row in report.by_team],
        ),
        charts.stacked_bar_chart(
            chart_id="actions-effectiveness",
            title=_("Effectiveness checks by source"),
            description=_(
                "The checks of the period that found the action effective, and those that did not."
            ),
            segments=[charts.Segment(_("Effective"), "ok"), charts.Segment(_("Not effective"), "bad")],
            bars=[
                charts.StackedBar(label, [row.effective, row.ineffective])
                for label, row in by_source
                if row.effective or row.ineffective
            ],
            empty_text=_("No effectiveness check in the period."),
            caption=True,
        ),
    ]
