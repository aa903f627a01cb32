"""Background entry points of reports."""

from huey import crontab

from charter.common.taskqueue import db_periodic_task
from charter.reports.monthly import monthly_report_run
from charter.reports.rollups import rollup_refresh, rollups_backfilled
from charter.reports.services import figures_refresh


@db_periodic_task(crontab(minute="30", hour="*"))
def figures_refresh_task() -> None:
    """Recompute the published figures of every service (last full and current month and quarter); safe to
    run twice or on several workers at once (each row is upserted, the result is the same)."""
    figures_refresh()


@db_periodic_task(crontab(minute="5", hour="0"))
def monthly_report_run_task() -> None:
    """Every day (08:05 in Beijing): on and after the first working day of a month, generate last month's
    service quality report if it is not ready, and mail it to the subscribers once; safe on several
    workers (the report's row is locked while generating, its mailing claimed)."""
    monthly_report_run()


@db_periodic_task(crontab(minute="*/15"))
def rollup_refresh_task() -> None:
    """Recompute the management dashboard's rollups: the last WINDOW_DAYS days and the snapshot of now, or
    all history when it was never backfilled. Safe on several workers at once (the state row's lock
    serialises the writes; an older run does not overwrite a newer one)."""
    rollup_refresh(full=not rollups_backfilled())


@db_periodic_task(crontab(minute="10", hour="19"))
def rollup_refresh_full_task() -> None:
    """Recompute every day of the dashboard's rollups at night (03:10 in Beijing), so late changes to old days
    (a complaint recategorised, a bad review ruled not valid weeks later) reach them."""
    rollup_refresh(full=True)
