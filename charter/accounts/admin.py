"""Django admin for people: users, role groups, the organisation tree, teams, memberships and leads, and
(read-only but for adding organisations) customers, and API tokens (read-only but for revoking one).

Who leads a team decides every scope, so nothing here writes a row itself: each save, delete and membership
change calls the audited service that the rest of the product uses (charter/accounts/services.py), and a
service's refusal rolls the whole save back and is shown as a message. Django's own change log
(`log_addition`, `log_change`) is kept for the admin's history pages, but the audit chain is the record.
Bulk deletes go through the same services one by one; users and built-in roles are never deleted here.
"""

from typing import Any, TypeVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from charter.accounts import services
from charter.accounts.models import (
    ApiToken,
    Customer,
    CustomerOrganisation,
    OrgUnit,
    Qualification,
    QualificationGrant,
    Team,
    TeamMembership,
    User,
)
from charter.accounts.requests import request_user
from charter.accounts.roles import Role
from charter.accounts.tokens import RevokeReason, api_token_revoke
from charter.common.errors import DomainError

ModelT = TypeVar("ModelT", bound=models.Model)


class ServiceAdmin(admin.ModelAdmin[ModelT]):
    """An admin whose writes are service calls: a refusal undoes the whole save and is shown, not a 500."""

    def _refused(self, request: HttpRequest, error: DomainError) -> HttpResponse:
        # The view's transaction has rolled back by now: nothing of the save was kept, nor its audit rows.
        self.message_user(request, str(error.message), messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            return self._refused(request, error)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as error:
            return self._refused(request, error)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().changelist_view(request, extra_context)
        except DomainError as error:
            return self._refused(request, error)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ModelT]) -> None:
        # The bulk action deletes one by one through the service, all or none.
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def save_model(
        self, request: HttpRequest, obj: ModelT, form: forms.ModelForm[ModelT], change: bool
    ) -> None:
        # The form has filled `obj` in memory only: a change goes to the service with the row as stored, so
        # the service sees (and audits) the real before; an addition hands the admin the created row's pk.
        actor = request_user(request)
        if change:
            self.service_update(
                actor=actor, obj=type(obj)._default_manager.get(pk=obj.pk), data=form.cleaned_data
            )
        else:
            obj.pk = self.service_create(actor=actor, data=form.cleaned_data).pk

    def service_create(self, *, actor: User, data: dict[str, Any]) -> ModelT:
        """Create the object from the add form's cleaned `data` through its audited service."""
        raise NotImplementedError

    def service_update(self, *, actor: User, obj: ModelT, data: dict[str, Any]) -> None:
        """Change the stored `obj` to the change form's cleaned `data` through its audited services."""
        raise NotImplementedError


@admin.register(User)
class UserAdmin(ServiceAdmin[User], DjangoUserAdmin[User]):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
        (_("Preferences"), {"fields": ("display_name", "language", "time_zone")}),
    )
    readonly_fields = ["last_login", "date_joined"]
    list_display = ["username", "display_name", "email", "is_active", "is_staff"]

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        # Deactivate instead: a person's name stays on his cases, reviews and the audit trail.
        return False

    def service_create(self, *, actor: User, data: dict[str, Any]) -> User:
        return services.user_create(
            actor=actor,
            username=data["username"],
            password=data["password1"] if data.get("set_usable_password") else None,
        )

    def service_update(self, *, actor: User, obj: User, data: dict[str, Any]) -> None:
        services.user_update(
            actor=actor,
            user=obj,
            username=data["username"],
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            display_name=data["display_name"],
            language=data["language"],
            time_zone=data["time_zone"],
            is_active=data["is_active"],
            is_staff=data["is_staff"],
            is_superuser=data["is_superuser"],
        )

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm[User], formsets: Any, change: bool
    ) -> None:
        if not change:
            return  # the add form has no roles; they are set on the change page that follows
        services.user_roles_set(
            actor=request_user(request),
            user=User.objects.get(pk=form.instance.pk),
            groups=form.cleaned_data["groups"],
            permissions=form.cleaned_data["user_permissions"],
        )

    @method_decorator(sensitive_post_parameters())
    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        """Set or disable a user's password through the audited service; the page and checks are Django's."""
        user = self.get_object(request, unquote(id)) if request.method == "POST" else None
        if user is None or not self.has_change_permission(request, user):
            return super().user_change_password(request, id, form_url)  # the form, or Django's 403 and 404
        form = self.change_password_form(user, request.POST)
        if not form.is_valid() or not (
            form.cleaned_data["set_usable_password"] or "unset-password" in request.POST
        ):
            return super().user_change_password(request, id, form_url)  # the errors, shown by Django
        password = form.cleaned_data["password1"] if form.cleaned_data["set_usable_password"] else None
        try:
            services.user_password_set(actor=request_user(request), user=user, password=password)
        except DomainError as error:
            return self._refused(request, error)
        self.log_change(request, user, self.construct_change_message(request, form, []))
        if password is None:
            messages.success(request, gettext("Password-based authentication was disabled."))
        else:
            messages.success(request, gettext("Password changed successfully."))
        update_session_auth_hash(request, user)
        return HttpResponseRedirect(reverse(f"{self.admin_site.name}:accounts_user_change", args=(user.pk,)))


admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(ServiceAdmin[Group], DjangoGroupAdmin):
    """Role groups: the permissions each role grants. A role's name is how the product finds it, so it is
    fixed once created, and the built-in roles cannot be deleted."""

    def get_readonly_fields(self, request: HttpRequest, obj: Group | None = None) -> list[str]:
        return ["name"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Group | None = None) -> bool:
        if obj is not None and obj.name in {str(role) for role in Role}:
            return False
        return super().has_delete_permission(request, obj)

    def service_create(self, *, actor: User, data: dict[str, Any]) -> Group:
        return services.role_create(actor=actor, name=data["name"], permissions=data["permissions"])

    def service_update(self, *, actor: User, obj: Group, data: dict[str, Any]) -> None:
        pass  # the name is fixed; the permissions are set in save_related

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm[Group], formsets: Any, change: bool
    ) -> None:
        if change:
            services.role_permissions_set(
                actor=request_user(request),
                role=Group.objects.get(pk=form.instance.pk),
                permissions=form.cleaned_data["permissions"],
            )

    def delete_model(self, request: HttpRequest, obj: Group) -> None:
        services.role_delete(actor=request_user(request), role=obj)


class TeamMembershipInline(admin.TabularInline[TeamMembership, Team]):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["user"]


def _memberships_save(*, actor: User, team: Team, formset: Any) -> None:
    """Apply the membership rows of the team page through the services, one audited change per row."""
    removed: list[TeamMembership] = []
    changed: list[tuple[TeamMembership, list[str]]] = []
    to_add: list[forms.ModelForm[TeamMembership]] = []
    lead_changes: list[tuple[TeamMembership, bool]] = []
    for row in formset.forms:
        stored = TeamMembership.objects.filter(pk=row.instance.pk).first() if row.instance.pk else None
        if stored is None:
            if row.has_changed() and row not in formset.deleted_forms:
                to_add.append(row)
        elif row in formset.deleted_forms:
            removed.append(stored)
        elif row.cleaned_data["user"] != stored.user:
            removed.append(stored)  # a row given to someone else: the person leaves, another joins
            to_add.append(row)
        elif row.cleaned_data["is_lead"] != stored.is_lead:
            lead_changes.append((stored, row.cleaned_data["is_lead"]))
    # Removals first, so a person moved from one row to another is not refused as a duplicate.
    for membership in removed:
        services.team_member_remove(actor=actor, team=team, user=membership.user)
    for membership, is_lead in lead_changes:
        services.team_lead_set(actor=actor, team=team, user=membership.user, is_lead=is_lead)
        changed.append((membership, ["is_lead"]))
    added = [
        services.team_member_add(
            actor=actor, team=team, user=row.cleaned_data["user"], is_lead=row.cleaned_data["is_lead"]
        )
        for row in to_add
    ]
    # What formset.save() would have set, for the admin's own change message.
    formset.new_objects, formset.changed_objects, formset.deleted_objects = added, changed, removed


@admin.register(Team)
class TeamAdmin(ServiceAdmin[Team]):
    list_display = ["code", "name_zh", "name_en", "unit", "is_active"]
    fields = ["unit", "code", "name_zh", "name_en", "is_active"]
    inlines = [TeamMembershipInline]

    def service_create(self, *, actor: User, data: dict[str, Any]) -> Team:
        return services.team_create(
            actor=actor,
            unit=data["unit"],
            code=data["code"],
            name_zh=data["name_zh"],
            name_en=data["name_en"],
            is_active=data["is_active"],
        )

    def service_update(self, *, actor: User, obj: Team, data: dict[str, Any]) -> None:
        services.team_update(
            actor=actor,
            team=obj,
            unit=data["unit"],
            code=data["code"],
            name_zh=data["name_zh"],
            name_en=data["name_en"],
            is_active=data["is_active"],
        )

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm[Team], formsets: Any, change: bool
    ) -> None:
        team = Team.objects.get(pk=form.instance.pk)
        for formset in formsets:  # the one inline: memberships
            _memberships_save(actor=request_user(request), team=team, formset=formset)

    def delete_model(self, request: HttpRequest, obj: Team) -> None:
        services.team_delete(actor=request_user(request), team=obj)


@admin.register(OrgUnit)
class OrgUnitAdmin(ServiceAdmin[OrgUnit]):
    list_display = ["code", "name_zh", "name_en", "kind", "parent"]
    fields = ["code", "name_zh", "name_en", "kind", "parent", "path"]
    readonly_fields = ["path"]

    def service_create(self, *, actor: User, data: dict[str, Any]) -> OrgUnit:
        return services.org_unit_create(
            actor=actor,
            code=data["code"],
            name_zh=data["name_zh"],
            name_en=data["name_en"],
            kind=data["kind"],
            parent=data["parent"],
        )

    def service_update(self, *, actor: User, obj: OrgUnit, data: dict[str, Any]) -> None:
        services.org_unit_update(
            actor=actor,
            unit=obj,
            code=data["code"],
            name_zh=data["name_zh"],
            name_en=data["name_en"],
            kind=data["kind"],
        )
        services.org_unit_move(actor=actor, unit=obj, parent=data["parent"])

    def delete_model(self, request: HttpRequest, obj: OrgUnit) -> None:
        services.org_unit_delete(actor=request_user(request), unit=obj)


@admin.register(CustomerOrganisation)
class CustomerOrganisationAdmin(ServiceAdmin[CustomerOrganisation]):
    """Organisations are added through the audited service; once recorded, they are not edited here."""

    list_display = ["name", "unified_social_credit_code"]
    search_fields = ["name"]

    def has_change_permission(self, request: HttpRequest, obj: CustomerOrganisation | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: CustomerOrganisation | None = None) -> bool:
        return False

    def service_create(self, *, actor: User, data: dict[str, Any]) -> CustomerOrganisation:
        return services.customer_organisation_create(
            actor=actor, name=data["name"], unified_social_credit_code=data["unified_social_credit_code"]
        )


@admin.register(Qualification)
class QualificationAdmin(ServiceAdmin[Qualification]):
    """Qualifications are added through the audited service; their grants come from certificates only."""

    list_display = ["code", "name_zh", "name_en"]
    search_fields = ["code", "name_zh", "name_en"]

    def has_change_permission(self, request: HttpRequest, obj: Qualification | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Qualification | None = None) -> bool:
        return False

    def service_create(self, *, actor: User, data: dict[str, Any]) -> Qualification:
        return services.qualification_create(
            actor=actor, code=data["code"], name_zh=data["name_zh"], name_en=data.get("name_en", "")
        )


@admin.register(QualificationGrant)
class QualificationGrantAdmin(admin.ModelAdmin[QualificationGrant]):
    """Grants are written by the certificates of training (and revoked with them); here they are only read."""

    list_display = ["user", "qualification", "valid_from", "valid_until", "source", "revoked_at"]
    list_filter = ["qualification"]
    search_fields = ["source", "user__username"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: QualificationGrant | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: QualificationGrant | None = None) -> bool:
        return False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin[Customer]):
    """Customers are recorded by intake and the desk; here they are only listed. Linking a customer to a user
    account opens that customer's cases to whoever signs in with it, so it is not a field to edit here."""

    # Personal data is not shown here: the admin cannot mask it or audit who saw it.
    list_display = ["__str__", "organisation", "language", "created_at"]
    fields = ["organisation", "language", "user"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Customer | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Customer | None = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """API tokens, listed to see who holds one, until when and whether it was used; a token lets its holder
    act as him, so one is never created or edited here (he makes it himself) and its secret is never
    stored, so never shown. Revoking goes through the audited service (an action); rows are kept."""

    list_display = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_reason"]
    search_fields = ["user__username", "name", "prefix"]
    fields = (
        "user",
        "name",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "revoked_reason",
    )
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected API tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        actor = request_user(request)
        try:
            with transaction.atomic():
                count = sum(
                    api_token_revoke(actor=actor, token=token, reason=RevokeReason.ADMIN)
                    for token in queryset.select_related("user")
                )
        except DomainError as error:
            self.message_user(request, str(error.message), messages.ERROR)
            return
        self.message_user(request, gettext("%(count)d API tokens revoked.") % {"count": count})
