"""The administrators' e-mail desk at /desk/mail/: who may use it, and each page's wiring to its service."""

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from charter.accounts.models import Team, User
from charter.audit.models import AuditEvent
from charter.catalog.models import Service, ServiceCategory
from charter.mail import inbound as inbound_module
from charter.mail.inbound import message_receive
from charter.mail.models import (
    InboundMessage,
    Mailbox,
    MailTemplate,
    OutboundMessage,
    WebhookDelivery,
    WebhookEndpoint,
)
from charter.mail.rendering import template_source
from tests.conftest import client_for
from tests.mail.conftest import corpus
from tests.mail.servers import free_port

pytestmark = pytest.mark.django_db

PASSWORD = "imap-password-that-must-never-show"
TOKEN = "Zt8pQ2vX9kLmN4rS7uW1yA3cE6gJ0hB5"
GARBAGE = b"\x00\xff garbage"


def _page(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


def _messages(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def admin_client(administrator: User) -> Client:
    return client_for(administrator)


@pytest.fixture
def service(db: None) -> Service:
    category = ServiceCategory.objects.create(slug="water", name_zh="供水")
    return Service.objects.create(slug="water-supply", category=category)


@pytest.fixture
def mailbox(team: Team) -> Mailbox:
    """A mailbox on a port nobody listens on: polling it fails at once."""
    return Mailbox.objects.create(
        name="客服邮箱",
        address="service@charter.example",
        host="127.0.0.1",
        port=free_port(),
        security=Mailbox.Security.NONE,
        username="service",
        password=PASSWORD,
        team=team,
    )


@pytest.fixture
def quarantined(mailbox: Mailbox) -> InboundMessage:
    row, is_new = message_receive(mailbox=mailbox, raw=GARBAGE)
    assert is_new and row.status == InboundMessage.Status.QUARANTINED
    return row


def _outbound(number: int = 1, **overrides: Any) -> OutboundMessage:
    values: dict[str, Any] = {
        "message_id": f"m{number}-{overrides.get('status', 'sent')}@charter.example",
        "template": "cases.acknowledged",
        "recipient": f"customer{number}@example.com",
        "language": "zh-hans",
        "subject": f"您的工单 TS-2026-{number:06d} 已受理",
        "body": f"请查看：https://charter.example.cn/track/{TOKEN}/\n附件：https://charter.example.cn/track/{TOKEN}/files/3/",
        "headers": {"Auto-Submitted": "auto-generated"},
        "status": OutboundMessage.Status.SENT,
    }
    values.update(overrides)
    return OutboundMessage.objects.create(**values)


@pytest.fixture
def endpoint(db: None) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        name="工单系统", url="http://127.0.0.1:9/hooks", secret="endpoint-secret", allow_private=True
    )


def _delivery(endpoint: WebhookEndpoint, number: int = 1, **overrides: Any) -> WebhookDelivery:
    values: dict[str, Any] = {
        "endpoint": endpoint,
        "event": "case.created",
        "delivery_id": f"d{endpoint.pk}-{number}",
        "payload": {"id": number},
        "status": WebhookDelivery.Status.FAILED,
        "attempts": 8,
        "response_status": 500,
        "last_error": "HTTP 500: receiver says no",
    }
    values.update(overrides)
    return WebhookDelivery.objects.create(**values)


def _mailbox_data(team: Team, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "投诉邮箱",
        "address": "complaints@charter.example",
        "host": "imap.charter.example",
        "port": "993",
        "security": "ssl",
        "username": "complaints",
        "password": PASSWORD,
        "folder": "INBOX",
        "done_folder": "Done",
        "team": str(team.pk),
        "service": "",
        "kind": "complaint",
        "is_active": "on",
    }
    data.update(overrides)
    return data


# Who may use the desk -------------------------------------------------------------------------------------


def _every_page(
    mailbox: Mailbox, inbound: InboundMessage, outbound: OutboundMessage, endpoint: WebhookEndpoint
) -> list[str]:
    template = {"key": "cases.acknowledged", "language": "zh-hans"}
    return [
        reverse("mail:overview"),
        reverse("mail:mailbox_create"),
        reverse("mail:mailbox_edit", args=[mailbox.pk]),
        reverse("mail:inbound_list"),
        reverse("mail:inbound_detail", args=[inbound.pk]),
        reverse("mail:inbound_raw", args=[inbound.pk]),
        reverse("mail:outbound_list"),
        reverse("mail:outbound_detail", args=[outbound.pk]),
        reverse("mail:template_list"),
        reverse("mail:template_edit", kwargs=template),
        reverse("mail:webhook_list"),
        reverse("mail:webhook_create"),
        reverse("mail:webhook_detail", args=[endpoint.pk]),
        reverse("mail:webhook_edit", args=[endpoint.pk]),
        reverse("mail:delivery_list"),
    ]


def _every_action(
    mailbox: Mailbox,
    inbound: InboundMessage,
    outbound: OutboundMessage,
    delivery: WebhookDelivery,
) -> list[str]:
    template = {"key": "cases.acknowledged", "language": "zh-hans"}
    return [
        reverse("mail:mailbox_create"),
        reverse("mail:mailbox_edit", args=[mailbox.pk]),
        reverse("mail:mailbox_check", args=[mailbox.pk]),
        reverse("mail:inbound_retry", args=[inbound.pk]),
        reverse("mail:inbound_discard", args=[inbound.pk]),
        reverse("mail:outbound_retry", args=[outbound.pk]),
        reverse("mail:template_edit", kwargs=template),
        reverse("mail:template_reset", kwargs=template),
        reverse("mail:webhook_create"),
        reverse("mail:webhook_edit", args=[delivery.endpoint_id]),
        reverse("mail:delivery_retry", args=[delivery.pk]),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(
    client: Client, mailbox: Mailbox, quarantined: InboundMessage, endpoint: WebhookEndpoint
) -> None:
    outbound = _outbound()

    for url in _every_page(mailbox, quarantined, outbound, endpoint):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url


def test_agents_get_403_on_every_page_and_action_and_nothing_changes(
    member: User, mailbox: Mailbox, quarantined: InboundMessage, endpoint: WebhookEndpoint
) -> None:
    client = client_for(member)
    outbound = _outbound(status=OutboundMessage.Status.FAILED)
    delivery = _delivery(endpoint)

    for url in _every_page(mailbox, quarantined, outbound, endpoint):
        assert client.get(url).status_code == 403, url
    for url in _every_action(mailbox, quarantined, outbound, delivery):
        assert client.post(url, {"name": "x", "subject": "x", "body": "y"}).status_code == 403, url

    quarantined.refresh_from_db()
    outbound.refresh_from_db()
    delivery.refresh_from_db()
    assert quarantined.status == InboundMessage.Status.QUARANTINED
    assert outbound.status == OutboundMessage.Status.FAILED
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert Mailbox.objects.count() == 1 and WebhookEndpoint.objects.count() == 1
    assert "/desk/mail/" not in _page(client.get(reverse("cases:desk_queue")))


def test_actions_refuse_get(admin_client: Client, quarantined: InboundMessage) -> None:
    assert admin_client.get(reverse("mail:inbound_retry", args=[quarantined.pk])).status_code == 405
    assert admin_client.get(reverse("mail:inbound_discard", args=[quarantined.pk])).status_code == 405


def test_the_overview_shows_mailboxes_and_what_needs_attention(
    admin_client: Client, mailbox: Mailbox, quarantined: InboundMessage, endpoint: WebhookEndpoint
) -> None:
    _outbound(1, status=OutboundMessage.Status.FAILED)
    _outbound(2, status=OutboundMessage.Status.FAILED)
    _delivery(endpoint)
    Mailbox.objects.filter(pk=mailbox.pk).update(poll_error="ConnectionRefusedError: 拒绝连接")

    page = _page(admin_client.get(reverse("mail:overview")))

    # the desk's navigation, for administrators only (marked as the current page here)
    assert re.search(r'href="/desk/mail/"[^>]*>电子邮件</a>', page)
    assert "service@charter.example" in page and "拒绝连接" in page
    assert str(mailbox.team) in page
    assert PASSWORD not in page
    assert 'href="/desk/mail/inbound/?status=quarantined"><strong>1</strong>' in page
    assert 'href="/desk/mail/outbound/?status=failed"><strong>2</strong>' in page
    assert 'href="/desk/mail/webhooks/deliveries/?status=failed"><strong>1</strong>' in page


# Mailboxes ------------------------------------------------------------------------------------------------


def test_an_administrator_creates_a_mailbox_and_edits_it_keeping_the_password(
    admin_client: Client, team: Team, other_team: Team, service: Service
) -> None:
    response = admin_client.post(reverse("mail:mailbox_create"), _mailbox_data(team, service=str(service.pk)))

    mailbox = Mailbox.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("mail:mailbox_edit", args=[mailbox.pk])
    assert (mailbox.address, mailbox.team, mailbox.service, mailbox.kind) == (
        "complaints@charter.example",
        team,
        service,
        "complaint",
    )
    assert mailbox.password == PASSWORD

    page = _page(admin_client.get(response["Location"]))
    assert 'value="complaints@charter.example"' in page and 'value="complaints"' in page
    assert PASSWORD not in page
    assert reverse("mail:mailbox_check", args=[mailbox.pk]) in page

    response = admin_client.post(
        reverse("mail:mailbox_edit", args=[mailbox.pk]),
        _mailbox_data(other_team, password="", port="143", security="starttls", is_active=""),
    )

    assert response.status_code == 302
    mailbox.refresh_from_db()
    assert (mailbox.team, mailbox.port, mailbox.security, mailbox.is_active) == (
        other_team,
        143,
        "starttls",
        False,
    )
    assert mailbox.password == PASSWORD
    saves = AuditEvent.objects.filter(action="mail.mailbox_save")
    assert saves.count() == 2 and PASSWORD not in str(list(saves.values_list("data", flat=True)))

    admin_client.post(
        reverse("mail:mailbox_edit", args=[mailbox.pk]), _mailbox_data(team, password="new-one")
    )
    mailbox.refresh_from_db()
    assert mailbox.password == "new-one"


def test_a_mailbox_form_with_bad_input_shows_field_errors_in_chinese_and_changes_nothing(
    admin_client: Client, mailbox: Mailbox, team: Team
) -> None:
    url = reverse("mail:mailbox_edit", args=[mailbox.pk])

    response = admin_client.post(url, _mailbox_data(team, address="not-an-address", port="abc", name=""))

    page = _page(response)
    form = response.context["form"]
    assert set(form.errors) == {"address", "port", "name"}
    assert "请输入合法的邮件地址" in page
    assert "输入整数" in page
    assert "该字段是必填项" in page
    assert PASSWORD not in page
    mailbox.refresh_from_db()
    assert mailbox.address == "service@charter.example" and mailbox.name == "客服邮箱"

    response = admin_client.post(reverse("mail:mailbox_create"), _mailbox_data(team, password=""))
    assert "password" in response.context["form"].errors
    assert Mailbox.objects.count() == 1


def test_inactive_teams_are_not_offered_except_the_one_the_mailbox_has(
    admin_client: Client, mailbox: Mailbox, team: Team, other_team: Team
) -> None:
    Team.objects.filter(pk__in=[team.pk, other_team.pk]).update(is_active=False)

    create = admin_client.get(reverse("mail:mailbox_create")).context["form"]
    edit = admin_client.get(reverse("mail:mailbox_edit", args=[mailbox.pk])).context["form"]

    assert list(create.fields["team"].queryset) == []
    assert list(edit.fields["team"].queryset) == [team]


def test_check_now_polls_the_mailbox_and_reports_the_error(admin_client: Client, mailbox: Mailbox) -> None:
    response = admin_client.post(reverse("mail:mailbox_check", args=[mailbox.pk]), follow=True)

    mailbox.refresh_from_db()
    assert mailbox.polled_at is not None and mailbox.poll_error
    assert any(
        "邮箱检查失败" in message and "ConnectionRefusedError" in message for message in _messages(response)
    )


# The quarantine -------------------------------------------------------------------------------------------


def test_the_quarantine_is_the_default_list_and_the_filter_shows_the_others(
    admin_client: Client, mailbox: Mailbox, quarantined: InboundMessage
) -> None:
    handled = InboundMessage.objects.create(
        mailbox=mailbox,
        key="k-handled",
        message_id="handled@example.com",
        status="handled",
        subject="已处理的邮件",
    )

    default = _page(admin_client.get(reverse("mail:inbound_list")))
    handled_only = _page(admin_client.get(reverse("mail:inbound_list"), {"status": "handled"}))
    every = _page(admin_client.get(reverse("mail:inbound_list"), {"status": ""}))

    detail = reverse("mail:inbound_detail", args=[quarantined.pk])
    assert detail in default and handled.subject not in default
    assert detail not in handled_only and handled.subject in handled_only
    assert detail in every and handled.subject in every


def test_a_quarantined_message_shows_its_reason_and_is_retried_then_discarded(
    admin_client: Client, quarantined: InboundMessage
) -> None:
    detail = reverse("mail:inbound_detail", args=[quarantined.pk])
    page = _page(admin_client.get(detail))
    assert quarantined.message_id in page and quarantined.reason.split(":")[0] in page
    assert reverse("mail:inbound_retry", args=[quarantined.pk]) in page
    assert reverse("mail:inbound_raw", args=[quarantined.pk]) in page

    retried = admin_client.post(reverse("mail:inbound_retry", args=[quarantined.pk]), follow=True)

    quarantined.refresh_from_db()
    assert quarantined.status == InboundMessage.Status.QUARANTINED
    assert any("仍在隔离区" in message for message in _messages(retried))
    assert AuditEvent.objects.filter(action="mail.inbound_retry").count() == 0  # it failed: nothing changed

    discarded = admin_client.post(reverse("mail:inbound_discard", args=[quarantined.pk]), follow=True)

    quarantined.refresh_from_db()
    assert quarantined.status == InboundMessage.Status.DISCARDED and quarantined.raw is None
    assert discarded.redirect_chain[-1][0] == detail
    page = _page(discarded)
    assert reverse("mail:inbound_retry", args=[quarantined.pk]) not in page
    assert admin_client.get(reverse("mail:inbound_raw", args=[quarantined.pk])).status_code == 404


def test_a_retry_hands_the_message_to_the_handler_again(
    admin_client: Client, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**kwargs: Any) -> str:
        raise RuntimeError("the handler is down")

    def accept(**kwargs: Any) -> str:
        return "case:42"

    monkeypatch.setattr(inbound_module, "_handler", [refuse])
    row, _is_new = message_receive(mailbox=mailbox, raw=corpus("utf8-plain.eml"))
    assert row.status == InboundMessage.Status.QUARANTINED
    monkeypatch.setattr(inbound_module, "_handler", [accept])

    response = admin_client.post(reverse("mail:inbound_retry", args=[row.pk]), follow=True)

    row.refresh_from_db()
    assert (row.status, row.thread_ref) == (InboundMessage.Status.HANDLED, "case:42")
    assert any("case:42" in message for message in _messages(response))
    assert "case:42" in _page(response)


def test_the_raw_message_is_only_ever_a_download(admin_client: Client, quarantined: InboundMessage) -> None:
    response = admin_client.get(reverse("mail:inbound_raw", args=[quarantined.pk]))

    assert response.status_code == 200
    assert response.content == GARBAGE
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == f'attachment; filename="message-{quarantined.pk}.eml"'
    assert response["X-Content-Type-Options"] == "nosniff"


# The delivery log -----------------------------------------------------------------------------------------


def test_the_delivery_log_filters_and_masks_tracking_tokens(admin_client: Client) -> None:
    sent = _outbound(1)
    failed = _outbound(
        2, status=OutboundMessage.Status.FAILED, template="cases.replied", last_error="550 没有此用户"
    )

    failed_only = _page(admin_client.get(reverse("mail:outbound_list"), {"status": "failed"}))
    by_template = _page(admin_client.get(reverse("mail:outbound_list"), {"template": "cases.acknowledged"}))
    detail = _page(admin_client.get(reverse("mail:outbound_detail", args=[sent.pk])))

    assert failed.recipient in failed_only and sent.recipient not in failed_only
    assert sent.recipient in by_template and failed.recipient not in by_template
    assert TOKEN not in detail
    assert "https://charter.example.cn/track/…/" in detail
    assert "https://charter.example.cn/track/…/files/3/" in detail
    assert sent.subject in detail and "auto-generated" in detail


def test_a_tracking_link_in_a_subject_is_masked_too(admin_client: Client) -> None:
    message = _outbound(1, subject=f"查询链接 https://charter.example.cn/track/{TOKEN}/")

    listing = _page(admin_client.get(reverse("mail:outbound_list")))
    detail = _page(admin_client.get(reverse("mail:outbound_detail", args=[message.pk])))

    assert TOKEN not in listing and TOKEN not in detail
    assert "查询链接 https://charter.example.cn/track/…/" in listing


def test_times_are_shown_in_the_administrators_time_zone(admin_client: Client, administrator: User) -> None:
    administrator.time_zone = "America/New_York"
    administrator.save(update_fields=["time_zone"])
    message = _outbound(1)
    OutboundMessage.objects.filter(pk=message.pk).update(
        created_at=dt.datetime(2026, 11, 27, 0, 30, tzinfo=dt.UTC)
    )

    detail = _page(admin_client.get(reverse("mail:outbound_detail", args=[message.pk])))

    assert "2026-11-26 19:30:00" in detail


def test_a_failed_message_is_queued_again(admin_client: Client, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    failed = _outbound(1, status=OutboundMessage.Status.FAILED, attempts=6, last_error="550 没有此用户")
    page = _page(admin_client.get(reverse("mail:outbound_detail", args=[failed.pk])))
    assert reverse("mail:outbound_retry", args=[failed.pk]) in page and "550 没有此用户" in page

    response = admin_client.post(reverse("mail:outbound_retry", args=[failed.pk]))

    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status in (OutboundMessage.Status.QUEUED, OutboundMessage.Status.SENT)
    assert AuditEvent.objects.filter(action="mail.outbound_retry").count() == 1


# Templates ------------------------------------------------------------------------------------------------


def test_templates_are_listed_per_language_with_what_is_in_force(
    admin_client: Client, administrator: User
) -> None:
    MailTemplate.objects.create(
        key="cases.replied", language="en", subject="Re", body="Body", updated_by=administrator
    )

    page = _page(admin_client.get(reverse("mail:template_list")))

    assert reverse("mail:template_edit", kwargs={"key": "cases.acknowledged", "language": "zh-hans"}) in page
    assert reverse("mail:template_edit", kwargs={"key": "cases.replied", "language": "en"}) in page
    assert page.count("已自定义") == 1


def test_a_template_is_previewed_without_saving_then_saved_and_reset(admin_client: Client) -> None:
    url = reverse("mail:template_edit", kwargs={"key": "cases.acknowledged", "language": "zh-hans"})
    default_subject, default_body = template_source("cases.acknowledged", "zh-hans")
    page = _page(admin_client.get(url))
    assert default_subject in page
    assert "tracking_url" in page  # the variables the template may use, with their descriptions
    edit = {
        "subject": "【{{ organisation }}】{{ number }} 已收到",
        "body": "{{ recipient_name }}：<b>收到</b>",
    }

    preview = admin_client.post(url, {**edit, "preview": "1"})

    assert "【示范公用事业公司】TS-2026-000123 已收到" in _page(preview)
    assert "王女士：&lt;b&gt;收到&lt;/b&gt;" in _page(preview)  # plain text, shown escaped
    assert not MailTemplate.objects.exists()

    broken = admin_client.post(url, {"subject": "{% if %}", "body": "y", "preview": "1"})
    assert "subject" in broken.context["form"].errors and broken.context["preview"] is None

    saved = admin_client.post(url, {**edit, "save": "1"})
    assert saved.status_code == 302
    assert template_source("cases.acknowledged", "zh-hans")[0] == edit["subject"]
    assert "已自定义" in _page(admin_client.get(url))

    refused = admin_client.post(url, {"subject": "ok", "body": "{% for %}", "save": "1"})
    assert "body" in refused.context["form"].errors
    assert template_source("cases.acknowledged", "zh-hans")[0] == edit["subject"]

    failing = admin_client.post(url, {"subject": "{% url 'nowhere' %}", "body": "y", "save": "1"})
    assert failing.status_code == 200 and "subject" in failing.context["form"].errors
    assert template_source("cases.acknowledged", "zh-hans")[0] == edit["subject"]

    reset = admin_client.post(
        reverse("mail:template_reset", kwargs={"key": "cases.acknowledged", "language": "zh-hans"})
    )
    assert reset.status_code == 302
    assert not MailTemplate.objects.exists()
    assert template_source("cases.acknowledged", "zh-hans") == (default_subject, default_body)


def test_unknown_templates_and_languages_are_404(admin_client: Client) -> None:
    assert admin_client.get(reverse("mail:template_edit", args=["cases.nope", "zh-hans"])).status_code == 404
    assert (
        admin_client.get(reverse("mail:template_edit", args=["cases.acknowledged", "fr"])).status_code == 404
    )


# Webhooks -------------------------------------------------------------------------------------------------


def test_a_new_webhook_gets_a_secret_shown_once(admin_client: Client) -> None:
    response = admin_client.post(
        reverse("mail:webhook_create"),
        {
            "name": "内部系统",
            "url": "http://127.0.0.1:8080/hooks",
            "events": ["case.created"],
            "allow_private": "on",
            "is_active": "on",
        },
    )

    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302
    assert len(endpoint.secret) >= 40 and endpoint.events == ["case.created"]
    first = _page(admin_client.get(response["Location"]))
    assert endpoint.secret in first and "不会再次显示" in first
    again = _page(admin_client.get(response["Location"]))
    assert endpoint.secret not in again
    assert endpoint.secret not in _page(admin_client.get(reverse("mail:webhook_edit", args=[endpoint.pk])))


def test_a_secret_entered_by_the_administrator_is_kept_and_never_shown(admin_client: Client) -> None:
    response = admin_client.post(
        reverse("mail:webhook_create"),
        {
            "name": "内部系统",
            "url": "http://127.0.0.1:8080/hooks",
            "secret": "mine-own-secret",
            "allow_private": "on",
        },
    )

    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret == "mine-own-secret"
    assert "mine-own-secret" not in _page(admin_client.get(response["Location"]))

    admin_client.post(
        reverse("mail:webhook_edit", args=[endpoint.pk]),
        {"name": "新名字", "url": "http://127.0.0.1:8080/hooks", "secret": "", "allow_private": "on"},
    )
    endpoint.refresh_from_db()
    assert (endpoint.name, endpoint.secret, endpoint.is_active) == ("新名字", "mine-own-secret", False)


def test_a_loopback_url_is_refused_unless_private_addresses_are_allowed(admin_client: Client) -> None:
    data = {"name": "本机", "url": "http://127.0.0.1:8080/hooks", "is_active": "on"}

    refused = admin_client.post(reverse("mail:webhook_create"), data)

    assert refused.status_code == 200
    assert list(refused.context["form"].errors) == ["url"]
    assert "环回或内网地址" in _page(refused)
    assert not WebhookEndpoint.objects.exists()

    allowed = admin_client.post(reverse("mail:webhook_create"), {**data, "allow_private": "on"})
    assert allowed.status_code == 302 and WebhookEndpoint.objects.get().allow_private


def test_a_failed_delivery_is_retried_from_the_webhook_page(
    admin_client: Client, endpoint: WebhookEndpoint, settings: Any
) -> None:
    settings.CHARTER_WEBHOOK_ATTEMPTS = 1
    delivered = _delivery(
        endpoint, 1, status=WebhookDelivery.Status.DELIVERED, response_status=204, last_error=""
    )
    failed = _delivery(endpoint, 2)
    detail = reverse("mail:webhook_detail", args=[endpoint.pk])
    page = _page(admin_client.get(detail))
    assert reverse("mail:delivery_retry", args=[failed.pk]) in page
    assert reverse("mail:delivery_retry", args=[delivered.pk]) not in page
    assert "receiver says no" in page

    response = admin_client.post(reverse("mail:delivery_retry", args=[failed.pk]), {"next": detail})

    assert response.status_code == 302 and response["Location"] == detail
    assert AuditEvent.objects.filter(action="mail.webhook_retry").count() == 1
    outside = admin_client.post(
        reverse("mail:delivery_retry", args=[failed.pk]), {"next": "https://evil.example/"}
    )
    assert outside["Location"] == detail


# Query counts ---------------------------------------------------------------------------------------------


def _rows(count: int, team: Team, endpoint: WebhookEndpoint, start: int) -> None:
    for number in range(start, start + count):
        mailbox = Mailbox.objects.create(
            name=f"邮箱{number}",
            address=f"box{number}@charter.example",
            host="127.0.0.1",
            username="u",
            password="p",
            team=team,
        )
        InboundMessage.objects.create(
            mailbox=mailbox, key=f"k{number}", message_id=f"{number}@x", status="quarantined", raw=GARBAGE
        )
        _outbound(number)
        _delivery(endpoint, number)
        WebhookEndpoint.objects.create(
            name=f"钩子{number}", url="https://example.com/", secret="s", events=["case.created"]
        )


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/desk/mail/",
        "/desk/mail/inbound/",
        "/desk/mail/outbound/",
        "/desk/mail/templates/",
        "/desk/mail/webhooks/",
        "/desk/mail/webhooks/deliveries/",
    ],
)
def test_lists_take_as_many_queries_for_20_rows_as_for_2(
    admin_client: Client, team: Team, endpoint: WebhookEndpoint, url: str
) -> None:
    _rows(2, team, endpoint, 1)
    few = _queries(admin_client, url)
    _rows(18, team, endpoint, 3)

    many = _queries(admin_client, url)

    assert many == few, url


def test_a_webhook_page_takes_as_many_queries_for_20_deliveries_as_for_2(
    admin_client: Client, endpoint: WebhookEndpoint
) -> None:
    for number in range(2):
        _delivery(endpoint, number)
    url = reverse("mail:webhook_detail", args=[endpoint.pk])
    few = _queries(admin_client, url)
    for number in range(2, 20):
        _delivery(endpoint, number)

    assert _queries(admin_client, url) == few
