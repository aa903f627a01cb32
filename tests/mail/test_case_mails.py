"""What the case mails say, through the real SMTP server: one greeting in a reply, the resolution's link and
the page's own button labels, the service by name, and nobody told of his own action."""

import datetime as dt
import email
import email.policy
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client

from charter.accounts.models import Customer, Team, User
from charter.cases.models import Case
from charter.cases.services import case_assign, case_create, case_reply, case_resolve, case_transition
from charter.catalog.models import Service
from tests.accounts.factories import CustomerFactory
from tests.catalog.conftest import category, draft_service, fill_and_publish  # noqa: F401 (fixtures)
from tests.conftest import browser_post
from tests.mail.servers import SmtpServer

pytestmark = pytest.mark.django_db


def _messages(server: SmtpServer, to: str) -> list[Any]:
    return [
        email.message_from_bytes(envelope.content, policy=email.policy.default)
        for envelope in server.envelopes
        if to in envelope.rcpt_tos
    ]


def _link(text: str) -> str:
    match = re.search(r"http://testserver(/track/[^/\s]+/)", text)
    assert match is not None, text
    return match.group(1)


@pytest.fixture(params=["zh-hans", "en"])
def reader(request: Any, routed_team: Team) -> Customer:
    """A customer reading Chinese, then one reading English."""
    return CustomerFactory.create(name="王小明", email="wang@example.com", language=request.param)


def _case(customer: Customer, capture: Any, **extra: Any) -> Case:
    with capture(execute=True):
        return case_create(
            actor=extra.pop("actor", None),
            kind="complaint",
            channel=extra.pop("channel", "web"),
            customer=customer,
            title="水表读数异常",
            description="读数偏高。",
            **extra,
        )


def test_a_reply_greets_once_the_agent_s_own_greeting(
    reader: Customer, smtp: SmtpServer, django_capture_on_commit_callbacks: Any
) -> None:
    case = _case(reader, django_capture_on_commit_callbacks)
    handler = case.assignee
    assert handler is not None
    greeting = "王小明先生，您好：" if reader.language == "zh-hans" else "Dear Mr Wang,"
    with django_capture_on_commit_callbacks(execute=True):
        case_reply(actor=handler, case=case, body=f"{greeting}\n已安排抄表员周一复核。")

    reply = _messages(smtp, "wang@example.com")[-1].get_content()

    assert reply.count(greeting) == 1
    assert reply.count("您好") + reply.count("Dear") == 1  # the agent's greeting, no second one
    intro = "以下是我们对您的投诉" if reader.language == "zh-hans" else "Our reply to your complaint"
    assert reply.startswith(intro)
    assert reply.index(intro) < reply.index(greeting)
    assert Client().get(_link(reply)).status_code == 200  # and the link to answer at


def test_the_resolution_mail_links_to_the_case_and_names_the_pages_own_buttons(
    reader: Customer, smtp: SmtpServer, django_capture_on_commit_callbacks: Any
) -> None:
    case = _case(reader, django_capture_on_commit_callbacks)
    handler = case.assignee
    assert handler is not None
    with django_capture_on_commit_callbacks(execute=True):
        case_resolve(
            actor=handler, case=case, outcome="upheld", reasons="读数有误，已更正。", root_cause="process"
        )

    mail = _messages(smtp, "wang@example.com")[-1].get_content()
    browser = Client(enforce_csrf_checks=True)
    browser.cookies[django_settings.LANGUAGE_COOKIE_NAME] = reader.language
    link = _link(mail)
    page = browser.get(link).content.decode()
    accept = re.search(r'data-testid="accept">([^<]+)</button>', page)
    appeal = re.search(r'data-testid="appeal">([^<]+)</button>', page)

    assert accept is not None and appeal is not None
    assert f"“{accept.group(1)}”" in mail or f'"{accept.group(1)}"' in mail
    assert f"“{appeal.group(1)}”" in mail or f'"{appeal.group(1)}"' in mail
    assert accept.group(1) == ("我认可" if reader.language == "zh-hans" else "I accept")
    assert "接受”" not in mail
    accepted = browser_post(browser, link, {"action": "accept"})
    assert accepted.status_code == 302
    case.refresh_from_db()
    assert case.status == "closed" and case.accepted_at is not None


def test_the_acknowledgement_names_the_service_in_the_customers_language(
    reader: Customer,
    smtp: SmtpServer,
    administrator: User,
    draft_service: Service,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    fill_and_publish(administrator, draft_service.versions.get())

    _case(reader, django_capture_on_commit_callbacks, service=draft_service)

    (ack,) = _messages(smtp, "wang@example.com")
    name = "用水报装" if reader.language == "zh-hans" else "Water connection"
    assert name in ack.get_content() and "water-connection" not in ack.get_content()


def test_a_status_change_mail_carries_a_working_link(
    reader: Customer, smtp: SmtpServer, django_capture_on_commit_callbacks: Any
) -> None:
    case = _case(reader, django_capture_on_commit_callbacks)
    handler = case.assignee
    assert handler is not None
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(actor=handler, case=case, to_status="waiting_customer")

    mail = _messages(smtp, "wang@example.com")[-1].get_content()

    assert Client().get(_link(mail)).status_code == 200


def test_nobody_is_mailed_about_his_own_assignment_or_escalation(
    routed_team: Team,
    member: User,
    teammate: User,
    supervisor: User,
    smtp: SmtpServer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    customer = CustomerFactory.create(email="c@example.com")
    case = _case(customer, django_capture_on_commit_callbacks)
    other = teammate if case.assignee == member else member
    smtp.envelopes.clear()

    with django_capture_on_commit_callbacks(execute=True):
        case_assign(actor=other, case=case, assignee=other)  # he takes the case himself
    assert _messages(smtp, other.email) == []
    with django_capture_on_commit_callbacks(execute=True):
        case_assign(actor=other, case=case, assignee=member if other == teammate else teammate)
    handed = member if other == teammate else teammate
    assert any("新分派" in m["Subject"] for m in _messages(smtp, handed.email))  # told by someone else

    case.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(actor=supervisor, case=case, to_status="escalated", reason="客户情绪激动")
    assert _messages(smtp, supervisor.email) == []  # his own escalation
    case.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(actor=supervisor, case=case, to_status="in_progress")
    case.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(actor=handed, case=case, to_status="escalated", reason="需要主管决定赔偿")
    (escalated,) = _messages(smtp, supervisor.email)
    assert "升级处理" in escalated["Subject"] and "需要主管决定赔偿" in escalated.get_content()


def test_staff_recording_a_case_routed_to_themselves_are_not_mailed_about_it(
    routed_team: Team, member: User, teammate: User, smtp: SmtpServer, django_capture_on_commit_callbacks: Any
) -> None:
    customer = CustomerFactory.create(email="c@example.com")

    # Round robin: one of the two cases member records over the phone is routed to him, one to bob.
    cases = [_case(customer, django_capture_on_commit_callbacks, actor=member, channel="phone") for _ in "ab"]

    assert {case.assignee for case in cases} == {member, teammate}
    assert not any("新分派" in m["Subject"] for m in _messages(smtp, member.email))
    assert any("新分派" in m["Subject"] for m in _messages(smtp, teammate.email))


def test_a_deadline_at_the_end_of_a_24x7_day_reads_as_24_00_in_the_acknowledgement(
    smtp: SmtpServer, routed_team: Team, administrator: User, django_capture_on_commit_callbacks: Any
) -> None:
    from charter.sla.services import CalendarContent, business_calendar_create, sla_calendar_assign

    around_the_clock = business_calendar_create(
        actor=administrator,
        code="24x7",
        content=CalendarContent(name_zh="全天候", name_en="24x7", is_24x7=True),
    )
    sla_calendar_assign(actor=administrator, unit=routed_team.unit, calendar=around_the_clock)
    customer = CustomerFactory.create(name="王小明", email="wang@example.com", language="zh-hans")
    sunday = dt.datetime(2026, 3, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

    with time_machine.travel(sunday, tick=False):
        _case(customer, django_capture_on_commit_callbacks)

    (mail,) = _messages(smtp, "wang@example.com")
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "2026-03-02 24:00" in body and "2026-03-03 00:00" not in body
