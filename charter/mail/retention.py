"""Retention of mail: raw inbound copies (default 90 days), the quarantine (30 days) and the delivery log of
outbound mail (its bodies and recipients, 180 days). The rows stay, so a message fetched again is still
recognised and counts still add up; the words and addresses in them are replaced by the marker.

A legal hold keeps a message when it belongs to a held thread (cases tells mail which, through
`held_thread_refs_register`: mail cannot read cases) or when its sender or recipient is the e-mail address
of a held customer (compared through the customers' blind index, since the addresses are encrypted).
"""

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from email.utils import parseaddr
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Customer
from charter.mail.models import InboundMessage, OutboundMessage
from charter.privacy.registry import ERASED_MARKER, RetentionRule, retention_rule_register
from charter.privacy.selectors import held_customer_ids

_M = TypeVar("_M", bound=models.Model)

RAW_MAIL_DAYS = 90
QUARANTINE_DAYS = 30
DELIVERY_LOG_DAYS = 180

_held_thread_refs: list[Callable[[], set[str]]] = []


def held_thread_refs_register(provider: Callable[[], set[str]]) -> None:
    """Register a function returning the thread references (`thread_ref`) a legal hold keeps."""
    if provider not in _held_thread_refs:
        _held_thread_refs.append(provider)


def _held_refs() -> set[str]:
    return {ref for provider in _held_thread_refs for ref in provider()}


def _held_address_indexes() -> set[str]:
    customers = Customer.objects.filter(pk__in=held_customer_ids()).exclude(email_index="")
    return set(customers.values_list("email_index", flat=True))


def _address_index(value: str) -> str:
    field = Customer._meta.get_field("email_index")
    address = parseaddr(value or "")[1]
    return field.index_for(address) if address else ""


def _split(
    rows: "QuerySet[models.Model]", address_field: str, order: Sequence[str]
) -> Iterator[tuple[int, Any, bool]]:
    """Yield (pk, value of the first `order` field, held) for `rows` in `order`, held when a legal hold keeps
    the row."""
    refs, indexes = _held_refs(), _held_address_indexes()
    ordered = rows.order_by(*order)
    first = order[0]
    if not indexes:
        for pk, ref, value in ordered.values_list("pk", "thread_ref", first).iterator(chunk_size=1000):
            yield pk, value, ref in refs
        return
    fields = dict.fromkeys(("pk", "thread_ref", address_field, first))
    for row in ordered.only(*fields).iterator(chunk_size=1000):
        address = getattr(row, address_field)
        held = getattr(row, "thread_ref", "") in refs or _address_index(address) in indexes
        yield row.pk, getattr(row, first), held


# Per rule, the cutoff of the run under way and the (first order field, pk) of the last held row before its
# next due one: a run's batches resume there instead of decrypting every held row again each batch.
_cursors: dict[str, tuple[dt.datetime, tuple[Any, int]]] = {}


def _due(
    key: str,
    rows: "QuerySet[models.Model]",
    address_field: str,
    order: Sequence[str],
    cutoff: dt.datetime,
    limit: int,
) -> list[int]:
    first = order[0]
    start = _cursors.get(key)
    if start is not None and start[0] == cutoff:
        value, last_pk = start[1]
        rows = rows.filter(Q(**{f"{first}__gt": value}) | Q(**{first: value, "pk__gt": last_pk}))
    due: list[int] = []
    last_held: tuple[Any, int] | None = None
    for pk, value, held in _split(rows, address_field, order):
        if held:
            if not due:
                last_held = (value, pk)
            continue
        due.append(pk)
        if len(due) >= limit:
            break
    if len(due) < limit:
        # The end of the expired rows: the next run starts from the beginning again.
        _cursors.pop(key, None)
    elif last_held is not None:
        _cursors[key] = (cutoff, last_held)
    return due


def _held(rows: "QuerySet[models.Model]", address_field: str) -> int:
    if not _held_refs() and not _held_address_indexes():
        return 0
    return sum(1 for _pk, _value, held in _split(rows, address_field, ["pk"]) if held)


def _unheld(rows: "QuerySet[_M]", address_field: str) -> "QuerySet[_M]":
    """`rows` without those a legal hold keeps now (asked again in the batch's transaction: a hold placed
    since the batch was chosen wins)."""
    held = [pk for pk, _value, is_held in _split(rows, address_field, ["pk"]) if is_held]
    return rows.exclude(pk__in=held)


# --- raw inbound copies ------------------------------------------------------------------------------------


def _inbound_expired(cutoff: dt.datetime) -> "QuerySet[models.Model]":
    rows = InboundMessage.objects.filter(received_at__lt=cutoff).exclude(
        status=InboundMessage.Status.QUARANTINED
    )
    return rows.exclude(subject=ERASED_MARKER)


def raw_mail_due(cutoff: dt.datetime, limit: int) -> list[int]:
    """Return up to `limit` handled, ignored or discarded inbound messages fetched before `cutoff`, not yet
    anonymised and not held, oldest first."""
    return _due("raw_mail", _inbound_expired(cutoff), "sender", ("received_at", "pk"), cutoff, limit)


def raw_mail_apply(ids: Sequence[int]) -> int:
    """Drop the raw copy, the subject and the sender of these inbound messages (the Message-ID stays)."""
    rows = _unheld(InboundMessage.objects.filter(pk__in=ids), "sender")
    count = 0
    for row in rows:
        row.raw, row.subject, row.sender = None, ERASED_MARKER, ERASED_MARKER
        row.save(update_fields=["raw", "subject", "sender"])
        count += 1
    return count


def raw_mail_held(cutoff: dt.datetime) -> int:
    """Count the expired inbound messages a legal hold keeps."""
    return _held(_inbound_expired(cutoff), "sender")


# --- quarantine --------------------------------------------------------------------------------------------


def _quarantine_expired(cutoff: dt.datetime) -> "QuerySet[models.Model]":
    return InboundMessage.objects.filter(status=InboundMessage.Status.QUARANTINED, received_at__lt=cutoff)


def quarantine_due(cutoff: dt.datetime, limit: int) -> list[int]:
    """Return up to `limit` quarantined messages fetched before `cutoff` and not held, oldest first."""
    return _due(
        "mail_quarantine", _quarantine_expired(cutoff), "sender", ("received_at", "pk"), cutoff, limit
    )


def quarantine_apply(ids: Sequence[int]) -> int:
    """Discard these quarantined messages: drop the raw bytes, the subject and the sender."""
    rows = _unheld(
        InboundMessage.objects.filter(pk__in=ids, status=InboundMessage.Status.QUARANTINED), "sender"
    )
    count = 0
    for row in rows:
        row.status, row.raw = InboundMessage.Status.DISCARDED, None
        row.subject, row.sender = ERASED_MARKER, ERASED_MARKER
        row.reason = str(_("Discarded at the end of its retention period."))
        row.save(update_fields=["status", "raw", "subject", "sender", "reason"])
        count += 1
    return count


def quarantine_held(cutoff: dt.datetime) -> int:
    """Count the expired quarantined messages a legal hold keeps."""
    return _held(_quarantine_expired(cutoff), "sender")


# --- delivery log ------------------------------------------------------------------------------------------


def _outbound_expired(cutoff: dt.datetime) -> "QuerySet[models.Model]":
    finished = Q(status__in=(OutboundMessage.Status.SENT, OutboundMessage.Status.FAILED))
    rows = OutboundMessage.objects.filter(finished, created_at__lt=cutoff)
    return rows.exclude(subject=ERASED_MARKER)


def delivery_log_due(cutoff: dt.datetime, limit: int) -> list[int]:
    """Return up to `limit` sent or failed outbound messages queued before `cutoff`, not yet anonymised and
    not held, oldest first."""
    return _due("delivery_log", _outbound_expired(cutoff), "recipient", ("created_at", "pk"), cutoff, limit)


def delivery_log_apply(ids: Sequence[int]) -> int:
    """Replace the recipient, subject, body and server answer of these outbound messages with the marker."""
    rows = _unheld(OutboundMessage.objects.filter(pk__in=ids), "recipient")
    count = 0
    for row in rows:
        row.recipient, row.subject, row.body = ERASED_MARKER, ERASED_MARKER, ERASED_MARKER
        row.last_error = ERASED_MARKER if row.last_error else ""
        row.save(update_fields=["recipient", "subject", "body", "last_error"])
        count += 1
    return count


def delivery_log_held(cutoff: dt.datetime) -> int:
    """Count the expired outbound messages a legal hold keeps."""
    return _held(_outbound_expired(cutoff), "recipient")


def retention_rules_register() -> None:
    """Register mail's three retention rules with privacy."""
    retention_rule_register(
        RetentionRule(
            record_type="raw_mail",
            label=_("Inbound e-mail: the raw copy, subject and sender"),
            default_days=RAW_MAIL_DAYS,
            due=raw_mail_due,
            apply=raw_mail_apply,
            held=raw_mail_held,
        )
    )
    retention_rule_register(
        RetentionRule(
            record_type="mail_quarantine",
            label=_("Quarantined inbound e-mail (discarded)"),
            default_days=QUARANTINE_DAYS,
            due=quarantine_due,
            apply=quarantine_apply,
            held=quarantine_held,
        )
    )
    retention_rule_register(
        RetentionRule(
            record_type="delivery_log",
            label=_("Outbound e-mail log: recipients, subjects and bodies"),
            default_days=DELIVERY_LOG_DAYS,
            due=delivery_log_due,
            apply=delivery_log_apply,
            held=delivery_log_held,
        )
    )
