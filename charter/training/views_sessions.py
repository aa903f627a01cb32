"""Pages of training sessions under /desk/training/sessions/: the list, a session (enrol, withdraw, sign in
with the trainer's code; a supervisor enrols the people of his teams), scheduling for trainers, and the
trainer's attendance sheet with the sign-in code.

Every member of staff sees the sessions and enrols himself; the attendance sheet and the changes are for the
session's trainer and those who write courses (403 for anyone else). The services in
charter/training/sessions.py decide; forms only check the shape.
"""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from charter.accounts.models import TeamMembership, User
from charter.accounts.requests import request_staff
from charter.accounts.selectors import led_team_ids, staff_list
from charter.common.errors import DomainError
from charter.common.forms import form_add_domain_error
from charter.common.http import int_param
from charter.common.pages import page_rule
from charter.common.policy import page_require
from charter.training.forms_sessions import EnrolOtherForm, SessionForm, SignInForm
from charter.training.models import Course, Enrolment, TrainingSession
from charter.training.permissions import (
    can_assign_courses,
    can_manage_courses,
    can_run_session,
    can_use_training,
)
from charter.training.sessions import (
    attendance_take,
    can_sign_in_now,
    session_cancel,
    session_create,
    session_enrol,
    session_seats_left,
    session_sign_in,
    session_sign_in_code_issue,
    session_unenrol,
    session_update,
    sign_in_open,
)


def _session_or_404(session_id: int) -> TrainingSession:
    return get_object_or_404(TrainingSession.objects.select_related("course", "trainer"), pk=session_id)


def _people_to_enrol(user: User) -> QuerySet[User]:
    """Whom the page offers `user` to enrol: anyone for a trainer, the people of his teams for a supervisor
    (the service checks each anyway)."""
    if can_manage_courses(user):
        return staff_list()
    teams = led_team_ids(user)
    members = TeamMembership.objects.filter(team_id__in=teams).values("user_id")
    return staff_list().filter(pk__in=members).exclude(pk=user.pk)


@page_rule(can_use_training)
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    """Scheduled sessions still to come; trainers also the ones held or cancelled in the last 90 days."""
    user = request_staff(request)
    is_manager = bool(can_manage_courses(user))
    now = timezone.now()
    sessions = (
        TrainingSession.objects.select_related("course", "trainer")
        .annotate(enrolled=Count("enrolments"), mine=Count("enrolments", filter=Q(enrolments__person=user)))
        .order_by("starts_at")
    )
    if is_manager:
        sessions = sessions.filter(ends_at__gte=now - dt.timedelta(days=90))
    else:
        sessions = sessions.filter(
            Q(status=TrainingSession.Status.SCHEDULED, ends_at__gt=now, course__is_active=True)
            | Q(trainer=user, ends_at__gte=now - dt.timedelta(days=90))
            | Q(mine__gt=0)
        )
    return render(
        request,
        "training/session_list.html",
        {"sessions": sessions[:300], "is_manager": is_manager, "now": now},
    )


@page_rule(can_use_training)
@require_GET
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    """A session: when, where, who teaches, seats left; enrol or withdraw; sign in with the code while it
    is open; a supervisor enrols his people; the trainer's links."""
    user = request_staff(request)
    session = _session_or_404(session_id)
    enrolment = session.enrolments.filter(person=user).first()
    may_run = bool(can_run_session(user, session))
    may_enrol_others = bool(can_assign_courses(user)) and session.status == TrainingSession.Status.SCHEDULED
    context: dict[str, Any] = {
        "session": session,
        "enrolment": enrolment,
        "seats_left": session_seats_left(session),
        "is_open": session.status == TrainingSession.Status.SCHEDULED and session.ends_at > timezone.now(),
        "may_run": may_run,
        "sign_in_form": SignInForm() if can_sign_in_now(user, session) else None,
        "enrol_form": EnrolOtherForm(people=_people_to_enrol(user)) if may_enrol_others else None,
        "enrolments": session.enrolments.select_related("person") if may_run else None,
    }
    return render(request, "training/session_detail.html", context)


def _session_arguments(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "starts_at": data["starts_at"],
        "ends_at": data["ends_at"],
        "trainer": data["trainer"],
        "capacity": data["capacity"],
        "hours": data["hours"],
        "kind": data["kind"],
        "place": data["place"],
    }


@page_rule(can_manage_courses)
def session_create_view(request: HttpRequest) -> HttpResponse:
    """Schedule a session (of `?course=` when given)."""
    user = request_staff(request)
    initial: dict[str, Any] = {"trainer": user}
    course_id = int_param(request.GET.get("course", ""))
    if course_id is not None:
        initial["course"] = Course.objects.filter(pk=course_id).first()
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session = session_create(
                actor=user, course=form.cleaned_data["course"], **_session_arguments(form.cleaned_data)
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The session was scheduled."))
            return redirect("training:session_detail", session_id=session.pk)
    return render(request, "training/session_form.html", {"form": form, "session": None})


@page_rule(can_use_training)
def session_edit(request: HttpRequest, session_id: int) -> HttpResponse:
    """Change a session: its trainer or those who write courses."""
    user = request_staff(request)
    session = _session_or_404(session_id)
    page_require(can_run_session(user, session))
    form = SessionForm(request.POST or None, initial=SessionForm.initial_from(session), is_new=False)
    if request.method == "POST" and form.is_valid():
        try:
            session_update(actor=user, session=session, **_session_arguments(form.cleaned_data))
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The session was saved."))
            return redirect("training:session_detail", session_id=session.pk)
    return render(request, "training/session_form.html", {"form": form, "session": session})


def _refusal_raise(error: DomainError) -> None:
    """Answer a refusal of permission as page rules do (403, or 404 when hidden); others are shown."""
    if error.status == 404:
        raise Http404
    if error.status == 403:
        raise PermissionDenied(str(error.message))


def _back(session: TrainingSession) -> HttpResponse:
    return redirect("training:session_detail", session_id=session.pk)


@page_rule(can_use_training)
@require_POST
def session_cancel_view(request: HttpRequest, session_id: int) -> HttpResponse:
    user = request_staff(request)
    session = _session_or_404(session_id)
    page_require(can_run_session(user, session))
    try:
        session_cancel(actor=user, session=session)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The session was cancelled."))
    return _back(session)


def _person(request: HttpRequest, user: User) -> User | None:
    """The person named in the form (`person`), or None for the user himself (no `person` at all). A
    `person` that is not a staff id is not found (404): never read as "myself", which enrolled or unenrolled
    the actor in someone else's stead."""
    raw = request.POST.get("person", "")
    if not raw:
        return None
    pk = int_param(raw)
    if pk is None:
        raise Http404
    return None if pk == user.pk else get_object_or_404(User, pk=pk)


@page_rule(can_use_training)
@require_POST
def session_enrol_view(request: HttpRequest, session_id: int) -> HttpResponse:
    """Enrol oneself, or (a supervisor, a trainer) the person chosen."""
    user = request_staff(request)
    session = _session_or_404(session_id)
    person = _person(request, user)
    try:
        session_enrol(actor=user, session=session, person=person)
    except DomainError as error:
        _refusal_raise(error)
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("%(name)s was enrolled.") % {"name": person.display_name or person.username}
            if person
            else _("You are enrolled."),
        )
    return _back(session)


@page_rule(can_use_training)
@require_POST
def session_unenrol_view(request: HttpRequest, session_id: int) -> HttpResponse:
    user = request_staff(request)
    session = _session_or_404(session_id)
    try:
        session_unenrol(actor=user, session=session, person=_person(request, user))
    except DomainError as error:
        _refusal_raise(error)
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The enrolment was withdrawn."))
    return _back(session)


@page_rule(can_use_training)
def session_attendance(request: HttpRequest, session_id: int) -> HttpResponse:
    """The trainer's attendance sheet: a box per enrolled person (ticked: present; not: absent) and the
    sign-in code to show in the room."""
    user = request_staff(request)
    session = _session_or_404(session_id)
    page_require(can_run_session(user, session))
    enrolments = list(session.enrolments.select_related("person", "attendance_by"))
    if request.method == "POST":
        present = set(request.POST.getlist("present"))
        marks = {
            enrolment.person_id: (
                Enrolment.Attendance.PRESENT
                if str(enrolment.person_id) in present
                else Enrolment.Attendance.ABSENT
            )
            for enrolment in enrolments
        }
        try:
            attendance_take(actor=user, session=session, marks=marks)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Attendance was saved."))
            return redirect("training:session_attendance", session_id=session.pk)
    context = {
        "session": session,
        "enrolments": enrolments,
        "sign_in_open": sign_in_open(session),
        "present_count": sum(
            1 for enrolment in enrolments if enrolment.attendance == Enrolment.Attendance.PRESENT
        ),
    }
    return render(request, "training/session_attendance.html", context)


@page_rule(can_use_training)
@require_POST
def session_code_issue(request: HttpRequest, session_id: int) -> HttpResponse:
    user = request_staff(request)
    session = _session_or_404(session_id)
    page_require(can_run_session(user, session))
    try:
        session_sign_in_code_issue(actor=user, session=session)
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("training:session_attendance", session_id=session.pk)


@page_rule(can_use_training)
def session_sign_in_view(request: HttpRequest, session_id: int) -> HttpResponse:
    """The staff member's sign-in with the code the trainer shows."""
    user = request_staff(request)
    session = _session_or_404(session_id)
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            session_sign_in(actor=user, session=session, code=form.cleaned_data["code"])
        except DomainError as error:
            form_add_domain_error(form, error)
            status = error.status
        else:
            messages.success(request, _("You are signed in. Your attendance is recorded."))
            return _back(session)
    return render(request, "training/session_sign_in.html", {"session": session, "form": form}, status=status)
