"""The "promises kept" panel on the public service page, and the disclosure desk page."""

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from charter.accounts.models import Customer, User
from charter.audit.models import AuditEvent
from charter.catalog.models import Service, ServiceCommitment
from charter.reports.models import DisclosureSettings
from charter.reports.services import disclosure_settings_save, figures_refresh
from charter.surveys.models import SurveyVersion
from tests.conftest import client_for
from tests.reports.conftest import commitment, local, make_case, make_clock, make_response

pytestmark = pytest.mark.django_db

NOVEMBER = local(2026, 11, 5, 9, 0)
PAGE = "/services/water-connection/"


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _populate(service: Service, customer: Customer, version: SurveyVersion, count: int) -> None:
    """`count` cases resolved in October, each with a met resolution clock and a satisfied answer, and one
    breached first-response clock and one unsatisfied answer per four cases."""
    resolution = commitment(service, ServiceCommitment.Metric.RESOLUTION)
    first_response = commitment(service, ServiceCommitment.Metric.FIRST_RESPONSE)
    for index in range(count):
        at = local(2026, 10, 10, 10, 0) + dt.timedelta(hours=index)
        case = make_case(customer, service, resolved_at=at)
        make_clock(case, resolution, "met", met_at=at)
        make_clock(case, first_response, "breached", breached_at=at, metric="first_response")
        make_response(version, customer, service, csat=5 if index % 4 else 2, submitted_at=at)


def _get(client: Client, at: dt.datetime = NOVEMBER) -> str:
    with time_machine.travel(at, tick=False):
        response = client.get(PAGE)
    assert response.status_code == 200
    return _text(response)


def test_nothing_is_shown_before_the_first_refresh(
    service: Service, customer: Customer, survey_version: SurveyVersion
) -> None:
    _populate(service, customer, survey_version, 4)

    assert "兑现情况" not in _get(Client())


def test_the_page_shows_the_figures_with_their_date_and_method(
    service: Service, customer: Customer, survey_version: SurveyVersion
) -> None:
    _populate(service, customer, survey_version, 4)
    figures_refresh(at=NOVEMBER)

    page = _get(Client())

    assert "承诺兑现情况" in page
    assert "上月：2026年10月" in page
    assert "上季度：2026年第3季度" in page
    assert "已办结案件" in page
    assert '兑现：受理后 2 个工作日内答复</th> <td>100%</td><td>4 <span class="badge warn">样本较少' in page
    assert "兑现：4 个工作小时内联系您</th> <td>0%</td>" in page
    assert "<td>75%</td><td>4 " in page
    assert "数据计算于 2026-11-05 09:00" in page
    assert "统计方法" in page
    assert "Asia/Shanghai" in page
    # The third quarter had no cases: each share says why it is empty.
    assert "本期没有适用此项承诺的时限结束。" in page
    assert "本期没有收到满意度评价。" in page


def test_the_page_speaks_english(service: Service, customer: Customer, survey_version: SurveyVersion) -> None:
    _populate(service, customer, survey_version, 4)
    figures_refresh(at=NOVEMBER)
    page = _get(Client(HTTP_ACCEPT_LANGUAGE="en"))

    assert "Promises kept" in page
    assert "Last month: October 2026" in page
    assert "Last quarter: Q3 2026" in page
    assert "Kept: Answer within 2 working days" in page


def test_provisional_figures_are_not_shown(
    service: Service, customer: Customer, survey_version: SurveyVersion
) -> None:
    _populate(service, customer, survey_version, 4)
    figures_refresh(at=local(2026, 10, 31, 23, 30))  # October not over yet; the third quarter is

    page = _get(Client(), at=local(2026, 11, 1, 0, 10))

    assert "上月" not in page
    assert "上季度：2026年第3季度" in page


def test_disclosure_settings_hide_figures(
    administrator: User, service: Service, customer: Customer, survey_version: SurveyVersion
) -> None:
    _populate(service, customer, survey_version, 4)
    figures_refresh(at=NOVEMBER)
    disclosure_settings_save(
        actor=administrator,
        show_cases_handled=False,
        show_commitments=True,
        show_satisfaction=False,
        minimum_sample=1,
    )

    page = _get(Client())

    assert "兑现：受理后 2 个工作日内答复" in page
    assert "已办结案件" not in page
    assert "满意客户" not in page


def test_nothing_is_shown_when_every_figure_is_off(
    administrator: User, service: Service, customer: Customer, survey_version: SurveyVersion
) -> None:
    _populate(service, customer, survey_version, 4)
    figures_refresh(at=NOVEMBER)
    disclosure_settings_save(
        actor=administrator,
        show_cases_handled=False,
        show_commitments=False,
        show_satisfaction=False,
        minimum_sample=1,
    )

    assert "承诺兑现情况" not in _get(Client())


def test_a_share_below_the_minimum_sample_is_withheld(
    administrator: User, service: Service, customer: Customer, survey_version: SurveyVersion
) -> None:
    _populate(service, customer, survey_version, 4)
    figures_refresh(at=NOVEMBER)
    disclosure_settings_save(
        actor=administrator,
        show_cases_handled=True,
        show_commitments=True,
        show_satisfaction=True,
        minimum_sample=5,
    )

    page = _get(Client())

    assert "100%" not in page
    assert "未公布：样本少于 5" in page
    assert "样本量少于 5 的比例不予公布" in page


def test_a_large_sample_has_no_small_sample_mark(
    service: Service, customer: Customer, survey_version: SurveyVersion
) -> None:
    _populate(service, customer, survey_version, 32)
    figures_refresh(at=NOVEMBER)

    page = _get(Client())

    assert "<td>100%</td><td>32</td>" in page
    assert "<td>75%</td><td>32</td>" in page


def test_the_public_page_runs_a_fixed_number_of_queries(
    service: Service, customer: Customer, survey_version: SurveyVersion
) -> None:
    _populate(service, customer, survey_version, 2)
    figures_refresh(at=NOVEMBER)
    with time_machine.travel(NOVEMBER, tick=False):
        with CaptureQueriesContext(connection) as few:
            Client().get(PAGE)
        _populate(service, customer, survey_version, 60)
        figures_refresh(at=NOVEMBER)
        with CaptureQueriesContext(connection) as many:
            page = Client().get(PAGE)
        before = [q["sql"] for q in few.captured_queries]

    assert len(many) == len(few) <= 6, before
    assert "<td>62</td>" in _text(page)


def test_the_panel_costs_one_query_with_or_without_figures(
    administrator: User, service: Service, customer: Customer, survey_version: SurveyVersion
) -> None:
    with time_machine.travel(NOVEMBER, tick=False):
        with CaptureQueriesContext(connection) as without:
            Client().get(PAGE)
        _populate(service, customer, survey_version, 2)
        figures_refresh(at=NOVEMBER)
        with CaptureQueriesContext(connection) as with_figures:
            Client().get(PAGE)
        disclosure_settings_save(
            actor=administrator,
            show_cases_handled=True,
            show_commitments=True,
            show_satisfaction=True,
            minimum_sample=3,
        )
        with CaptureQueriesContext(connection) as with_settings:
            page = Client().get(PAGE)

    reports_queries = [q for q in with_settings.captured_queries if "reports_" in q["sql"]]
    assert len(without) == len(with_figures) == len(with_settings) <= 6
    assert len(reports_queries) == 1
    assert "未公布：样本少于 3 个" in _text(page)


def test_the_desk_page_is_for_administrators(member: User, supervisor: User) -> None:
    assert client_for(member).get("/desk/reports/disclosure/").status_code == 403
    assert client_for(supervisor).get("/desk/reports/disclosure/").status_code == 403
    assert client_for(member).post("/desk/reports/disclosure/", {"minimum_sample": 3}).status_code == 403
    anonymous = Client().get("/desk/reports/disclosure/")
    assert anonymous.status_code == 302
    assert not DisclosureSettings.objects.exists()


def test_an_administrator_saves_the_disclosure_settings(administrator: User) -> None:
    client = client_for(administrator)
    assert client.get("/desk/reports/disclosure/").status_code == 200

    response = client.post(
        "/desk/reports/disclosure/",
        {"show_cases_handled": "on", "show_satisfaction": "on", "minimum_sample": 20},
    )

    assert response.status_code == 302
    row = DisclosureSettings.objects.get()
    assert (row.show_cases_handled, row.show_commitments, row.show_satisfaction) == (True, False, True)
    assert row.minimum_sample == 20
    event = AuditEvent.objects.get(action="reports.disclosure_save")
    assert event.actor == administrator
    assert event.data["after"]["show_commitments"] is False


def test_the_desk_form_refuses_a_zero_minimum(administrator: User) -> None:
    response = client_for(administrator).post("/desk/reports/disclosure/", {"minimum_sample": 0})

    assert response.status_code == 200
    assert not DisclosureSettings.objects.exists()
