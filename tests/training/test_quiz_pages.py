"""Quiz and question bank pages: a staff member takes a quiz without JavaScript (start, save each answer,
submit, result), the save quiz.js posts, what the result shows per review setting, somebody else's attempt
(404), a late answer (409), grading, statistics and the trainers' bank pages."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from charter.accounts.models import User
from charter.training.models import Attempt, Question, QuestionCategory, QuestionOption, QuestionVersion, Quiz
from charter.training.quizzes import attempt_answer, attempt_start, attempt_submit
from tests.conftest import browser_post, client_for
from tests.training.factories import (
    bank_make,
    course_make,
    draft_version_make,
    quiz_published,
    staff_member,
    supervisor_of,
    team_make,
    trainer_user,
)

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def trainer() -> User:
    return trainer_user()


@pytest.fixture
def taker() -> User:
    return staff_member(username="li.agent")


def _correct(version_id: int) -> int:
    return QuestionOption.objects.get(version_id=version_id, is_correct=True).pk


def test_a_quiz_taken_without_javascript(trainer: User, taker: User) -> None:
    quiz: Quiz = quiz_published(
        actor=trainer, bank=bank_make(actor=trainer, categories={"a": 2}), review="answers", pass_mark=50
    )
    client = client_for(taker)
    start_url = reverse("training:quiz_start", args=[quiz.pk])
    page = client.get(start_url)
    assert page.status_code == 200
    assert "50" in page.content.decode() and "3 / 3" in page.content.decode()

    started = browser_post(client, start_url, {})
    attempt = Attempt.objects.get(person=taker)
    assert started.status_code == 302 and started["Location"] == reverse(
        "training:attempt", args=[attempt.pk]
    )
    attempt_url = reverse("training:attempt", args=[attempt.pk])
    page = client.get(attempt_url)
    body = page.content.decode()
    assert page.status_code == 200 and "a 题1" in body and "a 题2" in body
    assert "training/quiz.js" in body and "<script>" not in body

    for item in attempt.items.all():
        saved = browser_post(
            client, attempt_url, {"question": item.question_id, "chosen": _correct(item.question_id)}
        )
        assert saved.status_code == 302
    assert all(item.answered_at for item in attempt.items.all())

    submit_url = reverse("training:attempt_submit", args=[attempt.pk])
    assert "2" in client.get(submit_url).content.decode()
    done = browser_post(client, submit_url, {})
    assert done.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED and attempt.passed
    result = client.get(reverse("training:attempt_result", args=[attempt.pk])).content.decode()
    # The score, and (review: answers) every option with the correct one marked.
    assert "得分" in result and "100" in result and "正确答案" in result

    again = client.post(submit_url)
    assert again.status_code == 409


def test_the_save_quiz_js_posts_answers_in_json(trainer: User, taker: User) -> None:
    quiz = quiz_published(actor=trainer, bank=bank_make(actor=trainer, categories={"a": 2}))
    attempt = attempt_start(actor=taker, quiz=quiz)
    item = attempt.items.first()
    assert item is not None
    client = client_for(taker)
    url = reverse("training:attempt", args=[attempt.pk])
    saved = client.post(
        url,
        {"question": item.question_id, "chosen": _correct(item.question_id)},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert saved.status_code == 200 and saved.json() == {"saved": True}
    refused = client.post(
        url, {"question": item.question_id, "chosen": ["1", "2"]}, HTTP_X_REQUESTED_WITH="fetch"
    )
    assert refused.status_code == 400 and refused.json()["code"] == "training_answer_invalid"


def test_review_none_shows_only_passed_or_not(trainer: User, taker: User) -> None:
    quiz = quiz_published(actor=trainer, bank=bank_make(actor=trainer, categories={"a": 1}), review="none")
    attempt = attempt_start(actor=taker, quiz=quiz)
    item = attempt.items.get()
    attempt_answer(
        actor=taker,
        attempt=attempt,
        question_version_id=item.question_id,
        chosen=[_correct(item.question_id)],
    )
    attempt_submit(actor=taker, attempt=attempt)
    body = client_for(taker).get(reverse("training:attempt_result", args=[attempt.pk])).content.decode()
    assert "合格" in body
    assert "得分" not in body and "正确答案" not in body and "1 / 1" not in body


def test_result_page_shows_correct_answers_only_to_whom_the_rule_allows(trainer: User) -> None:
    team = team_make()
    member = staff_member(team=team, username="li.agent")
    lead = supervisor_of(team)
    quiz = quiz_published(actor=trainer, bank=bank_make(actor=trainer, categories={"a": 2}), review="answers")
    attempt = attempt_start(actor=member, quiz=quiz)
    for item in attempt.items.all():
        attempt_answer(
            actor=member,
            attempt=attempt,
            question_version_id=item.question_id,
            chosen=[_correct(item.question_id)],
        )
    url = reverse("training:attempt_result", args=[attempt.pk])

    # In progress: neither the supervisor nor a grader sees an answer marked correct, nor a score.
    for reader in (lead, trainer):
        page = client_for(reader).get(url)
        body = page.content.decode()
        assert page.status_code == 200 and "作答中" in body
        assert "正确答案" not in body and 'class="correct"' not in body and "得分" not in body

    attempt_submit(actor=member, attempt=attempt)
    supervised = client_for(lead).get(url).content.decode()
    graded = client_for(trainer).get(url).content.decode()
    own = client_for(member).get(url).content.decode()

    assert "合格" in supervised and "得分" in supervised
    assert "正确答案" not in supervised and 'class="correct"' not in supervised
    assert "正确答案" in graded and 'class="correct"' in graded
    assert "正确答案" in own


def test_result_page_taker_follows_the_review_setting_score(trainer: User, taker: User) -> None:
    quiz = quiz_published(actor=trainer, bank=bank_make(actor=trainer, categories={"a": 1}), review="score")
    attempt = attempt_start(actor=taker, quiz=quiz)
    attempt_submit(actor=taker, attempt=attempt)
    body = client_for(taker).get(reverse("training:attempt_result", args=[attempt.pk])).content.decode()
    assert "得分" in body and "正确答案" not in body


def test_odd_numbers_in_quiz_forms_are_refused_not_a_500(trainer: User, taker: User) -> None:
    quiz = quiz_published(actor=trainer, bank=bank_make(actor=trainer, categories={"a": 1}))
    attempt = attempt_start(actor=taker, quiz=quiz)
    item = attempt.items.get()
    url = reverse("training:attempt", args=[attempt.pk])
    client = client_for(taker)
    for question, chosen in (
        ("²", "1"),
        ("9" * 30, "1"),
        (str(item.question_id), "²"),
        (str(item.question_id), "9" * 30),
    ):
        response = client.post(url, {"question": question, "chosen": chosen}, HTTP_X_REQUESTED_WITH="fetch")
        assert response.status_code == 400, (question, chosen)
    draft = draft_version_make(course=course_make(), lessons=0, requires_quiz=True, requires_lessons=False)
    configure = reverse("training:quiz_configure", args=[draft.pk])
    for bad in ("%C2%B2", "9" * 30):
        assert client_for(trainer).get(f"{configure}?bank={bad}").status_code == 200


def test_somebody_elses_attempt_is_not_found_on_every_page(trainer: User, taker: User) -> None:
    quiz = quiz_published(actor=trainer, bank=bank_make(actor=trainer, categories={"a": 1}))
    attempt = attempt_start(actor=taker, quiz=quiz)
    item = attempt.items.get()
    colleague = client_for(staff_member())
    for name in ("training:attempt", "training:attempt_submit", "training:attempt_result"):
        assert colleague.get(reverse(name, args=[attempt.pk])).status_code == 404
    answer = colleague.post(
        reverse("training:attempt", args=[attempt.pk]),
        {"question": item.question_id, "chosen": _correct(item.question_id)},
    )
    assert answer.status_code == 404
    assert colleague.post(reverse("training:attempt_submit", args=[attempt.pk])).status_code == 404
    # A forged id answers alike.
    assert colleague.get(reverse("training:attempt", args=[attempt.pk + 1000])).status_code == 404
    item.refresh_from_db()
    assert item.answered_at is None


def test_a_late_answer_is_refused_and_the_attempt_submitted(trainer: User, taker: User) -> None:
    quiz = quiz_published(
        actor=trainer, bank=bank_make(actor=trainer, categories={"a": 1}), time_limit_minutes=5
    )
    client = client_for(taker)
    with time_machine.travel(START, tick=False):
        attempt = attempt_start(actor=taker, quiz=quiz)
        page = client.get(reverse("training:attempt", args=[attempt.pk])).content.decode()
        assert 'data-deadline="2026-03-02T09:05:00+08:00"' in page
    item = attempt.items.get()
    with time_machine.travel(START + dt.timedelta(minutes=6), tick=False):
        late = client.post(
            reverse("training:attempt", args=[attempt.pk]),
            {"question": item.question_id, "chosen": _correct(item.question_id)},
        )
    assert late.status_code == 409
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED and attempt.timed_out and attempt.score == 0


def test_grading_queue_and_form(trainer: User, taker: User) -> None:
    from charter.training.banks import category_create, question_create

    bank = bank_make(actor=trainer, categories={"a": 1})
    category = category_create(actor=trainer, bank=bank, code="essay", name_zh="简答")
    question_create(actor=trainer, category=category, kind="short", text_zh="请说明首问负责制。", points=4)
    quiz = quiz_published(actor=trainer, bank=bank, draws={"essay": 1}, pass_mark=50)
    attempt = attempt_start(actor=taker, quiz=quiz)
    item = attempt.items.get()
    attempt_answer(
        actor=taker, attempt=attempt, question_version_id=item.question_id, text="谁首先受理谁负责到底。"
    )
    attempt_submit(actor=taker, attempt=attempt)

    assert client_for(taker).get(reverse("training:grading_list")).status_code == 403
    assert client_for(taker).get(reverse("training:attempt_grade", args=[attempt.pk])).status_code == 403
    grader = client_for(trainer)
    queue = grader.get(reverse("training:grading_list"))
    assert (
        queue.status_code == 200
        and reverse("training:attempt_grade", args=[attempt.pk]) in queue.content.decode()
    )
    grade_url = reverse("training:attempt_grade", args=[attempt.pk])
    too_many = browser_post(grader, grade_url, {f"points_{item.pk}": "5", f"comment_{item.pk}": ""})
    assert too_many.status_code == 400
    graded = browser_post(grader, grade_url, {f"points_{item.pk}": "3", f"comment_{item.pk}": "基本正确"})
    assert graded.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED and attempt.passed and str(attempt.percent) == "75.00"


def test_item_statistics_page_is_for_trainers(trainer: User, taker: User) -> None:
    quiz = quiz_published(actor=trainer, bank=bank_make(actor=trainer, categories={"a": 1}))
    attempt = attempt_start(actor=taker, quiz=quiz)
    attempt_submit(actor=taker, attempt=attempt)
    url = reverse("training:quiz_statistics", args=[quiz.pk])
    assert client_for(taker).get(url).status_code == 403
    page = client_for(trainer).get(url)
    assert page.status_code == 200 and "a 题1" in page.content.decode()
    assert (
        client_for(trainer).get(reverse("training:bank_statistics", args=[quiz.bank_id])).status_code == 200
    )


def test_trainer_writes_a_bank_questions_and_a_quiz_on_pages(trainer: User, taker: User) -> None:
    client = client_for(trainer)
    assert client_for(taker).get(reverse("training:bank_list")).status_code == 403
    created = browser_post(client, reverse("training:bank_list"), {"code": "hall", "title_zh": "营业厅题库"})
    assert created.status_code == 302
    bank_url = created["Location"]
    added = browser_post(client, bank_url, {"do": "category", "code": "manners", "name_zh": "文明用语"})
    assert added.status_code == 302
    bank_pk = int(bank_url.rstrip("/").split("/")[-1])
    category = QuestionCategory.objects.get(code="manners")
    question_url = reverse("training:question_add", args=[bank_pk])
    bad = browser_post(
        client,
        question_url,
        {
            "category": category.pk,
            "kind": "single",
            "text_zh": "问候语是?",
            "points": "1",
            "option_1_zh": "您好",
        },
    )
    assert bad.status_code == 400 and not Question.objects.exists()
    made = browser_post(
        client,
        question_url,
        {
            "category": category.pk,
            "kind": "single",
            "text_zh": "问候语是?",
            "points": "1",
            "option_1_zh": "您好",
            "option_1_correct": "on",
            "option_2_zh": "喂",
        },
    )
    assert made.status_code == 302
    question = Question.objects.get()
    revised = browser_post(
        client,
        reverse("training:question_detail", args=[question.pk]),
        {"kind": "true_false", "text_zh": "应主动问候客户。", "points": "2", "true_is_correct": "1"},
    )
    assert revised.status_code == 302
    question.refresh_from_db()
    assert QuestionVersion.objects.filter(question=question).count() == 2
    assert question.current is not None and question.current.kind == "true_false"
    detail = client.get(reverse("training:question_detail", args=[question.pk])).content.decode()
    assert "问候语是?" in detail and "应主动问候客户。" in detail

    draft = draft_version_make(course=course_make(), lessons=0)
    quiz_url = reverse("training:quiz_configure", args=[draft.pk]) + f"?bank={bank_pk}"
    saved = browser_post(
        client,
        quiz_url,
        {
            "bank": bank_pk,
            "pass_mark": "80",
            "attempts_allowed": "2",
            "time_limit_minutes": "10",
            "review": "score",
            "shuffle_options": "on",
            f"draw_{category.pk}": "1",
        },
    )
    assert saved.status_code == 302
    quiz = Quiz.objects.get(version=draft)
    assert (
        quiz.attempts_allowed,
        quiz.time_limit_minutes,
        list(quiz.draws.values_list("count", flat=True)),
    ) == (
        2,
        10,
        [1],
    )
    too_many = browser_post(
        client,
        quiz_url,
        {
            "bank": bank_pk,
            "pass_mark": "80",
            "attempts_allowed": "2",
            "review": "score",
            f"draw_{category.pk}": "5",
        },
    )
    assert too_many.status_code == 400


def test_opening_the_attempt_after_the_deadline_submits_it(trainer: User, taker: User) -> None:
    quiz = quiz_published(
        actor=trainer, bank=bank_make(actor=trainer, categories={"a": 2}), time_limit_minutes=5
    )
    with time_machine.travel(START, tick=False):
        attempt = attempt_start(actor=taker, quiz=quiz)
        item = attempt.items.order_by("ordering").first()
        assert item is not None
        attempt_answer(
            actor=taker,
            attempt=attempt,
            question_version_id=item.question_id,
            chosen=[_correct(item.question_id)],
        )
    with time_machine.travel(START + dt.timedelta(minutes=5, seconds=1), tick=False):
        opened = client_for(taker).get(reverse("training:attempt", args=[attempt.pk]))
    assert opened.status_code == 302 and opened["Location"] == reverse(
        "training:attempt_result", args=[attempt.pk]
    )
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED and attempt.timed_out and attempt.score == 1
