"""The qa-reviews and scorecards API: scope (404 outside it), the actions, and the refusals with codes."""

from typing import Any

import pytest

from charter.accounts.models import User
from charter.cases.models import Case
from charter.quality.models import Review, ScorecardVersion
from charter.quality.selectors import criterion_list
from charter.quality.services import review_sample
from charter.standards.models import StandardVersion
from tests.conftest import api_client_for
from tests.quality.conftest import resolve

pytestmark = pytest.mark.django_db

REVIEWS = "/api/v1/qa-reviews/"
SCORECARDS = "/api/v1/scorecards/"


@pytest.fixture
def review(case: Case, member: User, qa_reviewer: User, scorecard_version: ScorecardVersion) -> Review:
    resolve(case, member)
    made = review_sample(case=case, agent=member, scorecard_version=scorecard_version, reason="manual")
    assert made is not None
    return made


def _scores(review: Review, values: list[int | None]) -> list[dict[str, Any]]:
    return [
        {"criterion": c.pk, "value": v, "comment": "评语"}
        for c, v in zip(criterion_list(version=review.scorecard_version), values, strict=True)
    ]


def _submit(review: Review, values: list[int | None]) -> Any:
    return api_client_for(review.reviewer).post(
        f"{REVIEWS}{review.pk}/scores/",
        {"version": review.version, "submit": True, "scores": _scores(review, values)},
        format="json",
    )


def test_the_reviewer_submits_scores_and_gets_the_computed_scores(review: Review) -> None:
    response = _submit(review, [1, 4, None, 1])

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "submitted" and body["overall_score"] == "83.33"
    assert body["compliance_score"] == "100.00" and len(body["scores"]) == 4


def test_a_stale_version_answers_409_with_a_code(review: Review) -> None:
    client = api_client_for(review.reviewer)
    url = f"{REVIEWS}{review.pk}/scores/"
    client.post(url, {"version": review.version, "scores": _scores(review, [1, 3, 3, 1])}, format="json")

    response = client.post(
        url, {"version": review.version, "scores": _scores(review, [0, 1, 1, 1])}, format="json"
    )

    assert response.status_code == 409 and response.json()["code"] == "quality_review_changed"


def test_a_self_review_is_refused_with_a_code(
    case: Case, supervisor: User, scorecard_version: ScorecardVersion
) -> None:
    resolve(case, supervisor)

    response = api_client_for(supervisor).post(
        REVIEWS, {"case": case.pk, "agent": supervisor.pk, "reviewer": supervisor.pk}, format="json"
    )

    assert response.status_code == 400 and response.json()["code"] == "quality_self_review"
    assert not Review.objects.exists()


def test_a_case_is_drawn_by_hand_through_the_api(
    case: Case, member: User, qa_reviewer: User, scorecard_version: ScorecardVersion
) -> None:
    resolve(case, member)

    response = api_client_for(qa_reviewer).post(REVIEWS, {"case": case.pk}, format="json")

    assert response.status_code == 201
    assert response.json()["agent"]["id"] == member.pk and response.json()["reviewer"]["id"] == qa_reviewer.pk


def test_the_agent_sees_only_his_own_submitted_reviews(review: Review, member: User, teammate: User) -> None:
    before = api_client_for(member).get(f"{REVIEWS}{review.pk}/")
    _submit(review, [1, 5, 5, 1])

    mine = api_client_for(member).get(REVIEWS).json()
    own = api_client_for(member).get(f"{REVIEWS}{review.pk}/")
    other = api_client_for(teammate).get(f"{REVIEWS}{review.pk}/")
    others_list = api_client_for(teammate).get(REVIEWS).json()

    assert before.status_code == 404
    assert [row["id"] for row in mine["results"]] == [review.pk]
    assert own.status_code == 200
    assert other.status_code == 404 and others_list["results"] == []


def test_a_supervisor_sees_his_teams_reviews_and_an_outsider_none(
    review: Review, supervisor: User, outsider: User
) -> None:
    assert api_client_for(supervisor).get(f"{REVIEWS}{review.pk}/").status_code == 200
    assert api_client_for(outsider).get(f"{REVIEWS}{review.pk}/").status_code == 404


def test_acknowledge_dispute_and_decide_through_the_api(
    review: Review, member: User, supervisor: User
) -> None:
    _submit(review, [0, 3, 3, 1])
    agent = api_client_for(member)

    disputed = agent.post(f"{REVIEWS}{review.pk}/dispute/", {"reason": "我已问候"}, format="json")
    again = agent.post(f"{REVIEWS}{review.pk}/dispute/", {"reason": "再来"}, format="json")
    by_agent = agent.post(
        f"{REVIEWS}{review.pk}/decision/", {"decision": "upheld", "reason": "x"}, format="json"
    )
    queue = api_client_for(supervisor).get(f"{REVIEWS}?queue=to_decide").json()
    decided = api_client_for(supervisor).post(
        f"{REVIEWS}{review.pk}/decision/",
        {"decision": "upheld", "reason": "录音未见问候"},
        format="json",
    )

    assert disputed.status_code == 200 and disputed.json()["dispute_handler"]["id"] == supervisor.pk
    assert again.status_code == 409 and again.json()["code"] == "quality_already_disputed"
    assert by_agent.status_code == 403
    assert [row["id"] for row in queue["results"]] == [review.pk]
    assert decided.status_code == 200 and decided.json()["decision"] == "upheld"


def test_acknowledge_is_for_the_agent_only(review: Review, member: User, supervisor: User) -> None:
    _submit(review, [1, 5, 5, 1])

    other = api_client_for(supervisor).post(f"{REVIEWS}{review.pk}/acknowledge/")
    own = api_client_for(member).post(f"{REVIEWS}{review.pk}/acknowledge/")

    assert other.status_code == 403 and own.json()["status"] == "acknowledged"


# Scorecards ---------------------------------------------------------------------------------------------


def test_weights_that_do_not_add_up_answer_400_with_a_code(
    administrator: User, code_v1: StandardVersion
) -> None:
    client = api_client_for(administrator)
    created = client.post(SCORECARDS, {"code": "phone", "name_zh": "电话质检"}, format="json").json()
    clause = code_v1.clauses.get(number="2.3")
    client.post(
        f"{SCORECARDS}{created['id']}/criteria/",
        {
            "section": "communication",
            "title_zh": "耐心",
            "clause": clause.pk,
            "weight": 60,
            "scale": "one_to_five",
        },
        format="json",
    )

    response = client.post(f"{SCORECARDS}{created['id']}/publish/")

    assert response.status_code == 400
    assert response.json()["code"] == "quality_weights_not_100" and "60" in response.json()["detail"]


def test_scorecards_are_read_by_staff_and_edited_by_administrators(
    scorecard_version: ScorecardVersion, member: User, customer_user: User
) -> None:
    listed = api_client_for(member).get(SCORECARDS)
    by_customer = api_client_for(customer_user).get(f"{SCORECARDS}{scorecard_version.scorecard_id}/")
    edit = api_client_for(member).post(f"{SCORECARDS}{scorecard_version.scorecard_id}/versions/")

    assert listed.status_code == 200
    assert listed.json()["results"][0]["versions"][0]["criteria"][0]["clause"]["number"] == "1.6"
    assert by_customer.status_code == 404
    assert edit.status_code == 403


def test_a_new_version_is_a_draft_copy_and_publishing_it_supersedes(
    administrator: User, scorecard_version: ScorecardVersion
) -> None:
    client = api_client_for(administrator)
    url = f"{SCORECARDS}{scorecard_version.scorecard_id}/"

    started = client.post(f"{url}versions/")
    published = client.post(f"{url}publish/")

    versions = {v["number"]: v["status"] for v in published.json()["versions"]}
    assert started.status_code == 201
    assert published.status_code == 200 and versions == {1: "superseded", 2: "published"}
