"""The daily retention run (imported by charter/privacy/tasks.py, which Huey discovers)."""

import logging

from huey import crontab

from charter.common.errors import DomainError
from charter.common.taskqueue import db_periodic_task
from charter.privacy.errors import ErrorCode
from charter.privacy.retention import retention_run

logger = logging.getLogger(__name__)


# Daily at 18:40 UTC (02:40 in China): the quietest hour, after the day's sweeps.
@db_periodic_task(crontab(minute="40", hour="18"))
def retention_run_task() -> None:
    """Run the retention schedules for real; a worker that finds another run under way leaves it alone."""
    try:
        retention_run(dry_run=False)
    except DomainError as error:
        if error.code != ErrorCode.RETENTION_RUNNING:
            raise
        logger.info("retention run skipped: another run is under way")
