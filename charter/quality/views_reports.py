"""The QA report page (charts above the tables) and its CSV/XLSX export."""

from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import Decimal

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from charter.accounts.models import User
from charter.accounts.permissions import is_staff_member
from charter.audit.list_exports import tables_export
from charter.common import charts
from charter.common.exports import EXTENSIONS, Cell, Table
from charter.common.list_exports import export_extension, form_filters
from charter.common.pages import page_rule
from charter.quality.forms import ReportFilterForm
from charter.quality.reports import Period, report_tables

BARS_SHOWN = 12  # criteria and clauses in a chart (the weakest first); the tables list them all

# Where the charts read charter.quality.reports.report_tables: the tables' places, then their columns.
BY_AGENT, BY_CRITERION, BY_CLAUSE, MOST_BREACHED = 0, 2, 3, 4
AGENT_MONTH, AGENT_REVIEWS, AGENT_SCORE = 0, 2, 3
CRITERION_TITLE, CRITERION_CLAUSE, CRITERION_SCORED, CRITERION_SCORE = 2, 3, 4, 5
CLAUSE_CODE, CLAUSE_NUMBER, CLAUSE_TITLE, CLAUSE_SCORED, CLAUSE_SCORE = 1, 2, 3, 4, 5
BREACHED_CODE, BREACHED_NUMBER, BREACHED_TITLE, BREACHED_REVIEWS, BREACHED_FINDINGS = 0, 1, 2, 3, 4


def _number(cell: Cell) -> float:
    return float(cell) if isinstance(cell, int | float | Decimal) else 0.0


def _weighted(
    table: Table, key: Callable[[list[Cell]], str], weight: int, value: int
) -> dict[str, tuple[float, float]]:
    """Per key: (the average of `value` weighted by `weight`, the total weight), over the table's rows."""
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for row in table.rows:
        if row[value] is None:
            continue
        sums[key(row)][0] += _number(row[value]) * _number(row[weight])
        sums[key(row)][1] += _number(row[weight])
    return {label: (total / count, count) for label, (total, count) in sums.items() if count}


def _label(*cells: Cell) -> str:
    return " ".join(str(cell) for cell in cells if cell not in (None, ""))


def _score_bars(scores: dict[str, tuple[float, float]]) -> list[charts.Bar]:
    weakest = sorted(scores.items(), key=lambda item: (item[1][0], item[0]))[:BARS_SHOWN]
    return [
        charts.Bar(label, score, pgettext("qa report", "n = %(n)d") % {"n": int(count)})
        for label, (score, count) in weakest
    ]


def report_charts(tables: Sequence[Table]) -> list[SafeString]:
    """Charts of the report's tables: the average score per month, per criterion and per clause (the
    weakest first), and the most breached clauses."""
    by_agent, by_criterion, by_clause = tables[BY_AGENT], tables[BY_CRITERION], tables[BY_CLAUSE]
    months = _weighted(by_agent, lambda row: str(row[AGENT_MONTH]), AGENT_REVIEWS, AGENT_SCORE)
    criteria = _weighted(
        by_criterion,
        lambda row: _label(row[CRITERION_TITLE], row[CRITERION_CLAUSE] and f"({row[CRITERION_CLAUSE]})"),
        CRITERION_SCORED,
        CRITERION_SCORE,
    )
    # The document's code only when the clauses come from more than one (it is long: code-of-conduct).
    codes = {row[CLAUSE_CODE] for row in by_clause.rows} | {
        row[BREACHED_CODE] for row in tables[MOST_BREACHED].rows
    }
    show_code = len(codes) > 1

    def clause(code: Cell, number: Cell, title: Cell) -> str:
        return _label(code if show_code else None, number, title)

    clauses = _weighted(
        by_clause,
        lambda row: clause(row[CLAUSE_CODE], row[CLAUSE_NUMBER], row[CLAUSE_TITLE]),
        CLAUSE_SCORED,
        CLAUSE_SCORE,
    )
    month_labels = sorted(months)
    return [
        charts.column_chart(
            chart_id="qa-by-month",
            title=_("Average score by month"),
            description=_("The average score of the reviews submitted each month, out of 100."),
            x_labels=month_labels,
            values=[round(months[month][0], 1) for month in month_labels],
            domain=(0, 100),
            empty_text=_("No reviews in this period."),
            caption=True,
        ),
        charts.bar_chart(
            chart_id="qa-by-criterion",
            title=_("Average score by criterion"),
            description=_(
                "Each criterion's average as a percentage of its best answer, the weakest first; n is how "
                "often it was scored."
            ),
            bars=_score_bars(criteria),
            empty_text=_("No scores in this period."),
            caption=True,
        ),
        charts.bar_chart(
            chart_id="qa-by-clause",
            title=_("Average score by clause"),
            description=_(
                "The average score of the criteria built on each clause, as a percentage, the weakest first."
            ),
            bars=_score_bars(clauses),
            empty_text=_("No scores in this period."),
            caption=True,
        ),
        charts.stacked_bar_chart(
            chart_id="qa-breached",
            title=_("Most breached clauses"),
            description=_("How often each clause was failed in reviews and found by the reply checks."),
            segments=[
                charts.Segment(_("Failed in reviews"), "bad"),
                charts.Segment(_("Reply-check findings"), "warn"),
            ],
            bars=[
                charts.StackedBar(
                    clause(row[BREACHED_CODE], row[BREACHED_NUMBER], row[BREACHED_TITLE]),
                    [_number(row[BREACHED_REVIEWS]), _number(row[BREACHED_FINDINGS])],
                )
                for row in tables[MOST_BREACHED].rows[:BARS_SHOWN]
            ],
            empty_text=_("No clause was breached in this period."),
            caption=True,
        ),
    ]


@page_rule(is_staff_member)
def report(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """QA scores over time by agent, team, criterion and clause, and the most breached clauses, in the
    user's scope (see charter.quality.reports); `?export=csv` or `xlsx` downloads them."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (is_staff_member)
    form = ReportFilterForm(request.GET or None)
    period = Period()
    if form.is_valid():
        period = Period(since=form.cleaned_data.get("since"), until=form.cleaned_data.get("until"))
    tables = report_tables(user=user, period=period)
    # `?format=` as on every list; `?export=`, the older name, still answers.
    extension = export_extension(request) or (
        request.GET["export"] if request.GET.get("export") in EXTENSIONS else None
    )
    if extension:
        return tables_export(
            request,
            name="quality.report",
            stem="qa-report",
            tables=tables,
            filters=form_filters(form),
            extension=extension,
        )
    query = request.GET.copy()
    query.pop("export", None)
    query.pop("format", None)
    return render(
        request,
        "quality/report.html",
        {"form": form, "tables": tables, "charts": report_charts(tables), "query": query.urlencode()},
    )
