"""The KPI library: each indicator's value, sample and exclusions on a small known data set, the period's day
boundaries in the organisation's time zone, no value without a sample, and a query count that does not grow
with the number of people."""

import datetime as dt
import itertools
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charter.accounts.models import Customer, User
from charter.assessment.evidence import Evidence
from charter.assessment.indicators import (
    INDICATORS,
    Indicator,
    Measure,
    Period,
    Unit,
    indicator_register,
)
from charter.cases.models import Case, CaseClock, CaseEvent, CaseMessage, CaseStatus
from charter.conduct.models import LadderStep, Severity, Violation
from charter.quality.models import Check, Finding, Review, Scorecard, ScorecardVersion
from charter.standards.models import StandardClause, StandardDocument
from charter.surveys.models import Response
from tests.accounts.factories import CustomerFactory, UserFactory
from tests.standards.conftest import Publisher, conduct, conduct_content, publish  # noqa: F401
from tests.surveys.factories import ResponseFactory
from tests.training.records_fixtures import indicator_training_rows

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARCH = Period(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
# Inside the period, and the two instants either side of its end in Shanghai (UTC+8).
MID_MARCH = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
LAST_MINUTE = dt.datetime(2026, 3, 31, 23, 59, tzinfo=SHANGHAI)
NEXT_MIDNIGHT = dt.datetime(2026, 4, 1, 0, 0, tzinfo=SHANGHAI)
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def organisation_zone(settings: Any) -> Iterator[None]:
    settings.TIME_ZONE = "Asia/Shanghai"
    yield


@pytest.fixture
def customer(db: None) -> Customer:
    return CustomerFactory.create()


@pytest.fixture
def alice(db: None) -> User:
    return UserFactory.create(username="alice.agent")


@pytest.fixture
def bob(db: None) -> User:
    return UserFactory.create(username="bob.agent")


def resolved_case(customer: Customer, *, at: dt.datetime | None, **fields: Any) -> Case:
    """A case stored as resolved at `at` (the indicators read stored rows, not the workflow)."""
    values: dict[str, Any] = {
        "number": f"TS-{next(_numbers)}",
        "kind": "complaint",
        "channel": "web",
        "title": "水费账单疑问",
        "description": "三月账单金额比平时高很多。",
        "status": CaseStatus.RESOLVED,
        "resolved_at": at,
    }
    values.update(fields)
    return Case.objects.create(customer=customer, **values)


def stopped_clock(case: Case, *, metric: str, status: str, at: dt.datetime) -> CaseClock:
    return CaseClock.objects.create(
        case=case,
        metric=metric,
        status=status,
        target_amount=4,
        target_unit="hours",
        target_basis="business",
        started_at=at - dt.timedelta(hours=2),
        stopped_at=at,
        met_at=at if status == CaseClock.Status.MET else None,
        breached_at=at if status == CaseClock.Status.BREACHED else None,
    )


def qa_review(customer: Customer, *, agent: User, at: dt.datetime, score: str, **fields: Any) -> Review:
    """A review of `agent`'s work on a case of its own, submitted at `at` with the overall `score`."""
    scorecard, _ = Scorecard.objects.get_or_create(code="default", defaults={"name_zh": "通用质检评分表"})
    version, _ = ScorecardVersion.objects.get_or_create(
        scorecard=scorecard, number=1, defaults={"status": "published", "published_at": at}
    )
    values: dict[str, Any] = {
        "status": Review.Status.SUBMITTED,
        "reason": Review.Reason.MANUAL,
        "sampled_at": at,
        "month": at.date().replace(day=1),
        "overall_score": Decimal(score),
        "submitted_at": at,
    }
    values.update(fields)
    return Review.objects.create(
        scorecard_version=version,
        case=resolved_case(customer, at=at, assignee=agent),
        agent=agent,
        reviewer=UserFactory.create(),
        **values,
    )


@pytest.fixture
def clause(conduct: StandardDocument, publish: Publisher) -> StandardClause:  # noqa: F811
    version = publish(
        conduct,
        [conduct_content("2.3", title_zh="友好耐心、禁用不当言辞")],
        effective_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )
    return version.clauses.get(number="2.3")


def violation(
    clause: StandardClause, *, staff: User, severity: str, at: dt.datetime, **fields: Any
) -> Violation:
    """A violation of `staff`'s decided at `at` (by default in effect)."""
    values: dict[str, Any] = {"status": Violation.Status.IN_EFFECT, "effective_at": at}
    values.update(fields)
    return Violation.objects.create(
        staff=staff,
        clause=clause,
        version=clause.version,
        occurred_at=at - dt.timedelta(days=1),
        description="对客户使用不耐烦用语。",
        severity=severity,
        recorded_by=UserFactory.create(),
        step=LadderStep.objects.order_by("position").first(),
        decided_at=at,
        **values,
    )


def response(*, csat: int | None, at: dt.datetime = MID_MARCH, **fields: Any) -> Response:
    return ResponseFactory.create(csat=csat, submitted_at=at, **fields)


def reply(case: Case, *, author: User, at: dt.datetime, is_internal: bool = False) -> CaseMessage:
    """A message `author` wrote on `case` at `at`: a public reply, or an internal note."""
    return CaseMessage.objects.create(
        case=case,
        author=author,
        author_kind="staff",
        body="您好，已为您核实。",
        is_internal=is_internal,
        created_at=at,
    )


def finding(clause: StandardClause, message: CaseMessage, *, check: str = Check.IMPROPER_WORDING) -> Finding:
    """A finding of the reply checks on `message` (its author is the agent)."""
    assert message.author is not None
    return Finding.objects.create(
        case=message.case,
        message=message,
        agent=message.author,
        check_code=check,
        key=f"{check}:{message.pk}",
        clause=clause,
        replied_at=message.created_at,
    )


def test_the_library_names_each_indicator_with_its_formula_and_exclusions() -> None:
    codes = (
        "volume_handled",
        "sla_first_response_met",
        "sla_resolution_met",
        "csat_satisfied",
        "qa_average",
        "upheld_complaints_per_100",
        "violations_serious",
    )
    for code in codes:
        indicator = INDICATORS[code]
        assert indicator.code == code
        assert str(indicator.formula_text) and str(indicator.exclusions_text)
    assert INDICATORS["bad_review_share"].higher_is_better is False


def test_a_second_indicator_with_a_registered_code_is_refused() -> None:
    copy = Indicator(
        code="volume_handled",
        name=INDICATORS["volume_handled"].name,
        formula_text=INDICATORS["volume_handled"].formula_text,
        exclusions_text=INDICATORS["volume_handled"].exclusions_text,
        unit=Unit.COUNT,
        higher_is_better=True,
        compute=lambda period, people: {person: Measure(value=None, sample=0) for person in people},
        evidence=lambda period, person: [],
    )
    with pytest.raises(ValueError, match="volume_handled"):
        indicator_register(copy)


def test_a_higher_app_registers_its_own_indicator(monkeypatch: pytest.MonkeyPatch) -> None:
    from charter.assessment import indicators

    monkeypatch.setattr(indicators, "INDICATORS", dict(INDICATORS))
    training = Indicator(
        code="training_completion",
        name=INDICATORS["volume_handled"].name,
        formula_text=INDICATORS["volume_handled"].formula_text,
        exclusions_text=INDICATORS["volume_handled"].exclusions_text,
        unit=Unit.PERCENT,
        higher_is_better=True,
        compute=lambda period, people: {person: Measure(value=None, sample=0) for person in people},
        evidence=lambda period, person: [],
    )

    indicator_register(training)

    assert indicators.INDICATORS["training_completion"] is training
    assert "training_completion" not in INDICATORS


def test_a_period_ends_on_or_after_its_start() -> None:
    with pytest.raises(ValueError):
        Period(start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 1))


def test_a_period_runs_from_local_midnight_to_the_next_local_midnight_after_its_last_day() -> None:
    start_at, end_at = MARCH.bounds()
    assert start_at == dt.datetime(2026, 2, 28, 16, 0, tzinfo=dt.UTC)
    assert end_at == dt.datetime(2026, 3, 31, 16, 0, tzinfo=dt.UTC)


def test_volume_counts_the_cases_resolved_in_the_period_by_their_handler(
    customer: Customer, alice: User, bob: User
) -> None:
    resolved_case(customer, at=MID_MARCH, assignee=alice, resolved_by=bob)
    # Nobody assigned: the resolver handled it.
    resolved_case(customer, at=MID_MARCH, resolved_by=alice)
    resolved_case(customer, at=LAST_MINUTE, assignee=alice, status=CaseStatus.CLOSED)
    resolved_case(customer, at=NEXT_MIDNIGHT, assignee=alice)
    survivor = resolved_case(customer, at=MID_MARCH, assignee=bob)
    resolved_case(customer, at=MID_MARCH, assignee=alice, merged_into=survivor)
    # Reopened: the resolution was cleared.
    resolved_case(customer, at=None, assignee=alice, status=CaseStatus.IN_PROGRESS)
    outsider = UserFactory.create()

    measures = INDICATORS["volume_handled"].compute(MARCH, [alice.pk, bob.pk, outsider.pk])

    assert measures[alice.pk] == Measure(value=Decimal(3), sample=3, excluded=1)
    assert measures[bob.pk] == Measure(value=Decimal(1), sample=1, excluded=0)
    assert measures[outsider.pk] == Measure(value=Decimal(0), sample=0, excluded=0)


def test_sla_share_counts_met_over_met_or_breached_clocks_of_each_kind(
    customer: Customer, alice: User, bob: User
) -> None:
    case = resolved_case(customer, at=MID_MARCH, assignee=alice)
    first, resolution = CaseClock.Metric.FIRST_RESPONSE, CaseClock.Metric.RESOLUTION
    for status in ("met", "met", "breached", "cancelled"):
        stopped_clock(case, metric=first, status=status, at=MID_MARCH)
    stopped_clock(case, metric=first, status="met", at=LAST_MINUTE)
    stopped_clock(case, metric=first, status="breached", at=NEXT_MIDNIGHT)
    stopped_clock(case, metric=resolution, status="breached", at=MID_MARCH)

    first_met = INDICATORS["sla_first_response_met"].compute(MARCH, [alice.pk, bob.pk])
    resolution_met = INDICATORS["sla_resolution_met"].compute(MARCH, [alice.pk, bob.pk])

    assert first_met[alice.pk] == Measure(value=Decimal("75.00"), sample=4, excluded=1)
    assert resolution_met[alice.pk] == Measure(value=Decimal("0.00"), sample=1, excluded=0)
    assert first_met[bob.pk] == Measure(value=None, sample=0, excluded=0)


def test_csat_and_bad_reviews_count_each_attributed_response_once(alice: User, bob: User) -> None:
    for score in (5, 4, 2):
        response(csat=score, handler=alice)
    response(csat=5, handler=alice, agents=[alice, bob])
    response(csat=1, handler=bob, agents=[alice])
    response(csat=None, handler=alice)
    response(csat=1, handler=alice, at=NEXT_MIDNIGHT)
    response(csat=3, handler=alice, at=LAST_MINUTE)

    satisfied = INDICATORS["csat_satisfied"].compute(MARCH, [alice.pk, bob.pk])
    bad = INDICATORS["bad_review_share"].compute(MARCH, [alice.pk, bob.pk])

    # alice: 5, 4, 2, 5, 1 and 3 (the last minute of the period); one response without a score.
    assert satisfied[alice.pk] == Measure(value=Decimal("50.00"), sample=6, excluded=1)
    assert bad[alice.pk] == Measure(value=Decimal("33.33"), sample=6, excluded=1)
    # bob: handler of the 1, agent on alice's 5.
    assert satisfied[bob.pk] == Measure(value=Decimal("50.00"), sample=2, excluded=0)


def test_qa_average_counts_auto_fails_as_zero_and_leaves_pending_disputes_out(
    customer: Customer, alice: User, bob: User
) -> None:
    qa_review(customer, agent=alice, at=MID_MARCH, score="90.00")
    qa_review(customer, agent=alice, at=MID_MARCH, score="0.00", is_auto_failed=True)
    qa_review(customer, agent=alice, at=LAST_MINUTE, score="85.00", status=Review.Status.DECIDED)
    qa_review(customer, agent=alice, at=MID_MARCH, score="40.00", status=Review.Status.DISPUTED)
    qa_review(customer, agent=alice, at=NEXT_MIDNIGHT, score="10.00")
    qa_review(
        customer, agent=bob, at=MID_MARCH, score="0.00", status=Review.Status.DISPUTED, is_auto_failed=True
    )

    measures = INDICATORS["qa_average"].compute(MARCH, [alice.pk, bob.pk])

    # (90 + 0 + 85) / 3
    assert measures[alice.pk] == Measure(value=Decimal("58.33"), sample=3, excluded=1)
    assert measures[bob.pk] == Measure(value=None, sample=0, excluded=1)


def test_upheld_complaints_naming_the_person_per_100_cases_he_handled(
    customer: Customer, alice: User, bob: User
) -> None:
    for _ in range(4):
        resolved_case(customer, at=MID_MARCH, assignee=alice, kind="inquiry")
    survivor = resolved_case(customer, at=MID_MARCH, assignee=bob)
    for at, outcome, fields in (
        (MID_MARCH, "upheld", {}),
        (LAST_MINUTE, "partly_upheld", {}),
        (NEXT_MIDNIGHT, "upheld", {}),
        (MID_MARCH, "not_upheld", {}),
        (MID_MARCH, "upheld", {"merged_into": survivor}),
    ):
        complaint = resolved_case(customer, at=at, assignee=bob, outcome=outcome, **fields)
        complaint.named_staff.add(alice)
    outsider = UserFactory.create()

    measures = INDICATORS["upheld_complaints_per_100"].compute(MARCH, [alice.pk, outsider.pk])

    # Two upheld complaints over four cases handled; the merged one is shown as excluded.
    assert measures[alice.pk] == Measure(value=Decimal("50.00"), sample=4, excluded=1)
    assert measures[outsider.pk] == Measure(value=None, sample=0, excluded=0)


def test_violations_count_the_standing_decisions_of_each_severity(
    clause: StandardClause, alice: User, bob: User
) -> None:
    violation(clause, staff=alice, severity=Severity.MINOR, at=MID_MARCH)
    violation(clause, staff=alice, severity=Severity.MINOR, at=LAST_MINUTE, status=Violation.Status.APPEALED)
    violation(clause, staff=alice, severity=Severity.MINOR, at=NEXT_MIDNIGHT)
    violation(
        clause,
        staff=alice,
        severity=Severity.MINOR,
        at=MID_MARCH,
        status=Violation.Status.CLOSED,
        appeal_outcome=Violation.AppealOutcome.OVERTURNED,
    )
    violation(clause, staff=alice, severity=Severity.SERIOUS, at=MID_MARCH, status="awaiting_response")
    violation(clause, staff=alice, severity=Severity.GENERAL, at=MID_MARCH, status=Violation.Status.CLOSED)

    minor = INDICATORS["violations_minor"].compute(MARCH, [alice.pk, bob.pk])
    general = INDICATORS["violations_general"].compute(MARCH, [alice.pk])
    serious = INDICATORS["violations_serious"].compute(MARCH, [alice.pk])

    assert minor[alice.pk] == Measure(value=Decimal(2), sample=2, excluded=1)
    assert general[alice.pk] == Measure(value=Decimal(1), sample=1, excluded=0)
    assert serious[alice.pk] == Measure(value=Decimal(0), sample=0, excluded=1)
    assert minor[bob.pk] == Measure(value=Decimal(0), sample=0, excluded=0)


def test_no_answer_means_no_value(alice: User) -> None:
    response(csat=None, handler=alice)

    measure = INDICATORS["csat_satisfied"].compute(MARCH, [alice.pk])[alice.pk]

    assert measure == Measure(value=None, sample=0, excluded=1)


@pytest.mark.parametrize("code", sorted(INDICATORS))
def test_an_indicator_answers_for_twenty_people_in_as_many_queries_as_for_one(
    code: str, customer: Customer, clause: StandardClause, django_assert_max_num_queries: Any
) -> None:
    people = UserFactory.create_batch(20)
    for person in people:
        case = resolved_case(customer, at=MID_MARCH, assignee=person, outcome="upheld")
        case.named_staff.add(person)
        for metric in (CaseClock.Metric.FIRST_RESPONSE, CaseClock.Metric.RESOLUTION):
            stopped_clock(case, metric=metric, status="met", at=MID_MARCH)
        response(csat=4, nps=9, handler=person, agents=[people[0]])
        qa_review(customer, agent=person, at=MID_MARCH, score="80.00")
        for severity in Severity.values:
            violation(clause, staff=person, severity=severity, at=MID_MARCH)
        praise = resolved_case(customer, at=None, kind="praise", received_at=MID_MARCH, status="new")
        praise.named_staff.add(person)
        finding(clause, reply(case, author=person, at=MID_MARCH))
        indicator_training_rows(person, due_on=MID_MARCH.date(), completed_at=MID_MARCH)
    indicator = INDICATORS[code]

    with django_assert_max_num_queries(2), CaptureQueriesContext(connection) as for_one:
        one = indicator.compute(MARCH, [people[0].pk])
    with django_assert_max_num_queries(2), CaptureQueriesContext(connection) as for_twenty:
        everyone = indicator.compute(MARCH, [person.pk for person in people])

    assert len(for_one) == len(for_twenty)
    assert len(one) == 1 and len(everyone) == 20
    assert all(measure.sample >= 1 for measure in everyone.values())


# The indicators added with the drill-down --------------------------------------------------------------


def counted_in_sample(rows: list[Evidence]) -> int:
    return sum(1 for row in rows if row.counted and row.in_sample)


def left_out(rows: list[Evidence]) -> int:
    return sum(1 for row in rows if not row.counted)


@time_machine.travel(dt.datetime(2026, 5, 1, tzinfo=dt.UTC))
def test_first_contact_resolution_leaves_out_reopened_cases_and_customers_who_came_back(
    customer: Customer, alice: User, bob: User, settings: Any
) -> None:
    settings.ASSESSMENT_FCR_REPEAT_DAYS = 7
    clean = resolved_case(customer, at=MID_MARCH, assignee=alice)
    reopened = resolved_case(customer, at=MID_MARCH, assignee=alice)
    CaseEvent.objects.create(case=reopened, kind=CaseEvent.Kind.REOPENED, occurred_at=MID_MARCH)
    repeated = resolved_case(customer, at=LAST_MINUTE, assignee=alice)
    # The customer writes again about the same (no) service five days later: a repeat.
    resolved_case(customer, at=None, status="new", received_at=LAST_MINUTE + dt.timedelta(days=5))
    # Another customer, or eight days later: not a repeat of alice's first case.
    resolved_case(
        CustomerFactory.create(), at=None, status="new", received_at=MID_MARCH + dt.timedelta(days=1)
    )
    resolved_case(customer, at=None, status="new", received_at=MID_MARCH + dt.timedelta(days=8))
    survivor = resolved_case(customer, at=MID_MARCH, assignee=bob)
    resolved_case(customer, at=MID_MARCH, assignee=alice, merged_into=survivor)

    indicator = INDICATORS["first_contact_resolution"]
    measures = indicator.compute(MARCH, [alice.pk, bob.pk])
    rows = indicator.evidence(MARCH, alice.pk)

    # One of three (clean); the merged case is excluded.
    assert measures[alice.pk] == Measure(value=Decimal("33.33"), sample=3, excluded=1)
    assert [row.object_id for row in rows if row.is_hit] == [clean.pk]
    assert counted_in_sample(rows) == 3 and left_out(rows) == 1
    assert {row.object_id for row in rows if row.counted and not row.is_hit} == {reopened.pk, repeated.pk}
    # A repeat window of 10 days also catches the case eight days after the clean one.
    settings.ASSESSMENT_FCR_REPEAT_DAYS = 10
    assert indicator.compute(MARCH, [alice.pk])[alice.pk].value == Decimal("0.00")


@time_machine.travel(dt.datetime(2026, 4, 3, tzinfo=dt.UTC))
def test_first_contact_resolution_waits_until_the_repeat_window_is_over(
    customer: Customer, alice: User
) -> None:
    resolved_case(customer, at=MID_MARCH, assignee=alice)
    late = resolved_case(customer, at=LAST_MINUTE, assignee=alice)

    indicator = INDICATORS["first_contact_resolution"]
    measure = indicator.compute(MARCH, [alice.pk])[alice.pk]
    rows = indicator.evidence(MARCH, alice.pk)

    assert measure == Measure(value=Decimal("100.00"), sample=1, excluded=1)
    assert [(row.object_id, row.counted) for row in rows] == [(late.pk, False), (rows[1].object_id, True)]
    assert str(rows[0].reason) == "办结后计算重复来件的天数尚未届满。"


def test_nps_is_promoters_less_detractors_over_answers(alice: User, bob: User) -> None:
    for score in (10, 9, 9, 8, 3):
        response(csat=None, nps=score, handler=alice)
    response(csat=5, nps=None, handler=alice)
    response(csat=None, nps=0, handler=alice, at=NEXT_MIDNIGHT)
    excluded = response(
        csat=1, nps=0, handler=alice, assessment_excluded_at=MID_MARCH, assessment_exclusion="appeal_upheld"
    )

    indicator = INDICATORS["nps_attributed"]
    measures = indicator.compute(MARCH, [alice.pk, bob.pk])
    rows = indicator.evidence(MARCH, alice.pk)

    # (3 promoters − 1 detractor) ÷ 5 answers.
    assert measures[alice.pk] == Measure(value=Decimal("40.00"), sample=5, excluded=1)
    assert measures[bob.pk] == Measure(value=None, sample=0)
    assert counted_in_sample(rows) == 5 and sum(row.is_hit for row in rows) == 3
    assert [row.object_id for row in rows if not row.counted] == [excluded.pk]


def test_nps_reaches_minus_100_when_everyone_is_a_detractor(alice: User, bob: User) -> None:
    response(csat=None, nps=6, handler=alice)
    # As an agent who answered the customer on bob's case.
    response(csat=None, nps=0, handler=bob, agents=[alice])

    measure = INDICATORS["nps_attributed"].compute(MARCH, [alice.pk])[alice.pk]

    assert measure == Measure(value=Decimal("-100.00"), sample=2)


def test_csat_leaves_out_responses_excluded_from_assessment(alice: User) -> None:
    response(csat=5, handler=alice)
    response(csat=1, handler=alice, assessment_excluded_at=MID_MARCH, assessment_exclusion="not_valid")

    indicator = INDICATORS["bad_review_share"]
    measure = indicator.compute(MARCH, [alice.pk])[alice.pk]
    rows = indicator.evidence(MARCH, alice.pk)

    assert measure == Measure(value=Decimal("0.00"), sample=1, excluded=1)
    assert counted_in_sample(rows) == 1 and left_out(rows) == 1


def test_qa_compliance_is_the_share_of_scored_reviews_without_an_auto_fail(
    customer: Customer, alice: User, bob: User
) -> None:
    qa_review(customer, agent=alice, at=MID_MARCH, score="90.00")
    qa_review(customer, agent=alice, at=MID_MARCH, score="70.00")
    qa_review(customer, agent=alice, at=MID_MARCH, score="0.00", is_auto_failed=True)
    qa_review(customer, agent=alice, at=MID_MARCH, score="60.00", status=Review.Status.DECIDED)
    qa_review(
        customer, agent=alice, at=MID_MARCH, score="0.00", status=Review.Status.DISPUTED, is_auto_failed=True
    )
    qa_review(customer, agent=alice, at=NEXT_MIDNIGHT, score="0.00", is_auto_failed=True)

    indicator = INDICATORS["qa_compliance"]
    measures = indicator.compute(MARCH, [alice.pk, bob.pk])
    rows = indicator.evidence(MARCH, alice.pk)

    assert measures[alice.pk] == Measure(value=Decimal("75.00"), sample=4, excluded=1)
    assert measures[bob.pk] == Measure(value=None, sample=0)
    assert counted_in_sample(rows) == 4 and sum(row.is_hit for row in rows) == 3 and left_out(rows) == 1


def test_reply_check_findings_count_per_100_public_replies(
    customer: Customer, clause: StandardClause, alice: User, bob: User
) -> None:
    case = resolved_case(customer, at=MID_MARCH, assignee=alice)
    replies = [reply(case, author=alice, at=MID_MARCH) for _ in range(3)]
    finding(clause, replies[0])
    finding(clause, replies[0], check=Check.MISSING_GREETING)
    reply(case, author=alice, at=LAST_MINUTE)
    # Neither a note nor next month's reply counts.
    reply(case, author=alice, at=MID_MARCH, is_internal=True)
    finding(clause, reply(case, author=alice, at=NEXT_MIDNIGHT))

    indicator = INDICATORS["reply_check_findings_per_100"]
    measures = indicator.compute(MARCH, [alice.pk, bob.pk])
    rows = indicator.evidence(MARCH, alice.pk)

    assert measures[alice.pk] == Measure(value=Decimal("50.00"), sample=4, excluded=0)
    assert measures[bob.pk] == Measure(value=None, sample=0)
    assert counted_in_sample(rows) == 4
    assert sorted(row.kind for row in rows if not row.in_sample) == ["finding", "finding"]


def working_clock(
    case: Case, *, metric: str, start: dt.datetime, stop: dt.datetime, **fields: Any
) -> CaseClock:
    return CaseClock.objects.create(
        case=case,
        metric=metric,
        status=fields.pop("status", CaseClock.Status.MET),
        target_amount=8,
        target_unit="hours",
        target_basis=fields.pop("basis", "working_time"),
        started_at=start,
        stopped_at=stop,
        **fields,
    )


def test_average_minutes_count_working_time_less_pauses(customer: Customer, alice: User, bob: User) -> None:
    case = resolved_case(customer, at=MID_MARCH, assignee=alice)
    first = CaseClock.Metric.FIRST_RESPONSE
    tuesday = dt.datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)
    # 09:00-10:00 of a working Tuesday (built-in calendar 09:00-12:00, 13:30-17:30): 60 minutes.
    working_clock(case, metric=first, start=tuesday, stop=tuesday + dt.timedelta(hours=1))
    # 11:00 to 14:30 holds 1 h before lunch and 1 h after it; 30 minutes were paused: 90 minutes.
    working_clock(
        case,
        metric=first,
        start=tuesday + dt.timedelta(hours=2),
        stop=tuesday + dt.timedelta(hours=5, minutes=30),
        paused_seconds=1800,
        status=CaseClock.Status.BREACHED,
    )
    # A 24x7 target counts every hour: Saturday 10:00-10:45 is 45 minutes.
    saturday = dt.datetime(2026, 3, 14, 10, 0, tzinfo=SHANGHAI)
    working_clock(
        case, metric=first, start=saturday, stop=saturday + dt.timedelta(minutes=45), basis="calendar_time"
    )
    working_clock(case, metric=first, start=tuesday, stop=tuesday, status=CaseClock.Status.CANCELLED)
    working_clock(
        case, metric=CaseClock.Metric.RESOLUTION, start=tuesday, stop=tuesday + dt.timedelta(hours=2)
    )

    indicator = INDICATORS["first_response_minutes_avg"]
    measures = indicator.compute(MARCH, [alice.pk, bob.pk])
    rows = indicator.evidence(MARCH, alice.pk)

    assert measures[alice.pk] == Measure(value=Decimal("65.00"), sample=3, excluded=1)
    assert measures[bob.pk] == Measure(value=None, sample=0)
    assert INDICATORS["resolution_minutes_avg"].compute(MARCH, [alice.pk])[alice.pk].value == Decimal(
        "120.00"
    )
    assert counted_in_sample(rows) == 3 and left_out(rows) == 1
    assert sorted(str(row.detail) for row in rows if row.counted) == [
        "45.00 分钟",
        "60.00 分钟",
        "90.00 分钟",
    ]


def test_commendations_count_praise_naming_the_person(customer: Customer, alice: User, bob: User) -> None:
    def praise(at: dt.datetime, **fields: Any) -> Case:
        fields.setdefault("status", CaseStatus.NEW)
        case = resolved_case(customer, at=None, kind="praise", received_at=at, **fields)
        case.named_staff.add(alice)
        return case

    praise(MID_MARCH)
    praise(LAST_MINUTE, status=CaseStatus.RESOLVED)
    praise(NEXT_MIDNIGHT)
    praise(MID_MARCH, status=CaseStatus.CANCELLED)
    # A complaint naming her is no commendation.
    resolved_case(customer, at=MID_MARCH, received_at=MID_MARCH).named_staff.add(alice)

    indicator = INDICATORS["commendations"]
    measures = indicator.compute(MARCH, [alice.pk, bob.pk])
    rows = indicator.evidence(MARCH, alice.pk)

    assert measures[alice.pk] == Measure(value=Decimal(2), sample=2, excluded=1)
    assert measures[bob.pk] == Measure(value=Decimal(0), sample=0)
    assert counted_in_sample(rows) == 2 and left_out(rows) == 1


def test_the_evidence_of_upheld_complaints_shows_the_cases_and_the_complaints(
    customer: Customer, alice: User, bob: User
) -> None:
    handled = [resolved_case(customer, at=MID_MARCH, assignee=alice, kind="inquiry") for _ in range(2)]
    complaint = resolved_case(customer, at=LAST_MINUTE, assignee=bob, outcome="upheld")
    complaint.named_staff.add(alice)

    rows = INDICATORS["upheld_complaints_per_100"].evidence(MARCH, alice.pk)

    assert rows[0].object_id == complaint.pk and rows[0].is_hit and not rows[0].in_sample
    assert {row.object_id for row in rows if row.in_sample} == {case.pk for case in handled}


@pytest.mark.parametrize("code", sorted(INDICATORS))
def test_the_evidence_agrees_with_the_measure(
    code: str, customer: Customer, clause: StandardClause, alice: User
) -> None:
    survivor = resolved_case(customer, at=MID_MARCH)
    for merged_into in (None, survivor):
        case = resolved_case(
            customer, at=MID_MARCH, assignee=alice, outcome="upheld", merged_into=merged_into
        )
        case.named_staff.add(alice)
        praise = resolved_case(customer, at=None, kind="praise", status="new", received_at=MID_MARCH)
        praise.named_staff.add(alice)
        praise.merged_into = merged_into
        praise.save()
    for status in ("met", "breached", "cancelled"):
        for metric in (CaseClock.Metric.FIRST_RESPONSE, CaseClock.Metric.RESOLUTION):
            stopped_clock(case, metric=metric, status=status, at=MID_MARCH)
    for csat, nps in ((5, 10), (1, 2), (None, None)):
        response(csat=csat, nps=nps, handler=alice)
    response(csat=2, nps=1, handler=alice, assessment_excluded_at=MID_MARCH, assessment_exclusion="not_valid")
    qa_review(customer, agent=alice, at=MID_MARCH, score="80.00")
    qa_review(customer, agent=alice, at=MID_MARCH, score="0.00", is_auto_failed=True)
    qa_review(customer, agent=alice, at=MID_MARCH, score="50.00", status=Review.Status.DISPUTED)
    for severity in Severity.values:
        violation(clause, staff=alice, severity=severity, at=MID_MARCH)
        violation(clause, staff=alice, severity=severity, at=MID_MARCH, status="awaiting_response")
    finding(clause, reply(case, author=alice, at=MID_MARCH))
    reply(case, author=alice, at=MID_MARCH)
    indicator_training_rows(alice, due_on=MID_MARCH.date(), completed_at=MID_MARCH)
    indicator = INDICATORS[code]

    with time_machine.travel(dt.datetime(2026, 6, 1, tzinfo=dt.UTC)):
        measure = indicator.compute(MARCH, [alice.pk])[alice.pk]
        rows = indicator.evidence(MARCH, alice.pk)

    assert measure.sample >= 1
    assert counted_in_sample(rows) == measure.sample
    assert left_out(rows) == measure.excluded
    assert all(row.reason for row in rows if not row.counted)
    assert rows == sorted(rows, key=lambda row: row.at or MID_MARCH, reverse=True)


@pytest.mark.parametrize("code", ["first_response_minutes_avg", "resolution_minutes_avg"])
def test_minutes_in_working_time_read_the_calendars_once_whatever_the_number_of_people(
    code: str, customer: Customer, team: Any
) -> None:
    people = UserFactory.create_batch(20)
    tuesday = dt.datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)
    for person in people:
        case = resolved_case(customer, at=MID_MARCH, assignee=person, team=team)
        for metric in (CaseClock.Metric.FIRST_RESPONSE, CaseClock.Metric.RESOLUTION):
            working_clock(case, metric=metric, start=tuesday, stop=tuesday + dt.timedelta(minutes=30))
    indicator = INDICATORS[code]

    with CaptureQueriesContext(connection) as one:
        single = indicator.compute(MARCH, [people[0].pk])
    with CaptureQueriesContext(connection) as twenty:
        everyone = indicator.compute(MARCH, [person.pk for person in people])

    assert len(twenty) == len(one) <= 8
    assert single[people[0].pk].value == Decimal("30.00")
    assert all(measure.value == Decimal("30.00") for measure in everyone.values())
