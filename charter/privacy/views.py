"""The pages of data-subject requests: the customer's in the portal (make a request, follow it, download his
export), the privacy staff's in the desk (list, record, answer) and the log of personal-data views and
exports. Forms check shape; the services in `charter.privacy.requests` decide and audit."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from charter.accounts.models import Customer, User
from charter.accounts.requests import request_user
from charter.accounts.selectors import customer_find_by_contact
from charter.audit.actions import action_label
from charter.audit.list_exports import list_export
from charter.audit.models import AuditEvent
from charter.audit.selectors import audit_actor_list
from charter.common.dates import day_end, day_start
from charter.common.errors import DomainError
from charter.common.forms import choices_with_all, form_add_domain_error
from charter.common.list_exports import Column, export_extension, form_filters
from charter.common.pages import page_rule
from charter.privacy.exports import export_download_response
from charter.privacy.forms import (
    CompleteForm,
    CorrectionForm,
    CustomerFindForm,
    LogFilterForm,
    PortalRequestForm,
    RefuseForm,
    RequestFilterForm,
    StaffRequestForm,
)
from charter.privacy.masking import mask
from charter.privacy.models import DataSubjectRequest
from charter.privacy.permissions import (
    can_make_data_request,
    can_manage_data_requests,
    can_view_personal_data_log,
)
from charter.privacy.requests import (
    data_request_complete,
    data_request_correct,
    data_request_create,
    data_request_export_open,
    data_request_refuse,
    data_request_take,
    data_request_withdraw,
)
from charter.privacy.selectors import (
    data_request_filter,
    data_request_get_visible,
    data_request_list_visible_to,
    personal_data_log,
)

PAGE_SIZE = 50
CONSENTS_TEMPLATE = "privacy/_consents.html"
Kind = DataSubjectRequest.Kind


def _request(user: User, number: str) -> DataSubjectRequest:
    """The request `number` if `user` may see it; 404 otherwise (also for whoever holds no privacy role: an
    object route does not say the object exists)."""
    found = data_request_get_visible(user=user, number=number)
    if found is None:
        raise Http404
    return found


def _desk_request(request: HttpRequest, number: str) -> tuple[User, DataSubjectRequest]:
    """The signed-in privacy staff member and the request `number`; 404 for anyone else (STYLE §3: an object
    route outside the user's scope does not say whether the object exists)."""
    user = request_user(request)
    if not can_manage_data_requests(user):
        raise Http404
    return user, _request(user, number)


def _export_response(user: User, request: HttpRequest, found: DataSubjectRequest) -> FileResponse:
    try:
        stored = data_request_export_open(actor=user, request=found, http_request=request)
    except DomainError as error:
        raise Http404 from error
    return export_download_response(stored, found.number)


def _consents_template() -> str:
    """The consent part's include for the portal page, or "" while it is not installed."""
    try:
        get_template(CONSENTS_TEMPLATE)
    except TemplateDoesNotExist:
        return ""
    return CONSENTS_TEMPLATE


# --- portal -------------------------------------------------------------------------------------------------


@page_rule(can_make_data_request)
def portal(request: HttpRequest) -> HttpResponse:
    """The customer's privacy page: make a request, follow his requests, download his export, and his
    consents (consent's include)."""
    user = request_user(request)
    customer: Customer = user.customer
    form = PortalRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = data_request_create(
                actor=user,
                customer=customer,
                kind=form.cleaned_data["kind"],
                details=form.cleaned_data["details"],
                http_request=request,
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Your request %(number)s was received. We answer it by %(due)s.")
                % {
                    "number": created.number,
                    "due": timezone.localtime(created.due_at).strftime("%Y-%m-%d"),
                },
            )
            return redirect("privacy:portal")
    requests = data_request_list_visible_to(user=user).filter(customer=customer)[:100]
    return render(
        request,
        "privacy/portal.html",
        {
            "form": form,
            "requests": requests,
            "customer": customer,
            "now": timezone.now(),
            "consents_template": _consents_template(),
        },
    )


@page_rule(can_make_data_request)
def portal_export(request: HttpRequest, number: str) -> FileResponse:
    """Download the export of one of the customer's own access requests (audited)."""
    user = request_user(request)
    found = _request(user, number)
    if found.customer_id != user.customer.pk:
        raise Http404
    return _export_response(user, request, found)


@page_rule(can_make_data_request)
def portal_withdraw(request: HttpRequest, number: str) -> HttpResponse:
    """Withdraw one of the customer's own open requests (POST)."""
    user = request_user(request)
    found = _request(user, number)
    if request.method != "POST" or found.customer_id != user.customer.pk:
        raise Http404
    try:
        data_request_withdraw(actor=user, request=found)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Your request %(number)s was withdrawn.") % {"number": found.number})
    return redirect("privacy:portal")


# --- desk ---------------------------------------------------------------------------------------------------


def _request_columns(now: dt.datetime) -> list[Column[DataSubjectRequest]]:
    """The columns of the data requests' export: those of the page (no customer: the page names none)."""
    return [
        Column(gettext_lazy("Number"), lambda dsr: dsr.number),
        Column(pgettext_lazy("data request", "Kind"), lambda dsr: dsr.get_kind_display()),
        Column(gettext_lazy("Status"), lambda dsr: dsr.get_status_display()),
        Column(pgettext_lazy("data request", "Made by"), lambda dsr: dsr.get_channel_display()),
        Column(gettext_lazy("Handler"), lambda dsr: str(dsr.handler) if dsr.handler else ""),
        Column(gettext_lazy("Received"), lambda dsr: dsr.received_at),
        Column(gettext_lazy("Answer by"), lambda dsr: dsr.due_at),
        Column(gettext_lazy("Overdue"), lambda dsr: _("yes") if dsr.is_open and dsr.due_at <= now else ""),
    ]


@page_rule(can_manage_data_requests)
def request_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Every data request, newest first, filtered by status, kind and overdue; the overdue marked;
    `?format=csv|xlsx` exports them (audited)."""
    user = request_user(request)
    form = RequestFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    now = timezone.now()
    requests = data_request_filter(
        data_request_list_visible_to(user=user),
        status=filters.get("status") or "",
        kind=filters.get("kind") or "",
        is_overdue=bool(filters.get("overdue")),
        now=now,
    )
    extension = export_extension(request)
    if extension:
        return list_export(
            request,
            name="privacy.requests",
            title=_("Data requests"),
            rows=requests.select_related("handler"),
            columns=_request_columns(now),
            filters=form_filters(form),
            extension=extension,
        )
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "privacy/request_list.html", {"form": form, "page": page, "now": now})


@page_rule(can_manage_data_requests)
def request_new(request: HttpRequest) -> HttpResponse:
    """Record a request made by telephone, at the counter, by e-mail or letter: find the customer exactly by
    phone or e-mail, then say what he asks and how his identity was verified."""
    user = request_user(request)
    find = CustomerFindForm(request.GET or None)
    customers: list[Customer] = []
    if find.is_valid():
        match = customer_find_by_contact(
            phone=find.cleaned_data.get("phone") or "", email=find.cleaned_data.get("email") or ""
        )
        customers = [match] if match is not None and match.anonymised_at is None else []
    form = StaffRequestForm(request.POST or None)
    chosen: Customer | None = None
    if request.method == "POST" and form.is_valid():
        chosen = Customer.objects.filter(pk=form.cleaned_data["customer"]).first()
        if chosen is None:
            form.add_error(None, _("Choose the customer again."))
        else:
            try:
                created = data_request_create(
                    actor=user,
                    customer=chosen,
                    kind=form.cleaned_data["kind"],
                    channel=form.cleaned_data["channel"],
                    identity_verification=form.cleaned_data["identity_verification"],
                    details=form.cleaned_data["details"],
                    http_request=request,
                )
            except DomainError as error:
                form_add_domain_error(form, error)
            else:
                messages.success(request, _("Request %(number)s was recorded.") % {"number": created.number})
                return redirect("privacy:request_detail", number=created.number)
    rows = [(customer, mask(customer.name, "name"), mask(customer.phone, "phone")) for customer in customers]
    return render(
        request,
        "privacy/request_new.html",
        {"find": find, "rows": rows, "form": form, "searched": find.is_bound},
    )


def _detail_post(
    request: HttpRequest, user: User, found: DataSubjectRequest, forms: dict[str, object]
) -> bool:
    """Carry out the step the POST names; True when it was done (the caller redirects)."""
    step = request.POST.get("step", "")
    try:
        if step == "take":
            data_request_take(actor=user, request=found)
            messages.success(request, _("You handle this request now."))
            return True
        if step == "withdraw":
            data_request_withdraw(actor=user, request=found)
            messages.success(request, _("The request was withdrawn."))
            return True
        if step == "complete":
            complete = CompleteForm(request.POST)
            forms["complete_form"] = complete
            if complete.is_valid():
                data_request_complete(
                    actor=user, request=found, outcome=complete.cleaned_data["outcome"], http_request=request
                )
                messages.success(request, _("The request was completed."))
                return True
        elif step == "refuse":
            refuse = RefuseForm(request.POST)
            forms["refuse_form"] = refuse
            if refuse.is_valid():
                data_request_refuse(actor=user, request=found, reason=refuse.cleaned_data["reason"])
                messages.success(request, _("The request was refused."))
                return True
        elif step == "correct":
            correct = CorrectionForm(request.POST)
            forms["correction_form"] = correct
            if correct.is_valid():
                data = correct.cleaned_data
                changed = data_request_correct(
                    actor=user,
                    request=found,
                    name=data["name"] or None,
                    phone=data["phone"] or None,
                    email=data["email"] or None,
                    id_number=data["id_number"] or None,
                )
                messages.success(request, _("Corrected: %(fields)s.") % {"fields": ", ".join(changed)})
                return True
    except DomainError as error:
        form = forms.get({"refuse": "refuse_form", "correct": "correction_form"}.get(step, "complete_form"))
        if step in ("complete", "refuse", "correct") and form is not None:
            form_add_domain_error(form, error)  # type: ignore[arg-type]
        else:
            messages.error(request, str(error.message))
    return False


@login_required
def request_detail(request: HttpRequest, number: str) -> HttpResponse:
    """One request: who asked what, when, how his identity was verified, its deadline; and its steps (take,
    complete, refuse with a reason, withdraw; correct the data of a correction request)."""
    user, found = _desk_request(request, number)
    forms: dict[str, object] = {
        "complete_form": CompleteForm(),
        "refuse_form": RefuseForm(),
        "correction_form": CorrectionForm(),
    }
    if request.method == "POST":
        if _detail_post(request, user, found, forms):
            return redirect("privacy:request_detail", number=found.number)
        found = _request(user, number)
    customer = found.customer
    return render(
        request,
        "privacy/request_detail.html",
        {
            "dsr": found,
            "customer": customer,
            "masked_name": mask(customer.name, "name"),
            "masked_phone": mask(customer.phone, "phone"),
            "masked_email": mask(customer.email, "email"),
            "is_overdue": found.is_open and found.due_at <= timezone.now(),
            **forms,
        },
    )


@login_required
def request_export(request: HttpRequest, number: str) -> FileResponse:
    """Download the export of an access request (privacy staff; audited)."""
    user, found = _desk_request(request, number)
    return _export_response(user, request, found)


LOG_COLUMNS: list[Column[AuditEvent]] = [
    Column(gettext_lazy("When"), lambda event: event.occurred_at),
    Column(gettext_lazy("Who"), lambda event: str(event.actor) if event.actor else event.actor_label),
    Column(gettext_lazy("What"), lambda event: str(action_label(event.action))),
    Column(gettext_lazy("Object"), lambda event: event.target_repr),
    Column(gettext_lazy("Field"), lambda event: str(event.data.get("field") or "")),
    Column(gettext_lazy("Why"), lambda event: str(event.data.get("reason") or "")),
]


@page_rule(can_view_personal_data_log)
def personal_data_log_view(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Who saw a customer's full personal data, who revealed a field and who exported personal data, when
    and why; newest first, filtered by person and days; `?format=csv|xlsx` exports them (audited)."""
    actors = [(person.pk, str(person)) for person in audit_actor_list()]
    form = LogFilterForm(request.GET or None, actors=choices_with_all(actors))
    filters = form.cleaned_data if form.is_valid() else {}
    since, until = filters.get("since"), filters.get("until")
    events = personal_data_log(
        actor_id=filters.get("actor"),
        since=day_start(since) if since else None,
        until=day_end(until) if until else None,
    )
    extension = export_extension(request)
    if extension:
        return list_export(
            request,
            name="privacy.log",
            title=_("Personal data log"),
            rows=events,
            columns=LOG_COLUMNS,
            filters=form_filters(form),
            extension=extension,
        )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(event, action_label(event.action)) for event in page]
    return render(request, "privacy/log.html", {"form": form, "page": page, "rows": rows})
