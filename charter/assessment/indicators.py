"""The KPI library: named, documented computations over a period for many people at once.

An `Indicator` states its formula and what it leaves out in words (shown on the scorecard, in both
languages) and computes a `Measure` (value, sample size, rows excluded) for every person of a cycle in a
fixed number of queries: each reads a lower app's selector that groups by the person, never a query per
person. The value is None when the sample is empty, so "no data" never reads as 0%.

Schemes name indicators by `code` in `INDICATORS`. A higher app (the training app, later: completion and
valid certificates) adds its own with `indicator_register(Indicator(...))` from its `AppConfig.ready()`,
listed after this app in INSTALLED_APPS; this module never imports it, so the layering holds.

Exclusion hooks still open: survey answers of an upheld 好差评 appeal are to be left out in
`surveys.selectors.response_csat_tally_by_person` once the appeal exists (no such flag yet).
"""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from charter.cases.models import CaseClock
from charter.cases.selectors import (
    case_clock_tally_by_handler,
    case_resolved_tally_by_handler,
    case_upheld_complaint_tally_by_named_staff,
)
from charter.common.dates import day_end, day_start
from charter.conduct.models import Severity
from charter.conduct.selectors import violation_tally_by_staff
from charter.quality.selectors import review_score_tally_by_agent
from charter.surveys.selectors import response_csat_tally_by_person

HUNDREDTH = Decimal("0.01")


class Unit(StrEnum):
    """The units an indicator's value is in (stored codes; `UNIT_LABELS` names them)."""

    PERCENT = "percent"
    COUNT = "count"
    PER_HUNDRED = "per_100"
    MINUTES = "minutes"
    POINTS = "points"


UNIT_LABELS: dict[Unit, Promise] = {
    Unit.PERCENT: _("percent"),
    Unit.COUNT: _("count"),
    Unit.PER_HUNDRED: _("per 100"),
    Unit.MINUTES: _("minutes"),
    Unit.POINTS: _("points"),
}


@dataclass(frozen=True)
class Period:
    """Calendar days from `start` to `end`, both included, in the organisation's time zone."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("A period ends on or after its start.")

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """Return [start_at, end_at): the first instant of the first day and the first instant after the
        last day, at the organisation's day boundaries (settings.TIME_ZONE), whatever the reader's zone."""
        zone = timezone.get_default_timezone()
        return day_start(self.start, zone), day_end(self.end, zone)


@dataclass(frozen=True)
class Measure:
    """One person's value of one indicator: None when `sample` is 0; `excluded` rows the rule left out."""

    value: Decimal | None
    sample: int
    excluded: int = 0


Compute = Callable[[Period, Sequence[int]], dict[int, Measure]]


@dataclass(frozen=True)
class Indicator:
    """A named KPI: its stable `code`, its name, formula and exclusions in words, its unit and direction,
    and `compute(period, people)` returning a Measure for every id of `people` in a bounded number of
    queries."""

    code: str
    name: Promise
    formula_text: Promise
    exclusions_text: Promise
    unit: Unit
    higher_is_better: bool
    compute: Compute


INDICATORS: dict[str, Indicator] = {}


def indicator_register(indicator: Indicator) -> Indicator:
    """Add `indicator` to `INDICATORS` under its code, so schemes may name it.

    For higher apps (training) from their AppConfig.ready(). A code is registered once: a second indicator
    with the same code raises ValueError, since a scheme's weights must never silently move to another
    computation.
    """
    if indicator.code in INDICATORS:
        raise ValueError(f"Indicator {indicator.code!r} is already registered.")
    INDICATORS[indicator.code] = indicator
    return indicator


def share(part: int, whole: int) -> Decimal | None:
    """Return 100 · part / whole rounded half up to hundredths, or None when `whole` is 0."""
    if whole == 0:
        return None
    return (Decimal(100) * part / whole).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def _volume_handled(period: Period, people: Sequence[int]) -> dict[int, Measure]:
    start_at, end_at = period.bounds()
    tallies = case_resolved_tally_by_handler(start_at=start_at, end_at=end_at, people=people)
    result = {}
    for person in people:
        tally = tallies.get(person)
        counted, excluded = (tally.counted, tally.excluded) if tally else (0, 0)
        # A count is a value even at zero: handling no case in the month is a result, not missing data.
        result[person] = Measure(value=Decimal(counted), sample=counted, excluded=excluded)
    return result


def _sla_met(metric: str) -> Compute:
    def compute(period: Period, people: Sequence[int]) -> dict[int, Measure]:
        start_at, end_at = period.bounds()
        tallies = case_clock_tally_by_handler(metric=metric, start_at=start_at, end_at=end_at, people=people)
        result = {}
        for person in people:
            tally = tallies.get(person)
            if tally is None:
                result[person] = Measure(value=None, sample=0)
            else:
                result[person] = Measure(
                    value=share(tally.met, tally.counted), sample=tally.counted, excluded=tally.excluded
                )
        return result

    return compute


def _csat(*, is_dissatisfied: bool) -> Compute:
    def compute(period: Period, people: Sequence[int]) -> dict[int, Measure]:
        start_at, end_at = period.bounds()
        tallies = response_csat_tally_by_person(start_at=start_at, end_at=end_at, people=people)
        result = {}
        for person in people:
            tally = tallies.get(person)
            if tally is None:
                result[person] = Measure(value=None, sample=0)
                continue
            part = tally.dissatisfied if is_dissatisfied else tally.satisfied
            result[person] = Measure(
                value=share(part, tally.answered), sample=tally.answered, excluded=tally.skipped
            )
        return result

    return compute


def _qa_average(period: Period, people: Sequence[int]) -> dict[int, Measure]:
    start_at, end_at = period.bounds()
    tallies = review_score_tally_by_agent(start_at=start_at, end_at=end_at, people=people)
    result = {}
    for person in people:
        tally = tallies.get(person)
        if tally is None or tally.scored == 0:
            result[person] = Measure(value=None, sample=0, excluded=tally.disputed if tally else 0)
            continue
        average = (tally.total / tally.scored).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
        result[person] = Measure(value=average, sample=tally.scored, excluded=tally.disputed)
    return result


def _upheld_complaints(period: Period, people: Sequence[int]) -> dict[int, Measure]:
    start_at, end_at = period.bounds()
    handled = case_resolved_tally_by_handler(start_at=start_at, end_at=end_at, people=people)
    upheld = case_upheld_complaint_tally_by_named_staff(start_at=start_at, end_at=end_at, people=people)
    result = {}
    for person in people:
        cases, complaints = handled.get(person), upheld.get(person)
        sample = cases.counted if cases else 0
        result[person] = Measure(
            value=share(complaints.counted if complaints else 0, sample),
            sample=sample,
            excluded=complaints.excluded if complaints else 0,
        )
    return result


def _violations(severity: str) -> Compute:
    def compute(period: Period, people: Sequence[int]) -> dict[int, Measure]:
        start_at, end_at = period.bounds()
        tallies = violation_tally_by_staff(start_at=start_at, end_at=end_at, people=people)
        result = {}
        for person in people:
            tally = tallies.get((person, severity))
            standing, excluded = (tally.standing, tally.excluded) if tally else (0, 0)
            # A count of zero is a result (a clean record), not missing data.
            result[person] = Measure(value=Decimal(standing), sample=standing, excluded=excluded)
        return result

    return compute


indicator_register(
    Indicator(
        code="volume_handled",
        name=_("Cases handled"),
        formula_text=_(
            "The number of cases resolved in the period whose handler is the person: the assignee at "
            "resolution, or the member of staff who resolved it when nobody was assigned."
        ),
        exclusions_text=_(
            "Cases merged into another case (the surviving case counts); cases reopened and not resolved "
            "again by the end of the period; cancelled cases."
        ),
        unit=Unit.COUNT,
        higher_is_better=True,
        compute=_volume_handled,
    )
)
indicator_register(
    Indicator(
        code="sla_first_response_met",
        name=_("First responses on time"),
        formula_text=_(
            "100 × first-response targets met ÷ first-response targets met or breached, over the clocks "
            "stopped in the period on the cases the person handles."
        ),
        exclusions_text=_(
            "Clocks cancelled because the case was withdrawn or merged; clocks still running at the end of "
            "the period (counted in the period in which they stop)."
        ),
        unit=Unit.PERCENT,
        higher_is_better=True,
        compute=_sla_met(CaseClock.Metric.FIRST_RESPONSE),
    )
)
indicator_register(
    Indicator(
        code="sla_resolution_met",
        name=_("Resolutions on time"),
        formula_text=_(
            "100 × resolution targets met ÷ resolution targets met or breached, over the clocks stopped in "
            "the period on the cases the person handles."
        ),
        exclusions_text=_(
            "Clocks cancelled because the case was withdrawn or merged; clocks still running at the end of "
            "the period (counted in the period in which they stop)."
        ),
        unit=Unit.PERCENT,
        higher_is_better=True,
        compute=_sla_met(CaseClock.Metric.RESOLUTION),
    )
)
indicator_register(
    Indicator(
        code="csat_satisfied",
        name=_("Customer satisfaction (CSAT)"),
        formula_text=_(
            "100 × answers of 4 or 5 ÷ all answers on the 1-5 satisfaction scale, over the survey responses "
            "received in the period and attributed to the person as handler or as an agent who answered "
            "the customer (each response once)."
        ),
        exclusions_text=_("Responses without a satisfaction answer."),
        unit=Unit.PERCENT,
        higher_is_better=True,
        compute=_csat(is_dissatisfied=False),
    )
)
indicator_register(
    Indicator(
        code="bad_review_share",
        name=_("Bad reviews"),
        formula_text=_(
            "100 × answers of 1 or 2 (dissatisfied, very dissatisfied) ÷ all answers on the 1-5 "
            "satisfaction scale, over the survey responses received in the period and attributed to the "
            "person as handler or as an agent who answered the customer (each response once)."
        ),
        exclusions_text=_("Responses without a satisfaction answer."),
        unit=Unit.PERCENT,
        higher_is_better=False,
        compute=_csat(is_dissatisfied=True),
    )
)
indicator_register(
    Indicator(
        code="qa_average",
        name=_("Quality review score"),
        formula_text=_(
            "The average overall score (0 to 100) of the quality reviews of the person's work submitted in "
            "the period; a review failed by an auto-fail criterion counts as 0, and a disputed review counts "
            "with the score decided on the dispute."
        ),
        exclusions_text=_("Reviews whose dispute is still waiting for a decision; reviews not yet scored."),
        unit=Unit.POINTS,
        higher_is_better=True,
        compute=_qa_average,
    )
)
indicator_register(
    Indicator(
        code="upheld_complaints_per_100",
        name=_("Upheld complaints per 100 cases"),
        formula_text=_(
            "100 × complaints naming the person resolved in the period as upheld or partly upheld ÷ cases "
            "the person handled that were resolved in the period (as in “Cases handled”)."
        ),
        exclusions_text=_(
            "Complaints merged into another case; complaints not upheld or withdrawn. No value when the "
            "person resolved no case in the period."
        ),
        unit=Unit.PER_HUNDRED,
        higher_is_better=False,
        compute=_upheld_complaints,
    )
)
# One indicator per severity: the same count and exclusions, each with its own name and formula in words.
_VIOLATIONS_EXCLUDED = _(
    "Violations overturned on appeal; decisions not yet in effect (awaiting the staff member's "
    "response or HR approval); violations recorded but not decided."
)
for _severity, _name, _formula in (
    (
        Severity.MINOR,
        _("Minor violations"),
        _(
            "The number of violations of the code of conduct of minor severity decided against the "
            "person in the period whose decided step stands (in effect, under appeal, or closed without "
            "being overturned)."
        ),
    ),
    (
        Severity.GENERAL,
        _("General violations"),
        _(
            "The number of violations of the code of conduct of general severity decided against the "
            "person in the period whose decided step stands (in effect, under appeal, or closed without "
            "being overturned)."
        ),
    ),
    (
        Severity.SERIOUS,
        _("Serious violations"),
        _(
            "The number of violations of the code of conduct of serious severity decided against the "
            "person in the period whose decided step stands (in effect, under appeal, or closed without "
            "being overturned)."
        ),
    ),
):
    indicator_register(
        Indicator(
            code=f"violations_{_severity}",
            name=_name,
            formula_text=_formula,
            exclusions_text=_VIOLATIONS_EXCLUDED,
            unit=Unit.COUNT,
            higher_is_better=False,
            compute=_violations(_severity),
        )
    )
