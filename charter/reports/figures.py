"""The management dashboard's figures as values: what `charter.reports.dashboard.dashboard_figures` returns
and what the monthly report prints and keeps (`to_json` / `from_json`).

Counts are ints, shares are `Ratio`s (part of whole, the share computed when shown, never stored as a float),
averages are `Decimal`. Labels are resolved in the active language when the figures are read; `key` is the
stable identity of a row (a service slug, a kind, a category or root-cause id, a clause code, an age bucket).
Fields may be added (with defaults); none is renamed or removed without changing both readers.
"""

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class Ratio:
    """`part` out of `whole` (targets met of clocks finished, satisfied of answers, completed of assigned)."""

    part: int = 0
    whole: int = 0

    @property
    def percent(self) -> Decimal | None:
        """The share in per cent to one decimal, or None when there is nothing to divide by."""
        if not self.whole:
            return None
        return (Decimal(self.part) * 100 / Decimal(self.whole)).quantize(ONE_DECIMAL, ROUND_HALF_UP)


@dataclass(frozen=True)
class Nps:
    """Net promoter score: % of 9-10 minus % of 0-6 (DESIGN.md), from the counts."""

    promoters: int = 0
    passives: int = 0
    detractors: int = 0

    @property
    def answers(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def score(self) -> Decimal | None:
        if not self.answers:
            return None
        return (Decimal(self.promoters - self.detractors) * 100 / Decimal(self.answers)).quantize(
            ONE_DECIMAL, ROUND_HALF_UP
        )


@dataclass(frozen=True)
class Row:
    """One line of a breakdown: a count, or a ratio, or both (e.g. complaints by category: count)."""

    key: str
    label: str
    count: int = 0
    ratio: Ratio | None = None


@dataclass(frozen=True)
class TrendPoint:
    """One month of the trends (the month's first day)."""

    month: dt.date
    received: int = 0
    sla: Ratio = field(default_factory=Ratio)
    csat: Ratio = field(default_factory=Ratio)
    nps: Nps = field(default_factory=Nps)
    good_bad: Ratio = field(default_factory=Ratio)  # 好评 (good) of all 好差评 ratings
    qa_average: Decimal | None = None


@dataclass(frozen=True)
class DashboardFigures:
    """Everything the dashboard shows for a scope (teams) and a period [start, end) of local dates."""

    start: dt.date
    end: dt.date
    team_ids: tuple[int, ...] | None  # None: the whole organisation
    computed_at: dt.datetime | None = None  # when the rollups read were last refreshed
    received: int = 0
    resolved: int = 0
    sla: Ratio = field(default_factory=Ratio)  # every target: met of finished clocks
    sla_by_kind: list[Row] = field(default_factory=list)
    sla_by_service: list[Row] = field(default_factory=list)
    backlog_open: int = 0  # now, not in the period
    backlog_ageing: list[Row] = field(default_factory=list)  # keys: 0-1d 1-3d 3-7d 7-30d 30d+
    complaints: int = 0
    complaints_by_category: list[Row] = field(default_factory=list)
    complaints_by_root_cause: list[Row] = field(default_factory=list)
    csat: Ratio = field(default_factory=Ratio)
    nps: Nps = field(default_factory=Nps)
    good_bad: Ratio = field(default_factory=Ratio)
    qa_reviews: int = 0
    qa_average: Decimal | None = None  # mean review score in per cent
    violations: int = 0
    violations_by_clause: list[Row] = field(default_factory=list)
    actions_open: int = 0  # corrective actions, now
    actions_overdue: int = 0
    training: Ratio | None = None  # completed of assigned in the period; None when training has no data
    trend: list[TrendPoint] = field(default_factory=list)  # the months of the period (at most 12 before end)


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_encode(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def to_json(figures: DashboardFigures) -> dict[str, Any]:
    """The figures as JSON-ready data (Decimals and dates as strings), for `MonthlyReport.figures`."""
    encoded: dict[str, Any] = _encode(figures)
    return encoded


def _ratio(data: Any) -> Ratio:
    return Ratio(**data)


def _rows(data: list[dict[str, Any]]) -> list[Row]:
    return [
        Row(
            key=r["key"], label=r["label"], count=r["count"], ratio=_ratio(r["ratio"]) if r["ratio"] else None
        )
        for r in data
    ]


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def from_json(data: dict[str, Any]) -> DashboardFigures:
    """Read back what `to_json` wrote."""
    rows = {name: _rows(data.get(name, [])) for name in _ROW_FIELDS}
    return DashboardFigures(
        start=dt.date.fromisoformat(data["start"]),
        end=dt.date.fromisoformat(data["end"]),
        team_ids=tuple(data["team_ids"]) if data.get("team_ids") is not None else None,
        computed_at=dt.datetime.fromisoformat(data["computed_at"]) if data.get("computed_at") else None,
        received=data.get("received", 0),
        resolved=data.get("resolved", 0),
        sla=_ratio(data.get("sla", {})),
        backlog_open=data.get("backlog_open", 0),
        complaints=data.get("complaints", 0),
        csat=_ratio(data.get("csat", {})),
        nps=Nps(**data.get("nps", {})),
        good_bad=_ratio(data.get("good_bad", {})),
        qa_reviews=data.get("qa_reviews", 0),
        qa_average=_decimal(data.get("qa_average")),
        violations=data.get("violations", 0),
        actions_open=data.get("actions_open", 0),
        actions_overdue=data.get("actions_overdue", 0),
        training=_ratio(data["training"]) if data.get("training") else None,
        trend=[
            TrendPoint(
                month=dt.date.fromisoformat(point["month"]),
                received=point["received"],
                sla=_ratio(point["sla"]),
                csat=_ratio(point["csat"]),
                nps=Nps(**point["nps"]),
                good_bad=_ratio(point["good_bad"]),
                qa_average=_decimal(point["qa_average"]),
            )
            for point in data.get("trend", [])
        ],
        **rows,
    )


_ROW_FIELDS = (
    "sla_by_kind",
    "sla_by_service",
    "backlog_ageing",
    "complaints_by_category",
    "complaints_by_root_cause",
    "violations_by_clause",
)
