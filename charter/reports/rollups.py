"""The management dashboard's rollups: what happened each local day per team, and what stands open now.

`rollup_refresh` recomputes the daily facts (`DailyFact`) of a window of days, or of all history with
`full=True`, their monthly sums (`MonthlyFact`, rebuilt for the months touched), and the snapshot of now
(`SnapshotFact`), from a constant number of GROUP BY queries whatever the number of cases (one per source:
cases received, cases resolved, clocks met, clocks missed, survey responses, QA reviews, violations, training
assignments, open cases, active corrective actions). The
rows of the recomputed days are replaced whole in one transaction, under the lock of their `RollupState`
row, so two workers refreshing at once leave one consistent table (the later writer wins; a refresh older
than what is already stored does not overwrite it).

What counts where (days in settings.TIME_ZONE; the team is the case's current team, or the team the
response, review, violation or action names; 0 for none):
- received: cases by the day received, per kind; complaints_category: complaints by the day received, per
  category id ("" for none).
- resolved: cases by the day of `resolved_at`, per kind; complaints_root_cause: complaints resolved that
  day, per root cause (a root cause is recorded at resolution).
- sla_kind / sla_service: every SLA target (clock) whose outcome is known: met (status met) on the day of
  `met_at`, missed (`breached_at` set, not met) on the day of `breached_at`; count = finished, part = met;
  per case kind and per service id ("" for none). The same rule as the published figures
  (`selectors.commitment_clocks_by_month`), for every target instead of the charter's commitments.
- csat: answers 1-5 (count), satisfied 4-5 (part); nps: answers by "promoter" (9-10), "passive" (7-8),
  "detractor" (0-6); good_bad (好差评): ratings 1-5 still counted for assessment (a bad review ruled not
  valid or appealed successfully is left out), good = 3-5 (非常满意, 满意, 基本满意), by the day answered.
- qa: QA reviews submitted that day with a score: count, amount = sum of their scores (per cent).
- violations: violations recorded that day, per clause id, unless an appeal overturned them.
- training: assignments due that day, not waived (count), completed (part); the team is the person's
  first team (by id), 0 when he is in none.
- snapshot backlog: open cases by age since received: 0-1d, 1-3d, 3-7d, 7-30d, 30d+; actions_open: active
  corrective actions; actions_overdue: those with an item past its due date.

Late changes to an old day (a complaint recategorised, a review ruled not valid weeks later) are picked up
by the nightly full refresh; the hourly one recomputes the last `WINDOW_DAYS` days.
"""

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from charter.accounts.models import TeamMembership
from charter.cases.models import OPEN_STATUSES, Case, CaseClock
from charter.conduct.models import Violation
from charter.improvement.models import ACTIVE_STATUSES, ActionItem, CorrectiveAction
from charter.quality.models import Review
from charter.reports.models import DailyFact, MonthlyFact, RollupState, SnapshotFact
from charter.reports.periods import local_date, local_midnight, zone
from charter.surveys.models import Response
from charter.training.models import Assignment

WINDOW_DAYS = 62  # the hourly refresh: this month and the last, whatever day of the month it is
DAILY = "daily"
SNAPSHOT = "snapshot"
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-1d", 0, 1),
    ("1-3d", 1, 3),
    ("3-7d", 3, 7),
    ("7-30d", 7, 30),
    ("30d+", 30, None),
)
BATCH = 2000

Key = tuple[dt.date, int, str, str]


@dataclass
class _Fact:
    count: int = 0
    part: int = 0
    amount: Decimal = Decimal("0")


@dataclass(frozen=True)
class RefreshResult:
    first_day: dt.date | None
    last_day: dt.date | None
    daily_rows: int
    snapshot_rows: int
    seconds: float
    written: bool


def _day(column: str) -> TruncDate:
    return TruncDate(column, tzinfo=zone())


def _since(column: str, first: dt.date | None) -> Q:
    return Q(**{f"{column}__gte": local_midnight(first)}) if first is not None else Q()


def _plain(rows: QuerySet[Any, Any]) -> Iterable[dict[str, Any]]:
    """The rows of a GROUP BY without the model's default ordering (which would join the GROUP BY)."""
    return rows.order_by()


def _add(facts: dict[Key, _Fact], key: Key, count: int, part: int = 0, amount: Decimal | None = None) -> None:
    if not count and not part and not amount:
        return
    fact = facts.setdefault(key, _Fact())
    fact.count += count
    fact.part += part
    if amount:
        fact.amount += amount


def _cases(facts: dict[Key, _Fact], first: dt.date | None) -> None:
    """Received and resolved cases; a duplicate merged into another case is not counted (the case it was
    merged into is), as the case lists leave merged cases out."""
    received = (
        Case.objects.filter(merged_into__isnull=True)
        .filter(_since("received_at", first))
        .annotate(day=_day("received_at"))
        .values("day", "team_id", "kind", "category_id")
        .annotate(n=Count("pk"))
    )
    for row in _plain(received):
        team = row["team_id"] or 0
        _add(facts, (row["day"], team, "received", row["kind"]), row["n"])
        if row["kind"] == "complaint":
            category = str(row["category_id"] or "")
            _add(facts, (row["day"], team, "complaints_category", category), row["n"])
    resolved = (
        Case.objects.filter(resolved_at__isnull=False, merged_into__isnull=True)
        .filter(_since("resolved_at", first))
        .annotate(day=_day("resolved_at"))
        .values("day", "team_id", "kind", "root_cause")
        .annotate(n=Count("pk"))
    )
    for row in _plain(resolved):
        team = row["team_id"] or 0
        _add(facts, (row["day"], team, "resolved", row["kind"]), row["n"])
        if row["kind"] == "complaint" and row["root_cause"]:
            _add(facts, (row["day"], team, "complaints_root_cause", row["root_cause"]), row["n"])


def _clocks(facts: dict[Key, _Fact], first: dt.date | None) -> None:
    met = (
        CaseClock.objects.filter(
            status=CaseClock.Status.MET, met_at__isnull=False, case__merged_into__isnull=True
        )
        .filter(_since("met_at", first))
        .annotate(day=_day("met_at"))
        .values("day", "case__team_id", "case__kind", "case__service_id")
        .annotate(n=Count("pk"))
    )
    missed = (
        CaseClock.objects.filter(breached_at__isnull=False, case__merged_into__isnull=True)
        .exclude(status=CaseClock.Status.MET)
        .filter(_since("breached_at", first))
        .annotate(day=_day("breached_at"))
        .values("day", "case__team_id", "case__kind", "case__service_id")
        .annotate(n=Count("pk"))
    )
    for rows, is_met in ((met, True), (missed, False)):
        for row in _plain(rows):
            team = row["case__team_id"] or 0
            n = row["n"]
            part = n if is_met else 0
            _add(facts, (row["day"], team, "sla_kind", row["case__kind"]), n, part)
            service = str(row["case__service_id"] or "")
            _add(facts, (row["day"], team, "sla_service", service), n, part)


def _responses(facts: dict[Key, _Fact], first: dt.date | None) -> None:
    rated = Q(csat__gte=1, csat__lte=5)
    counted = rated & Q(assessment_excluded_at__isnull=True)
    rows = (
        Response.objects.filter(_since("submitted_at", first))
        .annotate(day=_day("submitted_at"))
        .values("day", "team_id")
        .annotate(
            rated_count=Count("pk", filter=rated),
            satisfied=Count("pk", filter=rated & Q(csat__gte=4)),
            promoters=Count("pk", filter=Q(nps__gte=9, nps__lte=10)),
            passives=Count("pk", filter=Q(nps__gte=7, nps__lte=8)),
            detractors=Count("pk", filter=Q(nps__gte=0, nps__lte=6)),
            ratings=Count("pk", filter=counted),
            good=Count("pk", filter=counted & Q(csat__gte=3)),
        )
    )
    for row in _plain(rows):
        day, team = row["day"], row["team_id"] or 0
        _add(facts, (day, team, "csat", ""), row["rated_count"], row["satisfied"])
        for name, column in (("promoter", "promoters"), ("passive", "passives"), ("detractor", "detractors")):
            _add(facts, (day, team, "nps", name), row[column])
        _add(facts, (day, team, "good_bad", ""), row["ratings"], row["good"])


def _reviews(facts: dict[Key, _Fact], first: dt.date | None) -> None:
    rows = (
        Review.objects.filter(submitted_at__isnull=False, overall_score__isnull=False)
        .filter(_since("submitted_at", first))
        .annotate(day=_day("submitted_at"))
        .values("day", "team_id")
        .annotate(n=Count("pk"), total=Sum("overall_score"))
    )
    for row in _plain(rows):
        _add(facts, (row["day"], row["team_id"] or 0, "qa", ""), row["n"], 0, Decimal(row["total"] or 0))


def _violations(facts: dict[Key, _Fact], first: dt.date | None) -> None:
    rows = (
        Violation.objects.exclude(appeal_outcome=Violation.AppealOutcome.OVERTURNED)
        .filter(_since("created_at", first))
        .annotate(day=_day("created_at"))
        .values("day", "team_id", "clause_id")
        .annotate(n=Count("pk"))
    )
    for row in _plain(rows):
        _add(facts, (row["day"], row["team_id"] or 0, "violations", str(row["clause_id"])), row["n"])


def _training(facts: dict[Key, _Fact], first: dt.date | None) -> None:
    first_team = Subquery(
        TeamMembership.objects.filter(user_id=OuterRef("person_id"))
        .order_by()
        .values("user_id")
        .annotate(team=Min("team_id"))
        .values("team")[:1]
    )
    assignments = Assignment.objects.exclude(status=Assignment.Status.WAIVED)
    if first is not None:
        assignments = assignments.filter(due_on__gte=first)
    rows = (
        assignments.annotate(team=first_team)
        .values("due_on", "team")
        .annotate(n=Count("pk"), done=Count("pk", filter=Q(status=Assignment.Status.COMPLETED)))
    )
    for row in _plain(rows):
        _add(facts, (row["due_on"], row["team"] or 0, "training", ""), row["n"], row["done"])


def daily_facts_compute(*, first: dt.date | None) -> dict[Key, _Fact]:
    """Return the daily facts of every day from `first` (every day with data when None), keyed by (day,
    team id, measure, dimension). Nine GROUP BY queries; writes nothing."""
    facts: dict[Key, _Fact] = {}
    for source in (_cases, _clocks, _responses, _reviews, _violations, _training):
        source(facts, first)
    if first is not None:
        # A training assignment may be due after today; no source reaches before `first`.
        facts = {key: fact for key, fact in facts.items() if key[0] >= first}
    return facts


def snapshot_compute(*, at: dt.datetime) -> dict[tuple[int, str, str], int]:
    """Return the figures of now: open cases by team and age bucket, active corrective actions and those
    with an overdue item, by team. Two GROUP BY queries; writes nothing."""
    annotations: dict[str, Any] = {}
    for key, low, high in AGE_BUCKETS:
        condition = Q(received_at__lte=at - dt.timedelta(days=low))
        if high is not None:
            condition &= Q(received_at__gt=at - dt.timedelta(days=high))
        annotations[key] = Count("pk", filter=condition)
    snapshot: dict[tuple[int, str, str], int] = defaultdict(int)
    backlog = (
        Case.objects.filter(status__in=OPEN_STATUSES, merged_into__isnull=True)
        .values("team_id")
        .annotate(**annotations)
    )
    for row in _plain(backlog):
        for key, _low, _high in AGE_BUCKETS:
            if row[key]:
                snapshot[(row["team_id"] or 0, "backlog", key)] += row[key]
    today = local_date(at)
    overdue = Exists(ActionItem.objects.filter(action_id=OuterRef("pk")).overdue(today))
    actions = (
        CorrectiveAction.objects.filter(status__in=ACTIVE_STATUSES)
        .values("team_id")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(overdue)))
    )
    for row in _plain(actions):
        team = row["team_id"] or 0
        snapshot[(team, "actions_open", "")] += row["n"]
        if row["late"]:
            snapshot[(team, "actions_overdue", "")] += row["late"]
    return dict(snapshot)


def _state(name: str) -> RollupState:
    RollupState.objects.bulk_create([RollupState(name=name)], ignore_conflicts=True)
    return RollupState.objects.select_for_update().get(name=name)


def rollup_refresh(
    *, at: dt.datetime | None = None, full: bool = False, days: int = WINDOW_DAYS
) -> RefreshResult:
    """Recompute the dashboard's rollups: the daily facts of the last `days` local days up to `at` (default
    now), or of all history with `full=True`, and the snapshot of now.

    The recomputed days' rows (and the whole snapshot) are replaced in one transaction under the lock of
    the rollup's state row; the state records when and how long. Safe to run twice and on two workers at
    once; a run that computed from an older `at` than the stored refresh writes nothing, a full one included
    (it would put back older rows and move `refreshed_at` back; the next full run backfills instead). A
    constant number of queries whatever the volume.
    """
    started = time.process_time(), time.perf_counter()
    at = at or timezone.now()
    first = None if full else local_date(at) - dt.timedelta(days=days - 1)
    facts = daily_facts_compute(first=first)
    snapshot = snapshot_compute(at=at)
    last = local_date(at)
    days_found = [key[0] for key in facts]
    if full:
        first_day = min(days_found) if days_found else last
        last = max([last, *days_found])
    else:
        assert first is not None  # noqa: S101 (set above when not full)
        first_day = first
        last = max([last, *days_found])
    rows = [
        DailyFact(
            day=day,
            team_id=team,
            measure=measure,
            dimension=dimension[:100],
            count=fact.count,
            part=fact.part,
            amount=fact.amount,
        )
        for (day, team, measure, dimension), fact in facts.items()
    ]
    snapshot_rows = [
        SnapshotFact(team_id=team, measure=measure, dimension=dimension, count=count)
        for (team, measure, dimension), count in snapshot.items()
    ]
    with transaction.atomic():
        daily = _state(DAILY)
        current = _state(SNAPSHOT)
        if daily.refreshed_at is not None and daily.refreshed_at > at:  # a newer refresh won, full or not
            return RefreshResult(first_day, last, 0, 0, time.perf_counter() - started[1], written=False)
        stale = DailyFact.objects.all() if full else DailyFact.objects.filter(day__gte=first_day)
        stale.delete()
        DailyFact.objects.bulk_create(rows, batch_size=BATCH)
        monthly_rows = _months_rebuild(None if full else first_day.replace(day=1))
        SnapshotFact.objects.all().delete()
        SnapshotFact.objects.bulk_create(snapshot_rows, batch_size=BATCH)
        seconds = Decimal(f"{time.perf_counter() - started[1]:.3f}")
        daily.refreshed_at = at
        if full:
            daily.first_day = first_day
        daily.last_day = last
        daily.seconds = seconds
        daily.save()
        current.refreshed_at = at
        current.seconds = seconds
        current.save()
    return RefreshResult(
        first_day, last, len(rows) + monthly_rows, len(snapshot_rows), float(seconds), written=True
    )


def _months_rebuild(first_month: dt.date | None) -> int:
    """Replace the monthly sums from `first_month` on (all when None) with those of the daily facts: one
    GROUP BY, one delete, the inserts. Runs inside the refresh's transaction."""
    daily = DailyFact.objects.all() if first_month is None else DailyFact.objects.filter(day__gte=first_month)
    sums = (
        daily.annotate(month=TruncMonth("day"))
        .values("month", "team_id", "measure", "dimension")
        .annotate(n=Sum("count"), good=Sum("part"), total=Sum("amount"))
        .order_by()
    )
    rows = [
        MonthlyFact(
            month=row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"],
            team_id=row["team_id"],
            measure=row["measure"],
            dimension=row["dimension"],
            count=row["n"] or 0,
            part=row["good"] or 0,
            amount=row["total"] or Decimal("0"),
        )
        for row in sums
    ]
    stale = (
        MonthlyFact.objects.all()
        if first_month is None
        else MonthlyFact.objects.filter(month__gte=first_month)
    )
    stale.delete()
    MonthlyFact.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def rollups_backfilled() -> bool:
    """True once a full refresh has covered all history (the state's first day is set)."""
    return RollupState.objects.filter(name=DAILY, first_day__isnull=False).exists()
