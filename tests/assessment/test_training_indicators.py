"""The training indicators of the KPI library: "training completed on time" (assignments due in the
period completed by the end of the due day; waived and not-yet-due ones left out) and "valid certificates"
(the share of the qualification-granting courses assigned for which the person holds a valid certificate at
the period's end), each in at most two queries whatever the number of people, and their evidence agreeing
with the measure."""

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charter.accounts.models import Qualification, User
from charter.assessment.evidence import EvidenceKind, evidence_links
from charter.assessment.indicators import INDICATORS, Measure, Period
from charter.training.models import Assignment
from tests.accounts.factories import UserFactory
from tests.conftest import client_for  # noqa: F401
from tests.training.factories import published_course, staff_member, supervisor_of, team_make
from tests.training.records_fixtures import (
    assignment_make,
    certificate_make,
    completion_make,
    indicator_training_rows,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARCH = Period(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def organisation_zone(settings: Any) -> Iterator[None]:
    settings.TIME_ZONE = "Asia/Shanghai"
    yield


def shanghai(day: int, hour: int, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=SHANGHAI)


@time_machine.travel(dt.datetime(2026, 3, 20, 4, 0, tzinfo=dt.UTC))
def test_on_time_counts_completions_by_the_end_of_the_due_day() -> None:
    alice = UserFactory.create()
    course = published_course().course
    # Completed at 23:30 on its due day (Shanghai), 15:30 UTC: on time.
    assignment_make(
        person=alice,
        course=course,
        due_on=dt.date(2026, 3, 5),
        status="completed",
        completed_at=shanghai(5, 23) + dt.timedelta(minutes=30),
    )
    # Completed a day late.
    assignment_make(
        person=alice,
        course=course,
        due_on=dt.date(2026, 3, 6),
        status="completed",
        completed_at=shanghai(7, 9),
    )
    # Overdue and open: counted, not on time.
    assignment_make(person=alice, course=course, due_on=dt.date(2026, 3, 10))
    # Waived, and open but not due yet (today is 20 March): left out.
    assignment_make(person=alice, course=course, due_on=dt.date(2026, 3, 11), status="waived")
    assignment_make(person=alice, course=course, due_on=dt.date(2026, 3, 25))
    # Due in April: not in the period.
    assignment_make(person=alice, course=course, due_on=dt.date(2026, 4, 1))

    measure = INDICATORS["training_on_time"].compute(MARCH, [alice.pk])[alice.pk]

    assert measure == Measure(value=Decimal("33.33"), sample=3, excluded=2)
    rows = INDICATORS["training_on_time"].evidence(MARCH, alice.pk)
    assert sum(1 for row in rows if row.counted) == 3
    assert sum(1 for row in rows if row.is_hit) == 1
    assert all(row.reason for row in rows if not row.counted)


def test_nothing_due_means_no_value() -> None:
    alice = UserFactory.create()
    assert INDICATORS["training_on_time"].compute(MARCH, [alice.pk])[alice.pk] == Measure(
        value=None, sample=0
    )
    assert INDICATORS["valid_certificates"].compute(MARCH, [alice.pk])[alice.pk] == Measure(
        value=None, sample=0
    )


def test_valid_certificates_at_the_end_of_the_period() -> None:
    alice = UserFactory.create()
    hotline = Qualification.objects.create(code="hotline", name_zh="热线坐席")
    repairs = Qualification.objects.create(code="repairs", name_zh="报修受理")
    valid = published_course(qualification=hotline, issues_certificate=True)
    lapsed = published_course(qualification=repairs, issues_certificate=True)
    waived = published_course(qualification=repairs, issues_certificate=True)
    plain = published_course()  # grants no qualification: not counted
    for version in (valid, lapsed, plain):
        assignment_make(person=alice, course=version.course, due_on=dt.date(2026, 2, 1), status="completed")
    assignment_make(person=alice, course=waived.course, due_on=dt.date(2026, 2, 1), status="waived")
    Assignment.objects.update(created_at=shanghai(1, 9, month=1))
    done = completion_make(person=alice, version=valid, completed_at=shanghai(20, 9, month=1))
    certificate_make(completion=done, issued_on=dt.date(2026, 1, 20), expires_on=dt.date(2026, 3, 31))
    old = completion_make(person=alice, version=lapsed, completed_at=shanghai(20, 9, month=1))
    certificate_make(completion=old, issued_on=dt.date(2025, 3, 20), expires_on=dt.date(2026, 3, 30))

    measure = INDICATORS["valid_certificates"].compute(MARCH, [alice.pk])[alice.pk]

    assert measure == Measure(value=Decimal("50.00"), sample=2)
    rows = INDICATORS["valid_certificates"].evidence(MARCH, alice.pk)
    assert {(row.kind, row.is_hit) for row in rows} == {
        (EvidenceKind.CERTIFICATE, True),
        (EvidenceKind.ASSIGNMENT, False),
    }


@pytest.mark.parametrize("code", ["training_on_time", "valid_certificates"])
def test_twenty_people_in_as_many_queries_as_one_and_at_most_two(
    code: str, django_assert_max_num_queries: Any
) -> None:
    people = UserFactory.create_batch(20)
    for person in people:
        indicator_training_rows(person, due_on=dt.date(2026, 3, 10), completed_at=shanghai(9, 10))
    indicator = INDICATORS[code]
    with time_machine.travel(dt.datetime(2026, 6, 1, tzinfo=dt.UTC)):
        with django_assert_max_num_queries(2), CaptureQueriesContext(connection) as for_one:
            one = indicator.compute(MARCH, [people[0].pk])
        with django_assert_max_num_queries(2), CaptureQueriesContext(connection) as for_twenty:
            everyone = indicator.compute(MARCH, [person.pk for person in people])
    assert len(for_one) == len(for_twenty)
    assert len(one) == 1 and all(measure.value == Decimal("100.00") for measure in everyone.values())


@pytest.mark.parametrize("code", ["training_on_time", "valid_certificates"])
def test_the_evidence_agrees_with_the_measure_and_links_by_scope(code: str) -> None:
    team = team_make()
    alice = staff_member(team=team)
    indicator_training_rows(alice, due_on=dt.date(2026, 3, 10), completed_at=shanghai(9, 10))
    indicator = INDICATORS[code]
    with time_machine.travel(dt.datetime(2026, 6, 1, tzinfo=dt.UTC)):
        measure = indicator.compute(MARCH, [alice.pk])[alice.pk]
        rows = indicator.evidence(MARCH, alice.pk)
    assert measure.sample >= 1
    assert sum(1 for row in rows if row.counted and row.in_sample) == measure.sample
    assert sum(1 for row in rows if not row.counted) == measure.excluded
    supervisor: User = supervisor_of(team)
    outsider = staff_member()
    assert all(link == f"/desk/training/people/{alice.pk}/" for link in evidence_links(rows, supervisor))
    assert all(link is None for link in evidence_links(rows, outsider))
