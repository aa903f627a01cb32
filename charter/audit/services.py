"""Writes of the audit trail: one function, called by every service inside its transaction."""

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from charter.audit.models import AuditChainHead, AuditEvent
from charter.common.http import client_ip

if TYPE_CHECKING:
    from charter.accounts.models import User


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return client_ip(request) or None


def audit_record(
    *,
    actor: "User | AnonymousUser | None",
    action: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    actor_label: str = "",
) -> AuditEvent:
    """Append one event to the chain and return it.

    Call it inside the transaction of the change it records, so the event and the change commit or roll
    back together. Appends are serialised by locking the chain head row; `data` must be JSON-serialisable
    (Decimals and dates become strings).
    """
    canonical_data = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))
    user = actor if actor is not None and actor.is_authenticated else None
    with transaction.atomic():
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            sequence=head.last_sequence + 1,
            occurred_at=timezone.now().astimezone(dt.UTC),
            actor=user,
            actor_label=actor_label or (user.get_username() if user is not None else ""),
            action=action,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            target_repr=str(target)[:300] if target is not None else "",
            data=canonical_data,
            ip_address=_client_ip(request),
            previous_hash=head.last_hash,
        )
        event.hash = event.compute_hash()
        event.save(force_insert=True)
        head.last_sequence = event.sequence
        head.last_hash = event.hash
        head.save(update_fields=["last_sequence", "last_hash"])
    return event
