"""/metrics: the token, and what a scraper reads after a request, an SLA warning, a mail and a failure."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from charter.accounts.models import Team
from charter.cases.models import CaseClock, TeamRouting
from charter.cases.services import case_clocks_sweep, case_create
from charter.common.taskqueue import db_task
from charter.common.tasks import heartbeat_record_task
from charter.mail.models import OutboundMessage
from charter.mail.outbound import mail_queue
from tests.accounts.factories import CustomerFactory

pytestmark = pytest.mark.django_db

TOKEN = "scraper-secret-0123456789"
MONDAY = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai, inside office hours


@db_task()
def _failing_task() -> None:
    raise RuntimeError("the task failed on purpose")


@pytest.fixture
def token(settings: Any) -> str:
    settings.CHARTER_METRICS_TOKEN = TOKEN
    return TOKEN


def _scrape(token: str = TOKEN) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def test_metrics_are_not_found_while_no_token_is_configured(settings: Any) -> None:
    settings.CHARTER_METRICS_TOKEN = ""

    response = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer anything")

    assert response.status_code == 404


@pytest.mark.parametrize(
    "authorization",
    [None, "", f"Token {TOKEN}", "Bearer wrong-token", f"Bearer {TOKEN}x", f"Basic {TOKEN}", "Bearer"],
)
def test_metrics_refuse_a_request_without_the_right_bearer_token(
    token: str, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}

    response = Client().get("/metrics", headers=headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"charter_" not in response.content


def test_a_request_is_counted_by_route_name_and_status_and_timed(token: str) -> None:
    before = _scrape()
    ok = ("charter_http_requests_total", (("method", "GET"), ("route", "healthz"), ("status", "200")))
    timed = ("charter_http_request_duration_seconds_count", (("route", "healthz"),))

    Client().get("/healthz")
    Client().get("/no/such/page/12345/")
    static = Client().get("/static/charter/no-such-file-12345.css")

    after = _scrape()
    assert after[ok] == before.get(ok, 0) + 1
    assert after[timed] == before.get(timed, 0) + 1
    missing = ("charter_http_requests_total", (("method", "GET"), ("route", "unresolved"), ("status", "404")))
    assert after[missing] == before.get(missing, 0) + 1
    files = (
        "charter_http_requests_total",
        (("method", "GET"), ("route", "static"), ("status", str(static.status_code))),
    )
    assert after[files] == before.get(files, 0) + 1
    # The raw path (with its id) is never a label value.
    assert not any("12345" in value for _name, labels in after for _key, value in labels)


def test_an_unknown_http_method_is_counted_as_other(token: str) -> None:
    before = _scrape()
    other = ("charter_http_requests_total", (("method", "other"), ("route", "healthz"), ("status", "405")))

    Client().generic("BREW12345", "/healthz")
    Client().generic("XYZ", "/healthz")

    after = _scrape()
    assert after[other] == before.get(other, 0) + 2
    methods = {value for _name, labels in after for key, value in labels if key == "method"}
    assert methods <= {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"}


def test_an_sla_warning_and_breach_and_a_sent_mail_are_counted_once(
    token: str, team: Team, django_capture_on_commit_callbacks: Any
) -> None:
    TeamRouting.objects.create(team=team, mode=TeamRouting.Mode.ROUND_ROBIN, is_default=True)
    customer = CustomerFactory.create(name="刘晓梅")
    with time_machine.travel(MONDAY, tick=False) as clock:
        case = case_create(
            actor=None, customer=customer, kind="inquiry", channel="web", title="水费", description="账单疑问"
        )
        first = CaseClock.objects.get(case=case, metric="first_response", status="running")
        warning = ("charter_sla_warnings_total", (("metric", "first_response"),))
        breach = ("charter_sla_breaches_total", (("metric", "first_response"),))
        assert _scrape().get(warning, 0) == 0

        clock.move_to(first.warn_at)
        case_clocks_sweep()
        case_clocks_sweep()  # a second sweep fires nothing again
        scraped = _scrape()
        assert scraped[warning] == 1
        assert scraped[breach] == 0

        assert first.due_at is not None
        clock.move_to(first.due_at + dt.timedelta(seconds=1))
        case_clocks_sweep()
        scraped = _scrape()
        assert (scraped[warning], scraped[breach]) == (1, 1)

    before = _scrape()
    with django_capture_on_commit_callbacks(execute=True):
        mail_queue(to="jane@example.com", subject="Hello", body="Text", language="en")

    after = _scrape()
    assert mail.outbox[-1].to == ["jane@example.com"]
    assert OutboundMessage.objects.filter(status="sent").count() == after[("charter_mails_sent_total", ())]
    assert after[("charter_mails_sent_total", ())] == before[("charter_mails_sent_total", ())] + 1
    assert after[("charter_mails_failed_total", ())] == before[("charter_mails_failed_total", ())]


def test_queue_length_task_failures_and_the_worker_heartbeat_age(token: str) -> None:
    before = _scrape()
    assert ("charter_worker_heartbeat_age_seconds", ()) not in before
    assert before[("charter_queue_pending_tasks", ())] == 0

    _failing_task()  # Huey runs tasks at once in tests, through the same hooks a consumer runs
    with time_machine.travel(MONDAY, tick=False) as clock:
        heartbeat_record_task()
        clock.move_to(MONDAY + dt.timedelta(seconds=42))
        after = _scrape()

    failures = ("charter_task_failures_total", ())
    assert after[failures] == before[failures] + 1
    assert after[("charter_worker_heartbeat_age_seconds", ())] == 42.0
