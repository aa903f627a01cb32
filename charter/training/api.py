"""REST endpoints of training at /api/v1/training/: courses, assignments, quiz attempts, certificates and the
public verification of a certificate.

Scoped exactly like the desk, through the same predicates, selectors and services: every member of staff
(`can_use_training`) reads the active courses' published versions, drafts only those who write courses
(`can_manage_courses`); an assignment, attempt or certificate is visible to its person, the supervisors of his
teams and holders of `view_training_records` (`can_view_records_of`, `assignment_list_visible_to`,
`attempt_get_visible`); anything else answers 404 like a missing row. Answering and submitting are the taker's
alone (`can_answer_attempt`: 404 for anyone else).

While an attempt is in progress nobody is shown a correct answer; once submitted its taker sees what the
quiz's review setting shows (passed or not; the score; the correct answers and explanations), graders and
course writers see the answers, his supervisor whether he passed and his score: one rule,
`charter.training.quizzes.attempt_review`, for this API and the result page.

Every write calls one service: `assignment_create` (201, or 200 with the row that already existed),
`assignment_waive`, `attempt_start`, `attempt_answer` (with the attempt's `version`, a stale one answers 409
`conflict`), `attempt_submit`, `course_create`. Refusals come out as {"code", "detail"}: the predicates'
`training_…` codes (403), the services' checks of input (400, with `fields`), `training_attempt_submitted` and
`training_time_up` (409).

`GET /api/v1/training/verify/<code>/` needs no sign-in: it answers what the public page /verify/<code>/ shows
(valid, expired or revoked; the name as printed, the course, the number, the dates) and nothing else, and
counts lookups per address against the same budget as that page.
"""

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from charter.accounts.models import User
from charter.accounts.requests import request_user
from charter.common.api import KnownParametersMixin, list_response
from charter.common.errors import NotFoundError
from charter.common.http import client_ip, id_or_404
from charter.common.models import localized
from charter.common.policy import require
from charter.common.throttle import throttle_hit
from charter.common.versioning import VersionStatus
from charter.training.assignments import assignment_create, assignment_waive
from charter.training.certificates import certificate_pdf
from charter.training.courses import course_create
from charter.training.models import (
    Assignment,
    Attempt,
    AttemptItem,
    Certificate,
    Course,
    CourseVersion,
    Quiz,
)
from charter.training.permissions import (
    can_answer_attempt,
    can_assign_courses,
    can_assign_to,
    can_manage_courses,
    can_use_training,
    can_view_certificate,
    can_view_course_version,
    can_view_records_of,
)
from charter.training.quizzes import (
    attempt_answer,
    attempt_get_visible,
    attempt_items,
    attempt_list_of,
    attempt_review,
    attempt_start,
    attempt_submit,
    attempts_left,
)
from charter.training.selectors import assignment_list_visible_to, certificate_status
from charter.training.serializers import (
    AssignmentStatusField,
    TrainingAnswerInputSerializer,
    TrainingAnswerOutputSerializer,
    TrainingAssignmentCreateInputSerializer,
    TrainingAssignmentOutputSerializer,
    TrainingAttemptOutputSerializer,
    TrainingCertificateOutputSerializer,
    TrainingCourseCreateInputSerializer,
    TrainingCourseDetailOutputSerializer,
    TrainingCourseListOutputSerializer,
    TrainingQuizDetailOutputSerializer,
    TrainingVerificationOutputSerializer,
    TrainingWaiveInputSerializer,
)
from charter.training.views_certificates import HOUR, VERIFY_MAX_PER_HOUR, certificate_state

ERROR = OpenApiResponse(description='An error: `{"code": …, "detail": …}` (and `fields` for bad input).')
NOT_FOUND = OpenApiResponse(description="`not_found`: missing, or outside the caller's scope.")
FORBIDDEN = OpenApiResponse(
    description="The predicate's refusal: `training_staff_only`, `training_manage_denied`, "
    "`training_assign_denied` or `training_self_waive`."
)
CLOSED = OpenApiResponse(
    description="`training_attempt_submitted` (the attempt was submitted, by you or when its time ran out), "
    "`training_time_up` (the server's deadline has passed: answers are no longer accepted), "
    "`training_attempt_busy` (an attempt was started a moment ago) or `conflict` (the `version` sent is "
    "stale: reload the attempt and answer again)."
)
NO_COURSE = _("No such course.")
# The source of an assignment ordered through the API: the course version it asks for, so that ordering the
# same course for the same person twice (a retried request) returns the first assignment.
ORDER_SOURCE = "training.version"


def _require_staff(request: Request) -> User:
    """The caller, once `can_use_training` lets him into training at all (else 403)."""
    user = request_user(request)
    require(can_use_training(user))
    return user


def _valid(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _query(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    """The list's filters from the query string, checked for shape (400 `invalid` with `fields`)."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return {key: value for key, value in serializer.validated_data.items() if value not in (None, "")}


def _person_scope(user: User, person_id: int | None) -> None:
    """Refuse (404, hidden) a `?person=` the caller may not read the records of."""
    if person_id is not None:
        require(can_view_records_of(user, person_id))


# Courses ------------------------------------------------------------------------------------------------


def _versions_by_course(courses: list[Course], *, with_drafts: bool) -> dict[tuple[int, str], CourseVersion]:
    """The published version (and the draft, for those who write courses) of each course, in one query."""
    wanted = [VersionStatus.PUBLISHED, VersionStatus.DRAFT] if with_drafts else [VersionStatus.PUBLISHED]
    versions = CourseVersion.objects.filter(course__in=courses, status__in=wanted)
    return {(version.course_id, str(version.status)): version for version in versions}


class CourseViewSet(KnownParametersMixin, viewsets.GenericViewSet[Course]):
    """Courses as staff read them (the published version: summary, clauses taught, lessons, what completing
    takes, the quiz's rules); those who write courses also see inactive courses and drafts, and may create
    a course. Versions, lessons and publication are written on the desk pages (/desk/training/courses/)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = TrainingCourseListOutputSerializer
    queryset = Course.objects.none()

    def _visible(self, user: User) -> QuerySet[Course]:
        courses = Course.objects.select_related("qualification").order_by("code")
        if can_manage_courses(user):
            return courses
        return courses.filter(is_active=True, versions__status=VersionStatus.PUBLISHED).distinct()

    @extend_schema(responses={200: TrainingCourseListOutputSerializer(many=True), 403: ERROR})
    def list(self, request: Request) -> Response:
        """List the courses: active ones with a published version (every course, with its draft, for those
        who write courses)."""
        user = _require_staff(request)
        courses = self._visible(user)
        page = self.paginate_queryset(courses)
        rows = page if page is not None else list(courses)
        context = {"versions": _versions_by_course(rows, with_drafts=bool(can_manage_courses(user)))}
        data = TrainingCourseListOutputSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(responses={200: TrainingCourseDetailOutputSerializer, 403: ERROR, 404: NOT_FOUND})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """Return a course with its published version in full (and its draft for those who write courses)."""
        user = _require_staff(request)
        course = self._visible(user).filter(pk=id_or_404(pk)).first()
        if course is None:
            raise Http404
        found = _versions_by_course([course], with_drafts=True)
        versions: dict[tuple[int, str], CourseVersion] = {}
        for key, version in found.items():
            if can_view_course_version(user, version):
                versions[key] = (
                    CourseVersion.objects.filter(pk=version.pk)
                    .prefetch_related("lessons__files", "clauses__version__document")
                    .get()
                )
        return Response(TrainingCourseDetailOutputSerializer(course, context={"versions": versions}).data)

    @extend_schema(
        request=TrainingCourseCreateInputSerializer,
        responses={201: TrainingCourseDetailOutputSerializer, 400: ERROR, 403: FORBIDDEN},
        examples=[
            OpenApiExample(
                "A course",
                request_only=True,
                value={
                    "code": "hotline-etiquette",
                    "title_zh": "热线接听礼仪",
                    "title_en": "Hotline etiquette",
                },
            )
        ],
    )
    def create(self, request: Request) -> Response:
        """Create a course without versions (those who write courses); its first draft, lessons and
        publication are written on the desk pages."""
        user = _require_staff(request)
        data = _valid(TrainingCourseCreateInputSerializer, request)
        course = course_create(
            actor=user, code=data["code"], title_zh=data["title_zh"], title_en=data["title_en"]
        )
        return Response(
            TrainingCourseDetailOutputSerializer(course, context={"versions": {}}).data,
            status=status.HTTP_201_CREATED,
        )


# Assignments --------------------------------------------------------------------------------------------


class AssignmentQuerySerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField(
        required=False, min_value=1, help_text="Someone whose records you may read (404 otherwise)."
    )
    status = AssignmentStatusField(required=False)
    overdue = serializers.BooleanField(required=False, default=False, help_text="Only open ones past due.")


class AssignmentViewSet(KnownParametersMixin, viewsets.GenericViewSet[Assignment]):
    """Training assignments: list, read, assign a course to a person, waive."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = TrainingAssignmentOutputSerializer
    queryset = Assignment.objects.none()

    def _assignment(self, request: Request, pk: Any) -> Assignment:
        # Outside the caller's scope is 404, like a missing row, as the pages answer.
        found = assignment_list_visible_to(user=request_user(request)).filter(pk=id_or_404(pk)).first()
        if found is None:
            raise Http404
        return found

    @extend_schema(
        parameters=[AssignmentQuerySerializer],
        responses={
            200: TrainingAssignmentOutputSerializer(many=True),
            400: ERROR,
            403: ERROR,
            404: NOT_FOUND,
        },
    )
    def list(self, request: Request) -> Response:
        """List the caller's own assignments, or with `?person=` those of someone whose records he may read
        (himself, the people of the teams he leads, anyone for holders of `view_training_records`), by due
        date; `?status=` and `?overdue=true` narrow it."""
        user = _require_staff(request)
        filters = _query(AssignmentQuerySerializer, request)
        person_id = filters.get("person", user.pk)
        _person_scope(user, person_id)
        found = assignment_list_visible_to(
            user=user,
            status=filters.get("status"),
            person_id=person_id,
            overdue_only=bool(filters.get("overdue")),
        )
        return list_response(self, found, TrainingAssignmentOutputSerializer)

    @extend_schema(responses={200: TrainingAssignmentOutputSerializer, 403: ERROR, 404: NOT_FOUND})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """Return an assignment: the course, the person, the due date, why and from what, its status."""
        _require_staff(request)
        return Response(TrainingAssignmentOutputSerializer(self._assignment(request, pk)).data)

    @extend_schema(
        request=TrainingAssignmentCreateInputSerializer,
        responses={
            201: TrainingAssignmentOutputSerializer,
            200: OpenApiResponse(
                TrainingAssignmentOutputSerializer,
                description="The person already had this course ordered for its published version: that "
                "assignment, unchanged.",
            ),
            400: ERROR,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        examples=[
            OpenApiExample(
                "Assign a course",
                request_only=True,
                value={"person": 12, "course": 3, "due_on": "2026-06-30", "reason_text": "三月投诉较多。"},
            ),
            OpenApiExample(
                "Not one who assigns courses",
                response_only=True,
                status_codes=["403"],
                value={"code": "training_assign_denied", "detail": "您无权指派课程。"},
            ),
        ],
    )
    def create(self, request: Request) -> Response:
        """Assign a course to a person by a date (holders of `assign_course` to anyone, a supervisor to the
        people of the teams he leads; anyone else he names is not found, 404, like an unknown id). Ordering
        the same course for the same person again while the same version is published answers 200 with the
        assignment made the first time."""
        user = _require_staff(request)
        data = _valid(TrainingAssignmentCreateInputSerializer, request)
        require(can_assign_courses(user))
        person = User.objects.filter(pk=data["person"]).first()
        # Someone the caller may not assign to answers as an unknown id does (404): otherwise a supervisor
        # could tell existing staff ids (403) from unused ones (400).
        if person is None or not can_assign_to(user, person):
            raise Http404
        course = Course.objects.filter(pk=data["course"]).first()
        if course is None:
            raise exceptions.ValidationError({"course": [exceptions.ErrorDetail(str(NO_COURSE), "invalid")]})
        version = CourseVersion.objects.published().filter(course=course).first()
        assignment, created = assignment_create(
            actor=user,
            person=person,
            course=course,
            due_on=data["due_on"],
            reason=Assignment.Reason.ORDERED,
            source_type=ORDER_SOURCE,
            source_id=version.pk if version is not None else 0,
            reason_text=data["reason_text"],
        )
        fresh = Assignment.objects.select_related("course", "person").get(pk=assignment.pk)
        return Response(
            TrainingAssignmentOutputSerializer(fresh).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        request=TrainingWaiveInputSerializer,
        responses={200: TrainingAssignmentOutputSerializer, 400: ERROR, 403: FORBIDDEN, 404: NOT_FOUND},
        examples=[OpenApiExample("Waive", request_only=True, value={"reason": "已在外单位取得同等证书。"})],
    )
    @action(detail=True, methods=["post"])
    def waive(self, request: Request, pk: str | None = None) -> Response:
        """Let the person off an open assignment, saying why (whoever may assign to him, never he himself);
        `training_assignment_not_open` (400) once it is completed or waived."""
        user = _require_staff(request)
        found = self._assignment(request, pk)
        data = _valid(TrainingWaiveInputSerializer, request)
        assignment_waive(actor=user, assignment=found, reason=data["reason"])
        return Response(TrainingAssignmentOutputSerializer(self._assignment(request, pk)).data)


# Attempts -----------------------------------------------------------------------------------------------


def _item_data(item: AttemptItem, *, show_answers: bool) -> dict[str, Any]:
    question = item.question
    options = item.shown_options  # type: ignore[attr-defined]
    return {
        "question_version": question.pk,
        "ordering": item.ordering,
        "kind": question.kind,
        "text": localized(question, "text"),
        "points": question.points,
        "options": [{"id": option.pk, "text": localized(option, "text")} for option in options],
        "chosen": list(item.chosen),
        "answer_text": item.text,
        "answered_at": item.answered_at,
        "correct": [option.pk for option in options if option.is_correct] if show_answers else None,
        "points_awarded": item.points if show_answers else None,
        "explanation": localized(question, "explanation") if show_answers else None,
        "comment": item.comment if show_answers else None,
    }


def attempt_data(attempt: Attempt, reader: User) -> dict[str, Any]:
    """What `reader` may see of `attempt`: the questions without their answers while it is in progress;
    afterwards as much of the result as `charter.training.quizzes.attempt_review` allows him (the rule the
    result page follows too)."""
    in_progress = attempt.status == Attempt.Status.IN_PROGRESS
    review = attempt_review(user=reader, attempt=attempt)
    show_score = review.shows_score
    show_answers = review.shows_answers
    items = attempt_items(attempt) if in_progress or show_answers else []
    course = attempt.quiz.version.course
    return {
        "id": attempt.pk,
        "quiz": attempt.quiz_id,
        "course": course,
        "person": attempt.person,
        "number": attempt.number,
        "status": attempt.status,
        "version": attempt.lock_version,
        "started_at": attempt.started_at,
        "deadline_at": attempt.deadline_at,
        "submitted_at": attempt.submitted_at,
        "timed_out": attempt.timed_out,
        "passed": attempt.passed,
        "score": attempt.score if show_score else None,
        "max_score": attempt.max_score if show_score else None,
        "percent": attempt.percent if show_score else None,
        "items": [_item_data(item, show_answers=show_answers) for item in items],
    }


def _attempt_response(attempt_pk: int, reader: User, code: int = status.HTTP_200_OK) -> Response:
    attempt = Attempt.objects.select_related("quiz__version__course", "person").get(pk=attempt_pk)
    return Response(TrainingAttemptOutputSerializer(attempt_data(attempt, reader)).data, status=code)


def _attempt_brief(attempt: Attempt, reader: User) -> dict[str, Any]:
    """One of the taker's own attempts in a list: the percent only when `attempt_review` shows the score."""
    show_score = attempt_review(user=reader, attempt=attempt).shows_score
    return {
        "id": attempt.pk,
        "number": attempt.number,
        "status": attempt.status,
        "started_at": attempt.started_at,
        "deadline_at": attempt.deadline_at,
        "submitted_at": attempt.submitted_at,
        "passed": attempt.passed,
        "percent": attempt.percent if show_score else None,
    }


class QuizViewSet(KnownParametersMixin, viewsets.GenericViewSet[Quiz]):
    """A quiz's rules with the caller's attempts, and starting an attempt."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = TrainingAttemptOutputSerializer
    queryset = Quiz.objects.none()

    @extend_schema(responses={200: TrainingQuizDetailOutputSerializer, 403: ERROR, 404: NOT_FOUND})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """Return a quiz's rules (questions drawn, pass mark, attempts allowed and left, time limit, what is
        shown after submitting) and the caller's attempts at it; a draft's quiz only to those who write
        courses."""
        user = _require_staff(request)
        quiz = (
            Quiz.objects.select_related("version__course")
            .prefetch_related("draws")
            .filter(pk=id_or_404(pk))
            .first()
        )
        if quiz is None or not can_view_course_version(user, quiz.version):
            raise Http404
        attempts = attempt_list_of(person=user, quiz=quiz)
        for attempt in attempts:
            attempt.quiz = quiz
        body = {
            "id": quiz.pk,
            "course": quiz.version.course,
            "course_version": quiz.version.number,
            "pass_mark": quiz.pass_mark,
            "attempts_allowed": quiz.attempts_allowed,
            "attempts_left": attempts_left(person=user, quiz=quiz),
            "time_limit_minutes": quiz.time_limit_minutes,
            "review": quiz.review,
            "question_count": sum(draw.count for draw in quiz.draws.all()),
            "attempts": [_attempt_brief(attempt, user) for attempt in attempts],
        }
        return Response(TrainingQuizDetailOutputSerializer(body).data)

    @extend_schema(
        request=None,
        responses={
            201: TrainingAttemptOutputSerializer,
            200: OpenApiResponse(
                TrainingAttemptOutputSerializer, description="Your attempt still under way, resumed."
            ),
            400: OpenApiResponse(
                description="`training_quiz_not_open`, `training_attempts_used_up` or "
                "`training_quiz_short_of_questions`."
            ),
            403: ERROR,
            404: NOT_FOUND,
            409: CLOSED,
        },
    )
    @action(detail=True, methods=["post"])
    def attempts(self, request: Request, pk: str | None = None) -> Response:
        """Start an attempt: the questions are drawn at random and their options shuffled, the deadline is
        fixed by the server's clock; an attempt still under way is returned instead (200)."""
        user = _require_staff(request)
        quiz = Quiz.objects.select_related("version").filter(pk=id_or_404(pk)).first()
        if quiz is None or not can_view_course_version(user, quiz.version):
            raise Http404
        under_way = set(
            Attempt.objects.filter(quiz=quiz, person=user, status=Attempt.Status.IN_PROGRESS).values_list(
                "pk", flat=True
            )
        )
        attempt = attempt_start(actor=user, quiz=quiz)
        code = status.HTTP_200_OK if attempt.pk in under_way else status.HTTP_201_CREATED
        return _attempt_response(attempt.pk, user, code)


class AttemptViewSet(KnownParametersMixin, viewsets.GenericViewSet[Attempt]):
    """A quiz attempt: read it, answer its questions one at a time, submit it."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = TrainingAttemptOutputSerializer
    queryset = Attempt.objects.none()

    def _taker_attempt(self, request: Request, pk: Any) -> Attempt:
        """The attempt when the caller is its taker; 404 for anyone else and for a forged id."""
        attempt = Attempt.objects.select_related("quiz__version__course").filter(pk=id_or_404(pk)).first()
        if attempt is None or not can_answer_attempt(request_user(request), attempt):
            raise Http404
        return attempt

    @extend_schema(responses={200: TrainingAttemptOutputSerializer, 403: ERROR, 404: NOT_FOUND})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """Return an attempt: while in progress the questions drawn, in order, with their options in the
        order shown and the answers given, never the correct ones; once submitted the result as the quiz's
        review setting shows it to the taker (everything to graders and those who read his records)."""
        user = _require_staff(request)
        try:
            attempt = attempt_get_visible(user=user, pk=id_or_404(pk))
        except NotFoundError:
            raise Http404 from None
        return _attempt_response(attempt.pk, user)

    @extend_schema(
        request=TrainingAnswerInputSerializer,
        responses={
            200: TrainingAnswerOutputSerializer,
            400: OpenApiResponse(
                description="`training_question_not_drawn` (not a question of this attempt) or "
                "`training_answer_invalid` (not its options, one option for single choice or true or false, "
                "text for a short answer), with `fields`."
            ),
            404: NOT_FOUND,
            409: CLOSED,
        },
        examples=[
            OpenApiExample(
                "A choice", request_only=True, value={"question_version": 41, "chosen": [170], "version": 3}
            ),
            OpenApiExample(
                "A short answer",
                request_only=True,
                value={"question_version": 44, "text": "先致歉，再说明处理时限。", "version": 4},
            ),
            OpenApiExample(
                "Time is up",
                response_only=True,
                status_codes=["409"],
                value={
                    "code": "training_time_up",
                    "detail": "考试时间已到，不再接受作答。已作答的内容会保留。",
                },
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def answers(self, request: Request, pk: str | None = None) -> Response:
        """Save the answer to one question at once, as given (replacing an earlier answer to it): the
        options chosen for a choice question, the text of a short answer. Only the taker, while the attempt
        is in progress and before the server's deadline."""
        user = _require_staff(request)
        attempt = self._taker_attempt(request, pk)
        data = _valid(TrainingAnswerInputSerializer, request)
        item = attempt_answer(
            actor=user,
            attempt=attempt,
            question_version_id=data["question_version"],
            chosen=data["chosen"],
            text=data["text"],
            expected_version=data["version"],
        )
        version = Attempt.objects.filter(pk=attempt.pk).values_list("lock_version", flat=True).get()
        body = {
            "question_version": item.question_id,
            "chosen": list(item.chosen),
            "answer_text": item.text,
            "answered_at": item.answered_at,
            "version": version,
        }
        return Response(TrainingAnswerOutputSerializer(body).data)

    @extend_schema(
        request=None,
        responses={200: TrainingAttemptOutputSerializer, 404: NOT_FOUND, 409: CLOSED},
        examples=[
            OpenApiExample(
                "Submitted twice",
                response_only=True,
                status_codes=["409"],
                value={"code": "training_attempt_submitted", "detail": "本次考试已交卷。"},
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Submit the attempt with what was answered: choice questions are graded at once, short answers
        wait for a grader. Once only (`training_attempt_submitted`, 409, the second time or after the time
        ran out and the server submitted it). Needs no `version`: the submission claims the attempt once."""
        user = _require_staff(request)
        attempt = self._taker_attempt(request, pk)
        submitted = attempt_submit(actor=user, attempt=attempt)
        return _attempt_response(submitted.pk, user)


# Certificates -------------------------------------------------------------------------------------------


class CertificateQuerySerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField(
        required=False, min_value=1, help_text="Someone whose records you may read (404 otherwise)."
    )


def _statuses(certificates: list[Certificate]) -> dict[int, str]:
    today = timezone.localdate()
    return {
        certificate.pk: str(
            certificate_status(certificate, today=today, notice_days=certificate.course.renewal_notice_days)
        )
        for certificate in certificates
    }


class CertificateViewSet(KnownParametersMixin, viewsets.GenericViewSet[Certificate]):
    """Certificates: a person's list, one certificate, its PDF."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = TrainingCertificateOutputSerializer
    queryset = Certificate.objects.none()

    def _certificate(self, request: Request, pk: Any) -> Certificate:
        found = (
            Certificate.objects.select_related("course", "version", "person").filter(pk=id_or_404(pk)).first()
        )
        if found is None or not can_view_certificate(request_user(request), found):
            raise Http404
        return found

    @extend_schema(
        parameters=[CertificateQuerySerializer],
        responses={
            200: TrainingCertificateOutputSerializer(many=True),
            400: ERROR,
            403: ERROR,
            404: NOT_FOUND,
        },
    )
    def list(self, request: Request) -> Response:
        """List the caller's certificates, or with `?person=` those of someone whose records he may read:
        valid, expiring, expired and revoked, the newest first."""
        user = _require_staff(request)
        filters = _query(CertificateQuerySerializer, request)
        person_id = filters.get("person", user.pk)
        _person_scope(user, person_id)
        found = Certificate.objects.filter(person_id=person_id).select_related("course", "version", "person")
        page = self.paginate_queryset(found)
        rows = page if page is not None else list(found)
        data = TrainingCertificateOutputSerializer(
            rows, many=True, context={"statuses": _statuses(rows)}
        ).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(responses={200: TrainingCertificateOutputSerializer, 403: ERROR, 404: NOT_FOUND})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """Return a certificate: number, holder, course, dates, status and verification code."""
        _require_staff(request)
        certificate = self._certificate(request, pk)
        context = {"statuses": _statuses([certificate])}
        return Response(TrainingCertificateOutputSerializer(certificate, context=context).data)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, 403: ERROR, 404: NOT_FOUND})
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The certificate as a PDF in the caller's language."""
        _require_staff(request)
        certificate = self._certificate(request, pk)
        response = HttpResponse(
            certificate_pdf(certificate, get_language() or settings.LANGUAGE_CODE),
            content_type="application/pdf",
        )
        response["Content-Disposition"] = f'attachment; filename="{certificate.number}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response


def _verify_allowed(request: Request) -> bool:
    """Count the lookup against the address's budget, shared with the public page /verify/<code>/."""
    limit = int(getattr(settings, "CHARTER_VERIFY_MAX_PER_HOUR", VERIFY_MAX_PER_HOUR))
    return throttle_hit(f"certificate-verify:{client_ip(request._request)}", window_seconds=HOUR) <= limit


VERIFY_CODE = OpenApiParameter(
    "code", OpenApiTypes.STR, OpenApiParameter.PATH, description="The verification code printed on it."
)


class VerificationViewSet(KnownParametersMixin, viewsets.GenericViewSet[Certificate]):
    """The public check of a printed certificate (no sign-in)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list[Any] = []
    serializer_class = TrainingVerificationOutputSerializer
    queryset = Certificate.objects.none()
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9_-]{1,64}"

    @extend_schema(
        auth=[],
        parameters=[VERIFY_CODE],
        responses={
            200: TrainingVerificationOutputSerializer,
            404: NOT_FOUND,
            429: OpenApiResponse(description="`throttled`: too many lookups from this address; try later."),
        },
        examples=[
            OpenApiExample(
                "A valid certificate",
                response_only=True,
                value={
                    "state": "valid",
                    "holder_name": "李明",
                    "course_title": "文明服务规范",
                    "course_version": 2,
                    "number": "TC-2026-000123",
                    "issued_on": "2026-03-02",
                    "expires_on": "2027-03-02",
                },
            )
        ],
    )
    def retrieve(self, request: Request, code: str | None = None) -> Response:
        """Say whether the certificate with this verification code is valid, expired or revoked, with what
        it prints (the name as printed, the course, the number, the dates) and nothing else; 404 for an
        unknown code; 429 once the address made too many lookups."""
        if not _verify_allowed(request):
            raise exceptions.Throttled()
        certificate = (
            Certificate.objects.select_related("course", "version")
            .filter(verification_code=(code or "")[:32])
            .first()
        )
        if certificate is None:
            raise Http404
        body = {
            "state": certificate_state(certificate),
            "holder_name": certificate.holder_name,
            "course_title": localized(certificate.course, "title"),
            "course_version": certificate.version.number,
            "number": certificate.number,
            "issued_on": certificate.issued_on,
            "expires_on": certificate.expires_on,
        }
        return Response(TrainingVerificationOutputSerializer(body).data)


def router_register(router: BaseRouter) -> None:
    """Register this app's API resources."""
    router.register("training/courses", CourseViewSet, basename="training-course")
    router.register("training/assignments", AssignmentViewSet, basename="training-assignment")
    router.register("training/quizzes", QuizViewSet, basename="training-quiz")
    router.register("training/attempts", AttemptViewSet, basename="training-attempt")
    router.register("training/certificates", CertificateViewSet, basename="training-certificate")
    router.register("training/verify", VerificationViewSet, basename="training-verify")
