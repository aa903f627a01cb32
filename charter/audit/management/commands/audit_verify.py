from typing import Any

from django.core.management.base import BaseCommand, CommandError

from charter.audit.selectors import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the audit chain; exit non-zero and name the first broken event if it was tampered with."

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_chain_verify()
        if not report.ok:
            raise CommandError(
                f"Audit chain broken at event #{report.broken_at}: {report.reason} "
                f"({report.checked} events verified before it)"
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} events verified."))
