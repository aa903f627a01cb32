"""The violations report's charts and its months: by clause and by month, above the tables."""

import datetime as dt
import re

from django.utils import timezone

from charter.accounts.models import User
from charter.conduct.selectors import violation_report
from tests.conduct.conftest import NOW, Recorder
from tests.conftest import client_for

URL = "/desk/conduct/reports/"
QUERY = {"since": "2026-01-01", "until": "2026-03-02"}


def _start(day: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(day))


def test_months_are_the_readers_and_none_is_left_out(
    record: Recorder, supervisor: User, teammate: User
) -> None:
    record()  # 1 March, 10:00 in Shanghai
    record(staff=teammate, occurred_at=dt.datetime(2026, 1, 31, 16, 30, tzinfo=dt.UTC))  # 1 February, 00:30

    report = violation_report(user=supervisor, since=_start("2026-01-01"), until=_start("2026-03-03"))

    assert [(row.label, row.count) for row in report.by_month] == [
        ("2026-01", 0),
        ("2026-02", 1),
        ("2026-03", 1),
    ]
    assert report.total == 2


def test_the_page_draws_both_charts_above_the_tables_and_exports_the_months(
    record: Recorder, supervisor: User, teammate: User
) -> None:
    record()
    record(staff=teammate)
    client = client_for(supervisor)

    html = client.get(URL, QUERY).content.decode()
    csv = client.get(URL, {**QUERY, "format": "csv"}).content.decode("utf-8-sig")

    charts = html.index('data-testid="violation-report-charts"')
    assert charts < html.index("<h2>按条款</h2>")
    assert (
        'data-testid="chart-violations-by-clause"' in html
        and 'data-testid="chart-violations-by-month"' in html
    )
    assert re.search(r"<title>2\.3 [^<]*: 2</title>", html)  # the clause's bar, named with its count
    assert "<title>2026-03: 2</title>" in html and "2026-01：0；2026-02：0；2026-03：2" in html
    assert 'data-testid="violations-by-month-table"' in html
    assert "2026-03,2" in csv.replace("\r", "")
    assert ' style="' not in html


def test_a_period_without_violations_says_so_in_each_chart(frozen: object, supervisor: User) -> None:
    html = client_for(supervisor).get(URL, {**QUERY, "since": "2026-02-01"}).content.decode()

    assert html.count('<p class="muted chart-empty">') == 2


def test_the_default_period_renders_iso_dates_for_the_date_pickers(frozen: object, supervisor: User) -> None:
    html = client_for(supervisor).get(URL).content.decode()

    today = NOW.astimezone(timezone.get_default_timezone()).date()
    assert f'value="{today.isoformat()}"' in html
