"""Survey results as files: the dashboard's tables and the raw responses, as CSV and XLSX.

CSV is UTF-8 with a byte order mark, so that Excel opens Chinese text correctly. Every text cell is
neutralised against formula injection (OWASP, CSV injection): a value that starts with =, +, -, @, a tab
or a carriage return gets a leading apostrophe, so a spreadsheet shows it as text instead of running it.
Numbers stay numbers. Times are in the reader's time zone.
"""

import csv
import io
import itertools
from collections.abc import Iterator

from django.db.models import OuterRef, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from charter.catalog.models import Channel
from charter.common.exports import BOM, Cell, Table, csv_line, sheet_title, xlsx_cell
from charter.common.vocabulary import CaseKind
from charter.surveys.analysis import (
    Dashboard,
    Group,
    ResultFilter,
    Scores,
    TrendPoint,
    latest_public_version,
    response_list,
    service_name,
)
from charter.surveys.metrics import Metric


def _share(metric: Metric) -> list[Cell]:
    """A share as percentages with one decimal: value, interval low, interval high, n."""
    if metric.value is None:
        return [None, None, None, 0]
    return [
        round(float(metric.value) * 100, 1),
        round((metric.low or 0) * 100, 1),
        round((metric.high or 0) * 100, 1),
        metric.n,
    ]


def _plain(metric: Metric, digits: int) -> list[Cell]:
    """A score (NPS, CES) with its interval and n."""
    if metric.value is None:
        return [None, None, None, 0]
    return [
        round(float(metric.value), digits),
        round(metric.low, digits) if metric.low is not None else None,
        round(metric.high, digits) if metric.high is not None else None,
        metric.n,
    ]


def _score_headers() -> list[str]:
    return [
        _("CSAT (%)"),
        # xgettext:no-python-format
        _("CSAT 95% low"),
        # xgettext:no-python-format
        _("CSAT 95% high"),
        _("CSAT answers"),
        _("NPS"),
        # xgettext:no-python-format
        _("NPS 95% low"),
        # xgettext:no-python-format
        _("NPS 95% high"),
        _("NPS answers"),
        _("CES"),
        # xgettext:no-python-format
        _("CES 95% low"),
        # xgettext:no-python-format
        _("CES 95% high"),
        _("CES answers"),
    ]


def _score_cells(scores: Scores) -> list[Cell]:
    return [*_share(scores.csat), *_plain(scores.nps, 1), *_plain(scores.ces, 2)]


def _trend_table(title: str, points: list[TrendPoint]) -> Table:
    return Table(
        title,
        [_("Period"), _("Starts on"), _("Responses"), *_score_headers()],
        [
            [point.label, point.start.isoformat(), point.scores.responses, *_score_cells(point.scores)]
            for point in points
        ],
    )


def _breakdown_table(title: str, heading: str, groups: list[Group]) -> Table:
    return Table(
        title,
        [heading, _("Responses"), *_score_headers()],
        [[group.label, group.scores.responses, *_score_cells(group.scores)] for group in groups],
    )


def dashboard_tables(dashboard: Dashboard) -> list[Table]:
    """Return the tables of the results page: headline figures, trends, breakdowns, lowest-rated services
    and themes."""
    overview = dashboard.overview
    small = _("yes")

    def headline(name: str, cells: list[Cell], metric: Metric) -> list[Cell]:
        return [name, *cells, small if metric.is_small_sample and metric.n else ""]

    tables = [
        Table(
            _("Headline figures"),
            [
                pgettext("metric", "Measure"),
                _("Value"),
                # xgettext:no-python-format
                _("95% low"),
                # xgettext:no-python-format
                _("95% high"),
                _("n"),
                _("Small sample"),
            ],
            [
                headline(_("CSAT (%)"), _share(overview.scores.csat), overview.scores.csat),
                headline(_("NPS"), _plain(overview.scores.nps, 1), overview.scores.nps),
                headline(_("CES"), _plain(overview.scores.ces, 2), overview.scores.ces),
                headline(_("Response rate (%)"), _share(overview.response_rate), overview.response_rate),
            ],
        ),
        _trend_table(_("By week"), dashboard.weekly),
        _trend_table(_("By month"), dashboard.monthly),
    ]
    headings = {
        "service": (_("By service"), _("Service")),
        "team": (_("By team"), _("Team")),
        "agent": (_("By member of staff"), _("Member of staff")),
        "channel": (_("By channel"), _("Channel")),
        "kind": (_("By kind of case"), _("Kind of case")),
    }
    for dimension, groups in dashboard.breakdowns.items():
        title, heading = headings[dimension]
        tables.append(_breakdown_table(title, heading, groups))
    tables.append(
        Table(
            _("Lowest-rated services"),
            [_("Service"), _("Responses"), *_score_headers(), _("Recent comments")],
            [
                [
                    item.label,
                    item.scores.responses,
                    *_score_cells(item.scores),
                    "\n".join(comment.text for comment in item.comments),
                ]
                for item in dashboard.lowest_rated
            ],
        )
    )
    tables.append(
        Table(
            _("Themes in comments"),
            [_("Theme"), _("Comments"), _("Examples")],
            [[theme.label, theme.count, "\n".join(theme.examples)] for theme in dashboard.themes],
        )
    )
    return tables


def response_export_headers() -> list[str]:
    return [
        _("Answered at"),
        _("Service"),
        _("Team"),
        _("Handler"),
        _("Channel"),
        _("Kind of case"),
        _("CSAT"),
        _("NPS score"),
        _("CES"),
        _("Comment"),
    ]


def response_export_rows(filters: ResultFilter) -> Iterator[list[Cell]]:
    """Yield one row per response matching `filters`, newest first, with the time in filters.tz (one query,
    read in chunks)."""
    latest = latest_public_version(OuterRef("service_id"))
    responses = (
        response_list(filters)
        .select_related("service", "team", "handler")
        .annotate(
            service_name_zh=Subquery(latest.values("name_zh")[:1]),
            service_name_en=Subquery(latest.values("name_en")[:1]),
        )
        .order_by("-submitted_at", "-pk")
    )
    for response in responses.iterator(chunk_size=2000):
        service = ""
        if response.service is not None:
            service = service_name(
                name_zh=response.service_name_zh, name_en=response.service_name_en, slug=response.service.slug
            )
        yield [
            timezone.localtime(response.submitted_at, filters.tz),
            service,
            str(response.team) if response.team else "",
            str(response.handler) if response.handler else "",
            str(Channel(response.channel).label) if response.channel in Channel.values else response.channel,
            str(CaseKind(response.kind).label) if response.kind in CaseKind.values else response.kind,
            response.csat,
            response.nps,
            response.ces,
            response.comment,
        ]


def responses_csv(filters: ResultFilter, *, limit: int | None = None) -> Iterator[bytes]:
    """Stream the responses matching `filters` (the newest `limit`, when given) as UTF-8 CSV with a BOM, a
    line at a time, in the language active now (the lines are written later, while the response is sent)."""
    language = translation.get_language()

    def lines() -> Iterator[bytes]:
        with translation.override(language):
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            yield (BOM + csv_line(writer, buffer, response_export_headers())).encode("utf-8")
            for row in itertools.islice(response_export_rows(filters), limit):
                yield csv_line(writer, buffer, row).encode("utf-8")

    return lines()


def responses_xlsx(filters: ResultFilter, *, limit: int | None = None) -> bytes:
    """Write the responses matching `filters` (the newest `limit`, when given) as an XLSX workbook of one
    sheet."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(_("Responses"), set()))
    sheet.append(response_export_headers())
    for row in itertools.islice(response_export_rows(filters), limit):
        sheet.append([xlsx_cell(cell) for cell in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
