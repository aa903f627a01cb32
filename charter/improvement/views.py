"""The corrective action desk: the list (scoped and filtered), the checks due, opening and changing an
action, its page (timeline, items, effectiveness check, closure), complaint clusters and the report."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.accounts.models import Team, User
from charter.accounts.permissions import is_staff_member
from charter.accounts.requests import request_staff, request_user
from charter.audit.list_exports import list_export, tables_export
from charter.cases.selectors import case_list_visible_to
from charter.common.dates import day_end, day_start
from charter.common.errors import DomainError
from charter.common.forms import form_add_domain_error
from charter.common.http import int_param
from charter.common.list_exports import Column, export_extension, form_filters
from charter.common.pages import page_rule
from charter.common.unset import UNSET
from charter.conduct.selectors import violation_get_visible
from charter.improvement import reports
from charter.improvement.forms import (
    ActionFilterForm,
    ActionForm,
    CheckForm,
    ClusterForm,
    ItemDoneForm,
    ItemForm,
    ReportForm,
    TransitionForm,
    case_list_by_numbers,
)
from charter.improvement.models import ActionItem, ActionStatus, CorrectiveAction, SourceKind
from charter.improvement.permissions import (
    can_change_team,
    can_check,
    can_close,
    can_manage,
    can_open,
    can_see_reports,
)
from charter.improvement.selectors import (
    action_item_list,
    action_timeline,
    complaint_cluster_list,
    complaint_cluster_measure,
    corrective_action_checks_due,
    corrective_action_filter,
    corrective_action_get_visible,
    corrective_action_list_annotated,
    corrective_action_list_visible_to,
    corrective_action_report,
    corrective_action_team_list_for,
    effectiveness_check_list,
)
from charter.improvement.services import (
    action_item_add,
    action_item_complete,
    corrective_action_open,
    corrective_action_transition,
    corrective_action_update,
    effectiveness_check_record,
)
from charter.improvement.workflow import ACTION_WORKFLOW

PAGE_SIZE = 50


def _action(user: User, pk: int) -> CorrectiveAction:
    action = corrective_action_get_visible(user=user, pk=pk)
    if action is None:
        raise Http404
    return action


ACTION_COLUMNS: list[Column[Any]] = [
    Column(gettext_lazy("Number"), lambda action: action.number),
    Column(gettext_lazy("Title"), lambda action: action.title),
    Column(gettext_lazy("Kind"), lambda action: action.get_kind_display()),
    Column(gettext_lazy("Found through"), lambda action: action.get_source_kind_display()),
    Column(
        gettext_lazy("Root cause"),
        lambda action: action.get_root_cause_display() if action.root_cause else "",
    ),
    Column(gettext_lazy("Owner"), lambda action: str(action.owner)),
    Column(gettext_lazy("Team"), lambda action: str(action.team) if action.team else ""),
    Column(gettext_lazy("Status"), lambda action: action.get_status_display()),
    Column(gettext_lazy("Items overdue"), lambda action: _("yes") if action.has_overdue else ""),
    Column(gettext_lazy("Items done"), lambda action: action.items_done),
    Column(gettext_lazy("Items"), lambda action: action.item_count),
    Column(gettext_lazy("Opened at"), lambda action: action.opened_at),
]


@page_rule(is_staff_member)
def action_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The corrective actions the user may see, filtered by status, source and overdue items;
    `?format=csv|xlsx` exports them (audited)."""
    user = request_staff(request)
    today = timezone.localdate()
    form = ActionFilterForm(request.GET)
    actions = corrective_action_list_visible_to(user=user)
    if form.is_valid():
        actions = corrective_action_filter(
            actions,
            status=form.cleaned_data["status"],
            source_kind=form.cleaned_data["source_kind"],
            is_overdue=form.cleaned_data["overdue"],
            items_due_for=user if form.cleaned_data["my_items_due"] else None,
            today=today,
        )
    else:
        actions = actions.none()
    # The counts make it a GROUP BY query, which drops Meta.ordering: pages need an explicit order.
    annotated = corrective_action_list_annotated(actions, today=today).order_by("-opened_at", "-pk")
    extension = export_extension(request)
    if extension:
        return list_export(
            request,
            name="improvement.actions",
            title=_("Corrective and preventive actions"),
            rows=annotated.select_related("owner", "team"),
            columns=ACTION_COLUMNS,
            filters=form_filters(form),
            extension=extension,
        )
    page = Paginator(annotated, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "improvement/action_list.html",
        {
            "form": form,
            "page": page,
            "can_open": can_open(user),
            "checks_due": corrective_action_checks_due(user=user, now=timezone.now()).count(),
        },
    )


@login_required
def checks_due(request: HttpRequest) -> HttpResponse:
    """The actions whose effectiveness check has fallen due, the longest waiting first."""
    user = request_staff(request)
    actions = corrective_action_checks_due(user=user, now=timezone.now())
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "improvement/checks_due.html", {"page": page})


def _prefill(request: HttpRequest, user: User) -> dict[str, Any]:
    """Initial values from a complaint cluster (root cause, service and the cluster's cases) or from a
    violation."""
    initial: dict[str, Any] = {"owner": user.pk}
    root_cause = request.GET.get("root_cause", "")
    if root_cause:
        initial.update(source_kind=SourceKind.COMPLAINT_CLUSTER, root_cause=root_cause)
    service = request.GET.get("service", "")
    service_pk = int_param(service)
    if service_pk is not None:
        initial["service"] = service_pk
    violation = violation_get_visible(user=user, pk=request.GET.get("violation"))
    if violation is not None:
        initial.update(
            source_kind=SourceKind.VIOLATION,
            violation=violation.pk,
            source_reference=str(violation),
            problem=violation.description,
            team=violation.team_id,
        )
    ids = [pk for pk in map(int_param, request.GET.getlist("case")) if pk is not None]
    if ids:
        numbers = case_list_visible_to(user=user).filter(pk__in=ids).values_list("number", flat=True)
        initial["case_numbers"] = " ".join(sorted(numbers))
    return initial


@login_required
def action_create(request: HttpRequest) -> HttpResponse:
    """Open a corrective action (prefilled when it comes from a complaint cluster)."""
    user = request_staff(request)
    if not can_open(user):
        raise PermissionDenied
    teams = corrective_action_team_list_for(user=user)
    form = ActionForm(request.POST or None, initial=_prefill(request, user), teams=teams, is_new=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        cases, missing = case_list_by_numbers(case_list_visible_to(user=user), data["case_numbers"])
        if missing:
            form.add_error("case_numbers", _("No such case: %(numbers)s.") % {"numbers": ", ".join(missing)})
        else:
            try:
                action = corrective_action_open(
                    actor=user,
                    cases=cases,
                    kind=data["kind"],
                    title=data["title"],
                    source_kind=data["source_kind"],
                    root_cause=data["root_cause"],
                    service=data["service"],
                    source_reference=data["source_reference"],
                    violation=data["violation"],
                    problem=data["problem"],
                    correction=data["correction"],
                    cause_analysis=data["cause_analysis"],
                    owner=data["owner"],
                    team=data["team"],
                    check_after_days=data["check_after_days"],
                )
            except DomainError as error:
                form_add_domain_error(form, error)
            else:
                messages.success(
                    request, _("Corrective action %(number)s was opened.") % {"number": action.number}
                )
                return redirect("improvement:action_detail", pk=action.pk)
    return render(request, "improvement/action_form.html", {"form": form, "action": None})


@login_required
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the text, owner, team or waiting period of an action."""
    user = request_user(request)
    action = _action(user, pk)
    if not can_manage(user, action):
        raise PermissionDenied
    may_move = can_change_team(user, action)
    teams = corrective_action_team_list_for(user=user) if may_move else Team.objects.none()
    if may_move and action.team_id and not teams.filter(pk=action.team_id).exists():
        teams = teams | Team.objects.filter(pk=action.team_id)
    form = ActionForm(
        request.POST or None, instance=action, initial={"version": action.version}, teams=teams, is_new=False
    )
    if not may_move:
        del form.fields["team"]  # a plain owner does not move the action out of his supervisor's scope
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            corrective_action_update(
                actor=user,
                action=action,
                expected_version=data["version"],
                kind=data["kind"],
                title=data["title"],
                source_reference=data["source_reference"],
                problem=data["problem"],
                correction=data["correction"],
                cause_analysis=data["cause_analysis"],
                owner=data["owner"],
                # Left out of the form for those who may not move the action: it stays where it is.
                team=data.get("team", UNSET),
                check_after_days=data["check_after_days"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The corrective action was saved."))
            return redirect("improvement:action_detail", pk=action.pk)
    return render(request, "improvement/action_form.html", {"form": form, "action": action})


def _allowed_moves(user: User, action: CorrectiveAction) -> list[tuple[str, str]]:
    """The moves the user may offer by hand: those the workflow allows now (so reopening, which comes from
    the check, never shows), closing only to someone who may close."""
    return [
        (status, ACTION_WORKFLOW.label(status))
        for status in ACTION_WORKFLOW.allowed_next(action)
        if status != ActionStatus.CLOSED or can_close(user, action)
    ]


@login_required
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One action: facts, linked cases, items, the measure and checks, the timeline; and its forms. An
    action outside the user's scope is not found, for anyone (as the API and the services answer)."""
    user = request_user(request)
    action = _action(user, pk)
    now = timezone.now()
    is_manager = can_manage(user, action)
    moves = _allowed_moves(user, action) if is_manager else []
    forms: dict[str, Form] = {
        "item_form": ItemForm(),
        "done_form": ItemDoneForm(),
        "transition_form": TransitionForm(initial={"version": action.version}, allowed=moves),
        "check_form": CheckForm(initial={"version": action.version}),
    }
    if request.method == "POST":
        response = _detail_post(request, user, action, forms, moves)
        if response is not None:
            return response
    items = list(action_item_list(action=action))
    today = timezone.localdate()
    return render(
        request,
        "improvement/action_detail.html",
        {
            "action": action,
            "cases": list(action.cases.order_by("number")),
            "items": [
                {
                    "item": item,
                    "is_overdue": item.is_overdue(today),
                    # As can_complete_item, with whether he manages the action computed once.
                    "can_complete": is_manager or item.owner_id == user.pk,
                }
                for item in items
            ],
            "checks": list(effectiveness_check_list(action=action)),
            "timeline": list(action_timeline(action=action)),
            "measure": complaint_cluster_measure(action=action, at=now),
            "is_manager": is_manager,
            "can_check": is_manager and action.is_check_due(now) and can_check(user, action),
            "moves": moves,
            "is_owner": action.owner_id == user.pk,
            **forms,
        },
    )


def _detail_post(
    request: HttpRequest, user: User, action: CorrectiveAction, forms: dict[str, Form], moves: list[Any]
) -> HttpResponse | None:
    """Handle one form of the action page; None re-renders the page with the form's errors."""
    do = request.POST.get("do", "")
    done = redirect("improvement:action_detail", pk=action.pk)
    form: Form
    try:
        if do == "item":
            form = forms["item_form"] = ItemForm(request.POST)
            if form.is_valid():
                action_item_add(
                    actor=user,
                    action=action,
                    description=form.cleaned_data["description"],
                    owner=form.cleaned_data["owner"],
                    due_on=form.cleaned_data["due_on"],
                )
                messages.success(request, _("The action item was added."))
                return done
        elif do == "done":
            form = forms["done_form"] = ItemDoneForm(request.POST)
            if form.is_valid():
                item = (
                    ActionItem.objects.select_related("action")
                    .filter(pk=form.cleaned_data["item"], action=action)
                    .first()
                )
                if item is None:
                    raise Http404
                action_item_complete(actor=user, item=item, note=form.cleaned_data["note"])
                messages.success(request, _("The action item is done."))
                return done
        elif do == "transition":
            form = forms["transition_form"] = TransitionForm(request.POST, allowed=moves)
            if form.is_valid():
                corrective_action_transition(
                    actor=user,
                    action=action,
                    to_status=form.cleaned_data["to_status"],
                    expected_version=form.cleaned_data["version"],
                    note=form.cleaned_data["note"],
                )
                messages.success(request, _("The status was changed."))
                return done
        elif do == "check":
            form = forms["check_form"] = CheckForm(request.POST)
            if form.is_valid():
                effectiveness_check_record(
                    actor=user,
                    action=action,
                    is_effective=form.cleaned_data["verdict"] == "effective",
                    note=form.cleaned_data["note"],
                    expected_version=form.cleaned_data["version"],
                )
                messages.success(request, _("The effectiveness check was recorded."))
                return done
        else:
            raise Http404
    except DomainError as error:
        if error.status == 403 and not error.field:
            messages.error(request, str(error.message))
            return done
        form_add_domain_error(form, error)
    return None


@page_rule(is_staff_member, can_open)
def cluster_list(request: HttpRequest) -> HttpResponse:
    """Complaints of the last days grouped by root cause (and service), the groups over a threshold."""
    user = request_staff(request)
    form = ClusterForm(request.GET or None)
    days, threshold, by_service = 90, 3, False
    if form.is_bound and form.is_valid():
        days = form.cleaned_data["days"] or days
        threshold = form.cleaned_data["threshold"] or threshold
        by_service = form.cleaned_data["by_service"]
    until = timezone.now()
    clusters = complaint_cluster_list(
        user=user,
        since=until - dt.timedelta(days=days),
        until=until,
        threshold=threshold,
        by_service=by_service,
    )
    return render(
        request,
        "improvement/cluster_list.html",
        {"form": form, "clusters": clusters, "days": days, "threshold": threshold},
    )


@page_rule(is_staff_member, can_see_reports)
def report(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Corrective actions opened, closed, open, overdue and checked, by source and team, over a period;
    as a page or a CSV/XLSX download (?format=csv|xlsx)."""
    user = request_staff(request)
    today = timezone.localdate()
    form = ReportForm(request.GET or None)
    since_day, until_day = today - dt.timedelta(days=89), today
    if form.is_bound and form.is_valid():
        since_day = form.cleaned_data["since"] or since_day
        until_day = form.cleaned_data["until"] or until_day
    figures = corrective_action_report(
        user=user,
        since=day_start(since_day),
        until=day_end(until_day),
        today=today,
    )
    extension = export_extension(request)
    if extension:
        return tables_export(
            request,
            name="improvement.report",
            stem="corrective-actions",
            tables=reports.report_tables(figures),
            filters={"since": since_day.isoformat(), "until": until_day.isoformat()},
            extension=extension,
        )
    return render(
        request,
        "improvement/report.html",
        {
            "form": form,
            "report": figures,
            "charts": reports.report_charts(figures),
            "since": since_day,
            "until": until_day,
            "query": request.GET.urlencode(),
        },
    )
