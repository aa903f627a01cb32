"""HTML views of the SLA desk at /desk/sla/: calendars with a month view, their hours and dated exceptions,
holiday import, assignments to units, and the SLA policies with their targets. Staff read; administrators
change (everyone else gets 403)."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from charter.accounts.models import User
from charter.accounts.requests import request_user
from charter.common.errors import DomainError
from charter.common.forms import form_add_domain_error
from charter.common.pages import page_rule
from charter.sla.forms import (
    AssignForm,
    CalendarEditForm,
    CalendarForm,
    DayEditForm,
    DayForm,
    ImportForm,
    IntervalForm,
    PolicyForm,
    TargetForm,
    WeekForm,
)
from charter.sla.models import (
    BusinessCalendar,
    CalendarDay,
    SlaCalendarAssignment,
    SlaPolicy,
    SlaPolicyTarget,
    Weekday,
    WorkingInterval,
)
from charter.sla.permissions import can_edit_sla, can_view_sla
from charter.sla.selectors import (
    business_calendar_get,
    business_calendar_list,
    calendar_day_list,
    calendar_month,
    sla_policy_get,
    sla_policy_list,
)
from charter.sla.services import (
    CalendarContent,
    DayContent,
    HolidayFileError,
    business_calendar_create,
    business_calendar_delete,
    business_calendar_set_default,
    business_calendar_update,
    calendar_day_add,
    calendar_day_delete,
    calendar_day_update,
    calendar_days_import,
    sla_calendar_assign,
    sla_policy_create,
    sla_policy_delete,
    sla_policy_move,
    sla_policy_target_remove,
    sla_policy_target_set,
    sla_policy_update,
    working_interval_add,
    working_interval_remove,
    working_week_set,
)


def _require_viewer(request: HttpRequest) -> User:
    if not can_view_sla(request.user):
        raise PermissionDenied
    return request_user(request)


def _require_editor(request: HttpRequest) -> User:
    if not can_edit_sla(request.user):
        raise PermissionDenied
    return request_user(request)


def _calendar_or_404(calendar_id: int) -> BusinessCalendar:
    calendar = business_calendar_get(pk=calendar_id)
    if calendar is None:
        raise Http404
    return calendar


def _calendar_url(calendar: BusinessCalendar, month: dt.date | None = None) -> str:
    url = reverse("sla:calendar_detail", kwargs={"calendar_id": calendar.pk})
    return f"{url}?month={month:%Y-%m}" if month else url


def _form_page(
    request: HttpRequest, form: forms.BaseForm, title: str, back: str, **extra: Any
) -> HttpResponse:
    return render(request, "sla/form.html", {"form": form, "title": title, "back_url": back, **extra})


def _confirm_page(request: HttpRequest, question: str, back: str) -> HttpResponse:
    return render(request, "sla/confirm.html", {"question": question, "back_url": back})


# Calendars ----------------------------------------------------------------------------------------------


@page_rule(can_view_sla)
@require_GET
def calendar_list(request: HttpRequest) -> HttpResponse:
    """List the calendars, the default first, with their units; link to the policies."""
    user = _require_viewer(request)
    context = {"calendars": business_calendar_list(), "is_editor": can_edit_sla(user)}
    return render(request, "sla/calendar_list.html", context)


@login_required
def calendar_create(request: HttpRequest) -> HttpResponse:
    """Let an administrator create a calendar."""
    user = _require_editor(request)
    form = CalendarForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            calendar = business_calendar_create(
                actor=user,
                code=data["code"],
                content=CalendarContent.from_data(data),
                is_default=data["is_default"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The calendar was created. Add its working hours now."))
            return redirect(_calendar_url(calendar))
    return _form_page(request, form, _("New calendar"), reverse("sla:calendar_list"))


def _parse_month(value: str, default: dt.date) -> dt.date:
    try:
        year, month = (int(part) for part in value.split("-"))
        return dt.date(year, month, 1)
    except (ValueError, TypeError):
        return default


@login_required
@require_GET
def calendar_detail(request: HttpRequest, calendar_id: int) -> HttpResponse:
    """Show a calendar: its weekly hours, a month of working days and holidays, its exceptions and units."""
    user = _require_viewer(request)
    calendar = _calendar_or_404(calendar_id)
    today = timezone.now().astimezone(ZoneInfo(calendar.time_zone)).date()
    month = _parse_month(request.GET.get("month", ""), today.replace(day=1))
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    intervals = sorted(calendar.intervals.all(), key=lambda i: (i.weekday, i.start))
    weekly = [
        (label, [interval for interval in intervals if interval.weekday == value])
        for value, label in Weekday.choices
    ]
    context = {
        "calendar": calendar,
        "weekly": weekly,
        "weeks": calendar_month(calendar=calendar, year=month.year, month=month.month),
        "weekday_names": [label for _value, label in Weekday.choices],
        "month": month,
        "previous_url": _calendar_url(calendar, previous),
        "next_url": _calendar_url(calendar, following),
        "days": calendar_day_list(calendar=calendar, year=month.year),
        "assignments": calendar.assignments.all(),
        "is_editor": can_edit_sla(user),
        "today": today,
    }
    return render(request, "sla/calendar_detail.html", context)


@login_required
def calendar_edit(request: HttpRequest, calendar_id: int) -> HttpResponse:
    """Let an administrator change a calendar's names, time zone and 24x7 flag."""
    user = _require_editor(request)
    calendar = _calendar_or_404(calendar_id)
    initial = {name: getattr(calendar, name) for name in ("name_zh", "name_en", "time_zone", "is_24x7")}
    form = CalendarEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            business_calendar_update(actor=user, calendar=calendar, content=CalendarContent.from_data(data))
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The calendar was saved."))
            return redirect(_calendar_url(calendar))
    return _form_page(request, form, _("Edit calendar"), _calendar_url(calendar))


@login_required
@require_POST
def calendar_set_default(request: HttpRequest, calendar_id: int) -> HttpResponse:
    """Make a calendar the installation's default."""
    user = _require_editor(request)
    calendar = _calendar_or_404(calendar_id)
    business_calendar_set_default(actor=user, calendar=calendar)
    messages.success(request, _("This is now the default calendar."))
    return redirect(_calendar_url(calendar))


@login_required
def calendar_delete(request: HttpRequest, calendar_id: int) -> HttpResponse:
    """Confirm, then delete a calendar that is neither the default nor in use."""
    user = _require_editor(request)
    calendar = _calendar_or_404(calendar_id)
    if request.method == "POST":
        try:
            business_calendar_delete(actor=user, calendar=calendar)
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect(_calendar_url(calendar))
        messages.success(request, _("The calendar was deleted."))
        return redirect("sla:calendar_list")
    question = _("Delete the calendar %(name)s with its hours and days?") % {"name": calendar}
    return _confirm_page(request, question, _calendar_url(calendar))


@login_required
def interval_add(request: HttpRequest, calendar_id: int) -> HttpResponse:
    """Add working hours to one weekday."""
    user = _require_editor(request)
    calendar = _calendar_or_404(calendar_id)
    form = IntervalForm(request.POST or None, initial={"weekday": request.GET.get("weekday", 0)})
    if request.method == "POST" and form.is_valid():
        try:
            working_interval_add(
                actor=user,
                calendar=calendar,
                weekday=form.cleaned_data["weekday"],
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The working hours were added."))
            return redirect(_calendar_url(calendar))
    return _form_page(request, form, _("Add working hours"), _calendar_url(calendar), calendar=calendar)


@login_required
@require_POST
def interval_remove(request: HttpRequest, calendar_id: int, interval_id: int) -> HttpResponse:
    """Remove one interval of working hours."""
    user = _require_editor(request)
    calendar = _calendar_or_404(calendar_id)
    interval = get_object_or_404(WorkingInterval, pk=interval_id, calendar=calendar)
    working_interval_remove(actor=user, interval=interval)
    messages.success(request, _("The working hours were removed."))
    return redirect(_calendar_url(calendar))


@login_required
def week_set(request: HttpRequest, calendar_id: int) -> HttpResponse:
    """Set the hours of several weekdays at once (no hours: days off)."""
    user = _require_editor(request)
    calendar = _calendar_or_404(calendar_id)
    form = WeekForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            working_week_set(
                actor=user, calendar=calendar, weekdays=form.cleaned_data["weekdays"], intervals=form.hours()
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The weekly hours were saved."))
            return redirect(_calendar_url(calendar))
    return _form_page(request, form, _("Set weekly hours"), _calendar_url(calendar), calendar=calendar)


def _day_or_404(calendar: BusinessCalendar, day_id: int) -> CalendarDay:
    return get_object_or_404(CalendarDay.objects.select_related("calendar"), pk=day_id, calendar=calendar)


@login_required
def day_add(request: HttpRequest, calendar_id: int) -> HttpResponse:
    """Mark a date as a holiday or a make-up working day."""
    user = _require_editor(request)
    calendar = _calendar_or_404(calendar_id)
    form = DayForm(request.POST or None, initial={"date": request.GET.get("date", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            content = DayContent.from_data({**data, "intervals": form.hours()})
            day = calendar_day_add(actor=user, calendar=calendar, date=data["date"], content=content)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The day was added."))
            return redirect(_calendar_url(calendar, day.date.replace(day=1)))
    return _form_page(
        request, form, _("Add a holiday or make-up working day"), _calendar_url(calendar), calendar=calendar
    )


@login_required
def day_edit(request: HttpRequest, calendar_id: int, day_id: int) -> HttpResponse:
    """Change a holiday or make-up working day."""
    user = _require_editor(request)
    calendar = _calendar_or_404(calendar_id)
    day = _day_or_404(calendar, day_id)
    form = DayEditForm(request.POST or None, initial=DayForm.initial_from(day))
    back = _calendar_url(calendar, day.date.replace(day=1))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            calendar_day_update(
                actor=user, day=day, content=DayContent.from_data({**data, "intervals": form.hours()})
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The day was saved."))
            return redirect(back)
    title = _("Edit %(date)s") % {"date": day.date.isoformat()}
    return _form_page(request, form, title, back, calendar=calendar)


@login_required
@require_POST
def day_delete(request: HttpRequest, calendar_id: int, day_id: int) -> HttpResponse:
    """Remove a holiday or make-up working day: the date works its weekday's hours again."""
    user = _require_editor(request)
    calendar = _calendar_or_404(calendar_id)
    day = _day_or_404(calendar, day_id)
    calendar_day_delete(actor=user, day=day)
    messages.success(request, _("The day was removed."))
    return redirect(_calendar_url(calendar, day.date.replace(day=1)))


@login_required
def days_import(request: HttpRequest, calendar_id: int) -> HttpResponse:
    """Import a year of holidays and make-up working days from a JSON file."""
    user = _require_editor(request)
    calendar = _calendar_or_404(calendar_id)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = calendar_days_import(
                actor=user,
                calendar=calendar,
                data=form.cleaned_data["file"],
                replace_year=form.cleaned_data["replace_year"],
            )
        except HolidayFileError as error:
            form.add_error("file", _("The file has errors; nothing was imported."))
            problems = error.errors
        else:
            messages.success(
                request,
                _(
                    "%(year)s: %(created)s added, %(updated)s updated, %(unchanged)s unchanged, "
                    "%(removed)s removed."
                )
                % {
                    "year": result.year,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "removed": result.removed,
                },
            )
            return redirect(_calendar_url(calendar, dt.date(result.year, 1, 1)))
    return _form_page(
        request,
        form,
        _("Import holidays"),
        _calendar_url(calendar),
        calendar=calendar,
        problems=problems,
        is_multipart=True,
    )


@login_required
def calendar_assign(request: HttpRequest, calendar_id: int) -> HttpResponse:
    """Assign the calendar to a unit (and, by inheritance, to the units under it)."""
    user = _require_editor(request)
    calendar = _calendar_or_404(calendar_id)
    form = AssignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sla_calendar_assign(actor=user, unit=form.cleaned_data["unit"], calendar=calendar)
        messages.success(request, _("The calendar was assigned."))
        return redirect(_calendar_url(calendar))
    return _form_page(request, form, _("Assign to a unit"), _calendar_url(calendar), calendar=calendar)


@login_required
@require_POST
def calendar_unassign(request: HttpRequest, calendar_id: int, unit_id: int) -> HttpResponse:
    """Remove the calendar from a unit, which then inherits the calendar from above."""
    user = _require_editor(request)
    calendar = _calendar_or_404(calendar_id)
    assignment = get_object_or_404(
        SlaCalendarAssignment.objects.select_related("unit"), calendar=calendar, unit_id=unit_id
    )
    sla_calendar_assign(actor=user, unit=assignment.unit, calendar=None)
    messages.success(request, _("The assignment was removed."))
    return redirect(_calendar_url(calendar))


# Policies -----------------------------------------------------------------------------------------------


def _policy_or_404(policy_id: int) -> SlaPolicy:
    policy = sla_policy_get(pk=policy_id)
    if policy is None:
        raise Http404
    return policy


def _policy_url(policy: SlaPolicy) -> str:
    return reverse("sla:policy_detail", kwargs={"policy_id": policy.pk})


@login_required
@require_GET
def policy_list(request: HttpRequest) -> HttpResponse:
    """List the policies in the order they are tried, with their targets."""
    user = _require_viewer(request)
    context = {"policies": sla_policy_list(), "is_editor": can_edit_sla(user)}
    return render(request, "sla/policy_list.html", context)


@login_required
def policy_create(request: HttpRequest) -> HttpResponse:
    """Let an administrator create a policy, tried after the existing ones."""
    user = _require_editor(request)
    form = PolicyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            policy = sla_policy_create(actor=user, content=form.content())
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The policy was created. Add its targets now."))
            return redirect(_policy_url(policy))
    return _form_page(request, form, _("New SLA policy"), reverse("sla:policy_list"))


@login_required
@require_GET
def policy_detail(request: HttpRequest, policy_id: int) -> HttpResponse:
    """Show a policy's conditions, breach actions and targets."""
    user = _require_viewer(request)
    policy = _policy_or_404(policy_id)
    context = {"policy": policy, "is_editor": can_edit_sla(user), "target_form": TargetForm()}
    return render(request, "sla/policy_detail.html", context)


@login_required
def policy_edit(request: HttpRequest, policy_id: int) -> HttpResponse:
    """Let an administrator change a policy."""
    user = _require_editor(request)
    policy = _policy_or_404(policy_id)
    form = PolicyForm(request.POST or None, initial=PolicyForm.initial_from(policy))
    if request.method == "POST" and form.is_valid():
        try:
            sla_policy_update(actor=user, policy=policy, content=form.content())
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The policy was saved."))
            return redirect(_policy_url(policy))
    return _form_page(request, form, _("Edit SLA policy"), _policy_url(policy))


@login_required
@require_POST
def policy_move(request: HttpRequest, policy_id: int) -> HttpResponse:
    """Move a policy one place up or down in the order."""
    user = _require_editor(request)
    policy = _policy_or_404(policy_id)
    offset = -1 if request.POST.get("direction") == "up" else 1
    sla_policy_move(actor=user, policy=policy, offset=offset)
    return redirect("sla:policy_list")


@login_required
def policy_delete(request: HttpRequest, policy_id: int) -> HttpResponse:
    """Confirm, then delete a policy with its targets."""
    user = _require_editor(request)
    policy = _policy_or_404(policy_id)
    if request.method == "POST":
        sla_policy_delete(actor=user, policy=policy)
        messages.success(request, _("The policy was deleted."))
        return redirect("sla:policy_list")
    question = _("Delete the policy %(name)s and its targets?") % {"name": policy}
    return _confirm_page(request, question, _policy_url(policy))


@login_required
def target_set(request: HttpRequest, policy_id: int) -> HttpResponse:
    """Set a policy's target for one measure (replacing the one it had)."""
    user = _require_editor(request)
    policy = _policy_or_404(policy_id)
    form = TargetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sla_policy_target_set(
                actor=user,
                policy=policy,
                metric=form.cleaned_data["metric"],
                amount=form.cleaned_data["amount"],
                unit=form.cleaned_data["unit"],
                basis=form.cleaned_data["basis"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The target was saved."))
            return redirect(_policy_url(policy))
    return _form_page(request, form, _("Set a target"), _policy_url(policy))


@login_required
@require_POST
def target_remove(request: HttpRequest, policy_id: int, target_id: int) -> HttpResponse:
    """Remove one target from a policy."""
    user = _require_editor(request)
    policy = _policy_or_404(policy_id)
    target = get_object_or_404(SlaPolicyTarget.objects.select_related("policy"), pk=target_id, policy=policy)
    sla_policy_target_remove(actor=user, target=target)
    messages.success(request, _("The target was removed."))
    return redirect(_policy_url(policy))
