"""Import a year of public holidays and make-up working days (调休) into a business calendar."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from charter.sla.models import BusinessCalendar
from charter.sla.services import HolidayFileError, calendar_days_import


class Command(BaseCommand):
    help = (
        "Import a holiday file (JSON: year, source, days) into the calendar named by --calendar. "
        "Safe to run again; nothing is written when the file has an error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the JSON file, e.g. charter/sla/data/cn-2026.json")
        parser.add_argument("--calendar", required=True, help="the code of the calendar to import into")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="also remove the calendar's entries of that year that the file does not list",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error}") from error
        except json.JSONDecodeError as error:
            raise CommandError(f"{path} is not valid JSON: {error}") from error
        calendar = BusinessCalendar.objects.filter(code=options["calendar"]).first()
        if calendar is None:
            raise CommandError(f"no calendar with the code {options['calendar']!r}")
        try:
            result = calendar_days_import(
                actor=None, calendar=calendar, data=data, replace_year=options["replace"]
            )
        except HolidayFileError as error:
            for problem in error.errors:
                self.stderr.write(f"  {problem}")
            raise CommandError(f"{path}: {len(error.errors)} problem(s); nothing was imported") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{calendar.code} {result.year}: {result.created} added, {result.updated} updated, "
                f"{result.unchanged} unchanged, {result.removed} removed"
            )
        )
