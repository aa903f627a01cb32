from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from charter.audit.services import audit_head_export
from charter.common.errors import DomainError


class Command(BaseCommand):
    help = (
        "Export the audit chain's head (sequence, hash, time and their HMAC under CHARTER_AUDIT_KEY) to a "
        "place outside the database: --to file:/var/log/charter/audit-heads.log appends a line, --to "
        "mail:ops@example.cn mails it. `audit_verify` then checks the chain still ends there."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--to", required=True, metavar="DESTINATION", help="file:/absolute/path or mail:address"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            export = audit_head_export(destination=options["to"])
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        except OSError as error:
            raise CommandError(f"The head could not be exported to {options['to']}: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported audit head #{export.sequence} {export.hash} to {export.destination}."
            )
        )
