"""REST endpoints of improvement at /api/v1/corrective-actions/.

Scoped like the desk: owners, openers and item owners see theirs, supervisors their teams', administrators
all; an action outside the caller's scope answers 404 like a missing one. Each request loads and authorises
the action once, then calls one service, whose refusals come out as {"code", "detail"}:
`improvement_closure_by_owner` (403), `invalid_transition` (or the code of the unmet condition, such as
`improvement_items_not_done`) and `conflict` (409).
"""

from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from charter.accounts.requests import request_user
from charter.cases.selectors import case_list_visible_to
from charter.common.api import (
    IF_MATCH,
    VERSION_REQUIRED,
    KnownParametersMixin,
    expected_version,
    list_response,
)
from charter.common.idempotency import idempotent
from charter.common.unset import UNSET
from charter.conduct.selectors import violation_get_visible
from charter.improvement import selectors
from charter.improvement.errors import ErrorCode
from charter.improvement.models import ActionItem, ActionStatus, CorrectiveAction, SourceKind
from charter.improvement.serializers import (
    ActionItemCompleteInputSerializer,
    ActionItemInputSerializer,
    ActionItemOutputSerializer,
    ActionTransitionInputSerializer,
    CorrectiveActionCreateInputSerializer,
    CorrectiveActionDetailOutputSerializer,
    CorrectiveActionListOutputSerializer,
    CorrectiveActionUpdateInputSerializer,
    EffectivenessCheckInputSerializer,
)
from charter.improvement.services import (
    action_item_add,
    action_item_complete,
    corrective_action_open,
    corrective_action_transition,
    corrective_action_update,
    effectiveness_check_record,
)

ERROR = OpenApiResponse(description='An error: `{"code": …, "detail": …}` (and `fields` for bad input).')
FORBIDDEN = OpenApiResponse(
    description="`improvement_manage_denied`, `improvement_open_denied`, or `improvement_closure_by_owner` "
    "(the owner never closes his own action)."
)
CONFLICT = OpenApiResponse(
    description="`invalid_transition` (the workflow does not allow it), `improvement_items_not_done` or "
    "`improvement_not_checked_effective` (a condition of the move is not met), or `conflict` "
    "(a stale `version`)."
)
ITEM_ID = OpenApiParameter("item_id", OpenApiTypes.INT, OpenApiParameter.PATH)
LIST_PARAMETERS = [
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        enum=["active", *ActionStatus.values],
        description="A status, or `active` for any not closed or cancelled.",
    ),
    OpenApiParameter("source_kind", OpenApiTypes.STR, enum=SourceKind.values),
    OpenApiParameter("overdue", OpenApiTypes.BOOL, description="Only actions with an overdue item."),
]


class CorrectiveActionViewSet(KnownParametersMixin, viewsets.GenericViewSet[CorrectiveAction]):
    """Corrective and preventive actions: list, read, open, change, move, items and the check."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = CorrectiveActionListOutputSerializer
    queryset = CorrectiveAction.objects.none()

    def _action(self, request: Request, pk: Any) -> CorrectiveAction:
        found = selectors.corrective_action_get_visible(user=request.user, pk=pk)
        if found is None:
            raise Http404
        return found

    def _detail(self, action: CorrectiveAction, code: int = status.HTTP_200_OK) -> Response:
        fresh = (
            CorrectiveAction.objects.select_related("owner", "team", "service", "opened_by")
            .prefetch_related("cases")
            .get(pk=action.pk)
        )
        context = {
            "items": list(selectors.action_item_list(action=fresh)),
            "checks": list(selectors.effectiveness_check_list(action=fresh)),
            "timeline": list(selectors.action_timeline(action=fresh)),
            "measure": selectors.complaint_cluster_measure(action=fresh, at=timezone.now()),
        }
        return Response(CorrectiveActionDetailOutputSerializer(fresh, context=context).data, status=code)

    @extend_schema(parameters=LIST_PARAMETERS, responses=CorrectiveActionListOutputSerializer(many=True))
    def list(self, request: Request) -> Response:
        """List the corrective actions in the caller's scope, newest first."""
        params = request.query_params
        source_kind = params.get("source_kind", "")
        status_filter = params.get("status", "")
        if source_kind and source_kind not in SourceKind.values:
            raise ValidationError({"source_kind": [_("Not a source.")]})
        if status_filter and status_filter not in ("active", *ActionStatus.values):
            raise ValidationError({"status": [_("Not a status.")]})
        actions = selectors.corrective_action_filter(
            selectors.corrective_action_list_visible_to(user=request.user),
            status=status_filter,
            source_kind=source_kind,
            is_overdue=params.get("overdue", "").lower() in {"1", "true", "yes"},
        )
        return list_response(self, actions, CorrectiveActionListOutputSerializer)

    @extend_schema(
        request=CorrectiveActionCreateInputSerializer,
        responses={201: CorrectiveActionDetailOutputSerializer, 400: ERROR, 403: FORBIDDEN},
        examples=[
            OpenApiExample(
                "From a cluster of complaints",
                request_only=True,
                value={
                    "kind": "corrective",
                    "title": "抄表错误引起的投诉",
                    "source_kind": "complaint_cluster",
                    "root_cause": "process",
                    "cases": [12, 15, 19],
                    "problem": "近三个月多起投诉反映抄表读数错误。",
                    "correction": "已为受影响客户重新核算水费。",
                    "cause_analysis": "抄表员未执行复核流程。",
                    "owner": 7,
                    "team": 2,
                    "check_after_days": 90,
                },
            )
        ],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        """Open a corrective action (supervisors, QA reviewers, administrators)."""
        user = request_user(request)
        serializer = CorrectiveActionCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        ids = set(data["cases"])
        cases = list(case_list_visible_to(user=user).filter(pk__in=ids))
        if len(cases) != len(ids):
            raise ValidationError({"cases": [_("A linked case does not exist or is not yours to see.")]})
        violation_pk = data["violation"]
        violation = None
        if violation_pk is not None:
            violation = violation_get_visible(user=user, pk=violation_pk)
            if violation is None:
                raise ValidationError(
                    {"violation": [_("The violation does not exist or is not yours to see.")]}
                )
        created = corrective_action_open(
            actor=user,
            cases=cases,
            violation=violation,
            kind=data["kind"],
            title=data["title"],
            source_kind=data["source_kind"],
            root_cause=data["root_cause"],
            service=data["service"],
            source_reference=data["source_reference"],
            problem=data["problem"],
            correction=data["correction"],
            cause_analysis=data["cause_analysis"],
            owner=data["owner"],
            team=data["team"],
            check_after_days=data["check_after_days"],
        )
        return self._detail(created, status.HTTP_201_CREATED)

    @extend_schema(responses={200: CorrectiveActionDetailOutputSerializer, 404: ERROR})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """Return an action with its items, checks, timeline and (for a complaint cluster) the measure."""
        return self._detail(self._action(request, pk))

    @extend_schema(
        parameters=[IF_MATCH],
        request=CorrectiveActionUpdateInputSerializer,
        responses={
            200: CorrectiveActionDetailOutputSerializer,
            400: ERROR,
            403: FORBIDDEN,
            404: ERROR,
            409: CONFLICT,
            428: VERSION_REQUIRED,
        },
        examples=[
            OpenApiExample(
                "Record the root cause analysis",
                request_only=True,
                value={"version": 2, "cause_analysis": "抄表员未执行复核流程；系统未提示异常读数。"},
            )
        ],
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Change the text, owner, team, source reference or waiting period of an active action."""
        found = self._action(request, pk)
        serializer = CorrectiveActionUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        updated = corrective_action_update(
            actor=request_user(request),
            action=found,
            expected_version=expected_version(request, data.get("version"), code=ErrorCode.VERSION_REQUIRED),
            kind=data.get("kind", UNSET),
            title=data.get("title", UNSET),
            problem=data.get("problem", UNSET),
            correction=data.get("correction", UNSET),
            cause_analysis=data.get("cause_analysis", UNSET),
            owner=data.get("owner", UNSET),
            team=data.get("team", UNSET),
            source_reference=data.get("source_reference", UNSET),
            check_after_days=data.get("check_after_days", UNSET),
        )
        return self._detail(updated)

    @extend_schema(
        parameters=[IF_MATCH],
        request=ActionTransitionInputSerializer,
        responses={
            200: CorrectiveActionDetailOutputSerializer,
            400: ERROR,
            403: FORBIDDEN,
            404: ERROR,
            409: CONFLICT,
            428: VERSION_REQUIRED,
        },
        examples=[
            OpenApiExample("Start work", request_only=True, value={"to": "in_progress", "version": 1}),
            OpenApiExample(
                "Close after an effective check", request_only=True, value={"to": "closed", "version": 4}
            ),
            OpenApiExample(
                "Closure by the owner",
                response_only=True,
                status_codes=["403"],
                value={
                    "code": "improvement_closure_by_owner",
                    "detail": (
                        "The owner cannot close his own corrective action: "
                        "someone who has never owned it must close it."
                    ),
                },
            ),
        ],
    )
    @action(detail=True, methods=["post"], url_path="transitions")
    def transitions(self, request: Request, pk: str | None = None) -> Response:
        """Move an action to another status, as the workflow allows."""
        found = self._action(request, pk)
        serializer = ActionTransitionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        moved = corrective_action_transition(
            actor=request_user(request),
            action=found,
            to_status=data["to"],
            note=data["note"],
            expected_version=expected_version(request, data.get("version"), code=ErrorCode.VERSION_REQUIRED),
        )
        return self._detail(moved)

    @extend_schema(methods=["GET"], responses={200: ActionItemOutputSerializer(many=True), 404: ERROR})
    @extend_schema(
        methods=["POST"],
        request=ActionItemInputSerializer,
        responses={201: ActionItemOutputSerializer, 400: ERROR, 403: FORBIDDEN, 404: ERROR, 409: CONFLICT},
        examples=[
            OpenApiExample(
                "An item",
                request_only=True,
                value={"description": "修订抄表复核流程并培训抄表员", "owner": 7, "due_on": "2026-04-30"},
            )
        ],
    )
    @action(detail=True, methods=["get", "post"], url_path="items")
    def items(self, request: Request, pk: str | None = None) -> Response:
        """List the action's items, or add one."""
        found = self._action(request, pk)
        if request.method == "GET":
            return Response(
                ActionItemOutputSerializer(selectors.action_item_list(action=found), many=True).data
            )
        serializer = ActionItemInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        item = action_item_add(
            actor=request_user(request),
            action=found,
            description=data["description"],
            owner=data["owner"],
            due_on=data["due_on"],
        )
        return Response(ActionItemOutputSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[ITEM_ID],
        request=ActionItemCompleteInputSerializer,
        responses={200: ActionItemOutputSerializer, 400: ERROR, 403: FORBIDDEN, 404: ERROR, 409: CONFLICT},
        examples=[OpenApiExample("Done", request_only=True, value={"note": "流程已修订，12 名抄表员已培训"})],
    )
    @action(detail=True, methods=["post"], url_path=r"items/(?P<item_id>\d+)/complete")
    def item_complete(self, request: Request, pk: str | None = None, item_id: str | None = None) -> Response:
        """Mark an item done (its owner, or a manager of the action); the last one starts the wait."""
        found = self._action(request, pk)
        item = ActionItem.objects.select_related("action").filter(pk=int(item_id or 0), action=found).first()
        if item is None:
            raise Http404
        serializer = ActionItemCompleteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = action_item_complete(
            actor=request_user(request), item=item, note=serializer.validated_data["note"]
        )
        return Response(ActionItemOutputSerializer(done).data)

    @extend_schema(
        parameters=[IF_MATCH],
        request=EffectivenessCheckInputSerializer,
        responses={
            200: CorrectiveActionDetailOutputSerializer,
            400: ERROR,
            403: FORBIDDEN,
            404: ERROR,
            409: CONFLICT,
            428: VERSION_REQUIRED,
        },
        examples=[
            OpenApiExample(
                "Effective",
                request_only=True,
                value={"verdict": "effective", "note": "投诉减半", "version": 5},
            ),
            OpenApiExample(
                "Not effective",
                request_only=True,
                value={"verdict": "ineffective", "note": "同类投诉未减少", "version": 5},
            ),
        ],
    )
    @action(detail=True, methods=["post"], url_path="check")
    def check(self, request: Request, pk: str | None = None) -> Response:
        """Record the effectiveness check once it is due; not effective reopens the action."""
        found = self._action(request, pk)
        serializer = EffectivenessCheckInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        effectiveness_check_record(
            actor=request_user(request),
            action=found,
            is_effective=data["verdict"] == "effective",
            note=data["note"],
            expected_version=expected_version(request, data.get("version"), code=ErrorCode.VERSION_REQUIRED),
        )
        return self._detail(found)


def router_register(router: BaseRouter) -> None:
    """Register this app's API resources."""
    router.register("corrective-actions", CorrectiveActionViewSet, basename="corrective-action")
