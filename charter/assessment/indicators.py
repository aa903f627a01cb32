"""The KPI library: named, documented computations over a period for many people at once.

An `Indicator` states its formula and what it leaves out in words (shown on the scorecard, in both
languages) and computes a `Measure` (value, sample size, rows excluded) for every person of a cycle in a
fixed number of queries: each reads a lower app's selector that groups by the person, never a query per
person. The value is None when the sample is empty, so "no data" never reads as 0%.

Schemes name indicators by `code` in `INDICATORS`. `indicator_register` lets another module add one; the
training indicators are registered here, since assessment may read the training app's selectors
(`charter.training.selectors`) while training never imports assessment (tests/test_layers.py): a
registration from training's `AppConfig.ready()` would be an upward import.

Every indicator also answers `evidence(period, person)`: the rows behind its number (see
`charter/assessment/evidence.py`), read through the same selectors' filters, so the counted rows are the
sample and each row left out says why.

Settings: ASSESSMENT_FCR_REPEAT_DAYS (default 7) is how many days after a resolution a new case of the same
customer on the same service makes it a repeat for `first_contact_resolution`; read when computing, never at
import.

Training: `training_on_time` is the share of a person's assignments due in the period that he completed by
the end of the due day (waived ones, and those still open and not yet due, left out); `valid_certificates`
is the share of the qualification-granting courses assigned to him (not waived) by the period's end for
which he holds a certificate valid on its last day: a share rather than a count, so that people asked for
different numbers of qualifications compare, and no value for someone asked for none.

A survey response excluded from assessment (a 好差评 review ruled not valid, or an upheld appeal) counts in
no survey indicator; it is shown as excluded, with the reason.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from charter.assessment.evidence import (
    EvidenceOf,
    clock_minutes_evidence,
    commendations_evidence,
    csat_evidence,
    fcr_repeat_days,
    first_contact_evidence,
    nps_evidence,
    qa_evidence,
    reply_findings_evidence,
    sla_met_evidence,
    training_on_time_evidence,
    upheld_complaints_evidence,
    valid_certificates_evidence,
    violations_evidence,
    volume_handled_evidence,
)
from charter.cases.models import CaseClock
from charter.cases.selectors import (
    case_clock_minutes_by_handler,
    case_clock_tally_by_handler,
    case_first_contact_tally_by_handler,
    case_praise_tally_by_named_staff,
    case_reply_tally_by_author,
    case_resolved_tally_by_handler,
    case_upheld_complaint_tally_by_named_staff,
)
from charter.common.dates import day_end, day_start
from charter.conduct.models import Severity
from charter.conduct.selectors import violation_tally_by_staff
from charter.quality.selectors import (
    finding_tally_by_agent,
    review_score_tally_by_agent,
)
from charter.surveys.selectors import (
    response_csat_tally_by_person,
    response_nps_tally_by_person,
)
from charter.training.selectors import assignments_due_in, certificates_required

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
    `compute(period, people)` returning a Measure for every id of `people` in a bounded number of queries,
    and `evidence(period, person)` returning the rows behind one person's Measure (at most
    EVIDENCE_LIMIT, newest first; see charter/assessment/evidence.py)."""

    code: str
    name: Promise
    formula_text: Promise
    exclusions_text: Promise
    unit: Unit
    higher_is_better: bool
    compute: Compute
    evidence: EvidenceOf


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
                value=share(part, tally.answered),
                sample=tally.answered,
                excluded=tally.skipped + tally.excluded,
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


def _average(total: Decimal, count: int) -> Decimal | None:
    if count == 0:
        return None
    return (total / count).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def _first_contact(period: Period, people: Sequence[int]) -> dict[int, Measure]:
    start_at, end_at = period.bounds()
    tallies = case_first_contact_tally_by_handler(
        start_at=start_at, end_at=end_at, people=people, repeat_days=fcr_repeat_days(), now=timezone.now()
    )
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


def _nps(period: Period, people: Sequence[int]) -> dict[int, Measure]:
    start_at, end_at = period.bounds()
    tallies = response_nps_tally_by_person(start_at=start_at, end_at=end_at, people=people)
    result = {}
    for person in people:
        tally = tallies.get(person)
        if tally is None:
            result[person] = Measure(value=None, sample=0)
            continue
        value = None
        if tally.answered:
            value = (Decimal(100) * (tally.promoters - tally.detractors) / tally.answered).quantize(
                HUNDREDTH, rounding=ROUND_HALF_UP
            )
        result[person] = Measure(value=value, sample=tally.answered, excluded=tally.excluded)
    return result


def _qa_compliance(period: Period, people: Sequence[int]) -> dict[int, Measure]:
    start_at, end_at = period.bounds()
    tallies = review_score_tally_by_agent(start_at=start_at, end_at=end_at, people=people)
    result = {}
    for person in people:
        tally = tallies.get(person)
        if tally is None:
            result[person] = Measure(value=None, sample=0)
            continue
        result[person] = Measure(
            value=share(tally.scored - tally.auto_failed, tally.scored),
            sample=tally.scored,
            excluded=tally.disputed,
        )
    return result


def _reply_findings(period: Period, people: Sequence[int]) -> dict[int, Measure]:
    start_at, end_at = period.bounds()
    replies = case_reply_tally_by_author(start_at=start_at, end_at=end_at, people=people)
    findings = finding_tally_by_agent(start_at=start_at, end_at=end_at, people=people)
    result = {}
    for person in people:
        sent = replies.get(person, 0)
        result[person] = Measure(value=share(findings.get(person, 0), sent), sample=sent)
    return result


def _clock_minutes(metric: str) -> Compute:
    def compute(period: Period, people: Sequence[int]) -> dict[int, Measure]:
        start_at, end_at = period.bounds()
        tallies = case_clock_minutes_by_handler(
            metric=metric, start_at=start_at, end_at=end_at, people=people
        )
        result = {}
        for person in people:
            tally = tallies.get(person)
            if tally is None:
                result[person] = Measure(value=None, sample=0)
            else:
                result[person] = Measure(
                    value=_average(tally.minutes, tally.counted),
                    sample=tally.counted,
                    excluded=tally.excluded,
                )
        return result

    return compute


def _commendations(period: Period, people: Sequence[int]) -> dict[int, Measure]:
    start_at, end_at = period.bounds()
    tallies = case_praise_tally_by_named_staff(start_at=start_at, end_at=end_at, people=people)
    result = {}
    for person in people:
        tally = tallies.get(person)
        counted, excluded = (tally.counted, tally.excluded) if tally else (0, 0)
        # A count of zero is a result, not missing data.
        result[person] = Measure(value=Decimal(counted), sample=counted, excluded=excluded)
    return result


def _training_on_time(period: Period, people: Sequence[int]) -> dict[int, Measure]:
    counted: dict[int, int] = dict.fromkeys(people, 0)
    on_time: dict[int, int] = dict.fromkeys(people, 0)
    excluded: dict[int, int] = dict.fromkeys(people, 0)
    for due in assignments_due_in(start=period.start, end=period.end, people=people):
        if due.status == "waived" or due.not_due_yet:
            excluded[due.person_id] += 1
            continue
        counted[due.person_id] += 1
        on_time[due.person_id] += int(due.on_time)
    return {
        person: Measure(
            value=share(on_time[person], counted[person]), sample=counted[person], excluded=excluded[person]
        )
        for person in people
    }


def _valid_certificates(period: Period, people: Sequence[int]) -> dict[int, Measure]:
    required: dict[int, int] = dict.fromkeys(people, 0)
    held: dict[int, int] = dict.fromkeys(people, 0)
    for row in certificates_required(on=period.end, people=people):
        required[row.person_id] += 1
        held[row.person_id] += int(row.certificate_id is not None)
    return {
        person: Measure(value=share(held[person], required[person]), sample=required[person])
        for person in people
    }


_SURVEY_EXCLUDED = _(
    "Responses without a satisfaction answer; responses excluded from assessment (a bad review ruled not "
    "valid when verified, or whose appeal was upheld)."
)
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
        evidence=volume_handled_evidence,
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
        evidence=sla_met_evidence(CaseClock.Metric.FIRST_RESPONSE),
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
        evidence=sla_met_evidence(CaseClock.Metric.RESOLUTION),
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
        exclusions_text=_SURVEY_EXCLUDED,
        unit=Unit.PERCENT,
        higher_is_better=True,
        compute=_csat(is_dissatisfied=False),
        evidence=csat_evidence(is_dissatisfied=False),
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
        exclusions_text=_SURVEY_EXCLUDED,
        unit=Unit.PERCENT,
        higher_is_better=False,
        compute=_csat(is_dissatisfied=True),
        evidence=csat_evidence(is_dissatisfied=True),
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
        evidence=qa_evidence(is_compliance=False),
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
        evidence=upheld_complaints_evidence,
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
            evidence=violations_evidence(_severity),
        )
    )
indicator_register(
    Indicator(
        code="first_contact_resolution",
        name=_("First-contact resolution"),
        formula_text=_(
            "100 × cases resolved at first contact ÷ cases the person handled that were resolved in the "
            "period (as in “Cases handled”). A case is resolved at first contact when it was never "
            "reopened and no case of the same customer on the same service (or also without a service) was "
            "received within the repeat window after its resolution (ASSESSMENT_FCR_REPEAT_DAYS, 7 days "
            "unless configured)."
        ),
        exclusions_text=_(
            "Cases merged into another case; cases whose repeat window after the resolution is not over yet "
            "when the scorecard is computed (they count once it is)."
        ),
        unit=Unit.PERCENT,
        higher_is_better=True,
        compute=_first_contact,
        evidence=first_contact_evidence,
    )
)
indicator_register(
    Indicator(
        code="nps_attributed",
        name=_("Net promoter score (NPS)"),
        formula_text=_(
            "100 × (promoters − detractors) ÷ all answers on the 0-10 recommendation scale, from −100 to "
            "100: promoters answered 9 or 10, detractors 0 to 6; over the survey responses received in the "
            "period and attributed to the person as handler or as an agent who answered the customer (each "
            "response once)."
        ),
        exclusions_text=_(
            "Responses without a recommendation answer; responses excluded from assessment (a bad review "
            "ruled not valid when verified, or whose appeal was upheld)."
        ),
        unit=Unit.POINTS,
        higher_is_better=True,
        compute=_nps,
        evidence=nps_evidence,
    )
)
indicator_register(
    Indicator(
        code="qa_compliance",
        name=_("Quality reviews without an auto-fail"),
        formula_text=_(
            "100 × scored quality reviews of the person's work with no auto-fail criterion failed ÷ all "
            "scored reviews submitted in the period; a disputed review counts as decided on the dispute."
        ),
        exclusions_text=_("Reviews whose dispute is still waiting for a decision; reviews not yet scored."),
        unit=Unit.PERCENT,
        higher_is_better=True,
        compute=_qa_compliance,
        evidence=qa_evidence(is_compliance=True),
    )
)
indicator_register(
    Indicator(
        code="reply_check_findings_per_100",
        name=_("Reply-check findings per 100 replies"),
        formula_text=_(
            "100 × findings the automatic reply checks recorded on the person's replies sent in the period "
            "(improper wording, jargon, a missing greeting, personal data, a late reply; each finding once, "
            "sent despite the warning or not) ÷ public replies the person sent to customers in the period."
        ),
        exclusions_text=_(
            "Internal notes (never checked). No value when the person sent no reply in the period."
        ),
        unit=Unit.PER_HUNDRED,
        higher_is_better=False,
        compute=_reply_findings,
        evidence=reply_findings_evidence,
    )
)
indicator_register(
    Indicator(
        code="first_response_minutes_avg",
        name=_("Average first-response time"),
        formula_text=_(
            "The average time, in minutes, the first-response clocks stopped in the period on the cases the "
            "person handles ran from the case's arrival to the first reply: working time of the clock's "
            "calendar for targets counted in working time (every hour for those counted in calendar time), "
            "less the time the clock was paused."
        ),
        exclusions_text=_(
            "Clocks cancelled because the case was withdrawn or merged; clocks still running at the end of "
            "the period (counted in the period in which they stop)."
        ),
        unit=Unit.MINUTES,
        higher_is_better=False,
        compute=_clock_minutes(CaseClock.Metric.FIRST_RESPONSE),
        evidence=clock_minutes_evidence(CaseClock.Metric.FIRST_RESPONSE),
    )
)
indicator_register(
    Indicator(
        code="resolution_minutes_avg",
        name=_("Average resolution time"),
        formula_text=_(
            "The average time, in minutes, the resolution clocks stopped in the period on the cases the "
            "person handles ran from the case's arrival to its resolution: working time of the clock's "
            "calendar for targets counted in working time (every hour for those counted in calendar time), "
            "less the time the clock was paused (waiting for the customer)."
        ),
        exclusions_text=_(
            "Clocks cancelled because the case was withdrawn or merged; clocks still running at the end of "
            "the period (counted in the period in which they stop)."
        ),
        unit=Unit.MINUTES,
        higher_is_better=False,
        compute=_clock_minutes(CaseClock.Metric.RESOLUTION),
        evidence=clock_minutes_evidence(CaseClock.Metric.RESOLUTION),
    )
)
indicator_register(
    Indicator(
        code="commendations",
        name=_("Commendations"),
        formula_text=_("The number of praise cases received in the period that name the person."),
        exclusions_text=_("Praise merged into another case (the surviving case counts); cancelled praise."),
        unit=Unit.COUNT,
        higher_is_better=True,
        compute=_commendations,
        evidence=commendations_evidence,
    )
)
indicator_register(
    Indicator(
        code="training_on_time",
        name=_("Training completed on time"),
        formula_text=_(
            "100 × training assignments due in the period that the person completed by the end of the due "
            "day ÷ training assignments due in the period."
        ),
        exclusions_text=_(
            "Assignments waived; assignments still open whose due day has not passed yet when the scorecard "
            "is computed. No value when nothing was due."
        ),
        unit=Unit.PERCENT,
        higher_is_better=True,
        compute=_training_on_time,
        evidence=training_on_time_evidence,
    )
)
indicator_register(
    Indicator(
        code="valid_certificates",
        name=_("Valid certificates"),
        formula_text=_(
            "100 × qualification-granting courses assigned to the person by the end of the period for which "
            "he holds a certificate valid on its last day (issued, not expired, not revoked) ÷ those "
            "courses."
        ),
        exclusions_text=_(
            "Courses whose assignments were all waived; courses that grant no qualification. No value when "
            "no qualification-granting course was assigned."
        ),
        unit=Unit.PERCENT,
        higher_is_better=True,
        compute=_valid_certificates,
        evidence=valid_certificates_evidence,
    )
)
