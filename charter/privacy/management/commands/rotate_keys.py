from typing import Any

from django.core.management.base import BaseCommand

from charter.privacy.crypto import current_key_id
from charter.privacy.services import encryption_keys_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt personal data still under an older key with the current (first) key of CHARTER_DATA_KEYS."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        changed = encryption_keys_rotate()
        for column, count in changed.items():
            self.stdout.write(f"{column}: {count} re-encrypted")
        self.stdout.write(self.style.SUCCESS(f"All personal data is now under key {current_key_id()!r}."))
