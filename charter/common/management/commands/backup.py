from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from charter.common.backup import BackupError, backup_create, manifest_summary


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup or pg_dump) and MEDIA_ROOT, with a manifest of "
        "checksums, to a new directory or a .tar / .tar.gz archive. Keys (CHARTER_SECRET_KEY, "
        "CHARTER_DATA_KEYS, CHARTER_BLIND_INDEX_KEY, CHARTER_AUDIT_KEY) are never included: keep them apart, "
        "a backup is useless without them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "destination", help="a new directory, or an archive name ending in .tar or .tar.gz"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        destination = Path(options["destination"])
        try:
            manifest = backup_create(destination)
        except (BackupError, OSError) as error:
            raise CommandError(f"Backup failed: {error}") from error
        summary = manifest_summary(manifest)
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up the {summary['vendor']} database and {summary['media_files']} media file(s) "
                f"({summary['bytes']} bytes, Charter {summary['version']}) to {destination}."
            )
        )
