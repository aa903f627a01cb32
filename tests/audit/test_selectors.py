"""The viewer's reads: keyset pages, the values its filters offer, and that each of them reads an index."""

from collections.abc import Sequence
from typing import Any

import pytest
from django.db import connection

from charter.accounts.models import User
from charter.audit.models import AuditEvent
from charter.audit.selectors import (
    LOOSE_SCAN,
    audit_action_code_list,
    audit_actor_list,
    audit_event_list,
    audit_event_page,
    audit_target_type_list,
)
from charter.audit.services import audit_batch, audit_record

pytestmark = pytest.mark.django_db


def _record(count: int, **kwargs: object) -> list[int]:
    with audit_batch():
        events = [audit_record(**{"actor": None, "action": "cases.create", **kwargs}) for _ in range(count)]  # type: ignore[arg-type]
    return [event.sequence for event in events]


def test_the_filters_offer_each_value_once(administrator: User, member: User) -> None:
    _record(3, actor=member, action="cases.reply", target=administrator)
    _record(2, actor=administrator, action="sla.day_add")
    _record(1, action="cases.reply")

    assert audit_actor_list() == sorted([administrator, member], key=str)
    assert audit_action_code_list() == ["cases.reply", "sla.day_add"]
    assert [label for label, _name in audit_target_type_list()] == ["accounts.user"]


def test_an_empty_chain_offers_nothing() -> None:
    assert audit_actor_list() == []
    assert audit_action_code_list() == []
    assert audit_target_type_list() == []


def test_pages_walk_by_sequence_without_gaps_or_repeats() -> None:
    sequences = sorted(_record(7), reverse=True)
    events = audit_event_list()

    first = audit_event_page(events, size=3)
    second = audit_event_page(events, before=first.older, size=3)
    last = audit_event_page(events, before=second.older, size=3)
    back = audit_event_page(events, after=last.newer, size=3)

    assert [e.sequence for e in first.events] == sequences[:3] and first.newer is None
    assert [e.sequence for e in second.events] == sequences[3:6]
    assert [e.sequence for e in last.events] == sequences[6:] and last.older is None
    assert [e.sequence for e in back.events] == sequences[3:6] and back.newer == sequences[3]
    assert not audit_event_page(events, size=10).has_other_pages()


def test_a_cursor_past_either_end_lands_on_a_real_page() -> None:
    sequences = sorted(_record(4), reverse=True)
    events = audit_event_list()

    past_newest = audit_event_page(events, after=sequences[0], size=2)
    past_oldest = audit_event_page(events, before=1, size=2)

    assert [e.sequence for e in past_newest.events] == sequences[:2]
    assert past_oldest.events == [] and past_oldest.newer == 0 and past_oldest.older is None


def _plan(sql: str, params: Sequence[Any]) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A test table is tiny, so the planner reads it whole and sorts: forbid that to see whether an
            # index serves the query (with a million events the planner picks that index on its own).
            for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
                cursor.execute(f"SET LOCAL {setting} = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())


def _no_full_read(plan: str) -> bool:
    """Neither a full read of the table (SQLite: SCAN audit_auditevent; PostgreSQL: Seq Scan) nor a sort."""
    return not any(marker in plan for marker in ("SCAN audit_auditevent", "Seq Scan", "TEMP B-TREE", "Sort"))


@pytest.mark.parametrize(
    ("filters", "index"),
    [
        ({}, ""),
        ({"action": "cases.reply"}, "audit_action_seq_idx"),
        ({"actor_id": 1}, "audit_actor_seq_idx"),
        ({"target_type": "accounts.user"}, "audit_type_seq_idx"),
    ],
)
def test_a_filtered_page_reads_one_index_range_without_sorting(
    filters: dict[str, object], index: str
) -> None:
    _record(5)
    page = audit_event_list(**filters).order_by("-sequence").filter(sequence__lt=10**6)[:51]  # type: ignore[arg-type]

    plan = _plan(*page.query.sql_with_params())

    assert index in plan and _no_full_read(plan), plan


@pytest.mark.parametrize(
    ("column", "index"),
    [
        ("action", "audit_action_seq_idx"),
        ("actor_id", "audit_actor_seq_idx"),
        ("target_type", "audit_type_seq_idx"),
    ],
)
def test_the_filter_values_are_read_by_probing_an_index(column: str, index: str) -> None:
    _record(2)
    quote = connection.ops.quote_name
    table = AuditEvent._meta.db_table
    # Every index whose first column is `column` serves the probe: `action` also has its own index (with
    # PostgreSQL's LIKE twin, for the API's prefix filter), and with a few hundred rows the planner may take
    # either; what matters is that the values are read by probing one, never by reading the table.
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    leading = {
        name for name, about in constraints.items() if about["index"] and about["columns"][:1] == [column]
    }

    plan = _plan(LOOSE_SCAN.format(c=quote(column), t=quote(table)), [])

    assert index in leading
    assert any(name in plan for name in leading) and _no_full_read(plan), plan
