from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Customer, CustomerOrganisation, OrgUnit, Team, TeamMembership, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Preferences"), {"fields": ("display_name", "language", "time_zone")}),
    )
    list_display = ["username", "display_name", "email", "is_active", "is_staff"]


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "unit", "is_active"]
    inlines = [TeamMembershipInline]


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "kind", "parent"]
    readonly_fields = ["path"]


@admin.register(CustomerOrganisation)
class CustomerOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "unified_social_credit_code"]
    search_fields = ["name"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    # Personal data is not shown here: the admin cannot mask it or audit who saw it.
    list_display = ["__str__", "organisation", "language", "created_at"]
    fields = ["organisation", "language", "user"]
