"""Importing mail must not flood people: an old mailbox's first import acknowledges only recent messages, one
sender gets at most a few acknowledgements an hour, and a message cut to fit a case keeps its raw copy and
says so on the case. Against the real Dovecot and SMTP servers."""

import datetime as dt
import email
import email.policy
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import pytest
from django.utils import timezone

from charter.accounts.models import User
from charter.cases.models import Case, CaseAttachment, CaseMessage
from charter.mail.fetch import mailbox_poll
from charter.mail.models import InboundMessage, Mailbox
from tests.mail.servers import Dovecot, SmtpServer

pytestmark = pytest.mark.django_db


def _message(
    *, sender: str, subject: str, body: str = "我家停电了，请尽快处理。", days_old: float = 0
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"客户 <{sender}>"
    message["To"] = "service@charter.example"
    message["Subject"] = subject
    message["Message-ID"] = f"<{abs(hash((sender, subject)))}@example.com>"
    message["Date"] = format_datetime(timezone.now() - dt.timedelta(days=days_old))
    message.set_content(body)
    return message


def _acknowledged(smtp: SmtpServer) -> list[str]:
    """The recipients of the acknowledgements the SMTP server received."""
    received = [email.message_from_bytes(e.content, policy=email.policy.default) for e in smtp.envelopes]
    return sorted(str(m["To"]) for m in received if "已受理" in str(m["Subject"]))


def _poll(mailbox: Mailbox, capture: Any) -> None:
    with capture(execute=True):
        result = mailbox_poll(mailbox=mailbox)
    assert result.error == ""


def test_the_first_import_of_an_old_mailbox_acknowledges_only_recent_messages(
    dovecot: Dovecot,
    imap_user: str,
    mailbox: Mailbox,
    smtp: SmtpServer,
    member: User,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.CHARTER_MAIL_IMPORT_MAX_AGE_DAYS = 7
    dovecot.append(imap_user, bytes(_message(sender="old@example.com", subject="去年的停电", days_old=300)))
    dovecot.append(imap_user, bytes(_message(sender="week@example.com", subject="上周的停电", days_old=8)))
    dovecot.append(imap_user, bytes(_message(sender="new@example.com", subject="今天的停电", days_old=0.1)))

    _poll(mailbox, django_capture_on_commit_callbacks)

    assert Case.objects.count() == 3  # every message is recorded as a case
    assert _acknowledged(smtp) == ["new@example.com"]
    old_case = Case.objects.get(title="去年的停电")
    note = CaseMessage.objects.get(case=old_case, author_kind=CaseMessage.AuthorKind.SYSTEM)
    assert note.is_internal and "7" in note.body


def test_one_sender_gets_at_most_three_acknowledgements_an_hour(
    dovecot: Dovecot,
    imap_user: str,
    mailbox: Mailbox,
    smtp: SmtpServer,
    member: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    for number in range(5):
        dovecot.append(imap_user, bytes(_message(sender="flood@example.com", subject=f"停电第{number}次")))
    dovecot.append(imap_user, bytes(_message(sender="other@example.com", subject="水压低")))

    _poll(mailbox, django_capture_on_commit_callbacks)

    assert Case.objects.count() == 6
    assert _acknowledged(smtp) == ["flood@example.com"] * 3 + ["other@example.com"]


def test_a_text_cut_at_the_case_limit_keeps_the_raw_message_and_says_so_on_the_case(
    dovecot: Dovecot,
    imap_user: str,
    mailbox: Mailbox,
    smtp: SmtpServer,
    member: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    body = "停电" * 12_000 + "END-OF-LONG-MAIL"
    dovecot.append(imap_user, bytes(_message(sender="long@example.com", subject="很长的投诉", body=body)))

    _poll(mailbox, django_capture_on_commit_callbacks)

    case = Case.objects.get()
    assert len(case.description) == 20_000 and "END-OF-LONG-MAIL" not in case.description
    inbound = InboundMessage.objects.get()
    # The whole original is kept: its body holds every one of the 24,016 characters.
    raw = email.message_from_bytes(bytes(inbound.raw or b""), policy=email.policy.default)
    assert "END-OF-LONG-MAIL" in raw.get_body().get_content()  # type: ignore[union-attr]
    note = CaseMessage.objects.get(case=case, author_kind=CaseMessage.AuthorKind.SYSTEM)
    assert "24,016" in note.body and "20,000" in note.body
    assert f"/desk/mail/inbound/{inbound.pk}/" in note.body


def test_attachments_past_fifty_are_left_out_but_the_raw_message_keeps_them(
    dovecot: Dovecot,
    imap_user: str,
    mailbox: Mailbox,
    smtp: SmtpServer,
    member: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    message = _message(sender="files@example.com", subject="很多照片")
    for number in range(55):
        message.add_attachment(
            b"\x89PNG\r\n\x1a\n" + bytes([number]) * 64,
            maintype="image",
            subtype="png",
            filename=f"照片{number}.png",
        )
    dovecot.append(imap_user, bytes(message))

    _poll(mailbox, django_capture_on_commit_callbacks)

    case = Case.objects.get()
    assert CaseAttachment.objects.filter(case=case).count() == 50
    inbound = InboundMessage.objects.get()
    assert inbound.raw is not None and bytes(inbound.raw).count(b"Content-Disposition: attachment") == 55
    note = CaseMessage.objects.get(case=case, author_kind=CaseMessage.AuthorKind.SYSTEM)
    assert "5" in note.body and "55" in note.body and f"/desk/mail/inbound/{inbound.pk}/" in note.body
