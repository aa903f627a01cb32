from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from charter.audit.heads import ExportedHead, HeadLineError, head_last_line
from charter.audit.models import AuditHeadExport
from charter.audit.selectors import audit_chain_verify


def _configured_file() -> Path | None:
    """The file CHARTER_AUDIT_HEAD_EXPORT exports the head to (`file:/path`), if it is a file."""
    kind, _sep, where = str(getattr(settings, "CHARTER_AUDIT_HEAD_EXPORT", "") or "").strip().partition(":")
    where = where.strip()
    if kind == "file" and where and Path(where).is_absolute():
        return Path(where)
    return None


class Command(BaseCommand):
    help = (
        "Verify the audit chain (keyed hashes, links, the sealed head, and that it still ends in the last "
        "exported head: the last line of the CHARTER_AUDIT_HEAD_EXPORT file, or of --against FILE); exit "
        "non-zero and name the first broken event if it was tampered with."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--against",
            metavar="FILE",
            help="check against the last head line of FILE (written by audit_head_export --to file:FILE); "
            "by default the CHARTER_AUDIT_HEAD_EXPORT file when it is one, else the last export remembered "
            "in the database",
        )

    def _read(self, path: Path) -> ExportedHead:
        try:
            return head_last_line(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeError, HeadLineError) as error:
            raise CommandError(f"Cannot read the exported head from {path}: {error}") from error

    def _against(self, options: dict[str, Any]) -> ExportedHead | None:
        """The exported head to check against: the file's whenever there is one. The database's copy of the
        last export is only a fallback (whoever can write the database can delete it), and is said to be."""
        if options.get("against"):
            return self._read(Path(options["against"]))
        path = _configured_file()
        if path is None:
            self.stderr.write(
                self.style.WARNING(
                    "CHARTER_AUDIT_HEAD_EXPORT is not a file: checking against the last export as remembered "
                    "in the database, which whoever can write the database can remove. Give the exported "
                    "line with --against FILE to rule that out."
                )
            )
            return None
        if path.exists() and path.stat().st_size:
            self.stdout.write(f"Checking against the last head exported to {path}.")
            return self._read(path)
        remembered = AuditHeadExport.objects.filter(destination=f"file:{path}").count()
        if remembered:
            raise CommandError(
                f"The export file {path} is missing or empty, though the database remembers {remembered} "
                "head(s) exported to it: restore it from a backup and run again, or give --against FILE."
            )
        self.stderr.write(
            self.style.WARNING(
                f"No head exported to {path} yet: checking against the last export as remembered in the "
                "database (if any)."
            )
        )
        return None

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_chain_verify(against=self._against(options))
        if not report.ok:
            raise CommandError(
                f"Audit chain broken at event #{report.broken_at}: {report.reason} "
                f"({report.checked} events verified before it)"
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} events verified."))
