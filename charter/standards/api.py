"""REST endpoints of the standards at /api/v1/standards/.

Documents and their published versions are public policy: anyone may read them. Administrators write drafts
and publish them; staff acknowledge versions of the code of conduct; supervisors and administrators see who
has. Every write goes through the services, whose refusals come out as {"code", "detail"}.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from charter.accounts.models import Team, User
from charter.common.api import KnownParametersMixin, list_response
from charter.common.http import int_param
from charter.common.policy import Decision, require
from charter.standards.models import (
    StandardAcknowledgement,
    StandardClause,
    StandardDocument,
    StandardVersion,
)
from charter.standards.permissions import (
    can_acknowledge_standards,
    can_edit_standards,
    can_view_acknowledgement_report,
)
from charter.standards.selectors import (
    acknowledgement_report_team_list,
    acknowledgement_report_user_list,
    standard_clause_list,
    standard_document_list,
    standard_version_in_force,
    standard_version_list_awaiting_acknowledgement,
    standard_version_list_visible_to,
)
from charter.standards.services import (
    ClauseContent,
    standard_clause_add,
    standard_clause_delete,
    standard_clause_update,
    standard_document_create,
    standard_version_acknowledge,
    standard_version_draft_create,
    standard_version_draft_discard,
    standard_version_draft_update,
    standard_version_publish,
)

# Output -------------------------------------------------------------------------------------------------


class ClauseOutputSerializer(serializers.ModelSerializer[StandardClause]):
    promises: "serializers.PrimaryKeyRelatedField[StandardClause]" = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = StandardClause
        fields = [
            "id",
            "number",
            "title_zh",
            "title_en",
            "text_zh",
            "text_en",
            "conditions_zh",
            "conditions_en",
            "complaint_route_zh",
            "complaint_route_en",
            "measure_zh",
            "measure_en",
            "category",
            "is_disciplinary",
            "reference",
            "promises",
        ]


@extend_schema_field({"type": "string", "description": "`draft` or `published`."})
class VersionStatusField(serializers.CharField):
    """The version's status; a plain string in the schema, since other apps' `status` enums differ."""


class VersionSummaryOutputSerializer(serializers.ModelSerializer[StandardVersion]):
    status = VersionStatusField(read_only=True)
    supersedes = serializers.SerializerMethodField()

    class Meta:
        model = StandardVersion
        fields = [
            "number",
            "status",
            "effective_at",
            "published_at",
            "supersedes",
            "change_summary_zh",
            "change_summary_en",
        ]

    def get_supersedes(self, version: StandardVersion) -> int | None:
        """The number of the version this one superseded."""
        return version.supersedes.number if version.supersedes is not None else None


class VersionOutputSerializer(VersionSummaryOutputSerializer):
    clauses = serializers.SerializerMethodField()

    class Meta(VersionSummaryOutputSerializer.Meta):
        fields = [*VersionSummaryOutputSerializer.Meta.fields, "preamble_zh", "preamble_en", "clauses"]

    @extend_schema_field(ClauseOutputSerializer(many=True))
    def get_clauses(self, version: StandardVersion) -> list[dict[str, Any]]:
        return list(ClauseOutputSerializer(standard_clause_list(version=version), many=True).data)


class DocumentOutputSerializer(serializers.ModelSerializer[StandardDocument]):
    version_in_force = serializers.SerializerMethodField()

    class Meta:
        model = StandardDocument
        fields = [
            "id",
            "code",
            "kind",
            "title_zh",
            "title_en",
            "description_zh",
            "description_en",
            "version_in_force",
        ]

    @extend_schema_field(VersionOutputSerializer(allow_null=True))
    def get_version_in_force(self, document: StandardDocument) -> dict[str, Any] | None:
        version = standard_version_in_force(document=document, at=timezone.now())
        return dict(VersionOutputSerializer(version).data) if version is not None else None


class AcknowledgementOutputSerializer(serializers.ModelSerializer[StandardAcknowledgement]):
    document = serializers.IntegerField(source="version.document_id")
    version = serializers.IntegerField(source="version.number")

    class Meta:
        model = StandardAcknowledgement
        fields = ["document", "version", "user", "acknowledged_at"]


class AwaitingOutputSerializer(serializers.ModelSerializer[StandardVersion]):
    document = serializers.IntegerField(source="document_id")

    class Meta:
        model = StandardVersion
        fields = ["document", "number", "effective_at"]


class ReportRowOutputSerializer(serializers.ModelSerializer[User]):
    acknowledged_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "acknowledged_at"]


# Input --------------------------------------------------------------------------------------------------


class DocumentInputSerializer(serializers.Serializer[Any]):
    code = serializers.SlugField(max_length=50)
    kind = serializers.ChoiceField(choices=StandardDocument.Kind.choices)
    title_zh = serializers.CharField(max_length=200)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description_zh = serializers.CharField(required=False, allow_blank=True, default="")
    description_en = serializers.CharField(required=False, allow_blank=True, default="")


class DraftInputSerializer(serializers.Serializer[Any]):
    preamble_zh = serializers.CharField(required=False, allow_blank=True)
    preamble_en = serializers.CharField(required=False, allow_blank=True)
    change_summary_zh = serializers.CharField(required=False, allow_blank=True)
    change_summary_en = serializers.CharField(required=False, allow_blank=True)


class ClauseInputSerializer(serializers.Serializer[Any]):
    number = serializers.CharField(max_length=60)
    text_zh = serializers.CharField()
    text_en = serializers.CharField(required=False, allow_blank=True)
    title_zh = serializers.CharField(max_length=200, required=False, allow_blank=True)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    reference = serializers.CharField(max_length=200, required=False, allow_blank=True)
    conditions_zh = serializers.CharField(required=False, allow_blank=True)
    conditions_en = serializers.CharField(required=False, allow_blank=True)
    complaint_route_zh = serializers.CharField(required=False, allow_blank=True)
    complaint_route_en = serializers.CharField(required=False, allow_blank=True)
    measure_zh = serializers.CharField(required=False, allow_blank=True)
    measure_en = serializers.CharField(required=False, allow_blank=True)
    category = serializers.ChoiceField(
        choices=StandardClause.Category.choices, required=False, allow_blank=True
    )
    is_disciplinary = serializers.BooleanField(required=False)
    promises: "serializers.PrimaryKeyRelatedField[StandardClause]" = serializers.PrimaryKeyRelatedField(
        many=True, queryset=StandardClause.objects.all(), required=False
    )


class PublishInputSerializer(serializers.Serializer[Any]):
    effective_at = serializers.DateTimeField()


# Views --------------------------------------------------------------------------------------------------

NUMBER = OpenApiParameter("number", OpenApiTypes.INT, OpenApiParameter.PATH, description="Version number")
CLAUSE_ID = OpenApiParameter("clause_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Clause id")
VERSION_PATH = r"versions/(?P<number>[0-9]+)"


class StandardViewSet(
    KnownParametersMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[StandardDocument],
):
    """The standards: customer promises and the staff code of conduct, each with its version in force."""

    serializer_class = DocumentOutputSerializer
    permission_classes = [permissions.AllowAny]

    def get_queryset(self) -> QuerySet[StandardDocument]:
        return standard_document_list()

    def _require(self, request: Request, decision: Decision) -> None:
        """Refuse unless `decision` allows: an anonymous caller is asked to sign in, anyone else gets the
        predicate's refusal and its code (403)."""
        if not request.user.is_authenticated:
            self.permission_denied(request)
        require(decision)

    def _actor(self, request: Request) -> User:
        assert isinstance(request.user, User)  # noqa: S101 (checked by _require first)
        return request.user

    def _version(self, request: Request, number: str) -> StandardVersion:
        document = self.get_object()
        return get_object_or_404(
            standard_version_list_visible_to(user=request.user, document=document), number=number
        )

    def _clause(self, version: StandardVersion, clause_id: str) -> StandardClause:
        return get_object_or_404(
            StandardClause.objects.select_related("version__document"), pk=clause_id, version=version
        )

    @extend_schema(request=DocumentInputSerializer, responses={201: DocumentOutputSerializer})
    def create(self, request: Request) -> Response:
        """Create a registry (administrators)."""
        self._require(request, can_edit_standards(request.user))
        serializer = DocumentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        document = standard_document_create(
            actor=self._actor(request),
            code=data["code"],
            kind=data["kind"],
            title_zh=data["title_zh"],
            title_en=data["title_en"],
            description_zh=data["description_zh"],
            description_en=data["description_en"],
        )
        return Response(DocumentOutputSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=VersionSummaryOutputSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="versions")
    def versions(self, request: Request, pk: str | None = None) -> Response:
        """List the versions the caller may read, newest first (drafts only for administrators)."""
        document = self.get_object()
        versions = standard_version_list_visible_to(user=request.user, document=document)
        return list_response(self, versions, VersionSummaryOutputSerializer)

    @extend_schema(request=None, responses={201: VersionOutputSerializer})
    @versions.mapping.post
    def version_draft_create(self, request: Request, pk: str | None = None) -> Response:
        """Open the next version as a draft, copied from the latest one (administrators)."""
        self._require(request, can_edit_standards(request.user))
        draft = standard_version_draft_create(actor=self._actor(request), document=self.get_object())
        return Response(VersionOutputSerializer(draft).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[NUMBER], responses=VersionOutputSerializer)
    @action(detail=True, methods=["get"], url_path=VERSION_PATH)
    def version(self, request: Request, pk: str | None = None, number: str = "") -> Response:
        """Return one version with its clauses."""
        return Response(VersionOutputSerializer(self._version(request, number)).data)

    @extend_schema(parameters=[NUMBER], request=DraftInputSerializer, responses=VersionOutputSerializer)
    @version.mapping.patch
    def version_draft_update(self, request: Request, pk: str | None = None, number: str = "") -> Response:
        """Change a draft's preamble or summary of changes (administrators)."""
        self._require(request, can_edit_standards(request.user))
        version = self._version(request, number)
        serializer = DraftInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        version = standard_version_draft_update(
            actor=self._actor(request),
            version=version,
            preamble_zh=data.get("preamble_zh", version.preamble_zh),
            preamble_en=data.get("preamble_en", version.preamble_en),
            change_summary_zh=data.get("change_summary_zh", version.change_summary_zh),
            change_summary_en=data.get("change_summary_en", version.change_summary_en),
        )
        return Response(VersionOutputSerializer(version).data)

    @extend_schema(parameters=[NUMBER], request=None, responses={204: None})
    @version.mapping.delete
    def version_draft_discard(self, request: Request, pk: str | None = None, number: str = "") -> Response:
        """Discard a draft and its clauses (administrators)."""
        self._require(request, can_edit_standards(request.user))
        standard_version_draft_discard(actor=self._actor(request), version=self._version(request, number))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[NUMBER], request=ClauseInputSerializer, responses={201: ClauseOutputSerializer}
    )
    @action(detail=True, methods=["post"], url_path=VERSION_PATH + "/clauses")
    def clause_add(self, request: Request, pk: str | None = None, number: str = "") -> Response:
        """Add a clause to a draft (administrators)."""
        self._require(request, can_edit_standards(request.user))
        version = self._version(request, number)
        serializer = ClauseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        content = ClauseContent.from_data(serializer.validated_data)
        clause = standard_clause_add(actor=self._actor(request), version=version, content=content)
        return Response(ClauseOutputSerializer(clause).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[NUMBER, CLAUSE_ID], request=ClauseInputSerializer, responses=ClauseOutputSerializer
    )
    @action(detail=True, methods=["patch"], url_path=VERSION_PATH + r"/clauses/(?P<clause_id>[0-9]+)")
    def clause_update(
        self, request: Request, pk: str | None = None, number: str = "", clause_id: str = ""
    ) -> Response:
        """Change some fields of a clause of a draft (administrators)."""
        self._require(request, can_edit_standards(request.user))
        clause = self._clause(self._version(request, number), clause_id)
        serializer = ClauseInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        content = ClauseContent.from_data(serializer.validated_data, base=ClauseContent.from_clause(clause))
        clause = standard_clause_update(actor=self._actor(request), clause=clause, content=content)
        return Response(ClauseOutputSerializer(clause).data)

    @extend_schema(parameters=[NUMBER, CLAUSE_ID], request=None, responses={204: None})
    @clause_update.mapping.delete
    def clause_delete(
        self, request: Request, pk: str | None = None, number: str = "", clause_id: str = ""
    ) -> Response:
        """Remove a clause from a draft (administrators)."""
        self._require(request, can_edit_standards(request.user))
        clause = self._clause(self._version(request, number), clause_id)
        standard_clause_delete(actor=self._actor(request), clause=clause)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(parameters=[NUMBER], request=PublishInputSerializer, responses=VersionOutputSerializer)
    @action(detail=True, methods=["post"], url_path=VERSION_PATH + "/publish")
    def publish(self, request: Request, pk: str | None = None, number: str = "") -> Response:
        """Publish a draft to take effect at `effective_at` (administrators)."""
        self._require(request, can_edit_standards(request.user))
        version = self._version(request, number)
        serializer = PublishInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = standard_version_publish(
            actor=self._actor(request),
            version=version,
            effective_at=serializer.validated_data["effective_at"],
        )
        return Response(VersionOutputSerializer(version).data)

    @extend_schema(parameters=[NUMBER], request=None, responses={201: AcknowledgementOutputSerializer})
    @action(detail=True, methods=["post"], url_path=VERSION_PATH + "/acknowledge")
    def acknowledge(self, request: Request, pk: str | None = None, number: str = "") -> Response:
        """Acknowledge a published version of the code of conduct (staff)."""
        self._require(request, can_acknowledge_standards(request.user))
        acknowledgement = standard_version_acknowledge(
            user=self._actor(request), version=self._version(request, number)
        )
        return Response(AcknowledgementOutputSerializer(acknowledgement).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            NUMBER,
            OpenApiParameter("team", OpenApiTypes.INT, description="Only this team's members"),
            OpenApiParameter(
                "pending", OpenApiTypes.BOOL, description="Only those who have not acknowledged"
            ),
        ],
        responses=ReportRowOutputSerializer(many=True),
    )
    @action(detail=True, methods=["get"], url_path=VERSION_PATH + "/acknowledgements")
    def acknowledgements(self, request: Request, pk: str | None = None, number: str = "") -> Response:
        """Who in the caller's scope has acknowledged this version (supervisors: their teams; administrators:
        everyone). A team outside the caller's scope answers 404."""
        self._require(request, can_view_acknowledgement_report(request.user))
        version = self._version(request, number)
        team: Team | None = None
        team_id = request.query_params.get("team", "")
        if team_id:
            team_pk = int_param(team_id)
            if team_pk is None:
                raise Http404
            team = get_object_or_404(acknowledgement_report_team_list(user=request.user), pk=team_pk)
        pending = request.query_params.get("pending", "").lower() in {"1", "true", "yes"}
        people = acknowledgement_report_user_list(
            user=request.user, version=version, team=team, is_pending_only=pending
        )
        return list_response(self, people, ReportRowOutputSerializer)

    @extend_schema(responses=AwaitingOutputSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="awaiting-acknowledgement")
    def awaiting_acknowledgement(self, request: Request) -> Response:
        """The code-of-conduct versions the caller still has to acknowledge (staff)."""
        self._require(request, can_acknowledge_standards(request.user))
        versions = standard_version_list_awaiting_acknowledgement(user=request.user)
        return list_response(self, versions, AwaitingOutputSerializer)


def router_register(router: BaseRouter) -> None:
    """Register this app's API resources."""
    router.register("standards", StandardViewSet, basename="standard")
