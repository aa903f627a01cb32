"""The results desk: who may see it, what it shows and its downloads (charts: tests/common/test_charts.py)."""

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from charter.accounts.models import Customer, Team, User
from charter.accounts.roles import Role
from charter.cases.permissions import can_view_case
from charter.surveys import analysis
from charter.surveys.permissions import can_view_results
from tests.accounts.factories import UserFactory
from tests.cases.conftest import new_case
from tests.conftest import client_for
from tests.surveys.factories import InvitationFactory, ResponseFactory, published_service

pytestmark = pytest.mark.django_db

URL = "/desk/surveys/results/"
EXPORTS = ["summary.csv", "summary.xlsx", "responses.csv", "responses.xlsx"]


@pytest.fixture
def responses(team: Team, member: User) -> None:
    water = published_service("water", "供水", "Water supply")
    now = timezone.now()
    for index, (csat, nps, comment) in enumerate(
        [
            (5, 10, "水费账单清楚"),
            (4, 9, "水费账单及时"),
            (2, 3, "<script>alert(1)</script>态度差"),
            (1, 0, "态度差"),
        ]
    ):
        ResponseFactory.create(
            submitted_at=now - dt.timedelta(days=index),
            service=water,
            team=team,
            channel="web",
            kind="inquiry",
            csat=csat,
            nps=nps,
            ces=4,
            comment=comment,
            agents=[member],
        )
    InvitationFactory.create(send_at=now)


def test_the_project_serves_the_desk_and_its_downloads_under_one_namespace() -> None:
    assert reverse("survey_results:dashboard") == URL
    assert [reverse(f"survey_results:{name}") for name in ("summary_csv", "summary_xlsx")] == [
        URL + "summary.csv",
        URL + "summary.xlsx",
    ]
    assert reverse("survey_results:responses_xlsx") == URL + "responses.xlsx"


def test_anonymous_visitors_are_sent_to_sign_in(client: Any) -> None:
    response = client.get(URL)

    assert response.status_code == 302 and "login" in response["Location"]


def test_an_agent_gets_403(member: User) -> None:
    assert client_for(member).get(URL).status_code == 403


@pytest.mark.parametrize("export", EXPORTS)
def test_an_agent_gets_403_on_every_export(member: User, export: str) -> None:
    assert client_for(member).get(URL + export).status_code == 403


def test_seeing_a_case_does_not_mean_seeing_its_rating(routed_team: Team, customer: Customer) -> None:
    # given a case its handler may see, and the customer's rating of it
    case = new_case(None, customer)
    handler = case.assignee
    assert handler is not None and can_view_case(handler, case)
    ResponseFactory.create(case=case, csat=1, nps=0, team=case.team, handler=handler, agents=[handler])
    # and a colleague who may see every case
    auditor = UserFactory.create(username="auditor", roles=[Role.AGENT])
    auditor.user_permissions.add(Permission.objects.get(codename="view_all_cases"))
    auditor = User.objects.get(pk=auditor.pk)
    assert can_view_case(auditor, case) and not can_view_results(auditor)

    for user in (handler, auditor):
        assert client_for(user).get(URL).status_code == 403
        assert client_for(user).get(URL + "responses.csv").status_code == 403


def test_a_supervisor_sees_the_results(supervisor: User, responses: None) -> None:
    response = client_for(supervisor).get(URL)

    assert response.status_code == 200
    body = response.content.decode()
    assert "50.0%" in body  # CSAT: 2 of 4
    assert "n = 4" in body
    assert "CSAT = (4 + 5) / n" in body  # the formulas are on the page
    assert "<svg" in body and "<title" in body
    assert "供水" in body  # the service by its published name
    assert "态度" in body  # a theme
    assert "水费 · 账单" in body


def test_the_page_escapes_comments_and_has_no_inline_style_or_script(
    supervisor: User, responses: None
) -> None:
    body = client_for(supervisor).get(URL + "?date_from=&date_to=").content.decode()

    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert " style=" not in body and "<style" not in body
    assert re.findall(r"<script(?![^>]*\ssrc=)", body) == []


def test_the_page_warns_about_small_samples_and_shows_the_time_zone(
    supervisor: User, responses: None
) -> None:
    supervisor.time_zone = "Europe/London"
    supervisor.save(update_fields=["time_zone"])

    body = client_for(supervisor).get(URL).content.decode()

    assert "Europe/London" in body
    assert "badge warn" in body


def test_a_user_with_the_permission_alone_sees_the_results(db: None) -> None:
    reader = UserFactory.create(username="reader", roles=[Role.AGENT])
    reader.user_permissions.add(Permission.objects.get(codename="view_results"))

    assert client_for(reader).get(URL).status_code == 200


def test_an_empty_period_says_so(supervisor: User) -> None:
    response = client_for(supervisor).get(URL)

    assert response.status_code == 200
    assert "<svg" not in response.content.decode()
    assert 'class="muted chart-empty"' in response.content.decode()


def test_filters_apply_and_a_reversed_period_is_an_error(supervisor: User, responses: None) -> None:
    client = client_for(supervisor)
    today = timezone.localdate()

    only_today = client.get(URL, {"date_from": today.isoformat(), "date_to": today.isoformat()})
    reversed_period = client.get(URL, {"date_from": today.isoformat(), "date_to": "2000-01-01"})

    assert "n = 1" in only_today.content.decode()
    assert reversed_period.status_code == 200
    assert reversed_period.context["form"].errors["date_to"]


def test_date_inputs_hold_iso_dates_in_chinese(supervisor: User) -> None:
    body = client_for(supervisor).get(URL).content.decode()

    assert f'name="date_to" value="{timezone.localdate().isoformat()}"' in body


def test_the_trend_switches_to_months_and_keeps_the_default_period(supervisor: User, responses: None) -> None:
    response = client_for(supervisor).get(URL, {"period": "month"})

    assert response.context["period"] == "month"
    assert response.context["filters"].date_from == timezone.localdate() - dt.timedelta(days=89)
    assert 'id="trend-month-title"' in response.content.decode()


def test_summary_csv_download(supervisor: User, responses: None) -> None:
    response = client_for(supervisor).get(URL + "summary.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="survey-results-\d{8}\.csv"', response["Content-Disposition"])
    assert response.content.startswith("\ufeff".encode())
    assert "供水" in response.content.decode("utf-8-sig")


def test_summary_xlsx_download(supervisor: User, responses: None) -> None:
    response = client_for(supervisor).get(URL + "summary.xlsx")

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert re.fullmatch(r'attachment; filename="survey-results-\d{8}\.xlsx"', response["Content-Disposition"])
    assert len(load_workbook(io.BytesIO(response.content)).sheetnames) == 10


def test_responses_csv_download_is_streamed(supervisor: User, responses: None) -> None:
    response = client_for(supervisor).get(URL + "responses.csv", {"service": "", "kind": "inquiry"})

    assert response.streaming
    assert re.fullmatch(
        r'attachment; filename="survey-responses-\d{8}\.csv"', response["Content-Disposition"]
    )
    text = response.getvalue().decode("utf-8-sig")
    assert text.count("\n") == 5  # headings and four responses
    assert "<script>alert(1)</script>态度差" in text  # a file, not a page: kept as written


def test_responses_xlsx_download(supervisor: User, responses: None) -> None:
    response = client_for(supervisor).get(URL + "responses.xlsx")

    assert re.fullmatch(
        r'attachment; filename="survey-responses-\d{8}\.xlsx"', response["Content-Disposition"]
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None and sheet.max_row == 5


@pytest.mark.parametrize("export", ["responses.csv", "responses.xlsx"])
def test_more_responses_than_one_export_may_hold_are_refused_with_the_filters_kept(
    supervisor: User, responses: None, settings: Any, export: str
) -> None:
    from charter.audit.models import AuditEvent

    settings.CHARTER_EXPORT_MAX_ROWS = 3  # four responses match
    client = client_for(supervisor)
    response = client.get(URL + export, {"kind": "inquiry"})

    assert response.status_code == 302
    assert response["Location"] == URL + "?kind=inquiry"
    assert not AuditEvent.objects.filter(action="audit.list_export").exists()
    page = client.get(response["Location"]).content.decode()
    assert "请缩小筛选范围" in page

    settings.CHARTER_EXPORT_MAX_ROWS = 4
    assert client.get(URL + export, {"kind": "inquiry"}).status_code == 200
    assert AuditEvent.objects.filter(action="audit.list_export").count() == 1


def test_exports_refuse_other_methods(supervisor: User) -> None:
    assert client_for(supervisor).post(URL + "summary.csv").status_code == 405


def test_the_page_costs_the_same_queries_for_few_and_many_responses(
    supervisor: User, team: Team, monkeypatch: Any
) -> None:
    monkeypatch.setattr(analysis, "LOWEST_RATED_MINIMUM", 1)  # the lowest-rated services appear in both
    client = client_for(supervisor)
    water = published_service("water", "供水")

    def add(count: int) -> int:
        for index in range(count):
            ResponseFactory.create(
                service=water, team=team, csat=1 + index % 5, nps=index % 11, comment=f"水费账单{index}"
            )
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured.captured_queries)

    assert add(2) == add(18)
