"""Writes of the clocks: start, pause, resume, stop, recompute, and the sweep that warns and breaches.

Called by the case services inside their transactions (the helpers without a docstring-level `atomic`), and
by the periodic task (`case_clocks_sweep`).
"""

import dataclasses
import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.db.models import F, Min, QuerySet

from charter.accounts.models import TeamMembership
from charter.audit.services import audit_record
from charter.cases import clocks as arithmetic
from charter.cases.conf import cases_setting
from charter.cases.models import PRIORITY_ORDER, Case, CaseClock, CaseEvent
from charter.cases.notifications import Audience, CaseNotification, notify_on_commit
from charter.cases.services._common import event_build, event_record
from charter.cases.services._common import now as _now

logger = logging.getLogger(__name__)

Running = CaseClock.Status.RUNNING
Paused = CaseClock.Status.PAUSED
OPEN = (Running, Paused)


def _target_of(clock: CaseClock) -> arithmetic.ClockTarget:
    return arithmetic.ClockTarget(
        metric=clock.metric,
        amount=clock.target_amount,
        unit=clock.target_unit,
        basis=clock.target_basis,
        source=clock.target_source,
        warn_at_share=clock.warn_at_share,
        policy_id=clock.sla_policy_id,
        calendar_id=clock.sla_calendar_id,
    )


def case_deadline_refresh(case: Case) -> dt.datetime | None:
    """Copy the earliest due time of the case's running clocks to `case.next_deadline_at` and return it."""
    earliest = CaseClock.objects.filter(case=case, status=Running).aggregate(due=Min("due_at"))["due"]
    Case.objects.filter(pk=case.pk).update(next_deadline_at=earliest)
    case.next_deadline_at = earliest
    return earliest


def clock_start(
    case: Case,
    metric: str,
    *,
    at: dt.datetime,
    targets: dict[str, arithmetic.ClockTarget] | None = None,
) -> CaseClock | None:
    """Start the `metric` clock of `case` at `at`, unless no target applies or one is already open.

    Returns the new clock or None. Records `clock_started` (internal) and refreshes the case's next
    deadline. (A new case's clocks are planned by `clocks_plan_new` and inserted with it.)
    """
    if CaseClock.objects.filter(case=case, metric=metric, status__in=OPEN).exists():
        return None
    targets = targets if targets is not None else arithmetic.targets_for(case, at=at)
    target = targets.get(metric)
    if target is None:
        return None
    # Several clocks of one case usually count in the same calendar: look it up once per case object.
    calendars = case.__dict__.setdefault("_clock_calendars", {})
    key = (case.team_id, target.calendar_id)
    if key not in calendars:
        calendars[key] = arithmetic.calendar_for(case.team, target)
    plan = arithmetic.schedule(calendars[key], start=at, target=target, paused_seconds=0)
    clock = CaseClock.objects.create(
        case=case,
        metric=metric,
        status=Running,
        target_amount=target.amount,
        target_unit=target.unit,
        target_basis=target.basis,
        target_source=target.source,
        sla_policy_id=target.policy_id,
        sla_calendar_id=target.calendar_id,
        warn_at_share=target.warn_at_share,
        started_at=at,
        due_at=plan.due_at,
        warn_at=plan.warn_at,
    )
    event_record(
        case,
        CaseEvent.Kind.CLOCK_STARTED,
        data={"metric": metric, "due_at": plan.due_at.isoformat(), "source": target.source},
        at=at,
    )
    case_deadline_refresh(case)
    return clock


def clocks_plan_new(
    case: Case, metrics: tuple[str, ...], *, at: dt.datetime, targets: dict[str, arithmetic.ClockTarget]
) -> tuple[list[CaseClock], list[CaseEvent]]:
    """Return the running clocks (one per metric with a target) of a case being created, and their
    `clock_started` events (internal), all unsaved, and set `case.next_deadline_at` to the earliest due time.

    What `clock_start` does for a new case, without a query: the case's team and calendar are known and it
    has no clocks yet. The intake inserts the case, then these rows in bulk.
    """
    new_clocks: list[CaseClock] = []
    events: list[CaseEvent] = []
    calendars: dict[int | None, arithmetic.Calendar] = {}
    for metric in metrics:
        target = targets.get(metric)
        if target is None:
            continue
        if target.calendar_id not in calendars:
            calendars[target.calendar_id] = arithmetic.calendar_for(case.team, target)
        plan = arithmetic.schedule(calendars[target.calendar_id], start=at, target=target, paused_seconds=0)
        new_clocks.append(
            CaseClock(
                case=case,
                metric=metric,
                status=Running,
                target_amount=target.amount,
                target_unit=target.unit,
                target_basis=target.basis,
                target_source=target.source,
                sla_policy_id=target.policy_id,
                sla_calendar_id=target.calendar_id,
                warn_at_share=target.warn_at_share,
                started_at=at,
                due_at=plan.due_at,
                warn_at=plan.warn_at,
            )
        )
        events.append(
            event_build(
                case,
                CaseEvent.Kind.CLOCK_STARTED,
                data={"metric": metric, "due_at": plan.due_at.isoformat(), "source": target.source},
                at=at,
            )
        )
        if case.next_deadline_at is None or plan.due_at < case.next_deadline_at:
            case.next_deadline_at = plan.due_at
    return new_clocks, events


def clock_stop(clock: CaseClock, *, at: dt.datetime, cancel: bool = False) -> CaseClock:
    """Stop an open clock: cancelled, or met when on time and breached when late (the breach is claimed,
    so the sweep never reports it a second time). Records `clock_met` or `clock_breached` (internal)."""
    if not clock.is_open:
        return clock
    clock.stopped_at = at
    if cancel:
        clock.status = CaseClock.Status.CANCELLED
        clock.save(update_fields=["status", "stopped_at"])
        return clock
    late = clock.breached_at is not None or (
        clock.status == Running and clock.due_at is not None and at > clock.due_at
    )
    if late:
        clock.status = CaseClock.Status.BREACHED
        claimed = CaseClock.objects.filter(pk=clock.pk, breached_at__isnull=True).update(breached_at=at)
        if claimed:
            clock.breached_at = at
            event_record(
                clock.case,
                CaseEvent.Kind.CLOCK_BREACHED,
                data={"metric": clock.metric, "on_stop": True},
                at=at,
            )
        clock.save(update_fields=["status", "stopped_at"])
    else:
        clock.status = CaseClock.Status.MET
        clock.met_at = at
        clock.save(update_fields=["status", "stopped_at", "met_at"])
        event_record(clock.case, CaseEvent.Kind.CLOCK_MET, data={"metric": clock.metric}, at=at)
    return clock


def clocks_stop(
    case: Case, *, at: dt.datetime, metrics: tuple[str, ...] | None = None, cancel: bool = False
) -> None:
    """Stop the case's open clocks (of `metrics`, or all), then refresh its next deadline."""
    clocks = CaseClock.objects.filter(case=case, status__in=OPEN).select_related("case")
    if metrics is not None:
        clocks = clocks.filter(metric__in=metrics)
    for clock in clocks:
        clock_stop(clock, at=at, cancel=cancel)
    case_deadline_refresh(case)


def clocks_pause(case: Case, *, at: dt.datetime) -> None:
    """Pause every running clock of the case (the customer has the ball). Records `clock_paused`."""
    for clock in CaseClock.objects.filter(case=case, status=Running):
        clock.status = Paused
        clock.paused_at = at
        clock.save(update_fields=["status", "paused_at"])
        event_record(case, CaseEvent.Kind.CLOCK_PAUSED, data={"metric": clock.metric}, at=at)
    case_deadline_refresh(case)


def clocks_resume(case: Case, *, at: dt.datetime, metrics: tuple[str, ...] | None = None) -> None:
    """Resume the case's paused clocks, crediting the pause back: the due time moves by the time paused,
    counted in each target's basis. Records `clock_resumed`."""
    paused = CaseClock.objects.filter(case=case, status=Paused)
    if metrics is not None:
        paused = paused.filter(metric__in=metrics)
    for clock in paused:
        assert clock.paused_at is not None  # noqa: S101 (set whenever the status is paused)
        calendar = arithmetic.calendar_for(case.team, _target_of(clock))
        credited = int(arithmetic.time_between(calendar, clock.paused_at, at, clock.target_basis))
        clock.paused_seconds += credited
        clock.paused_at = None
        clock.status = Running
        plan = arithmetic.schedule(
            calendar, start=clock.started_at, target=_target_of(clock), paused_seconds=clock.paused_seconds
        )
        clock.due_at, clock.warn_at = plan.due_at, plan.warn_at
        clock.save(update_fields=["status", "paused_at", "paused_seconds", "due_at", "warn_at"])
        event_record(
            case,
            CaseEvent.Kind.CLOCK_RESUMED,
            data={"metric": clock.metric, "credited_seconds": credited, "due_at": plan.due_at.isoformat()},
            at=at,
        )
    case_deadline_refresh(case)


def clocks_recompute(case: Case, *, at: dt.datetime) -> None:
    """Recompute the open clocks for the case's current kind, priority, service and channel.

    Each clock keeps its start and the time already paused; a warning not yet due is re-armed. A breach
    already recorded stays recorded. Records `clock_recomputed` for each clock whose deadline moved.
    """
    targets = arithmetic.targets_for(case, at=at)
    for clock in CaseClock.objects.filter(case=case, status__in=OPEN):
        target = targets.get(clock.metric)
        if target is None:
            continue
        calendar = arithmetic.calendar_for(case.team, target)
        plan = arithmetic.schedule(
            calendar, start=clock.started_at, target=target, paused_seconds=clock.paused_seconds
        )
        if plan.due_at == clock.due_at and target == _target_of(clock):
            continue
        previous = clock.due_at
        clock.target_amount, clock.target_unit, clock.target_basis = target.amount, target.unit, target.basis
        clock.target_source, clock.warn_at_share = target.source, target.warn_at_share
        clock.sla_policy_id, clock.sla_calendar_id = target.policy_id, target.calendar_id
        clock.due_at, clock.warn_at = plan.due_at, plan.warn_at
        if clock.warned_at is not None and plan.warn_at > at:
            clock.warned_at = None
        clock.save()
        event_record(
            case,
            CaseEvent.Kind.CLOCK_RECOMPUTED,
            data={
                "metric": clock.metric,
                "from": previous.isoformat() if previous else None,
                "to": plan.due_at.isoformat(),
            },
            at=at,
        )
    case_deadline_refresh(case)


# The sweep ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class SweepResult:
    warned: int = 0
    breached: int = 0


def _due_ids(column: str, claimed: str, at: dt.datetime, batch: int, failed: set[int]) -> list[int]:
    """Return up to `batch` due, unclaimed clocks, locking them (PostgreSQL: rows another worker holds are
    skipped, not waited for) for the rest of the batch's transaction."""
    rows = CaseClock.objects.filter(status=Running, **{f"{claimed}__isnull": True, f"{column}__lte": at})
    if failed:
        rows = rows.exclude(pk__in=failed)
    rows = rows.select_for_update(skip_locked=True).order_by(column)
    return list(rows.values_list("pk", flat=True)[:batch])


def _breach_actions(clock: CaseClock) -> set[str]:
    """Return what the policy behind the clock asks for on a breach (sla's breach actions)."""
    return arithmetic.breach_actions(_target_of(clock))


def _team_lead(case: Case) -> Any:
    if case.team_id is None:
        return None
    leads = TeamMembership.objects.filter(team_id=case.team_id, is_lead=True, user__is_active=True)
    if case.is_complaint:
        leads = leads.exclude(user__in=case.named_staff.all())
    membership = leads.select_related("user").order_by("user_id").first()
    return membership.user if membership is not None else None


def _claimable(clock_id: int) -> QuerySet[CaseClock]:
    # The running status is checked by the batch's locked select; repeating it here would let the planner pick
    # the sweep's partial index over the primary key when its statistics are stale (after a bulk load).
    return CaseClock.objects.filter(pk=clock_id)


def _warn(clock_id: int, at: dt.datetime) -> bool:
    with transaction.atomic():
        if not _claimable(clock_id).filter(warned_at__isnull=True).update(warned_at=at):
            return False
        clock = CaseClock.objects.select_related("case").get(pk=clock_id)
        if clock.status != Running:
            return False
        if clock.due_at is not None and clock.due_at <= at:
            return False  # already late: the breach says it, a warning would only be noise
        event = event_record(
            clock.case,
            CaseEvent.Kind.CLOCK_WARNED,
            data={"metric": clock.metric, "due_at": clock.due_at.isoformat() if clock.due_at else None},
            at=at,
        )
        notify_on_commit(
            CaseNotification(
                kind=CaseEvent.Kind.CLOCK_WARNED,
                case_id=clock.case_id,
                audience=Audience.HANDLER if clock.case.assignee_id else Audience.TEAM,
                event_id=event.pk,
                recipient_id=clock.case.assignee_id,
                is_internal=True,
            )
        )
        return True


def _breach(clock_id: int, at: dt.datetime) -> bool:
    with transaction.atomic():
        if not _claimable(clock_id).filter(breached_at__isnull=True).update(breached_at=at):
            return False
        clock = CaseClock.objects.select_related("case").get(pk=clock_id)
        if clock.status != Running:
            return False
        case = clock.case
        actions = _breach_actions(clock)
        data: dict[str, Any] = {
            "metric": clock.metric,
            "due_at": clock.due_at.isoformat() if clock.due_at else None,
        }
        changes: dict[str, Any] = {}
        if "raise_priority" in actions and case.priority != PRIORITY_ORDER[-1]:
            higher = PRIORITY_ORDER[PRIORITY_ORDER.index(case.priority) + 1]
            changes["priority"] = higher
            data["priority"] = {"from": case.priority, "to": higher}
        if "reassign_to_team_lead" in actions:
            lead = _team_lead(case)
            if lead is not None and lead.pk != case.assignee_id:
                changes["assignee"] = lead
                data["assignee"] = {"from": case.assignee_id, "to": lead.pk}
        if changes:
            # A breach changes the case: concurrent editors holding the old version get a conflict.
            Case.objects.filter(pk=case.pk).update(version=F("version") + 1, **changes)
            for name, value in changes.items():
                setattr(case, name, value)
        data["actions"] = sorted(actions)
        event = event_record(case, CaseEvent.Kind.CLOCK_BREACHED, data=data, at=at)
        audit_record(actor=None, action="cases.clock_breach", target=case, data=data, actor_label="sla-sweep")
        audiences = []
        if "notify_assignee" in actions:
            audiences.append(Audience.HANDLER if case.assignee_id else Audience.TEAM)
        if "notify_supervisor" in actions:
            audiences.append(Audience.SUPERVISOR)
        for audience in audiences:
            notify_on_commit(
                CaseNotification(
                    kind=CaseEvent.Kind.CLOCK_BREACHED,
                    case_id=case.pk,
                    audience=audience,
                    event_id=event.pk,
                    recipient_id=case.assignee_id if audience == Audience.HANDLER else None,
                    is_internal=True,
                )
            )
        return True


def case_clocks_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Warn the running clocks whose warning time has come and breach those past due, each exactly once.

    Selects due rows by the partial indexes on `warn_at` and `due_at`, a batch at a time in one transaction
    (on PostgreSQL locked with SKIP LOCKED, so concurrent workers share the work); each row is then claimed
    with a conditional UPDATE of `warned_at` / `breached_at`, so several workers (and a worker restarted
    halfway) never fire one warning or breach twice. A breach records its event, runs the policy's breach
    actions (raise the priority, reassign to the team lead) and notifies through the hook after the commit.
    A row that fails is logged and left for the next run; the others go on.
    """
    at = now or _now()
    batch = int(cases_setting("CHARTER_CASES_SWEEP_BATCH"))
    result = SweepResult()
    # Clocks already late when first swept get no warning (the breach says it): one set-based UPDATE.
    CaseClock.objects.filter(status=Running, warned_at__isnull=True, warn_at__lte=at, due_at__lte=at).update(
        warned_at=at
    )
    for column, claimed, handle in (("warn_at", "warned_at", _warn), ("due_at", "breached_at", _breach)):
        failed: set[int] = set()
        while True:
            with transaction.atomic():
                ids = _due_ids(column, claimed, at, batch, failed)
                for clock_id in ids:
                    try:
                        fired = handle(clock_id, at)
                    except Exception:
                        logger.exception("sla sweep: clock %s failed", clock_id)
                        failed.add(clock_id)
                        continue
                    if fired and handle is _warn:
                        result.warned += 1
                    elif fired:
                        result.breached += 1
            if len(ids) < batch:
                break
    if result.warned or result.breached:
        logger.info("sla sweep: %d warned, %d breached", result.warned, result.breached)
    return result
