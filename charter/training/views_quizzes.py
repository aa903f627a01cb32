"""Quiz pages under /desk/training/: a quiz's rules and start button, the attempt (every question with its own
save button, so each answer is saved as it is given; `training/quiz.js` saves on change and shows a countdown,
both only conveniences: without JavaScript everything works and the server's clock decides), submitting with a
confirmation, the result as the quiz's review setting allows, the grading queue and form for short answers,
and the item statistics of a quiz or a bank for trainers.

Somebody else's attempt is not found (404), as the services answer; an answer refused because the attempt
was submitted or its time is up answers 409 with a page that links to the result.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.accounts.requests import request_staff
from charter.common.errors import ConflictError, DomainError, NotFoundError
from charter.common.forms import form_add_domain_error
from charter.common.http import int_param
from charter.common.pages import page_rule
from charter.common.policy import page_require
from charter.common.versioning import VersionStatus
from charter.training.errors import ErrorCode
from charter.training.models import Attempt, AttemptItem, QuestionBank, QuestionVersion, Quiz
from charter.training.permissions import (
    can_answer_attempt,
    can_grade_answers,
    can_grade_attempt,
    can_use_training,
    can_view_all_records,
)
from charter.training.quizzes import (
    attempt_answer,
    attempt_get_visible,
    attempt_grade,
    attempt_grading_queue,
    attempt_items,
    attempt_list_of,
    attempt_review,
    attempt_start,
    attempt_submit,
    attempts_left,
    item_statistics,
)

Kind = QuestionVersion.Kind


def _is_fetch(request: HttpRequest) -> bool:
    """True for the save that quiz.js posts (it asks for JSON); a plain form post gets a page."""
    return request.headers.get("X-Requested-With") == "fetch"


def _quiz_open(pk: int) -> Quiz:
    quiz = get_object_or_404(Quiz.objects.select_related("version__course", "bank"), pk=pk)
    if quiz.version.status != VersionStatus.PUBLISHED:
        raise Http404
    return quiz


def _taker_attempt(user: User, pk: int) -> Attempt:
    """The attempt `pk` when `user` is its taker; 404 for anyone else and for a forged id."""
    attempt = Attempt.objects.select_related("quiz__version__course").filter(pk=pk).first()
    if attempt is None or not can_answer_attempt(user, attempt):
        raise Http404
    return attempt


def _time_is_up(attempt: Attempt) -> bool:
    return attempt.deadline_at is not None and timezone.now() >= attempt.deadline_at


def _closed(request: HttpRequest, attempt: Attempt, error: DomainError) -> HttpResponse:
    """The answer to a change the attempt no longer accepts (submitted, time up): 409 and a link on."""
    if _is_fetch(request):
        return JsonResponse({"code": error.code, "detail": str(error.message)}, status=error.status)
    return render(
        request,
        "training/attempt_closed.html",
        {"attempt": attempt, "message": error.message},
        status=error.status,
    )


@page_rule(can_use_training)
def quiz_start(request: HttpRequest, pk: int) -> HttpResponse:
    """A quiz's rules (questions, pass mark, attempts left, time limit) and the button that starts or resumes
    an attempt; the taker's earlier attempts with links to their results."""
    user = request_staff(request)
    quiz = _quiz_open(pk)
    status = 200
    if request.method == "POST":
        try:
            attempt = attempt_start(actor=user, quiz=quiz)
            return redirect("training:attempt", pk=attempt.pk)
        except DomainError as error:
            messages.error(request, str(error.message))
            status = error.status
    attempts = attempt_list_of(person=user, quiz=quiz)
    under_way = next((a for a in attempts if a.status == Attempt.Status.IN_PROGRESS), None)
    return render(
        request,
        "training/quiz_start.html",
        {
            "quiz": quiz,
            "course": quiz.version.course,
            "question_count": sum(draw.count for draw in quiz.draws.all()),
            "attempts": attempts,
            "attempts_left": attempts_left(person=user, quiz=quiz),
            "under_way": under_way,
            "may_see_statistics": bool(can_view_all_records(user)),
        },
        status=status,
    )


def _answer_from_post(request: HttpRequest, item: AttemptItem) -> tuple[list[int] | None, str | None]:
    if item.question.kind == Kind.SHORT:
        return None, request.POST.get("text", "")
    chosen = [int_param(value) for value in request.POST.getlist("chosen")]
    # Anything but an option id stays in the list as -1, which the service refuses as not an option.
    return [-1 if value is None else value for value in chosen], None


@page_rule(can_use_training)
def attempt_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The attempt: every question in a block of its own with its options as big tap targets and a save
    button; a POST saves one answer (do=answer, question=<version id>). Past the deadline the attempt is
    submitted with what was answered and the result shown."""
    user = request_staff(request)
    attempt = _taker_attempt(user, pk)
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return redirect("training:attempt_result", pk=attempt.pk)
    if request.method == "POST":
        return _answer_post(request, user, attempt)
    if _time_is_up(attempt):
        try:
            attempt_submit(actor=user, attempt=attempt)
        except ConflictError:
            pass  # the sweep submitted it a moment ago
        messages.info(request, gettext("Time is up: your answers were submitted."))
        return redirect("training:attempt_result", pk=attempt.pk)
    items = attempt_items(attempt)
    return render(
        request,
        "training/attempt.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "items": items,
            "answered": _answered_mark(items),
            "errors": {},
        },
    )


def _answered_mark(items: list[AttemptItem]) -> str:
    """How many of `items` are answered, marked so that quiz.js can count again after each autosave."""
    return format_html('<span class="quiz-answered">{}</span>', sum(1 for item in items if item.answered_at))


def _answer_post(request: HttpRequest, user: User, attempt: Attempt) -> HttpResponse:
    version_id = int_param(request.POST.get("question", "")) or 0
    item = attempt.items.select_related("question").filter(question_id=version_id).first()
    try:
        if item is None:
            raise DomainError(
                _("This question is not part of your attempt."), code=ErrorCode.QUESTION_NOT_DRAWN
            )
        chosen, text = _answer_from_post(request, item)
        attempt_answer(actor=user, attempt=attempt, question_version_id=version_id, chosen=chosen, text=text)
    except NotFoundError:
        raise Http404 from None
    except ConflictError as error:
        if error.code == ErrorCode.TIME_UP:
            try:
                attempt_submit(actor=user, attempt=attempt)
            except ConflictError:
                pass
        attempt.refresh_from_db()
        return _closed(request, attempt, error)
    except DomainError as error:
        if _is_fetch(request):
            return JsonResponse({"code": error.code, "detail": str(error.message)}, status=error.status)
        items = attempt_items(attempt)
        return render(
            request,
            "training/attempt.html",
            {
                "attempt": attempt,
                "quiz": attempt.quiz,
                "items": items,
                "answered": _answered_mark(items),
                "errors": {version_id: error.message},
            },
            status=error.status,
        )
    if _is_fetch(request):
        return JsonResponse({"saved": True})
    messages.success(request, gettext("Answer saved."))
    response = redirect("training:attempt", pk=attempt.pk)
    response["Location"] += f"#q{item.ordering}"
    return response


@page_rule(can_use_training)
def attempt_submit_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm and submit: how many questions are answered, and a button that submits for good."""
    user = request_staff(request)
    attempt = _taker_attempt(user, pk)
    if request.method == "POST":
        try:
            attempt_submit(actor=user, attempt=attempt)
        except ConflictError as error:
            return _closed(request, attempt, error)
        messages.success(request, gettext("Your answers were submitted."))
        return redirect("training:attempt_result", pk=attempt.pk)
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return redirect("training:attempt_result", pk=attempt.pk)
    items = list(attempt.items.all())
    answered = sum(1 for item in items if item.answered_at)
    return render(
        request,
        "training/attempt_submit.html",
        {"attempt": attempt, "answered": answered, "total": len(items), "unanswered": len(items) - answered},
    )


def _correct_ids(items: list[AttemptItem]) -> None:
    for item in items:
        item.correct_ids = {option.pk for option in item.shown_options if option.is_correct}  # type: ignore[attr-defined]


@page_rule(can_use_training)
def attempt_result(request: HttpRequest, pk: int) -> HttpResponse:
    """The result, as much of it as `attempt_review` lets this reader see (the taker per the quiz's review
    setting, graders and course writers the answers, a supervisor passed and score; nobody anything of an
    attempt still in progress)."""
    user = request_staff(request)
    try:
        attempt = attempt_get_visible(user=user, pk=pk)
    except NotFoundError:
        raise Http404 from None
    is_taker = attempt.person_id == user.pk
    if is_taker and attempt.status == Attempt.Status.IN_PROGRESS:
        return redirect("training:attempt", pk=attempt.pk)
    review = attempt_review(user=user, attempt=attempt)
    items = attempt_items(attempt) if review.shows_answers else []
    _correct_ids(items)
    return render(
        request,
        "training/attempt_result.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "is_taker": is_taker,
            "show_score": review.shows_score,
            "show_answers": review.shows_answers,
            "items": items,
            "may_grade": attempt.status == Attempt.Status.GRADING and bool(can_grade_attempt(user, attempt)),
        },
    )


@page_rule(can_grade_answers)
def grading_list(request: HttpRequest) -> HttpResponse:
    """Attempts awaiting the grading of short answers, oldest first (never the grader's own)."""
    user = request_staff(request)
    return render(
        request, "training/grading_list.html", {"attempts": list(attempt_grading_queue(user=user)[:200])}
    )


class GradeForm(forms.Form):
    """Points and a comment for each short answer of an attempt (fields points_<item>, comment_<item>)."""

    def __init__(self, *args: Any, items: list[AttemptItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"points_{item.pk}"] = forms.DecimalField(
                label=_("Points (out of %(points)s)") % {"points": item.question.points},
                min_value=Decimal("0"),
                max_value=item.question.points,
                decimal_places=1,
                max_digits=5,
                initial=item.points,
            )
            self.fields[f"comment_{item.pk}"] = forms.CharField(
                label=pgettext_lazy("quiz", "Comment"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=item.comment,
            )

    def grades(self) -> dict[int, tuple[Decimal, str]]:
        data = self.cleaned_data
        return {item.pk: (data[f"points_{item.pk}"], data[f"comment_{item.pk}"]) for item in self.items}


@page_rule(can_grade_answers)
def attempt_grade_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Grade the short answers of one attempt; the attempt is finished when every answer has its points."""
    user = request_staff(request)
    try:
        attempt = attempt_get_visible(user=user, pk=pk)
    except NotFoundError:
        raise Http404 from None
    page_require(can_grade_attempt(user, attempt))
    items = [item for item in attempt_items(attempt) if item.question.kind == Kind.SHORT]
    waiting = [item for item in items if item.text.strip()]
    form = GradeForm(request.POST or None, items=waiting)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                attempt_grade(actor=user, attempt=attempt, grades=form.grades())
                messages.success(request, gettext("The grades were saved."))
                return redirect("training:grading_list")
            except DomainError as error:
                form_add_domain_error(form, error)
                status = error.status
        else:
            status = 400
    rows = [(item, form[f"points_{item.pk}"], form[f"comment_{item.pk}"]) for item in waiting]
    return render(
        request,
        "training/attempt_grade.html",
        {"attempt": attempt, "form": form, "rows": rows},
        status=status,
    )


def _statistics_page(request: HttpRequest, title: str, statistics: list[Any]) -> HttpResponse:
    return render(request, "training/item_statistics.html", {"title": title, "statistics": statistics})


@page_rule(can_view_all_records)
def quiz_statistics(request: HttpRequest, pk: int) -> HttpResponse:
    """Item statistics of one quiz: answers, facility and discrimination of each question version."""
    quiz = get_object_or_404(Quiz.objects.select_related("version__course"), pk=pk)
    return _statistics_page(request, str(quiz.version), item_statistics(quiz=quiz))


@page_rule(can_view_all_records)
def bank_statistics(request: HttpRequest, pk: int) -> HttpResponse:
    """Item statistics of every question of a bank, over every quiz that drew it."""
    bank = get_object_or_404(QuestionBank, pk=pk)
    return _statistics_page(request, str(bank), item_statistics(bank=bank))
