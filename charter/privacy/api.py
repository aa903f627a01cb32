"""REST endpoints of data-subject requests at /api/v1/privacy-requests/ (looked up by number).

Holders of privacy.manage_data_requests list, read, record, take, complete and refuse every request; a
customer's token lists and reads his own and makes new ones (his sign-in verifies his identity); anyone else
sees none, and a request outside the caller's scope answers 404 like a missing one. Each request loads and
authorises the row once, then calls one service, whose refusals come out as {"code", "detail"}:
`privacy_request_denied` (403), `privacy_request_closed` / `privacy_request_not_taken` (409) and the
input codes (400). Steps are guarded by the request's status under a row lock, so no `version` is needed.
"""

from typing import Any

from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from charter.accounts.models import Customer
from charter.accounts.requests import request_user
from charter.common.api import KnownParametersMixin, list_response
from charter.common.idempotency import idempotent
from charter.privacy import selectors
from charter.privacy.exports import export_download_response
from charter.privacy.models import DataSubjectRequest
from charter.privacy.permissions import can_manage_data_requests
from charter.privacy.requests import (
    data_request_complete,
    data_request_create,
    data_request_export_open,
    data_request_refuse,
    data_request_take,
)
from charter.privacy.serializers import (
    DataRequestCompleteInputSerializer,
    DataRequestCreateInputSerializer,
    DataRequestOutputSerializer,
    DataRequestRefuseInputSerializer,
)

ERROR = OpenApiResponse(description='An error: `{"code": …, "detail": …}` (and `fields` for bad input).')
FORBIDDEN = OpenApiResponse(description="`privacy_request_denied`: not a holder of manage_data_requests.")
CONFLICT = OpenApiResponse(
    description="`privacy_request_closed` (already answered or withdrawn) or `privacy_request_not_taken`."
)
NUMBER = OpenApiParameter(
    "number", OpenApiTypes.STR, OpenApiParameter.PATH, description="e.g. PR-2026-000001"
)
LIST_PARAMETERS = [
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        enum=["open", *DataSubjectRequest.Status.values],
        description="A status, or `open` for received or in progress.",
    ),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=DataSubjectRequest.Kind.values),
    OpenApiParameter("overdue", OpenApiTypes.BOOL, description="Only open requests past their deadline."),
]


class DataRequestViewSet(KnownParametersMixin, viewsets.GenericViewSet[DataSubjectRequest]):
    """Customers' data-subject requests: list, read, record, take, complete, refuse, export."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = DataRequestOutputSerializer
    queryset = DataSubjectRequest.objects.none()
    lookup_field = "number"
    lookup_value_regex = r"[A-Za-z0-9-]{1,20}"

    def _request(self, request: Request, number: Any) -> DataSubjectRequest:
        found = selectors.data_request_get_visible(user=request.user, number=str(number or ""))
        if found is None:
            raise Http404
        return found

    def _context(self, request: Request) -> dict[str, Any]:
        return {"request": request, "now": timezone.now()}

    def _detail(
        self, request: Request, found: DataSubjectRequest, code: int = status.HTTP_200_OK
    ) -> Response:
        fresh = DataSubjectRequest.objects.get(pk=found.pk)
        return Response(DataRequestOutputSerializer(fresh, context=self._context(request)).data, status=code)

    @extend_schema(parameters=LIST_PARAMETERS, responses=DataRequestOutputSerializer(many=True))
    def list(self, request: Request) -> Response:
        """List the requests the caller may see, newest first."""
        params = request.query_params
        status_filter, kind = params.get("status", ""), params.get("kind", "")
        if status_filter and status_filter not in ("open", *DataSubjectRequest.Status.values):
            raise ValidationError({"status": [_("Not a status.")]})
        if kind and kind not in DataSubjectRequest.Kind.values:
            raise ValidationError({"kind": [_("Not a kind of request.")]})
        requests = selectors.data_request_filter(
            selectors.data_request_list_visible_to(user=request.user),
            status=status_filter,
            kind=kind,
            is_overdue=params.get("overdue", "").lower() in {"1", "true", "yes"},
        )
        return list_response(self, requests, DataRequestOutputSerializer, self._context(request))

    @extend_schema(parameters=[NUMBER], responses={200: DataRequestOutputSerializer, 404: ERROR})
    def retrieve(self, request: Request, number: str | None = None) -> Response:
        """Return one request."""
        return self._detail(request, self._request(request, number))

    @extend_schema(
        request=DataRequestCreateInputSerializer,
        responses={201: DataRequestOutputSerializer, 400: ERROR, 403: FORBIDDEN},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        """Make a request: a customer his own; privacy staff one for the customer named, saying how his
        identity was verified."""
        user = request_user(request)
        serializer = DataRequestCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        own = getattr(user, "customer", None)
        if own is not None and not can_manage_data_requests(user):
            customer = own
        else:
            customer = Customer.objects.filter(pk=data["customer"]).first() if data["customer"] else None
            if customer is None:
                raise ValidationError({"customer": [_("Name the customer.")]})
        created = data_request_create(
            actor=user,
            customer=customer,
            kind=data["kind"],
            details=data["details"],
            channel=data["channel"],
            identity_verification=data["identity_verification"],
            http_request=request._request,
        )
        return self._detail(request, created, status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[NUMBER],
        request=None,
        responses={200: DataRequestOutputSerializer, 403: FORBIDDEN, 404: ERROR, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def take(self, request: Request, number: str | None = None) -> Response:
        """Become the handler of an open request (or take it over)."""
        found = data_request_take(actor=request_user(request), request=self._request(request, number))
        return self._detail(request, found)

    @extend_schema(
        parameters=[NUMBER],
        request=DataRequestCompleteInputSerializer,
        responses={200: DataRequestOutputSerializer, 400: ERROR, 403: FORBIDDEN, 404: ERROR, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, number: str | None = None) -> Response:
        """Complete a taken request: build the export, erase or restrict as it asks."""
        found = self._request(request, number)
        serializer = DataRequestCompleteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = data_request_complete(
            actor=request_user(request),
            request=found,
            outcome=serializer.validated_data["outcome"],
            http_request=request._request,
        )
        return self._detail(request, done)

    @extend_schema(
        parameters=[NUMBER],
        request=DataRequestRefuseInputSerializer,
        responses={200: DataRequestOutputSerializer, 400: ERROR, 403: FORBIDDEN, 404: ERROR, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, number: str | None = None) -> Response:
        """Refuse an open request, with the reason the customer reads."""
        found = self._request(request, number)
        serializer = DataRequestRefuseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = data_request_refuse(
            actor=request_user(request), request=found, reason=serializer.validated_data["reason"]
        )
        return self._detail(request, done)

    @extend_schema(
        parameters=[NUMBER],
        responses={(200, "application/zip"): OpenApiTypes.BINARY, 404: ERROR},
    )
    @action(detail=True, methods=["get"])
    def export(self, request: Request, number: str | None = None) -> FileResponse:
        """Download the export ZIP of an access request (audited)."""
        user = request_user(request)
        found = self._request(request, number)
        stored = data_request_export_open(actor=user, request=found, http_request=request._request)
        return export_download_response(stored, found.number)


def router_register(router: BaseRouter) -> None:
    """Register this app's API resources."""
    router.register("privacy-requests", DataRequestViewSet, basename="privacy-request")
