"""Writes of the audit trail: one function, called by every service inside its transaction."""

import contextlib
import contextvars
import dataclasses
import datetime as dt
import json
import operator
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.roles import Role
from charter.audit.errors import ErrorCode
from charter.audit.heads import head_line, head_make
from charter.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent, AuditHeadExport, head_seal
from charter.common.errors import DomainError
from charter.common.http import client_ip
from charter.common.inserts import PreparedInsert
from charter.common.locking import row_lock_values, row_set

if TYPE_CHECKING:
    from charter.accounts.models import User


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return client_ip(request) or None


@dataclasses.dataclass
class _Batch:
    events: list[AuditEvent] = dataclasses.field(default_factory=list)


_batch: contextvars.ContextVar[_Batch | None] = contextvars.ContextVar("audit_batch", default=None)


@contextlib.contextmanager
def audit_batch() -> Iterator[None]:
    """Hold back the events `audit_record` is asked for in the block, and append them together at its end.

    Use it inside the transaction of the change, around the services that make it: the chain head is then
    locked for one append at the end (one lock, one insert, one update) instead of from the first event to
    the commit, so concurrent writers queue on it for less time. Events are appended in the order they were
    asked for, each timed as it is appended; the AuditEvent objects `audit_record` returned are complete
    once the block has ended. A block inside another joins the outer one. When the block raises, nothing is
    appended (its transaction rolls back anyway).
    """
    if _batch.get() is not None:
        yield
        return
    batch = _Batch()
    token = _batch.set(batch)
    try:
        yield
    finally:
        _batch.reset(token)
    if batch.events:
        _append(batch.events)


# The columns of an event that its place in the chain decides.
_CHAINED = ("sequence", "occurred_at", "previous_hash", "hash")


def _append(events: list[AuditEvent]) -> None:
    """Chain `events` after the head and store them; the head row stays locked until the commit."""
    # Compiled before the head is locked; what the chain decides (place, time, hashes) is filled in after.
    insert = PreparedInsert(events, late={name: operator.attrgetter(name) for name in _CHAINED})
    # No savepoint: the caller's transaction holds the change, and a failed append must roll all of it back.
    with transaction.atomic(savepoint=False):
        # The head exists from the first append on.
        head = row_lock_values(AuditChainHead, ("last_sequence", "last_hash"), id=1)
        if head is None:
            created, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
            head = (created.last_sequence, created.last_hash)
        sequence, previous = head
        for event in events:
            sequence += 1
            event.sequence = sequence
            event.occurred_at = timezone.now().astimezone(dt.UTC)
            event.previous_hash = previous
            event.hash = event.compute_hash()
            previous = event.hash
        insert.run()
        row_set(
            AuditChainHead, 1, last_sequence=sequence, last_hash=previous, seal=head_seal(sequence, previous)
        )


def audit_names_by_id(user: "User") -> bool:
    """True when the audit trail must name `user` by id only: a customer (customer role, or no staff role).

    The chain cannot be rewritten, so erasure could never take a customer's name or username out of an
    event's actor_label or target_repr: they read `User #<pk>` instead. Staff are named, as accountability
    asks. The one rule for every event (audit_record applies it to the actor and to a User target)."""
    return Role.CUSTOMER in user.role_names or not user.is_staff_member


def audit_user_label(user: "User") -> str:
    """How the audit trail names `user`: a member of staff by username, a customer as `User #<pk>`."""
    return f"User #{user.pk}" if audit_names_by_id(user) else user.get_username()


def _target_repr(target: models.Model | None) -> str:
    if target is None:
        return ""
    if isinstance(target, get_user_model()) and audit_names_by_id(target):
        return audit_user_label(target)
    return str(target)[:300]


def _actor_label(user: "User | None", given: str) -> str:
    if user is not None and audit_names_by_id(user):
        return audit_user_label(user)
    return given or (user.get_username() if user is not None else "")


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
    (Decimals and dates become strings). Inside `audit_batch` the event is appended when the batch ends.
    A customer, as the actor or the target, is labelled `User #<pk>` (audit_names_by_id), never by name.
    """
    canonical_data = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))
    user = actor if actor is not None and actor.is_authenticated else None
    event = AuditEvent(
        actor=user,
        actor_label=_actor_label(user, actor_label),
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=_target_repr(target),
        data=canonical_data,
        ip_address=_client_ip(request),
        scheme=AuditEvent.Scheme.HMAC,
    )
    batch = _batch.get()
    if batch is not None:
        batch.events.append(event)
    else:
        _append([event])
    return event


def _destination_parse(destination: str) -> tuple[str, str]:
    """("file", absolute path) or ("mail", address) from `file:/path` or `mail:address`."""
    kind, _sep, where = destination.strip().partition(":")
    where = where.strip()
    if kind == "file" and where and Path(where).is_absolute():
        return kind, where
    if kind == "mail" and "@" in where and not any(c in where for c in " ,;\r\n<>"):
        return kind, where
    raise DomainError(
        _("The destination must be file:/absolute/path or mail:address (e.g. mail:ops@example.cn)."),
        code=ErrorCode.EXPORT_DESTINATION_INVALID,
        field="to",
    )


def _file_append(path: str, line: str) -> None:
    """Append `line` to `path` (created if missing), flushed to disk before returning."""
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, (line + "\n").encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def audit_head_export(*, destination: str, at: dt.datetime | None = None) -> AuditHeadExport:
    """Export the chain's current head to `destination` (`file:/path`: one line appended; `mail:address`:
    one mail through the mail backend) and remember it (AuditHeadExport), so that `audit_verify` can check
    the chain still ends there. The line carries the sequence, the hash, the time and their HMAC under the
    audit key. Nothing is remembered when the export fails (OSError, SMTP errors are raised)."""
    kind, where = _destination_parse(destination)
    at = at or timezone.now()
    head_row = AuditChainHead.objects.filter(pk=1).first()
    sequence = head_row.last_sequence if head_row is not None else 0
    hash_ = head_row.last_hash if head_row is not None else GENESIS_HASH
    head = head_make(sequence=sequence, hash=hash_, at=at)
    line = head_line(head)
    if kind == "file":
        _file_append(where, line)
    else:
        send_mail(
            subject=f"Charter audit head #{sequence}",
            message=(
                "The head of Charter's audit chain. Keep this mail: `manage.py audit_verify --against FILE` "
                "checks the chain against a file whose last line is the line below.\n\n" + line + "\n"
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[where],
        )
    return AuditHeadExport.objects.create(
        sequence=sequence,
        hash=hash_,
        exported_at=at,
        destination=f"{kind}:{where}",
        signature=head.signature,
    )
