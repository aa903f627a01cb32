"""Reads of the audit trail: the filtered list and the verification of the chain."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from charter.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent


def audit_event_list(
    *,
    action: str = "",
    actor_id: int | None = None,
    target_type: str = "",
    target_id: str = "",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[AuditEvent]:
    """Return events newest first, narrowed by whichever filters are given."""
    events = AuditEvent.objects.select_related("actor")
    if action:
        events = events.filter(action__startswith=action)
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    if target_type:
        events = events.filter(target_type=target_type)
    if target_id:
        events = events.filter(target_id=target_id)
    if since is not None:
        events = events.filter(occurred_at__gte=since)
    if until is not None:
        events = events.filter(occurred_at__lt=until)
    return events.order_by("-sequence")


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""


def audit_chain_verify(*, batch_size: int = 2000) -> ChainReport:
    """Walk the chain in order; report the first event whose hash, link or sequence is wrong.

    Detects an edited row (its hash no longer matches), a deleted row (a gap in the sequence or a link to a
    hash that is not the previous row's) and a deleted tail (the head remembers more than the table holds).
    """
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    last_seen = 0
    while True:
        batch = list(AuditEvent.objects.filter(sequence__gt=last_seen).order_by("sequence")[:batch_size])
        if not batch:
            break
        for event in batch:
            if event.sequence != expected_sequence:
                return ChainReport(
                    False, checked, expected_sequence, _("event #%(n)s is missing") % {"n": expected_sequence}
                )
            if event.previous_hash != expected_previous:
                return ChainReport(
                    False, checked, event.sequence, _("its link to the previous event is broken")
                )
            if event.compute_hash() != event.hash:
                return ChainReport(False, checked, event.sequence, _("its content does not match its hash"))
            expected_previous = event.hash
            expected_sequence += 1
            checked += 1
        last_seen = batch[-1].sequence
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_sequence != checked or head.last_hash != expected_previous):
        return ChainReport(False, checked, checked + 1, _("events after the last one present were removed"))
    return ChainReport(True, checked)
