import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from charter.accounts.models import User
from charter.audit.models import GENESIS_HASH, AppendOnlyError, AuditEvent
from charter.audit.selectors import audit_chain_verify
from charter.audit.services import audit_batch, audit_record

pytestmark = pytest.mark.django_db


def _record_three(actor: User | None = None) -> list[AuditEvent]:
    return [
        audit_record(actor=actor, action=f"test.step{i}", data={"n": i, "text": "中文"}) for i in range(3)
    ]


def test_events_chain_each_to_the_previous_hash() -> None:
    first, second, third = _record_three()

    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.hash
    assert third.previous_hash == second.hash
    assert [e.sequence for e in (first, second, third)] == [1, 2, 3]
    assert audit_chain_verify().ok


def test_event_records_actor_and_target(administrator: User) -> None:
    event = audit_record(actor=administrator, action="accounts.thing", target=administrator, data={"a": 1})

    assert event.actor == administrator
    assert event.actor_label == "admin"
    assert event.target_type == "accounts.user"
    assert event.target_id == str(administrator.pk)


def test_verify_finds_an_edited_row() -> None:
    events = _record_three()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = %s WHERE sequence = %s", ["test.forged", 2])

    report = audit_chain_verify()

    assert not report.ok
    assert report.broken_at == 2
    assert report.checked == 1
    assert events


def test_verify_finds_a_deleted_row_in_the_middle() -> None:
    _record_three()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence = 2")

    report = audit_chain_verify()

    assert not report.ok
    assert report.broken_at == 2


def test_verify_finds_a_deleted_tail() -> None:
    _record_three()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence = 3")

    report = audit_chain_verify()

    assert not report.ok
    assert report.broken_at == 3


def test_verify_finds_a_rehashed_row_by_its_broken_link() -> None:
    events = _record_three()
    forged = AuditEvent.objects.get(sequence=2)
    forged.action = "test.forged"
    forged.previous_hash = events[0].hash
    new_hash = forged.compute_hash()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET action = %s, hash = %s WHERE sequence = 2", ["test.forged", new_hash]
        )

    report = audit_chain_verify()

    assert not report.ok
    assert report.broken_at == 3


def test_command_fails_and_names_the_broken_event() -> None:
    _record_three()
    call_command("audit_verify")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET data = %s WHERE sequence = 1", ['{"n": 99}'])

    with pytest.raises(CommandError, match="#1"):
        call_command("audit_verify")


def test_events_cannot_be_changed_or_deleted_through_the_orm() -> None:
    event = audit_record(actor=None, action="test.once")

    event.action = "test.twice"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(action="x")


def test_event_rolls_back_with_the_change_it_records() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, action="test.doomed")
        raise RuntimeError

    assert not AuditEvent.objects.exists()
    assert audit_record(actor=None, action="test.after").sequence == 1
    assert audit_chain_verify().ok


def test_a_batch_appends_its_events_in_order_at_its_end() -> None:
    with transaction.atomic(), audit_batch():
        first = audit_record(actor=None, action="test.first", data={"n": 1})
        with audit_batch():  # an inner batch joins the outer one
            second = audit_record(actor=None, action="test.second")
        assert not AuditEvent.objects.exists()
    third = audit_record(actor=None, action="test.third")

    assert [e.sequence for e in (first, second, third)] == [1, 2, 3]
    assert second.previous_hash == first.hash and third.previous_hash == second.hash
    assert list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True)) == [
        "test.first",
        "test.second",
        "test.third",
    ]
    assert audit_chain_verify().ok


def test_a_batch_that_fails_appends_nothing() -> None:
    with pytest.raises(RuntimeError), transaction.atomic(), audit_batch():
        audit_record(actor=None, action="test.doomed")
        raise RuntimeError

    assert not AuditEvent.objects.exists()
    assert audit_record(actor=None, action="test.after").sequence == 1
    assert audit_chain_verify().ok
