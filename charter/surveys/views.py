"""Survey pages: the customer's answer page (no sign-in, mobile-friendly), the survey panel on the case's
tracking page, and the supervisors' recovery tasks."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.accounts.permissions import is_staff_member
from charter.audit.list_exports import list_export
from charter.cases.models import Case
from charter.common.errors import DomainError
from charter.common.forms import form_add_domain_error
from charter.common.http import int_param, private_page
from charter.common.list_exports import Column, export_extension
from charter.common.pages import page_rule
from charter.common.policy import Decision, Refusal
from charter.mail.rendering import language_for
from charter.surveys.errors import ErrorCode
from charter.surveys.forms import (
    AnswerForm,
    AppealDecideForm,
    AppealFileForm,
    RecoveryForm,
    ReviewRectifyForm,
    ReviewRevisitForm,
    ReviewVerifyForm,
    question_text,
)
from charter.surveys.invitations import invitation_for_token
from charter.surveys.models import SCALES, Invitation, Question, RecoveryTask, ReviewAppeal
from charter.surveys.permissions import (
    can_decide_review_appeal,
    can_file_review_appeal,
    can_rectify_review,
    can_revisit_review,
    can_verify_review,
    can_view_recovery_tasks,
    can_work_recovery,
    review_appeal_due_at,
)
from charter.surveys.responses import recovery_update, response_submit
from charter.surveys.reviews import (
    review_appeal_decide,
    review_appeal_file,
    review_rectify,
    review_revisit,
    review_verify,
)
from charter.surveys.selectors import recovery_task_list_visible_to, review_list_attributed_to
from charter.surveys.workflow import APPEAL_WORKFLOW, RECOVERY_WORKFLOW, REVIEW_WORKFLOW


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
    if first is not None and int_param(score, maximum=100) is not None:
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


def _recovery_columns(now: Any) -> list[Column[RecoveryTask]]:
    """The columns of the follow-ups' export: those of the page."""

    def review(task: RecoveryTask) -> str:
        return task.get_review_status_display() if task.review_status != "none" else ""

    return [
        Column(_("Due"), lambda task: task.due_at),
        Column(
            _("Overdue"), lambda task: str(_("yes")) if task.closed_at is None and task.due_at < now else ""
        ),
        Column(
            _("Case"),
            lambda task: task.response.case.number if task.response.case else f"#{task.pk}",
        ),
        Column(_("Reason"), lambda task: task.reason),
        Column(_("Team"), lambda task: str(task.team) if task.team else ""),
        Column(_("Owner"), lambda task: str(task.owner) if task.owner else ""),
        Column(_("Status"), lambda task: task.get_status_display()),
        Column(_("Bad review"), review),
    ]


@page_rule(can_view_recovery_tasks)
def recovery_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The follow-ups of unhappy customers the user owns or leads the team of; open ones first by due time;
    `?format=csv|xlsx` exports them (audited)."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (can_view_recovery_tasks)
    show = request.GET.get("show", "open")
    now = timezone.now()
    tasks = recovery_task_list_visible_to(
        user=user,
        is_open_only=show == "open",
        rectification_overdue_at=now if show == "rectify_overdue" else None,
    )
    extension = export_extension(request)
    if extension:
        return list_export(
            request,
            name="surveys.recovery_tasks",
            title=_("Follow-ups of unhappy customers"),
            rows=tasks.select_related("response__case", "team", "owner").order_by("status", "due_at", "pk"),
            columns=_recovery_columns(now),
            filters={"show": show if show in ("open", "rectify_overdue") else "all"},
            extension=extension,
        )
    page = Paginator(tasks.order_by("status", "due_at", "pk"), 50).get_page(request.GET.get("page"))
    return render(request, "surveys/recovery_list.html", {"page": page, "show": show, "now": now})


# The steps a page may offer on a follow-up: the form, the predicate and the workflow step of each.
_REVIEW_STEPS: dict[str, tuple[type[forms.Form], Callable[[User, RecoveryTask], Decision]]] = {
    "verify": (ReviewVerifyForm, can_verify_review),
    "rectify": (ReviewRectifyForm, can_rectify_review),
    "revisit": (ReviewRevisitForm, can_revisit_review),
}


def _review_forms(
    request: HttpRequest, user: User, task: RecoveryTask, appeal: ReviewAppeal | None, action: str
) -> dict[str, forms.Form]:
    """The 好差评 forms `user` may use on `task` now, the posted one (`action`) bound."""
    found: dict[str, forms.Form] = {}
    for name, (form_class, predicate) in _REVIEW_STEPS.items():
        if REVIEW_WORKFLOW.can_take(task, name=name) and predicate(user, task):
            data = request.POST if action == name else None
            found[name] = form_class(data, initial={"version": task.version}, prefix=name)
    if appeal is not None and not APPEAL_WORKFLOW.is_final(appeal) and can_decide_review_appeal(user, appeal):
        data = request.POST if action == "decide" else None
        found["decide"] = AppealDecideForm(data, initial={"version": appeal.version}, prefix="decide")
    return found


def _review_step(
    user: User, task: RecoveryTask, appeal: ReviewAppeal | None, action: str, data: dict[str, Any]
) -> None:
    """Call the service of the posted 好差评 step."""
    version = data["version"]
    if action == "verify":
        review_verify(
            actor=user,
            task=task,
            expected_version=version,
            outcome=data["outcome"],
            evidence=data["evidence"],
        )
    elif action == "rectify":
        review_rectify(actor=user, task=task, expected_version=version, note=data["note"])
    elif action == "revisit":
        review_revisit(
            actor=user, task=task, expected_version=version, result=data["result"], note=data["note"]
        )
    elif appeal is not None:
        review_appeal_decide(
            actor=user,
            appeal=appeal,
            expected_version=version,
            decision=data["decision"],
            reason=data["decision_reason"],
        )


@login_required
def recovery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One follow-up: the customer's answers, the follow-up form, and for a bad review (好差评) its
    verification, rectification, revisit and appeal, each form shown to those who may take that step now.
    Those who see the follow-up but may neither work on it nor decide its appeal are refused (403)."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101
    task = recovery_task_list_visible_to(user=user).select_related("verified_by").filter(pk=pk).first()
    if task is None:
        raise Http404
    appeal = ReviewAppeal.objects.select_related("appellant", "decided_by").filter(task=task).first()
    may_work = can_work_recovery(user, task)
    may_decide = appeal is not None and bool(can_decide_review_appeal(user, appeal))
    if isinstance(may_work, Refusal) and not may_decide:
        raise Http404 if may_work.hidden else PermissionDenied
    action = request.POST.get("action", "recovery") if request.method == "POST" else ""
    allowed = RECOVERY_WORKFLOW.allowed_next(task) if may_work else []
    form = RecoveryForm(
        request.POST if action == "recovery" else None,
        initial={"version": task.version, "status": task.status},
        allowed=allowed,
    )
    review_forms = _review_forms(request, user, task, appeal, action)
    posted: forms.Form | None = form if action == "recovery" and allowed else review_forms.get(action)
    if request.method == "POST":
        if posted is None:
            raise PermissionDenied
        if posted.is_valid():
            try:
                if posted is form:
                    data = form.cleaned_data
                    recovery_update(
                        actor=user,
                        task=task,
                        expected_version=data["version"],
                        status=data["status"],
                        outcome=data["outcome"],
                        new_score=data["new_score"],
                    )
                else:
                    _review_step(user, task, appeal, action, posted.cleaned_data)
            except DomainError as error:
                form_add_domain_error(posted, error)
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
    now = timezone.now()
    context = {
        "task": task,
        "form": form,
        "answers": rows,
        "now": now,
        "appeal": appeal,
        "review_forms": review_forms,
        "is_rectification_overdue": task.is_rectification_overdue(now),
        "appeal_due_at": review_appeal_due_at(task) if appeal is None else None,
    }
    context["may_record"] = bool(allowed)  # closed takes no more records; resolved only an amendment
    has_errors = posted is not None and posted.is_bound and bool(posted.errors)
    return render(request, "surveys/recovery_detail.html", context, status=400 if has_errors else 200)


@page_rule(is_staff_member)
def my_reviews(request: HttpRequest) -> HttpResponse:
    """The bad reviews (好差评) attributed to the reader, where each stands, whether it counts in his
    indicators, and the form to appeal one while he may (`can_file_review_appeal`)."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (is_staff_member)
    show = request.GET.get("show", "all")
    reviews = review_list_attributed_to(user=user, is_open_only=show == "open")
    page = Paginator(reviews, 25).get_page(request.GET.get("page"))
    now = timezone.now()
    posted = AppealFileForm(request.POST) if request.method == "POST" else None
    posted_task = None
    if posted is not None:
        task_id = request.POST.get("task", "")
        posted_task = review_list_attributed_to(user=user).filter(pk=int_param(task_id) or 0).first()
        if posted_task is None:
            raise Http404
        if posted.is_valid():
            try:
                review_appeal_file(actor=user, task=posted_task, reason=posted.cleaned_data["reason"])
            except DomainError as error:
                form_add_domain_error(posted, error)
            else:
                messages.success(request, _("Your appeal was filed; you will see the decision here."))
                return redirect(f"{reverse('surveys:my_reviews')}?show={show}")
    rows = []
    for task in page:
        form = None
        if posted_task is not None and posted is not None and task.pk == posted_task.pk:
            form = posted
        elif can_file_review_appeal(user, task, now):
            form = AppealFileForm(initial={"task": task.pk}, auto_id=f"appeal{task.pk}_%s")
        appeal = getattr(task, "appeal", None)
        rows.append(
            {"task": task, "appeal": appeal, "form": form, "appeal_due_at": review_appeal_due_at(task)}
        )
    status = 400 if posted is not None and posted.errors else 200
    context = {"page": page, "rows": rows, "now": now, "show": show}
    return render(request, "surveys/my_reviews.html", context, status=status)
