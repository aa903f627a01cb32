"""The QA report's charts: the average score by month, by criterion and by clause, and the most breached
clauses, drawn from the report's own tables above them."""

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from charter.accounts.models import User
from charter.cases.models import Case
from charter.cases.services import case_reply
from charter.common.exports import Table
from charter.quality.models import Review, ScorecardVersion
from charter.quality.reports import report_tables
from charter.quality.selectors import criterion_list
from charter.quality.services import ScoreInput, findings_from_replies, review_sample, review_scores_save
from charter.quality.views_reports import report_charts
from tests.conftest import client_for
from tests.quality.conftest import resolve

URL = "/desk/quality/reports/"


def _tables(**rows: list[list[Any]]) -> list[Table]:
    """The five tables of report_tables, in its order and column layout, with the given rows."""
    names = ["by_agent", "by_team", "by_criterion", "by_clause", "breached"]
    return [Table(name, [], rows.get(name, [])) for name in names]


def test_the_month_average_weighs_each_agent_by_his_reviews() -> None:
    tables = _tables(
        by_agent=[
            ["2026-03", "li", 1, Decimal("40.00"), None],
            ["2026-03", "zhao", 3, Decimal("80.00"), Decimal("100.00")],
            ["2026-04", "li", 2, Decimal("55.50"), None],
        ]
    )

    with translation.override("en"):
        month = str(report_charts(tables)[0])

    assert 'data-testid="chart-qa-by-month"' in month
    assert "<title>2026-03: 70</title>" in month and "<title>2026-04: 55.5</title>" in month


def test_criteria_and_clauses_are_averaged_over_the_months_the_weakest_first() -> None:
    tables = _tables(
        by_criterion=[
            ["2026-03", "Opening", "Greeting", "1.6", 2, Decimal("50.00"), 1],
            ["2026-04", "Opening", "Greeting", "1.6", 2, Decimal("100.00"), 0],
            ["2026-03", "Communication", "Patience", "2.3", 4, Decimal("25.00"), 2],
        ],
        by_clause=[
            ["2026-03", "code-of-conduct", "1.6", "Greet the customer", 4, Decimal("75.00"), 1],
            ["2026-03", "code-of-conduct", "2.3", "Be patient", 4, Decimal("25.00"), 2],
        ],
        breached=[["code-of-conduct", "2.3", "Be patient", 2, 5, 7]],
    )

    with translation.override("en"):
        _month, criterion, clause, breached = (str(chart) for chart in report_charts(tables))

    assert criterion.index("Patience (2.3)") < criterion.index("Greeting (1.6)")
    assert "Greeting (1.6): 75% · n = 4" in criterion and "Patience (2.3): 25% · n = 4" in criterion
    assert "2.3 Be patient: 25% · n = 4" in clause
    assert "code-of-conduct" not in clause  # one document: its code is left out
    assert "2.3 Be patient: 7 (Failed in reviews 2, Reply-check findings 5)" in breached


def test_empty_tables_draw_sentences() -> None:
    with translation.override("en"):
        charts = [str(chart) for chart in report_charts(_tables())]

    assert [chart.count("chart-empty") for chart in charts] == [1, 1, 1, 1]
    assert "No reviews in this period." in charts[0]


@pytest.fixture
def review(case: Case, member: User, qa_reviewer: User, scorecard_version: ScorecardVersion) -> Review:
    """A submitted review of alice's reply: greeting failed, patience and resolution 3 of 5, confidentiality
    kept; her reply also breaks a communication clause for the reply checks."""
    findings_from_replies()
    case_reply(actor=member, case=case, body="您好，这事不归我管。")
    findings_from_replies()
    resolve(case, member)
    made = review_sample(case=case, agent=member, scorecard_version=scorecard_version, reason="manual")
    assert made is not None
    review_scores_save(
        actor=made.reviewer,
        review=made,
        version=made.version,
        scores=[
            ScoreInput(criterion.pk, value, "")
            for criterion, value in zip(
                criterion_list(version=made.scorecard_version), [0, 3, 3, 1], strict=True
            )
        ],
        submit=True,
    )
    made.refresh_from_db()
    return made


@pytest.mark.django_db
def test_the_page_draws_the_charts_from_its_tables_above_them(
    review: Review, member: User, teammate: User
) -> None:
    html = client_for(member).get(URL).content.decode()
    other = client_for(teammate).get(URL).content.decode()
    tables = report_tables(user=member)

    charts = html.index('data-testid="qa-report-charts"')
    assert charts < html.index(f"<h2>{tables[0].title}</h2>")
    for name in ("qa-by-month", "qa-by-criterion", "qa-by-clause", "qa-breached"):
        assert f'data-testid="chart-{name}"' in html
    month = review.month.strftime("%Y-%m")
    score = f"{review.overall_score.normalize():f}".rstrip(".")  # type: ignore[union-attr]
    assert f"<title>{month}: {score}</title>" in html  # the month's average is the one review's score
    assert "条款1.6 (1.6)：0%" in html  # the failed greeting, named in the <desc>
    assert "<title>2026" not in other  # the teammate sees no review of alice's
    assert ' style="' not in html
