"""Desk pages of retention and legal holds at /desk/privacy/retention/ and /desk/privacy/holds/: the data
protection officer (privacy.manage_retention) sees what each schedule keeps and for how long, changes it,
asks what the next run would anonymise, and places or releases holds. Everyone else gets 403 on the pages
and 404 on a hold."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST

from charter.accounts.models import Customer, User
from charter.accounts.selectors import customer_find_by_contact
from charter.common.errors import DomainError
from charter.common.forms import form_add_domain_error
from charter.common.pages import page_rule
from charter.privacy.forms_retention import HoldPlaceForm, HoldReleaseForm, ScheduleForm
from charter.privacy.holds import hold_target, legal_hold_place, legal_hold_release
from charter.privacy.masking import mask_name
from charter.privacy.models import LegalHold, RetentionSchedule
from charter.privacy.permissions import can_manage_retention
from charter.privacy.retention import (
    retention_report,
    retention_run,
    retention_runs_recent,
    retention_schedule_update,
    retention_schedules,
)

CASE_TARGET = "cases.case"
PLACED = gettext_noop("The legal hold was placed: retention and erasure leave it alone.")


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):  # page_rule signed him in already
        raise Http404
    return request.user


def _overview(
    request: HttpRequest, forms: dict[str, ScheduleForm] | None = None, status: int = 200
) -> HttpResponse:
    forms = forms or {}
    rows = []
    for line in retention_report():
        schedule: RetentionSchedule = line["schedule"]
        form = forms.get(schedule.record_type) or ScheduleForm(
            initial={"keep_days": schedule.keep_days, "is_active": schedule.is_active},
            prefix=schedule.record_type,
        )
        rows.append({**line, "form": form})
    # A run's counts are kept by record type; the page names each type as its rule does.
    labels = {line["rule"].record_type: line["rule"].label for line in rows}
    runs = [
        {
            "run": run,
            "counts": [
                (labels.get(record_type, record_type), count) for record_type, count in run.counts.items()
            ],
        }
        for run in retention_runs_recent()
    ]
    context = {"rows": rows, "runs": runs}
    return render(request, "privacy/retention.html", context, status=status)


@require_GET
@page_rule(can_manage_retention)
def retention_overview(request: HttpRequest) -> HttpResponse:
    """The schedules, what the next run would do, and the last runs."""
    return _overview(request)


@require_POST
@page_rule(can_manage_retention)
def retention_schedule_edit(request: HttpRequest, record_type: str) -> HttpResponse:
    """Change how long one type of record is kept, or switch its schedule off."""
    scheduled = {each.rule.record_type: each for each in retention_schedules()}
    if record_type not in scheduled:
        raise Http404
    schedule = scheduled[record_type].schedule
    form = ScheduleForm(request.POST, prefix=record_type)
    if form.is_valid():
        try:
            retention_schedule_update(
                actor=_user(request),
                schedule=schedule,
                keep_days=form.cleaned_data["keep_days"],
                is_active=form.cleaned_data["is_active"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The schedule was changed; the next run uses it."))
            return redirect("privacy:retention")
    return _overview(request, {record_type: form}, status=400)


@require_POST
@page_rule(can_manage_retention)
def retention_dry_run(request: HttpRequest) -> HttpResponse:
    """Count now what the next run would anonymise, changing nothing."""
    retention_run(dry_run=True, actor=_user(request))
    messages.success(request, _("Dry run finished: nothing was changed. Its counts are under the last runs."))
    return redirect("privacy:retention")


@dataclass
class HoldLine:
    hold: LegalHold
    subject: str
    url: str


def _hold_line(hold: LegalHold) -> HoldLine:
    from django.urls import reverse

    if hold.customer_id is not None:
        customer = hold.customer
        name = mask_name(customer.name) if customer is not None else ""
        subject = _("Customer %(name)s (#%(pk)s)") % {"name": name, "pk": hold.customer_id}
        return HoldLine(hold, subject, reverse("accounts:customer_detail", args=[hold.customer_id]))
    target = hold_target(hold.target_type)
    described = target.describe(hold.target_id) if target is not None else None
    if described is None:
        return HoldLine(hold, f"{hold.target_type} #{hold.target_id}", "")
    reference, url = described
    return HoldLine(hold, _("Case %(number)s") % {"number": reference}, url)


def _holds_page(request: HttpRequest, form: HoldPlaceForm | None = None, status: int = 200) -> HttpResponse:
    show = request.GET.get("show", "active")
    holds = LegalHold.objects.select_related("customer", "placed_by", "released_by")
    holds = holds.filter(released_at__isnull=show != "released")
    context: dict[str, Any] = {
        "lines": [_hold_line(hold) for hold in holds[:200]],
        "show": "released" if show == "released" else "active",
        "form": form or HoldPlaceForm(),
        "release_form": HoldReleaseForm(),
    }
    return render(request, "privacy/holds.html", context, status=status)


@require_GET
@page_rule(can_manage_retention)
def hold_list(request: HttpRequest) -> HttpResponse:
    """The active (or released) legal holds and the form to place one."""
    return _holds_page(request)


def _customers_for(form: HoldPlaceForm) -> list[Customer]:
    phone, email = form.cleaned_data["phone"].strip(), form.cleaned_data["email"].strip()
    if not phone and not email:
        form.add_error("phone", _("Give the customer's phone or e-mail."))
        return []
    customer = customer_find_by_contact(phone=phone, email=email)
    if customer is None:
        form.add_error(
            "phone" if phone else "email",
            _("No customer has this phone or e-mail.")
            if not (phone and email)
            else _("This phone and this e-mail do not belong to one and the same customer."),
        )
        return []
    return [customer]


@require_POST
@page_rule(can_manage_retention)
def hold_place(request: HttpRequest) -> HttpResponse:
    """Place a legal hold on one case (by number) or on a customer (found by phone or e-mail)."""
    form = HoldPlaceForm(request.POST)
    if not form.is_valid():
        return _holds_page(request, form, status=400)
    actor, reason = _user(request), form.cleaned_data["reason"]
    try:
        if form.cleaned_data["on"] == "customer":
            customers = _customers_for(form)
            if not customers:
                return _holds_page(request, form, status=400)
            for customer in customers:
                legal_hold_place(actor=actor, customer=customer, reason=reason)
        else:
            target = hold_target(CASE_TARGET)
            number = form.cleaned_data["case_number"].strip()
            target_id = target.find(number) if target is not None and number else None
            if target_id is None:
                form.add_error("case_number", _("No case has this number."))
                return _holds_page(request, form, status=400)
            hold = legal_hold_place(actor=actor, target_type=CASE_TARGET, target_id=target_id, reason=reason)
            if request.POST.get("from_case"):
                messages.success(
                    request, _("The legal hold was placed: retention and erasure leave it alone.")
                )
                return redirect(_case_url(hold))
    except DomainError as error:
        form_add_domain_error(form, error)
        return _holds_page(request, form, status=400)
    messages.success(request, _(PLACED))
    return redirect("privacy:hold_list")


@require_POST
def hold_release(request: HttpRequest, hold_id: int) -> HttpResponse:
    """Release one active hold, with a reason (a hold is outside everyone's scope but the officer's: 404)."""
    if not request.user.is_authenticated or not can_manage_retention(request.user):
        raise Http404
    hold = get_object_or_404(LegalHold, pk=hold_id)
    form = HoldReleaseForm(request.POST)
    if form.is_valid():
        try:
            legal_hold_release(actor=_user(request), hold=hold, reason=form.cleaned_data["reason"])
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The legal hold was released."))
            return redirect(_case_url(hold) if request.POST.get("from_case") else "privacy:hold_list")
    else:
        messages.error(request, _("Give the reason for the release."))
    return redirect("privacy:hold_list")


def _case_url(hold: LegalHold) -> str:
    line = _hold_line(hold)
    return line.url or "privacy:hold_list"
