"""Webhooks: signed case events to a real HTTP receiver on localhost, retries, and the SSRF guard."""

import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from charter.accounts.models import Customer, User
from charter.cases.models import Case, CaseEvent
from charter.cases.services import case_create
from charter.cases.webhooks import case_events_publish
from charter.common.errors import DomainError, PermissionDeniedError
from charter.mail.models import WebhookDelivery, WebhookEndpoint
from charter.mail.services import webhook_save
from charter.mail.webhooks import signature_verify, webhook_delivery_retry, webhook_due_send, webhook_send
from tests.accounts.factories import CustomerFactory

pytestmark = pytest.mark.django_db

SECRET = "a-long-shared-secret-for-the-receiver"


class Receiver(http.server.ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.answer = 204

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/charter?via=test"


class _Handler(http.server.BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append((dict(self.headers), body))
        self.send_response(self.server.answer)
        self.end_headers()
        if self.server.answer >= 300:
            self.wfile.write(b"receiver says no")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def endpoint(administrator: User, receiver: Receiver) -> WebhookEndpoint:
    return webhook_save(
        actor=administrator, name="工单系统", url=receiver.url, secret=SECRET, events=[], allow_private=True
    )


@pytest.fixture
def case(routed_team: Any, settings: Any) -> Case:
    settings.CHARTER_WEBHOOK_LAG_SECONDS = 0
    case_events_publish()  # the publisher starts here: what came before is history
    customer: Customer = CustomerFactory.create(name="李四", email="li@example.com")
    return case_create(
        actor=None,
        kind="complaint",
        channel="web",
        customer=customer,
        title="停水",
        description="三天没有水了。",
    )


def test_a_receiver_on_localhost_gets_a_signed_case_event_it_can_verify(
    endpoint: WebhookEndpoint, receiver: Receiver, case: Case, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        case_events_publish()

    created = [(h, b) for h, b in receiver.requests if h["X-Charter-Event"] == "case.created"]
    assert len(created) == 1
    headers, body = created[0]
    assert signature_verify(SECRET, headers["X-Charter-Signature"], body)
    assert not signature_verify("another-secret", headers["X-Charter-Signature"], body)
    assert not signature_verify(SECRET, headers["X-Charter-Signature"], body.replace(b"TS-", b"XX-"))
    payload = json.loads(body)
    assert payload["event"] == "case.created" and payload["data"]["case"]["number"] == case.number
    assert headers["X-Charter-Delivery"] == payload["id"]
    # No personal data, no message text.
    assert (
        "李四" not in body.decode() and "li@example.com" not in body.decode() and "三天" not in body.decode()
    )
    assert WebhookDelivery.objects.filter(status=WebhookDelivery.Status.DELIVERED).count() == len(
        receiver.requests
    )


def test_publishing_again_delivers_nothing_twice(
    endpoint: WebhookEndpoint, receiver: Receiver, case: Case, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        case_events_publish()
        case_events_publish()
    keys = [headers["X-Charter-Delivery"] for headers, _body in receiver.requests]
    assert len(keys) == len(set(keys)) > 0


def test_events_wait_until_earlier_transactions_can_no_longer_commit(
    endpoint: WebhookEndpoint, case: Case, settings: Any, time_machine: Any
) -> None:
    settings.CHARTER_WEBHOOK_LAG_SECONDS = 30
    time_machine.move_to("2026-11-27 08:00:00+00:00", tick=False)
    assert case_events_publish() == 0  # first look: note how far the events go
    case_events_publish()
    assert WebhookDelivery.objects.count() == 0
    time_machine.move_to("2026-11-27 08:00:31+00:00", tick=False)
    assert case_events_publish() == CaseEvent.objects.filter(case=case).count()
    assert WebhookDelivery.objects.filter(event="case.created").count() == 1


def test_an_endpoint_gets_only_the_events_it_subscribed_to(
    administrator: User, receiver: Receiver, case: Case
) -> None:
    webhook_save(
        actor=administrator,
        name="升级",
        url=receiver.url,
        secret=SECRET,
        events=["case.escalated"],
        allow_private=True,
    )
    case_events_publish()
    assert WebhookDelivery.objects.count() == 0


def test_a_refusing_receiver_is_retried_then_failed_and_an_administrator_may_retry(
    endpoint: WebhookEndpoint,
    receiver: Receiver,
    case: Case,
    settings: Any,
    member: User,
    administrator: User,
) -> None:
    settings.CHARTER_WEBHOOK_ATTEMPTS = 2
    settings.CHARTER_WEBHOOK_RETRY_SECONDS = 0
    receiver.answer = 500
    case_events_publish()
    delivery = WebhookDelivery.objects.get(event="case.created")

    assert webhook_send(pk=delivery.pk) == WebhookDelivery.Status.QUEUED
    assert webhook_send(pk=delivery.pk) == WebhookDelivery.Status.FAILED
    delivery.refresh_from_db()
    assert delivery.response_status == 500 and "receiver says no" in delivery.last_error

    with pytest.raises(PermissionDeniedError):
        webhook_delivery_retry(actor=member, delivery=delivery)
    receiver.answer = 200
    webhook_delivery_retry(actor=administrator, delivery=delivery)
    assert webhook_due_send() >= 1
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED and delivery.attempts == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://0.0.0.0/hook",
        "ftp://example.com/hook",
        "http://user:pw@example.com/hook",
    ],
)
def test_private_addresses_and_other_schemes_are_refused_unless_allowed(
    administrator: User, url: str
) -> None:
    with pytest.raises(DomainError) as refused:
        webhook_save(actor=administrator, name="x", url=url, secret=SECRET, events=[], allow_private=False)
    assert refused.value.field == "url"
    assert WebhookEndpoint.objects.count() == 0


def test_a_delivery_is_checked_again_when_sent_so_a_changed_setting_cannot_reach_a_private_address(
    endpoint: WebhookEndpoint, receiver: Receiver, case: Case
) -> None:
    case_events_publish()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(allow_private=False)
    delivery = WebhookDelivery.objects.get(event="case.created")
    webhook_send(pk=delivery.pk)
    delivery.refresh_from_db()
    assert receiver.requests == [] and "127.0.0.1" in delivery.last_error
    assert delivery.status != WebhookDelivery.Status.DELIVERED


def test_only_administrators_register_webhooks(member: User) -> None:
    with pytest.raises(PermissionDeniedError):
        webhook_save(actor=member, name="x", url="https://example.com/", secret=SECRET, events=[])


def test_an_address_with_an_impossible_port_is_refused_with_a_field_error(administrator: User) -> None:
    with pytest.raises(DomainError) as refused:
        webhook_save(actor=administrator, name="x", url="http://example.com:99999/", secret=SECRET, events=[])
    assert refused.value.field == "url"


def test_a_key_in_the_webhook_url_never_reaches_the_audit_chain(
    administrator: User, receiver: Receiver
) -> None:
    from charter.audit.models import AuditEvent
    from charter.mail.services import webhook_delete

    # A user name and password are refused by the URL check; robot keys ride in the query.
    secret_url = receiver.url + "&key=robot-key-0123#frag-key"
    created = webhook_save(
        actor=administrator, name="企业微信", url=secret_url, secret=SECRET, events=[], allow_private=True
    )
    webhook_save(actor=administrator, endpoint=created, url=secret_url + "&access_token=token-4567")
    webhook_delete(actor=administrator, endpoint=created)

    events = list(AuditEvent.objects.filter(action__startswith="mail.webhook_"))
    assert {event.action for event in events} == {"mail.webhook_save", "mail.webhook_delete"}
    recorded = " ".join(f"{event.data} {event.target_repr}" for event in events)
    for leaked in ("robot-key-0123", "token-4567", "frag-key", "via=test", SECRET):
        assert leaked not in recorded
    deleted = next(event for event in events if event.action == "mail.webhook_delete")
    assert deleted.data["url"] == receiver.url.split("?")[0]
