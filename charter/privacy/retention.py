"""Retention: how long each type of record is kept after it ends, and the run that anonymises what expired.

The higher apps register one `RetentionRule` per type of record (charter.privacy.registry); each rule has a
`RetentionSchedule` row, made from the rule's default the first time it is read, that the data protection
officer can shorten, lengthen or switch off. A run walks the active schedules: the records that ended more
than `keep_days` ago, oldest first, not yet anonymised and under no legal hold, are anonymised in batches,
each in its own transaction, so a run that stops (a worker killed, a deploy) leaves whole batches behind and
the next run carries on where it stopped. A dry run counts what a real run would do and changes nothing.
"""

import dataclasses
import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.audit.services import audit_record
from charter.common.errors import DomainError
from charter.common.policy import require
from charter.privacy.errors import ErrorCode
from charter.privacy.models import RetentionRun, RetentionSchedule
from charter.privacy.permissions import can_manage_retention
from charter.privacy.registry import RetentionRule, retention_rules

logger = logging.getLogger(__name__)

# A dry run counts up to this many due records per type; the report says "at least" beyond it.
DRY_RUN_LIMIT = 100_000
# A real run that has not finished after this long is taken to have died: the next one may start.
RUN_STALE_AFTER = dt.timedelta(hours=6)
KEEP_DAYS_MAX = 36_500


@dataclasses.dataclass(frozen=True)
class ScheduledRule:
    """A registered rule with its schedule row."""

    rule: RetentionRule
    schedule: RetentionSchedule

    def cutoff(self, now: dt.datetime) -> dt.datetime:
        """Records that ended before this moment have outlived the schedule."""
        return now - dt.timedelta(days=self.schedule.keep_days)


def retention_schedules() -> list[ScheduledRule]:
    """Return every registered rule with its schedule row, creating missing rows from the rules' defaults."""
    scheduled = []
    for rule in retention_rules():
        schedule, _created = RetentionSchedule.objects.get_or_create(
            record_type=rule.record_type, defaults={"keep_days": rule.default_days}
        )
        scheduled.append(ScheduledRule(rule=rule, schedule=schedule))
    return scheduled


def retention_schedule_update(
    *, actor: User, schedule: RetentionSchedule, keep_days: int, is_active: bool
) -> RetentionSchedule:
    """Change how long one type of record is kept and whether its schedule runs at all.

    Requires privacy.manage_retention; `keep_days` from 1 to 36,500 (`privacy_schedule_days_invalid`).
    Takes effect at the next run. Audited as `privacy.retention_schedule_update` with the old and new values.
    """
    require(can_manage_retention(actor))
    if not 1 <= keep_days <= KEEP_DAYS_MAX:
        raise DomainError(
            _("Keep records for 1 to %(max)s days.") % {"max": KEEP_DAYS_MAX},
            code=ErrorCode.SCHEDULE_DAYS_INVALID,
            field="keep_days",
        )
    with transaction.atomic():
        row = RetentionSchedule.objects.select_for_update().get(pk=schedule.pk)
        before = {"keep_days": row.keep_days, "is_active": row.is_active}
        row.keep_days, row.is_active = keep_days, is_active
        row.save(update_fields=["keep_days", "is_active", "updated_at"])
        audit_record(
            actor=actor,
            action="privacy.retention_schedule_update",
            target=row,
            data={"before": before, "after": {"keep_days": keep_days, "is_active": is_active}},
        )
    return row


def _claim(*, dry_run: bool, actor: User | None, now: dt.datetime) -> RetentionRun:
    """Record the start of a run; a real run refuses to start while another real one is under way."""
    if dry_run:
        return RetentionRun.objects.create(started_at=now, dry_run=True, started_by=actor)
    with transaction.atomic():
        # Every real run takes the same row lock first, so two workers cannot both see "none running".
        RetentionSchedule.objects.select_for_update().order_by("pk").first()
        running = RetentionRun.objects.filter(
            dry_run=False, finished_at__isnull=True, started_at__gt=now - RUN_STALE_AFTER
        ).exists()
        if running:
            raise DomainError(_("Another retention run is under way."), code=ErrorCode.RETENTION_RUNNING)
        return RetentionRun.objects.create(started_at=now, dry_run=False, started_by=actor)


def _apply_batches(scheduled: ScheduledRule, cutoff: dt.datetime, run: RetentionRun, batch_size: int) -> int:
    """Anonymise the due records of one rule batch by batch (each batch its own transaction)."""
    record_type = scheduled.rule.record_type
    done = 0
    seen: set[Any] = set()
    while True:
        ids: Sequence[Any] = scheduled.rule.due(cutoff, batch_size)
        fresh = [each for each in ids if each not in seen]
        if not fresh:
            # Nothing left, or a rule whose records stay due after `apply`: never loop on them.
            break
        seen.update(fresh)
        with transaction.atomic():
            done += scheduled.rule.apply(fresh)
            run.counts[record_type]["done"] = done
            run.counts[record_type]["due"] = len(seen)
            RetentionRun.objects.filter(pk=run.pk).update(counts=run.counts)
        if len(ids) < batch_size:
            break
    return done


def retention_run(*, dry_run: bool, actor: User | None = None, batch_size: int = 500) -> RetentionRun:
    """Run every active retention schedule, or (`dry_run`) count what a run would do; return the run's row.

    A real run anonymises the expired records of each rule in batches of `batch_size`, each in its own
    transaction, skipping what a legal hold keeps; it is audited once per rule (`privacy.retention_run`
    with due, held and done counts) and refuses to start while another real run is under way
    (`privacy_retention_running`). A dry run changes no record. `actor` None is the daily task; a person must
    hold privacy.manage_retention.
    """
    if actor is not None:
        require(can_manage_retention(actor))
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    now = timezone.now()
    scheduled_rules = [each for each in retention_schedules() if each.schedule.is_active]
    run = _claim(dry_run=dry_run, actor=actor, now=now)
    run.counts = {}
    try:
        for scheduled in scheduled_rules:
            record_type = scheduled.rule.record_type
            cutoff = scheduled.cutoff(now)
            held = scheduled.rule.held(cutoff)
            if dry_run:
                due = len(scheduled.rule.due(cutoff, DRY_RUN_LIMIT))
                run.counts[record_type] = {"due": due, "held": held, "done": 0}
                continue
            run.counts[record_type] = {"due": 0, "held": held, "done": 0}
            done = _apply_batches(scheduled, cutoff, run, batch_size)
            with transaction.atomic():
                RetentionRun.objects.filter(pk=run.pk).update(counts=run.counts)
                audit_record(
                    actor=actor,
                    action="privacy.retention_run",
                    target=scheduled.schedule,
                    data={
                        "record_type": record_type,
                        "keep_days": scheduled.schedule.keep_days,
                        "cutoff": cutoff,
                        **run.counts[record_type],
                    },
                    actor_label="" if actor else "retention",
                )
            logger.info("retention %s: %s done, %s held", record_type, done, held)
    finally:
        # A run that failed half-way still records what it did; its batches stay done.
        RetentionRun.objects.filter(pk=run.pk).update(counts=run.counts, finished_at=timezone.now())
    run.refresh_from_db()
    return run


def retention_report() -> list[dict[str, Any]]:
    """Return, per schedule, what it keeps, for how long, and what the next run would anonymise now (due)
    and leave because of a legal hold (held). Reads only; inactive schedules report no counts."""
    now = timezone.now()
    report = []
    for scheduled in retention_schedules():
        due = held = None
        if scheduled.schedule.is_active:
            cutoff = scheduled.cutoff(now)
            due = len(scheduled.rule.due(cutoff, DRY_RUN_LIMIT))
            held = scheduled.rule.held(cutoff)
        report.append(
            {
                "rule": scheduled.rule,
                "schedule": scheduled.schedule,
                "due": due,
                "held": held,
                "at_least": due is not None and due >= DRY_RUN_LIMIT,
            }
        )
    return report


def retention_runs_recent(limit: int = 10) -> list[RetentionRun]:
    """Return the latest runs, real and dry, newest first."""
    return list(RetentionRun.objects.select_related("started_by")[:limit])
