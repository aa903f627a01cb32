"""E-mail into cases, end to end against a real Dovecot (IMAP) and a real SMTP server."""

import email
import email.policy
import re
import threading
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client
from imapclient import imap_utf7

from charter.accounts.models import Team, User
from charter.cases.models import Case, CaseAttachment, CaseClock, CaseMessage, CaseStatus
from charter.common.errors import PermissionDeniedError
from charter.common.vocabulary import CaseKind
from charter.mail.fetch import PollResult, mailbox_poll
from charter.mail.inbound import inbound_discard, inbound_retry, message_receive
from charter.mail.models import InboundMessage, Mailbox, OutboundMessage
from tests.conftest import client_for, not_none
from tests.mail.conftest import corpus
from tests.mail.servers import Dovecot, SmtpServer

pytestmark = pytest.mark.django_db

GBK_SENDER = "wangxm@163.com"


def _poll(mailbox: Mailbox, capture: Any) -> Any:
    with capture(execute=True):
        return mailbox_poll(mailbox=mailbox)


def _received(smtp: SmtpServer, to: str) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(envelope.content, policy=email.policy.default)
        for envelope in smtp.envelopes
        if to in envelope.rcpt_tos
    ]


def _reply(to_message: email.message.Message, *, sender: str, body: str, charset: str = "gbk") -> bytes:
    reply = EmailMessage()
    reply["From"] = f"王小明 <{sender}>"
    reply["To"] = "service@charter.example"
    reply["Subject"] = f"回复：{to_message['Subject']}"
    reply["Message-ID"] = f"<reply-{abs(hash(body))}@163.com>"
    reply["In-Reply-To"] = to_message["Message-ID"]
    reply["References"] = to_message["Message-ID"]
    reply.set_content(body, charset=charset)
    return bytes(reply)


@pytest.fixture
def complaint_case(
    dovecot: Dovecot,
    imap_user: str,
    mailbox: Mailbox,
    smtp: SmtpServer,
    member: User,
    django_capture_on_commit_callbacks: Any,
) -> Case:
    dovecot.append(imap_user, corpus("gbk-complaint-attachment.eml"))
    result = _poll(mailbox, django_capture_on_commit_callbacks)
    assert result.error == "" and result.new == 1
    return Case.objects.get()


def test_a_gbk_complaint_with_a_chinese_named_file_becomes_one_case_with_its_text_and_files(
    complaint_case: Case, dovecot: Dovecot, imap_user: str, team: Team
) -> None:
    case = complaint_case
    assert case.channel == "email"
    assert case.kind == CaseKind.COMPLAINT  # "投诉" in the subject of an inquiry mailbox
    assert case.team == team
    assert case.status == CaseStatus.ACKNOWLEDGED
    assert case.title.startswith("投诉")
    assert "王小明" in case.description and "\ufffd" not in case.description
    assert case.customer.email == GBK_SENDER
    assert case.customer.name == "王小明"
    names = sorted(CaseAttachment.objects.filter(case=case).values_list("original_name", flat=True))
    assert "水费账单.pdf" in names
    pdf = CaseAttachment.objects.get(case=case, original_name="水费账单.pdf")
    assert pdf.content_type == "application/pdf" and pdf.size > 0
    # Only after the case committed was the message marked on the server.
    assert dovecot.flags(imap_user) == ["1 (FLAGS (\\Seen))"]
    inbound = InboundMessage.objects.get()
    assert inbound.status == InboundMessage.Status.HANDLED and inbound.thread_ref == f"case:{case.pk}"


def test_the_acknowledgement_arrives_by_smtp_in_chinese_with_a_working_tracking_link(
    complaint_case: Case, smtp: SmtpServer, client: Client
) -> None:
    (ack,) = _received(smtp, GBK_SENDER)
    assert complaint_case.number in ack["Subject"] and "已受理" in ack["Subject"]
    assert ack["Auto-Submitted"] == "auto-generated"
    body = ack.get_content()
    assert "受理编号" in body
    link = re.search(r"http://testserver(/track/[^/\s]+/)", body)
    assert link is not None
    page = client.get(urlsplit(link.group(0)).path)
    assert page.status_code == 200 and complaint_case.number in page.content.decode()
    log = OutboundMessage.objects.get(recipient_user=None, template="cases.acknowledged")
    assert log.status == OutboundMessage.Status.SENT and log.attempts == 1
    assert ack["Message-ID"] == f"<{log.message_id}>"
    # The acknowledgement answers the customer's own message, so his mail client threads them.
    assert "000d01dc7e2a$5b3c4d10$11b6e730$@163.com" in ack["In-Reply-To"]


def test_the_customers_reply_threads_into_the_case_and_restarts_the_next_response_clock(
    complaint_case: Case,
    member: User,
    dovecot: Dovecot,
    imap_user: str,
    mailbox: Mailbox,
    smtp: SmtpServer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    (ack,) = _received(smtp, GBK_SENDER)
    dovecot.append(imap_user, _reply(ack, sender="WangXM@163.com", body="补充：水表编号 A-1234。\n\n> 原文"))
    result = _poll(mailbox, django_capture_on_commit_callbacks)

    assert result.new == 1
    assert Case.objects.count() == 1
    message = CaseMessage.objects.get(case=complaint_case)
    assert message.author_kind == CaseMessage.AuthorKind.CUSTOMER and "水表编号 A-1234" in message.body
    clock = CaseClock.objects.get(case=complaint_case, metric=CaseClock.Metric.NEXT_RESPONSE)
    assert clock.status == CaseClock.Status.RUNNING and clock.started_at == message.created_at
    # The quoted history is kept, and folded away on the case page.
    page = client_for(member).get(f"/desk/cases/{complaint_case.number}/").content.decode()
    assert '<details class="quoted">' in page and "原文" in page


def test_fetching_the_same_message_again_changes_nothing(
    complaint_case: Case,
    dovecot: Dovecot,
    imap_user: str,
    mailbox: Mailbox,
    smtp: SmtpServer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    sent = len(smtp.envelopes)
    # The same message delivered again (a retry of the sender's server), and a second poll.
    dovecot.append(imap_user, corpus("gbk-complaint-attachment.eml"))
    result = _poll(mailbox, django_capture_on_commit_callbacks)
    again = _poll(mailbox, django_capture_on_commit_callbacks)

    assert (result.fetched, result.new, again.fetched) == (1, 0, 0)
    assert Case.objects.count() == 1 and InboundMessage.objects.count() == 1
    assert len(smtp.envelopes) == sent
    assert all("\\Seen" in flags for flags in dovecot.flags(imap_user))


def test_a_crash_between_the_commit_and_the_flag_is_healed_by_the_next_poll(
    dovecot: Dovecot, imap_user: str, mailbox: Mailbox, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    raw = corpus("utf8-plain.eml")
    dovecot.append(imap_user, raw)
    # A worker handled it and died before flagging it on the server.
    message_receive(mailbox=mailbox, raw=raw)
    assert "\\Seen" not in dovecot.flags(imap_user)[0]

    result = _poll(mailbox, django_capture_on_commit_callbacks)

    assert (result.fetched, result.new) == (1, 0)
    assert Case.objects.count() == 1
    assert dovecot.flags(imap_user) == ["1 (FLAGS (\\Seen))"]


def test_handled_messages_move_to_the_done_folder_when_the_mailbox_says_so(
    dovecot: Dovecot, imap_user: str, mailbox: Mailbox, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    mailbox.done_folder = "已处理"
    mailbox.save()
    dovecot.append(imap_user, corpus("utf8-plain.eml"))
    _poll(mailbox, django_capture_on_commit_callbacks)
    assert dovecot.count(imap_user) == 0
    assert dovecot.count(imap_user, folder=imap_utf7.encode("已处理").decode()) == 1
    assert Case.objects.count() == 1


@pytest.mark.parametrize("name", ["bounce.eml", "auto-reply.eml", "out-of-office.eml", "bulk.eml"])
def test_bounces_auto_replies_and_bulk_mail_open_nothing_and_get_no_answer(
    name: str,
    dovecot: Dovecot,
    imap_user: str,
    mailbox: Mailbox,
    smtp: SmtpServer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    dovecot.append(imap_user, corpus(name))
    result = _poll(mailbox, django_capture_on_commit_callbacks)

    assert (result.new, result.ignored) == (1, 1)
    assert Case.objects.count() == 0
    assert smtp.envelopes == [] and OutboundMessage.objects.count() == 0
    assert InboundMessage.objects.get().status == InboundMessage.Status.IGNORED
    assert dovecot.flags(imap_user) == ["1 (FLAGS (\\Seen))"]


def test_a_stranger_quoting_a_case_number_opens_a_new_case(
    complaint_case: Case,
    dovecot: Dovecot,
    imap_user: str,
    mailbox: Mailbox,
    smtp: SmtpServer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    (ack,) = _received(smtp, GBK_SENDER)
    # In-Reply-To and the case number both point at Wang's case, but the sender is someone else.
    dovecot.append(imap_user, _reply(ack, sender="mallory@example.com", body="我也要补充内容。"))
    _poll(mailbox, django_capture_on_commit_callbacks)

    assert Case.objects.count() == 2
    assert not CaseMessage.objects.filter(case=complaint_case).exists()
    stranger = Case.objects.exclude(pk=complaint_case.pk).get()
    assert stranger.customer.email == "mallory@example.com"


def test_a_reply_to_a_closed_case_opens_a_new_case_linked_to_it(
    complaint_case: Case,
    dovecot: Dovecot,
    imap_user: str,
    mailbox: Mailbox,
    smtp: SmtpServer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    Case.objects.filter(pk=complaint_case.pk).update(status=CaseStatus.CLOSED)
    (ack,) = _received(smtp, GBK_SENDER)
    dovecot.append(imap_user, _reply(ack, sender=GBK_SENDER, body="问题又出现了。"))
    _poll(mailbox, django_capture_on_commit_callbacks)

    new = Case.objects.exclude(pk=complaint_case.pk).get()
    assert new.customer_id == complaint_case.customer_id
    assert new.links_out.filter(to_case=complaint_case).exists()


def test_a_message_that_cannot_be_read_is_quarantined_whole_and_an_administrator_retries_or_discards_it(
    dovecot: Dovecot,
    imap_user: str,
    mailbox: Mailbox,
    member: User,
    administrator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    raw = corpus("garbage.bin")
    dovecot.append(imap_user, raw)
    result = _poll(mailbox, django_capture_on_commit_callbacks)

    assert result.quarantined == 1 and Case.objects.count() == 0
    held = InboundMessage.objects.get()
    # Kept whole, as the server handed it over (Dovecot rewrites NUL bytes and bare line ends).
    assert held.status == InboundMessage.Status.QUARANTINED and held.reason
    fetched = bytes(not_none(held.raw))
    assert len(fetched) >= len(raw) - raw.count(b"\r")
    # Fetching it again does not quarantine it twice.
    assert message_receive(mailbox=mailbox, raw=fetched) == (held, False)

    with pytest.raises(PermissionDeniedError):
        inbound_retry(actor=member, inbound=held)
    still = inbound_retry(actor=administrator, inbound=held)
    assert still.status == InboundMessage.Status.QUARANTINED
    discarded = inbound_discard(actor=administrator, inbound=held)
    assert discarded.status == InboundMessage.Status.DISCARDED and discarded.raw is None
    assert message_receive(mailbox=mailbox, raw=fetched)[1] is False


def test_a_message_whose_handling_failed_is_quarantined_and_retried_once_fixed(
    mailbox: Mailbox, member: User, administrator: User, settings: Any
) -> None:
    settings.CHARTER_CASES_TITLE_MAX_LENGTH = 0  # every title is now refused: handling fails
    raw = corpus("utf8-plain.eml")
    held, is_new = message_receive(mailbox=mailbox, raw=raw)
    assert is_new and held.status == InboundMessage.Status.QUARANTINED and Case.objects.count() == 0

    del settings.CHARTER_CASES_TITLE_MAX_LENGTH
    handled = inbound_retry(actor=administrator, inbound=held)

    assert handled.status == InboundMessage.Status.HANDLED
    assert Case.objects.count() == 1 and handled.thread_ref == f"case:{Case.objects.get().pk}"


def test_an_unreachable_or_refusing_server_is_recorded_on_the_mailbox(mailbox: Mailbox) -> None:
    mailbox.password = "wrong"
    mailbox.save()
    result = mailbox_poll(mailbox=mailbox)
    mailbox.refresh_from_db()
    assert result.error and mailbox.poll_error == result.error and mailbox.polled_at is not None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_polling_at_once_make_one_case_per_message(
    dovecot: Dovecot, imap_user: str, mailbox: Mailbox, member: User
) -> None:
    for name in ("utf8-plain.eml", "big5.eml", "gb18030.eml"):
        dovecot.append(imap_user, corpus(name))
    barrier = threading.Barrier(2)
    results: list[PollResult | Exception | None] = [None, None]

    def worker(index: int) -> None:
        try:
            barrier.wait()
            results[index] = mailbox_poll(mailbox=Mailbox.objects.get(pk=mailbox.pk))
        except Exception as error:  # the test inspects it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    polls = [result for result in results if isinstance(result, PollResult)]
    assert len(polls) == 2 and not any(poll.error for poll in polls), results
    assert Case.objects.count() == 3 and InboundMessage.objects.count() == 3
    assert sum(poll.new for poll in polls) == 3
    assert all("\\Seen" in flags for flags in dovecot.flags(imap_user))


def test_a_file_the_case_cannot_take_is_named_and_the_original_message_kept(
    mailbox: Mailbox, member: User
) -> None:
    message = EmailMessage()
    message["From"] = "Zhang San <zhang@example.com>"
    message["To"] = "service@charter.example"
    message["Subject"] = "停电咨询"
    message["Message-ID"] = "<with-exe@example.com>"
    message.set_content("附件是照片和一个程序。")
    message.add_attachment(
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, maintype="image", subtype="png", filename="照片.png"
    )
    message.add_attachment(
        b"MZ\x90\x00" + b"\x00" * 64, maintype="application", subtype="octet-stream", filename="setup.exe"
    )

    inbound, _new = message_receive(mailbox=mailbox, raw=bytes(message))

    case = Case.objects.get()
    assert list(case.attachments.values_list("original_name", flat=True)) == ["照片.png"]
    assert inbound.status == InboundMessage.Status.HANDLED
    assert "setup.exe" in inbound.reason and inbound.raw is not None and b"setup.exe" in bytes(inbound.raw)
    note = CaseMessage.objects.get(case=case)
    assert note.is_internal and "setup.exe" in note.body


def test_a_nul_byte_in_the_headers_is_kept_in_the_quarantine_not_lost(mailbox: Mailbox, member: User) -> None:
    # (Dovecot rewrites NUL bytes, so the raw bytes go straight in, as another server might hand them over.)
    hostile = (
        b"From: Mallory <mall\x00ory@example.com>\r\nTo: service@charter.example\r\n"
        b"Subject: hello\r\nMessage-ID: <ab\x00c@example.com>\r\n\r\nbody\r\n"
    )

    held, is_new = message_receive(mailbox=mailbox, raw=hostile)  # PostgreSQL refuses NUL in text

    assert is_new and held.status == InboundMessage.Status.QUARANTINED  # no usable sender
    assert "\x00" not in held.message_id and bytes(not_none(held.raw)) == hostile
    assert message_receive(mailbox=mailbox, raw=hostile) == (held, False)
