"""Reads of the published performance: the monthly counts the refresh rolls up, and what the public sees.

The counts are GROUP BY queries over cases, clocks and survey responses, one query each whatever the
volume; a month's bounds are local midnights (settings.TIME_ZONE) converted to UTC. reports is the top
layer and reads the models of the apps below directly for these aggregates (they have no selector for them).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, Subquery

from charter.cases.models import Case, CaseClock
from charter.catalog.models import Service
from charter.reports.models import DisclosureSettings, ServicePeriodFigures
from charter.reports.periods import Period, add_months, last_full_month, last_full_quarter, local_midnight
from charter.surveys.models import Response

COMMITMENT_PREFIX = "commitment:"
# The scale of Response.csat and the answers that count as satisfied (DESIGN.md: CSAT = share of 4-5 on 1-5).
CSAT_SATISFIED = (4, 5)


def _month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return local_midnight(month), local_midnight(add_months(month, 1))


def _in_month(column: str, month: dt.date) -> Q:
    start, end = _month_bounds(month)
    return Q(**{f"{column}__gte": start, f"{column}__lt": end})


def _key(month: dt.date) -> str:
    return month.strftime("m%Y%m")


def cases_handled_by_month(*, months: list[dt.date]) -> dict[int, dict[dt.date, int]]:
    """Return {service id: {month: cases resolved in it}} for cases about a service, in one query.

    A case counts in the month of its `resolved_at` (its latest resolution; reopening clears it).
    """
    start, end = local_midnight(months[0]), local_midnight(add_months(months[-1], 1))
    rows = (
        Case.objects.filter(service__isnull=False, resolved_at__gte=start, resolved_at__lt=end)
        .values("service_id")
        .annotate(**{_key(m): Count("pk", filter=_in_month("resolved_at", m)) for m in months})
    )
    return {row["service_id"]: {m: row[_key(m)] for m in months} for row in rows}


@dataclass
class ClockCount:
    met: int = 0
    finished: int = 0


def commitment_clocks_by_month(*, months: list[dt.date]) -> dict[int, dict[dt.date, ClockCount]]:
    """Return {commitment id: {month: met and finished clocks}} for clocks set by a charter commitment.

    A clock counts once its outcome is known: met (status met, in the month of `met_at`) or missed (its
    `breached_at` set by the SLA sweep, in the month the limit ran out, whatever happened to the clock
    afterwards: still running, stopped late, or cancelled with its case). A missed promise is counted at
    once and stays in its month, so a published month never changes. Clocks still within their limit are
    left out. One GROUP BY query on `target_source`.
    """
    start, end = local_midnight(months[0]), local_midnight(add_months(months[-1], 1))
    met = Q(status=CaseClock.Status.MET)
    breached = Q(breached_at__isnull=False) & ~Q(status=CaseClock.Status.MET)
    annotations = {}
    for month in months:
        annotations[f"met_{_key(month)}"] = Count("pk", filter=met & _in_month("met_at", month))
        annotations[f"breached_{_key(month)}"] = Count(
            "pk", filter=breached & _in_month("breached_at", month)
        )
    rows = (
        CaseClock.objects.filter(target_source__startswith=COMMITMENT_PREFIX)
        .filter(
            (met & Q(met_at__gte=start, met_at__lt=end))
            | (breached & Q(breached_at__gte=start, breached_at__lt=end))
        )
        .values("target_source")
        .annotate(**annotations)
    )
    result: dict[int, dict[dt.date, ClockCount]] = defaultdict(dict)
    for row in rows:
        suffix = row["target_source"].removeprefix(COMMITMENT_PREFIX)
        if not suffix.isdigit():
            continue
        per_month = result[int(suffix)]
        for month in months:
            count = per_month.setdefault(month, ClockCount())
            count.met += row[f"met_{_key(month)}"]
            count.finished += row[f"met_{_key(month)}"] + row[f"breached_{_key(month)}"]
    return dict(result)


def csat_by_month(*, months: list[dt.date]) -> dict[int, dict[dt.date, tuple[int, int]]]:
    """Return {service id: {month: (satisfied answers, answers)}} from survey responses, in one query.

    A response counts in the month it was submitted, under the service it was attributed to when it arrived;
    only responses with a CSAT answer (1-5) count, and 4 or 5 is satisfied.
    """
    start, end = local_midnight(months[0]), local_midnight(add_months(months[-1], 1))
    satisfied = Q(csat__in=CSAT_SATISFIED)
    annotations = {}
    for month in months:
        annotations[f"answers_{_key(month)}"] = Count("pk", filter=_in_month("submitted_at", month))
        annotations[f"satisfied_{_key(month)}"] = Count(
            "pk", filter=satisfied & _in_month("submitted_at", month)
        )
    rows = (
        Response.objects.filter(
            service__isnull=False, csat__gte=1, csat__lte=5, submitted_at__gte=start, submitted_at__lt=end
        )
        .values("service_id")
        .annotate(**annotations)
    )
    return {
        row["service_id"]: {m: (row[f"satisfied_{_key(m)}"], row[f"answers_{_key(m)}"]) for m in months}
        for row in rows
    }


def disclosure_settings_get() -> DisclosureSettings:
    """Return the disclosure settings: the stored row, or the defaults (everything shown, minimum sample 1)
    when none was saved yet. Never writes."""
    return DisclosureSettings.objects.filter(pk=1).first() or DisclosureSettings(pk=1)


@dataclass(frozen=True)
class Share:
    """A share of a sample for display: `value` is None when withheld (sample below the minimum) or empty."""

    numerator: int
    sample: int
    minimum: int

    @property
    def is_withheld(self) -> bool:
        return 0 < self.sample < self.minimum

    @property
    def percent(self) -> float | None:
        if self.sample == 0 or self.is_withheld:
            return None
        return 100.0 * self.numerator / self.sample


@dataclass(frozen=True)
class CommitmentFigure:
    label: str
    version: int
    in_force: bool
    share: Share


@dataclass(frozen=True)
class PeriodFigures:
    period: Period
    cases_handled: int
    satisfaction: Share
    commitments: list[CommitmentFigure]
    computed_at: dt.datetime


@dataclass(frozen=True)
class PublicFigures:
    disclosure: DisclosureSettings
    periods: list[PeriodFigures] = field(default_factory=list)


def _public_period(row: ServicePeriodFigures, kind: str, minimum: int, english: bool) -> PeriodFigures:
    commitments = []
    for entry in row.commitments:
        label = (entry.get("label_en") if english else entry.get("label_zh")) or entry.get("label_zh") or ""
        commitments.append(
            CommitmentFigure(
                label=str(label),
                version=int(entry.get("version") or 0),
                in_force=bool(entry.get("in_force")),
                share=Share(int(entry["met"]), int(entry["finished"]), minimum),
            )
        )
    return PeriodFigures(
        period=Period(kind, row.period_start, row.period_end),
        cases_handled=row.cases_handled,
        satisfaction=Share(row.csat_satisfied, row.csat_answers, minimum),
        commitments=commitments,
        computed_at=row.computed_at,
    )


_DISCLOSURE_FIELDS = ("show_cases_handled", "show_commitments", "show_satisfaction", "minimum_sample")


def figures_public_for_service(*, service: Service, at: dt.datetime, english: bool) -> PublicFigures | None:
    """Return the figures the public charter shows for `service` at `at`: the last full month and quarter.

    Only figures computed after their period ended are shown (a refresh still inside the period gave
    provisional numbers); None when there is nothing to show (before the first refresh after a period ends,
    or when every figure is switched off). One query, whatever the number of cases: the disclosure settings
    come along with the figures as scalar subqueries.
    """
    month, quarter = last_full_month(at), last_full_quarter(at)
    stored = DisclosureSettings.objects.filter(pk=1)
    rows = {
        row.period_kind: row
        for row in ServicePeriodFigures.objects.filter(service=service)
        .filter(
            Q(period_kind=month.kind, period_start=month.start)
            | Q(period_kind=quarter.kind, period_start=quarter.start)
        )
        .annotate(**{f"disclosure_{name}": Subquery(stored.values(name)[:1]) for name in _DISCLOSURE_FIELDS})
        if row.is_final
    }
    if not rows:
        return None
    disclosure = DisclosureSettings(pk=1)
    first = next(iter(rows.values()))
    for name in _DISCLOSURE_FIELDS:
        value = getattr(first, f"disclosure_{name}")
        if value is not None:  # None: no settings saved yet, the defaults apply
            setattr(disclosure, name, value)
    if not (disclosure.show_cases_handled or disclosure.show_commitments or disclosure.show_satisfaction):
        return None
    periods = [
        _public_period(rows[period.kind], period.kind, disclosure.minimum_sample, english)
        for period in (month, quarter)
        if period.kind in rows
    ]
    return PublicFigures(disclosure=disclosure, periods=periods)


def figures_last_computed_at() -> dt.datetime | None:
    """Return when the figures were last refreshed, or None before the first refresh."""
    return ServicePeriodFigures.objects.order_by("-computed_at").values_list("computed_at", flat=True).first()
