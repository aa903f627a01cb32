"""The surveys API: questionnaires, invitations, responses, results and recovery tasks, with the permissions
of their pages (results have their own; a row outside the reader's teams answers 404), no link or customer
of an invitation in any answer, and the follow-up recorded through the services with the version read."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from charter.accounts.models import Customer, Team, User
from charter.accounts.roles import Role
from charter.audit.models import AuditEvent
from charter.cases.models import Case
from charter.surveys.models import (
    Answer,
    Invitation,
    Question,
    RecoveryTask,
    ReviewStatus,
    SurveyVersion,
)
from charter.surveys.reviews import review_appeal_file, review_verify
from tests.accounts.factories import CustomerFactory, TeamMembershipFactory, UserFactory
from tests.conftest import api_client_for
from tests.surveys.factories import InvitationFactory, QuestionFactory, ResponseFactory, SurveyVersionFactory

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)


def _case(customer: Customer, team: Team) -> Case:
    return Case.objects.create(
        number=f"TS-2026-{next(_numbers):06d}",
        kind="complaint",
        channel="web",
        title="水费偏高",
        description="本月账单明显偏高。",
        customer=customer,
        team=team,
        received_at=timezone.now() - dt.timedelta(days=2),
    )


@pytest.fixture
def other_supervisor(other_team: Team) -> User:
    user = UserFactory.create(username="olga", roles=[Role.SUPERVISOR])
    TeamMembershipFactory.create(team=other_team, user=user, is_lead=True)
    return user


@pytest.fixture
def customer(db: None) -> Customer:
    return CustomerFactory.create(name="王小明", email="wang@example.com")


@pytest.fixture
def question(db: None) -> Question:
    version = SurveyVersionFactory.create(
        survey__code="after-case", status=SurveyVersion.Status.DRAFT, published_at=None
    )
    question = QuestionFactory.create(version=version, type=Question.Type.CSAT)
    SurveyVersion.objects.filter(pk=version.pk).update(status=SurveyVersion.Status.PUBLISHED)
    return question


@pytest.fixture
def answered(question: Question, customer: Customer, team: Team, member: User) -> Invitation:
    """An invitation about a case of `team`, answered 2 (不满意) with a comment, which opened a follow-up."""
    invitation = InvitationFactory.create(
        version=question.version,
        customer=customer,
        case=_case(customer, team),
        token="secret-link-token-abc",
        token_hash="f" * 64,
        status=Invitation.Status.ANSWERED,
    )
    response = ResponseFactory.create(
        invitation=invitation,
        case=invitation.case,
        team=team,
        handler=member,
        agents=[member],
        csat=2,
        comment="等了很久",
        submitted_at=timezone.now() - dt.timedelta(hours=1),
    )
    Answer.objects.create(response=response, question=question, score=2)
    return invitation


@pytest.fixture
def task(answered: Invitation, team: Team, supervisor: User) -> RecoveryTask:
    return RecoveryTask.objects.create(
        response=answered.response,
        team=team,
        owner=supervisor,
        reason="CSAT 2",
        due_at=timezone.now() + dt.timedelta(days=2),
        review_status=ReviewStatus.TO_VERIFY,
    )


# Questionnaires


def test_questionnaires_are_read_by_results_readers_and_configurers(
    question: Question, supervisor: User, administrator: User, member: User
) -> None:
    for user in (supervisor, administrator):
        body = api_client_for(user).get("/api/v1/surveys/").json()
        survey = next(row for row in body["results"] if row["code"] == "after-case")
        assert survey["versions"][0]["questions"][0]["type"] == "csat"
    response = api_client_for(member).get("/api/v1/surveys/")
    assert response.status_code == 403
    assert response.json()["code"] == "survey_results_denied"
    survey_id = question.version.survey_id
    assert api_client_for(member).get(f"/api/v1/surveys/{survey_id}/").status_code == 403
    assert api_client_for(supervisor).get(f"/api/v1/surveys/{survey_id}/").json()["code"] == "after-case"
    assert api_client_for(supervisor).get("/api/v1/surveys/999999/").status_code == 404


# Invitations


def test_an_invitation_never_shows_its_link_or_its_customer(
    answered: Invitation, supervisor: User, customer: Customer
) -> None:
    client = api_client_for(supervisor)
    listed = client.get("/api/v1/survey-invitations/")
    detail = client.get(f"/api/v1/survey-invitations/{answered.pk}/")

    assert [row["id"] for row in listed.json()["results"]] == [answered.pk]
    body = detail.json()
    assert body["status"] == "answered" and body["survey"] == "after-case"
    assert body["case_number"] == answered.case.number if answered.case else False
    for text in (listed.content.decode(), detail.content.decode()):
        assert "secret-link-token-abc" not in text
        assert "f" * 64 not in text
        assert "王小明" not in text and "wang@example.com" not in text
    assert not {"token", "token_hash", "customer"} & set(body)


def test_invitations_outside_the_readers_teams_answer_404(
    answered: Invitation, other_supervisor: User, member: User, administrator: User
) -> None:
    assert api_client_for(other_supervisor).get("/api/v1/survey-invitations/").json()["results"] == []
    assert (
        api_client_for(other_supervisor).get(f"/api/v1/survey-invitations/{answered.pk}/").status_code == 404
    )
    assert api_client_for(member).get(f"/api/v1/survey-invitations/{answered.pk}/").status_code == 403
    assert api_client_for(administrator).get(f"/api/v1/survey-invitations/{answered.pk}/").status_code == 200


def test_an_invitation_filter_with_a_status_that_does_not_exist_is_400(
    answered: Invitation, supervisor: User
) -> None:
    response = api_client_for(supervisor).get("/api/v1/survey-invitations/", {"status": "lost"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


# Responses


def test_responses_come_with_their_answers_within_the_readers_teams(
    answered: Invitation, supervisor: User, other_supervisor: User, member: User
) -> None:
    body = api_client_for(supervisor).get("/api/v1/survey-responses/").json()
    [row] = body["results"]
    assert row["csat"] == 2 and row["comment"] == "等了很久"
    assert row["agents"] == [member.pk] and row["handler"] == member.pk
    assert row["answers"] == [
        {
            "question": answered.version.questions.get().pk,
            "type": "csat",
            "score": 2,
            "choices": [],
            "text": "",
        }
    ]
    response_id = row["id"]
    assert api_client_for(supervisor).get(f"/api/v1/survey-responses/{response_id}/").status_code == 200
    assert api_client_for(other_supervisor).get("/api/v1/survey-responses/").json()["results"] == []
    assert api_client_for(other_supervisor).get(f"/api/v1/survey-responses/{response_id}/").status_code == 404
    # Seeing the case is not seeing its rating: the agent who handled it may not read the response.
    denied = api_client_for(member).get(f"/api/v1/survey-responses/{response_id}/")
    assert denied.status_code == 403 and denied.json()["code"] == "survey_results_denied"


def test_responses_filter_by_team_only_within_the_readers_scope(
    answered: Invitation, supervisor: User, team: Team, other_team: Team
) -> None:
    client = api_client_for(supervisor)
    assert len(client.get("/api/v1/survey-responses/", {"team": team.pk}).json()["results"]) == 1
    outside = client.get("/api/v1/survey-responses/", {"team": other_team.pk})
    assert outside.status_code == 400
    assert "team" in outside.json()["fields"]


# Results


def test_results_count_the_readers_teams_only(
    answered: Invitation, supervisor: User, other_supervisor: User, administrator: User, member: User
) -> None:
    mine = api_client_for(supervisor).get("/api/v1/survey-results/", {"period": "month"}).json()
    assert mine["scores"]["responses"] == 1
    assert mine["scores"]["csat"] == {
        "value": 0.0,
        "n": 1,
        "low": 0.0,
        "high": pytest.approx(0.7935, abs=1e-3),
        "is_small_sample": True,
    }
    assert mine["response_rate"]["n"] == 1 and mine["response_rate"]["value"] == 1.0
    assert sum(point["scores"]["responses"] for point in mine["trend"]) == 1
    assert [group["scores"]["responses"] for group in mine["breakdowns"]["team"]] == [1]
    assert mine["date_to"] == timezone.localdate().isoformat()

    theirs = api_client_for(other_supervisor).get("/api/v1/survey-results/").json()
    assert theirs["scores"]["responses"] == 0 and theirs["scores"]["csat"]["value"] is None
    assert api_client_for(administrator).get("/api/v1/survey-results/").json()["scores"]["responses"] == 1
    denied = api_client_for(member).get("/api/v1/survey-results/")
    assert denied.status_code == 403 and denied.json()["code"] == "survey_results_denied"


def test_results_refuse_a_period_that_ends_before_it_starts(supervisor: User) -> None:
    response = api_client_for(supervisor).get(
        "/api/v1/survey-results/", {"date_from": "2026-05-01", "date_to": "2026-04-01"}
    )
    assert response.status_code == 400
    assert "date_to" in response.json()["fields"]


# Recovery tasks


def test_recovery_tasks_are_listed_and_read_by_those_who_follow_them_up(
    task: RecoveryTask, supervisor: User, other_supervisor: User, member: User
) -> None:
    listed = api_client_for(supervisor).get("/api/v1/recovery-tasks/").json()["results"]
    assert [row["id"] for row in listed] == [task.pk]
    detail = api_client_for(supervisor).get(f"/api/v1/recovery-tasks/{task.pk}/").json()
    assert detail["answers"][0]["score"] == 2
    assert detail["allowed_statuses"] == ["contacted", "resolved", "closed"]
    assert detail["review_steps"] == ["verify"]

    assert api_client_for(other_supervisor).get("/api/v1/recovery-tasks/").json()["results"] == []
    assert api_client_for(other_supervisor).get(f"/api/v1/recovery-tasks/{task.pk}/").status_code == 404
    denied = api_client_for(member).get("/api/v1/recovery-tasks/")
    assert denied.status_code == 403 and denied.json()["code"] == "survey_recovery_denied"
    assert api_client_for(member).get(f"/api/v1/recovery-tasks/{task.pk}/").status_code == 404


def test_recording_the_follow_up_needs_the_version_and_goes_through_the_service(
    task: RecoveryTask, supervisor: User, other_supervisor: User
) -> None:
    client = api_client_for(supervisor)
    url = f"/api/v1/recovery-tasks/{task.pk}/updates/"
    body = {"status": "resolved", "outcome": "已致电客户", "new_score": 4}

    missing = client.post(url, body, format="json")
    assert missing.status_code == 428 and missing.json()["code"] == "survey_version_required"
    outsider = api_client_for(other_supervisor).post(url, {**body, "version": 1}, format="json")
    assert outsider.status_code == 404
    done = client.post(url, {**body, "version": 1}, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "resolved" and done.json()["new_score"] == 4
    stale = client.post(url, {**body, "version": 1}, format="json")
    assert stale.status_code == 409

    task.refresh_from_db()
    assert task.status == RecoveryTask.Status.RESOLVED and task.version == 2
    assert AuditEvent.objects.filter(action="surveys.recovery_update").count() == 1


def test_closing_without_a_reason_is_a_field_error_and_changes_nothing(
    task: RecoveryTask, supervisor: User
) -> None:
    response = api_client_for(supervisor).post(
        f"/api/v1/recovery-tasks/{task.pk}/updates/", {"status": "closed", "version": 1}, format="json"
    )
    assert response.status_code == 400
    assert "outcome" in response.json()["fields"]
    task.refresh_from_db()
    assert task.status == RecoveryTask.Status.OPEN and task.version == 1


def test_a_bad_review_is_verified_through_the_api(task: RecoveryTask, supervisor: User, member: User) -> None:
    url = f"/api/v1/recovery-tasks/{task.pk}/verify/"
    # The agent the review is about may not even see the follow-up.
    assert (
        api_client_for(member).post(url, {"outcome": "valid", "version": 1}, format="json").status_code == 404
    )
    response = api_client_for(supervisor).post(
        url, {"outcome": "valid", "evidence": "录音属实", "version": 1}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["review_status"] == "rectifying"
    assert response.json()["review_steps"] == ["rectify"]
    task.refresh_from_db()
    assert task.verification == "valid" and task.verified_by == supervisor


def test_an_unknown_filter_is_refused_naming_the_known_ones(answered: Invitation, supervisor: User) -> None:
    response = api_client_for(supervisor).get("/api/v1/survey-responses/", {"servise": 1})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "unknown_parameter" and body["unknown"] == ["servise"]
    assert {"service", "team", "date_from", "cursor", "limit"} <= set(body["known"])
    assert api_client_for(supervisor).get("/api/v1/survey-results/", {"q": "x"}).status_code == 400
    assert api_client_for(supervisor).get("/api/v1/recovery-tasks/", {"status": "open"}).status_code == 400


def test_responses_page_by_cursor_newest_first_without_repeats(
    question: Question, customer: Customer, team: Team, supervisor: User
) -> None:
    now = timezone.now()
    made = []
    for hours in range(5):
        invitation = InvitationFactory.create(
            version=question.version, customer=customer, case=_case(customer, team), status="answered"
        )
        made.append(
            ResponseFactory.create(
                invitation=invitation, team=team, csat=5, submitted_at=now - dt.timedelta(hours=hours)
            ).pk
        )
    client = api_client_for(supervisor)
    seen: list[int] = []
    page = client.get("/api/v1/survey-responses/", {"cursor": "", "limit": "2"}).json()
    assert "count" not in page
    while True:
        seen += [row["id"] for row in page["results"]]
        if not page["next"]:
            break
        page = client.get(page["next"]).json()
    assert seen == made


def test_an_appeal_is_decided_by_someone_independent_with_the_appeals_version(
    task: RecoveryTask, supervisor: User, member: User
) -> None:
    verified = review_verify(
        actor=supervisor, task=task, expected_version=1, outcome="valid", evidence="录音"
    )
    appeal = review_appeal_file(actor=member, task=verified, reason="客户误解了收费标准。")
    quinn = UserFactory.create(username="quinn", roles=[Role.QA_REVIEWER])
    url = f"/api/v1/recovery-tasks/{task.pk}/decide/"
    body = {"decision": "upheld", "reason": "录音显示已按规定答复", "version": appeal.version}

    # The appellant's own supervisor is not independent.
    refused = api_client_for(supervisor).post(url, body, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "survey_appeal_decide_denied"
    detail = api_client_for(quinn).get(f"/api/v1/recovery-tasks/{task.pk}/").json()
    assert detail["review_steps"] == ["decide"] and detail["appeal"]["status"] == "filed"
    decided = api_client_for(quinn).post(url, body, format="json")
    assert decided.status_code == 200, decided.json()
    assert decided.json()["appeal"]["status"] == "upheld" and decided.json()["review_steps"] == []
    task.response.refresh_from_db()
    assert task.response.is_excluded
