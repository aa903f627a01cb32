"""The mail API: mailboxes, templates, webhooks and deliveries for administrators only (as the pages), through
the pages' services (SSRF checks, audit), and never a password, user name or secret in an answer but the
secret of a webhook just created, once."""

from typing import Any

import pytest
from django.utils import timezone

from charter.accounts.models import User
from charter.audit.models import AuditEvent
from charter.mail.models import Mailbox, MailTemplate, WebhookDelivery, WebhookEndpoint
from charter.mail.rendering import template_specs
from charter.mail.services import mailbox_save, webhook_save
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db

PASSWORD = "imap-password-never-shown"
USERNAME = "service-login@water.example.cn"
SECRET = "webhook-secret-never-shown-again"


@pytest.fixture
def mailbox(administrator: User) -> Mailbox:
    return mailbox_save(
        actor=administrator,
        name="客服邮箱",
        address="service@water.example.cn",
        host="127.0.0.1",
        port=14300,
        security="none",
        username=USERNAME,
        password=PASSWORD,
    )


@pytest.fixture
def endpoint(administrator: User) -> WebhookEndpoint:
    return webhook_save(
        actor=administrator,
        name="工单系统",
        url="http://127.0.0.1:9/hook",
        secret=SECRET,
        events=[],
        allow_private=True,
    )


@pytest.fixture
def failed(endpoint: WebhookEndpoint) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        event="case.created",
        delivery_id="d" * 32,
        payload={"id": "d" * 32, "event": "case.created", "data": {"case": {"number": "TS-2026-000001"}}},
        status=WebhookDelivery.Status.FAILED,
        attempts=8,
        last_error="HTTP 500",
    )


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/mailboxes/",
        "/api/v1/mail-templates/",
        "/api/v1/webhooks/",
        "/api/v1/webhook-events/",
        "/api/v1/webhook-deliveries/",
    ],
)
def test_only_administrators_use_the_mail_api(
    url: str, supervisor: User, member: User, administrator: User
) -> None:
    for user in (supervisor, member):
        response = api_client_for(user).get(url)
        assert response.status_code == 403
        assert response.json()["code"] == "mail_manage_denied"
    assert api_client_for(administrator).get(url).status_code == 200


def test_objects_answer_403_to_others_and_404_when_missing(
    mailbox: Mailbox,
    endpoint: WebhookEndpoint,
    failed: WebhookDelivery,
    supervisor: User,
    administrator: User,
) -> None:
    for url in (
        f"/api/v1/mailboxes/{mailbox.pk}/",
        f"/api/v1/webhooks/{endpoint.pk}/",
        f"/api/v1/webhook-deliveries/{failed.pk}/",
    ):
        assert api_client_for(supervisor).get(url).status_code == 403
        assert api_client_for(administrator).get(url).status_code == 200
    for url in ("/api/v1/mailboxes/0/", "/api/v1/webhooks/0/", "/api/v1/webhook-deliveries/0/"):
        assert api_client_for(administrator).get(url).status_code == 404
    assert api_client_for(supervisor).delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 403
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


# Mailboxes


def test_a_mailbox_never_shows_its_credentials(mailbox: Mailbox, administrator: User) -> None:
    client = api_client_for(administrator)
    for response in (client.get("/api/v1/mailboxes/"), client.get(f"/api/v1/mailboxes/{mailbox.pk}/")):
        assert response.status_code == 200
        assert PASSWORD not in response.content.decode() and USERNAME not in response.content.decode()
    assert client.get(f"/api/v1/mailboxes/{mailbox.pk}/").json()["host"] == "127.0.0.1"


def test_a_mailbox_is_added_and_changed_through_the_service(administrator: User) -> None:
    client = api_client_for(administrator)
    created = client.post(
        "/api/v1/mailboxes/",
        {
            "name": "投诉邮箱",
            "address": "complaints@water.example.cn",
            "host": "127.0.0.1",
            "port": 14300,
            "security": "none",
            "username": USERNAME,
            "password": PASSWORD,
            "kind": "complaint",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert PASSWORD not in created.content.decode()
    pk = created.json()["id"]

    changed = client.patch(f"/api/v1/mailboxes/{pk}/", {"is_active": False, "password": ""}, format="json")
    assert changed.status_code == 200, changed.json()
    mailbox = Mailbox.objects.get(pk=pk)
    assert not mailbox.is_active and mailbox.password == PASSWORD and mailbox.kind == "complaint"
    assert AuditEvent.objects.filter(action="mail.mailbox_save").count() == 2


def test_a_mailbox_on_a_private_address_not_allowed_is_refused(administrator: User, settings: Any) -> None:
    settings.CHARTER_MAIL_ALLOWED_HOSTS = []
    response = api_client_for(administrator).post(
        "/api/v1/mailboxes/",
        {"name": "内网", "address": "a@b.cn", "host": "10.1.2.3", "username": "u", "password": "p"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "mail_host_refused"
    assert "host" in response.json()["fields"]
    assert not Mailbox.objects.exists()


# Templates


def test_templates_are_read_saved_and_reset(administrator: User) -> None:
    client = api_client_for(administrator)
    listed = client.get("/api/v1/mail-templates/", {"limit": 200}).json()["results"]
    assert {row["key"] for row in listed} == {spec.key for spec in template_specs()}
    key = listed[0]["key"]
    one = client.get(f"/api/v1/mail-templates/{key}/").json()
    assert [language["language"] for language in one["languages"]] == ["zh-hans", "en"]
    default = one["languages"][0]
    assert default["is_custom"] is False and default["subject"]

    saved = client.put(
        f"/api/v1/mail-templates/{key}/zh-hans/",
        {"subject": "新的标题", "body": default["body"]},
        format="json",
    )
    assert saved.status_code == 200, saved.json()
    assert saved.json()["languages"][0] == {
        **saved.json()["languages"][0],
        "subject": "新的标题",
        "is_custom": True,
    }
    assert MailTemplate.objects.get(key=key, language="zh-hans").subject == "新的标题"

    broken = client.put(
        f"/api/v1/mail-templates/{key}/zh-hans/", {"subject": "{% if %}", "body": "x"}, format="json"
    )
    assert broken.status_code == 400 and broken.json()["code"] == "mail_invalid_template"
    assert MailTemplate.objects.get(key=key, language="zh-hans").subject == "新的标题"

    assert client.delete(f"/api/v1/mail-templates/{key}/zh-hans/").status_code == 204
    assert not MailTemplate.objects.filter(key=key).exists()
    assert client.get("/api/v1/mail-templates/no.such.template/").status_code == 404
    assert client.put(f"/api/v1/mail-templates/{key}/fr/", {"subject": "a", "body": "b"}).status_code == 404


# Webhooks


def test_a_webhook_shows_its_secret_once_on_creation(administrator: User) -> None:
    client = api_client_for(administrator)
    created = client.post(
        "/api/v1/webhooks/",
        {"name": "同步", "url": "http://127.0.0.1:9/hook", "allow_private": True, "events": ["case.created"]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    secret = created.json()["secret"]
    assert len(secret) >= 32
    pk = created.json()["id"]
    assert WebhookEndpoint.objects.get(pk=pk).secret == secret
    for response in (client.get("/api/v1/webhooks/"), client.get(f"/api/v1/webhooks/{pk}/")):
        assert secret not in response.content.decode() and "secret" not in response.json().__repr__()


def test_a_webhook_create_replayed_with_its_idempotency_key_makes_one_and_shows_no_secret(
    administrator: User,
) -> None:
    client = api_client_for(administrator)
    body = {"name": "同步", "url": "http://127.0.0.1:9/hook", "allow_private": True}
    first = client.post("/api/v1/webhooks/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/webhooks/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and "secret" not in again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert WebhookEndpoint.objects.count() == 1


def test_a_webhook_to_a_private_address_is_refused_unless_allowed(administrator: User) -> None:
    response = api_client_for(administrator).post(
        "/api/v1/webhooks/", {"name": "内网", "url": "http://127.0.0.1:9/hook"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "mail_webhook_url_refused"
    assert not WebhookEndpoint.objects.exists()


def test_a_webhook_is_changed_and_deleted(endpoint: WebhookEndpoint, administrator: User) -> None:
    client = api_client_for(administrator)
    url = f"/api/v1/webhooks/{endpoint.pk}/"
    refused = client.patch(url, {"allow_private": False}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "mail_webhook_url_refused"
    changed = client.patch(url, {"events": ["case.resolved"], "secret": ""}, format="json")
    assert changed.status_code == 200 and changed.json()["events"] == ["case.resolved"]
    endpoint.refresh_from_db()
    assert endpoint.secret == SECRET and endpoint.allow_private
    unknown = client.patch(url, {"events": ["no.such.event"]}, format="json")
    assert unknown.status_code == 400 and unknown.json()["code"] == "mail_invalid_field"

    assert client.delete(url).status_code == 204
    assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    deleted = AuditEvent.objects.get(action="mail.webhook_delete")
    assert SECRET not in str(deleted.data)
    assert client.delete(url).status_code == 404


def test_the_events_to_subscribe_to_are_listed(administrator: User) -> None:
    names = [row["name"] for row in api_client_for(administrator).get("/api/v1/webhook-events/").json()]
    assert "case.created" in names and "case.resolved" in names


# Deliveries


def test_deliveries_are_listed_read_and_a_failed_one_sent_again(
    failed: WebhookDelivery, endpoint: WebhookEndpoint, administrator: User, settings: Any
) -> None:
    client = api_client_for(administrator)
    listed = client.get(
        "/api/v1/webhook-deliveries/", {"status": "failed", "endpoint": str(endpoint.pk)}
    ).json()
    assert [row["id"] for row in listed["results"]] == [failed.pk]
    assert "payload" not in listed["results"][0]
    assert client.get("/api/v1/webhook-deliveries/", {"status": "delivered"}).json()["results"] == []
    detail = client.get(f"/api/v1/webhook-deliveries/{failed.pk}/").json()
    assert detail["payload"]["data"]["case"]["number"] == "TS-2026-000001"
    assert SECRET not in str(detail)

    retried = client.post(f"/api/v1/webhook-deliveries/{failed.pk}/retry/")
    assert retried.status_code == 200
    failed.refresh_from_db()
    assert failed.status == WebhookDelivery.Status.QUEUED and failed.attempts == 0
    assert AuditEvent.objects.filter(action="mail.webhook_retry").count() == 1

    WebhookDelivery.objects.filter(pk=failed.pk).update(
        status=WebhookDelivery.Status.DELIVERED, delivered_at=timezone.now()
    )
    again = client.post(f"/api/v1/webhook-deliveries/{failed.pk}/retry/")
    assert again.status_code == 400 and again.json()["code"] == "mail_not_failed"


def test_a_delivery_filter_with_an_unknown_status_is_400(administrator: User) -> None:
    response = api_client_for(administrator).get("/api/v1/webhook-deliveries/", {"status": "lost"})
    assert response.status_code == 400
