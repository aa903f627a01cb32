"""The delivery log, the inbound messages and the webhook deliveries as files: the page's rows for the same
filters, tracking links without their token as on the page, customer addresses masked, for mail managers only,
audited."""

from django.urls import reverse

from charter.accounts.models import Team, User
from charter.mail.models import InboundMessage, Mailbox, OutboundMessage
from tests.common.list_export_helpers import csv_rows, export_events
from tests.conftest import client_for

TOKEN = "s3cr3t-tracking-token"


def _outbound(number: int, **overrides: object) -> OutboundMessage:
    values: dict[str, object] = {
        "message_id": f"m{number}@charter.example",
        "template": "cases.acknowledged",
        "recipient": f"customer{number}@example.com",
        "language": "zh-hans",
        "subject": f"查询链接 https://charter.example.cn/track/{TOKEN}/",
        "body": "正文",
        "headers": {},
        "status": OutboundMessage.Status.SENT,
    }
    values.update(overrides)
    return OutboundMessage.objects.create(**values)


def test_delivery_log_export_filters_and_masks_tracking_tokens(administrator: User, member: User) -> None:
    sent = _outbound(1)
    _outbound(2, status=OutboundMessage.Status.FAILED, subject="=1+2")
    client = client_for(administrator)

    sent_rows = csv_rows(client.get(reverse("mail:outbound_list"), {"status": "sent", "format": "csv"}))
    failed_rows = csv_rows(client.get(reverse("mail:outbound_list"), {"status": "failed", "format": "csv"}))

    # The customer's address masked as the customers export masks it.
    assert [row[1] for row in sent_rows[1:]] == ["c***@example.com"]
    assert sent.recipient not in str(sent_rows) and sent.recipient not in str(failed_rows)
    assert sent_rows[1][3] == "查询链接 https://charter.example.cn/track/…/"
    assert TOKEN not in str(sent_rows)
    assert failed_rows[1][3] == "'=1+2"
    assert [event.data["filters"] for event in export_events("mail.outbound")] == [
        {"status": "sent"},
        {"status": "failed"},
    ]
    assert client_for(member).get(reverse("mail:outbound_list"), {"format": "csv"}).status_code == 403


def test_inbound_and_webhook_exports_answer_with_their_headings(administrator: User) -> None:
    client = client_for(administrator)

    inbound = csv_rows(client.get(reverse("mail:inbound_list"), {"format": "csv"}))
    deliveries = csv_rows(client.get(reverse("mail:delivery_list"), {"format": "csv"}))

    assert len(inbound) == 1 and inbound[0][0] == "收取时间"
    assert len(deliveries) == 1
    assert export_events("mail.inbound")[0].data["filters"] == {"status": "quarantined"}


def test_inbound_export_masks_the_sender_address(administrator: User, team: Team) -> None:
    mailbox = Mailbox.objects.create(
        name="客服邮箱",
        address="service@charter.example",
        host="127.0.0.1",
        username="u",
        password="p",
        team=team,
    )
    InboundMessage.objects.create(
        mailbox=mailbox,
        key="k-sender",
        message_id="sender@example.com",
        status="quarantined",
        sender="wang.xiaoming@example.org",
        subject="投诉",
    )

    rows = csv_rows(client_for(administrator).get(reverse("mail:inbound_list"), {"format": "csv"}))

    assert [row[2] for row in rows[1:]] == ["w***@example.org"]
    assert "wang.xiaoming" not in str(rows)
