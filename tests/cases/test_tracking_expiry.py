"""Tracking links expire CHARTER_TRACKING_LINK_DAYS after the case closed; a new one can be asked for.

Before, a link worked for ever: years after the case closed, whoever found an old e-mail read the case.
"""

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from charter.accounts.models import Customer, Team
from charter.cases.models import Case
from tests.accounts.factories import CustomerFactory
from tests.cases.conftest import MONDAY, new_case
from tests.conftest import client_for
from tests.mail.conftest import smtp, smtp_server  # noqa: F401 - the real SMTP server
from tests.mail.servers import SmtpServer

pytestmark = pytest.mark.django_db

CLOSED = MONDAY + dt.timedelta(days=1)


@pytest.fixture
def wang(routed_team: Team) -> Customer:
    return CustomerFactory.create(name="王小明", phone="13800001111", email="wang@example.com")


def _closed_case(customer: Customer, **extra: Any) -> Case:
    with time_machine.travel(MONDAY, tick=False):
        case = new_case(None, customer, **extra)
    Case.objects.filter(pk=case.pk).update(status="closed", closed_at=CLOSED)
    return case


def _on(day: dt.datetime) -> Any:
    return time_machine.travel(day, tick=False)


def test_a_closed_cases_link_works_until_the_days_after_closure_and_says_until_when(
    wang: Customer, client: Client, settings: Any
) -> None:
    settings.CHARTER_TRACKING_LINK_DAYS = 180
    case = _closed_case(wang)
    link = f"/track/{case.tracking_token}/"

    with _on(CLOSED + dt.timedelta(days=179)):
        page = client.get(link)
    assert page.status_code == 200
    expiry = re.search(r'data-testid="link-expiry">([^<]+)<', page.content.decode())
    assert expiry and "2026-08-30" in expiry.group(1)  # closed 2026-03-03 + 180 days

    with _on(CLOSED + dt.timedelta(days=181)):
        expired = client.get(link)
    assert expired.status_code == 410
    text = expired.content.decode()
    assert 'data-testid="track-expired"' in text and "/track/" in text
    assert case.title not in text and case.number not in text


def test_an_open_cases_page_says_the_link_works_while_open_and_the_days_after(
    wang: Customer, client: Client, settings: Any
) -> None:
    settings.CHARTER_TRACKING_LINK_DAYS = 90
    case = new_case(None, wang)

    page = client.get(f"/track/{case.tracking_token}/").content.decode()

    assert "90" in re.search(r'data-testid="link-expiry">([^<]+)<', page).group(1)  # type: ignore[union-attr]


def test_files_behind_an_expired_link_are_not_served(wang: Customer, client: Client, settings: Any) -> None:
    case = _closed_case(
        wang, attachments=[SimpleUploadedFile("bill.txt", b"water bill 2026", content_type="text/plain")]
    )
    file_url = f"/track/{case.tracking_token}/files/{case.attachments.get().pk}/"

    with _on(CLOSED + dt.timedelta(days=10)):
        assert client.get(file_url).status_code == 200
    with _on(CLOSED + dt.timedelta(days=settings.CHARTER_TRACKING_LINK_DAYS + 1)):
        assert client.get(file_url).status_code == 404


def test_a_reopened_case_makes_its_link_work_again(wang: Customer, client: Client) -> None:
    case = _closed_case(wang)
    link = f"/track/{case.tracking_token}/"
    later = CLOSED + dt.timedelta(days=400)

    with _on(later):
        assert client.get(link).status_code == 410
        Case.objects.filter(pk=case.pk).update(status="in_progress")
        assert client.get(link).status_code == 200


def test_the_portal_shows_the_customer_his_closed_case_whatever_the_date(
    customer: Customer, client: Client, settings: Any
) -> None:
    # Sessions in the database: a session file's age comes from its modification time, which travelling in
    # time does not move, so a file session made 1000 days ahead would read as long expired.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    case = _closed_case(customer)

    with _on(CLOSED + dt.timedelta(days=1000)):
        assert client_for(customer.user).get(f"/portal/cases/{case.number}/").status_code == 200  # type: ignore[arg-type]


def test_a_new_link_asked_for_after_expiry_works_for_the_days_again(
    wang: Customer,
    smtp: SmtpServer,  # noqa: F811
    client: Client,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = _closed_case(wang)
    asked = CLOSED + dt.timedelta(days=settings.CHARTER_TRACKING_LINK_DAYS + 30)

    with _on(asked), django_capture_on_commit_callbacks(execute=True):
        response = client.post("/track/", {"number": case.number, "contact": "wang@example.com"})
    assert response.status_code == 302
    mail = [e for e in smtp.envelopes if "wang@example.com" in e.rcpt_tos][-1]
    new = re.search(rb"http://testserver(/track/[^/\s]+/)", mail.content)
    assert new is not None
    with _on(asked + dt.timedelta(days=1)):
        assert client.get(new.group(1).decode()).status_code == 200
    with _on(asked + dt.timedelta(days=settings.CHARTER_TRACKING_LINK_DAYS + 1)):
        assert client.get(new.group(1).decode()).status_code == 410


def test_the_expired_page_speaks_english_to_an_english_browser(wang: Customer) -> None:
    case = _closed_case(wang)

    with _on(CLOSED + dt.timedelta(days=500)):
        page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/track/{case.tracking_token}/")
    assert page.status_code == 410 and "This link has expired" in page.content.decode()
