"""Background entry points of the audit trail: the daily export of the chain's head."""

import logging

from django.conf import settings
from huey import crontab

from charter.audit.services import audit_head_export
from charter.common.taskqueue import db_periodic_task

logger = logging.getLogger(__name__)


def audit_head_export_scheduled() -> bool:
    """Export the head to CHARTER_AUDIT_HEAD_EXPORT when it is set; return whether it was exported."""
    destination = str(getattr(settings, "CHARTER_AUDIT_HEAD_EXPORT", "") or "")
    if not destination:
        return False
    audit_head_export(destination=destination)
    return True


@db_periodic_task(crontab(minute="17", hour="2"))
def audit_head_export_task() -> None:
    """Every day at 02:17 (the worker's zone), export the chain's head where the operator said."""
    try:
        audit_head_export_scheduled()
    except Exception:  # logged for the operator; tomorrow's run tries again
        logger.exception("the audit head could not be exported")
        raise
