"""The staff side: work queues, the case page, bulk assignment and the supervisors' view."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from charter.accounts.models import Customer, User
from charter.audit.list_exports import list_export
from charter.cases.charts import load_charts
from charter.cases.checks import ReplyCheckWarningError, case_reply_checked
from charter.cases.clocks import WORKING_TIME, TimeLeft, clock_time_left
from charter.cases.forms import (
    ArrivalForm,
    AssignForm,
    PriorityForm,
    QueueFilterForm,
    RelatedCaseForm,
    ResolveForm,
    StaffReplyForm,
    TransitionForm,
)
from charter.cases.models import OPEN_STATUSES, Case, CaseClock, CaseStatus
from charter.cases.permissions import (
    can_add_internal_note,
    can_assign,
    can_edit_case,
    can_merge,
    can_reply,
    can_resolve,
    can_see_routing_reasons,
    can_transition,
    can_view_case_stats,
    handler_excluded_ids,
    is_case_staff,
)
from charter.cases.search import case_search_filter
from charter.cases.selectors import (
    canned_response_list_for,
    case_attachment_list,
    case_clock_list,
    case_get_visible,
    case_link_list,
    case_list_visible_to,
    case_message_list,
    case_queue,
    case_stats_for_supervisor,
    case_timeline,
)
from charter.cases.services import (
    canned_response_render,
    case_arrival_record,
    case_assign,
    case_assign_bulk,
    case_link,
    case_merge,
    case_resolve,
    case_tracking_token_revoke,
    case_tracking_token_rotate,
    case_transition,
    case_update,
)
from charter.cases.services.contact import customer_contact_view
from charter.cases.services.routing import (
    eligible_handler_ids,
    routing_exclusion_text,
    routing_exclusions,
    routing_exclusions_of,
)
from charter.cases.workflow import CASE_WORKFLOW
from charter.common.errors import ConflictError, DomainError
from charter.common.files import stored_file_response
from charter.common.http import int_param
from charter.common.list_exports import Column, export_extension, filters_of
from charter.common.pages import page_rule
from charter.privacy.permissions import can_reveal_personal_data
from charter.sla.selectors import sla_config_pinned

ON_SITE_ARRIVAL = CaseClock.Metric.ON_SITE_ARRIVAL

# Lazy: the labels are translated when a page shows them, in the reader's language, not once at import.
QUEUES = [
    ("mine", gettext_lazy("Mine")),
    ("my_teams", gettext_lazy("My teams")),
    ("unassigned", gettext_lazy("Unassigned")),
    ("due_today", gettext_lazy("Due today")),
    ("due_soon", gettext_lazy("Due soon")),
    ("breached", gettext_lazy("Breached")),
    ("all", gettext_lazy("All I can see")),
]
ORDERS = {"deadline": "deadline", "newest": "-created", "priority": "priority"}
# The case page's rarer actions, folded under "More actions" unless one of them was just refused.
MORE_ACTIONS = frozenset({"transition", "assign", "priority", "related", "arrival"})


class SearchPage:
    """One page of search results without a total: it knows only whether a next page exists."""

    size = 50

    def __init__(self, cases: Any, number: str | None) -> None:
        self.number = int_param(number, maximum=1_000_000) or 1
        rows = list(cases[(self.number - 1) * self.size : self.number * self.size + 1])
        self.object_list = rows[: self.size]
        self._has_next = len(rows) > self.size

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def paginator(self) -> Any:
        return None


def _staff(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not is_case_staff(user):
        raise PermissionDenied
    return user


def _handlers_for(case: Case) -> Any:
    """The members of the case's team who may handle it: the form offers nobody `can_handle` refuses."""
    team_ids = [case.team_id] if case.team_id else []
    return (
        User.objects.filter(is_active=True, memberships__team_id__in=team_ids)
        .exclude(pk__in=handler_excluded_ids(case))
        .distinct()
        .order_by("username")
    )


def _queue_cases(request: HttpRequest, user: User) -> tuple[str, QueueFilterForm, Any, str]:
    """The queue's name, its filter form, its cases for `user` (scoped, filtered, searched, sorted) and the
    search text: one answer for the page and its export."""
    name = request.GET.get("queue", "mine")
    if name not in dict(QUEUES):
        name = "mine"
    form = QueueFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    order = "deadline"
    query = ""
    if form.is_valid():
        data = form.cleaned_data
        filters = {key: data[key] for key in ("status", "kind", "priority") if data.get(key)}
        order = ORDERS.get(data.get("order") or "deadline", "deadline")
        query = data.get("q") or ""
    # The list shows no customer, service or category: join only what it shows.
    cases = case_queue(user=user, queue=name, filters=filters, order=order).select_related(None)
    cases = cases.select_related("team__unit", "assignee")
    if query:
        cases = case_search_filter(cases, query)
    return name, form, cases, query


QUEUE_COLUMNS: list[Column[Case]] = [
    Column(gettext_lazy("Number"), lambda case: case.number),
    Column(gettext_lazy("Subject"), lambda case: case.title),
    Column(gettext_lazy("Kind"), lambda case: case.get_kind_display()),
    Column(gettext_lazy("Priority"), lambda case: case.get_priority_display()),
    Column(gettext_lazy("Status"), lambda case: case.get_status_display()),
    Column(gettext_lazy("Team"), lambda case: str(case.team) if case.team else ""),
    Column(gettext_lazy("Handler"), lambda case: str(case.assignee) if case.assignee else ""),
    Column(gettext_lazy("Next deadline"), lambda case: case.next_deadline_at),
    Column(gettext_lazy("Received at"), lambda case: case.received_at),
]


@page_rule(is_case_staff)
def queue(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """A work queue (mine, my teams, unassigned, due today, due soon, breached) with filters, search and
    sorting; `?format=csv|xlsx` exports every case of it (audited)."""
    user = _staff(request)
    name, form, cases, query = _queue_cases(request, user)
    extension = export_extension(request)
    if extension:
        return list_export(
            request,
            name="cases.queue",
            title=_("Cases"),
            rows=cases,
            columns=QUEUE_COLUMNS,
            filters={"queue": name, **filters_of(form.cleaned_data if form.is_valid() else {})},
            extension=extension,
        )
    if query:
        # Search pages are not counted: counting every match of a common word costs more than the page.
        page: Any = SearchPage(cases, request.GET.get("page"))
    else:
        page = Paginator(cases, 50).get_page(request.GET.get("page"))
    now = timezone.now()
    context = {
        "queues": QUEUES,
        "queue": name,
        "form": form,
        "page": page,
        "now": now,
        "deadline_left": _deadlines_left(list(page), now),
        # Why cases needing a qualification he lacks no longer reach him (his own queue only).
        "not_routed": [why for _q, why in routing_exclusions_of(user=user)] if name == "mine" else [],
        "handlers": User.objects.filter(is_active=True, memberships__isnull=False)
        .distinct()
        .order_by("username"),
    }
    return render(request, "cases/desk_queue.html", context)


def _deadlines_left(cases: list[Case], now: dt.datetime) -> dict[int, TimeLeft]:
    """Return the time left until each case's next deadline (by case id), counted like the clock it is the
    deadline of: in its basis, in its policy's calendar or else the team's. One query for the clocks."""
    due = {case.pk: case.next_deadline_at for case in cases if case.next_deadline_at is not None}
    if not due:
        return {}
    counted: dict[int, tuple[str, int | None]] = {}
    running = CaseClock.objects.filter(case_id__in=list(due), status=CaseClock.Status.RUNNING).order_by("pk")
    for case_id, due_at, basis, calendar_id in running.values_list(
        "case_id", "due_at", "target_basis", "sla_calendar_id"
    ):
        if due_at == due[case_id]:
            counted.setdefault(case_id, (basis, calendar_id))
    teams = {case.pk: case.team for case in cases}
    left = {}
    with sla_config_pinned():
        for pk, due_at in due.items():
            basis, calendar_id = counted.get(pk, (WORKING_TIME, None))
            left[pk] = clock_time_left(teams[pk], due=due_at, basis=basis, calendar_id=calendar_id, now=now)
    return left


@login_required
@require_POST
def bulk_assign(request: HttpRequest) -> HttpResponse:
    """Assign the ticked cases of a queue to one handler."""
    user = _staff(request)
    ids = [pk for pk in map(int_param, request.POST.getlist("case")) if pk is not None]
    assignee = User.objects.filter(pk=request.POST.get("assignee") or 0, is_active=True).first()
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("cases:desk_queue")
    if not ids or assignee is None:
        messages.error(request, _("Tick at least one case and choose a handler."))
        return redirect(back)
    cases = list(case_list_visible_to(user=user).filter(pk__in=ids))
    if len(cases) != len(set(ids)):
        raise Http404
    try:
        case_assign_bulk(actor=user, cases=cases, assignee=assignee, reason=request.POST.get("reason", ""))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("%(count)d cases assigned to %(name)s.") % {"count": len(cases), "name": assignee}
        )
    return redirect(back)


def _case_or_404(request: HttpRequest, number: str) -> Case:
    pk = Case.objects.filter(number=number).values_list("pk", flat=True).first()
    case = case_get_visible(user=request.user, pk=pk) if pk else None
    if case is None:
        raise Http404
    return case


def _routing_why(user: User, case: Case) -> list[tuple[User | None, str]]:
    """Why an open case waits unassigned in its team's queue when nobody qualified was there to take it (none
    when someone qualified could take it). Those who lead the team or configure routing
    (`can_see_routing_reasons`) read each member left out and why (his certificate's state is a training
    record); the others read only their own reasons and which qualification nobody available holds."""
    if case.assignee_id is not None or case.team is None or case.status not in OPEN_STATUSES:
        return []
    if eligible_handler_ids(team=case.team, service=case.service, kind=case.kind):
        return []
    exclusions = routing_exclusions(team=case.team, service=case.service, kind=case.kind)
    if can_see_routing_reasons(user, case):
        return [
            (member, routing_exclusion_text(qualification, last))
            for member, qualification, last in exclusions
        ]
    own: list[tuple[User | None, str]] = [
        (member, routing_exclusion_text(qualification, last))
        for member, qualification, last in exclusions
        if member.pk == user.pk
    ]
    lacking = {qualification.pk: qualification for _member, qualification, _last in exclusions}
    return own + [
        (None, _("Nobody available in the team holds %(qualification)s.") % {"qualification": qualification})
        for qualification in lacking.values()
    ]


@login_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    """The case page: facts, clocks, the whole timeline with notes, the reply box and the actions."""
    user = _staff(request)
    case = _case_or_404(request, number)
    forms = {
        "reply": StaffReplyForm(initial={"version": case.version}),
        "transition": TransitionForm(initial={"version": case.version}),
        # Reassigning within the team and transferring to another team are one service and one form class;
        # the reassign form's prefix keeps the two forms' field ids apart on the page.
        "reassign": AssignForm(
            initial={"version": case.version, "assignee": case.assignee_id},
            staff=_handlers_for(case),
            prefix="reassign",
        ),
        "assign": AssignForm(
            initial={"version": case.version, "team": case.team_id, "assignee": case.assignee_id},
            staff=_handlers_for(case),
        ),
        "resolve": ResolveForm(initial={"version": case.version}),
        "priority": PriorityForm(initial={"version": case.version, "priority": case.priority}),
        "related": RelatedCaseForm(),
        "arrival": ArrivalForm(initial={"version": case.version}),
    }
    if request.method == "POST":
        result = _act(request, user, case, forms)
        if result is not None:
            return result
        case.refresh_from_db()
    canned = canned_response_list_for(user=user)
    canned_text = ""
    chosen = request.GET.get("canned")
    chosen_pk = int_param(chosen)
    if chosen_pk is not None:
        response = canned.filter(pk=chosen_pk).first()
        if response is not None:
            # The customer reads the reply: fill it in in his language, not the agent's.
            canned_text = canned_response_render(
                response=response, case=case, language=case.customer.language, agent=user
            )
            forms["reply"] = StaffReplyForm(initial={"version": case.version, "body": canned_text})
    clocks = list(case_clock_list(case=case))
    awaiting_visit = any(clock.metric == ON_SITE_ARRIVAL and clock.is_open for clock in clocks)
    now = timezone.now()
    with sla_config_pinned():
        clock_left = {
            clock.pk: clock_time_left(
                case.team,
                due=clock.due_at,
                basis=clock.target_basis,
                calendar_id=clock.sla_calendar_id,
                now=now,
            )
            for clock in clocks
            if clock.status == CaseClock.Status.RUNNING and clock.due_at is not None
        }
    context = {
        "case": case,
        "routing_why": _routing_why(user, case),
        "contact": customer_contact_view(user=user, customer=case.customer, looking_at=case, request=request),
        "can_reveal": can_reveal_personal_data(user),
        "forms": forms,
        # After a refused post, the action's form is shown open with its errors.
        "open_action": request.POST.get("action", "") if request.method == "POST" else "",
        "open_more": request.method == "POST" and request.POST.get("action", "") in MORE_ACTIONS,
        "timeline": case_timeline(case=case, include_internal=True),
        "messages_list": case_message_list(case=case, include_internal=True),
        "clocks": clocks,
        "clock_left": clock_left,
        "links": case_link_list(case=case, user=user),
        "canned": canned,
        "targets": [
            (status, CaseStatus(status).label)
            for status in CASE_WORKFLOW.allowed_next(case, where=lambda move: not move.dedicated)
        ],
        "may": {
            "reply": can_reply(user, case),
            "note": can_add_internal_note(user, case),
            "transition": can_transition(user, case),
            "assign": can_assign(user, case),
            "resolve": can_resolve(user, case),
            "merge": can_merge(user, case),
            "edit": can_edit_case(user, case),
            "tracking": can_edit_case(user, case),
            "arrival": awaiting_visit and can_transition(user, case),
        },
        "now": now,
    }
    return render(request, "cases/desk_case.html", context)


def _here(case: Case) -> str:
    """The address of the case page, where an action done on it goes back to."""
    return reverse("cases:desk_case", args=[case.number])


def _act_reply(
    request: HttpRequest, user: User, case: Case, forms: dict[str, Any], action: str
) -> HttpResponse | None:
    """Send the staff reply or note; a reply the checks hold keeps its warnings on the form."""
    form = forms["reply"] = StaffReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return None
    data = form.cleaned_data
    # Checks registered by the apps above may hold the reply until "send anyway" and a reason.
    is_overriding = bool(request.POST.get("send_anyway"))
    reason = request.POST.get("override_reason", "").strip() if is_overriding else ""
    try:
        case_reply_checked(
            actor=user,
            case=case,
            body=data["body"],
            is_internal=data["is_internal"],
            attachments=data["attachments"],
            expected_version=data["version"],
            override_reason=reason,
            seen_fingerprint=request.POST.get("reply_check", ""),
        )
    except ReplyCheckWarningError as held:
        form.reply_warnings = held.warnings
        form.reply_check = held.fingerprint
        if is_overriding and not reason:
            form.add_error(None, _("Give a reason to send the reply anyway."))
        return None
    messages.success(request, _("Note saved.") if data["is_internal"] else _("Reply sent."))
    return redirect(_here(case))


def _act_transition(
    request: HttpRequest, user: User, case: Case, forms: dict[str, Any], action: str
) -> HttpResponse | None:
    """Move the case to the status chosen."""
    form = forms["transition"] = TransitionForm(request.POST)
    if not form.is_valid():
        return None
    data = form.cleaned_data
    case_transition(
        actor=user,
        case=case,
        to_status=data["to"],
        reason=data["reason"],
        expected_version=data["version"],
    )
    messages.success(request, _("Status changed."))
    return redirect(_here(case))


def _act_assign(
    request: HttpRequest, user: User, case: Case, forms: dict[str, Any], action: str
) -> HttpResponse | None:
    """Reassign the case within its team (`reassign`) or transfer it to another team (`assign`)."""
    prefix = forms[action].prefix
    form = forms[action] = AssignForm(request.POST, staff=_handlers_for(case), prefix=prefix)
    if not form.is_valid():
        return None
    data = form.cleaned_data
    case_assign(
        actor=user,
        case=case,
        # Reassigning keeps the case in its team; only the transfer form names another.
        team=data["team"] if action == "assign" else None,
        assignee=data["assignee"],
        reason=data["reason"],
        expected_version=data["version"],
    )
    messages.success(request, _("Assignment saved."))
    return redirect(_here(case))


def _act_resolve(
    request: HttpRequest, user: User, case: Case, forms: dict[str, Any], action: str
) -> HttpResponse | None:
    """Resolve the case with its outcome and reasons."""
    form = forms["resolve"] = ResolveForm(request.POST)
    if not form.is_valid():
        return None
    data = form.cleaned_data
    case_resolve(
        actor=user,
        case=case,
        outcome=data["outcome"],
        reasons=data["reasons"],
        root_cause=data["root_cause"],
        remedy_amount=data["remedy_amount"] or None,
        expected_version=data["version"],
    )
    messages.success(request, _("Case resolved; the customer was told the decision and its reasons."))
    return redirect(_here(case))


def _act_priority(
    request: HttpRequest, user: User, case: Case, forms: dict[str, Any], action: str
) -> HttpResponse | None:
    """Change the priority (the service recomputes the deadlines)."""
    form = forms["priority"] = PriorityForm(request.POST)
    if not form.is_valid():
        return None
    case_update(
        actor=user,
        case=case,
        expected_version=form.cleaned_data["version"],
        priority=form.cleaned_data["priority"],
    )
    messages.success(request, _("Priority changed; the deadlines were recomputed."))
    return redirect(_here(case))


def _act_arrival(
    request: HttpRequest, user: User, case: Case, forms: dict[str, Any], action: str
) -> HttpResponse | None:
    """Record when staff arrived on site."""
    form = forms["arrival"] = ArrivalForm(request.POST)
    if not form.is_valid():
        return None
    case_arrival_record(
        actor=user,
        case=case,
        arrived_at=form.cleaned_data["arrived_at"],
        expected_version=form.cleaned_data["version"],
    )
    messages.success(request, _("Arrival on site recorded."))
    return redirect(_here(case))


def _act_tracking_rotate(
    request: HttpRequest, user: User, case: Case, forms: dict[str, Any], action: str
) -> HttpResponse | None:
    """Issue a new tracking link and show it once, to read out or hand over."""
    token = case_tracking_token_rotate(actor=user, case=case)
    url = request.build_absolute_uri(reverse("cases:track", args=[token]))
    messages.success(
        request,
        _(
            "A new tracking link was issued; the old one no longer works. The customer is sent it by "
            "e-mail if we have his address; to read it out or hand it over: %(url)s"
        )
        % {"url": url},
    )
    return redirect(_here(case))


def _act_tracking_revoke(
    request: HttpRequest, user: User, case: Case, forms: dict[str, Any], action: str
) -> HttpResponse | None:
    """Revoke the tracking link."""
    case_tracking_token_revoke(actor=user, case=case)
    messages.success(
        request, _("The tracking link no longer opens this case. Issue a new one when it is needed.")
    )
    return redirect(_here(case))


def _act_related(
    request: HttpRequest, user: User, case: Case, forms: dict[str, Any], action: str
) -> HttpResponse | None:
    """Link the case to another, or merge it into the other (then go to that one)."""
    form = forms["related"] = RelatedCaseForm(request.POST)
    if not form.is_valid():
        return None
    other = _case_or_404(request, form.cleaned_data["number"].strip())
    if form.cleaned_data["merge"]:
        case_merge(actor=user, source=case, target=other)
        messages.success(request, _("Merged into %(number)s.") % {"number": other.number})
        return redirect(reverse("cases:desk_case", args=[other.number]))
    case_link(actor=user, case=case, other=other)
    messages.success(request, _("Linked to %(number)s.") % {"number": other.number})
    return redirect(_here(case))


# The actions of the case page by the `action` posted; each returns a redirect, or None to show the page
# again with the errors on its form.
_ACTIONS: dict[str, Callable[[HttpRequest, User, Case, dict[str, Any], str], HttpResponse | None]] = {
    "reply": _act_reply,
    "transition": _act_transition,
    "assign": _act_assign,
    "reassign": _act_assign,
    "resolve": _act_resolve,
    "priority": _act_priority,
    "arrival": _act_arrival,
    "tracking_rotate": _act_tracking_rotate,
    "tracking_revoke": _act_tracking_revoke,
    "related": _act_related,
}


def _conflict_show(
    request: HttpRequest, case: Case, forms: dict[str, Any], action: str, error: ConflictError
) -> None:
    """Tell the user his action met a conflict; after a stale version keep his input on the form, against
    the case as it is now, so submitting again can succeed."""
    if error.code == "conflict" and action in forms:
        case.refresh_from_db()
        data = request.POST.copy()
        kept = forms[action]
        data[kept.add_prefix("version")] = str(case.version)
        form_class = type(kept)
        forms[action] = (
            form_class(data, staff=_handlers_for(case), prefix=kept.prefix)
            if form_class is AssignForm
            else form_class(data, prefix=kept.prefix)
        )
        forms[action].is_valid()
    if error.code == "conflict":
        messages.error(
            request,
            _(
                "Someone else changed this case while you were working on it. Your input is "
                "kept below; check the latest state and submit again."
            ),
        )
    else:
        messages.error(request, str(error.message))


def _act(request: HttpRequest, user: User, case: Case, forms: dict[str, Any]) -> HttpResponse | None:
    """Run the posted action through its service; on success redirect, else leave errors on its form."""
    action = request.POST.get("action", "")
    handler = _ACTIONS.get(action)
    if handler is None:
        return None
    try:
        return handler(request, user, case, forms, action)
    except ConflictError as error:
        _conflict_show(request, case, forms, action, error)
    except DomainError as error:
        target = forms.get(action)
        if target is not None and error.field in getattr(target, "fields", {}):
            target.add_error(error.field, str(error.message))
        else:
            messages.error(request, str(error.message))
    return None


@login_required
def case_file(request: HttpRequest, number: str, pk: int) -> FileResponse:
    _staff(request)
    case = _case_or_404(request, number)
    attachment = case_attachment_list(case=case, include_internal=True).filter(pk=pk).first()
    if attachment is None:
        raise Http404
    return stored_file_response(attachment)


@page_rule(is_case_staff, can_view_case_stats)
def supervisor(request: HttpRequest) -> HttpResponse:
    """Team load (charts and tables), the cases nearest to breach, and escalations, for the teams the user
    leads."""
    user = _staff(request)
    stats = case_stats_for_supervisor(user=user)
    return render(request, "cases/desk_supervisor.html", {"stats": stats, "charts": load_charts(stats)})


CUSTOMER_CASES_SHOWN = 100


def customer_cases_panel(request: HttpRequest, customer: Customer) -> str:
    """On the customer record: the customer's cases that the reader may see, newest first (the newest 100),
    each with its number linking to the case page and its status; nothing for staff who work no cases."""
    if not is_case_staff(request.user):
        return ""
    cases = (
        case_list_visible_to(user=request.user)
        .filter(customer=customer)
        .select_related("team", "assignee")
        .order_by("-created_at", "-pk")
    )
    rows = list(cases[: CUSTOMER_CASES_SHOWN + 1])
    context = {"cases": rows[:CUSTOMER_CASES_SHOWN], "has_more": len(rows) > CUSTOMER_CASES_SHOWN}
    return render_to_string("cases/_customer_cases.html", context, request=request)
