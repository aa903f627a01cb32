"""REST endpoints of surveys: questionnaires, invitations, responses, results and the follow-up of unhappy
customers (recovery tasks), with the permissions of their pages.

- `surveys/`: the questionnaires with their versions and questions, for those who configure surveys or read
  results (`can_manage_surveys`, `can_view_results`); anyone else 403.
- `survey-invitations/`, `survey-responses/`, `survey-results/`: results have their own permission
  (`can_view_results`: seeing a case does not mean seeing its rating), within the reader's teams
  (`result_team_ids_for`), as the results page; an invitation or response outside them answers 404. An
  invitation never shows its link or its customer.
- `recovery-tasks/`: those who follow up unhappy customers (`can_view_recovery_tasks`), each task as
  `recovery_task_list_visible_to` and `can_view_recovery` allow (404 outside); recording the follow-up and
  the 好差评 steps go through `recovery_update` and the review services, with the version read (428 without
  it, 409 when stale).
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from charter.accounts.requests import request_user
from charter.common.api import (
    IF_MATCH,
    VERSION_REQUIRED,
    KnownParametersMixin,
    expected_version,
    list_response,
)
from charter.common.http import id_or_404
from charter.common.pagination import CursorOrPagePagination
from charter.common.policy import Refusal, require
from charter.surveys import analysis
from charter.surveys.errors import ErrorCode
from charter.surveys.models import (
    Answer,
    Invitation,
    Question,
    RecoveryTask,
    ReviewAppeal,
    Survey,
    SurveyVersion,
)
from charter.surveys.models import Response as SurveyResponse
from charter.surveys.permissions import (
    can_decide_review_appeal,
    can_manage_surveys,
    can_rectify_review,
    can_revisit_review,
    can_verify_review,
    can_view_recovery,
    can_view_recovery_tasks,
    can_view_results,
    can_work_recovery,
)
from charter.surveys.responses import recovery_update
from charter.surveys.reviews import review_appeal_decide, review_rectify, review_revisit, review_verify
from charter.surveys.selectors import recovery_task_list_visible_to, result_team_ids_for
from charter.surveys.serializers import (
    AppealDecideInputSerializer,
    InvitationOutputSerializer,
    RecoveryTaskDetailOutputSerializer,
    RecoveryTaskListOutputSerializer,
    RecoveryUpdateInputSerializer,
    ResponseOutputSerializer,
    ResultsOutputSerializer,
    ReviewRectifyInputSerializer,
    ReviewRevisitInputSerializer,
    ReviewVerifyInputSerializer,
    SurveyOutputSerializer,
)
from charter.surveys.views_results import DEFAULT_DAYS, ResultFilterForm
from charter.surveys.workflow import APPEAL_WORKFLOW, RECOVERY_WORKFLOW, REVIEW_WORKFLOW

ERROR = OpenApiResponse(description='An error: `{"code": …, "detail": …}` (and `fields` for bad input).')
RESULTS_DENIED = OpenApiResponse(description="`survey_results_denied`: you may not see survey results.")
RECOVERY_DENIED = OpenApiResponse(
    description="`survey_recovery_denied` or `survey_review_denied`: you may not work on this follow-up."
)
CONFLICT = OpenApiResponse(
    description="`invalid_transition` (the workflow does not allow it) or `conflict` (a stale `version`)."
)

# What every step of a follow-up answers (follow-up, verify, rectify, revisit).
STEP_RESPONSES: dict[int, Any] = {
    200: RecoveryTaskDetailOutputSerializer,
    400: ERROR,
    403: RECOVERY_DENIED,
    404: ERROR,
    409: CONFLICT,
    428: VERSION_REQUIRED,
}

RESULT_FILTERS = [
    OpenApiParameter(
        "date_from", OpenApiTypes.DATE, description="The first day, in the caller's time zone (included)."
    ),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="The last day (included)."),
    OpenApiParameter("service", OpenApiTypes.INT, description="A service id."),
    OpenApiParameter("team", OpenApiTypes.INT, description="A team id within your scope."),
    OpenApiParameter(
        "agent", OpenApiTypes.INT, description="A member of staff the answers are attributed to."
    ),
    OpenApiParameter("channel", OpenApiTypes.STR, description="A channel code, e.g. `web`."),
    OpenApiParameter("kind", OpenApiTypes.STR, description="A kind of case, e.g. `complaint`."),
]
PERIOD = OpenApiParameter(
    "period", OpenApiTypes.STR, enum=["week", "month"], description="The trend's buckets (default week)."
)


def _result_filter(request: Request, *, default_days: int | None) -> analysis.ResultFilter:
    """The filters of the query string, checked by the results page's form (a team or agent outside the
    reader's scope is not a choice: 400); the last `default_days` days when no date is given (None: all)."""
    team_ids = result_team_ids_for(user=request.user)
    given = QueryDict(mutable=True)
    for name in ("date_from", "date_to", "service", "team", "agent", "channel", "kind", "period"):
        if name in request.query_params:
            given[name] = request.query_params[name]
    if default_days is not None and "date_from" not in given and "date_to" not in given:
        today = timezone.localdate()
        given["date_from"] = (today - dt.timedelta(days=default_days - 1)).isoformat()
        given["date_to"] = today.isoformat()
    form = ResultFilterForm(given, team_ids=team_ids)
    if not form.is_valid():
        raise ValidationError(
            {field: [str(error) for error in errors] for field, errors in form.errors.items()}
        )
    data = form.cleaned_data
    return analysis.ResultFilter(
        tz=timezone.get_current_timezone(),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        service_id=data.get("service"),
        team_id=data.get("team"),
        agent_id=data.get("agent"),
        channel=data.get("channel") or "",
        kind=data.get("kind") or "",
        team_ids=team_ids,
    )


# Questionnaires ------------------------------------------------------------------------------------------


class SurveyViewSet(KnownParametersMixin, viewsets.GenericViewSet[Survey]):
    """The questionnaires: each survey with its versions (published, superseded, draft) and questions."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = SurveyOutputSerializer
    queryset = Survey.objects.none()

    def _surveys(self, request: Request) -> QuerySet[Survey]:
        user = request_user(request)
        if not can_manage_surveys(user):
            require(can_view_results(user))
        questions = Prefetch("questions", queryset=Question.objects.order_by("ordering", "pk"))
        versions = Prefetch(
            "versions", queryset=SurveyVersion.objects.order_by("-number").prefetch_related(questions)
        )
        return Survey.objects.prefetch_related(versions).order_by("code")

    @extend_schema(responses={200: SurveyOutputSerializer(many=True), 403: RESULTS_DENIED})
    def list(self, request: Request) -> Response:
        """List the surveys with their versions and questions (configurers and results readers)."""
        return list_response(self, self._surveys(request), SurveyOutputSerializer)

    @extend_schema(responses={200: SurveyOutputSerializer, 403: RESULTS_DENIED, 404: ERROR})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """Return a survey with its versions and questions."""
        found = self._surveys(request).filter(pk=id_or_404(pk)).first()
        if found is None:
            raise Http404
        return Response(SurveyOutputSerializer(found).data)


# Invitations ---------------------------------------------------------------------------------------------


def _invitations_visible(request: Request) -> QuerySet[Invitation]:
    """The invitations whose case is in the reader's teams (every one, and those of campaigns, for those who
    see every team's results); 403 for those who may not see results."""
    user = request_user(request)
    require(can_view_results(user))
    invitations = Invitation.objects.select_related("version__survey", "case").defer("token", "case__title")
    team_ids = result_team_ids_for(user=user)
    if team_ids is not None:
        invitations = invitations.filter(case__team_id__in=team_ids)
    return invitations


INVITATION_FILTERS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=Invitation.Status.values),
    OpenApiParameter("survey", OpenApiTypes.STR, description="A survey's code."),
    OpenApiParameter("case", OpenApiTypes.INT, description="A case's id."),
]


class InvitationViewSet(KnownParametersMixin, viewsets.GenericViewSet[Invitation]):
    """Invitations to answer a survey: when they were sent, reminded, answered or why they were not sent."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = InvitationOutputSerializer
    queryset = Invitation.objects.none()

    @extend_schema(
        parameters=INVITATION_FILTERS,
        responses={200: InvitationOutputSerializer(many=True), 400: ERROR, 403: RESULTS_DENIED},
    )
    def list(self, request: Request) -> Response:
        """List the invitations of the reader's teams, newest first."""
        invitations = _invitations_visible(request)
        params = request.query_params
        if params.get("status"):
            if params["status"] not in Invitation.Status.values:
                raise ValidationError({"status": [_("Not a status.")]})
            invitations = invitations.filter(status=params["status"])
        if params.get("survey"):
            invitations = invitations.filter(version__survey__code=params["survey"])
        if params.get("case"):
            invitations = invitations.filter(case_id=_query_int(params["case"], "case"))
        return list_response(self, invitations.order_by("-created_at", "-pk"), InvitationOutputSerializer)

    @extend_schema(responses={200: InvitationOutputSerializer, 403: RESULTS_DENIED, 404: ERROR})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """Return an invitation (never its link)."""
        found = _invitations_visible(request).filter(pk=id_or_404(pk)).first()
        if found is None:
            raise Http404
        return Response(InvitationOutputSerializer(found).data)


def _query_int(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValidationError({name: [_("A whole number is required.")]}) from None


# Responses -----------------------------------------------------------------------------------------------


def _with_answers(responses: QuerySet[SurveyResponse]) -> QuerySet[SurveyResponse]:
    answers = Prefetch(
        "answers", queryset=Answer.objects.select_related("question").order_by("question__ordering")
    )
    return responses.select_related("version__survey").prefetch_related("agents", answers)


class ResponseViewSet(KnownParametersMixin, viewsets.GenericViewSet[SurveyResponse]):
    """Customers' answers, each with who and what it is about as it was when it arrived. A large list:
    `?cursor=` (empty for the first page, then `next`) pages it newest first without a count."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ResponseOutputSerializer
    queryset = SurveyResponse.objects.none()
    pagination_class = CursorOrPagePagination

    def cursor_ordering(self, request: Request) -> Sequence[str]:
        """Cursor pages go back in time by the moment of the answer (the id breaks ties); neither changes."""
        return ("-submitted_at", "-pk")

    @extend_schema(
        parameters=RESULT_FILTERS,
        responses={200: ResponseOutputSerializer(many=True), 400: ERROR, 403: RESULTS_DENIED},
    )
    def list(self, request: Request) -> Response:
        """List the responses of the reader's teams matching the filters, newest first."""
        require(can_view_results(request_user(request)))
        filters = _result_filter(request, default_days=None)
        responses = _with_answers(analysis.response_list(filters)).order_by("-submitted_at", "-pk")
        return list_response(self, responses, ResponseOutputSerializer)

    @extend_schema(responses={200: ResponseOutputSerializer, 403: RESULTS_DENIED, 404: ERROR})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """Return a response with its answers."""
        user = request_user(request)
        require(can_view_results(user))
        scope = analysis.ResultFilter(
            tz=timezone.get_current_timezone(), team_ids=result_team_ids_for(user=user)
        )
        found = _with_answers(analysis.response_list(scope)).filter(pk=id_or_404(pk)).first()
        if found is None:
            raise Http404
        return Response(ResponseOutputSerializer(found).data)


# Results -------------------------------------------------------------------------------------------------


class ResultsViewSet(KnownParametersMixin, viewsets.ViewSet):
    """The figures of the results page: CSAT, NPS, CES, the response rate, a trend and the breakdowns."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[*RESULT_FILTERS, PERIOD],
        responses={200: ResultsOutputSerializer, 400: ERROR, 403: RESULTS_DENIED},
        examples=[
            OpenApiExample(
                "The last 90 days",
                response_only=True,
                value={
                    "date_from": "2026-09-08",
                    "date_to": "2026-12-06",
                    "scores": {
                        "responses": 412,
                        "csat": {
                            "value": 0.8617,
                            "n": 405,
                            "low": 0.8251,
                            "high": 0.8916,
                            "is_small_sample": False,
                        },
                        "nps": {"value": 41.5, "n": 398, "low": 34.2, "high": 48.8, "is_small_sample": False},
                        "ces": {"value": 5.62, "n": 120, "low": 5.41, "high": 5.83, "is_small_sample": False},
                    },
                    "response_rate": {
                        "value": 0.3125,
                        "n": 1318,
                        "low": 0.2878,
                        "high": 0.3383,
                        "is_small_sample": False,
                    },
                    "trend": [],
                    "breakdowns": {"service": [], "team": [], "agent": [], "channel": [], "kind": []},
                },
            )
        ],
    )
    def list(self, request: Request) -> Response:
        """Return the results of the reader's teams for the filters (the last 90 days by default)."""
        require(can_view_results(request_user(request)))
        filters = _result_filter(request, default_days=DEFAULT_DAYS)
        period = request.query_params.get("period", "week")
        if period not in ("week", "month"):
            raise ValidationError({"period": [_("Choose week or month.")]})
        dashboard = analysis.results_dashboard(filters, with_themes=False)
        body = {
            "date_from": filters.date_from,
            "date_to": filters.date_to,
            "scores": dashboard.overview.scores,
            "response_rate": dashboard.overview.response_rate,
            "trend": dashboard.weekly if period == "week" else dashboard.monthly,
            "breakdowns": dashboard.breakdowns,
        }
        return Response(ResultsOutputSerializer(body).data)


# Recovery tasks ------------------------------------------------------------------------------------------

RECOVERY_SHOW = OpenApiParameter(
    "show",
    OpenApiTypes.STR,
    enum=["open", "all", "rectify_overdue"],
    description="`open` (the default, as on the page): still to be done; `all`; `rectify_overdue`: bad "
    "reviews whose rectification is late.",
)
_REVIEW_STEPS = {"verify": can_verify_review, "rectify": can_rectify_review, "revisit": can_revisit_review}


class RecoveryTaskViewSet(KnownParametersMixin, viewsets.GenericViewSet[RecoveryTask]):
    """Following up unhappy customers: the list, a task with the customer's answers, recording the follow-up
    and the 好差评 steps (verify, rectify, revisit) of a bad review."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = RecoveryTaskListOutputSerializer
    queryset = RecoveryTask.objects.none()

    def _task(self, request: Request, pk: Any) -> RecoveryTask:
        user = request_user(request)
        found = recovery_task_list_visible_to(user=user).filter(pk=id_or_404(pk)).first()
        if found is None:
            raise Http404
        require(can_view_recovery(user, found))
        return found

    def _detail(self, request: Request, task: RecoveryTask) -> Response:
        user = request_user(request)
        fresh = (
            recovery_task_list_visible_to(user=user)
            .prefetch_related(
                Prefetch(
                    "response__answers",
                    queryset=Answer.objects.select_related("question").order_by("question__ordering"),
                )
            )
            .get(pk=task.pk)
        )
        may_work = can_work_recovery(user, fresh)
        appeal = ReviewAppeal.objects.filter(task=fresh).first()
        may_decide = appeal is not None and bool(can_decide_review_appeal(user, appeal))
        if isinstance(may_work, Refusal) and not may_decide:
            # As the page: those who see the follow-up but may neither work on it nor decide its appeal do not
            # read the customer's answers.
            raise may_work.error()
        context = {
            "allowed_statuses": RECOVERY_WORKFLOW.allowed_next(fresh) if may_work else [],
            "review_steps": [
                name
                for name, predicate in _REVIEW_STEPS.items()
                if REVIEW_WORKFLOW.can_take(fresh, name=name) and predicate(user, fresh)
            ]
            + (["decide"] if may_decide and appeal and not APPEAL_WORKFLOW.is_final(appeal) else []),
            "appeal": appeal,
        }
        return Response(RecoveryTaskDetailOutputSerializer(fresh, context=context).data)

    @extend_schema(
        parameters=[RECOVERY_SHOW],
        responses={200: RecoveryTaskListOutputSerializer(many=True), 400: ERROR, 403: RECOVERY_DENIED},
    )
    def list(self, request: Request) -> Response:
        """List the follow-ups the caller owns or leads the team of, by status and due time."""
        user = request_user(request)
        require(can_view_recovery_tasks(user))
        show = request.query_params.get("show", "open")
        if show not in ("open", "all", "rectify_overdue"):
            raise ValidationError({"show": [_("Choose open, all or rectify_overdue.")]})
        now = timezone.now()
        tasks = recovery_task_list_visible_to(
            user=user,
            is_open_only=show == "open",
            rectification_overdue_at=now if show == "rectify_overdue" else None,
        )
        return list_response(self, tasks.order_by("status", "due_at", "pk"), RecoveryTaskListOutputSerializer)

    @extend_schema(responses={200: RecoveryTaskDetailOutputSerializer, 403: RECOVERY_DENIED, 404: ERROR})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """Return a follow-up with the customer's answers and what the caller may record now."""
        return self._detail(request, self._task(request, pk))

    def _version(self, request: Request, value: int | None) -> int:
        return expected_version(request, value, code=ErrorCode.VERSION_REQUIRED)

    @extend_schema(
        parameters=[IF_MATCH],
        request=RecoveryUpdateInputSerializer,
        responses=STEP_RESPONSES,
        examples=[
            OpenApiExample(
                "The customer was called back",
                request_only=True,
                value={
                    "status": "resolved",
                    "outcome": "已致电客户，重新核算水费",
                    "new_score": 4,
                    "version": 1,
                },
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="updates")
    def updates(self, request: Request, pk: str | None = None) -> Response:
        """Record the follow-up: contacted, resolved (with the customer's new score) or closed without contact
        (a reason required), as the workflow allows."""
        task = self._task(request, pk)
        serializer = RecoveryUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        recovery_update(
            actor=request_user(request),
            task=task,
            expected_version=self._version(request, data.get("version")),
            status=data["status"],
            outcome=data["outcome"],
            new_score=data["new_score"],
        )
        return self._detail(request, task)

    @extend_schema(
        parameters=[IF_MATCH],
        request=ReviewVerifyInputSerializer,
        responses=STEP_RESPONSES,
        examples=[
            OpenApiExample(
                "Valid", request_only=True, value={"outcome": "valid", "evidence": "录音属实", "version": 2}
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="verify")
    def verify(self, request: Request, pk: str | None = None) -> Response:
        """Verify a bad review (好差评): valid, partly valid, or not valid (evidence required)."""
        task = self._task(request, pk)
        serializer = ReviewVerifyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        review_verify(
            actor=request_user(request),
            task=task,
            expected_version=self._version(request, data.get("version")),
            outcome=data["outcome"],
            evidence=data["evidence"],
        )
        return self._detail(request, task)

    @extend_schema(
        parameters=[IF_MATCH],
        request=ReviewRectifyInputSerializer,
        responses=STEP_RESPONSES,
        examples=[
            OpenApiExample("Rectified", request_only=True, value={"note": "已对经办人进行辅导", "version": 3})
        ],
    )
    @action(detail=True, methods=["post"], url_path="rectify")
    def rectify(self, request: Request, pk: str | None = None) -> Response:
        """Record the rectification of a valid bad review."""
        task = self._task(request, pk)
        serializer = ReviewRectifyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        review_rectify(
            actor=request_user(request),
            task=task,
            expected_version=self._version(request, data.get("version")),
            note=data["note"],
        )
        return self._detail(request, task)

    @extend_schema(
        parameters=[IF_MATCH],
        request=ReviewRevisitInputSerializer,
        responses=STEP_RESPONSES,
        examples=[
            OpenApiExample(
                "Revisited",
                request_only=True,
                value={"result": "satisfied", "note": "客户表示认可", "version": 4},
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="revisit")
    def revisit(self, request: Request, pk: str | None = None) -> Response:
        """Record the revisit of the reviewer, which closes the 好差评 loop."""
        task = self._task(request, pk)
        serializer = ReviewRevisitInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        review_revisit(
            actor=request_user(request),
            task=task,
            expected_version=self._version(request, data.get("version")),
            result=data["result"],
            note=data["note"],
        )
        return self._detail(request, task)

    @extend_schema(
        parameters=[IF_MATCH],
        request=AppealDecideInputSerializer,
        responses={
            200: RecoveryTaskDetailOutputSerializer,
            400: ERROR,
            403: OpenApiResponse(
                description="`survey_appeal_decide_denied`: decided by someone independent."
            ),
            404: ERROR,
            409: CONFLICT,
            428: VERSION_REQUIRED,
        },
        examples=[
            OpenApiExample(
                "Upheld",
                request_only=True,
                value={"decision": "upheld", "reason": "录音显示服务人员已按规定答复", "version": 1},
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="decide")
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """Decide the appeal against the bad review (upheld: it counts in no staff indicator), with the
        appeal's version; only someone independent of the appellant, his supervisors and the verifier."""
        task = self._task(request, pk)
        appeal = ReviewAppeal.objects.filter(task=task).first()
        if appeal is None:
            raise Http404
        serializer = AppealDecideInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        review_appeal_decide(
            actor=request_user(request),
            appeal=appeal,
            expected_version=self._version(request, data.get("version")),
            decision=data["decision"],
            reason=data["reason"],
        )
        return self._detail(request, task)


def router_register(router: BaseRouter) -> None:
    """Register this app's API resources."""
    router.register("surveys", SurveyViewSet, basename="survey")
    router.register("survey-invitations", InvitationViewSet, basename="survey-invitation")
    router.register("survey-responses", ResponseViewSet, basename="survey-response")
    router.register("survey-results", ResultsViewSet, basename="survey-results")
    router.register("recovery-tasks", RecoveryTaskViewSet, basename="recovery-task")
