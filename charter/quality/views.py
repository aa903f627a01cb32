"""The quality desk: findings of the automatic reply checks for QA reviewers, supervisors and each agent,
and the administrators' configuration of the checks."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.accounts.models import User
from charter.accounts.requests import request_user
from charter.audit.list_exports import list_export
from charter.common.errors import DomainError
from charter.common.forms import form_add_domain_error
from charter.common.list_exports import Column, export_extension, form_filters
from charter.common.pages import page_rule
from charter.quality.forms import CheckSettingForm, FindingFilterForm, PhraseRuleForm
from charter.quality.models import Check, CheckSetting, Finding, PhraseRule
from charter.quality.permissions import can_manage_checks, can_view_findings, can_view_own_findings
from charter.quality.selectors import (
    ClauseResolver,
    check_setting_map,
    finding_list_of_agent,
    finding_list_visible_to,
    finding_team_list_for,
    phrase_rule_list,
)
from charter.quality.services import check_setting_save, phrase_rule_save

PAGE_SIZE = 50


def _excerpt(finding: Finding) -> str:
    """The excerpt as the page shows it: a late reply names the clock it was late for."""
    if finding.check_code == "late_reply":
        return _("First response") if finding.excerpt == "first_response" else _("Next update")
    return finding.excerpt


def _finding_columns(*, is_own: bool) -> list[Column[Finding]]:
    """The columns of a findings list's export: those of its page."""
    columns: list[Column[Finding]] = [
        Column(gettext_lazy("Replied at"), lambda f: f.replied_at),
        Column(gettext_lazy("Case"), lambda f: f.case.number),
    ]
    if not is_own:
        columns += [
            Column(gettext_lazy("Agent"), lambda f: str(f.agent)),
            Column(gettext_lazy("Team"), lambda f: str(f.team) if f.team else ""),
        ]
    return columns + [
        Column(gettext_lazy("Check"), lambda f: f.get_check_code_display()),
        Column(gettext_lazy("Clause"), lambda f: str(f.clause)),
        Column(gettext_lazy("Excerpt"), _excerpt),
        Column(gettext_lazy("Sent despite the warning"), lambda f: _("yes") if f.is_overridden else _("no")),
        Column(gettext_lazy("Reason"), lambda f: f.override_reason if f.is_overridden else ""),
    ]


def _findings_export(
    request: HttpRequest, *, name: str, form: FindingFilterForm, rows: Any, is_own: bool, extension: str
) -> HttpResponse | StreamingHttpResponse:
    return list_export(
        request,
        name=name,
        title=_("Findings of the reply checks"),
        rows=rows.select_related("case", "agent", "team", "clause"),
        columns=_finding_columns(is_own=is_own),
        filters=form_filters(form),
        extension=extension,
    )


@page_rule(can_view_findings)
def finding_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The findings a QA reviewer or supervisor may review, filtered by agent, team, check and period;
    `?format=csv|xlsx` exports them (audited)."""
    user = request_user(request)
    findings = finding_list_visible_to(user=user)
    teams = finding_team_list_for(user=user)
    agents = User.objects.filter(pk__in=findings.values("agent_id")).order_by("username")
    form = FindingFilterForm(request.GET, agents=agents, teams=teams)
    extension = export_extension(request)
    if extension:
        return _findings_export(
            request,
            name="quality.findings",
            form=form,
            rows=form.filtered(findings),
            is_own=False,
            extension=extension,
        )
    page = Paginator(form.filtered(findings), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "quality/finding_list.html",
        {"form": form, "page": page, "is_own": False},
    )


@page_rule(can_view_own_findings)
def my_finding_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The findings about the signed-in agent's own replies, filtered by check and period;
    `?format=csv|xlsx` exports them (audited)."""
    user = request_user(request)
    form = FindingFilterForm(request.GET)
    extension = export_extension(request)
    if extension:
        return _findings_export(
            request,
            name="quality.my_findings",
            form=form,
            rows=form.filtered(finding_list_of_agent(user=user)),
            is_own=True,
            extension=extension,
        )
    page = Paginator(form.filtered(finding_list_of_agent(user=user)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "quality/finding_list.html",
        {"form": form, "page": page, "is_own": True},
    )


def _require_manager(request: HttpRequest) -> User:
    user = request_user(request)
    if not can_manage_checks(user):
        raise PermissionDenied
    return user


@page_rule(can_manage_checks)
def check_config(request: HttpRequest) -> HttpResponse:
    """The checks with the clause each cites (as in force today) and the phrase lists by category."""
    _require_manager(request)
    resolver = ClauseResolver(timezone.now())
    settings_map = check_setting_map()
    checks: list[dict[str, Any]] = []
    for value, label in Check.choices:
        setting = settings_map.get(value)
        checks.append(
            {
                "code": value,
                "label": label,
                "setting": setting,
                "clause": resolver.clause(setting.document_code, setting.clause_number) if setting else None,
            }
        )
    rules: list[dict[str, Any]] = []
    for rule in phrase_rule_list(is_active_only=False):
        setting = settings_map.get(rule.check_code)
        document = rule.document_code or (setting.document_code if setting else "")
        number = rule.clause_number or (setting.clause_number if setting else "")
        rules.append({"rule": rule, "clause": resolver.clause(document, number)})
    return render(request, "quality/check_config.html", {"checks": checks, "rules": rules})


@login_required
def phrase_rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add a word or phrase to a list, or change one."""
    user = _require_manager(request)
    rule = PhraseRule() if pk is None else PhraseRule.objects.filter(pk=pk).first()
    if rule is None:
        raise Http404
    form = PhraseRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            phrase_rule_save(actor=user, rule=form.instance)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The phrase list was saved."))
            return redirect("quality:check_config")
    return render(request, "quality/phrase_rule_form.html", {"form": form, "rule": rule})


@login_required
def check_setting_edit(request: HttpRequest, check_code: str) -> HttpResponse:
    """Turn a check on or off and choose the clause it cites."""
    user = _require_manager(request)
    if check_code not in Check.values:
        raise Http404
    setting = CheckSetting.objects.filter(check_code=check_code).first() or CheckSetting(
        check_code=check_code
    )
    form = CheckSettingForm(request.POST or None, instance=setting)
    if request.method == "POST" and form.is_valid():
        try:
            check_setting_save(actor=user, setting=form.instance)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The check was saved."))
            return redirect("quality:check_config")
    return render(request, "quality/check_setting_form.html", {"form": form, "setting": setting})
