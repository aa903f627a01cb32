"""Quiz attempts: starting one (the draw), answering, submitting, grading short answers, the sweep that
submits attempts whose time is up, and the statistics of each question.

The clock is the server's. `attempt_start` fixes `deadline_at` (started_at + the quiz's time limit); an answer
after it is refused (`training_time_up`, ConflictError 409: the attempt's state no longer accepts it, as a
submitted attempt answers `training_attempt_submitted`, 409 too); the countdown on the page is only cosmetic,
and `attempts_expire` (every minute) submits whatever was answered once the deadline has passed, so closing
the browser does not stop the clock. Submitting late by hand is allowed and marks the attempt timed out, as
the sweep would.

Grading: choice questions are all or nothing. A single-choice or true-or-false question earns its points when
the one correct option is chosen; a multiple-choice question earns its points only when exactly the correct
options are chosen (no partial credit: one missing or one extra option earns nothing). An unanswered
question earns nothing, a blank short answer too; a written short answer waits for a grader (status
`grading`) who awards 0 to the question's points. Once every answer has its points, the attempt is graded:
percent = points / maximum × 100 (two decimals), passed when percent ≥ the quiz's pass mark; a pass asks
`charter.training.completion.completion_evaluate` whether the course is now complete.

Attempts allowed count per quiz (one quiz per course version): a new version of the course starts afresh,
and so do a completion of the course and a new (remedial, renewal) assignment of it (`attempts_used`).

Writes run in one transaction each. Submitting claims the attempt with a conditional UPDATE (status
in_progress → grading), so two submits, or a submit and the sweep, never both grade; an answer first claims
the attempt's `lock_version` (charter.common.locking.row_claim), which holds its row until the answer is
saved, so an answer never lands on an attempt being submitted.
"""

import enum
import logging
import math
import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F, Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.audit.services import audit_record
from charter.common.errors import ConflictError, DomainError, NotFoundError
from charter.common.locking import row_claim
from charter.common.policy import holds, require
from charter.common.text import TextCodes, clean_text
from charter.common.versioning import VersionStatus
from charter.training.errors import ErrorCode
from charter.training.models import (
    Assignment,
    Attempt,
    AttemptItem,
    Completion,
    Question,
    QuestionBank,
    QuestionCategory,
    QuestionOption,
    QuestionVersion,
    Quiz,
)
from charter.training.permissions import (
    can_answer_attempt,
    can_grade_attempt,
    can_open_attempt,
    can_use_training,
)

logger = logging.getLogger(__name__)

Kind = QuestionVersion.Kind
Status = Attempt.Status
ANSWER_CODES = TextCodes(
    required=ErrorCode.ANSWER_INVALID, too_long=ErrorCode.ANSWER_INVALID, invalid=ErrorCode.ANSWER_INVALID
)
ANSWER_MAX_LENGTH = 4000
# Fewer answers than this and the statistics of a question are flagged as not yet telling.
STATISTICS_MIN_ANSWERS = 10
_HUNDRED = Decimal("100")
_random = secrets.SystemRandom()


# Selectors ----------------------------------------------------------------------------------------------


def attempt_get_visible(*, user: User, pk: int) -> Attempt:
    """Return attempt `pk` when `user` may read it (`can_open_attempt`); NotFoundError (404) otherwise."""
    attempt = Attempt.objects.select_related("quiz__version__course", "person").filter(pk=pk).first()
    if attempt is None or not can_open_attempt(user, attempt):
        raise NotFoundError(_("Not found."))
    return attempt


class AttemptReview(enum.IntEnum):
    """How much of an attempt's result a reader may see, each level including the one before it."""

    NOTHING = 0  # passed or not once graded; nothing at all while in progress
    SCORE = 1  # the score and percent too
    ANSWERS = 2  # the correct options, points per question, explanations and grader's comments too

    @property
    def shows_score(self) -> bool:
        return self >= AttemptReview.SCORE

    @property
    def shows_answers(self) -> bool:
        return self >= AttemptReview.ANSWERS


_TAKER_REVIEW = {
    Quiz.Review.NONE: AttemptReview.NOTHING,
    Quiz.Review.SCORE: AttemptReview.SCORE,
    Quiz.Review.ANSWERS: AttemptReview.ANSWERS,
}


def attempt_review(*, user: User, attempt: Attempt) -> AttemptReview:
    """What `user` (already allowed to open `attempt`, `can_open_attempt`) may see of its result: the one rule
    the result page and the API both follow.

    While the attempt is in progress nobody sees anything of the result, least of all the correct options
    (a supervisor or colleague could pass them on). Once submitted, the taker sees what the quiz's `review`
    setting allows; holders of `grade_answer` or `manage_course` see the answers (they grade them and write
    the question bank); anyone else who may read the taker's records (his supervisor) sees whether he passed
    and his score, never the correct options.
    """
    if attempt.status == Status.IN_PROGRESS:
        return AttemptReview.NOTHING
    if attempt.person_id == user.pk:
        return _TAKER_REVIEW.get(Quiz.Review(attempt.quiz.review), AttemptReview.NOTHING)
    if holds(user, "training.grade_answer") or holds(user, "training.manage_course"):
        return AttemptReview.ANSWERS
    return AttemptReview.SCORE


def attempt_list_of(*, person: User, quiz: Quiz) -> list[Attempt]:
    """The attempts `person` made at `quiz`, the latest first."""
    return list(Attempt.objects.filter(person=person, quiz=quiz).order_by("-number"))


def attempts_used(*, person: User, quiz: Quiz) -> int:
    """How many attempts at `quiz` count against its limit: those `person` started since the later of his
    last completion of the course and the creation of his earliest open assignment of it. Renewing a
    certificate on the same course version starts with every attempt again, and so does a new remedial or
    renewal assignment for someone who used up his attempts without passing."""
    course_id = quiz.version.course_id
    last_completion = (
        Completion.objects.filter(person=person, course_id=course_id)
        .order_by("-completed_at")
        .values_list("completed_at", flat=True)
        .first()
    )
    first_open = (
        Assignment.objects.filter(person=person, course_id=course_id, status=Assignment.Status.OPEN)
        .order_by("created_at", "pk")
        .values_list("created_at", flat=True)
        .first()
    )
    marks = [mark for mark in (last_completion, first_open) if mark is not None]
    attempts = Attempt.objects.filter(person=person, quiz=quiz)
    return (attempts.filter(started_at__gt=max(marks)) if marks else attempts).count()


def attempts_left(*, person: User, quiz: Quiz) -> int | None:
    """How many more attempts `person` may start at `quiz` (None: no limit)."""
    if not quiz.attempts_allowed:
        return None
    return max(quiz.attempts_allowed - attempts_used(person=person, quiz=quiz), 0)


def attempt_grading_queue(*, user: User) -> QuerySet[Attempt]:
    """Attempts awaiting the grading of short answers, oldest submission first; never the grader's own."""
    return (
        Attempt.objects.filter(status=Status.GRADING)
        .exclude(person=user)
        .select_related("person", "quiz__version__course")
        .order_by("submitted_at", "pk")
    )


def attempt_items(attempt: Attempt) -> list[AttemptItem]:
    """The items of `attempt` in order, each with its question version and `shown_options` (the options in
    the order the taker saw them), in two queries."""
    items = list(attempt.items.select_related("question").order_by("ordering"))
    options = QuestionOption.objects.filter(version_id__in=[item.question_id for item in items])
    by_pk = {option.pk: option for option in options}
    by_version: dict[int, list[QuestionOption]] = defaultdict(list)
    for option in sorted(by_pk.values(), key=lambda option: (option.ordering, option.pk)):
        by_version[option.version_id].append(option)
    for item in items:
        shown = [by_pk[pk] for pk in item.option_order if pk in by_pk]
        missing = [option for option in by_version[item.question_id] if option.pk not in item.option_order]
        item.shown_options = shown + missing  # type: ignore[attr-defined]
    return items


def attempt_passed_since(*, person_id: int, course_version_id: int, since: datetime | None) -> bool:
    """True when `person_id` passed the quiz of course version `course_version_id` by an attempt submitted at
    or after `since` (None: ever). The contract completion reads."""
    passed = Attempt.objects.filter(
        person_id=person_id, quiz__version_id=course_version_id, status=Status.GRADED, passed=True
    )
    if since is not None:
        passed = passed.filter(submitted_at__gte=since)
    return passed.exists()


# Start --------------------------------------------------------------------------------------------------


def _draw(quiz: Quiz) -> list[int]:
    """Draw the question versions of a new attempt: `count` active questions at random from each category
    of the quiz (their current versions), category after category."""
    drawn: list[int] = []
    for draw in quiz.draws.select_related("category").order_by("pk"):
        current = list(
            Question.objects.filter(category_id=draw.category_id, is_active=True, current__isnull=False)
            .order_by("pk")
            .values_list("current_id", flat=True)
        )
        if len(current) < draw.count:
            raise DomainError(
                _("This quiz cannot be taken now: “%(category)s” has too few questions. Tell the trainer.")
                % {"category": draw.category},
                code=ErrorCode.QUIZ_SHORT_OF_QUESTIONS,
            )
        drawn.extend(pk for pk in _random.sample(current, draw.count) if pk is not None)
    return drawn


def _option_orders(quiz: Quiz, version_ids: Sequence[int]) -> dict[int, list[int]]:
    """The option order each drawn version is shown in: shuffled when the quiz says so (never for true or
    false, whose 对 / 错 read best in that order); the written order otherwise."""
    kinds = dict(QuestionVersion.objects.filter(pk__in=version_ids).values_list("pk", "kind"))
    orders: dict[int, list[int]] = {pk: [] for pk in version_ids}
    for version_id, option_id in (
        QuestionOption.objects.filter(version_id__in=version_ids)
        .order_by("ordering", "pk")
        .values_list("version_id", "pk")
    ):
        orders[version_id].append(option_id)
    if quiz.shuffle_options:
        for version_id, order in orders.items():
            if kinds[version_id] != Kind.TRUE_FALSE:
                _random.shuffle(order)
    return orders


def attempt_start(*, actor: User, quiz: Quiz) -> Attempt:
    """Start an attempt of `actor` at `quiz` and return it, or return his attempt still under way.

    Preconditions: a staff member (`can_use_training`); the quiz belongs to its course's published version
    (`training_quiz_not_open`); attempts left (`training_attempts_used_up`). An attempt under way whose time
    is up is submitted first (timed out). Draws the questions (`_draw`), stores them with the option order,
    sets the deadline from the time limit. Two starts at once: the second is refused
    (`training_attempt_busy`, 409). Audited `training.attempt_start`.
    """
    require(can_use_training(actor))
    now = timezone.now()
    with transaction.atomic():
        # One start at a time per person (the lock completion takes): under READ COMMITTED a second start
        # could miss the first's attempt in its "under way" read yet count it for the number: two attempts.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        quiz = Quiz.objects.select_related("version__course").get(pk=quiz.pk)
        if quiz.version.status != VersionStatus.PUBLISHED:
            raise DomainError(
                _("This quiz is not open: its course version is not the one published."),
                code=ErrorCode.QUIZ_NOT_OPEN,
            )
        mine = Attempt.objects.filter(quiz=quiz, person=actor)
        under_way = mine.filter(status=Status.IN_PROGRESS).order_by("-number").first()
        if under_way is not None:
            if under_way.deadline_at is None or now < under_way.deadline_at:
                return under_way
            _submit_claimed(under_way.pk, timed_out=True, actor=None)
        used = attempts_used(person=actor, quiz=quiz)
        if quiz.attempts_allowed and used >= quiz.attempts_allowed:
            raise DomainError(
                _("You have used all %(count)d attempts at this quiz.") % {"count": quiz.attempts_allowed},
                code=ErrorCode.ATTEMPTS_USED_UP,
            )
        drawn = _draw(quiz)
        orders = _option_orders(quiz, drawn)
        number = (mine.aggregate(last=Max("number"))["last"] or 0) + 1
        deadline = now + timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None
        try:
            with transaction.atomic():
                attempt = Attempt.objects.create(
                    quiz=quiz, person=actor, number=number, started_at=now, deadline_at=deadline
                )
        except IntegrityError:
            raise ConflictError(
                _("An attempt was started a moment ago; open it from the quiz page."),
                code=ErrorCode.ATTEMPT_BUSY,
            ) from None
        AttemptItem.objects.bulk_create(
            AttemptItem(
                attempt=attempt, question_id=version_id, ordering=index, option_order=orders[version_id]
            )
            for index, version_id in enumerate(drawn, start=1)
        )
        points = QuestionVersion.objects.filter(pk__in=drawn).values_list("points", flat=True)
        attempt.max_score = sum(points, Decimal("0"))
        attempt.save(update_fields=["max_score"])
        audit_record(
            actor=actor,
            action="training.attempt_start",
            target=attempt,
            data={"quiz": quiz.pk, "number": number, "questions": drawn, "deadline_at": deadline},
        )
    return attempt


# Answer -------------------------------------------------------------------------------------------------


def _answer_refusal(attempt: Attempt, now: datetime) -> None:
    if attempt.status != Status.IN_PROGRESS:
        raise ConflictError(_("This attempt has been submitted."), code=ErrorCode.ATTEMPT_SUBMITTED)
    if attempt.deadline_at is not None and now >= attempt.deadline_at:
        raise ConflictError(
            _("Time is up: answers are no longer accepted. What you answered before is kept."),
            code=ErrorCode.TIME_UP,
        )


def _chosen_check(item: AttemptItem, chosen: Sequence[int] | None) -> list[int]:
    kind = item.question.kind
    try:
        picked = list(dict.fromkeys(int(pk) for pk in chosen or ()))
    except (TypeError, ValueError):
        picked = [-1]
    valid = set(QuestionOption.objects.filter(version_id=item.question_id).values_list("pk", flat=True))
    if any(pk not in valid for pk in picked):
        raise DomainError(
            _("Choose among the options of this question."), code=ErrorCode.ANSWER_INVALID, field="chosen"
        )
    if kind in (Kind.SINGLE, Kind.TRUE_FALSE) and len(picked) != 1:
        raise DomainError(_("Choose one option."), code=ErrorCode.ANSWER_INVALID, field="chosen")
    if kind == Kind.MULTIPLE and not picked:
        raise DomainError(_("Choose at least one option."), code=ErrorCode.ANSWER_INVALID, field="chosen")
    return picked


def attempt_answer(
    *,
    actor: User,
    attempt: Attempt,
    question_version_id: int,
    chosen: Sequence[int] | None = None,
    text: str | None = None,
    expected_version: int | None = None,
) -> AttemptItem:
    """Save `actor`'s answer to one question of his attempt at once, replacing an earlier answer to it.

    Preconditions: the taker himself (anyone else: 404, as for an attempt that does not exist); the attempt
    is in progress (`training_attempt_submitted`, 409) and its deadline has not passed on the server's clock
    (`training_time_up`, 409); the question was drawn for this attempt (`training_question_not_drawn`, 400);
    choices are options of that question version, exactly one for single choice and true or false, one or
    more for multiple choice; a short answer is text (`training_answer_invalid`). `expected_version` is the
    attempt's `lock_version` the page read (None: not compared). Not audited (the answers are the record).
    """
    require(can_answer_attempt(actor, attempt))
    now = timezone.now()
    with transaction.atomic():
        attempt = row_claim(attempt, expected_version, field="lock_version")
        _answer_refusal(attempt, now)
        item = attempt.items.select_related("question").filter(question_id=question_version_id).first()
        if item is None:
            raise DomainError(
                _("This question is not part of your attempt."), code=ErrorCode.QUESTION_NOT_DRAWN
            )
        if item.question.kind == Kind.SHORT:
            if chosen:
                raise DomainError(
                    _("Write the answer to this question."), code=ErrorCode.ANSWER_INVALID, field="text"
                )
            item.text = clean_text(text, field="text", codes=ANSWER_CODES, max_length=ANSWER_MAX_LENGTH)
            item.chosen = []
        else:
            if text:
                raise DomainError(_("Choose an option."), code=ErrorCode.ANSWER_INVALID, field="chosen")
            item.chosen = _chosen_check(item, chosen)
        item.answered_at = now
        item.save(update_fields=["chosen", "text", "answered_at"])
    return item


# Submit and grade ---------------------------------------------------------------------------------------


def _choice_points(item: AttemptItem, correct: set[int]) -> Decimal:
    """All or nothing: the question's points when exactly the correct options were chosen (one, for single
    choice and true or false), else 0."""
    return item.question.points if correct and set(item.chosen) == correct else Decimal("0")


def _grade_choices(attempt: Attempt) -> None:
    """Give every choice answer its points and every blank short answer 0; written short answers wait."""
    items = list(attempt.items.select_related("question"))
    correct: dict[int, set[int]] = defaultdict(set)
    for version_id, option_id in QuestionOption.objects.filter(
        version_id__in=[item.question_id for item in items], is_correct=True
    ).values_list("version_id", "pk"):
        correct[version_id].add(option_id)
    for item in items:
        if item.question.kind == Kind.SHORT:
            item.points = Decimal("0") if not item.text.strip() else None
        else:
            item.points = _choice_points(item, correct[item.question_id])
    AttemptItem.objects.bulk_update(items, ["points"])


def _finish_if_graded(attempt: Attempt) -> Attempt:
    """When every answer has its points, write the score, percent and verdict; on a pass ask completion.
    Call inside the transaction that graded the last answer."""
    rows = list(attempt.items.values_list("points", "question__points"))
    attempt.max_score = sum((maximum for _points, maximum in rows), Decimal("0"))
    if any(points is None for points, _maximum in rows):
        attempt.status = Status.GRADING
        attempt.save(update_fields=["status", "max_score"])
        return attempt
    score = sum((points or Decimal("0") for points, _maximum in rows), Decimal("0"))
    percent = (score / attempt.max_score * _HUNDRED) if attempt.max_score else Decimal("0")
    attempt.score = score
    attempt.percent = percent.quantize(Decimal("0.01"))
    attempt.passed = attempt.percent >= attempt.quiz.pass_mark
    attempt.status = Status.GRADED
    attempt.graded_at = timezone.now()
    attempt.save(update_fields=["status", "score", "max_score", "percent", "passed", "graded_at"])
    if attempt.passed:
        from charter.training.completion import completion_evaluate

        completion_evaluate(person=attempt.person, course=attempt.quiz.version.course)
    return attempt


def _submit_claimed(attempt_pk: int, *, timed_out: bool, actor: User | None) -> Attempt | None:
    """Claim attempt `attempt_pk` for submission (in progress → grading, one conditional UPDATE), grade its
    choice answers and finish it when nothing waits for a grader; None when someone else claimed it first.
    Call inside a transaction."""
    now = timezone.now()
    claimed = Attempt.objects.filter(pk=attempt_pk, status=Status.IN_PROGRESS).update(
        status=Status.GRADING, submitted_at=now, timed_out=timed_out, lock_version=F("lock_version") + 1
    )
    if not claimed:
        return None
    attempt = Attempt.objects.select_related("quiz__version__course", "person").get(pk=attempt_pk)
    _grade_choices(attempt)
    attempt = _finish_if_graded(attempt)
    audit_record(
        actor=actor,
        action="training.attempt_submit",
        target=attempt,
        data={
            "timed_out": timed_out,
            "status": attempt.status,
            "score": attempt.score,
            "percent": attempt.percent,
            "passed": attempt.passed,
        },
    )
    return attempt


def attempt_submit(*, actor: User, attempt: Attempt) -> Attempt:
    """Submit `actor`'s attempt and grade what can be graded at once (see the module); return it.

    Only the taker (anyone else: 404). A second submit, or one after the sweep submitted it, is refused
    (`training_attempt_submitted`, 409). Submitted after the deadline, the attempt is marked timed out.
    Audited `training.attempt_submit`.
    """
    require(can_answer_attempt(actor, attempt))
    with transaction.atomic():
        deadline = Attempt.objects.filter(pk=attempt.pk).values_list("deadline_at", flat=True).first()
        timed_out = deadline is not None and timezone.now() >= deadline
        submitted = _submit_claimed(attempt.pk, timed_out=timed_out, actor=actor)
        if submitted is None:
            raise ConflictError(_("This attempt has been submitted."), code=ErrorCode.ATTEMPT_SUBMITTED)
    return submitted


def _grade_points(value: object, maximum: Decimal, field: str) -> Decimal:
    try:
        points = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        points = Decimal("-1")
    if (
        not points.is_finite()
        or not Decimal("0") <= points <= maximum
        or points != points.quantize(Decimal("0.1"))
    ):
        raise DomainError(
            _("Award from 0 to %(maximum)s points, with at most one decimal.") % {"maximum": maximum},
            code=ErrorCode.GRADE_INVALID,
            field=field,
        )
    return points.quantize(Decimal("0.1"))


def attempt_grade(
    *, actor: User, attempt: Attempt, grades: Mapping[int, tuple[Decimal | str | int, str]]
) -> Attempt:
    """Award points (0 to the question's points, one decimal) and a comment to short answers of `attempt`,
    by item id; the attempt is finished (score, verdict, completion) once every answer has its points.

    Preconditions: the grader may read the attempt (else 404) and grade it (`can_grade_attempt`: holders of
    `grade_answer`, never the taker, 403); the attempt awaits grading (`training_attempt_not_grading`, 409);
    each item is a short answer of this attempt (`training_grade_invalid`). Audited `training.attempt_grade`.
    """
    require(can_open_attempt(actor, attempt))
    require(can_grade_attempt(actor, attempt))
    with transaction.atomic():
        attempt = row_claim(
            attempt,
            None,
            field="lock_version",
            queryset=Attempt.objects.select_related("quiz__version__course", "person"),
        )
        if attempt.status != Status.GRADING:
            raise ConflictError(
                _("This attempt is not awaiting grading."), code=ErrorCode.ATTEMPT_NOT_GRADING
            )
        items = {
            item.pk: item
            for item in attempt.items.select_related("question").filter(question__kind=Kind.SHORT)
        }
        graded: list[AttemptItem] = []
        for item_id, (points, comment) in grades.items():
            item = items.get(int(item_id))
            if item is None:
                raise DomainError(
                    _("Grade only the short answers of this attempt."), code=ErrorCode.GRADE_INVALID
                )
            field = f"points_{item.pk}"
            item.points = _grade_points(points, item.question.points, field)
            item.comment = clean_text(
                comment, field=f"comment_{item.pk}", codes=ANSWER_CODES, max_length=2000
            )
            item.graded_by = actor
            graded.append(item)
        AttemptItem.objects.bulk_update(graded, ["points", "comment", "graded_by"])
        attempt = _finish_if_graded(attempt)
        audit_record(
            actor=actor,
            action="training.attempt_grade",
            target=attempt,
            data={
                "items": {str(item.pk): item.points for item in graded},
                "status": attempt.status,
                "percent": attempt.percent,
                "passed": attempt.passed,
            },
        )
    return attempt


def attempts_expire(*, now: datetime | None = None, limit: int = 500) -> int:
    """Submit, with what was answered, every attempt in progress whose deadline has passed (timed out), each
    in its own transaction; return how many. Safe on several workers: each attempt is claimed once."""
    now = now or timezone.now()
    due = list(
        Attempt.objects.filter(status=Status.IN_PROGRESS, deadline_at__lte=now)
        .order_by("deadline_at")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for pk in due:
        try:
            with transaction.atomic():
                done += _submit_claimed(pk, timed_out=True, actor=None) is not None
        except Exception:  # one attempt that fails to grade must not stop the others
            logger.exception("Submitting timed-out attempt %s failed", pk)
    return done


# Item statistics ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemStatistic:
    """How one question version fared in graded attempts.

    `facility`: mean points / the question's points (0 hard … 1 easy). `discrimination`: the item–rest
    correlation, Pearson's r between the item's score (points / its points; for an all-or-nothing choice
    question 0 or 1, which makes it the point-biserial correlation) and the rest-of-test score (the attempt's
    other points / their maximum, so attempts that drew different questions compare); None when either never
    varies. `too_few`: fewer than STATISTICS_MIN_ANSWERS answers, so neither figure says much yet.
    """

    version: QuestionVersion
    answers: int
    facility: float | None
    discrimination: float | None
    too_few: bool


def _pearson(pairs: Sequence[tuple[float, float]]) -> float | None:
    n = len(pairs)
    if n < 2:
        return None
    mean_x = sum(x for x, _y in pairs) / n
    mean_y = sum(y for _x, y in pairs) / n
    sxx = sum((x - mean_x) ** 2 for x, _y in pairs)
    syy = sum((y - mean_y) ** 2 for _x, y in pairs)
    if sxx == 0 or syy == 0:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in pairs)
    return sxy / math.sqrt(sxx * syy)


def item_statistics(
    *,
    quiz: Quiz | None = None,
    bank: QuestionBank | None = None,
    category: QuestionCategory | None = None,
) -> list[ItemStatistic]:
    """The statistics of every question version answered in graded attempts of `quiz`, or of the questions
    of `bank` or `category` in any quiz (see ItemStatistic), in two queries; ordered by question and version.
    """
    rows = AttemptItem.objects.filter(attempt__status=Status.GRADED, points__isnull=False)
    if quiz is not None:
        rows = rows.filter(attempt__quiz=quiz)
    if bank is not None:
        rows = rows.filter(question__question__category__bank=bank)
    if category is not None:
        rows = rows.filter(question__question__category=category)
    by_version: dict[int, list[tuple[float, float | None]]] = defaultdict(list)
    for version_id, points, maximum, score, max_score in rows.values_list(
        "question_id", "points", "question__points", "attempt__score", "attempt__max_score"
    ):
        if points is None or score is None:
            continue
        item = float(points / maximum)
        rest_max = max_score - maximum
        rest = float((score - points) / rest_max) if rest_max > 0 else None
        by_version[version_id].append((item, rest))
    versions = QuestionVersion.objects.filter(pk__in=list(by_version)).order_by("question_id", "number")
    return [_statistic(version, by_version[version.pk]) for version in versions]


def _statistic(version: QuestionVersion, scores: Iterable[tuple[float, float | None]]) -> ItemStatistic:
    scores = list(scores)
    n = len(scores)
    facility = sum(item for item, _rest in scores) / n if n else None
    pairs = [(item, rest) for item, rest in scores if rest is not None]
    return ItemStatistic(
        version=version,
        answers=n,
        facility=facility,
        discrimination=_pearson(pairs),
        too_few=n < STATISTICS_MIN_ANSWERS,
    )
