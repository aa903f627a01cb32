"""Back up and restore an installation: the database, the uploaded files, and a manifest with checksums.

A backup is a directory (or the same directory as a .tar / .tar.gz archive) holding:

- `database.sqlite3` (SQLite's online backup API: a consistent copy while the site runs) or `database.pgdump`
  (`pg_dump --format=custom` of DATABASE_URL);
- `media/…`, every regular file under MEDIA_ROOT;
- `manifest.json`: Charter's version, the migrations applied to the database, the database vendor, when it
  was made, and every other file's SHA-256 and size.

Keys are never in a backup: SECRET_KEY, CHARTER_DATA_KEYS, CHARTER_BLIND_INDEX_KEY and CHARTER_AUDIT_KEY live
in the environment, not in the database or MEDIA_ROOT, and nothing here reads them. Without the keys a backup
cannot be read (personal data is encrypted) or verified (the audit chain is keyed): keep them apart.

A restore refuses before it touches anything when a checksum does not match, a file is missing or extra, the
backup's migrations differ from this code's, the vendor differs, or the target database or MEDIA_ROOT is not
empty. The manifest's checksums find a damaged or altered copy; they are not a signature (whoever can rewrite
the manifest can rewrite the files too): keep backups where only operators can write.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.db import connection
from django.db.backends.postgresql.client import DatabaseClient
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

MANIFEST = "manifest.json"
FORMAT = 1
SQLITE_DUMP = "database.sqlite3"
POSTGRES_DUMP = "database.pgdump"
MEDIA = "media"
ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz")
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot proceed; the message says why and what to do."""


@dataclass(frozen=True)
class FileEntry:
    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    charter_version: str
    django_version: str
    vendor: str
    created_at: str
    database: str
    migrations: dict[str, list[str]]
    files: list[FileEntry] = field(default_factory=list)
    format: int = FORMAT

    @property
    def latest_migrations(self) -> dict[str, str]:
        return {app: max(names) for app, names in self.migrations.items() if names}

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": self.format,
                "charter_version": self.charter_version,
                "django_version": self.django_version,
                "vendor": self.vendor,
                "created_at": self.created_at,
                "database": self.database,
                "latest_migrations": self.latest_migrations,
                "migrations": self.migrations,
                "files": [{"path": f.path, "sha256": f.sha256, "size": f.size} for f in self.files],
            },
            indent=2,
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT:
                raise BackupError(
                    f"unknown backup format {data.get('format')!r} (this Charter reads {FORMAT})"
                )
            return cls(
                charter_version=str(data["charter_version"]),
                django_version=str(data["django_version"]),
                vendor=str(data["vendor"]),
                created_at=str(data["created_at"]),
                database=str(data["database"]),
                migrations={str(app): [str(n) for n in names] for app, names in data["migrations"].items()},
                files=[FileEntry(str(f["path"]), str(f["sha256"]), int(f["size"])) for f in data["files"]],
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise BackupError(f"the manifest is not readable: {error}") from error


@dataclass(frozen=True)
class RestoreResult:
    manifest: Manifest
    database_bytes: int
    media_files: int


def charter_version() -> str:
    """The installed Charter's version (pyproject.toml's, as installed)."""
    try:
        return importlib.metadata.version("charter")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _is_archive(path: Path) -> bool:
    return path.name.endswith(ARCHIVE_SUFFIXES)


def _files_under(root: Path) -> Iterator[Path]:
    """Every regular file under root, in a stable order; symbolic links are not followed."""
    for folder, dirs, names in os.walk(root, followlinks=False):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path


def _applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def _postgres_command(program: str, arguments: list[str]) -> tuple[list[str], dict[str, str]]:
    """The pg_dump / pg_restore command line and environment for the default database (password by env)."""
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(
            f"{program} is not installed: install Debian's postgresql-client (make system-deps does) "
            "in the version of the PostgreSQL server or newer"
        )
    settings_dict = connection.settings_dict
    _args, client_env = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    env = {**os.environ, **(client_env or {})}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGDATABASE", "NAME")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return [executable, *arguments], env


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if completed.returncode != 0:
        raise BackupError(
            f"{Path(command[0]).name} failed: {completed.stderr.strip() or completed.returncode}"
        )


def _read_only_uri(path: Path) -> str:
    return f"{path.absolute().as_uri()}?mode=ro"


def _dump_database(folder: Path) -> str:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        # A connection of its own, read-only: under WAL it copies the last committed state while others
        # write, and never waits for a transaction the caller's connection holds open.
        source = sqlite3.connect(_read_only_uri(Path(connection.settings_dict["NAME"])), uri=True)
        target = sqlite3.connect(folder / SQLITE_DUMP)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        return SQLITE_DUMP
    if connection.vendor == "postgresql":
        command, env = _postgres_command(
            "pg_dump",
            ["--format=custom", "--no-owner", "--no-privileges", f"--file={folder / POSTGRES_DUMP}"],
        )
        _run(command, env)
        return POSTGRES_DUMP
    raise BackupError(
        f"backing up a {connection.vendor} database is not supported (SQLite and PostgreSQL are)"
    )


def backup_create(destination: Path) -> Manifest:
    """Back up the default database and MEDIA_ROOT to `destination`: a new directory, or a .tar(.gz) archive.

    The backup is built in a hidden folder beside the destination and moved into place when complete, so a
    failed run leaves nothing that looks like a backup. Refuses an existing destination.
    """
    destination = destination.absolute()
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise BackupError(f"{destination} already exists: give a new directory or archive name")
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", dir=destination.parent))
    try:
        database = _dump_database(staging)
        media_root = Path(settings.MEDIA_ROOT)
        if media_root.is_dir():
            for source in _files_under(media_root):
                copy = staging / MEDIA / source.relative_to(media_root)
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, copy)
        files = [
            FileEntry(path.relative_to(staging).as_posix(), file_sha256(path), path.stat().st_size)
            for path in _files_under(staging)
        ]
        manifest = Manifest(
            charter_version=charter_version(),
            django_version=django.get_version(),
            vendor=connection.vendor,
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            database=database,
            migrations=_applied_migrations(),
            files=files,
        )
        (staging / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        if _is_archive(destination):
            partial = destination.with_name(f".{destination.name}.partial")
            compressed = not destination.name.endswith(".tar")
            with tarfile.open(partial, "w:gz") if compressed else tarfile.open(partial, "w") as archive:
                for path in sorted(staging.iterdir()):
                    archive.add(path, arcname=path.name)
            partial.replace(destination)
        else:
            if destination.exists():
                destination.rmdir()
            staging.replace(destination)
        return manifest
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _unpack(source: Path, work: Path) -> Path:
    """The backup's folder: `source` itself, or the archive extracted (safely: no links out, no devices)."""
    if source.is_dir():
        return source
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    try:
        with tarfile.open(source) as archive:
            archive.extractall(work, filter="data")
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"{source} is not a readable backup archive: {error}") from error
    return work


def backup_read(folder: Path) -> Manifest:
    """Read the manifest of the backup in `folder` and check every file against it.

    Refuses a missing, extra, resized or changed file, so nothing is restored from a damaged copy.
    """
    try:
        manifest = Manifest.from_json((folder / MANIFEST).read_text(encoding="utf-8"))
    except OSError as error:
        raise BackupError(f"no manifest.json in {folder}: this is not a Charter backup") from error
    listed = {entry.path: entry for entry in manifest.files}
    present = {path.relative_to(folder).as_posix() for path in _files_under(folder)} - {MANIFEST}
    if missing := sorted(set(listed) - present):
        raise BackupError(f"the backup is incomplete: {', '.join(missing[:5])} missing")
    if extra := sorted(present - set(listed)):
        raise BackupError(f"the backup holds files its manifest does not list: {', '.join(extra[:5])}")
    for entry in manifest.files:
        path = folder / entry.path
        if path.stat().st_size != entry.size or file_sha256(path) != entry.sha256:
            raise BackupError(f"checksum mismatch for {entry.path}: the backup was damaged or altered")
    if manifest.database not in listed or manifest.database not in (SQLITE_DUMP, POSTGRES_DUMP):
        raise BackupError("the manifest names no database dump of this backup")
    return manifest


def version_problem(manifest: Manifest) -> str | None:
    """Say why this code cannot restore the backup's database, or None when its migrations are this code's."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known_apps = {app for app, _name in loader.disk_migrations}
    known = set(loader.disk_migrations)
    backup = {(app, name) for app, names in manifest.migrations.items() for name in names}
    newer = sorted(f"{app}.{name}" for app, name in backup if app in known_apps and (app, name) not in known)
    missing = sorted(
        f"{app}.{name}"
        for app, name in loader.graph.leaf_nodes()
        if app in known_apps and (app, name) not in backup
    )
    here = charter_version()
    if newer:
        return (
            f"the backup was made by a newer or different Charter ({manifest.charter_version}; this is "
            f"{here}): this code does not know its migrations {', '.join(newer[:5])}. Install the Charter "
            "release that made the backup, restore with it, and upgrade afterwards."
        )
    if missing:
        return (
            f"the backup was made by an older Charter ({manifest.charter_version}; this is {here}): it "
            f"lacks the migrations {', '.join(missing[:5])}. Restore it with the Charter release that made "
            "it, then upgrade that installation (install this release and run manage.py migrate)."
        )
    return None


def _database_is_empty() -> bool:
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def _media_is_empty() -> bool:
    media_root = Path(settings.MEDIA_ROOT)
    return not media_root.exists() or next(_files_under(media_root), None) is None


def backup_restore(source: Path) -> RestoreResult:
    """Restore the backup at `source` (folder or archive) into the default database and MEDIA_ROOT.

    Preconditions, all checked before anything is written: every checksum matches, the backup's migrations
    are exactly this code's, it was made from the same database vendor, and the database and MEDIA_ROOT are
    empty. The audit chain is not verified here: the restore command runs `audit_verify` afterwards.
    """
    with tempfile.TemporaryDirectory(prefix="charter-restore-") as work:
        folder = _unpack(source.absolute(), Path(work))
        manifest = backup_read(folder)
        if problem := version_problem(manifest):
            raise BackupError(problem)
        connection.ensure_connection()
        if manifest.vendor != connection.vendor:
            raise BackupError(
                f"the backup is of a {manifest.vendor} database and DATABASE_URL names a {connection.vendor} "
                "one: restore into the same kind of database"
            )
        if not _database_is_empty():
            raise BackupError(
                f"the database {connection.settings_dict['NAME']} is not empty: restore only into a new, "
                "empty database (create one, point DATABASE_URL at it, and do not run migrate before "
                "restoring)"
            )
        media_root = Path(settings.MEDIA_ROOT)
        if not _media_is_empty():
            raise BackupError(
                f"MEDIA_ROOT ({media_root}) already holds files: restore into an empty folder (move the "
                "files aside or set CHARTER_MEDIA_ROOT to a new folder)"
            )
        dump = folder / manifest.database
        if manifest.vendor == "sqlite":
            name = str(connection.settings_dict["NAME"])
            connection.close()
            source_db = sqlite3.connect(_read_only_uri(dump), uri=True)
            target_db = sqlite3.connect(name)
            try:
                source_db.backup(target_db)
            finally:
                source_db.close()
                target_db.close()
        else:
            command, env = _postgres_command(
                "pg_restore", ["--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges"]
            )
            _run([*command, f"--dbname={env['PGDATABASE']}", str(dump)], env)
        media_files = 0
        for entry in manifest.files:
            if entry.path.startswith(f"{MEDIA}/"):
                target = media_root / entry.path.removeprefix(f"{MEDIA}/")
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(folder / entry.path, target)
                media_files += 1
        return RestoreResult(manifest, dump.stat().st_size, media_files)


def manifest_summary(manifest: Manifest) -> dict[str, Any]:
    """What the commands print about a backup."""
    media = [f for f in manifest.files if f.path.startswith(f"{MEDIA}/")]
    return {
        "version": manifest.charter_version,
        "vendor": manifest.vendor,
        "created_at": manifest.created_at,
        "media_files": len(media),
        "bytes": sum(f.size for f in manifest.files),
    }
