"""Question banks: questions checked by kind, a revision writes a new version, retiring, trainers only, the
clause a category cites, and the quiz of a draft course version."""

from decimal import Decimal

import pytest

from charter.accounts.models import User
from charter.audit.models import AuditEvent
from charter.common.errors import DomainError, PermissionDeniedError
from charter.common.versioning import version_publish
from charter.standards.services import standard_version_draft_create
from charter.training.banks import (
    bank_create,
    category_create,
    category_update,
    question_create,
    question_retire,
    question_revise,
    quiz_configure,
)
from charter.training.errors import ErrorCode
from charter.training.models import Question, QuestionCategory, QuestionOption, QuestionVersion, QuizDraw
from tests.accounts.factories import UserFactory
from tests.assessment.factories import conduct_clause
from tests.training.factories import (
    bank_make,
    course_make,
    draft_version_make,
    staff_member,
    trainer_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer() -> User:
    return trainer_user()


def _category(trainer: User) -> QuestionCategory:
    bank = bank_create(actor=trainer, code="b1", title_zh="题库")
    return category_create(actor=trainer, bank=bank, code="c1", name_zh="服务态度")


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("single", [("甲", "", True)]),  # fewer than two
        ("single", [("甲", "", True), ("乙", "", True)]),  # two correct
        ("single", [("甲", "", False), ("乙", "", False)]),  # none correct
        ("multiple", [("甲", "", False), ("乙", "", False)]),
        ("true_false", [("对", "", True), ("错", "", True)]),
        ("true_false", [("对", "", True)]),
        ("short", [("甲", "", True), ("乙", "", False)]),
    ],
)
def test_options_are_checked_by_kind(trainer: User, kind: str, options: list[tuple[str, str, bool]]) -> None:
    category = _category(trainer)
    with pytest.raises(DomainError) as refused:
        question_create(actor=trainer, category=category, kind=kind, text_zh="题目", options=options)
    assert refused.value.code == ErrorCode.QUESTION_OPTIONS
    assert not Question.objects.exists()


def test_true_false_options_are_written_by_the_service(trainer: User) -> None:
    category = _category(trainer)
    question = question_create(
        actor=trainer,
        category=category,
        kind="true_false",
        text_zh="受理时应先核实身份。",
        options=[("x", "", False), ("y", "", True)],
        points="2",
    )
    options = list(QuestionOption.objects.filter(version=question.current).order_by("ordering"))
    assert [(o.text_zh, o.text_en, o.is_correct) for o in options] == [
        ("对", "True", False),
        ("错", "False", True),
    ]
    assert question.current is not None and question.current.points == Decimal("2.0")


def test_points_and_kind_are_checked(trainer: User) -> None:
    category = _category(trainer)
    with pytest.raises(DomainError) as points:
        question_create(actor=trainer, category=category, kind="short", text_zh="题目", points="0.25")
    assert points.value.code == ErrorCode.QUESTION_POINTS
    with pytest.raises(DomainError) as kind:
        question_create(actor=trainer, category=category, kind="essay", text_zh="题目")
    assert kind.value.code == ErrorCode.QUESTION_KIND


def test_revision_writes_a_new_version_and_moves_current(trainer: User) -> None:
    category = _category(trainer)
    question = question_create(
        actor=trainer,
        category=category,
        kind="single",
        text_zh="旧题",
        options=[("甲", "", True), ("乙", "", False)],
    )
    first = question.current
    assert first is not None
    second = question_revise(
        actor=trainer,
        question=question,
        kind="multiple",
        text_zh="新题",
        options=[("甲", "", True), ("乙", "", True), ("丙", "", False)],
    )
    question.refresh_from_db()
    assert question.current_id == second.pk and second.number == 2
    old = QuestionVersion.objects.get(pk=first.pk)
    assert (old.text_zh, old.kind, old.options.count()) == ("旧题", "single", 2)
    assert second.options.filter(is_correct=True).count() == 2
    assert AuditEvent.objects.filter(action="training.question_revise").count() == 1

    question_retire(actor=trainer, question=question)
    question.refresh_from_db()
    assert not question.is_active
    with pytest.raises(DomainError) as retired:
        question_revise(actor=trainer, question=question, kind="short", text_zh="再改")
    assert retired.value.code == ErrorCode.QUESTION_RETIRED


def test_only_trainers_write_questions(trainer: User) -> None:
    category = _category(trainer)
    agent = staff_member()
    with pytest.raises(PermissionDeniedError):
        bank_create(actor=agent, code="x", title_zh="题库")
    with pytest.raises(PermissionDeniedError):
        question_create(actor=agent, category=category, kind="short", text_zh="题目")


def test_category_cites_only_a_published_clause(trainer: User) -> None:
    administrator = UserFactory.create(username="admin", roles=["administrator"], is_staff=True)
    clause = conduct_clause(administrator)
    category = _category(trainer)
    updated = category_update(actor=trainer, category=category, name_zh="服务态度", clause=clause)
    assert updated.clause_id == clause.pk

    draft = standard_version_draft_create(actor=administrator, document=clause.version.document)
    draft_clause = draft.clauses.get(number=clause.number)
    with pytest.raises(DomainError) as refused:
        category_update(actor=trainer, category=category, name_zh="服务态度", clause=draft_clause)
    assert refused.value.code == ErrorCode.CATEGORY_CLAUSE


def test_quiz_is_configured_on_a_draft_only(trainer: User) -> None:
    bank = bank_make(actor=trainer, categories={"a": 3, "b": 2})
    a, b = bank.categories.order_by("code")
    course = course_make()
    draft = draft_version_make(course=course, lessons=0)

    with pytest.raises(DomainError) as too_many:
        quiz_configure(
            actor=trainer,
            version=draft,
            bank=bank,
            pass_mark=80,
            attempts_allowed=3,
            time_limit_minutes=20,
            review="score",
            shuffle_options=True,
            draws=[(a, 4)],
        )
    assert too_many.value.code == ErrorCode.QUIZ_DRAW_TOO_MANY

    other = bank_make(actor=trainer, code="other", categories={"z": 2})
    with pytest.raises(DomainError) as foreign:
        quiz_configure(
            actor=trainer,
            version=draft,
            bank=bank,
            pass_mark=80,
            attempts_allowed=3,
            time_limit_minutes=None,
            review="score",
            shuffle_options=True,
            draws=[(other.categories.get(), 1)],
        )
    assert foreign.value.code == ErrorCode.QUIZ_DRAWS

    quiz = quiz_configure(
        actor=trainer,
        version=draft,
        bank=bank,
        pass_mark="75",
        attempts_allowed=2,
        time_limit_minutes=15,
        review="answers",
        shuffle_options=False,
        draws=[(a, 3), (b, 1)],
    )
    # Configuring again replaces the draws.
    again = quiz_configure(
        actor=trainer,
        version=draft,
        bank=bank,
        pass_mark="60",
        attempts_allowed=0,
        time_limit_minutes=None,
        review="none",
        shuffle_options=True,
        draws=[(b, 2)],
    )
    assert again.pk == quiz.pk and again.pass_mark == Decimal("60.00")
    assert list(QuizDraw.objects.filter(quiz=quiz).values_list("category_id", "count")) == [(b.pk, 2)]

    version_publish(version=draft, actor=trainer, supersede=course.versions.all())
    with pytest.raises(DomainError) as frozen:
        quiz_configure(
            actor=trainer,
            version=draft,
            bank=bank,
            pass_mark=80,
            attempts_allowed=3,
            time_limit_minutes=None,
            review="score",
            shuffle_options=True,
            draws=[(a, 1)],
        )
    assert frozen.value.code == ErrorCode.VERSION_FROZEN
    assert list(QuizDraw.objects.filter(quiz=quiz).values_list("category_id", "count")) == [(b.pk, 2)]
