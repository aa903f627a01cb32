"""Background entry points of assignments: carrying out batches, the mail they send, the remedial training
the QA and violation signals ask for, and the daily sweeps (reminders, onboarding, standards' batches). Each
is safe to run twice and on several workers."""

from huey import crontab

from charter.common.taskqueue import db_periodic_task, db_task
from charter.training import assignments, mailing_assignments, signals


@db_task()
def batch_carry_out_task(batch_id: int) -> None:
    """Carry out batch `batch_id` (enqueued once the order or the publication commits)."""
    assignments.batch_carry_out(batch_id=batch_id)


@db_task()
def batch_assigned_mail_task(batch_id: int) -> None:
    """Mail each person a batch assigned the course to (enqueued once the batch is carried out)."""
    mailing_assignments.batch_assigned_mail(batch_id=batch_id)


@db_task()
def assignment_assigned_mail_task(assignment_id: int) -> None:
    """Mail the person one assignment was made for (enqueued once it commits)."""
    mailing_assignments.assignment_assigned_mail(assignment_id=assignment_id)


@db_task()
def review_remedial_task(review_id: int) -> None:
    """Assign the remedial courses a submitted QA review asks for."""
    signals.review_remedial_assign(review_id=review_id)


# Every five minutes: violations decided at the education step get the course teaching their clause.
@db_periodic_task(crontab(minute="*/5"))
def violation_events_consume_task() -> None:
    """Read the new violation events and assign remedial courses (each event once)."""
    signals.violation_events_consume()


# Daily at 01:20 UTC (09:20 in China), at the start of the working day.
@db_periodic_task(crontab(minute="20", hour="1"))
def assignment_daily_task() -> None:
    """Assign onboarding courses to new staff and standards' courses whose batch was lost, carry out again
    the batches whose task was lost or failed, assign the remedial courses of the last days' QA reviews a
    lost task never assigned, then send the day's reminders (each once)."""
    assignments.onboarding_sweep()
    signals.standard_batches_sweep()
    signals.unfinished_batches_redo()
    signals.reviews_remedial_sweep()
    mailing_assignments.assignment_reminders_send()
