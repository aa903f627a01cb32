"""Effectiveness of a course: on a small known data set, the exact before/after means and sample sizes of
the QA scores on criteria citing the clauses the course teaches (matched across versions of the standard) and
of reply-check findings per 100 replies, for the trained around each one's completion day and for the
untrained around the median completion day."""

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from charter.accounts.models import User
from charter.accounts.selectors import staff_list
from charter.common.versioning import version_publish
from charter.quality.models import Criterion, Review, ReviewScore, Scorecard, ScorecardVersion
from charter.standards.models import StandardClause, StandardDocument
from charter.training.selectors import effectiveness
from tests.accounts.factories import CustomerFactory, UserFactory
from tests.assessment.test_indicators import finding, reply, resolved_case
from tests.standards.conftest import Publisher, conduct, conduct_content, publish  # noqa: F401
from tests.training.factories import course_make, draft_version_make, staff_member
from tests.training.records_fixtures import completion_make

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def organisation_zone(settings: Any) -> Iterator[None]:
    settings.TIME_ZONE = "Asia/Shanghai"
    yield


def day(month: int, number: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, number, hour, 0, tzinfo=SHANGHAI)


class Reviews:
    """Scored reviews on a scorecard whose criteria cite clauses."""

    def __init__(self, matching: StandardClause, matching_too: StandardClause, other: StandardClause) -> None:
        scorecard = Scorecard.objects.create(code="hotline", name_zh="热线质检表")
        self.version = ScorecardVersion.objects.create(scorecard=scorecard, number=1, status="draft")
        self.five = Criterion.objects.create(
            version=self.version,
            section="communication",
            title_zh="语气",
            clause=matching,
            scale="one_to_five",
        )
        self.yes_no = Criterion.objects.create(
            version=self.version,
            section="communication",
            title_zh="用语",
            clause=matching_too,
            scale="yes_no",
        )
        self.other = Criterion.objects.create(
            version=self.version, section="resolution", title_zh="解决", clause=other, scale="one_to_five"
        )
        ScorecardVersion.objects.filter(pk=self.version.pk).update(status="published", published_at=day(1, 1))
        self.customer = CustomerFactory.create()

    def add(self, agent: User, at: dt.datetime, values: dict[Criterion, int], **fields: Any) -> Review:
        review = Review.objects.create(
            scorecard_version=self.version,
            case=resolved_case(self.customer, at=at, assignee=agent),
            agent=agent,
            reviewer=UserFactory.create(),
            status=fields.pop("status", Review.Status.SUBMITTED),
            reason=Review.Reason.MANUAL,
            sampled_at=at,
            month=at.date().replace(day=1),
            overall_score=Decimal("50"),
            submitted_at=at,
        )
        for criterion, value in values.items():
            ReviewScore.objects.create(review=review, criterion=criterion, value=value)
        return review

    def replies(self, agent: User, at: dt.datetime, count: int, findings_on: list[StandardClause]) -> None:
        case = resolved_case(self.customer, at=at, assignee=agent)
        messages = [reply(case, author=agent, at=at) for _ in range(count)]
        for message, clause in zip(messages, findings_on, strict=False):
            finding(clause, message)


@time_machine.travel(dt.datetime(2026, 9, 1, 2, 0, tzinfo=dt.UTC))
def test_before_and_after_for_trained_and_untrained(
    conduct: StandardDocument,  # noqa: F811
    publish: Publisher,  # noqa: F811
    django_assert_max_num_queries: Any,
) -> None:
    first = publish(conduct, [conduct_content("2.3"), conduct_content("3.1")], effective_at=day(1, 1))
    second = publish(conduct, None, effective_at=day(2, 1))
    taught = first.clauses.get(number="2.3")
    # QA criteria and findings cite version 2's clause 2.3: the same clause, matched by document and number.
    same = second.clauses.get(number="2.3")
    other = second.clauses.get(number="3.1")
    course = course_make(code="courtesy")
    draft = draft_version_make(course=course)
    draft.clauses.add(taught)
    version_publish(version=draft, actor=None, supersede=course.versions.all())

    t1, t2, u1 = staff_member(), staff_member(), staff_member()
    completion_make(person=t1, version=draft, completed_at=day(6, 10))
    completion_make(person=t2, version=draft, completed_at=day(6, 20))
    reviews = Reviews(same, same, other)
    five, yes_no, unrelated = reviews.five, reviews.yes_no, reviews.other
    # t1: before [11 May, 10 June), after (10 June, 10 July].
    reviews.add(t1, day(5, 20), {five: 3, yes_no: 0, unrelated: 5})  # 50, 0; the unrelated criterion ignored
    reviews.add(t1, day(6, 20), {five: 5, yes_no: 1})  # 100, 100
    reviews.add(t1, day(6, 21), {five: 1}, status=Review.Status.DISPUTED)  # not settled: ignored
    # t2: before [21 May, 20 June), after (20 June, 20 July].
    reviews.add(t2, day(6, 1), {five: 2})  # 25
    reviews.add(t2, day(6, 15), {five: 1})  # 0
    reviews.add(t2, day(7, 1), {five: 4})  # 75
    reviews.add(t2, day(8, 1), {five: 1})  # outside the window
    # u1 around the median completion day (10 June), the day itself in neither window.
    reviews.add(u1, day(6, 1), {five: 4})  # 75
    reviews.add(u1, day(6, 10), {five: 1})  # the split day: neither
    reviews.add(u1, day(6, 25), {five: 3})  # 50
    reviews.replies(t1, day(5, 25), 4, [same])
    reviews.replies(t1, day(6, 25), 5, [])
    reviews.replies(t2, day(6, 5), 1, [same])
    reviews.replies(u1, day(6, 1), 2, [same])
    reviews.replies(u1, day(6, 20), 2, [same, other])  # the finding on another clause is not counted

    with django_assert_max_num_queries(7):
        result = effectiveness(course=course, days=30)

    assert result.clauses == [("code-of-conduct", "2.3")]
    assert result.split_on == dt.date(2026, 6, 10)
    assert result.trained.people == 2
    before, after = result.trained.before, result.trained.after
    assert (before.qa_mean, before.scores, before.scored_people) == (Decimal("18.75"), 4, 2)
    assert (after.qa_mean, after.scores, after.scored_people) == (Decimal("91.67"), 3, 2)
    assert (before.findings, before.replies, before.findings_per_100) == (2, 5, Decimal("40.00"))
    assert (after.findings, after.replies, after.findings_per_100) == (0, 5, Decimal("0.00"))
    untrained_before, untrained_after = result.untrained.before, result.untrained.after
    assert (untrained_before.qa_mean, untrained_before.scores) == (Decimal("75.00"), 1)
    assert (untrained_after.qa_mean, untrained_after.scores) == (Decimal("50.00"), 1)
    assert (untrained_before.findings, untrained_before.replies) == (1, 2)
    assert (untrained_after.findings, untrained_after.replies) == (1, 2)
    # Every member of staff without a completion of the course is in the untrained group.
    assert result.untrained.people == staff_list().exclude(pk__in=[t1.pk, t2.pk]).count()


@time_machine.travel(dt.datetime(2026, 9, 1, 2, 0, tzinfo=dt.UTC))
def test_a_course_citing_no_clause_has_nothing_to_compare() -> None:
    course = course_make(code="plain")
    draft = draft_version_make(course=course)
    version_publish(version=draft, actor=None, supersede=course.versions.all())
    completion_make(person=staff_member(), version=draft, completed_at=day(6, 10))
    result = effectiveness(course=course, days=30)
    assert result.clauses == []
    assert result.trained.before.scores == 0 and result.trained.before.qa_mean is None
