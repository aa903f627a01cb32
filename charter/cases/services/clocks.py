"""Writes of the clocks: start, pause, resume, stop, recompute, and the sweep that warns and breaches.

Called by the case services inside their transactions (the helpers without a docstring-level `atomic`), and
by the periodic task (`case_clocks_sweep`).
"""

import dataclasses
import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Min

from charter.accounts.selectors import team_lead_list
from charter.audit.services import audit_batch, audit_record
from charter.cases import clocks as arithmetic
from charter.cases.conf import cases_setting
from charter.cases.models import PRIORITY_ORDER, Case, CaseClock, CaseEvent
from charter.cases.notifications import Audience, CaseNotification, notify_many_on_commit
from charter.cases.services._common import event_build, event_record
from charter.cases.services._common import now as _now
from charter.cases.services.routing import routable_user_ids

logger = logging.getLogger(__name__)

Running = CaseClock.Status.RUNNING
Paused = CaseClock.Status.PAUSED
OPEN = (Running, Paused)


def case_deadline_refresh(case: Case) -> dt.datetime | None:
    """Copy the earliest due time of the case's running clocks to `case.next_deadline_at` and return it."""
    running = CaseClock.objects.filter(case=case, status=Running)
    earliest: dt.datetime | None = running.aggregate(due=Min("due_at"))["due"]
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
        calendar = arithmetic.calendar_for(case.team, arithmetic.clock_target(clock))
        credited = int(arithmetic.time_between(calendar, clock.paused_at, at, clock.target_basis))
        clock.paused_seconds += credited
        clock.paused_at = None
        clock.status = Running
        plan = arithmetic.schedule(
            calendar,
            start=clock.started_at,
            target=arithmetic.clock_target(clock),
            paused_seconds=clock.paused_seconds,
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
    already recorded stays recorded. Records `clock_recomputed` for each clock whose deadline moved. A new
    service that promises a visit starts the on-site arrival clock (from the receipt); one that does not
    cancels it.
    """
    targets = arithmetic.targets_for(case, at=at)
    arrival = CaseClock.Metric.ON_SITE_ARRIVAL
    promised = CaseClock.objects.filter(case=case, metric=arrival).exclude(status=CaseClock.Status.CANCELLED)
    if arrival in targets and not promised.exists():
        # Now about a service whose charter promises a visit: the promise counts from the receipt.
        clock_start(case, arrival, at=case.received_at, targets=targets)
    for clock in CaseClock.objects.filter(case=case, status__in=OPEN):
        target = targets.get(clock.metric)
        if target is None:
            if clock.metric == arrival:
                clock_stop(clock, at=at, cancel=True)  # the service no longer promises a visit
            continue
        calendar = arithmetic.calendar_for(case.team, target)
        plan = arithmetic.schedule(
            calendar, start=clock.started_at, target=target, paused_seconds=clock.paused_seconds
        )
        if plan.due_at == clock.due_at and target == arithmetic.clock_target(clock):
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


def _due_ids(column: str, claimed: str, at: dt.datetime, batch: int, left: set[int]) -> list[int]:
    """Return up to `batch` due, unclaimed clocks, locking them (PostgreSQL: rows another worker holds are
    skipped, not waited for) for the rest of the batch's transaction; not those `left` for the next run."""
    rows = CaseClock.objects.filter(status=Running, **{f"{claimed}__isnull": True, f"{column}__lte": at})
    if left:
        rows = rows.exclude(pk__in=left)
    rows = rows.select_for_update(skip_locked=True).order_by(column)
    return list(rows.values_list("pk", flat=True)[:batch])


def _claim(ids: Sequence[int], column: str, at: dt.datetime) -> list[int]:
    """Set `column` to `at` on those of `ids` where it is still empty, and return the ids this call set.

    One conditional UPDATE … RETURNING (PostgreSQL, and SQLite since 3.35): of two sweeps that selected the
    same rows, each id comes back to exactly one of them. The ORM's update() returns only a count.
    """
    if not ids:
        return []
    quote = connection.ops.quote_name
    table, column_sql, pk = quote(CaseClock._meta.db_table), quote(column), quote(CaseClock._meta.pk.column)
    marks = ", ".join(["%s"] * len(ids))
    value = connection.ops.adapt_datetimefield_value(at)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column_sql} = %s WHERE {pk} IN ({marks}) AND {column_sql} IS NULL "  # noqa: S608 (names quoted, values bound)
            f"RETURNING {pk}",
            [value, *ids],
        )
        return [row[0] for row in cursor.fetchall()]


def _breach_actions(clock: CaseClock) -> set[str]:
    """Return what the policy behind the clock asks for on a breach (sla's breach actions)."""
    return arithmetic.breach_actions(arithmetic.clock_target(clock))


def _team_leads(cases: Sequence[Case]) -> dict[int, list[tuple[int, Any]]]:
    """Return, per team of `cases`, its active leads as (user id, user) in user-id order (one query)."""
    leads: dict[int, list[tuple[int, Any]]] = {}
    team_ids = {case.team_id for case in cases if case.team_id is not None}
    if not team_ids:
        return leads
    for membership in team_lead_list(team_ids=team_ids):
        leads.setdefault(membership.team_id, []).append((membership.user_id, membership.user))
    return leads


def _named_staff(cases: Sequence[Case]) -> dict[int, set[int]]:
    """Return, per complaint of `cases`, the ids of the staff it names (one query)."""
    complaints = [case.pk for case in cases if case.is_complaint]
    named: dict[int, set[int]] = {}
    if complaints:
        pairs = Case.named_staff.through.objects.filter(case_id__in=complaints)
        for case_id, user_id in pairs.values_list("case_id", "user_id"):
            named.setdefault(case_id, set()).add(user_id)
    return named


def _claimed_clocks(
    ids: Sequence[int], column: str, at: dt.datetime, cases: dict[int, Case] | None = None
) -> list[CaseClock]:
    """Claim `ids` for this sweep and return the claimed clocks that still run, with their cases; a clock
    that appears twice for one case (first response and resolution) shares one Case object, so the second
    breach sees what the first changed. `cases` are the cases already read (and locked) by the caller."""
    claimed = _claim(ids, column, at)
    rows = CaseClock.objects.filter(pk__in=claimed, status=Running).order_by(column, "pk")
    if cases is not None:
        clocks = list(rows)
        for clock in clocks:
            clock.case = cases[clock.case_id]
        return clocks
    clocks = list(rows.select_related("case"))
    known: dict[int, Case] = {}
    for clock in clocks:
        clock.case = known.setdefault(clock.case_id, clock.case)
    return clocks


def _warn(ids: Sequence[int], at: dt.datetime, left: set[int]) -> int:
    """Warn the clocks `ids` (claimed here, each once); return how many were warned. A warning changes no
    case, so no case is locked."""
    clocks = [
        clock
        for clock in _claimed_clocks(ids, "warned_at", at)
        # Already late: the breach says it, a warning would only be noise.
        if clock.due_at is None or clock.due_at > at
    ]
    events = CaseEvent.objects.bulk_create(
        [
            event_build(
                clock.case,
                CaseEvent.Kind.CLOCK_WARNED,
                data={"metric": clock.metric, "due_at": clock.due_at.isoformat() if clock.due_at else None},
                at=at,
            )
            for clock in clocks
        ]
    )
    notify_many_on_commit(
        [
            CaseNotification(
                kind=CaseEvent.Kind.CLOCK_WARNED,
                case_id=clock.case_id,
                audience=Audience.HANDLER if clock.case.assignee_id else Audience.TEAM,
                event_id=event.pk,
                recipient_id=clock.case.assignee_id,
                is_internal=True,
            )
            for clock, event in zip(clocks, events, strict=True)
        ]
    )
    return len(clocks)


def _breach(ids: Sequence[int], at: dt.datetime, left: set[int]) -> int:
    """Breach the clocks `ids` (claimed here, each once) and run their policies' breach actions; return how
    many were breached.

    The cases are locked first, and a case someone else is changing is skipped (its clocks are added to
    `left`, for the next run): the breach then computes its priority and handler from the case as it is,
    and the sweep never waits for a case while holding clock locks that the case's editor may need next.
    """
    pairs = list(CaseClock.objects.filter(pk__in=ids).values_list("pk", "case_id"))
    locked = {
        case.pk: case
        for case in Case.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk__in={case_id for _, case_id in pairs})
        .order_by("pk")
    }
    ready = [pk for pk, case_id in pairs if case_id in locked]
    left.update(set(ids) - set(ready))
    clocks = _claimed_clocks(ready, "breached_at", at, cases=locked)
    cases = list({clock.case_id: clock.case for clock in clocks}.values())
    by_policy: dict[int | None, set[str]] = {}  # the actions depend on the clock's policy only
    for clock in clocks:
        if clock.sla_policy_id not in by_policy:
            by_policy[clock.sla_policy_id] = _breach_actions(clock)
    leads = _team_leads(cases) if any("reassign_to_team_lead" in a for a in by_policy.values()) else {}
    named = _named_staff(cases) if leads else {}
    # A lead takes the case only if he holds the qualifications it needs, as routing requires of anyone.
    qualified = (
        routable_user_ids(cases=cases, user_ids={pk for team in leads.values() for pk, _ in team}, at=at)
        if leads
        else {}
    )
    changed: dict[int, dict[str, Any]] = {}
    breaches: list[tuple[CaseClock, set[str], dict[str, Any]]] = []
    for clock in clocks:
        case = clock.case
        actions = by_policy[clock.sla_policy_id]
        data: dict[str, Any] = {
            "metric": clock.metric,
            "due_at": clock.due_at.isoformat() if clock.due_at else None,
        }
        if "raise_priority" in actions and case.priority != PRIORITY_ORDER[-1]:
            higher = PRIORITY_ORDER[PRIORITY_ORDER.index(case.priority) + 1]
            data["priority"] = {"from": case.priority, "to": higher}
            changed.setdefault(case.pk, {})["priority"] = case.priority = higher
        if "reassign_to_team_lead" in actions:
            excluded = named.get(case.pk, set())
            lead = next(
                (
                    user
                    for pk, user in leads.get(case.team_id or 0, [])
                    if pk not in excluded and pk in qualified.get(case.pk, set())
                ),
                None,
            )
            if lead is not None and lead.pk != case.assignee_id:
                data["assignee"] = {"from": case.assignee_id, "to": lead.pk}
                changed.setdefault(case.pk, {})["assignee"] = case.assignee = lead
        data["actions"] = sorted(actions)
        breaches.append((clock, actions, data))
    # A breach changes the case: concurrent editors holding the old version get a conflict. Cases given the
    # same changes are updated together.
    alike: dict[tuple[tuple[str, Any], ...], list[int]] = {}
    for case_id, changes in changed.items():
        alike.setdefault(tuple(sorted(changes.items(), key=lambda item: item[0])), []).append(case_id)
    for changes_alike, pks in alike.items():
        Case.objects.filter(pk__in=pks).update(version=F("version") + 1, **dict(changes_alike))
    breached = CaseEvent.Kind.CLOCK_BREACHED
    events = CaseEvent.objects.bulk_create(
        [event_build(clock.case, breached, data=data, at=at) for clock, _, data in breaches]
    )
    notifications = []
    with audit_batch():
        for (clock, actions, data), event in zip(breaches, events, strict=True):
            case = clock.case
            audit_record(
                actor=None, action="cases.clock_breach", target=case, data=data, actor_label="sla-sweep"
            )
            audiences = []
            if "notify_assignee" in actions:
                audiences.append(Audience.HANDLER if case.assignee_id else Audience.TEAM)
            if "notify_supervisor" in actions:
                audiences.append(Audience.SUPERVISOR)
            notifications += [
                CaseNotification(
                    kind=CaseEvent.Kind.CLOCK_BREACHED,
                    case_id=case.pk,
                    audience=audience,
                    event_id=event.pk,
                    recipient_id=case.assignee_id if audience == Audience.HANDLER else None,
                    is_internal=True,
                )
                for audience in audiences
            ]
    notify_many_on_commit(notifications)
    return len(breaches)


def _fire(handle: Any, ids: list[int], at: dt.datetime, left: set[int]) -> int:
    """Run `handle` over the batch `ids` in a savepoint; when the batch fails, run it one clock at a time
    so that only the clocks that fail are left (logged, in `left`) for the next run."""
    try:
        with transaction.atomic():
            return int(handle(ids, at, left))
    except Exception:
        if len(ids) == 1:
            logger.exception("sla sweep: clock %s failed", ids[0])
            left.add(ids[0])
            return 0
    return sum(_fire(handle, [clock_id], at, left) for clock_id in ids)


def case_clocks_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Warn the running clocks whose warning time has come and breach those past due, each exactly once.

    Selects due rows by the partial indexes on `warn_at` and `due_at`, a batch at a time in one transaction
    (on PostgreSQL locked with SKIP LOCKED, so concurrent workers share the work); the batch is then claimed
    with one conditional UPDATE of `warned_at` / `breached_at` that returns the rows it set, so several
    workers (and a worker restarted halfway) never fire one warning or breach twice. A batch's events,
    notifications and audit entries are written a statement each. A breach records its event, runs the
    policy's breach actions (raise the priority, reassign to the team lead) and notifies after the commit.
    A clock that fails is logged and left for the next run; the others go on.
    """
    at = now or _now()
    batch = int(cases_setting("CHARTER_CASES_SWEEP_BATCH"))
    result = SweepResult()
    # Clocks already late when first swept get no warning (the breach says it): one set-based UPDATE.
    CaseClock.objects.filter(status=Running, warned_at__isnull=True, warn_at__lte=at, due_at__lte=at).update(
        warned_at=at
    )
    for column, claimed, handle in (("warn_at", "warned_at", _warn), ("due_at", "breached_at", _breach)):
        left: set[int] = set()  # failed, or their case busy: for the next run
        while True:
            with transaction.atomic():
                ids = _due_ids(column, claimed, at, batch, left)
                fired = _fire(handle, ids, at, left) if ids else 0
            if handle is _warn:
                result.warned += fired
            else:
                result.breached += fired
            if len(ids) < batch:
                break
    if result.warned or result.breached:
        logger.info("sla sweep: %d warned, %d breached", result.warned, result.breached)
    return result
