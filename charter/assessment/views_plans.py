"""Improvement plan pages: the list (my plans and my teams'), opening a plan (by hand or for repeated
violations), and a plan's page with its goals, check-ins and outcome.

A plan outside the reader's scope is not found (404), as the services answer; the person a plan concerns
reads it and never sees the forms (the services refuse him too).
"""

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import TeamMembership, User
from charter.accounts.permissions import is_staff_member
from charter.accounts.requests import request_staff, request_user
from charter.accounts.selectors import staff_list, team_list_led_by
from charter.assessment.models import ImprovementPlan
from charter.assessment.permissions import can_manage_plan, can_see_everyone
from charter.assessment.plans import (
    CLOSE_OUTCOMES,
    plan_check_in,
    plan_close,
    plan_get_visible,
    plan_goal_add,
    plan_list_visible_to,
    plan_open,
    plan_open_for_violations,
    plan_setting,
)
from charter.common.errors import DomainError, NotFoundError
from charter.common.forms import IsoDateInput, form_add_domain_error
from charter.common.pages import page_rule
from charter.common.versioning import VersionStatus
from charter.training.models import Course


def _people_for(user: User) -> Any:
    """The people `user` may open a plan for: the members of the teams he leads (everyone for those who see
    every scorecard), never himself."""
    people = staff_list()
    if not can_see_everyone(user):
        led = team_list_led_by(user=user).values("pk")
        people = people.filter(pk__in=TeamMembership.objects.filter(team_id__in=led).values("user_id"))
    return people.exclude(pk=user.pk).order_by("username")


class PlanOpenForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Staff member"), queryset=User.objects.none())
    starts_on = forms.DateField(label=_("Starts on"), widget=IsoDateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=IsoDateInput())
    summary = forms.CharField(label=_("Why and what for"), widget=forms.Textarea(attrs={"rows": 3}))
    courses = forms.ModelMultipleChoiceField(
        label=_("Courses to complete"),
        queryset=Course.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each course is assigned to the person, due at the end of the plan."),
    )

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person: Any = self.fields["person"]
        person.queryset = people
        courses: Any = self.fields["courses"]
        courses.queryset = (
            Course.objects.filter(is_active=True, versions__status=VersionStatus.PUBLISHED)
            .distinct()
            .order_by("code")
        )


class ViolationPlanForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Staff member"), queryset=User.objects.none())

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person: Any = self.fields["person"]
        person.queryset = people


class GoalForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput())
    description = forms.CharField(label=_("Goal"), widget=forms.Textarea(attrs={"rows": 2}))
    indicator = forms.CharField(label=_("Indicator (code)"), max_length=60, required=False)
    target = forms.DecimalField(
        label=pgettext_lazy("assessment", "Target"), max_digits=12, decimal_places=2, required=False
    )


class CheckInForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput())
    on = forms.DateField(label=_("Date"), widget=IsoDateInput())
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput())
    outcome = forms.ChoiceField(
        label=pgettext_lazy("assessment", "Outcome"),
        choices=[
            (value, label) for value, label in ImprovementPlan.Status.choices if value in CLOSE_OUTCOMES
        ],
    )
    ends_on = forms.DateField(
        label=_("New end date"),
        required=False,
        widget=IsoDateInput(),
        help_text=_("Only when the plan is extended."),
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))


@page_rule(is_staff_member)
def plan_list(request: HttpRequest) -> HttpResponse:
    """My improvement plans and those of the people I supervise; a supervisor opens one here."""
    user = request_staff(request)
    people = _people_for(user)
    today = timezone.localdate()
    may_open = people.exists()
    days = plan_setting("CHARTER_ASSESSMENT_PLAN_DAYS")
    initial = {"starts_on": today, "ends_on": today + dt.timedelta(days=days)}
    open_form = PlanOpenForm(initial=initial, people=people)
    violation_form = ViolationPlanForm(people=people)
    if request.method == "POST" and may_open:
        do = request.POST.get("do", "")
        form: forms.Form
        try:
            if do == "open":
                form = open_form = PlanOpenForm(request.POST, people=people)
                if form.is_valid():
                    data = form.cleaned_data
                    plan = plan_open(
                        actor=user,
                        person=data["person"],
                        starts_on=data["starts_on"],
                        ends_on=data["ends_on"],
                        summary=data["summary"],
                        courses=list(data["courses"]),
                    )
                    messages.success(request, gettext("The improvement plan was opened."))
                    return redirect("assessment:plan_detail", pk=plan.pk)
            elif do == "violations":
                form = violation_form = ViolationPlanForm(request.POST, people=people)
                if form.is_valid():
                    plan = plan_open_for_violations(actor=user, person=form.cleaned_data["person"])
                    messages.success(request, gettext("The improvement plan was opened."))
                    return redirect("assessment:plan_detail", pk=plan.pk)
            else:
                raise Http404
        except DomainError as error:
            form_add_domain_error(form, error)
    elif request.method == "POST":
        # Nobody he may open a plan for: refused (403), as `can_open_plan` refuses him.
        raise PermissionDenied
    plans = list(plan_list_visible_to(user=user).order_by("-starts_on", "-pk")[:200])
    return render(
        request,
        "assessment/plan_list.html",
        {
            "mine": [plan for plan in plans if plan.person_id == user.pk],
            "others": [plan for plan in plans if plan.person_id != user.pk],
            "may_open": may_open,
            "open_form": open_form,
            "violation_form": violation_form,
            "violations_needed": plan_setting("CHARTER_ASSESSMENT_PLAN_VIOLATIONS"),
            "violation_days": plan_setting("CHARTER_ASSESSMENT_PLAN_VIOLATION_DAYS"),
        },
    )


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One plan: facts, goals, check-ins and outcome; its forms for the supervisor. 404 outside scope, for
    anyone (as the services answer)."""
    user = request_user(request)
    try:
        plan = plan_get_visible(user=user, pk=pk)
    except NotFoundError:
        raise Http404 from None
    initial = {"version": plan.lock_version}
    plan_forms: dict[str, forms.Form] = {
        "goal_form": GoalForm(initial=initial),
        "check_in_form": CheckInForm(initial={**initial, "on": timezone.localdate()}),
        "close_form": CloseForm(initial=initial),
    }
    if request.method == "POST":
        response = _detail_post(request, user, plan, plan_forms)
        if response is not None:
            return response
    return _detail_page(request, user, plan, plan_forms)


def _detail_page(
    request: HttpRequest,
    user: User,
    plan: ImprovementPlan,
    plan_forms: dict[str, forms.Form],
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "assessment/plan_detail.html",
        {
            "plan": plan,
            "goals": list(plan.goals.all()),
            "check_ins": list(plan.check_ins.select_related("by")),
            "may_manage": bool(can_manage_plan(user, plan)),
            "is_person": plan.person_id == user.pk,
            **plan_forms,
        },
        status=status,
    )


def _detail_post(
    request: HttpRequest, user: User, plan: ImprovementPlan, plan_forms: dict[str, forms.Form]
) -> HttpResponse | None:
    """Handle one form of the plan page; None re-renders the page with the form's errors."""
    do = request.POST.get("do", "")
    done = redirect("assessment:plan_detail", pk=plan.pk)
    form: forms.Form
    try:
        if do == "goal":
            form = plan_forms["goal_form"] = GoalForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                plan_goal_add(
                    actor=user,
                    plan=plan,
                    description=data["description"],
                    indicator=data["indicator"],
                    target=data["target"],
                    expected_version=data["version"],
                )
                messages.success(request, gettext("The goal was added."))
                return done
        elif do == "check_in":
            form = plan_forms["check_in_form"] = CheckInForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                plan_check_in(
                    actor=user, plan=plan, on=data["on"], note=data["note"], expected_version=data["version"]
                )
                messages.success(request, gettext("The check-in was recorded."))
                return done
        elif do == "close":
            form = plan_forms["close_form"] = CloseForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                plan_close(
                    actor=user,
                    plan=plan,
                    outcome=data["outcome"],
                    note=data["note"],
                    ends_on=data["ends_on"],
                    expected_version=data["version"],
                )
                messages.success(request, gettext("The outcome of the plan was recorded."))
                return done
        else:
            raise Http404
    except DomainError as error:
        if error.status in (403, 409) and not error.field:
            # A refusal or a stale page: answer with the status, the message on the reloaded page.
            messages.error(request, str(error.message))
            return _detail_page(request, user, plan, plan_forms, status=error.status)
        form_add_domain_error(form, error)
    return None
