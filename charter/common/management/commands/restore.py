from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from charter.common.backup import BackupError, backup_restore, manifest_summary


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into an EMPTY database (DATABASE_URL) and an empty "
        "MEDIA_ROOT. Checks every checksum and that the backup's migrations are this code's before writing "
        "anything, then verifies the audit chain (audit_verify) with this installation's CHARTER_AUDIT_KEY. "
        "Exits non-zero on any failure."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="the backup's directory or .tar / .tar.gz archive")

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["source"])
        try:
            result = backup_restore(source)
        except BackupError as error:
            raise CommandError(f"Restore refused: {error}") from error
        except OSError as error:
            raise CommandError(f"Restore failed: {error}") from error
        summary = manifest_summary(result.manifest)
        self.stdout.write(
            f"Restored the {summary['vendor']} database ({result.database_bytes} bytes) and "
            f"{result.media_files} media file(s) of {summary['created_at']} (Charter {summary['version']})."
        )
        # The audit app verifies its own chain; common does not know it, so it is asked by command name.
        out, err = StringIO(), StringIO()
        try:
            call_command("audit_verify", stdout=out, stderr=err)
        except CommandError as error:
            self.stderr.write(err.getvalue())
            raise CommandError(
                f"Restored, but the audit chain does not verify: {error}. If it says events up to an "
                "exported head were removed, the backup is older than the last head exported; otherwise the "
                "backup was altered, or CHARTER_AUDIT_KEY is not the key the events were written with."
            ) from error
        self.stderr.write(err.getvalue(), ending="")
        self.stdout.write(self.style.SUCCESS(f"Restore complete. {out.getvalue().strip()}"))
