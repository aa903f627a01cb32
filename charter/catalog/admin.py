"""Admin pages of the catalogue. Editing happens on the desk, where every change goes through the services and
is audited; here categories and services can be changed through those same services, and versions, fees and
commitments are read-only (a published version never changes; a draft is edited on the desk)."""

from typing import Any, TypeVar

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from charter.catalog import services
from charter.catalog.models import FeeItem, Service, ServiceCategory, ServiceCommitment, ServiceVersion

_Child = TypeVar("_Child", bound=Model)


class _ReadOnlyInline(admin.TabularInline[_Child, ServiceVersion]):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class FeeItemInline(_ReadOnlyInline[FeeItem]):
    model = FeeItem
    fields = ("name_zh", "name_en", "amount", "unit_zh", "is_free", "ordering")
    readonly_fields = fields


class ServiceCommitmentInline(_ReadOnlyInline[ServiceCommitment]):
    model = ServiceCommitment
    fields = ("metric", "target_amount", "target_unit", "time_basis", "case_kind", "priority", "wording_zh")
    readonly_fields = fields


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(admin.ModelAdmin[ServiceCategory]):
    list_display = ["slug", "name_zh", "name_en", "ordering"]
    fields = ["slug", "name_zh", "name_en", "description_zh", "description_en", "ordering"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["slug"] if obj is not None else []

    def save_model(
        self, request: HttpRequest, obj: ServiceCategory, form: ModelForm[ServiceCategory], change: bool
    ) -> None:
        if change:
            stored = ServiceCategory.objects.get(pk=obj.pk)
            services.service_category_update(
                actor=request.user, category=stored, content=services.CategoryContent.from_category(obj)
            )
        else:
            created = services.service_category_create(
                actor=request.user, slug=obj.slug, content=services.CategoryContent.from_category(obj)
            )
            obj.pk = created.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin[Service]):
    list_display = ["slug", "category", "org_unit", "ordering", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["slug"]
    fields = ["slug", "category", "org_unit", "ordering", "is_active"]
    readonly_fields = ["slug"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A new service needs a first draft with its name: the desk creates both.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Service, form: ModelForm[Service], change: bool) -> None:
        stored = Service.objects.get(pk=obj.pk)
        services.service_update(
            actor=request.user, service=stored, settings=services.ServiceSettings.from_service(obj)
        )


@admin.register(ServiceVersion)
class ServiceVersionAdmin(admin.ModelAdmin[ServiceVersion]):
    list_display = ["service", "number", "status", "effective_at", "published_at", "published_by"]
    list_filter = ["status"]
    search_fields = ["service__slug", "name_zh", "name_en"]
    inlines = [FeeItemInline, ServiceCommitmentInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ServiceVersion]:
        return super().get_queryset(request).select_related("service", "published_by")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in ServiceVersion._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
