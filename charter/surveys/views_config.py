"""HTML views of the survey configuration desk at /desk/surveys/config/: surveys and their versions, the
questions of a draft with a preview, publishing, the rules that send a survey after a case, and periodic
campaigns. Only administrators (surveys.manage_surveys) come in; everyone else gets 403."""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from charter.accounts.models import User
from charter.catalog.selectors import service_list_for_desk
from charter.common.errors import DomainError
from charter.common.forms import form_add_domain_error
from charter.common.models import localized
from charter.common.pages import page_rule
from charter.common.vocabulary import CaseKind
from charter.surveys.forms import AnswerForm
from charter.surveys.forms_config import CampaignForm, QuestionForm, RuleForm, SurveyForm
from charter.surveys.models import Campaign, Question, Survey, SurveyRule, SurveyVersion
from charter.surveys.permissions import can_manage_surveys
from charter.surveys.services import (
    campaign_save,
    survey_create,
    survey_question_add,
    survey_question_remove,
    survey_rule_save,
    survey_version_draft_create,
    survey_version_publish,
)


def _manager(request: HttpRequest) -> User:
    """The signed-in administrator; anyone else is refused with 403 (login_required runs first)."""
    if not can_manage_surveys(request.user):
        raise PermissionDenied
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (can_manage_surveys checked it)
    return user


def _survey_or_404(survey_id: int) -> Survey:
    return get_object_or_404(Survey, pk=survey_id)


def _survey_url(survey: Survey, name: str = "config_detail") -> str:
    return reverse(f"surveys:{name}", kwargs={"survey_id": survey.pk})


def _form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    title: str,
    back_url: str,
    survey: Survey | None = None,
) -> HttpResponse:
    context = {"form": form, "title": title, "back_url": back_url, "survey": survey}
    return render(request, "surveys/config/form.html", context, status=400 if form.errors else 200)


# Surveys ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyRow:
    """A line of the survey list: the survey (annotated with its rule and campaign counts), the version in
    force and the draft."""

    survey: Survey
    in_force: SurveyVersion | None
    draft: SurveyVersion | None


def _count_of(model: type[SurveyRule] | type[Campaign]) -> Coalesce:
    counts = model.objects.filter(survey=OuterRef("pk")).order_by().values("survey").annotate(n=Count("pk"))
    return Coalesce(Subquery(counts.values("n"), output_field=IntegerField()), 0)


def _survey_rows() -> list[SurveyRow]:
    """Every survey with its version in force, its draft and its counts: two queries, however many."""
    surveys = (
        Survey.objects.annotate(rule_count=_count_of(SurveyRule), campaign_count=_count_of(Campaign))
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=SurveyVersion.objects.exclude(status=SurveyVersion.Status.SUPERSEDED).order_by(
                    "-number"
                ),
            )
        )
        .order_by("code")
    )
    rows = []
    for survey in surveys:
        versions = list(survey.versions.all())
        rows.append(
            SurveyRow(
                survey,
                next((v for v in versions if v.status == SurveyVersion.Status.PUBLISHED), None),
                next((v for v in versions if v.status == SurveyVersion.Status.DRAFT), None),
            )
        )
    return rows


@page_rule(can_manage_surveys)
def config_list(request: HttpRequest) -> HttpResponse:
    """List the surveys with their version in force, draft, rules and campaigns; offer to create one."""
    _manager(request)
    context = {"rows": _survey_rows(), "form": SurveyForm()}
    return render(request, "surveys/config/list.html", context)


@login_required
def config_create(request: HttpRequest) -> HttpResponse:
    """Create a survey with an empty draft, then go to it to add questions."""
    user = _manager(request)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            survey = survey_create(
                actor=user,
                code=data["code"],
                name_zh=data["name_zh"],
                name_en=data["name_en"],
                intro_zh=data["intro_zh"],
                intro_en=data["intro_en"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The survey was created. Add its questions to the draft now."))
            return redirect(_survey_url(survey))
    return _form_page(request, form, title=_("New survey"), back_url=reverse("surveys:config_list"))


def _preview(survey: Survey, version: SurveyVersion, language: str) -> SafeString:
    """The draft as a customer reading `language` would see it, every input disabled."""
    with translation.override(language):
        # Its own prefix, so the two previews on one page share no element ids or radio groups.
        form = AnswerForm(questions=list(version.questions.all()), prefix=f"preview-{language}")
        for field in form.fields.values():
            field.disabled = True
        context = {
            "form": form,
            "survey_name": localized(survey, "name"),
            "intro": localized(version, "intro"),
            "language": language,
        }
        return render_to_string("surveys/config/_preview.html", context)


def _survey_page(
    request: HttpRequest,
    survey: Survey,
    *,
    question_form: QuestionForm | None = None,
    target: SurveyVersion | None = None,
) -> HttpResponse:
    """The survey page; `question_form` is a refused question for version `target`."""
    versions = list(
        survey.versions.prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("ordering", "pk"))
        ).order_by("-number")
    )
    draft = next((v for v in versions if v.status == SurveyVersion.Status.DRAFT), None)
    previews = []
    if draft is not None and draft.questions.all():
        previews = [
            (_("As a customer reading Chinese sees it"), _preview(survey, draft, "zh-hans")),
            (_("As a customer reading English sees it"), _preview(survey, draft, "en")),
        ]
    # A question refused for a version that is not the draft (a stale page, a crafted request) is
    # explained at the top: that version has no form to show it on.
    refused = question_form is not None and (draft is None or target is None or target.pk != draft.pk)
    context = {
        "survey": survey,
        "versions": versions,
        "draft": draft,
        "question_form": QuestionForm() if refused or question_form is None else question_form,
        "refusal": question_form if refused else None,
        "previews": previews,
        "tab": "questions",
    }
    return render(request, "surveys/config/detail.html", context, status=400 if question_form else 200)


@login_required
def config_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    """Show a survey's versions with their questions; the draft can be changed, previewed and published."""
    _manager(request)
    return _survey_page(request, _survey_or_404(survey_id))


@login_required
def config_question_add(request: HttpRequest, survey_id: int, version_id: int) -> HttpResponse:
    """Add a question at the end of the survey's draft; a published version refuses it."""
    user = _manager(request)
    survey = _survey_or_404(survey_id)
    version = get_object_or_404(SurveyVersion, pk=version_id, survey=survey)
    if request.method != "POST":
        return redirect(_survey_url(survey))
    form = QuestionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            survey_question_add(
                actor=user,
                version=version,
                type=data["type"],
                text_zh=data["text_zh"],
                text_en=data["text_en"],
                choices=data["choices"],
                is_required=data["is_required"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The question was added."))
            return redirect(_survey_url(survey))
    return _survey_page(request, survey, question_form=form, target=version)


@login_required
def config_question_remove(request: HttpRequest, survey_id: int, question_id: int) -> HttpResponse:
    """Remove a question from the survey's draft; a published version refuses it."""
    user = _manager(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    survey = _survey_or_404(survey_id)
    question = get_object_or_404(
        Question.objects.select_related("version"), pk=question_id, version__survey=survey
    )
    try:
        survey_question_remove(actor=user, question=question)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The question was removed."))
    return redirect(_survey_url(survey))


@login_required
def config_publish(request: HttpRequest, survey_id: int, version_id: int) -> HttpResponse:
    """Confirm, then publish the draft: it is sent from now on, and the version in force retires."""
    user = _manager(request)
    survey = _survey_or_404(survey_id)
    version = get_object_or_404(SurveyVersion, pk=version_id, survey=survey)
    if request.method == "POST":
        try:
            survey_version_publish(actor=user, version=version)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(
                request, _("Version %(number)d is published and in force.") % {"number": version.number}
            )
        return redirect(_survey_url(survey))
    in_force = survey.versions.filter(status=SurveyVersion.Status.PUBLISHED).first()
    context = {
        "survey": survey,
        "version": version,
        "in_force": in_force,
        "question_count": version.questions.count(),
        "back_url": _survey_url(survey),
    }
    return render(request, "surveys/config/publish.html", context)


@login_required
def config_draft_new(request: HttpRequest, survey_id: int) -> HttpResponse:
    """Start a new draft from the latest version's questions (or go to the draft there is)."""
    user = _manager(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    survey = _survey_or_404(survey_id)
    draft = survey_version_draft_create(actor=user, survey=survey)
    messages.success(request, _("Draft version %(number)d is ready to change.") % {"number": draft.number})
    return redirect(_survey_url(survey))


# Rules --------------------------------------------------------------------------------------------------


def _service_names() -> dict[int, str]:
    """Each service's name (from its version in force, else its latest), by primary key."""
    names = {}
    for row in service_list_for_desk():
        version = row.in_force or row.latest
        names[row.service.pk] = localized(version, "name") if version is not None else row.service.slug
    return names


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    separator = pgettext("list separator", ", ")
    return _("%(items)s or %(last)s") % {"items": separator.join(items[:-1]), "last": items[-1]}


def rule_summary(rule: SurveyRule, service_names: dict[int, str]) -> str:
    """Say in words what the rule does, e.g. "After each resolved complaint about 水费, 60 minutes later,
    to 50% of cases." (services and teams must be prefetched)."""
    labels = dict(CaseKind.choices)
    kinds = _join([str(labels.get(kind, kind)).lower() for kind in rule.kinds]) or _("case")
    services = _join([service_names.get(service.pk, service.slug) for service in rule.services.all()])
    teams = _join([str(team) for team in rule.teams.all()])
    values = {"kinds": kinds, "services": services, "teams": teams}
    if services and teams:
        subject = _("each resolved %(kinds)s about %(services)s handled by %(teams)s") % values
    elif services:
        subject = _("each resolved %(kinds)s about %(services)s") % values
    elif teams:
        subject = _("each resolved %(kinds)s handled by %(teams)s") % values
    else:
        subject = _("each resolved %(kinds)s") % values
    share = f"{rule.sample_percent}%"
    if rule.delay_minutes:
        delay = ngettext("%(count)d minute", "%(count)d minutes", rule.delay_minutes) % {
            "count": rule.delay_minutes
        }
        return _("After %(subject)s, %(delay)s later, to %(share)s of cases.") % {
            "subject": subject,
            "delay": delay,
            "share": share,
        }
    return _("After %(subject)s, at once, to %(share)s of cases.") % {"subject": subject, "share": share}


def _rules(survey: Survey) -> QuerySet[SurveyRule]:
    return survey.rules.prefetch_related("services", "teams").order_by("ordering", "pk")


@login_required
def config_rule_list(request: HttpRequest, survey_id: int) -> HttpResponse:
    """List a survey's rules, in the order they are tried, each said in words."""
    _manager(request)
    survey = _survey_or_404(survey_id)
    names = _service_names()
    rules = [(rule, rule_summary(rule, names)) for rule in _rules(survey)]
    return render(request, "surveys/config/rules.html", {"survey": survey, "rules": rules, "tab": "rules"})


def _rule_page(request: HttpRequest, survey: Survey, rule: SurveyRule | None) -> HttpResponse:
    user = _manager(request)
    names = _service_names()
    form = RuleForm(request.POST or None, rule=rule, service_names=names)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = survey_rule_save(
                actor=user,
                survey=survey,
                rule=rule,
                name=data["name"],
                kinds=data["kinds"],
                services=list(data["services"]),
                teams=list(data["teams"]),
                delay_minutes=data["delay_minutes"],
                sample_percent=data["sample_percent"],
                ordering=data["ordering"],
                is_active=data["is_active"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(
                request, _("The rule was saved: %(summary)s") % {"summary": rule_summary(saved, names)}
            )
            return redirect(_survey_url(survey, "config_rule_list"))
    title = _("Edit rule %(name)s") % {"name": rule.name} if rule else _("New rule")
    return _form_page(
        request, form, title=title, back_url=_survey_url(survey, "config_rule_list"), survey=survey
    )


@login_required
def config_rule_create(request: HttpRequest, survey_id: int) -> HttpResponse:
    """Create a rule that sends the survey after matching resolved cases."""
    _manager(request)
    return _rule_page(request, _survey_or_404(survey_id), None)


@login_required
def config_rule_edit(request: HttpRequest, survey_id: int, rule_id: int) -> HttpResponse:
    """Change one of the survey's rules."""
    _manager(request)
    survey = _survey_or_404(survey_id)
    rule = get_object_or_404(
        SurveyRule.objects.prefetch_related("services", "teams"), pk=rule_id, survey=survey
    )
    return _rule_page(request, survey, rule)


# Campaigns ----------------------------------------------------------------------------------------------


@login_required
def config_campaign_list(request: HttpRequest, survey_id: int) -> HttpResponse:
    """List a survey's periodic campaigns with their next and last runs."""
    _manager(request)
    survey = _survey_or_404(survey_id)
    context: dict[str, Any] = {
        "survey": survey,
        "campaigns": survey.campaigns.order_by("name", "pk"),
        "tab": "campaigns",
    }
    return render(request, "surveys/config/campaigns.html", context)


def _campaign_page(request: HttpRequest, survey: Survey, campaign: Campaign | None) -> HttpResponse:
    user = _manager(request)
    form = CampaignForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign_save(
                actor=user,
                survey=survey,
                campaign=campaign,
                name=data["name"],
                every_days=data["every_days"],
                sample_size=data["sample_size"],
                next_run_at=data["next_run_at"],
                is_active=data["is_active"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The campaign was saved."))
            return redirect(_survey_url(survey, "config_campaign_list"))
    title = _("Edit campaign %(name)s") % {"name": campaign.name} if campaign else _("New campaign")
    return _form_page(
        request, form, title=title, back_url=_survey_url(survey, "config_campaign_list"), survey=survey
    )


@login_required
def config_campaign_create(request: HttpRequest, survey_id: int) -> HttpResponse:
    """Create a periodic campaign of the survey."""
    _manager(request)
    return _campaign_page(request, _survey_or_404(survey_id), None)


@login_required
def config_campaign_edit(request: HttpRequest, survey_id: int, campaign_id: int) -> HttpResponse:
    """Change one of the survey's campaigns."""
    _manager(request)
    survey = _survey_or_404(survey_id)
    campaign = get_object_or_404(Campaign, pk=campaign_id, survey=survey)
    return _campaign_page(request, survey, campaign)
