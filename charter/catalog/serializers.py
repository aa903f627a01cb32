"""Serializers of the catalogue API: output shapes for reading, input shapes that only check form."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from charter.accounts.models import OrgUnit
from charter.catalog.models import (
    Channel,
    FeeItem,
    Service,
    ServiceCategory,
    ServiceCommitment,
    ServiceVersion,
)
from charter.common.models import localized
from charter.common.money import parse_amount

# ---------------------------------------------------------------------------------------------------------
# Output


class ServiceCategoryOutputSerializer(serializers.ModelSerializer[ServiceCategory]):
    name = serializers.SerializerMethodField(help_text="The name in the caller's language.")

    class Meta:
        model = ServiceCategory
        fields = ["id", "slug", "name", "name_zh", "name_en", "description_zh", "description_en", "ordering"]

    def get_name(self, category: ServiceCategory) -> str:
        return localized(category, "name")


class ServiceOrgUnitOutputSerializer(serializers.ModelSerializer[OrgUnit]):
    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name_zh", "name_en"]


class FeeItemOutputSerializer(serializers.ModelSerializer[FeeItem]):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text='CNY, as a string: "12.50"')

    class Meta:
        model = FeeItem
        fields = [
            "id",
            "name_zh",
            "name_en",
            "amount",
            "unit_zh",
            "unit_en",
            "conditions_zh",
            "conditions_en",
            "is_free",
            "ordering",
        ]


class ServiceCommitmentOutputSerializer(serializers.ModelSerializer[ServiceCommitment]):
    class Meta:
        model = ServiceCommitment
        fields = [
            "id",
            "metric",
            "target_amount",
            "target_unit",
            "time_basis",
            "case_kind",
            "priority",
            "wording_zh",
            "wording_en",
            "ordering",
        ]


class ServiceVersionOutputSerializer(serializers.ModelSerializer[ServiceVersion]):
    fees = FeeItemOutputSerializer(many=True, read_only=True)
    commitments = ServiceCommitmentOutputSerializer(many=True, read_only=True)
    channels = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices), read_only=True)

    class Meta:
        model = ServiceVersion
        fields = [
            "number",
            "status",
            "effective_at",
            "published_at",
            "name_zh",
            "name_en",
            "summary_zh",
            "summary_en",
            "description_zh",
            "description_en",
            "eligibility_zh",
            "eligibility_en",
            "required_documents_zh",
            "required_documents_en",
            "steps_zh",
            "steps_en",
            "channels",
            "opening_hours_zh",
            "opening_hours_en",
            "change_note_zh",
            "change_note_en",
            "fees",
            "commitments",
        ]


class ServiceOutputSerializer(serializers.Serializer[Any]):
    """A service with the version in force (built from that version: `instance` is a ServiceVersion)."""

    id = serializers.IntegerField(
        source="service.id", help_text="What `service` of a case takes, as does the slug."
    )
    slug = serializers.CharField(source="service.slug")
    name = serializers.SerializerMethodField(
        help_text="The name in force, in the caller's language (the version has both)."
    )
    category = ServiceCategoryOutputSerializer(source="service.category")
    org_unit = ServiceOrgUnitOutputSerializer(source="service.org_unit", allow_null=True)
    ordering = serializers.IntegerField(source="service.ordering")
    version = ServiceVersionOutputSerializer(source="*")

    def get_name(self, version: ServiceVersion) -> str:
        return localized(version, "name")


class ServiceDeskOutputSerializer(serializers.ModelSerializer[Service]):
    """A service as its editors see it: settings, the version in force (if any) and the draft (if any)."""

    category = ServiceCategoryOutputSerializer()
    org_unit = ServiceOrgUnitOutputSerializer(allow_null=True)
    version_in_force = serializers.SerializerMethodField()
    draft = serializers.SerializerMethodField()

    class Meta:
        model = Service
        fields = ["id", "slug", "category", "org_unit", "ordering", "is_active", "version_in_force", "draft"]

    @extend_schema_field(ServiceVersionOutputSerializer(allow_null=True))
    def get_version_in_force(self, service: Service) -> dict[str, Any] | None:
        version = self.context.get("version_in_force")
        return ServiceVersionOutputSerializer(version).data if version is not None else None

    @extend_schema_field(ServiceVersionOutputSerializer(allow_null=True))
    def get_draft(self, service: Service) -> dict[str, Any] | None:
        draft = self.context.get("draft")
        return ServiceVersionOutputSerializer(draft).data if draft is not None else None


# ---------------------------------------------------------------------------------------------------------
# Input


@extend_schema_field(OpenApiTypes.STR)
class AmountField(serializers.Field[Decimal, str | int, str, Any]):
    """An amount in CNY given as a string ("12.50") or an integer; a JSON float such as 12.5 is refused."""

    default_error_messages = {"invalid_amount": _("Enter an amount such as 12.50.")}

    def to_internal_value(self, data: Any) -> Decimal:
        try:
            return parse_amount(data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages, code="invalid_amount") from error

    def to_representation(self, value: Decimal) -> str:
        return f"{value:.2f}"


class ServiceAtQuerySerializer(serializers.Serializer[Any]):
    """`?at=`: a date (meaning the end of that day) or a date and time (local time when no offset)."""

    at = serializers.CharField(required=False, allow_blank=True)

    def validate_at(self, value: str) -> dt.datetime | None:
        value = value.strip()
        if not value:
            return None
        moment: dt.datetime | None = None
        try:
            # A bare date means the whole of that day (fromisoformat would read it as its first instant).
            day = parse_date(value) if len(value) == 10 else None
            moment = dt.datetime.combine(day, dt.time.max) if day is not None else parse_datetime(value)
        except ValueError:
            moment = None
        if moment is None:
            raise serializers.ValidationError(
                _("Give a date such as 2025-01-31 or a date and time such as 2025-01-31T09:00:00+08:00."),
                code="invalid",
            )
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment


class ServiceListQuerySerializer(ServiceAtQuerySerializer):
    category = serializers.SlugField(required=False, allow_blank=True)
    q = serializers.CharField(required=False, allow_blank=True, max_length=100)


class ServiceCategoryInputSerializer(serializers.Serializer[Any]):
    slug = serializers.CharField(max_length=60)
    name_zh = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description_zh = serializers.CharField(required=False, allow_blank=True, default="")
    description_en = serializers.CharField(required=False, allow_blank=True, default="")
    ordering = serializers.IntegerField(min_value=0, required=False, default=0)


class ServiceCategoryUpdateInputSerializer(ServiceCategoryInputSerializer):
    slug = None  # type: ignore[assignment]  # the slug never changes


class ServiceCreateInputSerializer(serializers.Serializer[Any]):
    slug = serializers.CharField(max_length=80)
    category = serializers.SlugRelatedField(slug_field="slug", queryset=ServiceCategory.objects.all())
    org_unit = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), required=False, allow_null=True, default=None
    )
    ordering = serializers.IntegerField(min_value=0, required=False, default=0)
    name_zh = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    summary_zh = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    summary_en = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ServiceUpdateInputSerializer(serializers.Serializer[Any]):
    category = serializers.SlugRelatedField(slug_field="slug", queryset=ServiceCategory.objects.all())
    org_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), allow_null=True)
    ordering = serializers.IntegerField(min_value=0)
    is_active = serializers.BooleanField()


class ServiceVersionContentInputSerializer(serializers.Serializer[Any]):
    """The draft's content; on PATCH only the fields given change."""

    name_zh = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, allow_blank=True)
    summary_zh = serializers.CharField(max_length=500, allow_blank=True)
    summary_en = serializers.CharField(max_length=500, allow_blank=True)
    description_zh = serializers.CharField(allow_blank=True)
    description_en = serializers.CharField(allow_blank=True)
    eligibility_zh = serializers.CharField(allow_blank=True)
    eligibility_en = serializers.CharField(allow_blank=True)
    required_documents_zh = serializers.CharField(allow_blank=True)
    required_documents_en = serializers.CharField(allow_blank=True)
    steps_zh = serializers.CharField(allow_blank=True)
    steps_en = serializers.CharField(allow_blank=True)
    channels = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices), allow_empty=True)
    opening_hours_zh = serializers.CharField(max_length=300, allow_blank=True)
    opening_hours_en = serializers.CharField(max_length=300, allow_blank=True)


class FeeItemInputSerializer(serializers.Serializer[Any]):
    name_zh = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    amount = AmountField(required=False, allow_null=True, default=None)
    unit_zh = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    unit_en = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    conditions_zh = serializers.CharField(required=False, allow_blank=True, default="")
    conditions_en = serializers.CharField(required=False, allow_blank=True, default="")
    is_free = serializers.BooleanField(required=False, default=False)
    ordering = serializers.IntegerField(min_value=0, required=False, default=0)


class ServiceCommitmentInputSerializer(serializers.Serializer[Any]):
    metric = serializers.ChoiceField(choices=ServiceCommitment.Metric.choices)
    target_amount = serializers.IntegerField(min_value=1, max_value=100_000)
    target_unit = serializers.ChoiceField(choices=ServiceCommitment.Unit.choices)
    time_basis = serializers.ChoiceField(choices=ServiceCommitment.TimeBasis.choices)
    case_kind = serializers.ChoiceField(
        choices=ServiceCommitment.CaseKind.choices, required=False, allow_blank=True, default=""
    )
    priority = serializers.ChoiceField(
        choices=ServiceCommitment.Priority.choices, required=False, allow_blank=True, default=""
    )
    wording_zh = serializers.CharField(max_length=300)
    wording_en = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    ordering = serializers.IntegerField(min_value=0, required=False, default=0)


class ServiceVersionPublishInputSerializer(serializers.Serializer[Any]):
    effective_at = serializers.DateTimeField()
    change_note_zh = serializers.CharField(required=False, allow_blank=True, default="")
    change_note_en = serializers.CharField(required=False, allow_blank=True, default="")
