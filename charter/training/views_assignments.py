"""Assignment pages: ordering a course for a group (a team, a unit, a role, all staff) with the batches
ordered so far, one batch with the people it assigned, and waiving one person's assignment.

Who may do what is the services' and the predicates' (`can_assign_courses`, `can_waive_assignment`): the
form offers a supervisor only the teams he leads, and a team outside them posted anyway is refused by
`batch_create` (403). Someone else's assignment outside the reader's scope is not found (404).
"""

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import OrgUnit, Team, User
from charter.accounts.requests import request_staff
from charter.accounts.roles import ROLE_LABELS, STAFF_ROLES
from charter.accounts.selectors import led_team_ids
from charter.common.errors import DomainError, PermissionDeniedError
from charter.common.forms import IsoDateInput, form_add_domain_error
from charter.common.pages import page_rule
from charter.common.policy import holds, page_require
from charter.common.versioning import VersionStatus
from charter.training.assignments import assignment_waive, batch_create
from charter.training.models import Assignment, AssignmentBatch, Course
from charter.training.permissions import (
    can_assign_courses,
    can_open_batches,
    can_view_batch,
    can_waive_assignment,
)

Target = AssignmentBatch.Target
BATCH_PAGE_SIZE = 50


class BatchForm(forms.Form):
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.none())
    target = forms.ChoiceField(label=_("Assign to"), choices=[])
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    unit = forms.ModelChoiceField(
        label=_("Unit (with the units under it)"), queryset=OrgUnit.objects.none(), required=False
    )
    role = forms.ChoiceField(label=_("Role"), choices=[], required=False)
    due_on = forms.DateField(label=_("Due on"), widget=IsoDateInput())
    note = forms.CharField(
        label=_("Why (shown to each person)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anyone = holds(user, "training.assign_course")
        course: Any = self.fields["course"]
        course.queryset = (
            Course.objects.filter(is_active=True, versions__status=VersionStatus.PUBLISHED)
            .distinct()
            .order_by("code")
        )
        target: Any = self.fields["target"]
        target.choices = [
            (value, label)
            for value, label in Target.choices
            if value != Target.STANDARD and (anyone or value == Target.TEAM)
        ]
        team: Any = self.fields["team"]
        # Any active team is accepted (the service decides); a supervisor is offered the teams he leads.
        team.queryset = Team.objects.filter(is_active=True).order_by("code")
        if not anyone:
            team.widget.choices = [("", "---------")] + [
                (row.pk, str(row)) for row in team.queryset.filter(pk__in=led_team_ids(user))
            ]
            del self.fields["unit"], self.fields["role"]
        else:
            unit: Any = self.fields["unit"]
            unit.queryset = OrgUnit.objects.order_by("path")
            role: Any = self.fields["role"]
            role.choices = [("", "---------")] + [
                (str(value), label) for value, label in ROLE_LABELS.items() if value in STAFF_ROLES
            ]

    def target_value(self) -> str:
        """The code or name the chosen target needs (empty when it is missing: the service refuses it)."""
        data = self.cleaned_data
        target = data["target"]
        if target == Target.TEAM and data.get("team"):
            return str(data["team"].code)
        if target == Target.UNIT and data.get("unit"):
            return str(data["unit"].code)
        if target == Target.ROLE:
            return str(data.get("role") or "")
        return ""


class WaiveForm(forms.Form):
    reason = forms.CharField(label=_("Why it is waived"), widget=forms.Textarea(attrs={"rows": 3}))


def _batches(user: User) -> "QuerySet[AssignmentBatch]":
    rows = AssignmentBatch.objects.select_related("course", "created_by")
    if not holds(user, "training.assign_course"):
        rows = rows.filter(created_by=user)
    return rows.order_by("-created_at", "-pk")[:30]


@page_rule(can_assign_courses)
def batch_order(request: HttpRequest) -> HttpResponse:
    """Order a course for a group; list the batches ordered so far (everyone's for those who assign to
    anyone, one's own for a supervisor) with how many people each assigned."""
    user = request_staff(request)
    initial = {"due_on": timezone.localdate() + dt.timedelta(days=30), "target": Target.TEAM}
    form = BatchForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch_create(
                actor=user,
                course=data["course"],
                target=data["target"],
                target_value=form.target_value(),
                due_on=data["due_on"],
                note=data["note"],
            )
        except PermissionDeniedError as error:
            raise PermissionDenied(str(error.message)) from error
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(
                request, gettext("The course is being assigned; each person will be told by e-mail.")
            )
            return redirect("training:batch_order")
    return render(request, "training/batch_order.html", {"form": form, "batches": _batches(user)})


@page_rule(can_open_batches)
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One group assignment: its course, target, due date, note, who ordered it and when, when it was
    carried out and how many it assigned, and its people page by page with each one's status. For whoever
    ordered it, holders of assign_course and of view_training_records (`can_view_batch`); anyone else is
    told it does not exist."""
    user = request_staff(request)
    batch = get_object_or_404(
        AssignmentBatch.objects.select_related("course", "created_by", "standard_version__document"), pk=pk
    )
    page_require(can_view_batch(user, batch))
    people = (
        Assignment.objects.filter(batch=batch)
        .select_related("person")
        .order_by("person__display_name", "person__username", "pk")
    )
    page = Paginator(people, BATCH_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "training/batch_detail.html", {"batch": batch, "page": page})


@page_rule(can_assign_courses)
def assignment_waive_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Waive one open assignment, saying why (`can_waive_assignment`; the page is for those who assign
    courses, and an assignment of someone outside the reader's records is not found)."""
    user = request_staff(request)
    assignment = get_object_or_404(Assignment.objects.select_related("person", "course"), pk=pk)
    page_require(can_waive_assignment(user, assignment))
    form = WaiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assignment_waive(actor=user, assignment=assignment, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, gettext("The training was waived."))
            return redirect("training:person_record", person_id=assignment.person_id)
    return render(request, "training/assignment_waive.html", {"form": form, "assignment": assignment})
