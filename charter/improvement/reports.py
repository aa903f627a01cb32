"""The corrective action report as tables for download (CSV or XLSX through charter.common.exports)."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

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
