"""A QA review is evidence of a violation: only a submitted review of the staff member's own work, that the
one recording may see."""

import pytest

from charter.accounts.models import User
from charter.cases.models import Case
from charter.common.errors import DomainError
from charter.conduct.models import Evidence, Violation
from charter.conduct.services import EvidenceInput, violation_record
from charter.quality.demo import demo_scores
from charter.quality.models import Review, ScorecardVersion
from charter.quality.services import review_sample_case, review_scores_save
from charter.standards.models import StandardVersion
from tests.conftest import api_client_for, client_for
from tests.quality.conftest import (  # noqa: F401 - the quality fixtures: a case, the code and a scorecard
    case,
    code_v1,
    conduct,
    customer,
    frozen,
    other_customer,
    publish,
    qa_reviewer,
    resolve,
    routed_team,
    scorecard_version,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(
    case: Case,  # noqa: F811
    member: User,
    qa_reviewer: User,  # noqa: F811
    scorecard_version: ScorecardVersion,  # noqa: F811
) -> Review:
    resolve(case, member)
    return review_sample_case(actor=qa_reviewer, case=case, reviewer=qa_reviewer)


def _submit(review: Review, reviewer: User) -> Review:
    review_scores_save(
        actor=reviewer,
        review=review,
        version=review.version,
        scores=demo_scores(review, {"2.3": 2}, {"2.3": "对客户说“不归我管”。"}),
        submit=True,
    )
    review.refresh_from_db()
    return review


def _record(actor: User, staff: User, code: StandardVersion, review: Review) -> Violation:
    return violation_record(
        actor=actor,
        staff=staff,
        clause=code.clauses.get(number="2.3"),
        occurred_at=review.case.received_at,
        severity="minor",
        description="不当用语。",
        evidence=[EvidenceInput(kind="qa_review", review=review)],
    )


def test_a_submitted_review_of_the_staff_member_is_evidence(
    review: Review,
    qa_reviewer: User,  # noqa: F811
    supervisor: User,
    member: User,
    code_v1: StandardVersion,  # noqa: F811
) -> None:
    review = _submit(review, qa_reviewer)

    violation = _record(supervisor, member, code_v1, review)

    evidence = violation.evidence.get()
    assert evidence.kind == Evidence.Kind.QA_REVIEW and evidence.target == review
    page = client_for(supervisor).get(f"/desk/conduct/violations/{violation.pk}/").content.decode()
    assert f"/desk/quality/reviews/{review.pk}/" in page
    body = api_client_for(supervisor).get(f"/api/v1/violations/{violation.pk}/").json()
    assert body["evidence"][0]["kind"] == "qa_review" and body["evidence"][0]["review"] == review.pk


def test_a_review_not_yet_submitted_is_refused(
    review: Review,
    supervisor: User,
    member: User,
    code_v1: StandardVersion,  # noqa: F811
) -> None:
    with pytest.raises(DomainError) as error:
        _record(supervisor, member, code_v1, review)

    assert error.value.code == "conduct_invalid_evidence"
    assert not Violation.objects.exists()


def test_a_review_of_someone_elses_work_is_refused(
    review: Review,
    qa_reviewer: User,  # noqa: F811
    supervisor: User,
    teammate: User,
    code_v1: StandardVersion,  # noqa: F811
) -> None:
    review = _submit(review, qa_reviewer)

    with pytest.raises(DomainError) as error:
        _record(supervisor, teammate, code_v1, review)

    assert error.value.code == "conduct_invalid_evidence"
    assert not Violation.objects.exists()
