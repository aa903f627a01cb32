"""Reads of the SLA app: a team's calendar as pure data for the arithmetic, and the targets of a case.

The cases app calls `calendar_for_team` and `sla_targets_for` to set its clocks, then computes deadlines with
`charter.sla.deadlines`.
"""

import contextlib
import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, QuerySet

from charter.accounts.models import OrgUnit, Team
from charter.catalog.models import Service, ServiceCommitment
from charter.catalog.selectors import commitment_list_for_service, commitment_pick
from charter.common.stamps import StampedCache, stamps_pinned
from charter.common.vocabulary import CaseKind
from charter.sla.deadlines import Calendar, is_working_day, working_intervals
from charter.sla.models import (
    BusinessCalendar,
    CalendarDay,
    Metric,
    SlaCalendarAssignment,
    SlaPolicy,
    SlaPolicyTarget,
    WorkingInterval,
)

OFFICE_HOURS = ((dt.time(9), dt.time(12)), (dt.time(13, 30), dt.time(17, 30)))
# Used when the installation has no default calendar yet: Monday to Friday, 09:00-12:00 and 13:30-17:30.
BUILT_IN_CALENDAR = Calendar("Asia/Shanghai", dict.fromkeys(range(5), OFFICE_HOURS))
DEFAULT_WARN_AT_SHARE = Decimal("0.75")
# The metrics a case is timed on; on-site arrival only when the charter promises one.
POLICY_METRICS = (Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE, Metric.RESOLUTION)
COMMITMENT_METRICS = (*POLICY_METRICS, Metric.ON_SITE_ARRIVAL)
# The catalogue names a service request "request"; the cases app and the policies "service_request".
_CATALOG_KIND = {CaseKind.SERVICE_REQUEST.value: ServiceCommitment.CaseKind.REQUEST.value}

_cache: dict[tuple[int, int, dt.datetime | None], Calendar] = {}
_cache_lock = threading.Lock()
_CACHE_SIZE = 256


# Calendars ----------------------------------------------------------------------------------------------


def parse_day_intervals(raw: object) -> tuple[tuple[dt.time, dt.time], ...]:
    """Return a CalendarDay's stored intervals ([["09:00", "12:00"], …]) as time pairs.

    Raises ValueError for anything else; an end of "24:00" is read as 00:00 (midnight at the end).
    """
    if not isinstance(raw, list):
        raise ValueError("intervals must be a list of [start, end] pairs")
    pairs = []
    for item in raw:
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise ValueError("each interval is a [start, end] pair")
        start, end = (_parse_time(str(value)) for value in item)
        pairs.append((start, end))
    return tuple(pairs)


def _parse_time(value: str) -> dt.time:
    if value.strip() == "24:00":
        return dt.time(0)
    return dt.time.fromisoformat(value.strip())


def calendar_weekly_intervals(
    *, intervals: Sequence[WorkingInterval]
) -> dict[int, tuple[tuple[dt.time, dt.time], ...]]:
    """Group a calendar's interval rows by weekday, each day's in order."""
    weekly: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for interval in sorted(intervals, key=lambda i: (i.weekday, i.start)):
        weekly.setdefault(interval.weekday, []).append((interval.start, interval.end))
    return {weekday: tuple(pairs) for weekday, pairs in weekly.items()}


def default_workday_intervals(
    weekly: dict[int, tuple[tuple[dt.time, dt.time], ...]],
) -> tuple[tuple[dt.time, dt.time], ...]:
    """The hours of a make-up working day without hours of its own: Monday's, else the first working day's."""
    for weekday in range(7):
        if weekly.get(weekday):
            return weekly[weekday]
    return ()


def _build(calendar: BusinessCalendar) -> Calendar:
    rows = BusinessCalendar.objects.prefetch_related("intervals", "days").get(pk=calendar.pk)
    weekly = calendar_weekly_intervals(intervals=list(rows.intervals.all()))
    fallback = default_workday_intervals(weekly)
    holidays = set()
    extra: dict[dt.date, tuple[tuple[dt.time, dt.time], ...]] = {}
    for day in rows.days.all():
        if day.kind == CalendarDay.Kind.HOLIDAY:
            holidays.add(day.date)
        else:
            own = parse_day_intervals(day.intervals or [])
            if own or fallback:
                extra[day.date] = own or fallback
    return Calendar(
        time_zone=rows.time_zone,
        weekly=weekly,
        holidays=frozenset(holidays),
        extra_workdays=extra,
        always_open=rows.is_24x7,
    )


def calendar_as_pure(calendar: BusinessCalendar) -> Calendar:
    """Return `calendar` with its intervals and days as a `deadlines.Calendar`.

    Cached per process by id, version and last change, so an edit made through the services takes effect on
    the next call everywhere. Loads the rows again (two queries) on a miss.
    """
    key = (calendar.pk, calendar.version, calendar.updated_at)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    pure = _build(calendar)
    with _cache_lock:
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        _cache[key] = pure
    return pure


def business_calendar_default() -> BusinessCalendar | None:
    """Return the installation's default calendar, or None when none is marked default."""
    return BusinessCalendar.objects.filter(is_default=True).first()


def business_calendar_for_unit(*, unit: OrgUnit | None) -> BusinessCalendar | None:
    """Return the calendar of `unit` or its nearest ancestor with one, else the default calendar or None."""
    if unit is not None:
        ancestor_ids = [int(part) for part in unit.path.strip("/").split("/") if part]
        assignments = {
            assignment.unit_id: assignment.calendar
            for assignment in SlaCalendarAssignment.objects.filter(unit_id__in=ancestor_ids).select_related(
                "calendar"
            )
        }
        for unit_id in reversed(ancestor_ids):
            if unit_id in assignments:
                return assignments[unit_id]
    return business_calendar_default()


def business_calendar_for_team(*, team: Team | None) -> BusinessCalendar | None:
    """Return the calendar model a team works in (see `business_calendar_for_unit`), or None."""
    return business_calendar_for_unit(unit=team.unit if team is not None else None)


def calendar_for_team(*, team: Team | None) -> Calendar:
    """Return the calendar `team` works in, ready for the deadline arithmetic.

    The calendar assigned to the team's unit or its nearest ancestor wins; else the installation's default
    calendar; else the built-in Monday-to-Friday 09:00-12:00, 13:30-17:30 Asia/Shanghai calendar. `None`
    (no team yet) gets the default. Reads the configuration through the per-process snapshot (one query
    while it is current, plus the team's unit unless it is loaded).
    """
    snapshot = _snapshot()
    calendar_id = snapshot.calendar_id_for_unit(team.unit if team is not None else None)
    return snapshot.calendar(calendar_id) if calendar_id is not None else BUILT_IN_CALENDAR


def calendar_for_target(*, team: Team | None, target: "Target") -> Calendar:
    """Return the calendar to count `target` in: its policy's own calendar if any, else the team's."""
    if target.calendar_id is not None:
        snapshot = _snapshot()
        if target.calendar_id in snapshot.calendars:
            return snapshot.calendar(target.calendar_id)
    return calendar_for_team(team=team)


# The configuration snapshot -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    """An active policy as the target lookup needs it (see SlaPolicy.matches)."""

    pk: int
    case_kinds: frozenset[str]
    priorities: frozenset[str]
    channels: frozenset[str]
    customer_groups: frozenset[str]
    service_ids: frozenset[int]
    calendar_id: int | None
    warn_at_share: Decimal
    targets: tuple[SlaPolicyTarget, ...]

    def matches(
        self, *, kind: str, priority: str, service_id: int | None, channel: str, customer_group: str
    ) -> bool:
        return (
            (not self.case_kinds or kind in self.case_kinds)
            and (not self.priorities or priority in self.priorities)
            and (not self.channels or channel in self.channels)
            and (not self.customer_groups or customer_group in self.customer_groups)
            and (not self.service_ids or service_id in self.service_ids)
        )


@dataclass
class _Snapshot:
    """The SLA configuration the clocks need, as of one value of the change stamp (SLA_CONFIG)."""

    rules: tuple[_Rule, ...]
    calendars: dict[int, BusinessCalendar]
    assignments: dict[int, int]
    default_calendar_id: int | None
    pure: dict[int, Calendar]

    def calendar_id_for_unit(self, unit: OrgUnit | None) -> int | None:
        """The calendar of `unit` or its nearest ancestor with one, else the default (see
        business_calendar_for_unit)."""
        if unit is not None:
            for part in reversed(unit.path.strip("/").split("/")):
                if part and int(part) in self.assignments:
                    return self.assignments[int(part)]
        return self.default_calendar_id

    def calendar(self, pk: int) -> Calendar:
        pure = self.pure.get(pk)
        if pure is None:
            pure = self.pure[pk] = _build(self.calendars[pk])
        return pure


def _snapshot_load() -> _Snapshot:
    policies = list(
        SlaPolicy.objects.filter(is_active=True)
        .prefetch_related(
            Prefetch("services", queryset=Service.objects.only("pk")),
            Prefetch("targets", queryset=SlaPolicyTarget.objects.order_by("metric", "pk")),
        )
        .order_by("ordering", "pk")
    )
    rules = tuple(
        _Rule(
            pk=policy.pk,
            case_kinds=frozenset(policy.case_kinds or ()),
            priorities=frozenset(policy.priorities or ()),
            channels=frozenset(policy.channels or ()),
            customer_groups=frozenset(policy.customer_groups or ()),
            service_ids=frozenset(service.pk for service in policy.services.all()),
            calendar_id=policy.calendar_id,
            warn_at_share=policy.warn_at_share,
            targets=tuple(policy.targets.all()),
        )
        for policy in policies
    )
    calendars = {calendar.pk: calendar for calendar in BusinessCalendar.objects.all()}
    default = next((calendar.pk for calendar in calendars.values() if calendar.is_default), None)
    assignments = dict(SlaCalendarAssignment.objects.values_list("unit_id", "calendar_id"))
    return _Snapshot(rules, calendars, assignments, default, {})


# The SLA configuration the clocks need, cached per process while the `sla` change stamp stays: one query
# (the stamp) when nothing changed; on a change, the policies, targets, services, calendars and assignments
# are read again, and each calendar's hours and days when first needed.
SLA_CONFIG: StampedCache[_Snapshot] = StampedCache("sla", _snapshot_load)


def sla_config_pinned() -> contextlib.AbstractContextManager[None]:
    """Read the SLA configuration once for the block: the targets and calendars looked up inside it (one
    new case's, say) come from that one reading instead of checking the change stamp each time."""
    return stamps_pinned(SLA_CONFIG)


def _snapshot() -> _Snapshot:
    """The SLA configuration (see SLA_CONFIG); inside `sla_config_pinned`, the block's reading."""
    return SLA_CONFIG.get()


def business_calendar_list() -> QuerySet[BusinessCalendar]:
    """Return every calendar, the default first, with its intervals and assigned units."""
    return BusinessCalendar.objects.prefetch_related(
        "intervals", Prefetch("assignments", queryset=SlaCalendarAssignment.objects.select_related("unit"))
    ).order_by("-is_default", "code")


def business_calendar_get(*, pk: int) -> BusinessCalendar | None:
    """Return the calendar `pk` with its intervals and assignments, or None."""
    return business_calendar_list().filter(pk=pk).first()


def calendar_day_list(
    *, calendar: BusinessCalendar, year: int | None = None, month: int | None = None
) -> QuerySet[CalendarDay]:
    """Return the dated exceptions of `calendar` in date order, narrowed to a year (and month) if given."""
    days = CalendarDay.objects.filter(calendar=calendar).order_by("date")
    if year is not None:
        days = days.filter(date__year=year)
        if month is not None:
            days = days.filter(date__month=month)
    return days


def calendar_assignment_list(*, calendar: BusinessCalendar | None = None) -> QuerySet[SlaCalendarAssignment]:
    """Return the assignments of units to calendars (of one calendar if given), in tree order."""
    assignments = SlaCalendarAssignment.objects.select_related("unit", "calendar").order_by("unit__path")
    if calendar is not None:
        assignments = assignments.filter(calendar=calendar)
    return assignments


# Targets ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One promised time limit for a case, and where it comes from.

    `source` is "commitment:<id>" (the charter's published commitment) or "policy:<id>". `policy_id` is the
    policy whose warning share and breach actions apply (the one that set the target, or for a commitment the
    first matching policy; None when no policy matches). `calendar_id` names the policy's own calendar when
    it set the target and has one (see `calendar_for_target`); None means the team's calendar.
    """

    metric: str
    amount: int
    unit: str
    basis: str
    source: str
    warn_at_share: Decimal
    policy_id: int | None = None
    calendar_id: int | None = None


def sla_policy_list(*, is_active_only: bool = False) -> QuerySet[SlaPolicy]:
    """Return the policies in the order they are tried, with targets, services and calendar loaded."""
    policies = (
        SlaPolicy.objects.select_related("calendar")
        .prefetch_related(
            "services", Prefetch("targets", queryset=SlaPolicyTarget.objects.order_by("metric", "pk"))
        )
        .order_by("ordering", "pk")
    )
    if is_active_only:
        policies = policies.filter(is_active=True)
    return policies


def sla_policy_get(*, pk: int) -> SlaPolicy | None:
    """Return policy `pk` with its targets, services and calendar, or None."""
    return sla_policy_list().filter(pk=pk).first()


def sla_policy_matching(
    *, kind: str, priority: str, service: Service | None, channel: str, customer_group: str = ""
) -> list[SlaPolicy]:
    """Return the active policies whose conditions a case meets, in the order they are tried."""
    service_id = service.pk if service is not None else None
    return [
        policy
        for policy in sla_policy_list(is_active_only=True)
        if policy.matches(
            kind=kind,
            priority=priority,
            service_id=service_id,
            channel=channel,
            customer_group=customer_group,
        )
    ]


def sla_targets_for(
    *,
    kind: str,
    priority: str,
    service: Service | None,
    channel: str,
    customer_group: str = "",
    at: dt.datetime,
) -> list[Target]:
    """Return one target per metric for a case of this kind, priority, service, channel and group at `at`.

    For each metric, the charter's commitment in force at `at` for the service (the most specific one for the
    kind and priority, see catalog `commitment_find`) wins: the public promise and the clock are one number.
    Otherwise the first active policy, in order, whose conditions match and which sets that metric supplies
    it. A commitment's warning share and breach actions are the first matching policy's (else 0.75 and notify
    only) and it counts in the team's calendar. Metrics without either are
    left out; on-site arrival comes from commitments only. Results follow the order of COMMITMENT_METRICS.
    """
    service_id = service.pk if service is not None else None
    policies = [
        rule
        for rule in _snapshot().rules
        if rule.matches(
            kind=kind,
            priority=priority,
            service_id=service_id,
            channel=channel,
            customer_group=customer_group,
        )
    ]
    first_share = policies[0].warn_at_share if policies else DEFAULT_WARN_AT_SHARE
    first_policy = policies[0].pk if policies else None
    catalog_kind = _CATALOG_KIND.get(kind, kind)
    # The version in force and its commitments are read once for every metric.
    commitments = list(commitment_list_for_service(service=service, at=at)) if service is not None else []
    targets: list[Target] = []
    for metric in COMMITMENT_METRICS:
        commitment = commitment_pick(commitments, metric=metric, case_kind=catalog_kind, priority=priority)
        if commitment is not None:
            targets.append(
                Target(
                    metric=str(metric),
                    amount=commitment.target_amount,
                    unit=commitment.target_unit,
                    basis=commitment.time_basis,
                    source=f"commitment:{commitment.pk}",
                    warn_at_share=first_share,
                    policy_id=first_policy,
                )
            )
            continue
        if metric not in POLICY_METRICS:
            continue
        for policy in policies:
            target = next((t for t in policy.targets if t.metric == metric), None)
            if target is not None:
                targets.append(
                    Target(
                        metric=str(metric),
                        amount=target.amount,
                        unit=target.unit,
                        basis=target.basis,
                        source=f"policy:{policy.pk}",
                        warn_at_share=policy.warn_at_share,
                        policy_id=policy.pk,
                        calendar_id=policy.calendar_id,
                    )
                )
                break
    return targets


@dataclass(frozen=True)
class BreachActions:
    """What to do when a target is missed; the cases app carries it out."""

    notify_assignee: bool = True
    notify_supervisor: bool = True
    raise_priority: bool = False
    reassign_to_team_lead: bool = False


def sla_breach_actions(*, target: Target) -> BreachActions:
    """Return the breach actions for `target`: its policy's (see Target.policy_id), else notify only."""
    if target.policy_id is None:
        return BreachActions()
    policy = SlaPolicy.objects.filter(pk=target.policy_id).first()
    if policy is None:
        return BreachActions()
    return BreachActions(
        notify_assignee=policy.notify_assignee,
        notify_supervisor=policy.notify_supervisor,
        raise_priority=policy.raise_priority,
        reassign_to_team_lead=policy.reassign_to_team_lead,
    )


# The desk's month view ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthCell:
    """One date of a month view: whether it works, why, and its hours in the calendar's local time."""

    date: dt.date
    is_working: bool
    entry: CalendarDay | None
    hours: tuple[tuple[dt.time, dt.time], ...]

    @property
    def is_weekend(self) -> bool:
        return self.date.weekday() >= 5


def calendar_month(*, calendar: BusinessCalendar, year: int, month: int) -> list[list[MonthCell | None]]:
    """Return the weeks (Monday first) of a month of `calendar`; days outside the month are None."""
    pure = calendar_as_pure(calendar)
    zone = ZoneInfo(pure.time_zone)
    entries = {day.date: day for day in calendar_day_list(calendar=calendar, year=year, month=month)}
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    weeks: list[list[MonthCell | None]] = []
    week: list[MonthCell | None] = [None] * first.weekday()
    day = first
    while day < following:
        hours = tuple(
            (start.astimezone(zone).time(), end.astimezone(zone).time())
            for start, end in working_intervals(pure, day)
        )
        week.append(MonthCell(day, is_working_day(pure, day), entries.get(day), hours))
        if len(week) == 7:
            weeks.append(week)
            week = []
        day += dt.timedelta(days=1)
    if week:
        weeks.append(week + [None] * (7 - len(week)))
    return weeks
