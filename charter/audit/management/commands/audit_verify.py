from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from charter.audit.heads import HeadLineError, head_last_line
from charter.audit.selectors import audit_chain_verify


class Command(BaseCommand):
    help = (
        "Verify the audit chain (keyed hashes, links, and that it still ends in the last exported head); "
        "exit non-zero and name the first broken event if it was tampered with."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--against",
            metavar="FILE",
            help="check against the last head line of FILE (written by audit_head_export --to file:FILE) "
            "instead of the last export remembered in the database",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        against = None
        if options.get("against"):
            try:
                against = head_last_line(Path(options["against"]).read_text(encoding="utf-8"))
            except (OSError, UnicodeError, HeadLineError) as error:
                raise CommandError(
                    f"Cannot read the exported head from {options['against']}: {error}"
                ) from error
        report = audit_chain_verify(against=against)
        if not report.ok:
            raise CommandError(
                f"Audit chain broken at event #{report.broken_at}: {report.reason} "
                f"({report.checked} events verified before it)"
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} events verified."))
