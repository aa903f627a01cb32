"""`manage.py backup` / `restore`: what a restore refuses, before it writes anything (the drill that restores
for real is test_backup_drill.py)."""

import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from charter.common.backup import MANIFEST, Manifest, backup_read, version_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    (root / "cases" / "2026").mkdir(parents=True)
    (root / "cases" / "2026" / "invoice.txt").write_bytes("三月账单".encode())
    settings.MEDIA_ROOT = str(root)
    return root


@pytest.fixture
def backup(media: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "backup"
    call_command("backup", str(folder))
    return folder


def _restore_refusal(source: Path) -> str:
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(source))
    return str(refused.value)


def _edit_manifest(folder: Path, **changes: Any) -> None:
    data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    data.update(changes)
    (folder / MANIFEST).write_text(json.dumps(data), encoding="utf-8")


def test_a_backup_lists_every_file_with_its_checksum_and_the_applied_migrations(backup: Path) -> None:
    manifest = backup_read(backup)

    assert manifest.vendor == connection.vendor
    assert manifest.charter_version == "0.1.0"
    assert {entry.path for entry in manifest.files} == {manifest.database, "media/cases/2026/invoice.txt"}
    assert "0001_initial" in manifest.migrations["cases"]
    assert manifest.latest_migrations["cases"] == max(manifest.migrations["cases"])
    assert version_problem(manifest) is None


def test_an_existing_destination_is_refused(backup: Path) -> None:
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(backup))


def test_a_changed_file_is_refused_before_anything_is_restored(backup: Path) -> None:
    (backup / "media" / "cases" / "2026" / "invoice.txt").write_bytes("四月账单".encode())

    assert "checksum mismatch for media/cases/2026/invoice.txt" in _restore_refusal(backup)


def test_a_changed_archive_is_refused(backup: Path, tmp_path: Path) -> None:
    (backup / "media" / "cases" / "2026" / "invoice.txt").write_bytes("三月帐单".encode())
    archive = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive, "w:gz") as packed:
        for path in backup.iterdir():
            packed.add(path, arcname=path.name)

    assert "checksum mismatch" in _restore_refusal(archive)


def test_a_missing_or_an_extra_file_is_refused(backup: Path) -> None:
    (backup / "media" / "extra.sh").write_text("echo hi")
    assert "does not list: media/extra.sh" in _restore_refusal(backup)

    (backup / "media" / "extra.sh").unlink()
    (backup / "media" / "cases" / "2026" / "invoice.txt").unlink()
    assert "incomplete: media/cases/2026/invoice.txt missing" in _restore_refusal(backup)


def test_something_that_is_not_a_backup_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    assert "not a Charter backup" in _restore_refusal(tmp_path)
    (tmp_path / "b.tar.gz").write_bytes(b"not gzip")
    assert "not a readable backup archive" in _restore_refusal(tmp_path / "b.tar.gz")


def test_a_non_empty_database_is_refused(backup: Path) -> None:
    message = _restore_refusal(backup)

    assert "is not empty: restore only into a new, empty database" in message


def test_a_backup_made_by_a_newer_charter_is_refused(backup: Path) -> None:
    migrations = Manifest.from_json((backup / MANIFEST).read_text(encoding="utf-8")).migrations
    migrations["cases"].append("9999_from_the_future")
    _edit_manifest(backup, migrations=migrations, charter_version="9.0.0")

    message = _restore_refusal(backup)

    assert "made by a newer or different Charter (9.0.0; this is 0.1.0)" in message
    assert "cases.9999_from_the_future" in message
    assert "Install the Charter release that made the backup" in message


def test_a_backup_made_by_an_older_charter_is_refused(backup: Path) -> None:
    migrations = Manifest.from_json((backup / MANIFEST).read_text(encoding="utf-8")).migrations
    latest = migrations["audit"].pop()
    _edit_manifest(backup, migrations=migrations)

    message = _restore_refusal(backup)

    assert (
        f"made by an older Charter (0.1.0; this is 0.1.0): it lacks the migrations audit.{latest}" in message
    )
    assert "run manage.py migrate" in message


def test_a_backup_of_another_kind_of_database_is_refused(backup: Path) -> None:
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    _edit_manifest(backup, vendor=other)

    assert f"the backup is of a {other} database" in _restore_refusal(backup)
