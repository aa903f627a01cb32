"""Question banks: banks, their categories (each may cite a clause of a published standard), questions and
their versions, and the quiz a draft course version draws from a bank.

A question is never edited in place: `question_revise` writes a new `QuestionVersion` with its options and
moves `Question.current` to it, so an answer given earlier keeps pointing at the words it answered. Retiring a
question (`question_retire`) keeps its versions and stops new attempts drawing it.

Rules of a question's options, by kind:
- single choice: two options or more, exactly one correct;
- multiple choice: two options or more, at least one correct;
- true or false: exactly two options, 对 / 错 (True / False), written here; one of them correct;
- short answer: no options (a grader awards the points).

Every write requires `can_manage_courses` (trainers, administrators), runs in one transaction and writes an
audit event. The quiz of a course version is configured only while the version is a draft (the versioning
kernel refuses a change to a published version whoever calls it).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.audit.services import audit_record
from charter.common.errors import DomainError
from charter.common.policy import require
from charter.common.text import TextCodes, clean_text
from charter.common.versioning import VersionStatus, version_draft_lock
from charter.standards.models import StandardClause
from charter.training.errors import ErrorCode
from charter.training.models import (
    CourseVersion,
    Question,
    QuestionBank,
    QuestionCategory,
    QuestionOption,
    QuestionVersion,
    Quiz,
    QuizDraw,
)
from charter.training.permissions import can_manage_courses

TEXT_CODES = TextCodes(
    required=ErrorCode.BANK_TEXT_REQUIRED,
    too_long=ErrorCode.BANK_TEXT_TOO_LONG,
    invalid=ErrorCode.BANK_TEXT_INVALID,
)
Kind = QuestionVersion.Kind
CHOICE_KINDS = (Kind.SINGLE, Kind.MULTIPLE, Kind.TRUE_FALSE)
# The two options of a true-or-false question, written by the service (the caller says which is correct).
TRUE_FALSE_TEXTS = (("对", "True"), ("错", "False"))
MAX_POINTS = Decimal("100")


@dataclass(frozen=True)
class OptionSpec:
    """An option to write: its text in both languages and whether it is correct."""

    text_zh: str
    text_en: str
    is_correct: bool


OptionInput = OptionSpec | tuple[str, str, bool]


def _line(value: object, *, field: str, required: bool = True, max_length: int = 200) -> str:
    return clean_text(
        value, field=field, codes=TEXT_CODES, required=required, max_length=max_length, multiline=False
    )


def _text(value: object, *, field: str, required: bool = False, max_length: int = 4000) -> str:
    return clean_text(value, field=field, codes=TEXT_CODES, required=required, max_length=max_length)


def _audit(actor: User, verb: str, target: Any, data: dict[str, Any]) -> None:
    audit_record(actor=actor, action=f"training.{verb}", target=target, data=data)


# Banks and categories -----------------------------------------------------------------------------------


def bank_create(*, actor: User, code: str, title_zh: str, title_en: str = "") -> QuestionBank:
    """Create a question bank with a unique `code`. Audited `training.bank_create`."""
    require(can_manage_courses(actor))
    code = _line(code, field="code", max_length=50)
    title_zh = _line(title_zh, field="title_zh")
    title_en = _line(title_en, field="title_en", required=False)
    with transaction.atomic():
        if QuestionBank.objects.filter(code=code).exists():
            raise DomainError(
                _("A question bank with this code exists already."),
                code=ErrorCode.BANK_CODE_TAKEN,
                field="code",
            )
        bank = QuestionBank.objects.create(code=code, title_zh=title_zh, title_en=title_en)
        _audit(actor, "bank_create", bank, {"code": code, "title_zh": title_zh})
    return bank


def bank_update(*, actor: User, bank: QuestionBank, title_zh: str, title_en: str = "") -> QuestionBank:
    """Change a bank's titles (its code stays). Audited `training.bank_update`."""
    require(can_manage_courses(actor))
    title_zh = _line(title_zh, field="title_zh")
    title_en = _line(title_en, field="title_en", required=False)
    with transaction.atomic():
        bank = QuestionBank.objects.select_for_update().get(pk=bank.pk)
        bank.title_zh, bank.title_en = title_zh, title_en
        bank.save(update_fields=["title_zh", "title_en", "updated_at"])
        _audit(actor, "bank_update", bank, {"title_zh": title_zh, "title_en": title_en})
    return bank


def _clause_check(clause: StandardClause | None) -> None:
    """Refuse a clause that is not of a published (or in force) version of a standard."""
    if clause is None:
        return
    if not StandardClause.objects.filter(pk=clause.pk, version__status=VersionStatus.PUBLISHED).exists():
        raise DomainError(
            _("Cite a clause of a published standard."), code=ErrorCode.CATEGORY_CLAUSE, field="clause"
        )


def category_create(
    *,
    actor: User,
    bank: QuestionBank,
    code: str,
    name_zh: str,
    name_en: str = "",
    clause: StandardClause | None = None,
) -> QuestionCategory:
    """Add a category to `bank` (`code` unique in the bank), optionally citing a published clause. Audited
    `training.category_create`."""
    require(can_manage_courses(actor))
    code = _line(code, field="code", max_length=50)
    name_zh = _line(name_zh, field="name_zh")
    name_en = _line(name_en, field="name_en", required=False)
    _clause_check(clause)
    with transaction.atomic():
        if QuestionCategory.objects.filter(bank=bank, code=code).exists():
            raise DomainError(
                _("This bank has a category with this code already."),
                code=ErrorCode.CATEGORY_CODE_TAKEN,
                field="code",
            )
        category = QuestionCategory.objects.create(
            bank=bank, code=code, name_zh=name_zh, name_en=name_en, clause=clause
        )
        _audit(
            actor,
            "category_create",
            category,
            {"bank": bank.pk, "code": code, "clause": clause.pk if clause else None},
        )
    return category


def category_update(
    *,
    actor: User,
    category: QuestionCategory,
    name_zh: str,
    name_en: str = "",
    clause: StandardClause | None = None,
) -> QuestionCategory:
    """Change a category's names and clause (its code stays). Audited `training.category_update`."""
    require(can_manage_courses(actor))
    name_zh = _line(name_zh, field="name_zh")
    name_en = _line(name_en, field="name_en", required=False)
    _clause_check(clause)
    with transaction.atomic():
        category = QuestionCategory.objects.select_for_update().get(pk=category.pk)
        category.name_zh, category.name_en, category.clause = name_zh, name_en, clause
        category.save(update_fields=["name_zh", "name_en", "clause"])
        _audit(
            actor,
            "category_update",
            category,
            {"name_zh": name_zh, "clause": clause.pk if clause else None},
        )
    return category


# Questions ----------------------------------------------------------------------------------------------


def _points(value: object) -> Decimal:
    try:
        points = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        points = Decimal("-1")
    if (
        not points.is_finite()
        or points < Decimal("0.5")
        or points > MAX_POINTS
        or points != points.quantize(Decimal("0.1"))
    ):
        raise DomainError(
            _("Points are a number from 0.5 to 100, with at most one decimal."),
            code=ErrorCode.QUESTION_POINTS,
            field="points",
        )
    return points.quantize(Decimal("0.1"))


def _options_error(message: Any) -> DomainError:
    return DomainError(message, code=ErrorCode.QUESTION_OPTIONS, field="options")


def _options_check(kind: str, options: Sequence[OptionInput]) -> list[OptionSpec]:
    """Return the options to write for a question of `kind`, cleaned, or refuse them (see the module)."""
    specs = [option if isinstance(option, OptionSpec) else OptionSpec(*option) for option in options]
    if kind == Kind.SHORT:
        if specs:
            raise _options_error(_("A short-answer question has no options."))
        return []
    if kind == Kind.TRUE_FALSE:
        if len(specs) != 2 or sum(spec.is_correct for spec in specs) != 1:
            raise _options_error(_("A true-or-false question has two options, one of them correct."))
        return [
            OptionSpec(text_zh=zh, text_en=en, is_correct=spec.is_correct)
            for (zh, en), spec in zip(TRUE_FALSE_TEXTS, specs, strict=True)
        ]
    cleaned = [
        OptionSpec(
            text_zh=_line(spec.text_zh, field="options", max_length=500),
            text_en=_line(spec.text_en, field="options", required=False, max_length=500),
            is_correct=bool(spec.is_correct),
        )
        for spec in specs
    ]
    correct = sum(spec.is_correct for spec in cleaned)
    if len(cleaned) < 2:
        raise _options_error(_("A choice question has at least two options."))
    if kind == Kind.SINGLE and correct != 1:
        raise _options_error(_("A single-choice question has exactly one correct option."))
    if kind == Kind.MULTIPLE and correct < 1:
        raise _options_error(_("A multiple-choice question has at least one correct option."))
    if len({spec.text_zh for spec in cleaned}) != len(cleaned):
        raise _options_error(_("Two options say the same."))
    return cleaned


@dataclass(frozen=True)
class _VersionContent:
    kind: str
    text_zh: str
    text_en: str
    explanation_zh: str
    explanation_en: str
    points: Decimal
    options: list[OptionSpec]


def _content(
    *,
    kind: str,
    text_zh: str,
    text_en: str,
    explanation_zh: str,
    explanation_en: str,
    points: object,
    options: Sequence[OptionInput],
) -> _VersionContent:
    if kind not in Kind.values:
        raise DomainError(_("Choose the kind of question."), code=ErrorCode.QUESTION_KIND, field="kind")
    return _VersionContent(
        kind=kind,
        text_zh=_text(text_zh, field="text_zh", required=True),
        text_en=_text(text_en, field="text_en"),
        explanation_zh=_text(explanation_zh, field="explanation_zh"),
        explanation_en=_text(explanation_en, field="explanation_en"),
        points=_points(points),
        options=_options_check(kind, options),
    )


def _version_write(question: Question, number: int, content: _VersionContent, actor: User) -> QuestionVersion:
    version = QuestionVersion.objects.create(
        question=question,
        number=number,
        kind=content.kind,
        text_zh=content.text_zh,
        text_en=content.text_en,
        explanation_zh=content.explanation_zh,
        explanation_en=content.explanation_en,
        points=content.points,
        created_at=timezone.now(),
        created_by=actor,
    )
    QuestionOption.objects.bulk_create(
        QuestionOption(
            version=version,
            ordering=index,
            text_zh=spec.text_zh,
            text_en=spec.text_en,
            is_correct=spec.is_correct,
        )
        for index, spec in enumerate(content.options, start=1)
    )
    question.current = version
    question.save(update_fields=["current", "updated_at"])
    return version


def question_create(
    *,
    actor: User,
    category: QuestionCategory,
    kind: str,
    text_zh: str,
    text_en: str = "",
    explanation_zh: str = "",
    explanation_en: str = "",
    points: Decimal | str | int = Decimal("1"),
    options: Sequence[OptionInput] = (),
) -> Question:
    """Write a question in `category` with its version 1 and options (checked by kind, see the module) and
    return it (`current` is version 1). Audited `training.question_create`."""
    require(can_manage_courses(actor))
    content = _content(
        kind=kind,
        text_zh=text_zh,
        text_en=text_en,
        explanation_zh=explanation_zh,
        explanation_en=explanation_en,
        points=points,
        options=options,
    )
    with transaction.atomic():
        question = Question.objects.create(category=category)
        version = _version_write(question, 1, content, actor)
        _audit(
            actor,
            "question_create",
            question,
            {"category": category.pk, "kind": kind, "version": version.pk, "points": content.points},
        )
    return question


def question_revise(
    *,
    actor: User,
    question: Question,
    kind: str,
    text_zh: str,
    text_en: str = "",
    explanation_zh: str = "",
    explanation_en: str = "",
    points: Decimal | str | int = Decimal("1"),
    options: Sequence[OptionInput] = (),
) -> QuestionVersion:
    """Write the next version of `question` (with its options) and make it current; earlier versions and the
    answers given to them stay as they were. Refuses a retired question. Audited `training.question_revise`.
    """
    require(can_manage_courses(actor))
    content = _content(
        kind=kind,
        text_zh=text_zh,
        text_en=text_en,
        explanation_zh=explanation_zh,
        explanation_en=explanation_en,
        points=points,
        options=options,
    )
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=question.pk)
        if not question.is_active:
            raise DomainError(_("This question is retired."), code=ErrorCode.QUESTION_RETIRED)
        last = question.versions.aggregate(last=Max("number"))["last"] or 0
        previous = question.current_id
        version = _version_write(question, last + 1, content, actor)
        _audit(
            actor,
            "question_revise",
            question,
            {"version": version.pk, "number": version.number, "previous": previous, "kind": kind},
        )
    return version


def question_retire(*, actor: User, question: Question) -> Question:
    """Stop new attempts drawing `question` (its versions and answers stay). Audited
    `training.question_retire`; retiring a retired question changes nothing and records nothing."""
    require(can_manage_courses(actor))
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=question.pk)
        if question.is_active:
            question.is_active = False
            question.save(update_fields=["is_active", "updated_at"])
            _audit(actor, "question_retire", question, {"category": question.category_id})
    return question


# Selectors ----------------------------------------------------------------------------------------------


def category_list_with_counts(*, bank: QuestionBank) -> list[QuestionCategory]:
    """The categories of `bank`, each with `active_count` (active questions with a version) and `total`."""
    return list(
        bank.categories.select_related("clause__version__document").annotate(
            active_count=Count(
                "questions", filter=Q(questions__is_active=True, questions__current__isnull=False)
            ),
            total=Count("questions"),
        )
    )


def active_question_counts(category_ids: Sequence[int]) -> dict[int, int]:
    """How many active questions (with a current version) each category of `category_ids` holds."""
    rows = (
        Question.objects.filter(category_id__in=category_ids, is_active=True, current__isnull=False)
        .values("category_id")
        .annotate(n=Count("pk"))
    )
    counts = dict.fromkeys(category_ids, 0)
    counts.update({row["category_id"]: row["n"] for row in rows})
    return counts


# Quiz of a course version -------------------------------------------------------------------------------


def _quiz_check(
    *,
    bank: QuestionBank,
    pass_mark: Decimal | int | str,
    attempts_allowed: int,
    time_limit_minutes: int | None,
    review: str,
    draws: Sequence[tuple[QuestionCategory, int]],
) -> tuple[Decimal, list[tuple[QuestionCategory, int]]]:
    """Check a quiz's settings before any lock; return the pass mark and the draws asking for questions."""
    try:
        mark = Decimal(str(pass_mark))
    except (InvalidOperation, ValueError):
        mark = Decimal("-1")
    if not mark.is_finite() or not Decimal("0") <= mark <= Decimal("100"):
        raise DomainError(
            _("The pass mark is a percentage from 0 to 100."),
            code=ErrorCode.QUIZ_PASS_MARK,
            field="pass_mark",
        )
    if review not in Quiz.Review.values:
        raise DomainError(
            _("Choose what is shown after submitting."), code=ErrorCode.QUIZ_DRAWS, field="review"
        )
    if attempts_allowed < 0 or (time_limit_minutes is not None and time_limit_minutes < 1):
        raise DomainError(
            _("Attempts and minutes cannot be negative."),
            code=ErrorCode.QUIZ_DRAWS,
            field="time_limit_minutes",
        )
    wanted = [(category, int(count)) for category, count in draws if int(count) > 0]
    if not wanted:
        raise DomainError(_("Draw at least one question."), code=ErrorCode.QUIZ_DRAWS, field="draws")
    if len({category.pk for category, _count in wanted}) != len(wanted):
        raise DomainError(_("Each category is drawn from once."), code=ErrorCode.QUIZ_DRAWS, field="draws")
    if any(category.bank_id != bank.pk for category, _count in wanted):
        raise DomainError(
            _("Draw only from the categories of the quiz's bank."), code=ErrorCode.QUIZ_DRAWS, field="draws"
        )
    return mark, wanted


def quiz_configure(
    *,
    actor: User,
    version: CourseVersion,
    bank: QuestionBank,
    pass_mark: Decimal | int | str,
    attempts_allowed: int,
    time_limit_minutes: int | None,
    review: str,
    shuffle_options: bool,
    draws: Sequence[tuple[QuestionCategory, int]],
) -> Quiz:
    """Create or replace the quiz of the draft `version`: its bank, pass mark (0–100 %), attempts allowed
    (0: no limit), time limit (None: none), what is shown after submitting, option shuffling and the draws
    (one per category of `bank`, each no more than the category's active questions). Refuses a version that
    is no longer a draft (`training_version_frozen`). Audited `training.quiz_configure`."""
    require(can_manage_courses(actor))
    mark, wanted = _quiz_check(
        bank=bank,
        pass_mark=pass_mark,
        attempts_allowed=attempts_allowed,
        time_limit_minutes=time_limit_minutes,
        review=review,
        draws=draws,
    )
    with transaction.atomic():
        version = version_draft_lock(version)
        available = active_question_counts([category.pk for category, _count in wanted])
        for category, count in wanted:
            if count > available[category.pk]:
                raise DomainError(
                    _("“%(category)s” has %(available)d active questions; it cannot draw %(count)d.")
                    % {"category": category, "available": available[category.pk], "count": count},
                    code=ErrorCode.QUIZ_DRAW_TOO_MANY,
                    field="draws",
                )
        values = {
            "bank": bank,
            "pass_mark": mark.quantize(Decimal("0.01")),
            "attempts_allowed": attempts_allowed,
            "time_limit_minutes": time_limit_minutes,
            "review": review,
            "shuffle_options": shuffle_options,
        }
        quiz = Quiz.objects.filter(version=version).first()
        if quiz is None:
            quiz = Quiz.objects.create(version=version, **values)
        else:
            for name, value in values.items():
                setattr(quiz, name, value)
            quiz.save()
            QuizDraw.objects.filter(quiz=quiz).delete()
        try:
            QuizDraw.objects.bulk_create(
                QuizDraw(version=version, quiz=quiz, category=category, count=count)
                for category, count in wanted
            )
        except IntegrityError:  # pragma: no cover - the duplicate check above refuses first
            raise DomainError(_("Each category is drawn from once."), code=ErrorCode.QUIZ_DRAWS) from None
        _audit(
            actor,
            "quiz_configure",
            quiz,
            {
                "version": version.pk,
                "bank": bank.pk,
                "pass_mark": values["pass_mark"],
                "attempts_allowed": attempts_allowed,
                "time_limit_minutes": time_limit_minutes,
                "review": review,
                "draws": {str(category.pk): count for category, count in wanted},
            },
        )
    return quiz
