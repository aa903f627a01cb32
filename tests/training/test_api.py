"""The training API: courses as staff read them (drafts for trainers), assignments in the reader's scope and
assigned through the service (an agent refused, a supervisor to his team), quiz attempts (no correct answer
while in progress, answers saved as given, a question not drawn refused, the server's deadline, one submit),
certificates in scope with their PDF, and the public verification that says no more than the printed
certificate. Somebody else's assignment, attempt or certificate is not found."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from charter.accounts.models import Team, User
from charter.audit.models import AuditEvent
from charter.training.errors import ErrorCode
from charter.training.models import (
    Assignment,
    Attempt,
    AttemptItem,
    Certificate,
    CourseVersion,
    QuestionOption,
    QuestionVersion,
    Quiz,
)
from tests.conftest import api_client_for
from tests.training.factories import (
    bank_make,
    course_make,
    draft_version_make,
    published_course,
    quiz_published,
    staff_member,
    supervisor_of,
    team_make,
    trainer_user,
)
from tests.training.test_certificates import START, certify

pytestmark = pytest.mark.django_db

API = "/api/v1/training"


@pytest.fixture
def team(db: None) -> Team:
    return team_make(code="hotline-api")


@pytest.fixture
def agent(team: Team) -> User:
    return staff_member(team=team, username="li.agent", display_name="李明")


@pytest.fixture
def teammate(team: Team) -> User:
    return staff_member(team=team, username="wu.agent", display_name="吴芳")


@pytest.fixture
def outsider(db: None) -> User:
    return staff_member(username="zhao.agent", display_name="赵强")


@pytest.fixture
def supervisor(team: Team) -> User:
    return supervisor_of(team, username="wang.supervisor")


@pytest.fixture
def trainer(db: None) -> User:
    return trainer_user()


@pytest.fixture
def version(db: None) -> CourseVersion:
    return published_course(lessons=2, title_zh="文明服务规范", title_en="Courteous service")


def _due() -> str:
    return (timezone.localdate() + dt.timedelta(days=14)).isoformat()


def _assign(actor: User, person: User, version: CourseVersion) -> Any:
    return api_client_for(actor).post(
        f"{API}/assignments/",
        {"person": person.pk, "course": version.course_id, "due_on": _due()},
        format="json",
    )


# Courses ------------------------------------------------------------------------------------------------


def test_staff_read_the_published_version_and_never_a_draft(
    version: CourseVersion, agent: User, trainer: User
) -> None:
    draft_version_make(course=version.course, lessons=1)
    hidden = published_course(lessons=1).course
    hidden.is_active = False
    hidden.save()

    listed = api_client_for(agent).get(f"{API}/courses/").json()["results"]
    detail = api_client_for(agent).get(f"{API}/courses/{version.course_id}/").json()

    assert [row["code"] for row in listed] == [version.course.code]
    assert listed[0]["published"]["number"] == 1 and listed[0]["draft"] is None
    assert detail["title"] == "文明服务规范"
    assert [lesson["title"] for lesson in detail["published"]["lessons"]] == ["第1课", "第2课"]
    assert detail["published"]["requires_lessons"] is True and detail["published"]["quiz"] is None
    assert detail["draft"] is None
    assert api_client_for(agent).get(f"{API}/courses/{hidden.pk}/").status_code == 404

    seen = api_client_for(trainer).get(f"{API}/courses/{version.course_id}/").json()
    assert seen["draft"]["number"] == 2 and seen["draft"]["status"] == "draft"
    codes = {row["code"] for row in api_client_for(trainer).get(f"{API}/courses/").json()["results"]}
    assert hidden.code in codes


def test_only_those_who_write_courses_create_one(agent: User, trainer: User) -> None:
    body = {"code": "hotline-etiquette", "title_zh": "热线接听礼仪"}

    refused = api_client_for(agent).post(f"{API}/courses/", body, format="json")
    created = api_client_for(trainer).post(f"{API}/courses/", body, format="json")
    taken = api_client_for(trainer).post(f"{API}/courses/", body, format="json")

    assert refused.status_code == 403 and refused.json()["code"] == ErrorCode.MANAGE_DENIED
    assert created.status_code == 201 and created.json()["published"] is None
    assert taken.status_code == 400 and taken.json()["code"] == ErrorCode.COURSE_CODE_TAKEN


def test_a_customer_is_refused_and_an_anonymous_caller_asked_to_sign_in(
    version: CourseVersion, customer_user: User
) -> None:
    response = api_client_for(customer_user).get(f"{API}/courses/")

    assert response.status_code == 403
    assert response.json()["code"] == ErrorCode.STAFF_ONLY
    for path in ("/courses/", "/assignments/", "/certificates/", "/attempts/1/"):
        assert APIClient().get(f"{API}{path}").status_code == 401, path


# Assignments --------------------------------------------------------------------------------------------


def test_an_agent_may_not_assign_a_course(version: CourseVersion, agent: User, teammate: User) -> None:
    response = _assign(agent, teammate, version)

    assert response.status_code == 403
    assert response.json()["code"] == ErrorCode.ASSIGN_DENIED
    assert not Assignment.objects.exists()


def test_a_supervisor_assigns_to_his_team_once_and_not_beyond_it(
    version: CourseVersion, supervisor: User, agent: User, outsider: User
) -> None:
    first = _assign(supervisor, agent, version)
    again = _assign(supervisor, agent, version)
    beyond = _assign(supervisor, outsider, version)

    assert first.status_code == 201
    body = first.json()
    assert body["person"]["id"] == agent.pk and body["course"]["id"] == version.course_id
    assert body["reason"] == "ordered" and body["status"] == "open" and body["due_on"] == _due()
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    # Outside his teams answers as an unknown id does: he cannot tell which staff ids exist.
    unknown = api_client_for(supervisor).post(
        f"{API}/assignments/",
        {"person": outsider.pk + 1000, "course": version.course_id, "due_on": _due()},
        format="json",
    )
    assert beyond.status_code == 404 and unknown.status_code == 404
    assert beyond.json() == unknown.json()
    assert Assignment.objects.count() == 1
    assert AuditEvent.objects.filter(action="training.assign").count() == 1


def test_assigning_a_past_date_or_a_course_without_version_is_400(
    trainer: User, agent: User, version: CourseVersion
) -> None:
    client = api_client_for(trainer)
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    unpublished = draft_version_make(course=course_make(code="draft-only", title_zh="草稿课程"))

    late = client.post(
        f"{API}/assignments/",
        {"person": agent.pk, "course": version.course_id, "due_on": past},
        format="json",
    )
    bare = client.post(
        f"{API}/assignments/",
        {"person": agent.pk, "course": unpublished.course_id, "due_on": _due()},
        format="json",
    )
    nobody = client.post(
        f"{API}/assignments/",
        {"person": 999999, "course": version.course_id, "due_on": _due()},
        format="json",
    )

    assert late.status_code == 400 and late.json()["code"] == ErrorCode.DUE_IN_PAST
    assert late.json()["fields"]["due_on"][0]["code"] == ErrorCode.DUE_IN_PAST
    assert bare.status_code == 400 and bare.json()["code"] == ErrorCode.COURSE_NOT_ASSIGNABLE
    assert nobody.status_code == 404
    assert not Assignment.objects.exists()


def test_assignments_are_listed_in_the_readers_scope(
    version: CourseVersion, trainer: User, supervisor: User, agent: User, teammate: User, outsider: User
) -> None:
    for person in (agent, teammate, outsider):
        assert _assign(trainer, person, version).status_code == 201
    late = Assignment.objects.get(person=teammate)
    Assignment.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - dt.timedelta(days=2))

    def people(user: User, query: str = "") -> Any:
        response = api_client_for(user).get(f"{API}/assignments/{query}")
        if response.status_code != 200:
            return response.status_code
        return {row["person"]["id"] for row in response.json()["results"]}

    assert people(agent) == {agent.pk}
    assert people(agent, f"?person={teammate.pk}") == 404
    assert people(supervisor, f"?person={teammate.pk}") == {teammate.pk}
    assert people(supervisor, f"?person={outsider.pk}") == 404
    assert people(trainer, f"?person={outsider.pk}") == {outsider.pk}
    assert people(supervisor, f"?person={teammate.pk}&overdue=true") == {teammate.pk}
    assert people(supervisor, f"?person={agent.pk}&overdue=true") == set()
    assert people(agent, "?status=completed") == set()
    assert people(agent, "?status=nonsense") == 400


def test_another_agents_assignment_is_404(
    version: CourseVersion, trainer: User, agent: User, outsider: User
) -> None:
    mine = _assign(trainer, agent, version).json()["id"]
    theirs = _assign(trainer, outsider, version).json()["id"]

    assert api_client_for(agent).get(f"{API}/assignments/{mine}/").status_code == 200
    assert api_client_for(agent).get(f"{API}/assignments/{theirs}/").status_code == 404
    assert api_client_for(agent).get(f"{API}/assignments/abc/").status_code == 404


def test_waiving_is_for_whoever_assigns_and_needs_a_reason(
    version: CourseVersion, supervisor: User, agent: User
) -> None:
    pk = _assign(supervisor, agent, version).json()["id"]
    url = f"{API}/assignments/{pk}/waive/"

    own = api_client_for(agent).post(url, {"reason": "我已学过"}, format="json")
    blank = api_client_for(supervisor).post(url, {"reason": " "}, format="json")
    done = api_client_for(supervisor).post(url, {"reason": "已在外单位取得同等证书。"}, format="json")
    twice = api_client_for(supervisor).post(url, {"reason": "再次豁免"}, format="json")

    assert own.status_code == 403 and own.json()["code"] == ErrorCode.SELF_WAIVE
    assert blank.status_code == 400 and blank.json()["code"] == ErrorCode.WAIVE_REASON_REQUIRED
    assert done.status_code == 200 and done.json()["status"] == "waived"
    assert done.json()["waived_reason"] == "已在外单位取得同等证书。"
    assert twice.status_code == 400 and twice.json()["code"] == ErrorCode.ASSIGNMENT_NOT_OPEN


# Attempts -----------------------------------------------------------------------------------------------


@pytest.fixture
def quiz(trainer: User) -> Quiz:
    bank = bank_make(actor=trainer, categories={"basics": 4})
    quiz: Quiz = quiz_published(actor=trainer, bank=bank, draws={"basics": 3}, review="answers", pass_mark=60)
    return quiz


def _start(user: User, quiz: Quiz) -> Any:
    return api_client_for(user).post(f"{API}/quizzes/{quiz.pk}/attempts/")


def _correct(item: dict[str, Any]) -> int:
    return QuestionOption.objects.get(version_id=item["question_version"], is_correct=True).pk


def test_an_attempt_shows_the_drawn_questions_in_order_without_their_answers(quiz: Quiz, agent: User) -> None:
    started = _start(agent, quiz)
    resumed = _start(agent, quiz)

    assert started.status_code == 201
    body = started.json()
    assert resumed.status_code == 200 and resumed.json()["id"] == body["id"]
    attempt = Attempt.objects.get(pk=body["id"])
    items = list(AttemptItem.objects.filter(attempt=attempt).order_by("ordering"))
    assert [item["question_version"] for item in body["items"]] == [item.question_id for item in items]
    assert [[option["id"] for option in row["options"]] for row in body["items"]] == [
        item.option_order for item in items
    ]
    for row in body["items"]:
        assert row["correct"] is None and row["explanation"] is None and row["points_awarded"] is None
        assert set(row["options"][0]) == {"id", "text"}
    assert body["score"] is None and body["status"] == "in_progress"
    assert api_client_for(agent).get(f"{API}/attempts/{body['id']}/").json()["items"] == body["items"]


def test_answers_are_saved_as_given_and_submitting_twice_is_409(quiz: Quiz, agent: User) -> None:
    body = _start(agent, quiz).json()
    client = api_client_for(agent)
    version = body["version"]
    for row in body["items"]:
        saved = client.post(
            f"{API}/attempts/{body['id']}/answers/",
            {"question_version": row["question_version"], "chosen": [_correct(row)], "version": version},
            format="json",
        )
        assert saved.status_code == 200, saved.json()
        assert saved.json()["chosen"] == [_correct(row)]
        version = saved.json()["version"]
    stale = client.post(
        f"{API}/attempts/{body['id']}/answers/",
        {"question_version": body["items"][0]["question_version"], "chosen": [], "version": body["version"]},
        format="json",
    )

    first = client.post(f"{API}/attempts/{body['id']}/submit/")
    second = client.post(f"{API}/attempts/{body['id']}/submit/")

    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    assert first.status_code == 200
    result = first.json()
    assert result["status"] == "graded" and result["passed"] is True and result["percent"] == "100.00"
    assert all(row["correct"] == [_correct(row)] for row in result["items"])
    assert second.status_code == 409
    assert second.json()["code"] == ErrorCode.ATTEMPT_SUBMITTED


def test_the_result_shows_what_the_review_setting_allows(
    trainer: User, agent: User, supervisor: User
) -> None:
    bank = bank_make(actor=trainer, code="bank-none", categories={"basics": 2})
    quiz = quiz_published(actor=trainer, bank=bank, review="none")
    pk = _start(agent, quiz).json()["id"]
    api_client_for(agent).post(f"{API}/attempts/{pk}/submit/")

    taker = api_client_for(agent).get(f"{API}/attempts/{pk}/").json()
    lead = api_client_for(supervisor).get(f"{API}/attempts/{pk}/").json()

    assert taker["passed"] is False and taker["score"] is None and taker["items"] == []
    # The supervisor sees the score, never the questions' correct options.
    assert lead["score"] == "0.0" and lead["passed"] is False and lead["items"] == []
    rules = api_client_for(agent).get(f"{API}/quizzes/{quiz.pk}/").json()
    assert rules["question_count"] == 2 and rules["attempts_allowed"] == 3 and rules["attempts_left"] == 2
    assert [(row["id"], row["passed"], row["percent"]) for row in rules["attempts"]] == [(pk, False, None)]
    assert api_client_for(supervisor).get(f"{API}/quizzes/{quiz.pk}/").json()["attempts"] == []


def test_no_reader_sees_a_correct_answer_of_a_live_attempt_and_a_supervisor_never(
    quiz: Quiz, trainer: User, agent: User, supervisor: User
) -> None:
    body = _start(agent, quiz).json()
    pk = body["id"]

    for reader in (supervisor, trainer):
        live = api_client_for(reader).get(f"{API}/attempts/{pk}/").json()
        assert live["score"] is None and live["percent"] is None
        assert all(row["correct"] is None and row["explanation"] is None for row in live["items"])

    api_client_for(agent).post(f"{API}/attempts/{pk}/submit/")
    lead = api_client_for(supervisor).get(f"{API}/attempts/{pk}/").json()
    grader = api_client_for(trainer).get(f"{API}/attempts/{pk}/").json()
    taker = api_client_for(agent).get(f"{API}/attempts/{pk}/").json()

    assert lead["score"] == "0.0" and lead["items"] == []
    assert len(grader["items"]) == 3 and all(row["correct"] for row in grader["items"])
    # review: answers, so the taker sees them too once submitted.
    assert all(row["correct"] == [_correct(row)] for row in taker["items"])


def test_a_drafts_quiz_is_hidden_from_staff(trainer: User, agent: User) -> None:
    from charter.training.banks import quiz_configure

    bank = bank_make(actor=trainer, code="bank-draft", categories={"basics": 2})
    draft = draft_version_make(course=course_make(), lessons=0, requires_quiz=True, requires_lessons=False)
    quiz = quiz_configure(
        actor=trainer,
        version=draft,
        bank=bank,
        draws=[(bank.categories.get(), 2)],
        pass_mark=80,
        attempts_allowed=3,
        time_limit_minutes=None,
        review="score",
        shuffle_options=True,
    )

    assert api_client_for(agent).get(f"{API}/quizzes/{quiz.pk}/").status_code == 404
    assert api_client_for(trainer).get(f"{API}/quizzes/{quiz.pk}/").status_code == 200
    assert api_client_for(agent).post(f"{API}/quizzes/{quiz.pk}/attempts/").status_code == 404
    refused = api_client_for(trainer).post(f"{API}/quizzes/{quiz.pk}/attempts/")
    assert refused.status_code == 400 and refused.json()["code"] == ErrorCode.QUIZ_NOT_OPEN


def test_an_answer_to_a_question_not_drawn_is_400(quiz: Quiz, agent: User) -> None:
    body = _start(agent, quiz).json()
    drawn = {row["question_version"] for row in body["items"]}
    other = QuestionVersion.objects.exclude(pk__in=drawn).first()
    assert other is not None

    response = api_client_for(agent).post(
        f"{API}/attempts/{body['id']}/answers/",
        {"question_version": other.pk, "chosen": [], "version": body["version"]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == ErrorCode.QUESTION_NOT_DRAWN


def test_an_answer_after_the_deadline_is_refused(trainer: User, agent: User) -> None:
    bank = bank_make(actor=trainer, code="bank-timed", categories={"basics": 2})
    quiz = quiz_published(actor=trainer, bank=bank, time_limit_minutes=10)
    start = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        body = _start(agent, quiz).json()
    row = body["items"][0]
    assert body["deadline_at"] is not None

    with time_machine.travel(start + dt.timedelta(minutes=10, seconds=1), tick=False):
        late = api_client_for(agent).post(
            f"{API}/attempts/{body['id']}/answers/",
            {
                "question_version": row["question_version"],
                "chosen": [_correct(row)],
                "version": body["version"],
            },
            format="json",
        )

    assert late.status_code == 409
    assert late.json()["code"] == ErrorCode.TIME_UP
    assert AttemptItem.objects.get(attempt_id=body["id"], question_id=row["question_version"]).chosen == []


def test_someone_elses_or_a_forged_attempt_is_404(quiz: Quiz, agent: User, outsider: User) -> None:
    body = _start(agent, quiz).json()
    row = body["items"][0]
    client = api_client_for(outsider)
    answer = {
        "question_version": row["question_version"],
        "chosen": [_correct(row)],
        "version": body["version"],
    }

    assert client.get(f"{API}/attempts/{body['id']}/").status_code == 404
    assert client.post(f"{API}/attempts/{body['id']}/answers/", answer, format="json").status_code == 404
    assert client.post(f"{API}/attempts/{body['id']}/submit/").status_code == 404
    assert api_client_for(agent).get(f"{API}/attempts/{body['id'] + 1000}/").status_code == 404
    assert Attempt.objects.get(pk=body["id"]).status == Attempt.Status.IN_PROGRESS


# Certificates -------------------------------------------------------------------------------------------


@pytest.fixture
def certified(db: None) -> CourseVersion:
    return published_course(
        lessons=1, issues_certificate=True, certificate_valid_days=365, title_zh="投诉处理规范"
    )


@pytest.fixture
def certificate(certified: CourseVersion, agent: User) -> Certificate:
    with time_machine.travel(START, tick=False):
        return certify(agent, certified)


def test_certificates_are_listed_and_read_in_scope(
    certificate: Certificate, agent: User, supervisor: User, outsider: User
) -> None:
    own = api_client_for(agent).get(f"{API}/certificates/").json()["results"]
    by_lead = api_client_for(supervisor).get(f"{API}/certificates/?person={agent.pk}").json()["results"]

    assert [row["number"] for row in own] == [certificate.number] == [row["number"] for row in by_lead]
    assert own[0]["holder_name"] == "李明" and own[0]["course"]["title"] == "投诉处理规范"
    assert api_client_for(outsider).get(f"{API}/certificates/").json()["results"] == []
    assert api_client_for(outsider).get(f"{API}/certificates/?person={agent.pk}").status_code == 404
    assert api_client_for(outsider).get(f"{API}/certificates/{certificate.pk}/").status_code == 404
    assert api_client_for(outsider).get(f"{API}/certificates/{certificate.pk}/pdf/").status_code == 404
    assert api_client_for(supervisor).get(f"{API}/certificates/{certificate.pk}/").status_code == 200


def test_the_pdf_downloads_for_the_holder(certificate: Certificate, agent: User) -> None:
    response = api_client_for(agent).get(f"{API}/certificates/{certificate.pk}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert certificate.number in response["Content-Disposition"]


def test_verification_is_public_and_says_only_what_is_printed(certificate: Certificate) -> None:
    with time_machine.travel(START + dt.timedelta(days=1), tick=False):
        response = APIClient().get(f"{API}/verify/{certificate.verification_code}/")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "state",
        "holder_name",
        "course_title",
        "course_version",
        "number",
        "issued_on",
        "expires_on",
    }
    assert body["state"] == "valid" and body["holder_name"] == "李明" and body["number"] == certificate.number
    assert body["course_title"] == "投诉处理规范"
    assert APIClient().get(f"{API}/verify/not-a-code/").status_code == 404


def test_verification_says_expired_and_revoked(certificate: Certificate) -> None:
    assert certificate.expires_on is not None
    with time_machine.travel(START + dt.timedelta(days=400), tick=False):
        expired = APIClient().get(f"{API}/verify/{certificate.verification_code}/").json()
    Certificate.objects.filter(pk=certificate.pk).update(revoked_at=START + dt.timedelta(days=2))
    with time_machine.travel(START + dt.timedelta(days=3), tick=False):
        revoked = APIClient().get(f"{API}/verify/{certificate.verification_code}/").json()

    assert expired["state"] == "expired" and revoked["state"] == "revoked"


def test_verification_is_throttled_per_address_like_the_page(certificate: Certificate, settings: Any) -> None:
    settings.CHARTER_VERIFY_MAX_PER_HOUR = 2
    client = APIClient()
    url = f"{API}/verify/{certificate.verification_code}/"

    codes = [client.get(url).status_code for _ in range(2)]
    page = client.get(f"/verify/{certificate.verification_code}/")
    refused = client.get(url)

    assert codes == [200, 200]
    assert page.status_code == 429
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"


# The schema ---------------------------------------------------------------------------------------------


def test_the_schema_names_every_training_resource_and_has_no_warning(tmp_path: Any) -> None:
    out = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))

    text = out.read_text()
    for path in (
        "/api/v1/training/courses/",
        "/api/v1/training/assignments/{id}/waive/",
        "/api/v1/training/quizzes/{id}/attempts/",
        "/api/v1/training/attempts/{id}/answers/",
        "/api/v1/training/attempts/{id}/submit/",
        "/api/v1/training/certificates/{id}/pdf/",
        "/api/v1/training/verify/{code}/",
    ):
        assert f"  {path}:" in text, path


# Query bounds -------------------------------------------------------------------------------------------


def test_the_lists_take_the_same_queries_for_more_rows(trainer: User, agent: User) -> None:
    def counted(path: str) -> int:
        client = api_client_for(trainer)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{API}{path}").status_code == 200
        return len(queries)

    def more(count: int) -> None:
        for _ in range(count):
            version = published_course(lessons=1, issues_certificate=True, certificate_valid_days=365)
            assert _assign(trainer, agent, version).status_code == 201
            certify(agent, version)

    more(2)
    paths = ("/courses/", f"/assignments/?person={agent.pk}", f"/certificates/?person={agent.pk}")
    few = {path: counted(path) for path in paths}
    more(5)
    many = {path: counted(path) for path in paths}

    assert few == many
