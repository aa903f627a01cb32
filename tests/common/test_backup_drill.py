"""The restore drill: back up a database with cases, attachments and an audit chain, restore it into a new,
empty database by `manage.py restore` in another process, and compare every table row by row and every file.

Runs on the suite's database (SQLite or PostgreSQL, DATABASE_URL); on PostgreSQL the restore goes into a new
database `test_restore_<pid>` made and dropped here.
"""

import base64
import os
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from charter.accounts.models import Team, User
from charter.audit.models import AuditEvent
from charter.cases.models import Case, CaseAttachment, TeamRouting
from tests.accounts.factories import CustomerFactory
from tests.cases.conftest import new_case

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(settings.BASE_DIR)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def cases(media: Path, team: Team, member: User, teammate: User) -> list[Case]:
    """Three cases, each with an attachment on disk, made through the services (so audited and chained)."""
    TeamRouting.objects.create(team=team, mode=TeamRouting.Mode.ROUND_ROBIN, is_default=True)
    customer = CustomerFactory.create(name="刘晓梅")
    return [
        new_case(
            None,
            customer,
            title=f"水费账单疑问 {number}",
            attachments=[SimpleUploadedFile(f"账单{number}.txt", f"第{number}期账单".encode(), "text/plain")],
        )
        for number in range(3)
    ]


@pytest.fixture
def target(tmp_path: Path) -> Iterator[str]:
    """DATABASE_URL of a new, empty database of the suite's kind; dropped afterwards on PostgreSQL."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"test_restore_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    database = connection.settings_dict
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    host = f"{database.get('HOST') or '127.0.0.1'}:{database.get('PORT') or 5432}"
    try:
        yield f"postgres://{database['USER']}{password}@{host}/{name}"
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(
    *arguments: str, database_url: str, media_root: Path, var: Path, **extra: str
) -> subprocess.CompletedProcess[str]:
    """Run manage.py in another process against another database and media folder (keys as this one's)."""
    env = {**os.environ, "DATABASE_URL": database_url, "CHARTER_MEDIA_ROOT": str(media_root), **extra}
    env["CHARTER_VAR_DIR"] = str(var)
    var.mkdir(exist_ok=True)
    return subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), *arguments],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=600,
    )


def _source_connection() -> Any:
    """A plain DB-API connection to the suite's database (no Django converters, like the restored side's)."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return sqlite3.connect(database["NAME"])
    return psycopg.connect(
        dbname=database["NAME"],
        user=database["USER"],
        password=database.get("PASSWORD") or None,
        host=database.get("HOST") or "127.0.0.1",
        port=database.get("PORT") or 5432,
    )


def _target_connection(url: str) -> Any:
    if url.startswith("sqlite:///"):
        return sqlite3.connect(url.removeprefix("sqlite:///"))
    return psycopg.connect(url.replace("postgres://", "postgresql://", 1))


def _tables(raw: Any) -> set[str]:
    cursor = raw.cursor()
    if isinstance(raw, sqlite3.Connection):
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return {row[0] for row in cursor.fetchall()}


def _rows(raw: Any, table: str) -> list[tuple[Any, ...]]:
    cursor = raw.cursor()
    cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names come from the catalogue)
    columns = [column[0] for column in cursor.description]
    return sorted((tuple(zip(columns, row, strict=True)) for row in cursor.fetchall()), key=repr)


def _files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()
    }


def test_a_backup_restored_into_an_empty_database_is_the_same_row_for_row_and_file_for_file(
    cases: list[Case], media: Path, target: str, tmp_path: Path
) -> None:
    events = AuditEvent.objects.count()
    assert events >= 3
    assert CaseAttachment.objects.count() == 3
    archive = tmp_path / "charter-backup.tar.gz"

    call_command("backup", str(archive))
    restored_media = tmp_path / "restored-media"
    result = _manage(
        "restore", str(archive), database_url=target, media_root=restored_media, var=tmp_path / "v"
    )

    assert result.returncode == 0, result.stderr
    assert f"Audit chain intact: {events} events verified." in result.stdout
    source, restored = _source_connection(), _target_connection(target)
    try:
        tables = _tables(source)
        models = {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        }
        assert models <= tables, "every model's table is compared"
        assert {"auth_permission", "django_content_type", "django_migrations"} <= tables
        assert _tables(restored) == tables
        differing = [table for table in sorted(tables) if _rows(source, table) != _rows(restored, table)]
        assert differing == []
        assert len(_rows(restored, Case._meta.db_table)) == 3
    finally:
        source.close()
        restored.close()
    assert _files(restored_media) == _files(media)
    assert len(_files(media)) == 3


def test_a_restore_refuses_media_over_files_and_fails_when_the_audit_chain_does_not_verify(
    cases: list[Case], target: str, tmp_path: Path
) -> None:
    archive = tmp_path / "charter-backup.tar"
    call_command("backup", str(archive))
    occupied = tmp_path / "occupied-media"
    occupied.mkdir()
    (occupied / "someone-elses.txt").write_text("kept")

    refused = _manage("restore", str(archive), database_url=target, media_root=occupied, var=tmp_path / "v")

    assert refused.returncode == 1
    assert "already holds files" in refused.stderr
    restored = _target_connection(target)
    try:
        assert _tables(restored) == set(), "a refused restore writes nothing"
    finally:
        restored.close()
    assert _files(occupied) == {"someone-elses.txt": b"kept"}

    other_key = _manage(
        "restore",
        str(archive),
        database_url=target,
        media_root=tmp_path / "restored-media",
        var=tmp_path / "v",
        CHARTER_AUDIT_KEY="not-the-key-the-events-were-written-with",
    )

    assert other_key.returncode == 1
    assert "Restored, but the audit chain does not verify" in other_key.stderr
    assert "CHARTER_AUDIT_KEY is not the key the events were written with" in other_key.stderr


def _key_forms(value: bytes) -> list[bytes]:
    return [value, base64.b64encode(value), value.hex().encode()]


def _backup_bytes(archive: Path) -> list[tuple[str, bytes]]:
    """Every file of the archive as it would be read; a PostgreSQL dump as the SQL it restores."""
    contents = []
    with tarfile.open(archive) as opened:
        for member in opened.getmembers():
            stream = opened.extractfile(member)
            if stream is not None:
                contents.append((member.name, stream.read()))
    for name, data in list(contents):
        if name.endswith(".pgdump"):
            sql = subprocess.run(
                ["pg_restore", "--file=-"],  # noqa: S607 (Debian's postgresql-client, as the command uses)
                input=data,
                capture_output=True,
                check=True,
            ).stdout
            assert b"COPY public.cases_case" in sql
            contents.append((f"{name}.sql", sql))
    return contents


def test_no_key_is_in_the_backup(
    settings: Any, media: Path, team: Team, member: User, tmp_path: Path
) -> None:
    settings.SECRET_KEY = "backup-test-secret-" + os.urandom(16).hex()
    settings.CHARTER_DATA_KEYS = {"drill": os.urandom(32)}
    settings.CHARTER_BLIND_INDEX_KEY = os.urandom(32)
    settings.CHARTER_AUDIT_KEY = os.urandom(32)
    TeamRouting.objects.create(team=team, mode=TeamRouting.Mode.ROUND_ROBIN, is_default=True)
    customer = CustomerFactory.create(name="王芳", phone="13800138000")
    new_case(None, customer, attachments=[SimpleUploadedFile("a.txt", b"attached", "text/plain")])
    archive = tmp_path / "b.tar.gz"

    call_command("backup", str(archive))

    keys = [settings.SECRET_KEY.encode(), settings.CHARTER_BLIND_INDEX_KEY, settings.CHARTER_AUDIT_KEY]
    keys += list(settings.CHARTER_DATA_KEYS.values())
    contents = _backup_bytes(archive)
    assert {name for name, _data in contents} >= {"manifest.json"}
    assert any(name.startswith("media/") for name, _data in contents)
    found = [name for name, data in contents for key in keys for form in _key_forms(key) if form in data]
    assert found == []
