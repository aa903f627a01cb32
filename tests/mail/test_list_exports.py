"""The delivery log, the inbound messages and the webhook deliveries as files: the page's rows for the same
filters, tracking links without their token as on the page, for mail managers only, audited."""

from django.urls import reverse

from charter.accounts.models import User
from charter.mail.models import OutboundMessage
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

    assert [row[1] for row in sent_rows[1:]] == [sent.recipient]
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
