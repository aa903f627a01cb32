"""Webhooks out: signed JSON events to administrators' URLs, retried with backoff, logged, never to private
addresses unless allowed.

An app publishes events with `webhook_emit` inside its own transaction; each subscribed endpoint gets one
`WebhookDelivery`, keyed by endpoint and event key, so publishing the same event twice delivers it once.
The worker posts it after the commit. Every attempt resolves the host again and connects to the checked
address itself (no redirects are followed), so neither a DNS change nor a redirect can steer a delivery
into loopback or a private network (SSRF).

Signature: header `X-Charter-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the
endpoint's secret>`; receivers check it with `signature_verify` (or the same three lines in any language)
and refuse old timestamps.
"""

import functools
import hashlib
import hmac
import http.client
import json
import logging
import secrets
import socket
import ssl
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.common.errors import DomainError
from charter.mail.addresses import AddressRefused, host_addresses
from charter.mail.attempts import (
    attempt_claim,
    attempt_failed,
    attempt_requeue,
    attempt_succeeded,
    attempts_due,
)
from charter.mail.conf import mail_setting
from charter.mail.errors import ErrorCode
from charter.mail.models import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

# Event name -> label, registered by the apps that publish them.
WEBHOOK_EVENTS: dict[str, str | Promise] = {}


def webhook_events_register(events: Mapping[str, str | Promise]) -> None:
    WEBHOOK_EVENTS.update(events)


def secret_new() -> str:
    return secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def signature_verify(secret: str, header: str, body: bytes, *, tolerance: int = 300) -> bool:
    """True when `header` (X-Charter-Signature) signs `body` with `secret` and is at most `tolerance`
    seconds old: what a receiver checks."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), f"t={timestamp},v1={parts.get('v1', '')}")


class _Refused(Exception):
    pass


def _addresses(url: str, *, allow_private: bool) -> tuple[str, int, str, list[str]]:
    """(scheme, port, host, [checked IP addresses]) for `url`, or _Refused with the reason."""
    try:
        parts = urlsplit(url)
        explicit_port = parts.port
    except ValueError as error:  # e.g. a port out of range
        raise _Refused(str(_("This is not a valid address."))) from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _Refused(str(_("Only http and https addresses can receive webhooks.")))
    if parts.username or parts.password:
        raise _Refused(str(_("Put no user name or password in the address; the signature authenticates.")))
    port = explicit_port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = host_addresses(parts.hostname, port, allow_private=allow_private)
    except AddressRefused as error:
        reason = str(error)
        if not allow_private:
            reason += " " + str(
                _("An administrator may allow private addresses for a receiver on the intranet.")
            )
        raise _Refused(reason) from error
    return parts.scheme, port, parts.hostname, addresses


def url_check(url: str, *, allow_private: bool) -> None:
    """Raise DomainError (field `url`) unless `url` may receive webhooks."""
    try:
        _addresses(url, allow_private=allow_private)
    except _Refused as error:
        raise DomainError(str(error), code=ErrorCode.WEBHOOK_URL_REFUSED, field="url") from error


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _post(endpoint: WebhookEndpoint, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    scheme, port, host, addresses = _addresses(endpoint.url, allow_private=endpoint.allow_private)
    parts = urlsplit(endpoint.url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    timeout = float(mail_setting("CHARTER_WEBHOOK_TIMEOUT"))
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, addresses[0], timeout)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read(2000).decode("utf-8", "replace")
        return response.status, answer
    finally:
        connection.close()


def webhook_emit(*, event: str, key: str, data: Mapping[str, Any]) -> int:
    """Queue `event` for every active endpoint that subscribes to it; return how many deliveries were made.

    `key` identifies the event (e.g. "case-event:42"): emitting the same key again adds nothing. Call inside
    the transaction of the change; deliveries are posted after the commit.
    """
    at = timezone.now()
    made = 0
    for endpoint in WebhookEndpoint.objects.filter(is_active=True):
        if endpoint.events and event not in endpoint.events:
            continue
        delivery_id = hashlib.sha256(f"{endpoint.pk}:{key}".encode()).hexdigest()[:32]
        delivery, created = WebhookDelivery.objects.get_or_create(
            delivery_id=delivery_id,
            defaults={
                "endpoint": endpoint,
                "event": event,
                "payload": {"id": delivery_id, "event": event, "created_at": at.isoformat(), "data": data},
                "next_attempt_at": at,
            },
        )
        if created:
            made += 1
            transaction.on_commit(functools.partial(_enqueue, delivery.pk))
    return made


def _enqueue(pk: int) -> None:
    from charter.mail.tasks import webhook_send_task

    webhook_send_task(pk)


def webhook_send(*, pk: int) -> str:
    """Post delivery `pk` if it is due and unclaimed; retry later with doubling delays on failure."""
    lease = float(mail_setting("CHARTER_WEBHOOK_TIMEOUT")) * 3 + 30
    claim = attempt_claim(WebhookDelivery, pk, at=timezone.now(), lease_seconds=lease)
    if claim is None:
        return WebhookDelivery.objects.filter(pk=pk).values_list("status", flat=True).first() or ""
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=pk)
    body = json.dumps(delivery.payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    stamp = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Charter-Webhooks/1",
        "X-Charter-Event": delivery.event,
        "X-Charter-Delivery": delivery.delivery_id,
        "X-Charter-Signature": signature(delivery.endpoint.secret, stamp, body),
    }
    attempts = delivery.attempts + 1
    status: int | None = None
    try:
        status, answer = _post(delivery.endpoint, body, headers)
        error = "" if 200 <= status < 300 else f"HTTP {status}: {answer[:500]}"
    except _Refused as refused:
        error = str(refused)
    except (OSError, http.client.HTTPException) as failure:
        error = f"{type(failure).__name__}: {failure}"[:2000]
    if not error:
        attempt_succeeded(
            WebhookDelivery,
            pk,
            lease=claim,
            status=WebhookDelivery.Status.DELIVERED,
            attempts=attempts,
            response_status=status,
            last_error="",
            delivered_at=timezone.now(),
        )
        return WebhookDelivery.Status.DELIVERED
    logger.warning("webhook delivery %s failed (attempt %s): %s", pk, attempts, error)
    return attempt_failed(
        WebhookDelivery,
        pk,
        lease=claim,
        attempts=attempts,
        max_attempts=int(mail_setting("CHARTER_WEBHOOK_ATTEMPTS")),
        retry_seconds=int(mail_setting("CHARTER_WEBHOOK_RETRY_SECONDS")),
        response_status=status,
        last_error=error,
    )


def webhook_due_send(*, limit: int = 200) -> int:
    """Post every delivery that is due; return how many were delivered."""
    due = attempts_due(WebhookDelivery, limit=limit)
    return sum(webhook_send(pk=pk) == WebhookDelivery.Status.DELIVERED for pk in due)


def webhook_delivery_retry(*, actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Queue a failed delivery again. Audited as `mail.webhook_retry`."""
    with transaction.atomic():
        row = attempt_requeue(actor=actor, row=delivery, action="mail.webhook_retry")
        transaction.on_commit(lambda: _enqueue(row.pk))
    return row
