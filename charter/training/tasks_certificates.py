"""Background entry points of certificates: their mail, the daily renewal sweep and the hourly expiry sweep.
Each is safe to run twice and on several workers (every certificate is claimed before it is mailed)."""

from huey import crontab

from charter.common.taskqueue import db_periodic_task, db_task
from charter.training import certificates, mailing_certificates


@db_task()
def certificate_mail_task(kind: str, certificate_id: int) -> None:
    """Send the certificate mail `kind` about `certificate_id` (enqueued once the sweep's claim commits)."""
    mailing_certificates.certificate_mail(kind, certificate_id)


# Daily at 01:20 UTC (09:20 in China): holders hear of an expiring certificate at the start of the day.
@db_periodic_task(crontab(minute="20", hour="1"))
def certificates_renewal_sweep_task() -> None:
    """Remind holders of certificates expiring soon and assign the course again (once per certificate)."""
    certificates.certificates_renewal_sweep()


# Hourly: routing already stopped when the grant ended; this tells the supervisors (once per certificate).
@db_periodic_task(crontab(minute="35"))
def certificates_expired_sweep_task() -> None:
    """Tell the supervisors of holders whose certificate has expired."""
    certificates.certificates_expired_sweep()
