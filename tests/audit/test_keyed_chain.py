"""The chain is keyed: someone with write access to the database but not CHARTER_AUDIT_KEY cannot rewrite
history and re-chain it so that `audit_verify` calls it intact."""

import hashlib
import json
from collections.abc import Mapping

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from charter.audit.models import AuditChainHead, AuditEvent, head_seal, legacy_seal
from charter.audit.selectors import audit_chain_verify
from charter.audit.services import audit_record

pytestmark = pytest.mark.django_db


def _plain_sha256(row: Mapping[str, object], previous: str) -> str:
    """What an attacker computes: the documented canonical form, hashed with plain SHA-256."""
    content = {
        "sequence": row["sequence"],
        "occurred_at": row["occurred_at"],
        "actor_id": row["actor_id"],
        "actor_label": row["actor_label"],
        "action": row["action"],
        "target_type": row["target_type"],
        "target_id": row["target_id"],
        "target_repr": row["target_repr"],
        "data": row["data"],
        "ip_address": row["ip_address"],
        "previous_hash": previous,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _rewrite_history(*, from_sequence: int, data: dict[str, object], scheme: int | None = None) -> None:
    """Edit one event's data with SQL, then re-chain every event from it with SHA-256 and fix the head."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET data = %s WHERE sequence = %s", [json.dumps(data), from_sequence]
        )
    events = list(AuditEvent.objects.order_by("sequence"))
    previous = events[from_sequence - 2].hash if from_sequence > 1 else "0" * 64
    for event in events[from_sequence - 1 :]:
        row = {
            "sequence": event.sequence,
            "occurred_at": event.occurred_at.isoformat(timespec="microseconds"),
            "actor_id": event.actor_id,
            "actor_label": event.actor_label,
            "action": event.action,
            "target_type": event.target_type,
            "target_id": event.target_id,
            "target_repr": event.target_repr,
            "data": event.data,
            "ip_address": event.ip_address,
        }
        digest = _plain_sha256(row, previous)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_auditevent SET hash = %s, previous_hash = %s WHERE sequence = %s",
                [digest, previous, event.sequence],
            )
            if scheme is not None:
                cursor.execute(
                    "UPDATE audit_auditevent SET scheme = %s WHERE sequence = %s", [scheme, event.sequence]
                )
        previous = digest
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditchainhead SET last_hash = %s WHERE id = 1", [previous])


def _record(count: int) -> None:
    for n in range(count):
        audit_record(actor=None, action="test.step", data={"n": n, "refund": 100})


def test_new_events_are_keyed_with_hmac() -> None:
    _record(2)

    events = list(AuditEvent.objects.order_by("sequence"))

    assert [event.scheme for event in events] == [AuditEvent.Scheme.HMAC] * 2
    assert all(event.compute_hash() == event.hash for event in events)
    with override_settings(CHARTER_AUDIT_KEY=b"another key"):
        assert events[0].compute_hash() != events[0].hash


def test_history_rewritten_and_rechained_with_sha256_is_reported_broken() -> None:
    _record(5)
    _rewrite_history(from_sequence=2, data={"n": 1, "refund": 1})

    report = audit_chain_verify()

    assert not report.ok
    assert report.broken_at == 2
    with pytest.raises(CommandError, match="#2"):
        call_command("audit_verify")


def test_the_head_is_sealed_with_every_append() -> None:
    _record(3)

    head = AuditChainHead.objects.get(pk=1)

    assert head.last_sequence == 3
    assert head.seal == head_seal(3, AuditEvent.objects.get(sequence=3).hash)


def _cut_tail_with_sql(*, keep: int) -> None:
    """What someone with write access to the database (but not the key) does: delete the last events and
    move the (unkeyed) head back to the last one kept."""
    kept = AuditEvent.objects.get(sequence=keep)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence > %s", [keep])
        cursor.execute(
            "UPDATE audit_auditchainhead SET last_sequence = %s, last_hash = %s WHERE id = 1",
            [keep, kept.hash],
        )


def test_tail_cut_and_head_moved_back_with_sql_is_reported_broken() -> None:
    _record(5)
    assert audit_chain_verify().ok

    _cut_tail_with_sql(keep=3)

    report = audit_chain_verify()
    assert not report.ok
    assert report.broken_at == 4
    assert report.checked == 3
    with pytest.raises(CommandError, match="#4"):
        call_command("audit_verify")


def test_head_removed_with_sql_is_reported_broken() -> None:
    _record(2)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditchainhead")

    report = audit_chain_verify()

    assert not report.ok
    assert report.broken_at == 3


def test_history_passed_off_as_legacy_sha256_events_is_reported_broken() -> None:
    _record(4)
    _rewrite_history(from_sequence=1, data={"n": 0, "refund": 1}, scheme=AuditEvent.Scheme.LEGACY_SHA256)

    report = audit_chain_verify()

    assert not report.ok
    assert report.broken_at == 1


def test_a_chain_written_with_another_key_does_not_verify() -> None:
    _record(3)

    with override_settings(CHARTER_AUDIT_KEY=b"not the key the chain was written with"):
        report = audit_chain_verify()

    assert not report.ok
    assert report.broken_at == 1


def test_legacy_events_sealed_at_migration_still_verify_and_the_seal_cannot_be_raised() -> None:
    # Events written before the chain was keyed: what the migration finds (scheme 1, plain SHA-256).
    _record(3)
    _rewrite_history(from_sequence=1, data={"n": 0, "refund": 100}, scheme=AuditEvent.Scheme.LEGACY_SHA256)
    AuditChainHead.objects.filter(pk=1).update(legacy_until=3, legacy_seal=legacy_seal(3))
    _record(2)  # keyed events after them

    assert audit_chain_verify().ok
    assert list(AuditEvent.objects.order_by("sequence").values_list("scheme", flat=True)) == [1, 1, 1, 2, 2]

    AuditChainHead.objects.filter(pk=1).update(legacy_until=5)
    report = audit_chain_verify()
    assert not report.ok
    assert report.broken_at == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_keeps_existing_events_as_legacy_and_seals_their_number() -> None:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("audit", "0003_viewer_indexes")])
    try:
        old_apps = executor.loader.project_state([("audit", "0003_viewer_indexes")]).apps
        event_model = old_apps.get_model("audit", "AuditEvent")
        head_model = old_apps.get_model("audit", "AuditChainHead")
        with connection.cursor() as cursor:  # start from an empty chain, whatever earlier data recorded
            cursor.execute("DELETE FROM audit_auditevent")
            cursor.execute("DELETE FROM audit_auditchainhead")
        previous = "0" * 64
        for sequence in (1, 2):
            row = {
                "sequence": sequence,
                "occurred_at": f"2026-01-0{sequence}T00:00:00.000000+00:00",
                "actor_id": None,
                "actor_label": "",
                "action": "test.old",
                "target_type": "",
                "target_id": "",
                "target_repr": "",
                "data": {"n": sequence},
                "ip_address": None,
            }
            digest = _plain_sha256(row, previous)
            event_model.objects.create(
                sequence=sequence,
                occurred_at=f"2026-01-0{sequence}T00:00:00Z",
                action="test.old",
                data={"n": sequence},
                previous_hash=previous,
                hash=digest,
            )
            previous = digest
        head_model.objects.create(pk=1, last_sequence=2, last_hash=previous)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert list(AuditEvent.objects.order_by("sequence").values_list("scheme", flat=True)) == [1, 1]
    head = AuditChainHead.objects.get(pk=1)
    assert head.legacy_until == 2 and head.legacy_seal == legacy_seal(2)
    assert head.seal == head_seal(2, previous)  # the head the migration found is sealed
    assert audit_chain_verify().ok
    audit_record(actor=None, action="test.new")
    assert audit_chain_verify().ok
    assert AuditEvent.objects.get(sequence=3).scheme == AuditEvent.Scheme.HMAC
