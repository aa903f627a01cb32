"""REST endpoints of the catalogue: the public charter for everyone, its editing for administrators.

- `services/`: list and retrieve by slug (the version in force, `?at=` for another moment), `versions/` for
  the published history; administrators create services, change their settings, open, edit, discard and
  publish drafts, and add, change and remove a draft's fees and commitments.
- `service-categories/`: list and retrieve; administrators create and change them.
"""

import datetime as dt
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from charter.accounts.models import User
from charter.catalog import selectors, services
from charter.catalog.models import Service, ServiceCategory, ServiceVersion
from charter.catalog.permissions import can_edit_catalog, can_publish_service_version, can_view_catalog_desk
from charter.catalog.serializers import (
    FeeItemInputSerializer,
    FeeItemOutputSerializer,
    ServiceAtQuerySerializer,
    ServiceCategoryInputSerializer,
    ServiceCategoryOutputSerializer,
    ServiceCategoryUpdateInputSerializer,
    ServiceCommitmentInputSerializer,
    ServiceCommitmentOutputSerializer,
    ServiceCreateInputSerializer,
    ServiceDeskOutputSerializer,
    ServiceListQuerySerializer,
    ServiceOutputSerializer,
    ServiceUpdateInputSerializer,
    ServiceVersionContentInputSerializer,
    ServiceVersionOutputSerializer,
    ServiceVersionPublishInputSerializer,
)
from charter.common.api import KnownParametersMixin, not_found_json
from charter.common.policy import Decision, require

FEE_ID = OpenApiParameter("fee_id", int, OpenApiParameter.PATH)
SLUG_OR_ID = OpenApiParameter(
    "slug",
    str,
    OpenApiParameter.PATH,
    description="The service's slug, or its id (a string of digits is read as a slug first, then as an id).",
)
SERVICE_EXAMPLE = {
    "id": 7,
    "slug": "water-connection",
    "name": "用水报装",
    "category": {
        "id": 2,
        "slug": "water",
        "name": "供水服务",
        "name_zh": "供水服务",
        "name_en": "Water supply",
        "description_zh": "",
        "description_en": "",
        "ordering": 1,
    },
    "org_unit": None,
    "ordering": 1,
    "version": {"number": 3, "status": "published", "name_zh": "用水报装", "name_en": "New water connection"},
}
COMMITMENT_ID = OpenApiParameter("commitment_id", int, OpenApiParameter.PATH)


_M = TypeVar("_M", bound=Model)


class _CatalogViewSet(KnownParametersMixin, viewsets.GenericViewSet[_M]):
    """Reads are public; each write checks the catalogue predicates itself, before loading anything."""

    permission_classes = [permissions.AllowAny]
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def _require(self, request: Request, decision: Decision) -> None:
        """Refuse unless `decision` allows: an anonymous caller is asked to sign in, anyone else gets the
        predicate's refusal and its code (403)."""
        if not request.user.is_authenticated:
            self.permission_denied(request)
        require(decision)

    def _editor(self, request: Request) -> User:
        self._require(request, can_edit_catalog(request.user))
        assert isinstance(request.user, User)  # noqa: S101 (checked above)
        return request.user


# Model, not Service: the list pages versions of services, while `queryset` names the service for the schema.
class ServiceViewSet(_CatalogViewSet[Model]):
    """The services of the public charter."""

    queryset = Service.objects.all()  # only names the model for the schema; every read goes through selectors
    serializer_class = ServiceOutputSerializer

    def _service(self, slug: str | None) -> Service:
        service = selectors.service_get(slug=slug or "")
        if service is None:
            raise Http404
        return service

    @staticmethod
    def _public_service(slug_or_id: str | None) -> Service | None:
        """The public service a path names by its slug or, failing that, by its id."""
        key = slug_or_id or ""
        service = selectors.service_get_public(slug=key)
        if service is None and key.isascii() and key.isdigit():
            slug = Service.objects.filter(pk=int(key)).values_list("slug", flat=True).first()
            service = selectors.service_get_public(slug=slug) if slug else None
        return service

    def _draft(self, service: Service) -> ServiceVersion:
        draft = selectors.service_draft_get(service=service)
        if draft is None:
            raise Http404
        return draft

    def _desk_response(self, service: Service, code: int = status.HTTP_200_OK) -> Response:
        context = {
            "version_in_force": selectors.service_version_in_force_with_content(
                service=service, at=timezone.now()
            ),
            "draft": selectors.service_draft_get(service=service),
        }
        return Response(ServiceDeskOutputSerializer(service, context=context).data, status=code)

    @extend_schema(
        parameters=[ServiceListQuerySerializer],
        responses=ServiceOutputSerializer(many=True),
        examples=[
            OpenApiExample(
                "The services in force (a version shortened)",
                response_only=True,
                value={"count": 1, "next": None, "previous": None, "results": [SERVICE_EXAMPLE]},
            )
        ],
    )
    def list(self, request: Request) -> Response:
        """The services in force (now, or `?at=`), in charter order; `?category=<slug>`, `?q=<keyword>`."""
        query = ServiceListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        at: dt.datetime = query.validated_data.get("at") or timezone.now()
        category_slug = query.validated_data.get("category") or ""
        category = selectors.service_category_get(slug=category_slug) if category_slug else None
        versions: QuerySet[ServiceVersion]
        if category_slug and category is None:
            versions = ServiceVersion.objects.none()
        else:
            versions = selectors.service_version_list_in_force(
                at=at,
                category=category,
                query=query.validated_data.get("q") or "",
                with_fees_and_commitments=True,
            )
        page = self.paginate_queryset(versions)
        return self.get_paginated_response(ServiceOutputSerializer(page, many=True).data)

    @extend_schema(
        parameters=[SLUG_OR_ID, ServiceAtQuerySerializer],
        responses=ServiceOutputSerializer,
        examples=[OpenApiExample("A service (its version shortened)", value=SERVICE_EXAMPLE)],
    )
    def retrieve(self, request: Request, slug: str | None = None) -> Response:
        """One service, by slug or id, with its version in force now (or at `?at=`); 404 when nothing is in
        force."""
        query = ServiceAtQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        service = self._public_service(slug)
        if service is None:
            return not_found_json()
        at = query.validated_data.get("at") or timezone.now()
        version = selectors.service_version_in_force_with_content(service=service, at=at)
        if version is None:
            return not_found_json()
        return Response(ServiceOutputSerializer(version).data)

    @extend_schema(request=ServiceCreateInputSerializer, responses={201: ServiceDeskOutputSerializer})
    def create(self, request: Request) -> Response:
        """Create a service and its first draft (administrators)."""
        user = self._editor(request)
        serializer = ServiceCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        service = services.service_create(
            actor=user,
            slug=data["slug"],
            category=data["category"],
            name_zh=data["name_zh"],
            name_en=data["name_en"],
            summary_zh=data["summary_zh"],
            summary_en=data["summary_en"],
            org_unit=data.get("org_unit"),
            ordering=data["ordering"],
        )
        return self._desk_response(service, status.HTTP_201_CREATED)

    @extend_schema(request=ServiceUpdateInputSerializer, responses=ServiceDeskOutputSerializer)
    def partial_update(self, request: Request, slug: str | None = None) -> Response:
        """Change a service's category, unit, ordering or listing (administrators)."""
        user = self._editor(request)
        service = self._service(slug)
        serializer = ServiceUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        settings = services.ServiceSettings.from_data(
            data, base=services.ServiceSettings.from_service(service)
        )
        services.service_update(actor=user, service=service, settings=settings)
        return self._desk_response(service)

    @extend_schema(parameters=[SLUG_OR_ID], responses=ServiceVersionOutputSerializer(many=True))
    @action(detail=True, methods=["get"])
    def versions(self, request: Request, slug: str | None = None) -> Response:
        """Every published version of the service (by slug or id), newest first, scheduled ones included."""
        service = self._public_service(slug)
        if service is None:
            return not_found_json()
        versions = selectors.service_version_list_published(service=service)
        return Response(ServiceVersionOutputSerializer(versions, many=True).data)

    @extend_schema(methods=["GET"], request=None, responses=ServiceVersionOutputSerializer)
    @extend_schema(methods=["POST"], request=None, responses={201: ServiceVersionOutputSerializer})
    @extend_schema(
        methods=["PATCH"],
        request=ServiceVersionContentInputSerializer,
        responses=ServiceVersionOutputSerializer,
    )
    @extend_schema(methods=["DELETE"], request=None, responses={204: None})
    @action(detail=True, methods=["get", "post", "patch", "delete"])
    def draft(self, request: Request, slug: str | None = None) -> Response:
        """The draft: staff read it; administrators open it, change its content or discard it."""
        if request.method == "GET":
            self._require(request, can_view_catalog_desk(request.user))
            return Response(ServiceVersionOutputSerializer(self._draft(self._service(slug))).data)
        user = self._editor(request)
        service = self._service(slug)
        if request.method == "POST":
            draft = services.service_version_draft_create(actor=user, service=service)
            draft = selectors.service_version_with_content(version=draft)
            return Response(ServiceVersionOutputSerializer(draft).data, status=status.HTTP_201_CREATED)
        draft = self._draft(service)
        if request.method == "DELETE":
            services.service_version_draft_discard(actor=user, version=draft)
            return Response(status=status.HTTP_204_NO_CONTENT)
        serializer = ServiceVersionContentInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # A field left out keeps its value.
        services.service_version_draft_update(
            actor=user, version=draft, content=services.VersionContent.from_data(data)
        )
        return Response(
            ServiceVersionOutputSerializer(selectors.service_version_with_content(version=draft)).data
        )

    @extend_schema(request=ServiceVersionPublishInputSerializer, responses=ServiceVersionOutputSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, slug: str | None = None) -> Response:
        """Publish the draft, in force from `effective_at` (administrators)."""
        self._require(request, can_publish_service_version(request.user))
        user = self._editor(request)
        draft = self._draft(self._service(slug))
        serializer = ServiceVersionPublishInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        version = services.service_version_publish(
            actor=user,
            version=draft,
            effective_at=data["effective_at"],
            change_note_zh=data["change_note_zh"],
            change_note_en=data["change_note_en"],
        )
        return Response(
            ServiceVersionOutputSerializer(selectors.service_version_with_content(version=version)).data
        )

    @extend_schema(request=FeeItemInputSerializer, responses={201: FeeItemOutputSerializer})
    @action(detail=True, methods=["post"], url_path="draft/fees")
    def draft_fees(self, request: Request, slug: str | None = None) -> Response:
        """Add a fee to the draft (administrators). `amount` is a string such as "12.50", never a float."""
        user = self._editor(request)
        draft = self._draft(self._service(slug))
        serializer = FeeItemInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        fee = services.fee_item_add(actor=user, version=draft, content=services.FeeContent.from_data(data))
        return Response(FeeItemOutputSerializer(fee).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["PATCH"],
        parameters=[FEE_ID],
        request=FeeItemInputSerializer,
        responses=FeeItemOutputSerializer,
    )
    @extend_schema(methods=["DELETE"], parameters=[FEE_ID], request=None, responses={204: None})
    @action(detail=True, methods=["patch", "delete"], url_path=r"draft/fees/(?P<fee_id>[0-9]+)")
    def draft_fee(self, request: Request, slug: str | None = None, fee_id: str = "") -> Response:
        """Change or remove a fee of the draft (administrators)."""
        user = self._editor(request)
        draft = self._draft(self._service(slug))
        fee = selectors.fee_item_get_in_draft(draft=draft, pk=int(fee_id))
        if fee is None:
            raise Http404
        if request.method == "DELETE":
            services.fee_item_delete(actor=user, fee=fee)
            return Response(status=status.HTTP_204_NO_CONTENT)
        serializer = FeeItemInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        fee = services.fee_item_update(
            actor=user,
            fee=fee,
            content=services.FeeContent.from_data(data, base=services.FeeContent.from_fee(fee)),
        )
        return Response(FeeItemOutputSerializer(fee).data)

    @extend_schema(
        request=ServiceCommitmentInputSerializer, responses={201: ServiceCommitmentOutputSerializer}
    )
    @action(detail=True, methods=["post"], url_path="draft/commitments")
    def draft_commitments(self, request: Request, slug: str | None = None) -> Response:
        """Add a commitment to the draft (administrators)."""
        user = self._editor(request)
        draft = self._draft(self._service(slug))
        serializer = ServiceCommitmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        item = services.service_commitment_add(
            actor=user, version=draft, content=services.CommitmentContent.from_data(data)
        )
        return Response(ServiceCommitmentOutputSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["PATCH"],
        parameters=[COMMITMENT_ID],
        request=ServiceCommitmentInputSerializer,
        responses=ServiceCommitmentOutputSerializer,
    )
    @extend_schema(methods=["DELETE"], parameters=[COMMITMENT_ID], request=None, responses={204: None})
    @action(detail=True, methods=["patch", "delete"], url_path=r"draft/commitments/(?P<commitment_id>[0-9]+)")
    def draft_commitment(
        self, request: Request, slug: str | None = None, commitment_id: str = ""
    ) -> Response:
        """Change or remove a commitment of the draft (administrators)."""
        user = self._editor(request)
        draft = self._draft(self._service(slug))
        item = selectors.service_commitment_get_in_draft(draft=draft, pk=int(commitment_id))
        if item is None:
            raise Http404
        if request.method == "DELETE":
            services.service_commitment_delete(actor=user, commitment=item)
            return Response(status=status.HTTP_204_NO_CONTENT)
        serializer = ServiceCommitmentInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        item = services.service_commitment_update(
            actor=user,
            commitment=item,
            content=services.CommitmentContent.from_data(
                data, base=services.CommitmentContent.from_commitment(item)
            ),
        )
        return Response(ServiceCommitmentOutputSerializer(item).data)


class ServiceCategoryViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, _CatalogViewSet[ServiceCategory]
):
    """The categories of the charter, in display order."""

    serializer_class = ServiceCategoryOutputSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[ServiceCategory]:
        return selectors.service_category_list()

    @extend_schema(request=ServiceCategoryInputSerializer, responses={201: ServiceCategoryOutputSerializer})
    def create(self, request: Request) -> Response:
        """Create a category (administrators)."""
        user = self._editor(request)
        serializer = ServiceCategoryInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        category = services.service_category_create(
            actor=user, slug=data["slug"], content=services.CategoryContent.from_data(data)
        )
        return Response(ServiceCategoryOutputSerializer(category).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ServiceCategoryUpdateInputSerializer, responses=ServiceCategoryOutputSerializer)
    def partial_update(self, request: Request, slug: str | None = None) -> Response:
        """Rename or reorder a category (administrators); its slug never changes."""
        user = self._editor(request)
        category = selectors.service_category_get(slug=slug or "")
        if category is None:
            raise Http404
        serializer = ServiceCategoryUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        category = services.service_category_update(
            actor=user,
            category=category,
            content=services.CategoryContent.from_data(
                data, base=services.CategoryContent.from_category(category)
            ),
        )
        return Response(ServiceCategoryOutputSerializer(category).data)


def router_register(router: BaseRouter) -> None:
    """Register this app's API resources."""
    router.register("services", ServiceViewSet, basename="service")
    router.register("service-categories", ServiceCategoryViewSet, basename="service-category")
