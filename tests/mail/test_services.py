"""Administrators' changes to mail (charter.mail.services): the text they enter follows the common rule."""

import pytest

from charter.accounts.models import Customer, Team, User
from charter.audit.models import AuditEvent
from charter.common.errors import DomainError
from charter.mail.errors import ErrorCode
from charter.mail.inbound import message_receive
from charter.mail.models import InboundMessage, Mailbox, MailTemplate, WebhookEndpoint
from charter.mail.services import mail_template_save, mailbox_save, webhook_save

pytestmark = pytest.mark.django_db


def test_text_with_a_nul_or_longer_than_its_column_is_refused_and_nothing_written(
    administrator: User,
) -> None:
    with pytest.raises(DomainError) as nul:
        mail_template_save(
            actor=administrator,
            key="cases.acknowledged",
            language="zh-hans",
            subject="已收到",
            body="您好\x00",
        )
    with pytest.raises(DomainError) as too_long:
        mailbox_save(
            actor=administrator,
            name="邮" * 101,
            address="service@example.com",
            host="imap.example.com",
            username="service",
            password="secret",
        )
    with pytest.raises(DomainError) as control:
        webhook_save(actor=administrator, name="工单\x1b系统", url="https://example.com/", secret="s" * 32)

    assert (nul.value.code, nul.value.field) == (ErrorCode.INVALID_TEXT, "body")
    assert (too_long.value.code, too_long.value.field) == (ErrorCode.TEXT_TOO_LONG, "name")
    assert "100" in str(too_long.value.message)
    assert (control.value.code, control.value.field) == (ErrorCode.INVALID_TEXT, "name")
    assert not MailTemplate.objects.exists()
    assert not Mailbox.objects.exists()
    assert not WebhookEndpoint.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="mail.").exists()


def test_entered_text_is_stored_stripped(administrator: User) -> None:
    mailbox = mailbox_save(
        actor=administrator,
        name=" 服务邮箱 ",
        address=" service@example.com ",
        host="imap.example.com\r\n",
        username="service",
        password=" secret ",
    )

    mailbox.refresh_from_db()
    assert mailbox.name == "服务邮箱"
    assert (mailbox.address, mailbox.host) == ("service@example.com", "imap.example.com")
    assert mailbox.password == " secret "  # the server's password, as typed


def test_a_senders_name_with_a_control_character_still_opens_a_case_without_it(routed_team: Team) -> None:
    mailbox = Mailbox.objects.create(
        name="客服邮箱",
        address="service@charter.example",
        host="127.0.0.1",
        username="u",
        password="p",
        team=routed_team,
    )
    raw = (
        "From: =?utf-8?q?=E7=8E=8B=C2=9B=E4=BA=94?= <wang@example.com>\r\n"
        "To: service@charter.example\r\nSubject: =?utf-8?b?5rC05Y6L5L2O?=\r\n"
        "Message-ID: <control-name@example.com>\r\n\r\n水压低。\r\n"
    ).encode()

    inbound, _new = message_receive(mailbox=mailbox, raw=raw)

    assert inbound.status == InboundMessage.Status.HANDLED, inbound.reason
    [customer] = Customer.objects.all()
    assert (customer.name, customer.email) == ("王五", "wang@example.com")
