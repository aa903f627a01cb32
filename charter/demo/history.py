"""The demo's history: the five months before this one of cases handled, promises kept or missed, and the
customers' ratings (with the live demo cases of this month, half a year of work).

The public service pages publish the last full month's and the last full quarter's figures, so a fresh demo
needs months behind it. Every service gets its own volume, pace and satisfaction (`history_stories`), so that
no two services publish the same figures, and in every published period a few promises are missed wherever
there are enough cases to publish a share (compliance between 80 and 99 %, not a made-up 100 %).

Nothing is written around the services: each case is received, answered, visited, resolved, rated, followed
up and closed through the real services (clocks, events, attribution and audit as in real use). The services
stamp the time it is now, so the case is moved back in time before each step, to where that step belongs:
the step stamps the planned moment, and everything the case did before stays where it was. Its clocks are
planned in the calendar of the day it was received (working hours, weekends, holidays), so whether a
promise was kept is decided by the clock itself, as in real use. Audit events keep the time they were
written: the audit chain is never rewritten.

The plan is made first for all cases (reproducible: one seeded generator), then the cases are made in the
order they were received, so their numbers follow their dates.
"""

import calendar
import dataclasses
import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connection, models
from django.db.models import F
from django.db.models.sql import UpdateQuery
from django.utils import timezone

from charter.accounts.models import Customer, Team, User
from charter.accounts.services import customer_create
from charter.cases import clocks as arithmetic
from charter.cases.models import (
    Case,
    CaseCategory,
    CaseClock,
    CaseEvent,
    CaseMessage,
    NotificationJob,
)
from charter.cases.services import (
    case_arrival_record,
    case_close_expired,
    case_create,
    case_reply,
    case_resolve,
)
from charter.cases.services.clocks import case_deadline_refresh
from charter.cases.services.routing import team_route
from charter.catalog.models import Service
from charter.demo.history_stories import (
    FIRST,
    NAMES_EN,
    NAMES_ZH,
    NEXT,
    NPS_FOR,
    ON_SITE,
    PHONE,
    PROFILES,
    RECOVERY_OUTCOME,
    RESOLUTION,
    SATISFIED_SCORES,
    UNSATISFIED_SCORES,
    WALK_IN,
    Profile,
    Story,
    Stream,
)
from charter.mail.models import OutboundMessage
from charter.surveys.invitations import invitation_for_case
from charter.surveys.models import Invitation, Question, RecoveryTask, Response, SurveyVersion
from charter.surveys.responses import recovery_update, response_submit

MARKER = "【示例历史】"
# Full calendar months of history before the current one: whatever the day, they hold the last full quarter
# (it starts at most five months back) and the last full month.
MONTHS = 5
SEED = 2026

COMMITMENT_PREFIX = "commitment:"
MONTHS_EN = tuple(calendar.month_name)


# Moving rows in time -------------------------------------------------------------------------------------


# Compiled once with stand-in values, run many times with the real ones: compiling an UPDATE of every date
# column through the ORM costs more than the services' own writes for a step of a case.
_STAND_IN_ID = -987_654
_STAND_IN_SHIFT = dt.timedelta(microseconds=987_654_321)


class _Mover:
    """The UPDATE that moves every date and time of one case's rows of `model` (NULL stays NULL)."""

    def __init__(self, model: type[models.Model], lookup: str) -> None:
        names = [f.attname for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)]
        query = cast(
            UpdateQuery, model._default_manager.filter(**{lookup: _STAND_IN_ID}).query.chain(UpdateQuery)
        )
        query.add_update_values({name: F(name) - _STAND_IN_SHIFT for name in names})
        self.sql, params = query.get_compiler(using=DEFAULT_DB_ALIAS).as_sql()
        self.params = list(params)

    def __call__(self, case_id: int, shift: dt.timedelta) -> None:
        params: list[Any] = []
        for param in self.params:
            if isinstance(param, int) and param == _STAND_IN_ID:
                params.append(case_id)
            elif isinstance(param, int) and param == _STAND_IN_SHIFT // dt.timedelta(microseconds=1):
                params.append(shift // dt.timedelta(microseconds=1))  # backends without an interval type
            elif isinstance(param, dt.timedelta) and param == _STAND_IN_SHIFT:
                params.append(shift)
            else:
                params.append(param)
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)


_movers: list[_Mover] = []


def _case_shifted(case_id: int, shift: dt.timedelta) -> None:
    """Move the case and everything it caused back by `shift` (forward when negative)."""
    if not _movers:
        _movers.extend(
            _Mover(model, lookup)
            for model, lookup in (
                (Case, "pk"),
                (CaseClock, "case_id"),
                (CaseEvent, "case_id"),
                (CaseMessage, "case_id"),
                (Invitation, "case_id"),
                (Response, "case_id"),
                (RecoveryTask, "response__case_id"),
            )
        )
    for mover in _movers:
        mover(case_id, shift)


def cases_moved(cases: Iterable[Case], days: int) -> None:
    """Move the cases and everything they caused back by `days` whole days."""
    for case in cases:
        _case_shifted(case.pk, dt.timedelta(days=days))


class _Timeline:
    """One case on its way through the services: before each step the case is moved so that the time it is
    now, which the services stamp, is the planned moment of that step in the case's own past."""

    def __init__(self, case: Case, received_at: dt.datetime) -> None:
        self.case_id = case.pk
        # Rows are where they belong plus `offset`; just after the intake that is its stamp minus the plan.
        self.offset = case.received_at - received_at

    def to(self, moment: dt.datetime) -> None:
        offset = timezone.now() - moment
        _case_shifted(self.case_id, self.offset - offset)
        self.offset = offset

    def planned(self, stamped: dt.datetime) -> dt.datetime:
        """The planned moment of a time the services stamped on this case."""
        return stamped - self.offset

    def end(self) -> None:
        _case_shifted(self.case_id, self.offset)
        self.offset = dt.timedelta(0)


# The plan ------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class _Plan:
    profile: Profile
    stream: Stream
    story: Story
    service: Service
    team: Team | None
    channel: str
    month: dt.date
    received_at: dt.datetime
    targets: dict[str, arithmetic.ClockTarget]
    seed: int
    misses: set[str] = dataclasses.field(default_factory=set)
    replied_at: dt.datetime | None = None
    arrived_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    answered_at: dt.datetime | None = None
    followed_up_at: dt.datetime | None = None
    score: int = 0
    nps: int = 0
    customer: Customer | None = None

    def texts(self) -> dict[str, str]:
        previous = (self.month.replace(day=1) - dt.timedelta(days=1)).month
        values = {
            "month": str(self.month.month),
            "previous": str(previous),
            "month_en": MONTHS_EN[self.month.month],
        }
        return {
            "title": MARKER + self.story.title.format(**values),
            "description": self.story.description.format(**values),
            "reply": self.story.reply.format(**values),
            "reasons": self.story.reasons.format(**values),
        }


class _Calendars:
    """The calendars the clocks count in, looked up once per team and calendar."""

    def __init__(self) -> None:
        self._known: dict[tuple[int | None, int | None], arithmetic.Calendar] = {}

    def of(self, team: Team | None, target: arithmetic.ClockTarget) -> arithmetic.Calendar:
        key = (team.pk if team else None, target.calendar_id)
        if key not in self._known:
            self._known[key] = arithmetic.calendar_for(team, target)
        return self._known[key]


def _local(at: dt.datetime) -> dt.datetime:
    return timezone.localtime(at, timezone.get_default_timezone())


def _month_starts(today: dt.date) -> list[dt.date]:
    index = today.year * 12 + today.month - 1
    return [dt.date((index - n) // 12, (index - n) % 12 + 1, 1) for n in range(MONTHS, 0, -1)]


def _received(rng: random.Random, month: dt.date, channel: str, profile: Profile) -> dt.datetime:
    """A plausible moment in `month` for a case to come in by `channel` (local time)."""
    days = calendar.monthrange(month.year, month.month)[1]
    day = month.replace(day=rng.randint(1, days))
    if profile.around_the_clock:
        minutes = rng.randrange(0, 24 * 60)
    elif channel in (PHONE, WALK_IN):
        while day.weekday() >= 5:  # counters and the hotline's recorded calls: working days
            day = month.replace(day=rng.randint(1, days))
        minutes = rng.randrange(8 * 60 + 30, 17 * 60 + 30)
    else:
        minutes = rng.randrange(7 * 60, 23 * 60 + 30)
    local = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60, rng.randrange(60)))
    return timezone.make_aware(local, timezone.get_default_timezone())


def _share_of(
    calendars: _Calendars, plan: _Plan, metric: str, start: dt.datetime, end: dt.datetime, share: float
) -> dt.datetime:
    """The moment `share` of the way from `start` to `end`, counted in the metric's own time (working
    hours for a working-time promise, so staff answer while at work)."""
    target = plan.targets[metric]
    cal = calendars.of(plan.team, target)
    seconds = arithmetic.time_between(cal, start, end, target.basis)
    return arithmetic.add_time(cal, start, seconds * share, target.basis)


def _due(calendars: _Calendars, plan: _Plan, metric: str, start: dt.datetime) -> dt.datetime:
    target = plan.targets[metric]
    schedule = arithmetic.schedule(
        calendars.of(plan.team, target), start=start, target=target, paused_seconds=0
    )
    return schedule.due_at


def _late(
    calendars: _Calendars, plan: _Plan, metric: str, start: dt.datetime, rng: random.Random
) -> dt.datetime:
    """A moment past the metric's deadline (from `start`) by a tenth to a third of its length, at most six
    hours of its own time."""
    target = plan.targets[metric]
    cal = calendars.of(plan.team, target)
    due = _due(calendars, plan, metric, start)
    length = arithmetic.time_between(cal, start, due, target.basis)
    extra = min(length * rng.uniform(0.1, 0.35), 6 * 3600.0)
    return arithmetic.add_time(cal, due, max(extra, 300.0), target.basis)


def _daytime(at: dt.datetime, low: dt.datetime, high: dt.datetime, rng: random.Random) -> dt.datetime:
    """Move a moment of the night into the evening before or the morning after, when that still fits."""
    local = _local(at)
    if 8 <= local.hour < 20:
        return at
    if local.hour < 8:
        moved = local.replace(hour=8, minute=rng.randrange(60))
    else:
        moved = local.replace(hour=19, minute=rng.randrange(60))
    return moved if low < moved < high else at


def _waking(at: dt.datetime, rng: random.Random) -> dt.datetime:
    """`at`, or the next morning when it falls in the night (customers answer surveys by day)."""
    local = _local(at)
    if 7 <= local.hour < 23:
        return at
    morning = local.replace(hour=7, minute=0) + dt.timedelta(days=1 if local.hour >= 23 else 0)
    return morning + dt.timedelta(minutes=rng.uniform(30, 180))


def _times(plan: _Plan, calendars: _Calendars) -> None:
    """Plan when the case is replied to, visited and resolved, given the promises it is to miss.

    The case's own generator starts afresh each time, so a case planned again with a promise to miss keeps
    every other moment it had."""
    rng = random.Random(plan.seed)  # noqa: S311 - demo data, reproducible
    received, metrics = plan.received_at, plan.targets
    resolution_due = _due(calendars, plan, RESOLUTION, received)
    if ON_SITE in metrics:
        on_site_due = _due(calendars, plan, ON_SITE, received)
        plan.replied_at = received + dt.timedelta(minutes=rng.uniform(3, 12))
        if ON_SITE in plan.misses:
            plan.arrived_at = on_site_due + dt.timedelta(minutes=rng.uniform(5, 30))
        else:
            plan.arrived_at = received + (on_site_due - received) * rng.uniform(0.4, 0.9)
    elif FIRST in plan.misses:
        plan.replied_at = _late(calendars, plan, FIRST, received, rng)
    else:
        # Answered within the first-response promise, and early enough to leave time to resolve.
        latest = min(_due(calendars, plan, FIRST, received), received + (resolution_due - received) / 2)
        plan.replied_at = _share_of(calendars, plan, FIRST, received, latest, rng.uniform(0.15, 0.8))
    start = max(plan.replied_at, plan.arrived_at or plan.replied_at) + dt.timedelta(
        minutes=rng.uniform(5, 20)
    )
    limits = [resolution_due]
    if NEXT in metrics:
        next_due = _due(calendars, plan, NEXT, plan.replied_at)
        limits.append(next_due)
    if RESOLUTION in plan.misses:
        resolved = max(_late(calendars, plan, RESOLUTION, received, rng), start)
    elif NEXT in plan.misses:
        resolved = max(_late(calendars, plan, NEXT, plan.replied_at, rng), start)
    elif min(limits) > start:
        resolved = _share_of(calendars, plan, RESOLUTION, start, min(limits), rng.uniform(0.1, 0.85))
        if not plan.profile.around_the_clock:
            resolved = _daytime(resolved, start, min(limits), rng)
    else:
        resolved = start
    plan.resolved_at = resolved


def _outcomes(plan: _Plan) -> dict[str, dt.datetime]:
    """When each promise of the case is known kept or missed, by metric."""
    assert plan.replied_at is not None and plan.resolved_at is not None  # noqa: S101 - planned by _times
    moments: dict[str, dt.datetime] = {
        FIRST: plan.replied_at,
        NEXT: plan.resolved_at,
        RESOLUTION: plan.resolved_at,
    }
    if plan.arrived_at is not None:
        moments[ON_SITE] = plan.arrived_at
    return {
        metric: moments[metric]
        for metric, target in plan.targets.items()
        if metric in moments and target.source.startswith(COMMITMENT_PREFIX)
    }


def _period(month: dt.date, last: dt.date) -> dt.date:
    """The period whose figures a month's outcomes are published in: the last full month on its own, any
    other month in its quarter (first day)."""
    return month if month == last else month.replace(month=3 * ((month.month - 1) // 3) + 1)


def _kept_late(plan: _Plan, calendars: _Calendars) -> set[str]:
    """The promises of charter commitments that the planned moments miss."""
    assert plan.replied_at is not None  # noqa: S101 - planned by _times
    return {
        metric
        for metric, moment in _outcomes(plan).items()
        if moment > _due(calendars, plan, metric, plan.replied_at if metric == NEXT else plan.received_at)
    }


def _quarter(month: dt.date) -> dt.date:
    return month.replace(month=3 * ((month.month - 1) // 3) + 1)


def _miss_keys(
    plan: _Plan, metric: str, moment: dt.datetime, last: dt.date
) -> list[tuple[str, str, dt.date]]:
    """The published periods an outcome of `metric` at `moment` counts in: its quarter and, in the last full
    month `last`, that month; each with the source of the promise."""
    source, month = plan.targets[metric].source, _local(moment).date().replace(day=1)
    return [(source, "quarter", _quarter(month)), *([(source, "month", month)] if month == last else [])]


def _miss_try(
    plan: _Plan,
    metric: str,
    *,
    last: dt.date,
    latest: dt.datetime,
    calendars: _Calendars,
    missed: dict[tuple[str, str, dt.date], int],
    limits: dict[tuple[str, str, dt.date], int],
) -> None:
    """Make `plan` miss `metric` and count in `missed` the promises it makes late, if the miss keeps the
    case's outcomes in their months and before `latest` and every period within its limit; else undo it."""
    before, late_before = _outcomes(plan), _kept_late(plan, calendars)
    moments = (plan.replied_at, plan.arrived_at, plan.resolved_at)
    plan.misses.add(metric)
    _times(plan, calendars)
    after, late = _outcomes(plan), _kept_late(plan, calendars)
    newly = late - late_before
    touched = [key for m in newly for key in _miss_keys(plan, m, after[m], last)]
    fits = (
        metric in newly
        and plan.resolved_at is not None
        and plan.resolved_at <= latest
        and all(_miss_keys(plan, m, after[m], last) == _miss_keys(plan, m, before[m], last) for m in after)
        and all(missed[key] < limits.get(key, 0) for key in touched)
    )
    if fits:
        for key in touched:
            missed[key] += 1
    else:
        plan.misses.discard(metric)
        plan.replied_at, plan.arrived_at, plan.resolved_at = moments


def _misses_chosen(
    plans: list[_Plan], last: dt.date, latest: dt.datetime, calendars: _Calendars, rng: random.Random
) -> None:
    """Choose the promises missed: for each commitment in the last full month and in each quarter (the
    periods published), with at least five outcomes, one to a fifth of them, about the service's rate for
    that kind of promise; none below five.

    A miss is kept only when it leaves the case's outcomes in their months and before `latest`, and when
    every promise it makes late (an answer too late to resolve in time, say) stays within the limit of the
    periods it counts in."""
    groups: dict[tuple[str, str, dt.date], list[tuple[_Plan, str]]] = defaultdict(list)
    missed: dict[tuple[str, str, dt.date], int] = defaultdict(int)
    for plan in plans:
        outcomes = _outcomes(plan)
        for metric, moment in outcomes.items():
            for key in _miss_keys(plan, metric, moment, last):
                groups[key].append((plan, metric))
        for metric in _kept_late(plan, calendars):
            for key in _miss_keys(plan, metric, outcomes[metric], last):
                missed[key] += 1
    limits = {key: len(members) // 5 for key, members in groups.items()}
    # The last month first, as its misses count in its quarter too; then by the order of a case's steps, as
    # a late step can make later promises late too (an answer too late to resolve within the hour, a
    # resolution so late that the customer had no news in time), and those count towards their share.
    order: dict[str, int] = {FIRST: 0, ON_SITE: 1, RESOLUTION: 2, NEXT: 3}
    for group in sorted(groups, key=lambda key: (key[1] != "month", order.get(groups[key][0][1], 4), key)):
        members = groups[group]
        if len(members) < 5:
            continue
        rate = members[0][0].profile.miss_rate(members[0][1])
        wanted = min(max(round(len(members) * rate), 1), limits[group])
        # Spread the misses over different cases where possible.
        for plan, metric in sorted(members, key=lambda item: (len(item[0].misses), rng.random())):
            if missed[group] >= wanted:
                break
            _miss_try(
                plan, metric, last=last, latest=latest, calendars=calendars, missed=missed, limits=limits
            )


def _plans(rng: random.Random, services: dict[str, Service], now: dt.datetime) -> list[_Plan]:
    calendars = _Calendars()
    plans: list[_Plan] = []
    months = _month_starts(timezone.localdate(now))
    for profile in PROFILES:
        service = services.get(profile.slug)
        if service is None:
            continue
        team = team_route(service=service)
        for stream in profile.streams:
            for month, volume in zip(months, stream.volumes[-len(months) :], strict=False):
                for index in range(volume):
                    story = stream.stories[(index + month.month) % len(stream.stories)]
                    channel = rng.choice(stream.channels)
                    received = _received(rng, month, channel, profile)
                    probe = Case(kind=story.kind, priority=story.priority, service=service, channel=channel)
                    plan = _Plan(
                        profile=profile,
                        stream=stream,
                        story=story,
                        service=service,
                        team=team,
                        channel=channel,
                        month=month,
                        received_at=received,
                        targets=arithmetic.targets_for(probe, at=received),
                        seed=rng.getrandbits(32),
                    )
                    if RESOLUTION not in plan.targets or FIRST not in plan.targets:
                        continue
                    _times(plan, calendars)
                    plans.append(plan)
    # A case still open today is left out: the live demo has enough open cases.
    latest = now - dt.timedelta(hours=1)
    plans = [plan for plan in plans if plan.resolved_at is not None and plan.resolved_at <= latest]
    _misses_chosen(plans, months[-1], latest, calendars, rng)
    _answers_given(plans, months[-1], latest, calendars, rng)
    return sorted(plans, key=lambda plan: plan.received_at)


def _answers_given(
    plans: list[_Plan], last: dt.date, latest: dt.datetime, calendars: _Calendars, rng: random.Random
) -> None:
    """Choose which customers answer the survey, when, with what score, and when a low score is followed up:
    in each published period, about the service's share of answers and of satisfied customers (a small
    sample drawn at random could make a well-liked service look poor)."""
    groups: dict[tuple[str, dt.date], list[_Plan]] = defaultdict(list)
    for plan in plans:
        assert plan.resolved_at is not None  # noqa: S101 - planned by _times
        period = _period(_local(plan.resolved_at).date().replace(day=1), last)
        groups[(plan.profile.slug, period)].append(plan)
    for _key, members in sorted(groups.items(), key=lambda item: item[0]):
        answering = round(len(members) * members[0].profile.answering)
        for plan in rng.sample(members, len(members))[:answering]:
            assert plan.resolved_at is not None  # noqa: S101 - planned by _times
            answered = _waking(plan.resolved_at + dt.timedelta(minutes=rng.uniform(10, 20 * 60)), rng)
            if answered >= latest:
                continue
            plan.answered_at = answered
            if plan.team is not None:
                target = arithmetic.ClockTarget(RESOLUTION, 1, "hours", arithmetic.WORKING_TIME)
                followed = arithmetic.add_time(
                    calendars.of(plan.team, target), answered, rng.uniform(0.5, 6) * 3600, target.basis
                )
                plan.followed_up_at = followed if followed < latest else None
    _scores_given(plans, last, rng)


def _scores_given(plans: list[_Plan], last: dt.date, rng: random.Random) -> None:
    """Give the survey answers their scores: in each published period, about the service's share of
    satisfied customers (a small sample drawn at random could make a well-liked service look poor)."""
    groups: dict[tuple[str, dt.date], list[_Plan]] = defaultdict(list)
    for plan in plans:
        if plan.answered_at is not None:
            period = _period(_local(plan.answered_at).date().replace(day=1), last)
            groups[(plan.profile.slug, period)].append(plan)
    for _key, members in sorted(groups.items(), key=lambda item: item[0]):
        satisfied = round(len(members) * members[0].profile.satisfied)
        for index, plan in enumerate(rng.sample(members, len(members))):
            plan.score = rng.choice(SATISFIED_SCORES if index < satisfied else UNSATISFIED_SCORES)
            plan.nps = rng.randint(*NPS_FOR[plan.score])


# Playing the plan ----------------------------------------------------------------------------------------


def _clocks_replanned(case: Case, starts: dict[str, dt.datetime], calendars: _Calendars) -> None:
    """Give the running clocks of `metrics` the deadlines of their planned start, in that day's calendar."""
    for clock in CaseClock.objects.filter(
        case=case, status=CaseClock.Status.RUNNING, metric__in=list(starts)
    ):
        target = arithmetic.clock_target(clock)
        start = starts[clock.metric]
        schedule = arithmetic.schedule(
            calendars.of(case.team, target), start=start, target=target, paused_seconds=0
        )
        stamped_offset = clock.started_at - start
        CaseClock.objects.filter(pk=clock.pk).update(
            due_at=schedule.due_at + stamped_offset, warn_at=schedule.warn_at + stamped_offset
        )
    case_deadline_refresh(case)


@dataclasses.dataclass
class _Cast:
    recorders: dict[str, User]
    staff: list[User]
    customers: dict[str, list[Customer]]
    categories: dict[str, CaseCategory]
    scale: Question
    recommend: Question | None


def _play(plan: _Plan, cast: _Cast, calendars: _Calendars, rng: random.Random) -> Case:
    assert plan.customer is not None  # noqa: S101 - cast by _cast
    texts = plan.texts()
    actor = cast.recorders.get(plan.channel)
    category = cast.categories.get(plan.story.category) if plan.story.category else None
    case = case_create(
        actor=actor,
        kind=plan.story.kind,
        channel=plan.channel,
        customer=plan.customer,
        service=plan.service,
        category=category,
        priority=plan.story.priority,
        title=texts["title"],
        description=texts["description"],
    )
    line = _Timeline(case, plan.received_at)
    _clocks_replanned(case, dict.fromkeys(plan.targets, plan.received_at), calendars)
    handler = case.assignee or cast.staff[case.pk % len(cast.staff)]
    assert plan.replied_at is not None and plan.resolved_at is not None  # noqa: S101 - planned
    line.to(plan.replied_at)
    case_reply(actor=handler, case=case, body=texts["reply"])
    _clocks_replanned(case, {NEXT: plan.replied_at}, calendars)
    if plan.arrived_at is not None:
        line.to(plan.arrived_at)
        case_arrival_record(actor=handler, case=case)
    line.to(plan.resolved_at)
    resolved = case_resolve(
        actor=handler,
        case=case,
        outcome=plan.story.outcome,
        reasons=texts["reasons"],
        root_cause=plan.story.root_cause,
    )
    invitation = invitation_for_case(case=resolved, at=timezone.now())
    if invitation is not None and invitation.status == Invitation.Status.SCHEDULED and plan.answered_at:
        line.to(plan.answered_at)
        Invitation.objects.filter(pk=invitation.pk).update(
            status=Invitation.Status.SENT, sent_at=F("send_at")
        )
        answers = {cast.scale.pk: plan.score}
        if cast.recommend is not None:
            answers[cast.recommend.pk] = plan.nps
        response = response_submit(invitation=invitation, answers=answers)
        task = RecoveryTask.objects.filter(response=response).select_related("owner").first()
        if task is not None and task.owner is not None and plan.followed_up_at is not None:
            line.to(plan.followed_up_at)
            recovery_update(
                actor=task.owner,
                task=task,
                expected_version=None,
                status=RecoveryTask.Status.RESOLVED,
                outcome=RECOVERY_OUTCOME,
                new_score=4,
            )
    resolved.refresh_from_db(fields=["appeal_until"])
    if resolved.appeal_until is not None:
        # The hourly task closes the case once the customer let the appeal window pass.
        closes = line.planned(resolved.appeal_until) + dt.timedelta(minutes=rng.uniform(1, 59))
        if closes < timezone.now() - dt.timedelta(minutes=1):
            line.to(closes)
            case_close_expired()
    line.end()
    return resolved


def _cast(actor: User, plans: list[_Plan], rng: random.Random) -> _Cast | None:
    people = {
        user.username: user
        for user in User.objects.filter(username__in=("li.agent", "zhao.agent", "chen.agent"))
    }
    version = SurveyVersion.objects.filter(
        survey__code="after-case", status=SurveyVersion.Status.PUBLISHED
    ).first()
    if len(people) < 3 or version is None:
        return None
    scale = version.questions.filter(type=Question.Type.CSAT).first()
    if scale is None:
        return None
    customers: dict[str, list[Customer]] = {
        "zh-hans": [
            customer_create(actor=actor, name=name, phone=f"1390000{index:04d}", language="zh-hans")
            for index, name in enumerate(NAMES_ZH)
        ],
        "en": [
            customer_create(actor=actor, name=name, phone=f"1390001{index:04d}", language="en")
            for index, name in enumerate(NAMES_EN)
        ],
    }
    # A customer asked about a case is not asked again within the cool-down: few customers come back that
    # soon, so each case goes to someone without another case resolved within a month of it, where possible.
    resolved: dict[int, list[dt.datetime]] = defaultdict(list)
    month = dt.timedelta(days=31)
    for plan in plans:
        assert plan.resolved_at is not None  # noqa: S101 - planned
        pool = customers[plan.story.language]
        free = [c for c in pool if all(abs(at - plan.resolved_at) > month for at in resolved[c.pk])]
        plan.customer = rng.choice(free or pool)
        resolved[plan.customer.pk].append(plan.resolved_at)
    return _Cast(
        recorders={PHONE: people["li.agent"], WALK_IN: people["zhao.agent"]},
        staff=list(people.values()),
        customers=customers,
        categories={category.code: category for category in CaseCategory.objects.all()},
        scale=scale,
        recommend=version.questions.filter(type=Question.Type.NPS).first(),
    )


def demo_history_load(*, actor: User) -> int:
    """Make the demo's six months of history once (nothing when it exists or the demo is incomplete); return
    the number of cases made.

    Needs the accounts, catalog, cases (routing, categories) and surveys demos. The unanswered surveys of the
    history have expired, and its notifications and follow-up mails are dropped rather than sent when the
    worker starts: history is not news.
    """
    if Case.objects.filter(title__startswith=MARKER).exists():
        return 0
    services = {service.slug: service for service in Service.objects.filter(is_active=True)}
    if not services:
        return 0
    rng = random.Random(SEED)  # noqa: S311 - demo data, reproducible
    now = timezone.now()
    plans = _plans(rng, services, now)
    cast = _cast(actor, plans, rng)
    if cast is None or not plans:
        return 0
    calendars = _Calendars()
    made = [_play(plan, cast, calendars, rng) for plan in plans]
    ids = [case.pk for case in made]
    Invitation.objects.filter(case_id__in=ids, status=Invitation.Status.SCHEDULED).update(
        status=Invitation.Status.EXPIRED, sent_at=F("send_at")
    )
    NotificationJob.objects.filter(case_id__in=ids).delete()
    tasks = RecoveryTask.objects.filter(response__case_id__in=ids).values_list("pk", flat=True)
    OutboundMessage.objects.filter(thread_ref__in=[f"recovery:{pk}" for pk in tasks]).delete()
    return len(made)
