"""Survey pages: the customer's answer page (no sign-in, mobile-friendly), the survey panel on the case's
tracking page, and the supervisors' recovery tasks."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.cases.models import Case
from charter.common.errors import DomainError
from charter.common.forms import form_add_domain_error
from charter.common.http import private_page
from charter.common.pages import page_rule
from charter.common.policy import Refusal
from charter.mail.rendering import language_for
from charter.surveys.errors import ErrorCode
from charter.surveys.forms import AnswerForm, RecoveryForm, question_text
from charter.surveys.invitations import invitation_for_token
from charter.surveys.models import SCALES, Invitation, Question
from charter.surveys.permissions import can_view_recovery_tasks, can_work_recovery
from charter.surveys.responses import recovery_update, response_submit
from charter.surveys.selectors import recovery_task_list_visible_to
from charter.surveys.workflow import RECOVERY_WORKFLOW


def _language(request: HttpRequest, invitation: Invitation) -> str:
    """The language the visitor chose with the page's switch, else the customer's own."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return language_for(getattr(request, "LANGUAGE_CODE", ""))
    return language_for(invitation.customer.language)


def answer(request: HttpRequest, token: str) -> HttpResponse:
    """Answer a survey through its link, once. `?score=N` (the e-mail's one-click links) chooses N for the
    first scale question; nothing is recorded until the customer sends the form, because mail systems'
    link scanners open every link in a message."""
    invitation = invitation_for_token(token)
    if invitation is None or invitation.status in (Invitation.Status.SCHEDULED, Invitation.Status.SKIPPED):
        raise Http404
    with translation.override(_language(request, invitation)):
        return private_page(_answer_page(request, invitation, token))


def _answer_page(request: HttpRequest, invitation: Invitation, token: str) -> HttpResponse:
    now = timezone.now()
    if invitation.status == Invitation.Status.ANSWERED:
        return render(request, "surveys/answered.html", {"invitation": invitation}, status=409)
    if invitation.status == Invitation.Status.EXPIRED or invitation.expires_at <= now:
        return render(request, "surveys/expired.html", {"invitation": invitation}, status=410)
    questions = list(invitation.version.questions.all())
    initial = {}
    first = next((question for question in questions if question.type in SCALES), None)
    score = request.GET.get("score", "")
    if first is not None and score.isdigit():
        initial[f"q{first.pk}"] = score
    form = AnswerForm(request.POST or None, questions=questions, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            response_submit(invitation=invitation, answers=form.answers())
        except DomainError as error:
            if error.code == ErrorCode.ALREADY_ANSWERED:
                return render(request, "surveys/answered.html", {"invitation": invitation}, status=409)
            if error.code == ErrorCode.EXPIRED:
                return render(request, "surveys/expired.html", {"invitation": invitation}, status=410)
            form_add_domain_error(form, error)
        else:
            return render(request, "surveys/thanks.html", {"invitation": invitation})
    survey = invitation.version.survey
    english = (translation.get_language() or "").startswith("en")
    context = {
        "invitation": invitation,
        "form": form,
        "survey_name": survey.name_en if english and survey.name_en else survey.name_zh,
        "intro": (
            invitation.version.intro_en
            if english and invitation.version.intro_en
            else invitation.version.intro_zh
        ),
        "case": invitation.case,
    }
    return render(request, "surveys/answer.html", context, status=400 if form.errors else 200)


def tracking_panel(request: HttpRequest, case: Case) -> str:
    """On the case's page for its customer: the survey link while it is open, a thank-you once answered."""
    invitation = (
        Invitation.objects.filter(case=case)
        .exclude(status__in=[Invitation.Status.SCHEDULED, Invitation.Status.SKIPPED])
        .order_by("-created_at")
        .first()
    )
    if invitation is None:
        return ""
    is_open = invitation.status == Invitation.Status.SENT and invitation.expires_at > timezone.now()
    if not is_open and invitation.status != Invitation.Status.ANSWERED:
        return ""
    return render_to_string(
        "surveys/_tracking_panel.html", {"invitation": invitation, "is_open": is_open}, request=request
    )


@page_rule(can_view_recovery_tasks)
def recovery_list(request: HttpRequest) -> HttpResponse:
    """The follow-ups of unhappy customers the user owns or leads the team of; open ones first by due time."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (can_view_recovery_tasks)
    show = request.GET.get("show", "open")
    tasks = recovery_task_list_visible_to(user=user, is_open_only=show == "open")
    page = Paginator(tasks.order_by("status", "due_at", "pk"), 50).get_page(request.GET.get("page"))
    return render(request, "surveys/recovery_list.html", {"page": page, "show": show, "now": timezone.now()})


@login_required
def recovery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101
    task = recovery_task_list_visible_to(user=user).filter(pk=pk).first()
    if task is None:
        raise Http404
    may_work = can_work_recovery(user, task)
    if isinstance(may_work, Refusal):
        raise Http404 if may_work.hidden else PermissionDenied
    allowed = RECOVERY_WORKFLOW.allowed_next(task)
    form = RecoveryForm(
        request.POST or None, initial={"version": task.version, "status": task.status}, allowed=allowed
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recovery_update(
                actor=user,
                task=task,
                expected_version=data["version"],
                status=data["status"],
                outcome=data["outcome"],
                new_score=data["new_score"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The follow-up was recorded."))
            return redirect("surveys:recovery_detail", pk=task.pk)
    answers = task.response.answers.select_related("question").order_by("question__ordering")
    rows = []
    for answer in answers:
        question = answer.question
        if question.type in SCALES:
            value = str(answer.score)
        elif question.type == Question.Type.TEXT:
            value = answer.text
        else:
            labels = {choice["value"]: choice["zh"] for choice in question.choices}
            value = "、".join(labels.get(item, item) for item in answer.choices)
        rows.append((question_text(question), value))
    context = {"task": task, "form": form, "answers": rows, "now": timezone.now()}
    context["may_record"] = bool(allowed)  # closed takes no more records; resolved only an amendment
    return render(request, "surveys/recovery_detail.html", context, status=400 if form.errors else 200)
