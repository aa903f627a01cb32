"""The management dashboard's figures, read from the rollups only (`charter.reports.rollups`).

`dashboard_figures` is the public contract: the dashboard page and the monthly report both call it. It reads
the period's sums (the whole months from the monthly facts, the odd days from the daily facts: two GROUP BYs
at most), the monthly trend (one), the snapshot of now (one), the refresh time (one) and the labels of the
services, categories and clauses it names (one small query each), whatever the number of cases.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from charter.cases.models import CaseCategory, RootCause
from charter.catalog.models import ServiceVersion
from charter.catalog.selectors import PUBLIC_STATUSES
from charter.common.models import localized
from charter.common.vocabulary import CaseKind
from charter.reports.figures import DashboardFigures, Nps, Ratio, Row, TrendPoint
from charter.reports.models import DailyFact, MonthlyFact, RollupState, SnapshotFact
from charter.reports.periods import add_months
from charter.reports.rollups import AGE_BUCKETS, DAILY
from charter.standards.models import StandardClause

TREND_MONTHS = 12
ONE_DECIMAL = Decimal("0.1")
_TREND_MEASURES = ("received", "sla_kind", "csat", "nps", "good_bad", "qa")


@dataclass
class _Sum:
    count: int = 0
    part: int = 0
    amount: Decimal = Decimal("0")


def _scope(team_ids: frozenset[int] | None) -> Q:
    return Q() if team_ids is None else Q(team_id__in=sorted(team_ids))


def trend_months(end: dt.date) -> list[dt.date]:
    """The first days of the TREND_MONTHS calendar months ending with the month of the day before `end`."""
    last = (end - dt.timedelta(days=1)).replace(day=1)
    return [add_months(last, -offset) for offset in range(TREND_MONTHS - 1, -1, -1)]


def _service_labels(keys: list[str]) -> dict[str, tuple[str, str]]:
    """{service id: (slug, name in the active language)} for the ids named: the name of each service's latest
    published version (one query, whatever the number of services); a service never published is left out
    and shown by its id."""
    ids = [int(key) for key in keys if key.isdigit()]
    labels: dict[str, tuple[str, str]] = {}
    versions = ServiceVersion.objects.filter(service_id__in=ids, status__in=PUBLIC_STATUSES).order_by(
        "service_id", "-number"
    )
    for version in versions.select_related("service").only("service__slug", "number", "name_zh", "name_en"):
        key = str(version.service_id)
        if key not in labels:
            slug = version.service.slug
            labels[key] = (slug, localized(version, "name") or slug)
    return labels


def _category_labels(keys: list[str]) -> dict[str, str]:
    ids = [int(key) for key in keys if key.isdigit()]
    return {str(c.pk): str(c) for c in CaseCategory.objects.filter(pk__in=ids)}


def _clause_labels(keys: list[str]) -> dict[str, tuple[str, str]]:
    """{clause id: (number, "number title")} for the ids named, one query."""
    ids = [int(key) for key in keys if key.isdigit()]
    labels = {}
    for clause in StandardClause.objects.filter(pk__in=ids):
        title = clause.title_en if _is_english() and clause.title_en else clause.title_zh
        labels[str(clause.pk)] = (clause.number, f"{clause.number} {title}".strip())
    return labels


def _is_english() -> bool:
    return (get_language() or "").startswith("en")


def _ratio_rows(
    sums: dict[str, _Sum], label: Callable[[str], tuple[str, str]], *, by_count: bool = True
) -> list[Row]:
    rows = []
    for key, value in sums.items():
        row_key, row_label = label(key)
        rows.append(
            Row(key=row_key, label=row_label, count=value.count, ratio=Ratio(value.part, value.count))
        )
    return sorted(rows, key=lambda r: (-r.count, r.label)) if by_count else rows


def _count_rows(sums: dict[str, _Sum], label: Callable[[str], tuple[str, str]]) -> list[Row]:
    rows = []
    for key, value in sums.items():
        row_key, row_label = label(key)
        rows.append(Row(key=row_key, label=row_label, count=value.count))
    return sorted(rows, key=lambda r: (-r.count, r.label))


def _average(total: Decimal, count: int) -> Decimal | None:
    return (total / count).quantize(ONE_DECIMAL, ROUND_HALF_UP) if count else None


def _total(sums: dict[str, _Sum]) -> _Sum:
    result = _Sum()
    for value in sums.values():
        result.count += value.count
        result.part += value.part
        result.amount += value.amount
    return result


def _nps(sums: dict[str, _Sum]) -> Nps:
    return Nps(
        promoters=sums.get("promoter", _Sum()).count,
        passives=sums.get("passive", _Sum()).count,
        detractors=sums.get("detractor", _Sum()).count,
    )


def _trend(team_ids: frozenset[int] | None, end: dt.date) -> list[TrendPoint]:
    months = trend_months(end)
    rows = (
        MonthlyFact.objects.filter(_scope(team_ids))
        .filter(month__gte=months[0], month__lte=months[-1], measure__in=_TREND_MEASURES)
        .values("month", "measure", "dimension")
        .annotate(count=Sum("count"), part=Sum("part"), amount=Sum("amount"))
        .order_by()
    )
    by_month: dict[dt.date, dict[str, dict[str, _Sum]]] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        month = row["month"]
        if isinstance(month, dt.datetime):
            month = month.date()
        by_month[month][row["measure"]][row["dimension"]] = _Sum(
            row["count"] or 0, row["part"] or 0, Decimal(row["amount"] or 0)
        )
    points = []
    for month in months:
        measures = by_month.get(month, {})
        received = _total(measures.get("received", {}))
        sla = _total(measures.get("sla_kind", {}))
        csat = _total(measures.get("csat", {}))
        good_bad = _total(measures.get("good_bad", {}))
        qa = _total(measures.get("qa", {}))
        points.append(
            TrendPoint(
                month=month,
                received=received.count,
                sla=Ratio(sla.part, sla.count),
                csat=Ratio(csat.part, csat.count),
                nps=_nps(measures.get("nps", {})),
                good_bad=Ratio(good_bad.part, good_bad.count),
                qa_average=_average(qa.amount, qa.count),
            )
        )
    return points


def _period_rows(scope: Q, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """The sums by measure and dimension of [start, end): whole calendar months from the monthly facts, the
    days before the first and after the last whole month from the daily facts (two queries at most)."""
    first_whole = start if start.day == 1 else add_months(start, 1)
    end_whole = end.replace(day=1)
    sums = {"count": Sum("count"), "part": Sum("part"), "amount": Sum("amount")}
    if first_whole >= end_whole:
        days, months = Q(day__gte=start, day__lt=end), None
    else:
        days = Q(day__gte=start, day__lt=first_whole) | Q(day__gte=end_whole, day__lt=end)
        months = Q(month__gte=first_whole, month__lt=end_whole)
    rows: list[dict[str, Any]] = []
    if start < first_whole or end_whole < end or months is None:
        daily = DailyFact.objects.filter(scope).filter(days).values("measure", "dimension")
        rows.extend(daily.annotate(**sums).order_by())
    if months is not None:
        monthly = MonthlyFact.objects.filter(scope).filter(months).values("measure", "dimension")
        rows.extend(monthly.annotate(**sums).order_by())
    return rows


def dashboard_figures(*, team_ids: frozenset[int] | None, start: dt.date, end: dt.date) -> DashboardFigures:
    """Return the dashboard's figures for the teams `team_ids` (None: the whole organisation, including work
    with no team; an empty set: nothing) and the local days [start, end), from the rollups only.

    Backlog and corrective actions are of now (the last refresh), not of the period. `trend` is the
    TREND_MONTHS calendar months ending with the period's last month. `computed_at` is when the rollups were
    last refreshed (None before the first refresh). Labels are in the active language.
    """
    scope = _scope(team_ids)
    sums: dict[str, dict[str, _Sum]] = defaultdict(dict)
    for row in _period_rows(scope, start, end):
        value = sums[row["measure"]].setdefault(row["dimension"], _Sum())
        value.count += row["count"] or 0
        value.part += row["part"] or 0
        value.amount += Decimal(row["amount"] or 0)
    now: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    snapshot = (
        SnapshotFact.objects.filter(scope)
        .values("measure", "dimension")
        .annotate(count=Sum("count"))
        .order_by()
    )
    for row in snapshot:
        now[row["measure"]][row["dimension"]] += row["count"] or 0
    state = RollupState.objects.filter(name=DAILY).first()

    kinds = dict(CaseKind.choices)
    services = _service_labels(list(sums["sla_service"]))
    categories = _category_labels(list(sums["complaints_category"]))
    root_causes = dict(RootCause.choices)
    clauses = _clause_labels(list(sums["violations"]))

    def kind_label(key: str) -> tuple[str, str]:
        return key, str(kinds.get(key, key))

    def service_label(key: str) -> tuple[str, str]:
        if key in services:
            return services[key]
        return key, _("No service") if not key else key

    def category_label(key: str) -> tuple[str, str]:
        return key, categories.get(key, _("No category") if not key else key)

    def root_cause_label(key: str) -> tuple[str, str]:
        return key, str(root_causes.get(key, key))

    def clause_label(key: str) -> tuple[str, str]:
        return clauses.get(key, (key, key))

    qa = _total(sums["qa"])
    training = _total(sums["training"])
    backlog = now["backlog"]
    return DashboardFigures(
        start=start,
        end=end,
        team_ids=None if team_ids is None else tuple(sorted(team_ids)),
        computed_at=state.refreshed_at if state else None,
        received=_total(sums["received"]).count,
        resolved=_total(sums["resolved"]).count,
        sla=Ratio(_total(sums["sla_kind"]).part, _total(sums["sla_kind"]).count),
        sla_by_kind=_ratio_rows(sums["sla_kind"], kind_label),
        sla_by_service=_ratio_rows(sums["sla_service"], service_label),
        backlog_open=sum(backlog.values()),
        backlog_ageing=[
            Row(key=key, label=age_label(key), count=backlog.get(key, 0)) for key, _low, _high in AGE_BUCKETS
        ],
        complaints=sums["received"].get("complaint", _Sum()).count,
        complaints_by_category=_count_rows(sums["complaints_category"], category_label),
        complaints_by_root_cause=_count_rows(sums["complaints_root_cause"], root_cause_label),
        csat=Ratio(_total(sums["csat"]).part, _total(sums["csat"]).count),
        nps=_nps(sums["nps"]),
        good_bad=Ratio(_total(sums["good_bad"]).part, _total(sums["good_bad"]).count),
        qa_reviews=qa.count,
        qa_average=_average(qa.amount, qa.count),
        violations=_total(sums["violations"]).count,
        violations_by_clause=_count_rows(sums["violations"], clause_label),
        actions_open=sum(now["actions_open"].values()),
        actions_overdue=sum(now["actions_overdue"].values()),
        training=Ratio(training.part, training.count) if training.count else None,
        trend=_trend(team_ids, end),
    )


def age_label(key: str) -> str:
    """The age bucket in words: "under a day", "1-3 days"..."""
    labels = {
        "0-1d": _("Under 1 day"),
        "1-3d": _("1-3 days"),
        "3-7d": _("3-7 days"),
        "7-30d": _("7-30 days"),
        "30d+": _("Over 30 days"),
    }
    return labels.get(key, key)
