import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from charter.common.i18n import catalogue_roots


class Command(BaseCommand):
    help = "Refresh every zh_Hans catalogue from the source (then translate what is new and compilemessages)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "only", nargs="*", help="catalogue folder names (app labels, or 'charter'); all if none"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        here = os.getcwd()
        for folder, ignores in catalogue_roots():
            if options["only"] and folder.name not in options["only"]:
                continue
            os.chdir(folder)
            try:
                call_command(
                    "makemessages", locale=["zh_Hans"], ignore_patterns=ignores, no_obsolete=True, verbosity=0
                )
            finally:
                os.chdir(here)
            self.stdout.write(f"{folder}: updated")
