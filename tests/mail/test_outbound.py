"""Notifications out, through a real SMTP server: what is sent, to whom, in which language, and the log."""

import datetime as dt
import email
import email.policy
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from charter.accounts.models import Customer, User
from charter.cases.models import Case
from charter.cases.services import case_create, case_reply
from charter.common.errors import DomainError, PermissionDeniedError
from charter.mail.models import MailTemplate, OutboundMessage
from charter.mail.outbound import mail_queue, outbound_due_send, outbound_retry, outbound_send
from charter.mail.rendering import mail_render
from charter.mail.services import mail_template_reset, mail_template_save
from tests.accounts.factories import CustomerFactory
from tests.conftest import not_none
from tests.mail.servers import SmtpServer

pytestmark = pytest.mark.django_db


def _messages(smtp: SmtpServer, to: str) -> list[Any]:
    return [
        email.message_from_bytes(envelope.content, policy=email.policy.default)
        for envelope in smtp.envelopes
        if to in envelope.rcpt_tos
    ]


@pytest.fixture
def english_customer(db: None) -> Customer:
    return CustomerFactory.create(name="Jane Smith", email="jane@example.com", language="en")


@pytest.fixture
def case(
    routed_team: Any, english_customer: Customer, smtp: SmtpServer, django_capture_on_commit_callbacks: Any
) -> Case:
    with django_capture_on_commit_callbacks(execute=True):
        return case_create(
            actor=None,
            kind="complaint",
            channel="web",
            customer=english_customer,
            title="Meter reading wrong",
            description="The bill is twice the usual.",
        )


def test_each_recipient_gets_the_template_in_his_own_language(
    case: Case, smtp: SmtpServer, member: User, teammate: User
) -> None:
    (ack,) = _messages(smtp, "jane@example.com")
    assert ack["Subject"] == f"[{case.number}] We have received your complaint"
    assert "Dear Jane Smith" in ack.get_content() and "/track/" in ack.get_content()
    handler = case.assignee
    assert handler is not None
    (assigned,) = _messages(smtp, handler.email)
    assert "新分派" in assigned["Subject"]  # staff read Chinese by default
    assert f"/desk/cases/{case.number}/" in assigned.get_content()


def test_a_reply_threads_under_the_acknowledgement_and_carries_the_case_number(
    case: Case, smtp: SmtpServer, django_capture_on_commit_callbacks: Any
) -> None:
    handler = case.assignee
    assert handler is not None
    with django_capture_on_commit_callbacks(execute=True):
        case_reply(actor=handler, case=case, body="We will send an engineer on Monday.")

    ack, reply = _messages(smtp, "jane@example.com")
    assert reply["In-Reply-To"] == ack["Message-ID"]
    assert ack["Message-ID"] in reply["References"]
    assert case.number in reply["Subject"] and reply["X-Charter-Case"] == case.number
    assert "We will send an engineer on Monday." in reply.get_content()
    # A person wrote it: auto-responders may answer it.
    assert reply["Auto-Submitted"] is None
    assert reply["Bcc"] is None and reply["Cc"] is None


def test_internal_notes_never_reach_the_customer(
    case: Case, smtp: SmtpServer, member: User, teammate: User, django_capture_on_commit_callbacks: Any
) -> None:
    handler = case.assignee
    assert handler is not None
    colleague = teammate if handler == member else member
    before = len(_messages(smtp, "jane@example.com"))
    with django_capture_on_commit_callbacks(execute=True):
        case_reply(actor=handler, case=case, body="客户曾多次投诉，注意语气。", is_internal=True)

    assert len(_messages(smtp, "jane@example.com")) == before
    for envelope in smtp.envelopes:
        if "jane@example.com" in envelope.rcpt_tos:
            assert "注意语气" not in envelope.content.decode("utf-8", "replace")
    # The team hears of the note; its author is not told of his own note.
    assert any("注意语气" in m.get_content() for m in _messages(smtp, colleague.email))
    assert not any("注意语气" in m.get_content() for m in _messages(smtp, handler.email))


def test_a_rolled_back_change_sends_nothing(
    routed_team: Any, english_customer: Customer, smtp: SmtpServer
) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        case_create(
            actor=None, kind="inquiry", channel="web", customer=english_customer, title="t", description="d"
        )
        raise RuntimeError("the request failed after the case was made")
    assert OutboundMessage.objects.count() == 0 and smtp.envelopes == []


def test_a_temporary_refusal_is_retried_later_with_the_servers_answer_logged(
    smtp: SmtpServer, settings: Any, time_machine: Any
) -> None:
    settings.CHARTER_MAIL_RETRY_SECONDS = 60
    smtp.refuse["busy@example.com"] = "451 4.3.0 Mailbox temporarily unavailable"
    message = mail_queue(to="busy@example.com", subject="s", body="b", language="en")

    assert outbound_send(pk=message.pk) == OutboundMessage.Status.QUEUED
    message.refresh_from_db()
    assert message.attempts == 1 and "451" in message.last_error and "temporarily" in message.last_error
    first_retry = message.next_attempt_at
    assert outbound_due_send() == 0  # not yet due

    del smtp.refuse["busy@example.com"]
    time_machine.move_to(first_retry)
    assert outbound_due_send() == 1
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT and message.attempts == 2 and message.sent_at
    assert len(smtp.envelopes) == 1


def test_a_permanent_refusal_fails_at_once_and_an_administrator_may_send_it_again(
    smtp: SmtpServer, member: User, administrator: User
) -> None:
    smtp.refuse["gone@example.com"] = "550 5.1.1 No such user"
    message = mail_queue(to="gone@example.com", subject="s", body="b", language="en")

    assert outbound_send(pk=message.pk) == OutboundMessage.Status.FAILED
    message.refresh_from_db()
    assert message.last_error.startswith("550") and message.next_attempt_at is None

    with pytest.raises(PermissionDeniedError):
        outbound_retry(actor=member, message=message)
    del smtp.refuse["gone@example.com"]
    outbound_retry(actor=administrator, message=message)
    assert outbound_send(pk=message.pk) == OutboundMessage.Status.SENT


def test_an_unreachable_server_gives_up_after_the_last_attempt(settings: Any, smtp: SmtpServer) -> None:
    settings.EMAIL_PORT = 1  # nothing listens there
    settings.CHARTER_MAIL_SEND_ATTEMPTS = 2
    settings.CHARTER_MAIL_RETRY_SECONDS = 0
    message = mail_queue(to="a@example.com", subject="s", body="b", language="en")

    assert outbound_send(pk=message.pk) == OutboundMessage.Status.QUEUED
    assert outbound_send(pk=message.pk) == OutboundMessage.Status.FAILED
    message.refresh_from_db()
    assert message.attempts == 2 and "ConnectionRefused" in message.last_error


def test_a_message_being_sent_is_not_sent_again_by_another_worker(smtp: SmtpServer) -> None:
    message = mail_queue(to="a@example.com", subject="s", body="b", language="en")
    OutboundMessage.objects.filter(pk=message.pk).update(status=OutboundMessage.Status.SENDING)
    # Its lease is current: another worker holds it.
    OutboundMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=message.created_at.replace(year=2099)
    )
    assert outbound_send(pk=message.pk) == OutboundMessage.Status.SENDING
    assert smtp.envelopes == []


def test_header_injection_through_the_address_is_refused() -> None:
    with pytest.raises(DomainError):
        mail_queue(to="a@example.com\r\nBcc: all@example.com", subject="s", body="b", language="en")


def test_an_administrators_template_replaces_the_default_and_a_broken_one_is_refused(
    administrator: User, member: User
) -> None:
    context = {
        "number": "TS-1",
        "title": "水费",
        "kind": "投诉",
        "recipient_name": "王",
        "organisation": "示范",
    }
    with pytest.raises(PermissionDeniedError):
        mail_template_save(actor=member, key="cases.acknowledged", language="zh-hans", subject="x", body="y")
    with pytest.raises(DomainError) as broken:
        mail_template_save(
            actor=administrator, key="cases.acknowledged", language="zh-hans", subject="{% if %}", body="y"
        )
    assert broken.value.field == "subject"
    with pytest.raises(DomainError) as fails_to_render:
        mail_template_save(
            actor=administrator,
            key="cases.acknowledged",
            language="zh-hans",
            subject="ok",
            body="{{ number|divisibleby:'x' }}",
        )
    assert fails_to_render.value.field == "body"
    assert MailTemplate.objects.count() == 0

    mail_template_save(
        actor=administrator,
        key="cases.acknowledged",
        language="zh-hans",
        subject="【{{ organisation }}】{{ number }} 已收到",
        body="{{ recipient_name }}：您的{{ kind }}已收到。<b>",
    )
    rendered = mail_render("cases.acknowledged", "zh-hans", context)
    assert rendered.subject == "【示范】TS-1 已收到"
    assert rendered.body == "王：您的投诉已收到。<b>\n"  # plain text: nothing escaped
    assert mail_render("cases.acknowledged", "en", context).subject.endswith("We have received your 投诉")

    mail_template_reset(actor=administrator, key="cases.acknowledged", language="zh-hans")
    assert "已受理" in mail_render("cases.acknowledged", "zh-hans", context).subject


def test_a_notification_left_behind_by_a_stopped_worker_is_delivered_once_by_the_sweep(
    routed_team: Any, english_customer: Customer, smtp: SmtpServer, time_machine: Any
) -> None:
    from charter.cases.models import NotificationJob
    from charter.cases.notifications import notification_deliver, notifications_deliver_due

    # The change commits but its jobs are never picked up (no on-commit callbacks run here).
    case_create(
        actor=None, kind="inquiry", channel="web", customer=english_customer, title="t", description="d"
    )
    jobs = list(NotificationJob.objects.values_list("pk", flat=True))
    assert jobs and OutboundMessage.objects.count() == 0
    assert notifications_deliver_due() == 0  # too recent: its own task may still come

    time_machine.move_to(timezone.now() + dt.timedelta(minutes=2))
    assert notifications_deliver_due() == len(jobs)
    assert NotificationJob.objects.count() == 0
    queued = OutboundMessage.objects.count()
    assert queued >= 2  # the acknowledgement to the customer, the assignment to the handler
    assert not any(notification_deliver(pk=pk) for pk in jobs)  # a late task finds nothing to do
    assert OutboundMessage.objects.count() == queued


def test_an_unusable_address_skips_its_recipient_and_a_broken_job_does_not_hold_back_the_others(
    routed_team: Any, smtp: SmtpServer, time_machine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from charter.cases import mailing
    from charter.cases.models import NotificationJob
    from charter.cases.notifications import JOB_ATTEMPTS, notifications_deliver_due

    odd = CustomerFactory.create(name="X", email='"a;b"@example.com', language="en")
    case_create(actor=None, kind="inquiry", channel="web", customer=odd, title="t", description="d")
    case_create(
        actor=None,
        kind="inquiry",
        channel="web",
        customer=CustomerFactory.create(email="ok@example.com"),
        title="t",
        description="d",
    )
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=2))
    real = mailing.notification_queue
    broken_case = not_none(NotificationJob.objects.order_by("pk").first()).case_id

    def failing(notification: Any, **kwargs: Any) -> None:
        if notification.case_id == broken_case and notification.audience == "handler":
            raise RuntimeError("template broke")
        real(notification, **kwargs)

    monkeypatch.setattr(mailing, "notification_queue", failing)
    for _round in range(JOB_ATTEMPTS):
        notifications_deliver_due()

    assert NotificationJob.objects.count() == 0  # the broken job was given up after its attempts
    recipients = set(OutboundMessage.objects.values_list("recipient", flat=True))
    assert "ok@example.com" in recipients and '"a;b"@example.com' not in recipients
