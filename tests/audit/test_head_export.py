"""The chain's head exported outside the database: a file line or a mail, checked by `audit_verify`."""

import json
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from charter.audit.heads import head_last_line
from charter.audit.models import AuditEvent, AuditHeadExport, head_seal
from charter.audit.selectors import audit_chain_verify
from charter.audit.services import audit_record
from charter.audit.tasks import audit_head_export_scheduled

pytestmark = pytest.mark.django_db


def _record(count: int) -> list[AuditEvent]:
    return [audit_record(actor=None, action="test.step", data={"n": n}) for n in range(count)]


def _rewrite_tail_and_rechain_with_key(from_sequence: int) -> None:
    """The worst case: the key leaked too. Change an event and re-chain everything after it with the key."""
    events = list(AuditEvent.objects.order_by("sequence"))
    previous = events[from_sequence - 2].hash
    for event in events[from_sequence - 1 :]:
        if event.sequence == from_sequence:
            event.data = {"n": "forged"}
        event.previous_hash = previous
        digest = event.compute_hash()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_auditevent SET data = %s, hash = %s, previous_hash = %s WHERE sequence = %s",
                [json.dumps(event.data), digest, previous, event.sequence],
            )
        previous = digest
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditchainhead SET last_hash = %s, seal = %s WHERE id = 1",
            [previous, head_seal(events[-1].sequence, previous)],
        )


def test_export_to_a_file_appends_one_signed_line_per_run(tmp_path: Path) -> None:
    target = tmp_path / "audit-heads.log"
    events = _record(2)

    call_command("audit_head_export", "--to", f"file:{target}")
    _record(1)
    call_command("audit_head_export", "--to", f"file:{target}")

    lines = target.read_text().splitlines()
    assert len(lines) == 2
    first = head_last_line(lines[0])
    assert (first.sequence, first.hash) == (2, events[1].hash)
    assert first.is_signed()
    last = head_last_line(target.read_text())
    assert last.sequence == 3
    export = AuditHeadExport.objects.order_by("-pk").first()
    assert export is not None
    assert (export.sequence, export.destination) == (3, f"file:{target}")


def test_export_by_mail_sends_the_line_through_the_mail_backend() -> None:
    _record(1)

    call_command("audit_head_export", "--to", "mail:ops@example.cn")

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ops@example.cn"]
    export = AuditHeadExport.objects.get()
    assert f"1 {export.hash} " in mail.outbox[0].body
    assert export.signature in mail.outbox[0].body


@pytest.mark.parametrize("destination", ["ftp:/x", "file:relative/path", "mail:not-an-address", "nothing"])
def test_export_refuses_an_unknown_destination(destination: str) -> None:
    with pytest.raises(CommandError):
        call_command("audit_head_export", "--to", destination)
    assert not AuditHeadExport.objects.exists()


def test_verify_checks_the_chain_against_the_last_export_even_with_a_leaked_key(tmp_path: Path) -> None:
    target = tmp_path / "audit-heads.log"
    _record(4)
    call_command("audit_head_export", "--to", f"file:{target}")
    _record(2)
    assert audit_chain_verify().ok

    _rewrite_tail_and_rechain_with_key(from_sequence=3)

    report = audit_chain_verify()
    assert not report.ok
    assert report.broken_at == 4  # the exported head #4 no longer matches
    with pytest.raises(CommandError, match="#4"):
        call_command("audit_verify", "--against", str(target))


def test_verify_against_the_file_when_the_database_copy_was_removed(tmp_path: Path) -> None:
    target = tmp_path / "audit-heads.log"
    _record(3)
    call_command("audit_head_export", "--to", f"file:{target}")
    _rewrite_tail_and_rechain_with_key(from_sequence=2)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditheadexport")

    assert audit_chain_verify().ok  # nothing in the database to compare with any more
    with pytest.raises(CommandError, match="#3"):
        call_command("audit_verify", "--against", str(target))


def test_verify_refuses_a_head_line_not_signed_with_the_key(tmp_path: Path) -> None:
    target = tmp_path / "audit-heads.log"
    events = _record(2)
    target.write_text(f"2 {events[1].hash} 2026-01-01T00:00:00+00:00 {'0' * 64}\n")

    with pytest.raises(CommandError, match="#2"):
        call_command("audit_verify", "--against", str(target))


def test_verify_against_an_intact_chain_passes(tmp_path: Path) -> None:
    target = tmp_path / "audit-heads.log"
    _record(2)
    call_command("audit_head_export", "--to", f"file:{target}")
    _record(3)

    call_command("audit_verify", "--against", str(target))
    assert audit_chain_verify().ok


def test_the_daily_task_exports_only_when_a_destination_is_set(tmp_path: Path) -> None:
    target = tmp_path / "heads.log"
    _record(1)

    assert audit_head_export_scheduled() is False
    with override_settings(CHARTER_AUDIT_HEAD_EXPORT=f"file:{target}"):
        assert audit_head_export_scheduled() is True

    assert head_last_line(target.read_text()).sequence == 1


def test_verify_reads_the_configured_export_file_when_the_database_copy_was_removed(tmp_path: Path) -> None:
    target = tmp_path / "audit-heads.log"
    with override_settings(CHARTER_AUDIT_HEAD_EXPORT=f"file:{target}"):
        _record(3)
        assert audit_head_export_scheduled() is True
        _rewrite_tail_and_rechain_with_key(from_sequence=2)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditheadexport")

        assert audit_chain_verify().ok  # the database alone no longer knows
        with pytest.raises(CommandError, match="#3"):
            call_command("audit_verify")  # no --against: the configured file is read


def test_verify_says_when_it_falls_back_to_the_database_copy(capsys: pytest.CaptureFixture[str]) -> None:
    _record(2)
    call_command("audit_head_export", "--to", "mail:ops@example.cn")

    with override_settings(CHARTER_AUDIT_HEAD_EXPORT="mail:ops@example.cn"):
        call_command("audit_verify")

    out, err = capsys.readouterr()
    assert "remembered in the database" in err
    assert "intact: 2 events" in out


def test_verify_refuses_when_the_configured_file_is_gone_but_exports_were_made(tmp_path: Path) -> None:
    target = tmp_path / "audit-heads.log"
    with override_settings(CHARTER_AUDIT_HEAD_EXPORT=f"file:{target}"):
        _record(2)
        audit_head_export_scheduled()
        target.unlink()

        with pytest.raises(CommandError, match="missing or empty"):
            call_command("audit_verify")


def test_verify_without_any_export_yet_falls_back_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "audit-heads.log"
    _record(2)
    with override_settings(CHARTER_AUDIT_HEAD_EXPORT=f"file:{target}"):
        call_command("audit_verify")

    assert "No head exported to" in capsys.readouterr().err
