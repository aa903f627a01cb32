"""Training record pages under /desk/training/: the training home (my training; the trainer's links; a
supervisor's overdue team work), the training matrix with its exports, the effectiveness of a course, and one
person's record.

A person's record outside the reader's scope is not found (404), as the predicates answer; the matrix and
effectiveness pages refuse (403) those who may not open them. Links to the other training pages (courses,
sessions, banks, grading) are shown only when their page exists and would open for the reader.
"""

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from charter.accounts.models import OrgUnit, Team, User
from charter.accounts.requests import request_staff
from charter.accounts.selectors import team_list_led_by
from charter.common.exports import EXTENSIONS, tables_download
from charter.common.forms import FilterForm
from charter.common.pages import page_rule
from charter.training.exports import cell_label, matrix_export
from charter.training.models import Course
from charter.training.permissions import (
    can_use_training,
    can_view_all_records,
    can_view_matrix,
    can_view_records_of,
)
from charter.training.selectors import (
    effectiveness,
    matrix_people,
    my_training,
    overdue_for_supervisor,
    page_link,
    training_matrix,
)

MATRIX_PAGE_SIZE = 100
# The training pages, each linked from the home page when it exists and opens for the reader (an agent
# gets the course and session lists; a trainer also banks, grading, the matrix and effectiveness).
TRAINER_LINKS = (
    ("training:course_list", _("Courses")),
    ("training:bank_list", _("Question banks")),
    ("training:session_list", _("Training sessions")),
    ("training:grading_list", _("Answers to grade")),
    ("training:matrix", _("Training matrix")),
    ("training:effectiveness", _("Training effectiveness")),
)
# The course page where a person starts or continues a course (the courses area's), first that exists.
COURSE_PAGES = ("training:course_learn", "training:course_detail")


def course_start_link(user: User, course: Course) -> str | None:
    """The page where `user` starts `course`, when the courses area provides one he may open."""
    for name in COURSE_PAGES:
        url = page_link(user, name, course.pk)
        if url:
            return url
    return None


def _record_context(user: User, person: User) -> dict[str, Any]:
    record = my_training(person=person, reader=user)
    # Only the person himself starts his courses; a reader of his record sees what is due.
    open_rows = [
        (row, course_start_link(user, row.assignment.course) if person.pk == user.pk else None)
        for row in record.open
    ]
    # The certificates area's page of the person's certificates (PDFs, renewals), once it exists.
    certificates_url = page_link(user, "training:certificate_list", person.pk)
    return {"record": record, "person": person, "open_rows": open_rows, "certificates_url": certificates_url}


@page_rule(can_use_training)
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """My training first; a trainer's links to the training pages; a supervisor's overdue team work."""
    user = request_staff(request)
    links = [(url, label) for name, label in TRAINER_LINKS if (url := page_link(user, name))]
    overdue = list(overdue_for_supervisor(user=user)[:100])
    context = _record_context(user, user) | {"links": links, "team_overdue": overdue}
    return render(request, "training/home.html", context)


@page_rule(can_use_training)
@require_GET
def person_record(request: HttpRequest, person_id: int) -> HttpResponse:
    """One person's training, for himself, the supervisors of his teams and record holders (404 to others)."""
    user = request_staff(request)
    person = get_object_or_404(User, pk=person_id)
    if not can_view_records_of(user, person.pk):
        raise Http404
    return render(request, "training/person_record.html", _record_context(user, person))


class MatrixFilterForm(FilterForm):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none(), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        if can_view_all_records(user):
            fields["team"].queryset = Team.objects.filter(is_active=True).order_by("code")
            fields["unit"].queryset = OrgUnit.objects.order_by("path")
        else:
            teams = team_list_led_by(user=user)
            fields["team"].queryset = teams.order_by("code")
            fields["unit"].queryset = OrgUnit.objects.filter(teams__in=teams).distinct().order_by("path")


@page_rule(can_view_matrix)
@require_GET
def matrix(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """People × required courses, filtered by team or unit, with CSV and XLSX exports (`?format=`)."""
    user = request_staff(request)
    form = MatrixFilterForm(request.GET, user=user)
    team = unit = None
    if form.is_valid():
        team, unit = form.cleaned_data["team"], form.cleaned_data["unit"]
    extension = request.GET.get("format", "")
    if form.is_valid() and extension in EXTENSIONS:
        table = matrix_export(actor=user, team=team, unit=unit, extension=extension)
        return tables_download([table], stem="training-matrix", extension=extension)
    result = page = None
    if form.is_valid():
        # One page of people at a time; the columns are those of everyone filtered.
        page = Paginator(matrix_people(user=user, team=team, unit=unit), MATRIX_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        result = training_matrix(
            user=user,
            team=team,
            unit=unit,
            offset=page.start_index() - 1 if page.object_list else 0,
            limit=MATRIX_PAGE_SIZE,
        )
    rows = []
    if result is not None:
        for row in result.rows:
            rows.append((row, [(cell, cell_label(cell.state)) for cell in row.cells]))
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("page", None)
    return render(
        request,
        "training/matrix.html",
        {"form": form, "matrix": result, "rows": rows, "query": query.urlencode(), "page": page},
    )


class EffectivenessForm(FilterForm):
    course = forms.ModelChoiceField(
        label=_("Course"), queryset=Course.objects.order_by("code"), required=False
    )
    days = forms.IntegerField(label=_("Days before and after"), min_value=7, max_value=365, required=False)


@page_rule(can_view_all_records)
@require_GET
def effectiveness_page(request: HttpRequest) -> HttpResponse:
    """The quality of the work a course teaches, before and after training, trained beside untrained."""
    request_staff(request)
    form = EffectivenessForm(request.GET)
    result = None
    if form.is_valid() and form.cleaned_data["course"]:
        result = effectiveness(course=form.cleaned_data["course"], days=form.cleaned_data["days"] or 90)
    groups = []
    if result is not None:
        groups = [(_("Trained"), result.trained), (_("Not trained"), result.untrained)]
    return render(request, "training/effectiveness.html", {"form": form, "result": result, "groups": groups})
