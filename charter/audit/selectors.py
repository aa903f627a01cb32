"""Reads of the audit trail: the filtered list and its pages, the values its filters offer, and the
verification of the chain."""

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from charter.audit.heads import ExportedHead
from charter.audit.models import (
    GENESIS_HASH,
    AuditChainHead,
    AuditEvent,
    AuditHeadExport,
    head_seal_ok,
    legacy_seal,
)

if TYPE_CHECKING:
    from charter.accounts.models import User

PAGE_SIZE = 50


def audit_event_list(
    *,
    action: str = "",
    action_prefix: str = "",
    actor_id: int | None = None,
    target_type: str = "",
    target_id: str = "",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[AuditEvent]:
    """Return events newest first, narrowed by whichever filters are given: `action` is one code,
    `action_prefix` the start of codes (e.g. "cases.")."""
    events = AuditEvent.objects.select_related("actor")
    if action:
        events = events.filter(action=action)
    if action_prefix:
        events = events.filter(action__startswith=action_prefix)
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
class EventPage:
    """One page of events, newest first, and the cursors of its neighbours: `newer` for ?after=, `older` for
    ?before= (None when there is nothing that way)."""

    events: list[AuditEvent]
    newer: int | None
    older: int | None

    def has_other_pages(self) -> bool:
        return self.newer is not None or self.older is not None


def audit_event_page(
    events: QuerySet[AuditEvent],
    *,
    before: int | None = None,
    after: int | None = None,
    size: int = PAGE_SIZE,
) -> EventPage:
    """Return the page of `events` older than sequence `before`, or newer than `after`, or else the newest.

    Keyset pagination on the sequence: no count and no offset, so page 1 and page 20,000 cost the same; the
    cursors stay right while new events arrive. Two queries: the page (one row more, to know whether there is
    more that way) and whether anything lies the other way.
    """
    if after is not None:
        rows = list(events.filter(sequence__gt=after).order_by("sequence")[: size + 1])
        more_newer = len(rows) > size
        page = rows[:size][::-1]
        newer = page[0].sequence if more_newer else None
        older = page[-1].sequence if page and events.filter(sequence__lt=page[-1].sequence).exists() else None
        if not page:  # nothing newer than the cursor: back to the newest page
            return audit_event_page(events, size=size)
        return EventPage(page, newer, older)
    newest_first = events.order_by("-sequence")
    if before is not None:
        newest_first = newest_first.filter(sequence__lt=before)
    rows = list(newest_first[: size + 1])
    page = rows[:size]
    older = page[-1].sequence if len(rows) > size else None
    newer = None
    if before is not None and page and events.filter(sequence__gt=page[0].sequence).exists():
        newer = page[0].sequence
    elif before is not None and not page and events.filter(sequence__gte=before).exists():
        newer = before - 1
    return EventPage(page, newer, older)


# A loose index scan: the smallest value, then the smallest above it, and so on ({c}: column, {t}: table).
LOOSE_SCAN = (
    "WITH RECURSIVE seen(value) AS (SELECT MIN({c}) FROM {t} UNION ALL "
    "SELECT (SELECT MIN({c}) FROM {t} WHERE {c} > seen.value) FROM seen WHERE seen.value IS NOT NULL) "
    "SELECT value FROM seen WHERE value IS NOT NULL"
)


def _distinct(column: str) -> list[Any]:
    """The distinct non-null values of AuditEvent's `column` (a column name), one index probe per value.

    SELECT DISTINCT would read a whole index, an entry per event of the chain; the loose scan costs as many
    probes as there are values, which PostgreSQL and SQLite both answer from an index leading with the column.
    """
    connection = connections[AuditEvent.objects.db]
    quote = connection.ops.quote_name
    sql = LOOSE_SCAN.format(c=quote(column), t=quote(AuditEvent._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


def audit_actor_list() -> list["User"]:
    """Return the users who appear as the actor of some event, by name (for the viewer's person filter)."""
    users = get_user_model()._default_manager.filter(pk__in=_distinct("actor_id"))
    return sorted(users, key=lambda user: (str(user), user.get_username()))


def audit_action_code_list() -> list[str]:
    """Return the action codes recorded so far, in code order."""
    return [str(code) for code in _distinct("action")]


def audit_target_type_list() -> list[tuple[str, str]]:
    """Return the object types recorded so far as (model label, its name in the active language)."""
    types = []
    for label in _distinct("target_type"):
        if not label:
            continue
        try:
            name = str(capfirst(apps.get_model(label)._meta.verbose_name))
        except (LookupError, ValueError):
            name = label
        types.append((str(label), name))
    return sorted(types, key=lambda pair: pair[1])


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""


def audit_head_export_last() -> ExportedHead | None:
    """The head last exported (as remembered in the database), if any."""
    row = AuditHeadExport.objects.order_by("-exported_at", "-pk").first()
    if row is None:
        return None
    return ExportedHead(
        sequence=row.sequence,
        hash=row.hash,
        exported_at=row.exported_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        signature=row.signature,
    )


def _legacy_until(head: AuditChainHead | None) -> int | None:
    """How many events at the start of the chain may be unkeyed (scheme 1); None when the sealed number was
    changed."""
    if head is None or (head.legacy_until == 0 and not head.legacy_seal):
        return 0
    if head.legacy_seal != legacy_seal(head.legacy_until):
        return None
    return head.legacy_until


def _event_fault(
    event: AuditEvent,
    expected_sequence: int,
    expected_previous: str,
    legacy_until: int,
    against: ExportedHead | None,
) -> tuple[int, str] | None:
    """(the broken sequence, why) when `event` is not the one the chain expects next, else None."""
    if event.sequence != expected_sequence:
        return expected_sequence, _("event #%(n)s is missing") % {"n": expected_sequence}
    if event.previous_hash != expected_previous:
        return event.sequence, _("its link to the previous event is broken")
    if event.scheme not in AuditEvent.Scheme.values or (
        event.scheme == AuditEvent.Scheme.LEGACY_SHA256 and event.sequence > legacy_until
    ):
        return event.sequence, _("it is not keyed, though written after the chain was")
    if event.compute_hash() != event.hash:
        return event.sequence, _("its content does not match its hash")
    if against is not None and event.sequence == against.sequence and event.hash != against.hash:
        return event.sequence, _("it does not match the exported head of the chain")
    return None


def _head_fault(head: AuditChainHead | None, last_sequence: int, last_hash: str) -> str:
    """Why the head does not close the chain that ends in event `last_sequence` with `last_hash` ("" when
    it does): it must be there once there are events, carry its seal, and name that last event."""
    if head is None:
        return _("the head of the chain was removed") if last_sequence else ""
    if not head_seal_ok(head):
        return _("the head of the chain was changed outside the application (its seal does not match)")
    if head.last_sequence != last_sequence or head.last_hash != last_hash:
        return _("events after the last one present were removed")
    return ""


def audit_chain_verify(*, batch_size: int = 2000, against: ExportedHead | None = None) -> ChainReport:
    """Walk the chain in order; report the first event whose hash, link or sequence is wrong.

    Detects an edited row (its hash no longer matches), a deleted row (a gap in the sequence or a link to a
    hash that is not the previous row's) and a deleted tail (the head remembers more than the table holds;
    the head is sealed under the audit key, so moving it back with SQL breaks its seal).
    Events are keyed (HMAC under CHARTER_AUDIT_KEY) except the legacy ones written before, whose number the
    head seals: history rewritten and re-chained without the key is reported at the first event changed.
    The chain must also still pass through the exported head `against` (by default the last one
    exported, as remembered in the database; `audit_verify` gives the export file's last line).
    """
    head = AuditChainHead.objects.filter(pk=1).first()
    legacy_until = _legacy_until(head)
    if legacy_until is None:
        return ChainReport(
            False, 0, 1, _("the number of events written before the chain was keyed was changed")
        )
    if against is None:
        against = audit_head_export_last()
    if against is not None and not against.is_signed():
        return ChainReport(
            False, 0, against.sequence, _("the exported head was not signed with this installation's key")
        )
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    last_seen = 0
    while True:
        batch = list(AuditEvent.objects.filter(sequence__gt=last_seen).order_by("sequence")[:batch_size])
        if not batch:
            break
        for event in batch:
            fault = _event_fault(event, expected_sequence, expected_previous, legacy_until, against)
            if fault is not None:
                return ChainReport(False, checked, fault[0], fault[1])
            expected_previous = event.hash
            expected_sequence += 1
            checked += 1
        last_seen = batch[-1].sequence
    if against is not None and checked < against.sequence:
        return ChainReport(
            False,
            checked,
            checked + 1,
            _("events up to the exported head #%(n)s were removed") % {"n": against.sequence},
        )
    reason = _head_fault(head, checked, expected_previous)
    if reason:
        return ChainReport(False, checked, checked + 1, reason)
    return ChainReport(True, checked)
