"""Recompute the management dashboard's rollups now: all history (`--full`, what the first run and the night
do) or the last days (`--days`, what the worker does every quarter of an hour)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from charter.reports.rollups import WINDOW_DAYS, rollup_refresh


class Command(BaseCommand):
    help = "Recompute the management dashboard's rollups (all history with --full)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="recompute every day (a backfill)")
        parser.add_argument("--days", type=int, default=WINDOW_DAYS, help="days recomputed without --full")

    def handle(self, *args: Any, **options: Any) -> None:
        result = rollup_refresh(full=options["full"], days=options["days"])
        self.stdout.write(
            f"days {result.first_day} to {result.last_day}: {result.daily_rows} daily and monthly rows, "
            f"{result.snapshot_rows} snapshot rows in {result.seconds:.2f} s"
        )
