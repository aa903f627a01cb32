"""REST endpoints of audit: read-only events for holders of audit.view_audit_trail."""

from collections.abc import Sequence

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from charter.audit.models import AuditEvent
from charter.audit.permissions import can_view_audit_trail
from charter.audit.selectors import audit_event_list
from charter.common.api import KnownParametersMixin
from charter.common.pagination import CursorOrPagePagination
from charter.common.policy import require

FILTERS = [
    OpenApiParameter("action", OpenApiTypes.STR, description="An action's code or its start (`case.`)."),
    OpenApiParameter("target_type", OpenApiTypes.STR, description="The kind of object acted on (`case`)."),
    OpenApiParameter("target_id", OpenApiTypes.STR, description="The id of the object acted on."),
]


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    class Meta:
        model = AuditEvent
        fields = [
            "sequence",
            "occurred_at",
            "actor",
            "actor_label",
            "action",
            "target_type",
            "target_id",
            "target_repr",
            "data",
            "ip_address",
            "previous_hash",
            "hash",
        ]


class CanViewAuditTrail(permissions.BasePermission):
    """Let through whom `can_view_audit_trail` allows; refuse anyone else signed in with its code (403)."""

    def has_permission(self, request: Request, view: object) -> bool:
        if not request.user.is_authenticated:
            return False  # DRF asks him to sign in first
        require(can_view_audit_trail(request.user))
        return True


class AuditEventViewSet(KnownParametersMixin, viewsets.ReadOnlyModelViewSet[AuditEvent]):
    """The audit trail newest first; filter by ?action= (a code or its start), ?target_type=, ?target_id=.
    A large list: `?cursor=` pages it by sequence, newest first."""

    serializer_class = AuditEventSerializer
    permission_classes = [permissions.IsAuthenticated, CanViewAuditTrail]
    pagination_class = CursorOrPagePagination
    lookup_field = "sequence"

    def cursor_ordering(self, request: Request) -> Sequence[str]:
        """Cursor pages follow the chain backwards: the sequence is unique and never changes."""
        return ("-sequence",)

    @extend_schema(parameters=FILTERS)
    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The audit events newest first, filtered."""
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[AuditEvent]:
        params = self.request.query_params
        return audit_event_list(
            action_prefix=params.get("action", ""),
            target_type=params.get("target_type", ""),
            target_id=params.get("target_id", ""),
        )


def router_register(router: BaseRouter) -> None:
    router.register("audit-events", AuditEventViewSet, basename="audit-event")
