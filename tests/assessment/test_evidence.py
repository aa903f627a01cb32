"""The drill-down rows' links: a reader gets the desk address of an object only when the owning app lets him
see it (cases, reviews, violations), and plain text (None) otherwise; a list's links cost one query per
kind, not one per row."""

import dataclasses
import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charter.accounts.models import Customer, Team, User
from charter.assessment.evidence import Evidence, EvidenceKind, evidence_link, evidence_links
from charter.assessment.indicators import INDICATORS
from charter.cases.models import Case
from charter.conduct.models import Severity
from charter.standards.models import StandardClause
from tests.accounts.factories import CustomerFactory
from tests.assessment.test_indicators import (  # noqa: F401
    MARCH,
    MID_MARCH,
    clause,
    organisation_zone,
    qa_review,
    resolved_case,
    violation,
)
from tests.standards.conftest import Publisher, conduct, conduct_content, publish  # noqa: F401


@pytest.fixture
def customer(db: None) -> Customer:
    return CustomerFactory.create()


def case_row(case: Case, kind: EvidenceKind = EvidenceKind.CASE, object_id: int | None = None) -> Evidence:
    return Evidence(
        kind=kind,
        object_id=case.pk if object_id is None else object_id,
        label=case.number,
        at=MID_MARCH,
        counted=True,
        case_id=case.pk,
    )


def test_a_row_is_a_frozen_value(customer: Customer, team: Team) -> None:
    row = case_row(resolved_case(customer, at=MID_MARCH, team=team))

    with pytest.raises(dataclasses.FrozenInstanceError):
        row.counted = False  # type: ignore[misc]


def test_a_case_links_to_its_desk_page_only_for_those_who_see_it(
    customer: Customer, team: Team, member: User, teammate: User, outsider: User
) -> None:
    case = resolved_case(customer, at=MID_MARCH, team=team, assignee=member)
    row = case_row(case)

    assert evidence_link(row, teammate) == f"/desk/cases/{case.number}/"
    assert evidence_link(row, outsider) is None


def test_a_complaint_never_links_for_the_person_it_names(
    customer: Customer, team: Team, member: User, teammate: User, supervisor: User
) -> None:
    complaint = resolved_case(customer, at=MID_MARCH, team=team, assignee=member, outcome="upheld")
    complaint.named_staff.add(teammate)
    row = case_row(complaint)

    assert evidence_link(row, teammate) is None
    assert evidence_link(row, supervisor) == f"/desk/cases/{complaint.number}/"


@pytest.mark.parametrize(
    "kind", [EvidenceKind.CLOCK, EvidenceKind.RESPONSE, EvidenceKind.REPLY, EvidenceKind.FINDING]
)
def test_rows_on_a_case_open_its_page_under_the_same_rule(
    kind: EvidenceKind, customer: Customer, team: Team, member: User, outsider: User
) -> None:
    case = resolved_case(customer, at=MID_MARCH, team=team, assignee=member)
    row = case_row(case, kind=kind, object_id=999)

    assert evidence_link(row, member) == f"/desk/cases/{case.number}/"
    assert evidence_link(row, outsider) is None


def test_a_review_links_for_its_agent_and_not_for_another_agent(
    customer: Customer, member: User, outsider: User, administrator: User
) -> None:
    review = qa_review(customer, agent=member, at=MID_MARCH, score="80.00")
    row = Evidence(kind=EvidenceKind.REVIEW, object_id=review.pk, label="x", at=MID_MARCH, counted=True)

    assert evidence_link(row, member) == f"/desk/quality/reviews/{review.pk}/"
    assert evidence_link(row, administrator) == f"/desk/quality/reviews/{review.pk}/"
    assert evidence_link(row, outsider) is None


def test_a_violation_links_for_the_staff_member_and_not_for_a_colleague(
    clause: StandardClause,  # noqa: F811
    member: User,
    teammate: User,
) -> None:
    record = violation(clause, staff=member, severity=Severity.MINOR, at=MID_MARCH)
    row = Evidence(kind=EvidenceKind.VIOLATION, object_id=record.pk, label="x", at=MID_MARCH, counted=True)

    assert evidence_link(row, member) == f"/desk/conduct/violations/{record.pk}/"
    assert evidence_link(row, teammate) is None


def test_links_of_a_list_cost_one_query_per_kind_not_per_row(
    customer: Customer, team: Team, member: User, teammate: User
) -> None:
    cases = [resolved_case(customer, at=MID_MARCH, team=team, assignee=member) for _ in range(20)]
    rows = [case_row(case) for case in cases]
    evidence_links(rows[:1], teammate)  # the reader's scope, cached from here on

    with CaptureQueriesContext(connection) as one:
        evidence_links(rows[:1], teammate)
    with CaptureQueriesContext(connection) as twenty:
        links = evidence_links(rows, teammate)

    assert len(twenty) == len(one)
    assert links == [f"/desk/cases/{case.number}/" for case in cases]


def test_the_rows_of_an_indicator_link_in_the_readers_scope(
    customer: Customer, team: Team, member: User, outsider: User, settings: Any
) -> None:
    resolved_case(customer, at=MID_MARCH, team=team, assignee=member)

    rows = INDICATORS["volume_handled"].evidence(MARCH, member.pk)

    assert len(rows) == 1
    assert evidence_links(rows, member)[0] is not None
    assert evidence_links(rows, outsider) == [None]


def test_no_rows_no_queries(django_assert_num_queries: Any, member: User) -> None:
    with django_assert_num_queries(0):
        assert evidence_links([], member) == []


def test_an_unknown_object_has_no_link(member: User) -> None:
    row = Evidence(
        kind=EvidenceKind.CASE, object_id=0, label="TS-0", at=dt.datetime.now(dt.UTC), counted=True
    )

    assert evidence_link(row, member) is None
