"""Django admin for calendars and SLA policies: read-only views for browsing and support.

Every change goes through the desk at /desk/sla/ (or the API), whose services validate, version the
calendars and write the audit trail; the admin offers no way around them.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from charter.sla.models import (
    BusinessCalendar,
    CalendarDay,
    SlaCalendarAssignment,
    SlaPolicy,
    SlaPolicyTarget,
    WorkingInterval,
)


class ReadOnlyMixin:
    """Show rows, change none: changes are made on the desk, through the services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class WorkingIntervalInline(ReadOnlyMixin, admin.TabularInline[WorkingInterval, BusinessCalendar]):
    model = WorkingInterval
    fields = ["weekday", "start", "end"]
    extra = 0


class CalendarDayInline(ReadOnlyMixin, admin.TabularInline[CalendarDay, BusinessCalendar]):
    model = CalendarDay
    fields = ["date", "kind", "name_zh", "name_en", "intervals", "source"]
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(ReadOnlyMixin, admin.ModelAdmin[BusinessCalendar]):
    list_display = [
        "code",
        "name_zh",
        "name_en",
        "time_zone",
        "is_default",
        "is_24x7",
        "version",
        "updated_at",
    ]
    list_filter = ["is_default", "is_24x7", "time_zone"]
    search_fields = ["code", "name_zh", "name_en"]
    inlines = [WorkingIntervalInline, CalendarDayInline]


@admin.register(CalendarDay)
class CalendarDayAdmin(ReadOnlyMixin, admin.ModelAdmin[CalendarDay]):
    list_display = ["date", "calendar", "kind", "name_zh", "name_en", "source"]
    list_filter = ["calendar", "kind"]
    search_fields = ["name_zh", "name_en", "source"]
    date_hierarchy = "date"


@admin.register(SlaCalendarAssignment)
class SlaCalendarAssignmentAdmin(ReadOnlyMixin, admin.ModelAdmin[SlaCalendarAssignment]):
    list_display = ["unit", "calendar"]
    list_select_related = ["unit", "calendar"]


class SlaPolicyTargetInline(ReadOnlyMixin, admin.TabularInline[SlaPolicyTarget, SlaPolicy]):
    model = SlaPolicyTarget
    fields = ["metric", "amount", "unit", "basis"]
    extra = 0


@admin.register(SlaPolicy)
class SlaPolicyAdmin(ReadOnlyMixin, admin.ModelAdmin[SlaPolicy]):
    list_display = ["name_zh", "name_en", "ordering", "is_active", "calendar", "warn_at_share"]
    list_filter = ["is_active"]
    search_fields = ["name_zh", "name_en"]
    inlines = [SlaPolicyTargetInline]
