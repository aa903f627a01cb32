"""The quality desk for reviews: scorecards and sampling rules (administrators), the reviewer's queue, the
review page, the agent's own reviews, the dispute queue and calibration sessions."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from charter.accounts.models import User
from charter.accounts.permissions import is_staff_member
from charter.accounts.requests import request_user
from charter.cases.models import Case, CaseMessage
from charter.cases.selectors import case_get_visible, case_message_list
from charter.common.errors import DomainError
from charter.common.forms import form_add_domain_error
from charter.common.http import int_param
from charter.common.pages import page_rule
from charter.quality.forms import (
    CalibrationForm,
    CriterionForm,
    DecisionForm,
    DrawForm,
    ReasonForm,
    ReviewScoreForm,
    SamplingRuleForm,
    ScorecardForm,
)
from charter.quality.models import Criterion, Review, ReviewScore, SamplingRule, ScorecardVersion
from charter.quality.permissions import (
    can_acknowledge,
    can_decide_dispute,
    can_decide_disputes,
    can_draw,
    can_draw_every_team,
    can_facilitate,
    can_manage_scorecards,
    can_review,
    can_run_calibration,
    can_score,
    can_score_calibration,
    can_view_calibrations,
    can_view_team_reviews,
)
from charter.quality.selectors import (
    calibration_get_for,
    calibration_list_visible_to,
    calibration_score_list_for,
    conduct_clause_citable_list,
    criterion_list,
    dispute_queue_of,
    finding_list_of_case,
    review_get_for,
    review_list_of_agent,
    review_list_visible_to,
    review_queue_of,
    reviewer_list,
    sampling_rule_list,
)
from charter.quality.selectors import scorecard_list as scorecards_all
from charter.quality.services import (
    calibration_agree,
    calibration_close,
    calibration_create,
    calibration_score_save,
    calibration_spread,
    criterion_delete,
    criterion_save,
    review_acknowledge,
    review_dispute,
    review_dispute_decide,
    review_sample_case,
    review_scores_save,
    sampling_rule_save,
    scorecard_create,
    scorecard_version_draft_create,
    scorecard_version_publish,
)
from charter.quality.workflow import REVIEW_WORKFLOW

PAGE_SIZE = 50


def _manager(request: HttpRequest) -> User:
    user = request_user(request)
    if not can_manage_scorecards(user):
        raise PermissionDenied
    return user


# Scorecards ---------------------------------------------------------------------------------------------


@page_rule(can_manage_scorecards)
def scorecard_list(request: HttpRequest) -> HttpResponse:
    """The scorecards with their versions; a new scorecard (administrators)."""
    user = _manager(request)
    form = ScorecardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            scorecard = scorecard_create(
                actor=user,
                code=form.cleaned_data["code"],
                name_zh=form.cleaned_data["name_zh"],
                name_en=form.cleaned_data["name_en"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The scorecard was created."))
            return redirect("quality:scorecard_version", scorecard.versions.get().pk)
    cards = [
        {"scorecard": scorecard, "versions": sorted(scorecard.versions.all(), key=lambda v: -v.number)}
        for scorecard in scorecards_all().prefetch_related("versions")
    ]
    return render(request, "quality/scorecard_list.html", {"cards": cards, "form": form})


def _version(pk: int) -> ScorecardVersion:
    version = ScorecardVersion.objects.select_related("scorecard").filter(pk=pk).first()
    if version is None:
        raise Http404
    return version


@login_required
def scorecard_version(request: HttpRequest, pk: int) -> HttpResponse:
    """One version's criteria by section; publish a draft, or start a new version of a published one."""
    user = _manager(request)
    version = _version(pk)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "publish":
                scorecard_version_publish(actor=user, version=version)
                messages.success(request, _("The version was published."))
            else:
                version = scorecard_version_draft_create(actor=user, scorecard=version.scorecard)
                messages.success(request, _("A new draft version was started."))
        except DomainError as error:
            messages.error(request, str(error.message))
        return redirect("quality:scorecard_version", version.pk)
    criteria = list(criterion_list(version=version))
    total = sum(c.weight for c in criteria if not c.is_compliance)
    return render(
        request, "quality/scorecard_version.html", {"version": version, "criteria": criteria, "total": total}
    )


@login_required
def criterion_edit(request: HttpRequest, version_pk: int, pk: int | None = None) -> HttpResponse:
    """Add a criterion to a draft version, change it, or remove it."""
    user = _manager(request)
    version = _version(version_pk)
    criterion = (
        Criterion(version=version) if pk is None else Criterion.objects.filter(pk=pk, version=version).first()
    )
    if criterion is None:
        raise Http404
    if request.method == "POST" and request.POST.get("action") == "delete" and criterion.pk:
        try:
            criterion_delete(actor=user, criterion=criterion)
        except DomainError as error:
            messages.error(request, str(error.message))
        return redirect("quality:scorecard_version", version.pk)
    form = CriterionForm(request.POST or None, instance=criterion, clauses=conduct_clause_citable_list())
    if request.method == "POST" and form.is_valid():
        try:
            criterion_save(actor=user, criterion=form.instance)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The criterion was saved."))
            return redirect("quality:scorecard_version", version.pk)
    return render(
        request, "quality/criterion_form.html", {"form": form, "version": version, "criterion": criterion}
    )


# Sampling rules -----------------------------------------------------------------------------------------


@page_rule(can_manage_scorecards)
def sampling_rule_index(request: HttpRequest) -> HttpResponse:
    """The sampling rules of every team (administrators)."""
    _manager(request)
    return render(request, "quality/sampling_rule_list.html", {"rules": sampling_rule_list()})


@login_required
def sampling_rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add or change a sampling rule."""
    user = _manager(request)
    rule = SamplingRule() if pk is None else SamplingRule.objects.filter(pk=pk).first()
    if rule is None:
        raise Http404
    form = SamplingRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            sampling_rule_save(actor=user, rule=form.instance)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The sampling rule was saved."))
            return redirect("quality:sampling_rule_list")
    return render(request, "quality/sampling_rule_form.html", {"form": form, "rule": rule})


# Reviews ------------------------------------------------------------------------------------------------


@page_rule(can_review)
def review_queue(request: HttpRequest) -> HttpResponse:
    """The reviews waiting for the signed-in reviewer's scores."""
    user = request_user(request)
    return render(
        request,
        "quality/review_list.html",
        {"reviews": review_queue_of(user=user), "title": _("My review queue"), "mode": "queue"},
    )


@page_rule(can_decide_disputes)
def dispute_queue(request: HttpRequest) -> HttpResponse:
    """The disputed reviews waiting for the signed-in user's decision."""
    user = request_user(request)
    return render(
        request,
        "quality/review_list.html",
        {"reviews": dispute_queue_of(user=user), "title": _("Disputes to decide"), "mode": "disputes"},
    )


@page_rule(can_view_team_reviews)
def review_index(request: HttpRequest) -> HttpResponse:
    """Every review the signed-in supervisor, QA reviewer or administrator may see."""
    user = request_user(request)
    draw_form = DrawForm(request.POST or None) if can_draw(user) else None
    if request.method == "POST" and draw_form is not None and draw_form.is_valid():
        number = draw_form.cleaned_data["case_number"].strip()
        case = _case_in_review_scope(user, number)
        if case is None:
            draw_form.add_error("case_number", _("No case has this number."))
        else:
            try:
                review = review_sample_case(actor=user, case=case)
            except DomainError as error:
                form_add_domain_error(draw_form, error)
            else:
                messages.success(request, _("The case was drawn for review."))
                return redirect("quality:review_detail", review.pk)
    page = Paginator(review_list_visible_to(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "quality/review_list.html",
        {"reviews": page, "page": page, "title": _("QA reviews"), "mode": "all", "draw_form": draw_form},
    )


def _case_in_review_scope(user: User, number: str) -> Case | None:
    """QA reviewers and administrators draw any case; a supervisor the cases he may see."""
    if can_draw_every_team(user):
        return Case.objects.filter(number=number).first()
    case = Case.objects.filter(number=number).only("pk").first()
    return case_get_visible(user=user, pk=case.pk) if case is not None else None


@page_rule(is_staff_member)
def my_review_list(request: HttpRequest) -> HttpResponse:
    """The signed-in agent's own submitted reviews."""
    user = request_user(request)
    page = Paginator(review_list_of_agent(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "quality/review_list.html",
        {"reviews": page, "page": page, "title": _("My QA reviews"), "mode": "own"},
    )


def _conversation_visible(user: User, review: Review) -> bool:
    """The reviewer, the dispute's decider and those who see reviews of the team read the whole case; the
    agent reads it as far as the cases' rules let him."""
    if user.pk in (review.reviewer_id, review.dispute_handler_id) or (
        user.pk != review.agent_id and can_view_team_reviews(user)
    ):
        return True
    return case_get_visible(user=user, pk=review.case_id) is not None


def _review_rows(
    conversation: list[CaseMessage], criteria: list[Criterion], stored: dict[int, ReviewScore]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows of the review page: each message of the conversation, numbered as the score form numbers
    them, with the scores pinned to it; and each criterion with its score and the number of its message."""
    numbers = {message.pk: number for number, message in enumerate(conversation, start=1)}
    messages_shown = [
        {
            "message": message,
            "number": numbers[message.pk],
            "pins": [row for row in stored.values() if row.message_id == message.pk],
        }
        for message in conversation
    ]
    rows = []
    for criterion in criteria:
        score = stored.get(criterion.pk)
        message_id = score.message_id if score is not None else None
        number = numbers.get(message_id) if message_id is not None else None
        rows.append({"criterion": criterion, "score": score, "message_number": number})
    return messages_shown, rows


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The review: the customer's description of the case, the conversation (messages numbered as the score
    form's message choices are) with its reply-check findings, the scores, and what the signed-in user may do
    (score, acknowledge or dispute, decide the dispute)."""
    user = request_user(request)
    review = review_get_for(user=user, pk=pk)
    if review is None:
        raise Http404
    case: Case = review.case
    shows_case = _conversation_visible(user, review)
    conversation = (
        list(case_message_list(case=case, include_internal=True).select_related("author"))
        if shows_case
        else []
    )
    criteria = list(criterion_list(version=review.scorecard_version))
    stored = {score.criterion_id: score for score in review.scores.select_related("message", "criterion")}
    # Each form shows when its rule allows (the predicate the service requires) and the workflow allows
    # its step (the service asks the same map).
    states = Review.Status
    is_reviewer = bool(can_score(user, review)) and REVIEW_WORKFLOW.can_move(review, to=states.SUBMITTED)
    is_agent = bool(can_acknowledge(user, review)) and REVIEW_WORKFLOW.can_move(
        review, to=states.ACKNOWLEDGED
    )
    is_handler = bool(can_decide_dispute(user, review)) and REVIEW_WORKFLOW.can_move(
        review, to=states.DECIDED
    )
    score_form = decision_form = dispute_form = None
    if is_reviewer or is_handler:
        score_form = ReviewScoreForm(
            request.POST
            if request.method == "POST" and request.POST.get("action") in ("save", "submit", "decide")
            else None,
            criteria=criteria,
            messages=conversation,
            scores=stored,
            initial={"version": review.version, "summary": review.summary},
        )
    if is_handler:
        decision_form = DecisionForm(request.POST if request.POST.get("action") == "decide" else None)
    if is_agent:
        dispute_form = ReasonForm(request.POST if request.POST.get("action") == "dispute" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if (
                action in ("save", "submit")
                and is_reviewer
                and score_form is not None
                and score_form.is_valid()
            ):
                review_scores_save(
                    actor=user,
                    review=review,
                    version=score_form.cleaned_data["version"],
                    scores=score_form.score_inputs(),
                    summary=score_form.cleaned_data["summary"],
                    submit=action == "submit",
                )
                messages.success(
                    request, _("The review was submitted.") if action == "submit" else _("Saved.")
                )
                return redirect("quality:review_detail", review.pk)
            if action == "acknowledge" and is_agent:
                review_acknowledge(actor=user, review=review)
                messages.success(request, _("You acknowledged the review."))
                return redirect("quality:review_detail", review.pk)
            if action == "dispute" and is_agent and dispute_form is not None and dispute_form.is_valid():
                review_dispute(actor=user, review=review, reason=dispute_form.cleaned_data["reason"])
                messages.success(request, _("Your dispute was sent."))
                return redirect("quality:review_detail", review.pk)
            if (
                action == "decide"
                and is_handler
                and decision_form is not None
                and decision_form.is_valid()
                and score_form is not None
                and score_form.is_valid()
            ):
                decision = decision_form.cleaned_data["decision"]
                review_dispute_decide(
                    actor=user,
                    review=review,
                    decision=decision,
                    reason=decision_form.cleaned_data["reason"],
                    scores=score_form.score_inputs() if decision == Review.Decision.AMENDED else (),
                )
                messages.success(request, _("The dispute was decided."))
                return redirect("quality:review_detail", review.pk)
        except DomainError as error:
            target = (
                decision_form if action == "decide" else dispute_form if action == "dispute" else score_form
            )
            if target is not None:
                form_add_domain_error(target, error)
            else:
                messages.error(request, str(error.message))
    conversation_rows, rows = _review_rows(conversation, criteria, stored)
    return render(
        request,
        "quality/review_detail.html",
        {
            "review": review,
            "case": case,
            "shows_case": shows_case,
            "conversation": conversation_rows,
            "findings": finding_list_of_case(case=case) if shows_case else [],
            "rows": rows,
            "score_form": score_form,
            "decision_form": decision_form,
            "dispute_form": dispute_form,
            "is_agent": is_agent,
        },
    )


# Calibration --------------------------------------------------------------------------------------------


@page_rule(can_view_calibrations)
def calibration_list(request: HttpRequest) -> HttpResponse:
    """The calibration sessions the user runs or scores in; a new session (those who run calibration)."""
    user = request_user(request)
    may_run = can_run_calibration(user)
    form = None
    if may_run:
        form = CalibrationForm(
            request.POST or None,
            versions=ScorecardVersion.objects.exclude(status=ScorecardVersion.Status.DRAFT).select_related(
                "scorecard"
            ),
            reviewers=reviewer_list().order_by("username"),
        )
        if request.method == "POST" and form.is_valid():
            case = Case.objects.filter(number=form.cleaned_data["case_number"].strip()).first()
            if case is None:
                form.add_error("case_number", _("No case has this number."))
            else:
                try:
                    session = calibration_create(
                        actor=user,
                        title=form.cleaned_data["title"],
                        case=case,
                        scorecard_version=form.cleaned_data["scorecard_version"],
                        reviewers=list(form.cleaned_data["reviewers"]),
                    )
                except DomainError as error:
                    form_add_domain_error(form, error)
                else:
                    return redirect("quality:calibration_detail", session.pk)
    return render(
        request,
        "quality/calibration_list.html",
        {"sessions": calibration_list_visible_to(user=user), "form": form},
    )


def _agreed_values(request: HttpRequest, criteria: list[Criterion]) -> dict[int, int | None]:
    """The agreed score posted for each criterion (`agreed_<id>`), by criterion id; a blank or a value that
    is not a number is left out."""
    values: dict[int, int | None] = {}
    for criterion in criteria:
        raw = request.POST.get(f"agreed_{criterion.pk}", "")
        value = int_param(raw)
        if value is not None:
            values[criterion.pk] = value
    return values


@login_required
def calibration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A session: the reviewer scores blind; once closed, the spread per criterion and the agreed score."""
    user = request_user(request)
    session = calibration_get_for(user=user, pk=pk)
    if session is None:
        raise Http404
    criteria = list(criterion_list(version=session.scorecard_version))
    is_reviewer = bool(can_score_calibration(user, session))
    is_facilitator = bool(can_facilitate(user, session))
    own = {
        s.criterion_id: s
        for s in calibration_score_list_for(user=user, session=session)
        if s.reviewer_id == user.pk
    }
    form = None
    if is_reviewer and session.is_open:
        form = ReviewScoreForm(
            request.POST if request.POST.get("action") == "score" else None,
            criteria=criteria,
            messages=[],
            initial={"version": 0},
            scores=own,  # type: ignore[arg-type]
        )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "score" and form is not None:
                if form.is_valid():
                    calibration_score_save(actor=user, session=session, scores=form.score_inputs())
                    messages.success(request, _("Your scores were saved."))
            elif action == "close" and is_facilitator:
                calibration_close(actor=user, session=session)
            elif action == "agree" and is_facilitator:
                calibration_agree(actor=user, session=session, values=_agreed_values(request, criteria))
                messages.success(request, _("The agreed scores were recorded."))
            else:
                raise PermissionDenied
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            if action != "score" or form is None or not form.errors:
                return redirect("quality:calibration_detail", session.pk)
    spread = [] if session.is_open else calibration_spread(session=session)
    submitted = sorted(
        {score.reviewer for score in session.scores.select_related("reviewer") if score.reviewer is not None},
        key=lambda person: person.pk,
    )
    return render(
        request,
        "quality/calibration_detail.html",
        {
            "session": session,
            "form": form,
            "spread": spread,
            "submitted": submitted,
            "is_facilitator": is_facilitator,
            "scores": calibration_score_list_for(user=user, session=session),
        },
    )
