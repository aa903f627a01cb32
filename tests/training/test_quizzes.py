"""Quiz attempts: the draw, the option shuffle, the server's clock, submitting once, grading, the sweep, the
attempts limit, answers keeping their question version, and item statistics on a known data set."""

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from charter.accounts.models import User
from charter.audit.models import AuditEvent
from charter.common.errors import ConflictError, DomainError, NotFoundError, PermissionDeniedError
from charter.training.banks import category_create, question_create, question_revise
from charter.training.errors import ErrorCode
from charter.training.models import Attempt, AttemptItem, Completion, QuestionOption, QuestionVersion, Quiz
from charter.training.quizzes import (
    attempt_answer,
    attempt_grade,
    attempt_passed_since,
    attempt_start,
    attempt_submit,
    attempts_expire,
    item_statistics,
)
from tests.training.factories import bank_make, quiz_published, staff_member, trainer_user

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


def _wrong(version_id: int) -> int:
    return QuestionOption.objects.filter(version_id=version_id, is_correct=False).order_by("pk").first().pk  # type: ignore[union-attr]


def _answer_all(person: User, attempt: Attempt, right: set[int] | None = None) -> None:
    """Answer every item: correctly for the questions in `right` (every one when None), wrongly otherwise."""
    for item in attempt.items.all():
        good = right is None or item.question.question_id in right
        option = _correct(item.question_id) if good else _wrong(item.question_id)
        attempt_answer(actor=person, attempt=attempt, question_version_id=item.question_id, chosen=[option])


def test_draw_takes_the_count_of_each_category(trainer: User, taker: User) -> None:
    bank = bank_make(actor=trainer, categories={"a": 5, "b": 4})
    quiz = quiz_published(actor=trainer, bank=bank, draws={"a": 2, "b": 3})

    attempt = attempt_start(actor=taker, quiz=quiz)

    items = list(attempt.items.select_related("question__question__category").order_by("ordering"))
    codes = [item.question.question.category.code for item in items]
    assert sorted(codes) == ["a", "a", "b", "b", "b"]
    assert len({item.question_id for item in items}) == 5
    assert all(item.question.question.current_id == item.question_id for item in items)
    assert attempt.max_score == Decimal("5")
    assert attempt.number == 1 and attempt.deadline_at is None


def test_options_are_stored_shuffled_or_in_order(trainer: User, taker: User) -> None:
    bank = bank_make(actor=trainer, categories={"a": 6})
    shuffled = quiz_published(actor=trainer, bank=bank, shuffle_options=True)
    in_order = quiz_published(actor=trainer, bank=bank, shuffle_options=False)

    items = list(attempt_start(actor=taker, quiz=shuffled).items.all())
    natural = {
        item.pk: list(
            QuestionOption.objects.filter(version_id=item.question_id)
            .order_by("ordering")
            .values_list("pk", flat=True)
        )
        for item in items
    }
    assert all(sorted(item.option_order) == sorted(natural[item.pk]) for item in items)
    # Six questions of three options each all left in order: one chance in 6^6.
    assert any(item.option_order != natural[item.pk] for item in items)

    for item in attempt_start(actor=taker, quiz=in_order).items.all():
        expected = QuestionOption.objects.filter(version_id=item.question_id).order_by("ordering")
        assert item.option_order == list(expected.values_list("pk", flat=True))


def test_start_returns_the_attempt_under_way(trainer: User, taker: User) -> None:
    quiz = quiz_published(actor=trainer, bank=bank_make(actor=trainer))
    first = attempt_start(actor=taker, quiz=quiz)
    assert attempt_start(actor=taker, quiz=quiz).pk == first.pk
    assert Attempt.objects.filter(quiz=quiz).count() == 1


def test_answer_after_the_deadline_is_refused_by_the_server_clock(trainer: User, taker: User) -> None:
    quiz = quiz_published(actor=trainer, bank=bank_make(actor=trainer), time_limit_minutes=10)
    with time_machine.travel(START, tick=False):
        attempt = attempt_start(actor=taker, quiz=quiz)
    assert attempt.deadline_at == START + dt.timedelta(minutes=10)
    item = attempt.items.first()
    assert item is not None
    with time_machine.travel(START + dt.timedelta(minutes=9, seconds=59), tick=False):
        attempt_answer(
            actor=taker,
            attempt=attempt,
            question_version_id=item.question_id,
            chosen=[_wrong(item.question_id)],
        )
    with time_machine.travel(START + dt.timedelta(minutes=10, seconds=1), tick=False):
        with pytest.raises(ConflictError) as refused:
            attempt_answer(
                actor=taker,
                attempt=attempt,
                question_version_id=item.question_id,
                chosen=[_correct(item.question_id)],
            )
    assert refused.value.code == ErrorCode.TIME_UP and refused.value.status == 409
    item.refresh_from_db()
    assert item.chosen == [_wrong(item.question_id)]


def test_second_submit_is_a_conflict(trainer: User, taker: User) -> None:
    quiz = quiz_published(actor=trainer, bank=bank_make(actor=trainer), pass_mark=50)
    attempt = attempt_start(actor=taker, quiz=quiz)
    _answer_all(taker, attempt, right=set())
    done = attempt_submit(actor=taker, attempt=attempt)
    assert done.status == Attempt.Status.GRADED and done.passed is False and done.percent == Decimal("0.00")

    with pytest.raises(ConflictError) as refused:
        attempt_submit(actor=taker, attempt=attempt)
    assert refused.value.code == ErrorCode.ATTEMPT_SUBMITTED and refused.value.status == 409
    item = attempt.items.first()
    assert item is not None
    with pytest.raises(ConflictError) as late:
        attempt_answer(
            actor=taker,
            attempt=attempt,
            question_version_id=item.question_id,
            chosen=[_correct(item.question_id)],
        )
    assert late.value.code == ErrorCode.ATTEMPT_SUBMITTED


def test_answer_to_a_question_not_drawn_is_refused(trainer: User, taker: User) -> None:
    bank = bank_make(actor=trainer, categories={"a": 5})
    quiz = quiz_published(actor=trainer, bank=bank, draws={"a": 2})
    attempt = attempt_start(actor=taker, quiz=quiz)
    drawn = set(attempt.items.values_list("question_id", flat=True))
    other = QuestionVersion.objects.exclude(pk__in=drawn).first()
    assert other is not None

    with pytest.raises(DomainError) as refused:
        attempt_answer(
            actor=taker, attempt=attempt, question_version_id=other.pk, chosen=[_correct(other.pk)]
        )
    assert refused.value.code == ErrorCode.QUESTION_NOT_DRAWN and refused.value.status == 400

    # An option of another question, and two options of a single-choice question, are refused too.
    mine = next(iter(drawn))
    with pytest.raises(DomainError) as foreign:
        attempt_answer(actor=taker, attempt=attempt, question_version_id=mine, chosen=[_correct(other.pk)])
    assert foreign.value.code == ErrorCode.ANSWER_INVALID
    with pytest.raises(DomainError) as two:
        attempt_answer(
            actor=taker, attempt=attempt, question_version_id=mine, chosen=[_correct(mine), _wrong(mine)]
        )
    assert two.value.code == ErrorCode.ANSWER_INVALID


def test_somebody_elses_attempt_is_not_found(trainer: User, taker: User) -> None:
    quiz = quiz_published(actor=trainer, bank=bank_make(actor=trainer))
    attempt = attempt_start(actor=taker, quiz=quiz)
    item = attempt.items.first()
    assert item is not None
    colleague = staff_member()
    with pytest.raises(NotFoundError):
        attempt_answer(
            actor=colleague,
            attempt=attempt,
            question_version_id=item.question_id,
            chosen=[_correct(item.question_id)],
        )
    with pytest.raises(NotFoundError):
        attempt_submit(actor=colleague, attempt=attempt)
    # Not even a trainer answers or submits for the taker.
    with pytest.raises(NotFoundError):
        attempt_submit(actor=trainer, attempt=attempt)
    assert Attempt.objects.get(pk=attempt.pk).status == Attempt.Status.IN_PROGRESS


def test_attempts_limit(trainer: User, taker: User) -> None:
    quiz = quiz_published(actor=trainer, bank=bank_make(actor=trainer), attempts_allowed=2, pass_mark=100)
    for _ in range(2):
        attempt = attempt_start(actor=taker, quiz=quiz)
        attempt_submit(actor=taker, attempt=attempt)
    with pytest.raises(DomainError) as refused:
        attempt_start(actor=taker, quiz=quiz)
    assert refused.value.code == ErrorCode.ATTEMPTS_USED_UP
    assert list(Attempt.objects.filter(quiz=quiz).order_by("number").values_list("number", flat=True)) == [
        1,
        2,
    ]


def test_attempts_count_again_after_the_course_is_completed(trainer: User, taker: User) -> None:
    """Renewing a certificate on the same course version must not find its attempts used up: the limit
    counts the attempts since the person last completed the course."""
    quiz = quiz_published(actor=trainer, bank=bank_make(actor=trainer), attempts_allowed=1, pass_mark=100)
    with time_machine.travel(START):
        attempt_submit(actor=taker, attempt=attempt_start(actor=taker, quiz=quiz))
    with time_machine.travel(START + dt.timedelta(days=1)):
        Completion.objects.create(
            person=taker, version=quiz.version, course_id=quiz.version.course_id, completed_at=timezone.now()
        )
    with time_machine.travel(START + dt.timedelta(days=300)):
        again = attempt_start(actor=taker, quiz=quiz)
        assert again.number == 2
        attempt_submit(actor=taker, attempt=again)
        with pytest.raises(DomainError) as refused:
            attempt_start(actor=taker, quiz=quiz)
    assert refused.value.code == ErrorCode.ATTEMPTS_USED_UP


def test_a_new_assignment_gives_fresh_attempts_to_one_who_used_them_up(trainer: User, taker: User) -> None:
    """Someone who failed every attempt gets a new set when a remedial (or renewal) assignment of the course
    is made: the limit counts from the later of his last completion and his earliest open assignment."""
    from charter.training.assignments import assignment_create
    from charter.training.models import Assignment

    quiz = quiz_published(actor=trainer, bank=bank_make(actor=trainer), attempts_allowed=1, pass_mark=100)
    with time_machine.travel(START):
        attempt_submit(actor=taker, attempt=attempt_start(actor=taker, quiz=quiz))
        with pytest.raises(DomainError) as used_up:
            attempt_start(actor=taker, quiz=quiz)
        assert used_up.value.code == ErrorCode.ATTEMPTS_USED_UP
    with time_machine.travel(START + dt.timedelta(days=2)):
        assignment_create(
            actor=None,
            person=taker,
            course=quiz.version.course,
            due_on=timezone.localdate() + dt.timedelta(days=14),
            reason=Assignment.Reason.QA_REVIEW,
            source_type="quality.review",
            source_id=7,
        )
    with time_machine.travel(START + dt.timedelta(days=3)):
        again = attempt_start(actor=taker, quiz=quiz)
        assert again.number == 2
        attempt_submit(actor=taker, attempt=again)
        with pytest.raises(DomainError) as refused:
            attempt_start(actor=taker, quiz=quiz)
    assert refused.value.code == ErrorCode.ATTEMPTS_USED_UP


def test_quiz_of_a_draft_or_superseded_version_is_not_open(trainer: User, taker: User) -> None:
    quiz = quiz_published(actor=trainer, bank=bank_make(actor=trainer))
    type(quiz.version).objects.filter(pk=quiz.version_id).update(status="superseded")
    with pytest.raises(DomainError) as refused:
        attempt_start(actor=taker, quiz=Quiz.objects.get(pk=quiz.pk))
    assert refused.value.code == ErrorCode.QUIZ_NOT_OPEN


def test_answers_keep_their_question_version_after_a_revision(trainer: User, taker: User) -> None:
    bank = bank_make(actor=trainer, categories={"a": 1})
    quiz = quiz_published(actor=trainer, bank=bank, attempts_allowed=0)
    attempt = attempt_start(actor=taker, quiz=quiz)
    item = attempt.items.select_related("question__question").get()
    old = item.question
    attempt_answer(actor=taker, attempt=attempt, question_version_id=old.pk, chosen=[_correct(old.pk)])

    new = question_revise(
        actor=trainer,
        question=old.question,
        kind="single",
        text_zh="改写后的题目",
        options=[("新答案", "", True), ("旧答案", "", False)],
    )

    item.refresh_from_db()
    assert item.question_id == old.pk and new.pk != old.pk
    assert QuestionVersion.objects.get(pk=old.pk).text_zh == "a 题1"
    done = attempt_submit(actor=taker, attempt=attempt)
    assert done.score == Decimal("1.0")
    second = attempt_start(actor=taker, quiz=quiz)
    assert list(second.items.values_list("question_id", flat=True)) == [new.pk]


def test_sweep_submits_what_was_answered_when_time_is_up(trainer: User, taker: User) -> None:
    bank = bank_make(actor=trainer, categories={"a": 4})
    quiz = quiz_published(actor=trainer, bank=bank, time_limit_minutes=5, pass_mark=20)
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
    with time_machine.travel(START + dt.timedelta(minutes=4), tick=False):
        assert attempts_expire() == 0
    with time_machine.travel(START + dt.timedelta(minutes=6), tick=False):
        assert attempts_expire() == 1
        assert attempts_expire() == 0
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED and attempt.timed_out
    assert attempt.score == Decimal("1.0") and attempt.percent == Decimal("25.00") and attempt.passed
    assert attempt.submitted_at == START + dt.timedelta(minutes=6)
    assert attempt_passed_since(person_id=taker.pk, course_version_id=quiz.version_id, since=START)
    assert not attempt_passed_since(
        person_id=taker.pk, course_version_id=quiz.version_id, since=START + dt.timedelta(minutes=7)
    )


def _short_quiz(trainer: User) -> Quiz:
    bank = bank_make(actor=trainer, categories={"a": 1})
    category = category_create(actor=trainer, bank=bank, code="essay", name_zh="简答")
    question_create(
        actor=trainer, category=category, kind="short", text_zh="如何安抚情绪激动的客户?", points="4"
    )
    quiz: Quiz = quiz_published(actor=trainer, bank=bank, draws={"a": 1, "essay": 1}, pass_mark=60)
    return quiz


def test_short_answers_wait_for_a_grader_who_is_not_the_taker(trainer: User, taker: User) -> None:
    quiz = _short_quiz(trainer)
    attempt = attempt_start(actor=taker, quiz=quiz)
    short = attempt.items.get(question__kind="short")
    choice = attempt.items.get(question__kind="single")
    attempt_answer(
        actor=taker,
        attempt=attempt,
        question_version_id=choice.question_id,
        chosen=[_correct(choice.question_id)],
    )
    attempt_answer(
        actor=taker,
        attempt=attempt,
        question_version_id=short.question_id,
        text="先倾听,再致歉,然后说明办理办法。",
    )
    attempt = attempt_submit(actor=taker, attempt=attempt)
    assert attempt.status == Attempt.Status.GRADING and attempt.passed is None

    with pytest.raises(PermissionDeniedError) as by_taker:
        attempt_grade(actor=taker, attempt=attempt, grades={short.pk: ("4", "")})
    assert by_taker.value.code == ErrorCode.GRADE_DENIED
    with pytest.raises(NotFoundError):
        attempt_grade(actor=staff_member(), attempt=attempt, grades={short.pk: ("4", "")})
    with pytest.raises(DomainError) as too_many:
        attempt_grade(actor=trainer, attempt=attempt, grades={short.pk: ("4.5", "")})
    assert too_many.value.code == ErrorCode.GRADE_INVALID
    with pytest.raises(DomainError) as not_short:
        attempt_grade(actor=trainer, attempt=attempt, grades={choice.pk: ("1", "")})
    assert not_short.value.code == ErrorCode.GRADE_INVALID

    graded = attempt_grade(actor=trainer, attempt=attempt, grades={short.pk: ("2.5", "要点基本齐全")})
    assert graded.status == Attempt.Status.GRADED
    assert graded.score == Decimal("3.5") and graded.max_score == Decimal("5.0")
    assert graded.percent == Decimal("70.00") and graded.passed
    short.refresh_from_db()
    assert short.graded_by_id == trainer.pk and short.comment == "要点基本齐全"
    with pytest.raises(ConflictError) as again:
        attempt_grade(actor=trainer, attempt=attempt, grades={short.pk: ("4", "")})
    assert again.value.code == ErrorCode.ATTEMPT_NOT_GRADING


def test_multiple_choice_is_all_or_nothing(trainer: User, taker: User) -> None:
    bank = bank_make(actor=trainer, categories={"a": 1})
    category = category_create(actor=trainer, bank=bank, code="multi", name_zh="多选")
    question_create(
        actor=trainer,
        category=category,
        kind="multiple",
        text_zh="以下哪些是文明用语?",
        points=2,
        options=[("您好", "", True), ("请稍等", "", True), ("不知道", "", False)],
    )
    quiz = quiz_published(actor=trainer, bank=bank, draws={"multi": 1}, attempts_allowed=0, pass_mark=100)
    version = QuestionVersion.objects.get(kind="multiple")
    right = list(QuestionOption.objects.filter(version=version, is_correct=True).values_list("pk", flat=True))
    wrong = QuestionOption.objects.get(version=version, is_correct=False).pk
    scores = []
    for chosen in (right[:1], [*right, wrong], right):
        attempt = attempt_start(actor=taker, quiz=quiz)
        attempt_answer(actor=taker, attempt=attempt, question_version_id=version.pk, chosen=chosen)
        scores.append(attempt_submit(actor=taker, attempt=attempt).score)
    assert scores == [Decimal("0"), Decimal("0"), Decimal("2.0")]


def test_item_statistics_on_a_known_data_set(trainer: User) -> None:
    """Three questions, four takers: facility is the share of points won; discrimination the correlation of
    the item with the rest of the test (worked by hand: q1 0, q2 1/√3, q3 -1/√11)."""
    bank = bank_make(actor=trainer, categories={"a": 3})
    quiz = quiz_published(actor=trainer, bank=bank, attempts_allowed=0, pass_mark=50)
    q1, q2, q3 = (version.question_id for version in QuestionVersion.objects.order_by("question_id"))
    for right in ({q1, q2, q3}, {q1, q2}, {q1}, {q3}):
        person = staff_member()
        attempt = attempt_start(actor=person, quiz=quiz)
        _answer_all(person, attempt, right=right)
        attempt_submit(actor=person, attempt=attempt)
    # An attempt still in progress does not count.
    attempt_start(actor=staff_member(), quiz=quiz)

    with CaptureQueriesContext(connection) as queries:
        statistics = item_statistics(quiz=quiz)
    assert len(queries) == 2
    by_question: dict[int, Any] = {row.version.question_id: row for row in statistics}
    assert [by_question[q].answers for q in (q1, q2, q3)] == [4, 4, 4]
    assert by_question[q1].facility == pytest.approx(0.75)
    assert by_question[q2].facility == pytest.approx(0.5)
    assert by_question[q3].facility == pytest.approx(0.5)
    assert by_question[q1].discrimination == pytest.approx(0.0)
    assert by_question[q2].discrimination == pytest.approx(1 / 3**0.5)
    assert by_question[q3].discrimination == pytest.approx(-1 / 11**0.5)
    assert all(row.too_few for row in statistics)
    assert len(item_statistics(bank=bank)) == 3
    assert AttemptItem.objects.filter(attempt__quiz=quiz).count() == 15


def test_a_grader_never_grades_his_own_attempt(trainer: User) -> None:
    quiz = _short_quiz(trainer)
    attempt = attempt_start(actor=trainer, quiz=quiz)
    short = attempt.items.get(question__kind="short")
    attempt_answer(actor=trainer, attempt=attempt, question_version_id=short.question_id, text="我的答案")
    attempt = attempt_submit(actor=trainer, attempt=attempt)
    with pytest.raises(PermissionDeniedError) as refused:
        attempt_grade(actor=trainer, attempt=attempt, grades={short.pk: ("4", "")})
    assert refused.value.code == ErrorCode.SELF_GRADE
    short.refresh_from_db()
    assert short.points is None


def _race(work: Any) -> list[object]:
    """Run `work()` in two threads released at once; return each one's result or exception."""
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work()
        except Exception as error:  # the test inspects it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers anyway")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_submits_at_once_grade_once(trainer: User, taker: User) -> None:
    quiz = quiz_published(actor=trainer, bank=bank_make(actor=trainer), pass_mark=100)
    attempt = attempt_start(actor=taker, quiz=quiz)

    results = _race(lambda: attempt_submit(actor=taker, attempt=Attempt.objects.get(pk=attempt.pk)))

    graded = [result for result in results if isinstance(result, Attempt)]
    refused = [result for result in results if isinstance(result, ConflictError)]
    assert len(graded) == 1 and len(refused) == 1, results
    assert refused[0].code == ErrorCode.ATTEMPT_SUBMITTED
    assert AuditEvent.objects.filter(action="training.attempt_submit").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers anyway")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_starts_at_once_make_one_attempt(trainer: User, taker: User) -> None:
    quiz = quiz_published(actor=trainer, bank=bank_make(actor=trainer))

    results = _race(lambda: attempt_start(actor=taker, quiz=Quiz.objects.get(pk=quiz.pk)))

    assert Attempt.objects.filter(quiz=quiz).count() == 1
    for result in results:
        assert isinstance(result, Attempt) or (
            isinstance(result, ConflictError) and result.code == ErrorCode.ATTEMPT_BUSY
        ), results
