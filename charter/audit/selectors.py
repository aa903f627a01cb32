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

from charter.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent

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
