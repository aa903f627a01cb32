"""The arithmetic of a case's clocks, done with sla's calendars, targets and deadline functions.

This module reads sla and computes; it writes nothing (the services in `services/clocks.py` do). Times are
aware datetimes in UTC. A clock's `due_at` is the target's deadline from `started_at` in its calendar (the
policy's own, else the team's), pushed back by the time it spent paused (`paused_seconds`, counted in the
target's own basis: business time for working-time targets, wall time for calendar-time targets).
"""

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.dateformat import format as date_format

from charter.cases.conf import cases_setting
from charter.sla import deadlines
from charter.sla import selectors as sla

if TYPE_CHECKING:
    from charter.accounts.models import Team
    from charter.cases.models import Case, CaseClock

WORKING_TIME = "working_time"
CALENDAR_TIME = "calendar_time"
Calendar = deadlines.Calendar


@dataclasses.dataclass(frozen=True)
class ClockTarget:
    """What a clock must achieve: `amount` `unit` counted in `basis`, where that came from, and the policy
    (warning share, breach actions) and calendar that go with it."""

    metric: str
    amount: int
    unit: str
    basis: str
    source: str = ""
    warn_at_share: Decimal = Decimal("0.75")
    policy_id: int | None = None
    calendar_id: int | None = None

    def as_sla(self) -> sla.Target:
        return sla.Target(
            metric=self.metric,
            amount=self.amount,
            unit=self.unit,
            basis=self.basis,
            source=self.source,
            warn_at_share=self.warn_at_share,
            policy_id=self.policy_id,
            calendar_id=self.calendar_id,
        )


def clock_target(clock: "CaseClock") -> ClockTarget:
    """Return the target a clock was started with, as recorded on its row."""
    return ClockTarget(
        metric=clock.metric,
        amount=clock.target_amount,
        unit=clock.target_unit,
        basis=clock.target_basis,
        source=clock.target_source,
        warn_at_share=clock.warn_at_share,
        policy_id=clock.sla_policy_id,
        calendar_id=clock.sla_calendar_id,
    )


def calendar_for(team: "Team | None", target: ClockTarget | None = None) -> Calendar:
    """Return the calendar a clock counts in: the target's policy calendar if it has one, else the team's
    (the installation's default for a case without a team)."""
    if target is not None and target.calendar_id is not None:
        return sla.calendar_for_target(team=team, target=target.as_sla())
    return sla.calendar_for_team(team=team)


def _warn_share(value: object) -> Decimal:
    fallback = Decimal(str(cases_setting("CHARTER_CASES_WARN_AT_SHARE")))
    if value is None or value == "":
        return fallback
    share = Decimal(str(value))
    return share if Decimal(0) < share < Decimal(1) else fallback


def _fallback(metric: str) -> ClockTarget | None:
    if metric == "reconsideration":
        amount, unit, basis = cases_setting("CHARTER_CASES_RECONSIDERATION_TARGET")
    else:
        spec = cases_setting("CHARTER_CASES_FALLBACK_TARGETS").get(metric)
        if spec is None:
            return None
        amount, unit, basis = spec
    return ClockTarget(metric, int(amount), str(unit), str(basis), "settings", _warn_share(None))


def targets_for(case: "Case", *, at: dt.datetime) -> dict[str, ClockTarget]:
    """Return the targets that apply to `case` at `at`, one per metric.

    Targets come from sla (the charter's commitment for the service first, else the first matching policy);
    a first-response, next-update, resolution or reconsideration target missing there comes from the
    CHARTER_CASES_* settings.
    """
    found: dict[str, ClockTarget] = {}
    for target in sla.sla_targets_for(
        kind=case.kind,
        priority=case.priority,
        service=case.service,
        channel=case.channel,
        customer_group="",
        at=at,
    ):
        if target.metric in found:
            continue
        found[target.metric] = ClockTarget(
            metric=target.metric,
            amount=int(target.amount),
            unit=target.unit,
            basis=target.basis,
            source=target.source[:100],
            warn_at_share=_warn_share(target.warn_at_share),
            policy_id=target.policy_id,
            calendar_id=target.calendar_id,
        )
    for metric in ("first_response", "next_response", "resolution", "reconsideration"):
        if metric not in found:
            fallback = _fallback(metric)
            if fallback is not None:
                found[metric] = fallback
    return found


def breach_actions(target: ClockTarget) -> set[str]:
    """Return the names of the breach actions the target's policy asks for."""
    actions = sla.sla_breach_actions(target=target.as_sla())
    return {field.name for field in dataclasses.fields(actions) if getattr(actions, field.name)}


def add_time(calendar: Calendar, start: dt.datetime, seconds: float, basis: str) -> dt.datetime:
    """Return `start` plus `seconds` of the basis's time (business time for working-time targets)."""
    if seconds <= 0:
        return start
    if basis != WORKING_TIME:
        return start + dt.timedelta(seconds=seconds)
    return deadlines.add_business_time(calendar, start, dt.timedelta(seconds=seconds))


def time_between(calendar: Calendar, start: dt.datetime, end: dt.datetime, basis: str) -> float:
    """Return the seconds of the basis's time between `start` and `end` (0 when end is not after start)."""
    if end <= start:
        return 0.0
    if basis != WORKING_TIME:
        return (end - start).total_seconds()
    return deadlines.business_time_between(calendar, start, end).total_seconds()


@dataclasses.dataclass(frozen=True)
class Schedule:
    due_at: dt.datetime
    warn_at: dt.datetime


def schedule(calendar: Calendar, *, start: dt.datetime, target: ClockTarget, paused_seconds: int) -> Schedule:
    """Return when a clock started at `start` with `paused_seconds` credited is due, and when it warns.

    The due time is the target's deadline pushed back by the pauses; the warning comes once
    `warn_at_share` of the target's own length has been used (pauses not counted).
    """
    base = deadlines.deadline_for(calendar, start, amount=target.amount, unit=target.unit, basis=target.basis)
    due = add_time(calendar, base, paused_seconds, target.basis)
    length = time_between(calendar, start, base, target.basis)
    warn = add_time(calendar, start, length * float(target.warn_at_share) + paused_seconds, target.basis)
    return Schedule(due_at=due, warn_at=min(warn, due))


@dataclasses.dataclass(frozen=True)
class TimeLeft:
    """How long until a deadline (or how long past it), counted in the clock's basis and read out in days,
    hours and minutes (seconds cut). A day is the calendar's usual working day for working time, 24 hours
    for calendar time."""

    is_overdue: bool
    basis: str
    days: int
    hours: int
    minutes: int

    @property
    def is_under_a_minute(self) -> bool:
        return not (self.days or self.hours or self.minutes)


def time_left(calendar: Calendar, *, now: dt.datetime, due: dt.datetime, basis: str) -> TimeLeft:
    """Return the time from `now` to `due` (or, once `due` has passed, from `due` to `now`) in `basis`.

    Working time counts only the calendar's working hours, so a deadline passed at 17:30 is overdue by no
    working time until the next morning; calendar time counts every hour.
    """
    is_overdue = due <= now
    start, end = (due, now) if is_overdue else (now, due)
    seconds = time_between(calendar, start, end, basis)
    span = dt.timedelta(seconds=int(seconds) // 60 * 60)
    if basis == WORKING_TIME:
        days, rest = deadlines.split_working_days(calendar, span)
    else:
        days, rest = span.days, span - dt.timedelta(days=span.days)
    minutes = int(rest.total_seconds()) // 60
    return TimeLeft(
        is_overdue, WORKING_TIME if basis == WORKING_TIME else CALENDAR_TIME, days, *divmod(minutes, 60)
    )


def clock_time_left(
    team: "Team | None", *, due: dt.datetime, basis: str, calendar_id: int | None, now: dt.datetime
) -> TimeLeft:
    """Return the time left until a clock's `due` (or past it) in the calendar the clock counts in: its
    policy's calendar (`calendar_id`) if it has one, else the team's."""
    target = ClockTarget(metric="", amount=0, unit="hours", basis=basis, calendar_id=calendar_id)
    return time_left(calendar_for(team, target), now=now, due=due, basis=basis)


def deadline_text(value: "dt.datetime | None", zone: dt.tzinfo, date_pattern: str = "Y-m-d") -> str:
    """Return a deadline as people read it in `zone`: "2026-12-07 17:30"; one at local midnight reads as 24:00
    of the day it ends ("2026-12-07 24:00", not "2026-12-08 00:00"). Pages and mails both write deadlines so.
    """
    if value is None:
        return ""
    day, hour, minute = deadlines.wall_clock(value, zone)
    return f"{date_format(day, date_pattern)} {hour:02d}:{minute:02d}"
