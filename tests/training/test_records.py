"""A person's training record: open assignments by due date with the overdue flag and the source link the
reader may open, completions of the last year, certificates with their status, hours in the calendar year
(a session that led to a completion counted once), and who sees which assignments."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from charter.accounts.models import Team, User
from charter.standards.models import StandardDocument
from charter.training.models import Assignment
from charter.training.selectors import (
    CertificateStatus,
    assignment_list_visible_to,
    hours_in_year,
    my_training,
    overdue_for_supervisor,
    source_link,
)
from tests.standards.conftest import Publisher, conduct, conduct_content, publish  # noqa: F401
from tests.training.factories import (
    published_course,
    session_make,
    staff_member,
    supervisor_of,
    team_make,
    trainer_user,
)
from tests.training.records_fixtures import assignment_make, at, attended, certificate_make, completion_make
from tests.training.test_effectiveness import Reviews

pytestmark = pytest.mark.django_db


@pytest.fixture
def hotline() -> Team:
    return team_make(code="hotline")


@pytest.fixture
def li(hotline: Team) -> User:
    return staff_member(team=hotline, username="li.agent")


def test_my_training_orders_open_work_by_due_date_and_flags_overdue(li: User) -> None:
    today = timezone.localdate()
    late = published_course(title_zh="投诉处理").course
    soon = published_course(title_zh="文明用语").course
    assignment_make(person=li, course=soon, due_on=today + dt.timedelta(days=5))
    assignment_make(
        person=li, course=late, due_on=today - dt.timedelta(days=1), reason=Assignment.Reason.QA_REVIEW
    )
    assignment_make(person=li, course=late, due_on=today, status=Assignment.Status.WAIVED)

    record = my_training(person=li)

    assert [(row.assignment.course, row.is_overdue) for row in record.open] == [(late, True), (soon, False)]
    assert record.overdue_count == 1


def test_done_is_the_last_year_and_certificates_say_their_status(li: User) -> None:
    today = timezone.localdate()
    version = published_course(issues_certificate=True)
    old = completion_make(person=li, version=version, completed_at=at(today - dt.timedelta(days=400)))
    recent = completion_make(person=li, version=version, completed_at=at(today - dt.timedelta(days=10)))
    certificate_make(
        completion=old, issued_on=today - dt.timedelta(days=400), expires_on=today - dt.timedelta(days=35)
    )
    certificate_make(
        completion=recent, issued_on=today - dt.timedelta(days=10), expires_on=today + dt.timedelta(days=20)
    )
    other = published_course()
    revoked = completion_make(person=li, version=other, completed_at=at(today - dt.timedelta(days=50)))
    certificate_make(
        completion=revoked,
        issued_on=today - dt.timedelta(days=50),
        expires_on=None,
        revoked_at=timezone.now(),
    )
    valid = completion_make(
        person=li, version=published_course(), completed_at=at(today - dt.timedelta(days=60))
    )
    certificate_make(
        completion=valid, issued_on=today - dt.timedelta(days=60), expires_on=today + dt.timedelta(days=300)
    )

    record = my_training(person=li)

    assert set(record.done) == {recent, revoked, valid}
    statuses = {row.certificate.completion_id: row.status for row in record.certificates}
    assert statuses == {
        old.pk: CertificateStatus.EXPIRED,
        recent.pk: CertificateStatus.EXPIRING,
        revoked.pk: CertificateStatus.REVOKED,
        valid.pk: CertificateStatus.VALID,
    }


def test_hours_count_completions_and_sessions_without_counting_a_session_twice(li: User) -> None:
    trainer = trainer_user()
    year = timezone.localdate().year
    classroom = published_course(requires_attendance=True, hours=Decimal("3"))
    # A session that led to the course's completion: the completion's 3 hours only.
    led = session_make(
        course=classroom.course, trainer=trainer, starts_at=at(dt.date(year, 1, 10), 9), hours=3
    )
    attended(session=led, person=li, hours="3")
    completion_make(person=li, version=classroom, completed_at=at(dt.date(year, 1, 10), 15), hours="3")
    # A refresher session of another course, not completed: its 2 hours count.
    other = published_course()
    refresher = session_make(
        course=other.course, trainer=trainer, starts_at=at(dt.date(year, 1, 20), 9), hours=2
    )
    attended(session=refresher, person=li, hours="2")
    # An online course completed: 1.5 hours. Last year's completion: not counted.
    completion_make(person=li, version=published_course(), completed_at=at(dt.date(year, 1, 5)), hours="1.5")
    completion_make(
        person=li, version=published_course(), completed_at=at(dt.date(year - 1, 12, 30)), hours="9"
    )

    assert hours_in_year(person=li, year=year) == Decimal("6.5")


def test_hours_follow_the_persons_time_zone(li: User) -> None:
    li.time_zone = "Asia/Shanghai"
    li.save()
    year = timezone.localdate().year
    # 20:00 UTC on 31 December is already 1 January in Shanghai.
    completion_make(
        person=li,
        version=published_course(),
        completed_at=dt.datetime(year - 1, 12, 31, 20, 0, tzinfo=dt.UTC),
        hours="2",
    )
    assert hours_in_year(person=li, year=year) == Decimal("2")
    assert hours_in_year(person=li, year=year - 1) == Decimal("0")


def test_assignments_visible_to_self_supervisor_and_record_holders(hotline: Team, li: User) -> None:
    course = published_course().course
    today = timezone.localdate()
    outsider = staff_member(username="zhao.agent")
    mine = assignment_make(person=li, course=course, due_on=today - dt.timedelta(days=3))
    theirs = assignment_make(person=outsider, course=course, due_on=today)
    supervisor = supervisor_of(hotline, username="wang.supervisor")
    trainer = trainer_user()

    assert set(assignment_list_visible_to(user=li)) == {mine}
    assert set(assignment_list_visible_to(user=supervisor)) == {mine}
    assert set(assignment_list_visible_to(user=trainer)) == {mine, theirs}
    assert set(assignment_list_visible_to(user=trainer, overdue_only=True)) == {mine}
    assert list(overdue_for_supervisor(user=supervisor)) == [mine]
    assert list(overdue_for_supervisor(user=li)) == []


def test_source_link_only_for_a_source_the_reader_may_open(li: User) -> None:
    course = published_course().course
    ordered = assignment_make(
        person=li, course=course, due_on=timezone.localdate(), source_type="training.batch"
    )
    unknown = assignment_make(
        person=li, course=course, due_on=timezone.localdate(), source_type="accounts.user"
    )
    missing_review = assignment_make(
        person=li, course=course, due_on=timezone.localdate(), source_type="quality.review", source_id=999999
    )
    assert source_link(unknown, li) is None
    assert source_link(missing_review, li) is None
    # The batch page belongs to the assignments area: linked only once it exists and opens for the reader.
    assert source_link(ordered, li) in (None, f"/desk/training/batches/{ordered.source_id}/")


def test_a_qa_review_source_links_for_its_agent_not_for_another(
    li: User,
    conduct: StandardDocument,  # noqa: F811
    publish: Publisher,  # noqa: F811
) -> None:
    version = publish(conduct, [conduct_content("2.3")])
    clause = version.clauses.get(number="2.3")
    review = Reviews(clause, clause, clause).add(li, timezone.now(), {})
    course = published_course().course
    remedial = assignment_make(
        person=li,
        course=course,
        due_on=timezone.localdate(),
        reason=Assignment.Reason.QA_REVIEW,
        source_type="quality.review",
        source_id=review.pk,
    )
    assert source_link(remedial, li) == f"/desk/quality/reviews/{review.pk}/"
    assert source_link(remedial, staff_member(username="zhao.agent")) is None
    standard = assignment_make(
        person=li,
        course=course,
        due_on=timezone.localdate(),
        source_type="standards.version",
        source_id=version.pk,
    )
    assert source_link(standard, li) == f"/desk/standards/{conduct.pk}/versions/{version.number}/"


def test_home_offers_to_start_an_assigned_course(li: User) -> None:
    from django.urls import NoReverseMatch, reverse

    from tests.conftest import client_for

    course = published_course().course
    assignment_make(person=li, course=course, due_on=timezone.localdate())
    try:
        url = reverse("training:course_detail", args=[course.pk])
    except NoReverseMatch:  # the courses area's page is not there yet
        pytest.skip("no course page")
    assert f'href="{url}"' in client_for(li).get("/desk/training/").content.decode()
