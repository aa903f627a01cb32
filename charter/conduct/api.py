"""REST endpoints of conduct at /api/v1/violations/.

Scoped exactly like the desk: an agent sees his own violations, a supervisor those of the staff of the teams
he leads (and his own), administrators all; anything else answers 404 like a missing one. Every write goes
through the services, whose refusals come out as {"code", "detail"}: `conduct_clause_not_published`,
`conduct_clause_not_in_force`, `conduct_not_acknowledged`, `conduct_self_decision`, `conduct_same_decider`,
`conduct_same_approver_appeal`, `conduct_second_appeal`, `conduct_deadline_passed` and the others of
charter/conduct/errors.py; a step the violation's workflow does not allow now answers 409
`invalid_transition`.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from charter.accounts.models import User
from charter.cases.models import Case
from charter.common.api import KnownParametersMixin
from charter.common.idempotency import idempotent
from charter.common.policy import require
from charter.conduct.models import Evidence, LadderStep, Violation, ViolationEvent
from charter.conduct.permissions import can_view_own_record
from charter.conduct.selectors import violation_get_visible, violation_list_visible_to, violation_proposal
from charter.conduct.services import (
    EvidenceInput,
    violation_appeal,
    violation_appeal_decide,
    violation_approve,
    violation_decide,
    violation_record,
    violation_respond,
)
from charter.quality.models import Finding
from charter.quality.selectors import review_get_for
from charter.standards.models import StandardClause
from charter.surveys.models import Response as SurveyResponse

ERROR = OpenApiResponse(description='An error: `{"code": …, "detail": …}` (and `fields` for bad input).')

# Output -------------------------------------------------------------------------------------------------


class LadderStepOutputSerializer(serializers.ModelSerializer[LadderStep]):
    class Meta:
        model = LadderStep
        fields = ["code", "position", "name_zh", "name_en", "requires_second_approver"]


class ViolationEvidenceOutputSerializer(serializers.ModelSerializer[Evidence]):
    kind = serializers.CharField(
        read_only=True, help_text="`case`, `finding`, `qa_review`, `survey_response` or `observation`."
    )
    case_number = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id",
            "kind",
            "case_number",
            "finding",
            "review",
            "survey_response",
            "text",
            "files",
            "created_at",
        ]

    def get_case_number(self, evidence: Evidence) -> str | None:
        return evidence.case.number if evidence.case is not None else None

    def get_files(self, evidence: Evidence) -> list[str]:
        """The names of the observation's files (download them on the desk)."""
        return [file.original_name for file in evidence.files.all()]


class ViolationEventOutputSerializer(serializers.ModelSerializer[ViolationEvent]):
    kind = serializers.CharField(read_only=True)
    actor: "serializers.StringRelatedField[User]" = serializers.StringRelatedField()

    class Meta:
        model = ViolationEvent
        fields = ["kind", "actor", "at", "text"]


class ViolationOutputSerializer(serializers.ModelSerializer[Violation]):
    status = serializers.CharField(
        read_only=True,
        help_text="`recorded`, `awaiting_response`, `awaiting_approval`, `in_effect`, `appealed`, `closed`.",
    )
    severity = serializers.CharField(read_only=True, help_text="`minor`, `general` or `serious`.")
    appeal_outcome = serializers.CharField(
        read_only=True, help_text="`upheld`, `reduced`, `overturned` or empty."
    )
    staff: "serializers.StringRelatedField[User]" = serializers.StringRelatedField()
    clause_number = serializers.CharField(source="clause.number", read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    step = LadderStepOutputSerializer(read_only=True, allow_null=True)
    proposed_step = LadderStepOutputSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Violation
        fields = [
            "id",
            "staff",
            "team",
            "clause",
            "clause_number",
            "version_number",
            "occurred_at",
            "description",
            "severity",
            "has_harmed_customers",
            "has_harmed_reputation",
            "status",
            "proposed_step",
            "step",
            "decision_reason",
            "fine_amount",
            "decided_at",
            "response_due_at",
            "response_text",
            "responded_at",
            "approved_at",
            "effective_at",
            "expires_at",
            "appeal_due_at",
            "appeal_text",
            "appealed_at",
            "appeal_outcome",
            "appeal_reason",
            "appeal_decided_at",
        ]


class ViolationDetailOutputSerializer(ViolationOutputSerializer):
    evidence = ViolationEvidenceOutputSerializer(many=True, read_only=True)
    events = ViolationEventOutputSerializer(many=True, read_only=True)
    proposal = serializers.SerializerMethodField()

    class Meta(ViolationOutputSerializer.Meta):
        fields = [*ViolationOutputSerializer.Meta.fields, "evidence", "events", "proposal"]

    @extend_schema_field(LadderStepOutputSerializer(allow_null=True))
    def get_proposal(self, violation: Violation) -> dict[str, Any] | None:
        """The step the ladder proposes now (only before a step is decided)."""
        if violation.status != Violation.Status.RECORDED:
            return None
        step = violation_proposal(violation=violation).step
        return dict(LadderStepOutputSerializer(step).data) if step is not None else None


# Input --------------------------------------------------------------------------------------------------


class ViolationEvidenceInputSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(
        help_text="`case`, `finding`, `qa_review`, `survey_response` or `observation`."
    )
    case_number = serializers.CharField(required=False, allow_blank=True)
    finding = serializers.IntegerField(required=False)
    review = serializers.IntegerField(required=False, help_text="A submitted QA review of the staff member.")
    survey_response = serializers.IntegerField(required=False)
    text = serializers.CharField(required=False, allow_blank=True)


class ViolationCreateInputSerializer(serializers.Serializer[Any]):
    staff = serializers.IntegerField()
    clause = serializers.IntegerField(
        help_text="A clause of the code version in force on the day of the act."
    )
    occurred_at = serializers.DateTimeField()
    severity = serializers.CharField(help_text="`minor`, `general` or `serious`.")
    description = serializers.CharField()
    has_harmed_customers = serializers.BooleanField(required=False, default=False)
    has_harmed_reputation = serializers.BooleanField(required=False, default=False)
    evidence = ViolationEvidenceInputSerializer(many=True, required=False)


class ViolationDecideInputSerializer(serializers.Serializer[Any]):
    step = serializers.CharField(help_text="The code of the step.")
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    fine_amount = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, allow_null=True)


class ViolationTextInputSerializer(serializers.Serializer[Any]):
    text = serializers.CharField()


class ViolationApproveInputSerializer(serializers.Serializer[Any]):
    is_approved = serializers.BooleanField(default=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ViolationAppealDecideInputSerializer(serializers.Serializer[Any]):
    outcome = serializers.CharField(help_text="`upheld`, `reduced` or `overturned`.")
    reason = serializers.CharField()
    step = serializers.CharField(required=False, allow_blank=True, help_text="For `reduced`: the lower step.")


def _step(code: str) -> LadderStep:
    step = LadderStep.objects.filter(code=code).first()
    if step is None:
        raise serializers.ValidationError({"step": [_("There is no such step.")]})
    return step


def _not_found(field: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: [_("Not found.")]})


def _evidence_input(user: User, data: dict[str, Any]) -> EvidenceInput:
    kind = data["kind"]
    if kind == Evidence.Kind.CASE:
        case = Case.objects.filter(number=data.get("case_number", "")).first()
        if case is None:
            raise _not_found("case_number")
        return EvidenceInput(kind=kind, case=case)
    if kind == Evidence.Kind.FINDING:
        finding = Finding.objects.filter(pk=data.get("finding") or 0).first()
        if finding is None:
            raise _not_found("finding")
        return EvidenceInput(kind=kind, finding=finding)
    if kind == Evidence.Kind.QA_REVIEW:
        review = review_get_for(user=user, pk=data.get("review") or 0)
        if review is None:
            raise _not_found("review")
        return EvidenceInput(kind=kind, review=review)
    if kind == Evidence.Kind.SURVEY_RESPONSE:
        response = SurveyResponse.objects.filter(pk=data.get("survey_response") or 0).first()
        if response is None:
            raise _not_found("survey_response")
        return EvidenceInput(kind=kind, survey_response=response)
    return EvidenceInput(kind=kind, text=data.get("text", ""))


# Views --------------------------------------------------------------------------------------------------


class ViolationViewSet(KnownParametersMixin, mixins.ListModelMixin, viewsets.GenericViewSet[Violation]):
    """Violations of the code of conduct and their due process."""

    serializer_class = ViolationOutputSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self) -> QuerySet[Violation]:
        return violation_list_visible_to(user=self.request.user)

    def _user(self, request: Request) -> User:
        """The caller, for an action: the service asks the rule (its predicate), a violation outside his
        scope is not found, so no other gate comes first to answer differently."""
        assert isinstance(request.user, User)  # noqa: S101 (IsAuthenticated ran first)
        return request.user

    def _violation(self, request: Request, pk: str | None) -> Violation:
        violation = violation_get_visible(user=request.user, pk=pk)
        if violation is None:
            raise Http404
        return violation

    def _detail(self, request: Request, pk: str | None, code: int = status.HTTP_200_OK) -> Response:
        return Response(ViolationDetailOutputSerializer(self._violation(request, pk)).data, status=code)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The violations the caller may see, newest act first (members of staff)."""
        require(can_view_own_record(request.user))
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: ViolationDetailOutputSerializer, 404: ERROR})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """One violation with its evidence, timeline and (before a decision) the ladder's proposal."""
        return self._detail(request, pk)

    @extend_schema(
        request=ViolationCreateInputSerializer,
        responses={201: ViolationDetailOutputSerializer, 400: ERROR, 403: ERROR},
        examples=[
            OpenApiExample(
                "An improper phrase in a reply",
                request_only=True,
                value={
                    "staff": 12,
                    "clause": 40,
                    "occurred_at": "2026-03-02T10:15:00+08:00",
                    "severity": "minor",
                    "description": "回复客户时使用“不归我管”。",
                    "evidence": [
                        {"kind": "case", "case_number": "TS-2026-000123"},
                        {"kind": "finding", "finding": 7},
                    ],
                },
            )
        ],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        """Record a violation (supervisors for their teams, administrators)."""
        user = self._user(request)
        serializer = ViolationCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        staff = User.objects.filter(pk=data["staff"]).first()
        clause = StandardClause.objects.select_related("version__document").filter(pk=data["clause"]).first()
        if staff is None:
            raise _not_found("staff")
        if clause is None:
            raise _not_found("clause")
        violation = violation_record(
            actor=user,
            staff=staff,
            clause=clause,
            occurred_at=data["occurred_at"],
            severity=data["severity"],
            description=data["description"],
            has_harmed_customers=data["has_harmed_customers"],
            has_harmed_reputation=data["has_harmed_reputation"],
            evidence=[_evidence_input(user, item) for item in data.get("evidence", [])],
        )
        return self._detail(request, str(violation.pk), status.HTTP_201_CREATED)

    @extend_schema(
        request=ViolationDecideInputSerializer,
        responses={200: ViolationDetailOutputSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
        examples=[
            OpenApiExample("Follow the proposal", request_only=True, value={"step": "verbal-warning"}),
            OpenApiExample(
                "Deviate with a reason",
                request_only=True,
                value={"step": "written-warning", "reason": "客户因此投诉至上级主管部门。"},
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """Decide the step (a supervisor of the staff member's team, never the staff member himself); opens
        the staff member's response window."""
        user = self._user(request)
        violation = self._violation(request, pk)
        serializer = ViolationDecideInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        violation_decide(
            actor=user,
            violation=violation,
            step=_step(data["step"]),
            reason=data["reason"],
            fine_amount=data.get("fine_amount"),
        )
        return self._detail(request, pk)

    @extend_schema(
        request=ViolationTextInputSerializer,
        responses={200: ViolationDetailOutputSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
        examples=[
            OpenApiExample("A response", request_only=True, value={"text": "当时客户情绪激动，我已道歉。"})
        ],
    )
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, pk: str | None = None) -> Response:
        """The staff member's written response, before the response deadline."""
        user = self._user(request)
        serializer = ViolationTextInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        violation_respond(
            actor=user, violation=self._violation(request, pk), text=serializer.validated_data["text"]
        )
        return self._detail(request, pk)

    @extend_schema(
        request=ViolationApproveInputSerializer,
        responses={200: ViolationDetailOutputSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
        examples=[
            OpenApiExample("Approve", request_only=True, value={"is_approved": True}),
            OpenApiExample(
                "Send back", request_only=True, value={"is_approved": False, "note": "处理过重。"}
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """The second approver's (HR) approval of a step that needs one, or sending it back."""
        user = self._user(request)
        serializer = ViolationApproveInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        violation_approve(
            actor=user,
            violation=self._violation(request, pk),
            is_approved=serializer.validated_data["is_approved"],
            note=serializer.validated_data["note"],
        )
        return self._detail(request, pk)

    @extend_schema(
        request=ViolationTextInputSerializer,
        responses={200: ViolationDetailOutputSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
        examples=[
            OpenApiExample("An appeal", request_only=True, value={"text": "客户先出言辱骂，请求复核。"})
        ],
    )
    @action(detail=True, methods=["post"])
    def appeal(self, request: Request, pk: str | None = None) -> Response:
        """The staff member's one appeal, within the appeal window; a second is refused."""
        user = self._user(request)
        serializer = ViolationTextInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        violation_appeal(
            actor=user, violation=self._violation(request, pk), text=serializer.validated_data["text"]
        )
        return self._detail(request, pk)

    @extend_schema(
        request=ViolationAppealDecideInputSerializer,
        responses={200: ViolationDetailOutputSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
        examples=[
            OpenApiExample(
                "Reduce",
                request_only=True,
                value={"outcome": "reduced", "step": "verbal-warning", "reason": "情有可原。"},
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="appeal-decision")
    def appeal_decision(self, request: Request, pk: str | None = None) -> Response:
        """Decide an appeal (someone other than the original decider): upheld, reduced or overturned."""
        user = self._user(request)
        serializer = ViolationAppealDecideInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        violation_appeal_decide(
            actor=user,
            violation=self._violation(request, pk),
            outcome=data["outcome"],
            reason=data["reason"],
            step=_step(data["step"]) if data.get("step") else None,
        )
        return self._detail(request, pk)


def router_register(router: BaseRouter) -> None:
    """Register this app's API resources."""
    router.register("violations", ViolationViewSet, basename="violation")
