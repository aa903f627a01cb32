"""Background entry points of reports."""

from huey import crontab

from charter.common.taskqueue import db_periodic_task
from charter.reports.services import figures_refresh


@db_periodic_task(crontab(minute="30", hour="*"))
def figures_refresh_task() -> None:
    """Recompute the published figures of every service (last full and current month and quarter); safe to
    run twice or on several workers at once (each row is upserted, the result is the same)."""
    figures_refresh()
