"""好差评 on bad reviews: verification, rectification, revisit, the appeal, and the exclusion of a review from
every staff indicator (the tallies the assessment reads)."""

import datetime as dt

import pytest
from django.utils import timezone

from charter.accounts.models import User
from charter.surveys.models import AssessmentExclusion
from charter.surveys.selectors import (
    CsatTally,
    NpsTally,
    response_csat_tally_by_person,
    response_list_attributed,
    response_nps_tally_by_person,
)
from tests.surveys.factories import ResponseFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
END = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
IN_WINDOW = dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC)


def test_nps_tally_splits_promoters_passives_detractors_and_counts_the_excluded(
    member: User, teammate: User
) -> None:
    for score in (10, 9, 8, 7, 6, 0):
        ResponseFactory.create(handler=member, nps=score, submitted_at=IN_WINDOW)
    ResponseFactory.create(handler=member, csat=5, submitted_at=IN_WINDOW)  # no NPS answer
    ResponseFactory.create(handler=member, nps=10, submitted_at=END)  # outside the window
    ResponseFactory.create(
        handler=member,
        nps=2,
        submitted_at=IN_WINDOW,
        assessment_excluded_at=IN_WINDOW,
        assessment_exclusion=AssessmentExclusion.NOT_VALID,
    )
    # As an agent beside the handler, and once as both handler and agent (counted once).
    ResponseFactory.create(handler=teammate, nps=9, submitted_at=IN_WINDOW, agents=[member, teammate])
    ResponseFactory.create(handler=member, nps=3, submitted_at=IN_WINDOW, agents=[member])

    tallies = response_nps_tally_by_person(start_at=START, end_at=END, people=[member.pk, teammate.pk])

    assert tallies[member.pk] == NpsTally(answered=8, promoters=3, passives=2, detractors=3, excluded=1)
    assert tallies[teammate.pk] == NpsTally(answered=1, promoters=1)


def test_csat_tally_leaves_out_and_counts_an_excluded_review(member: User) -> None:
    ResponseFactory.create(handler=member, csat=5, submitted_at=IN_WINDOW)
    ResponseFactory.create(handler=member, csat=1, submitted_at=IN_WINDOW)
    ResponseFactory.create(handler=member, submitted_at=IN_WINDOW)
    ResponseFactory.create(
        handler=member,
        csat=2,
        submitted_at=IN_WINDOW,
        assessment_excluded_at=IN_WINDOW,
        assessment_exclusion=AssessmentExclusion.APPEAL_UPHELD,
    )

    tallies = response_csat_tally_by_person(start_at=START, end_at=END, people=[member.pk])

    assert tallies[member.pk] == CsatTally(answered=2, satisfied=1, dissatisfied=1, skipped=1, excluded=1)


def test_attributed_list_is_newest_first_with_the_exclusion(member: User, teammate: User) -> None:
    older = ResponseFactory.create(handler=member, csat=1, submitted_at=IN_WINDOW)
    newer = ResponseFactory.create(
        handler=teammate,
        csat=2,
        submitted_at=IN_WINDOW + dt.timedelta(days=1),
        agents=[member],
        assessment_excluded_at=timezone.now(),
        assessment_exclusion=AssessmentExclusion.NOT_VALID,
    )
    ResponseFactory.create(handler=teammate, csat=1, submitted_at=IN_WINDOW)  # not his

    rows = response_list_attributed(start_at=START, end_at=END, person=member.pk)

    assert rows == [newer, older]
    assert [row.is_excluded for row in rows] == [True, False]
    assert response_list_attributed(start_at=START, end_at=END, person=member.pk, limit=1) == [newer]
