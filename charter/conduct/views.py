"""The conduct desk: violations by scope, recording one with its evidence, the violation's page with its
timeline and due-process forms, the staff member's own record, the ladder's configuration and the report."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from charter.accounts.models import User
from charter.accounts.requests import request_user
from charter.audit.list_exports import list_export, tables_export
from charter.cases.models import Case
from charter.common import charts
from charter.common.dates import day_end, day_start
from charter.common.errors import DomainError
from charter.common.exports import Table
from charter.common.files import stored_file_response
from charter.common.forms import form_add_domain_error
from charter.common.list_exports import Column, export_extension, form_filters
from charter.common.models import localized
from charter.common.pages import page_rule
from charter.common.workflow import Move
from charter.conduct.forms import (
    AppealDecideForm,
    ApproveForm,
    DecideForm,
    EvidenceForm,
    LadderSettingForm,
    LadderStepForm,
    ReportForm,
    TextForm,
    ViolationFilterForm,
    ViolationRecordForm,
)
from charter.conduct.models import EvidenceFile, LadderStep, Violation
from charter.conduct.panels import violation_panels
from charter.conduct.permissions import (
    can_add_evidence,
    can_appeal,
    can_approve,
    can_decide,
    can_decide_appeal,
    can_manage_ladder,
    can_record_violations,
    can_respond,
    can_view_all_violations,
    can_view_own_record,
    can_view_team_violations,
    can_view_violation_list,
)
from charter.conduct.selectors import (
    ViolationReport,
    evidence_file_get_visible,
    ladder_setting_get,
    ladder_step_list,
    violation_get_visible,
    violation_list_of,
    violation_list_visible_to,
    violation_proposal,
    violation_report,
    violation_team_list_for,
)
from charter.conduct.services import (
    EvidenceInput,
    ladder_setting_update,
    ladder_step_update,
    violation_appeal,
    violation_appeal_decide,
    violation_approve,
    violation_decide,
    violation_evidence_add_many,
    violation_record,
    violation_respond,
)
from charter.conduct.workflow import (
    APPEAL,
    APPROVE,
    DECIDE,
    DECIDE_APPEAL,
    END_RESPONSE,
    VIOLATION_WORKFLOW,
)
from charter.quality.models import Finding
from charter.quality.selectors import review_get_for
from charter.standards.selectors import standard_clause_in_force
from charter.surveys.models import Response

PAGE_SIZE = 50
REPORT_BARS_SHOWN = 15  # clauses in the report's chart, the most violated first; the table lists all


def _violation_columns(*, is_own: bool) -> list[Column[Violation]]:
    """The columns of a violation list's export: those of its page."""
    columns: list[Column[Violation]] = [
        Column(gettext_lazy("Date of the act"), lambda v: timezone.localdate(v.occurred_at)),
    ]
    if not is_own:
        columns += [
            Column(gettext_lazy("Staff member"), lambda v: str(v.staff)),
            Column(gettext_lazy("Team"), lambda v: str(v.team) if v.team else ""),
        ]
    return columns + [
        Column(gettext_lazy("Clause"), lambda v: str(v.clause)),
        Column(gettext_lazy("Version"), lambda v: v.version.number),
        Column(gettext_lazy("Severity"), lambda v: v.get_severity_display()),
        Column(gettext_lazy("Step"), lambda v: str(v.step) if v.step else ""),
        Column(gettext_lazy("Status"), lambda v: v.get_status_display()),
        Column(
            gettext_lazy("Appeal outcome"),
            lambda v: v.get_appeal_outcome_display() if v.appeal_outcome else "",
        ),
    ]


def _violations_export(
    request: HttpRequest, *, name: str, form: ViolationFilterForm, rows: Any, is_own: bool, extension: str
) -> HttpResponse | StreamingHttpResponse:
    return list_export(
        request,
        name=name,
        title=_("Violations"),
        rows=rows.select_related("staff", "team", "clause", "version", "step"),
        columns=_violation_columns(is_own=is_own),
        filters=form_filters(form),
        extension=extension,
    )


@page_rule(can_view_violation_list)
def violation_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The violations a supervisor (his teams), an administrator (all) or a second approver (awaiting
    approval, appealed, approved by him) may see, filtered; `?format=csv|xlsx` exports them (audited)."""
    user = request_user(request)
    violations = violation_list_visible_to(user=user)
    staff = User.objects.filter(pk__in=violations.values("staff_id")).order_by("username")
    form = ViolationFilterForm(request.GET, staff=staff, teams=violation_team_list_for(user=user))
    extension = export_extension(request)
    if extension:
        return _violations_export(
            request,
            name="conduct.violations",
            form=form,
            rows=form.filtered(violations),
            is_own=False,
            extension=extension,
        )
    page = Paginator(form.filtered(violations), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "conduct/violation_list.html",
        {"form": form, "page": page, "is_own": False, "can_record": can_record_violations(user)},
    )


@page_rule(can_view_own_record)
def my_record(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The signed-in staff member's own violations, active and expired; `?format=csv|xlsx` exports them."""
    user = request_user(request)
    form = ViolationFilterForm(request.GET)
    extension = export_extension(request)
    if extension:
        return _violations_export(
            request,
            name="conduct.my_record",
            form=form,
            rows=form.filtered(violation_list_of(user=user)),
            is_own=True,
            extension=extension,
        )
    page = Paginator(form.filtered(violation_list_of(user=user)), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "conduct/violation_list.html",
        {"form": form, "page": page, "is_own": True, "now": timezone.now()},
    )


def _evidence_inputs(user: User, data: dict[str, Any]) -> list[EvidenceInput]:
    """Turn the evidence fields of a form into inputs; unknown numbers raise DomainError on their field."""
    items: list[EvidenceInput] = []
    if data.get("case_number"):
        case = Case.objects.filter(number=data["case_number"].strip()).first()
        if case is None:
            raise DomainError(_("There is no case with this number."), field="case_number")
        items.append(EvidenceInput(kind="case", case=case))
    if data.get("finding"):
        finding = Finding.objects.filter(pk=data["finding"]).first()
        if finding is None:
            raise DomainError(_("There is no such finding."), field="finding")
        items.append(EvidenceInput(kind="finding", finding=finding))
    if data.get("review"):
        review = review_get_for(user=user, pk=data["review"])
        if review is None:
            raise DomainError(_("There is no such QA review."), field="review")
        items.append(EvidenceInput(kind="qa_review", review=review))
    if data.get("survey_response"):
        response = Response.objects.filter(pk=data["survey_response"]).first()
        if response is None:
            raise DomainError(_("There is no such survey response."), field="survey_response")
        items.append(EvidenceInput(kind="survey_response", survey_response=response))
    if data.get("observation") or data.get("file"):
        files = [data["file"]] if data.get("file") else []
        items.append(EvidenceInput(kind="observation", text=data.get("observation") or "", files=files))
    return items


@login_required
def violation_create(request: HttpRequest) -> HttpResponse:
    """Record a violation of a staff member of the supervisor's teams, with evidence picked by number."""
    user = request_user(request)
    if not can_record_violations(user):
        raise PermissionDenied
    candidates = User.objects.filter(is_active=True, memberships__team__in=violation_team_list_for(user=user))
    if can_view_all_violations(user):
        candidates = User.objects.filter(is_active=True, memberships__isnull=False)
    staff = User.objects.filter(pk__in=candidates.exclude(pk=user.pk).values("pk")).order_by("username")
    form = ViolationRecordForm(request.POST or None, request.FILES or None, staff=staff)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        clause = standard_clause_in_force(
            document=data["document"], number=data["clause_number"].strip(), at=data["occurred_at"]
        )
        if clause is None:
            form.add_error(
                "clause_number",
                _("The version of the code in force on that day has no clause with this number."),
            )
        else:
            try:
                violation = violation_record(
                    actor=user,
                    staff=data["staff"],
                    clause=clause,
                    occurred_at=data["occurred_at"],
                    severity=data["severity"],
                    description=data["description"],
                    has_harmed_customers=data["has_harmed_customers"],
                    has_harmed_reputation=data["has_harmed_reputation"],
                    evidence=_evidence_inputs(user, data),
                )
            except DomainError as error:
                form_add_domain_error(form, error)
            else:
                messages.success(request, _("The violation was recorded."))
                return redirect("conduct:violation_detail", violation.pk)
    return render(request, "conduct/violation_form.html", {"form": form})


def _visible(request: HttpRequest, pk: int) -> Violation:
    violation = violation_get_visible(user=request.user, pk=pk)
    if violation is None:
        raise Http404
    return violation


def _step_open(violation: Violation, move: Move[Violation]) -> bool:
    """Whether the workflow allows the step `move` now: the same map the service takes the step through."""
    return VIOLATION_WORKFLOW.can_take(violation, name=move.name)


def _detail_context(request: HttpRequest, user: User, violation: Violation) -> dict[str, Any]:
    setting = ladder_setting_get()
    is_staff = violation.staff_id == user.pk
    # Each form shows when its rule allows (the same predicate the service requires) and the status fits.
    context: dict[str, Any] = {
        "violation": violation,
        "setting": setting,
        "is_staff": is_staff,
        "can_add_evidence": can_add_evidence(user, violation) and not VIOLATION_WORKFLOW.is_final(violation),
        "can_decide": can_decide(user, violation) and _step_open(violation, DECIDE),
        "can_respond": can_respond(user, violation) and _step_open(violation, END_RESPONSE),
        "can_approve": can_approve(user, violation) and _step_open(violation, APPROVE),
        "can_appeal": can_appeal(user, violation)
        and _step_open(violation, APPEAL)
        and violation.appealed_at is None,
        "can_decide_appeal": can_decide_appeal(user, violation) and _step_open(violation, DECIDE_APPEAL),
        "now": timezone.now(),
        "clause_text": localized(violation.clause, "text"),
        "panels": violation_panels.render(request, violation),
    }
    if context["can_decide"]:
        proposal = violation_proposal(violation=violation)
        context["proposal"] = proposal
        context["decide_form"] = DecideForm(
            initial={"step": proposal.step}, is_fine_enabled=setting.is_fine_enabled
        )
    if context["can_add_evidence"]:
        context["evidence_form"] = EvidenceForm()
    context["respond_form"] = TextForm()
    context["appeal_form"] = TextForm()
    context["approve_form"] = ApproveForm(initial={"decision": "approve"})
    context["appeal_decide_form"] = AppealDecideForm()
    return context


@login_required
def violation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One violation: the clause, evidence, proposal, decision, timeline, and the forms the user may use."""
    user = request_user(request)
    violation = _visible(request, pk)
    return render(request, "conduct/violation_detail.html", _detail_context(request, user, violation))


def _act(
    request: HttpRequest, pk: int, form_class: Any, act: Any, form_key: str, **form_kwargs: Any
) -> HttpResponse:
    user = request_user(request)
    violation = _visible(request, pk)
    form = form_class(request.POST, request.FILES or None, **form_kwargs)
    if form.is_valid():
        try:
            act(user, violation, form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("conduct:violation_detail", violation.pk)
    violation = _visible(request, pk)
    context = _detail_context(request, user, violation)
    context[form_key] = form
    return render(request, "conduct/violation_detail.html", context, status=400)


@login_required
@require_POST
def violation_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    def act(user: User, violation: Violation, data: dict[str, Any]) -> None:
        violation_decide(
            actor=user,
            violation=violation,
            step=data["step"],
            reason=data["reason"],
            fine_amount=data.get("fine_amount"),
        )

    return _act(
        request, pk, DecideForm, act, "decide_form", is_fine_enabled=ladder_setting_get().is_fine_enabled
    )


@login_required
@require_POST
def violation_respond_view(request: HttpRequest, pk: int) -> HttpResponse:
    def act(user: User, violation: Violation, data: dict[str, Any]) -> None:
        violation_respond(actor=user, violation=violation, text=data["text"])

    return _act(request, pk, TextForm, act, "respond_form")


@login_required
@require_POST
def violation_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    def act(user: User, violation: Violation, data: dict[str, Any]) -> None:
        violation_approve(
            actor=user, violation=violation, is_approved=data["decision"] == "approve", note=data["note"]
        )

    return _act(request, pk, ApproveForm, act, "approve_form")


@login_required
@require_POST
def violation_appeal_view(request: HttpRequest, pk: int) -> HttpResponse:
    def act(user: User, violation: Violation, data: dict[str, Any]) -> None:
        violation_appeal(actor=user, violation=violation, text=data["text"])

    return _act(request, pk, TextForm, act, "appeal_form")


@login_required
@require_POST
def violation_appeal_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    def act(user: User, violation: Violation, data: dict[str, Any]) -> None:
        violation_appeal_decide(
            actor=user, violation=violation, outcome=data["outcome"], reason=data["reason"], step=data["step"]
        )

    return _act(request, pk, AppealDecideForm, act, "appeal_decide_form")


@login_required
@require_POST
def violation_evidence_view(request: HttpRequest, pk: int) -> HttpResponse:
    def act(user: User, violation: Violation, data: dict[str, Any]) -> None:
        violation_evidence_add_many(actor=user, violation=violation, items=_evidence_inputs(user, data))

    return _act(request, pk, EvidenceForm, act, "evidence_form")


@login_required
def evidence_file(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    """Serve an observation's file to those who may see the violation; never rendered from our origin."""
    stored: EvidenceFile | None = evidence_file_get_visible(user=request.user, violation_pk=pk, pk=file_pk)
    if stored is None:
        raise Http404
    return stored_file_response(stored)


def _require_manager(request: HttpRequest) -> User:
    user = request_user(request)
    if not can_manage_ladder(user):
        raise PermissionDenied
    return user


@page_rule(can_manage_ladder)
def ladder_settings(request: HttpRequest) -> HttpResponse:
    """The ladder's steps and rules, for administrators to change."""
    user = _require_manager(request)
    setting = ladder_setting_get()
    form = LadderSettingForm(request.POST or None, instance=setting)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ladder_setting_update(
                actor=user,
                window_days=data["window_days"],
                response_days=data["response_days"],
                appeal_days=data["appeal_days"],
                harm_floor=data["harm_floor"],
                general_floor=data["general_floor"],
                serious_floor=data["serious_floor"],
                is_fine_enabled=data["is_fine_enabled"],
                fine_max_amount=data["fine_max_amount"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The rules of the ladder were saved."))
            return redirect("conduct:ladder_settings")
    return render(request, "conduct/ladder_settings.html", {"form": form, "steps": ladder_step_list()})


@login_required
def ladder_step_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename a step, or change whether it needs a second approver."""
    user = _require_manager(request)
    step = LadderStep.objects.filter(pk=pk).first()
    if step is None:
        raise Http404
    form = LadderStepForm(request.POST or None, instance=step)
    if request.method == "POST" and form.is_valid():
        try:
            ladder_step_update(
                actor=user,
                step=step,
                name_zh=form.cleaned_data["name_zh"],
                name_en=form.cleaned_data["name_en"],
                requires_second_approver=form.cleaned_data["requires_second_approver"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The step was saved."))
            return redirect("conduct:ladder_settings")
    return render(request, "conduct/ladder_step_form.html", {"form": form, "step": step})


def _report_charts(result: ViolationReport) -> list[SafeString]:
    """The report's charts: violations by clause (the most first) and by month."""
    return [
        charts.bar_chart(
            chart_id="violations-by-clause",
            title=_("Violations by clause"),
            description=_("How many violations of each clause were recorded in the period, the most first."),
            bars=[charts.Bar(row.label, row.count) for row in result.by_clause[:REPORT_BARS_SHOWN]],
            domain=None,
            value_suffix="",
            tone="bad",
            empty_text=_("No violations."),
            caption=True,
        ),
        charts.column_chart(
            chart_id="violations-by-month",
            title=_("Violations by month"),
            description=_(
                "How many violations were recorded each month of the period (by the date of the act)."
            ),
            x_labels=[row.label for row in result.by_month],
            values=[row.count for row in result.by_month] if result.total else [],
            tone="bad",
            empty_text=_("No violations."),
            caption=True,
        ),
    ]


@page_rule(can_view_team_violations)
def report(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Violations by clause, step, team and month over a period, with charts, on the page or as CSV/XLSX."""
    user = request_user(request)
    today = timezone.localdate()
    form = ReportForm(request.GET or {"since": today.replace(day=1) - dt.timedelta(days=365), "until": today})
    result = None
    if form.is_valid():
        since = day_start(form.cleaned_data["since"])
        until = day_end(form.cleaned_data["until"])
        result = violation_report(user=user, since=since, until=until)
        extension = export_extension(request)
        if extension:
            tables = [
                Table(title, [heading, _("Violations")], [[row.label, row.count] for row in rows])
                for title, heading, rows in (
                    (_("By clause"), _("Clause"), result.by_clause),
                    (_("By step"), _("Step"), result.by_step),
                    (_("By team"), _("Team"), result.by_team),
                    (_("By month"), _("Month"), result.by_month),
                )
            ]
            return tables_export(
                request,
                name="conduct.report",
                stem="violations",
                tables=tables,
                filters=form_filters(form),
                extension=extension,
            )
    context = {"form": form, "result": result, "charts": _report_charts(result) if result else []}
    return render(request, "conduct/report.html", context)
