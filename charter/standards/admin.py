"""Django admin for the standards. Published versions, their clauses and acknowledgements are read-only here;
changes to documents and drafts go through the same services as the desk, so they are checked and audited."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from charter.accounts.requests import request_user
from charter.common.errors import DomainError
from charter.standards.models import (
    StandardAcknowledgement,
    StandardClause,
    StandardDocument,
    StandardVersion,
)
from charter.standards.services import (
    ClauseContent,
    standard_clause_delete,
    standard_clause_update,
    standard_document_update,
    standard_version_draft_discard,
    standard_version_draft_update,
)


def _is_published(obj: Any) -> bool:
    if isinstance(obj, StandardVersion):
        return obj.is_published
    if isinstance(obj, StandardClause):
        return obj.version.is_published
    return False


class ServiceErrorsMixin:
    """Turn a service's refusal into a form error instead of a server error."""

    def _refuse(self, request: HttpRequest, error: DomainError) -> None:
        messages.error(request, str(error.message))


@admin.register(StandardDocument)
class StandardDocumentAdmin(ServiceErrorsMixin, admin.ModelAdmin[StandardDocument]):
    list_display = ["code", "title_zh", "title_en", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "title_zh", "title_en"]

    readonly_fields = ["code", "kind"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # New registries are created on the desk (standards:document_create), through the service.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self,
        request: HttpRequest,
        obj: StandardDocument,
        form: forms.ModelForm[StandardDocument],
        change: bool,
    ) -> None:
        data = form.cleaned_data
        try:
            standard_document_update(
                actor=request_user(request),
                document=StandardDocument.objects.get(pk=obj.pk),
                title_zh=data["title_zh"],
                title_en=data.get("title_en", ""),
                description_zh=data.get("description_zh", ""),
                description_en=data.get("description_en", ""),
            )
        except DomainError as error:
            self._refuse(request, error)


class StandardClauseInline(admin.TabularInline[StandardClause, StandardVersion]):
    model = StandardClause
    fields = ["number", "title_zh", "title_en", "category", "is_disciplinary"]
    readonly_fields = ["number", "title_zh", "title_en", "category", "is_disciplinary"]
    extra = 0
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StandardVersion)
class StandardVersionAdmin(ServiceErrorsMixin, admin.ModelAdmin[StandardVersion]):
    list_display = ["document", "number", "status", "effective_at", "published_at", "published_by"]
    list_filter = ["status", "document"]
    fields = [
        "document",
        "number",
        "status",
        "effective_at",
        "published_at",
        "published_by",
        "supersedes",
        "created_by",
        "preamble_zh",
        "preamble_en",
        "change_summary_zh",
        "change_summary_en",
    ]
    readonly_fields = [
        "document",
        "number",
        "status",
        "effective_at",
        "published_at",
        "published_by",
        "supersedes",
        "created_by",
    ]
    inlines = [StandardClauseInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A draft copies the latest version's clauses: open it on the desk, not as an empty row here.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _is_published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _is_published(obj) and super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(
        self, request: HttpRequest, obj: StandardVersion, form: forms.ModelForm[StandardVersion], change: bool
    ) -> None:
        data = form.cleaned_data
        try:
            standard_version_draft_update(
                actor=request_user(request),
                version=obj,
                preamble_zh=data.get("preamble_zh", ""),
                preamble_en=data.get("preamble_en", ""),
                change_summary_zh=data.get("change_summary_zh", ""),
                change_summary_en=data.get("change_summary_en", ""),
            )
        except DomainError as error:
            self._refuse(request, error)

    def delete_model(self, request: HttpRequest, obj: StandardVersion) -> None:
        try:
            standard_version_draft_discard(actor=request_user(request), version=obj)
        except DomainError as error:
            self._refuse(request, error)


@admin.register(StandardClause)
class StandardClauseAdmin(ServiceErrorsMixin, admin.ModelAdmin[StandardClause]):
    list_display = ["number", "title_zh", "version", "category", "is_disciplinary"]
    list_filter = ["version__document", "version__status", "category", "is_disciplinary"]
    search_fields = ["number", "title_zh", "title_en", "text_zh", "text_en"]
    readonly_fields = ["version"]
    filter_horizontal = ["promises"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[StandardClause]:
        return super().get_queryset(request).select_related("version__document")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _is_published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _is_published(obj) and super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(
        self, request: HttpRequest, obj: StandardClause, form: forms.ModelForm[StandardClause], change: bool
    ) -> None:
        content = ClauseContent.from_data(form.cleaned_data)
        try:
            standard_clause_update(actor=request_user(request), clause=obj, content=content)
        except DomainError as error:
            self._refuse(request, error)

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm[StandardClause], formsets: Any, change: bool
    ) -> None:
        # The citations were saved by the service in save_model, after their checks.
        return None

    def delete_model(self, request: HttpRequest, obj: StandardClause) -> None:
        try:
            standard_clause_delete(actor=request_user(request), clause=obj)
        except DomainError as error:
            self._refuse(request, error)


@admin.register(StandardAcknowledgement)
class StandardAcknowledgementAdmin(admin.ModelAdmin[StandardAcknowledgement]):
    list_display = ["user", "version", "acknowledged_at"]
    list_filter = ["version__document", "version"]
    search_fields = ["user__username", "user__display_name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
