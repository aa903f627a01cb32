"""Serializers of the SLA API: output shapes for reading, input shapes that only check form.

Some choice fields are described by a pattern instead of an enum, so that the schema's enum components never
collide with other apps' (see the note above MetricField).
"""

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from charter.accounts.models import OrgUnit
from charter.catalog.models import Channel, Service
from charter.common.vocabulary import CaseKind, Priority
from charter.sla.models import (
    BusinessCalendar,
    CalendarDay,
    Metric,
    SlaPolicy,
    SlaPolicyTarget,
    TargetUnit,
    TimeBasis,
    WorkingInterval,
)


def _choice(choices: type[TextChoices]) -> Callable[..., serializers.ChoiceField]:
    def field(**kwargs: Any) -> serializers.ChoiceField:
        return serializers.ChoiceField(choices=choices.choices, **kwargs)

    return field


class _PatternChoiceField(serializers.ChoiceField):
    """A choice field described by a pattern rather than an enum component in the schema."""

    choice_set: type[TextChoices]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=self.choice_set.choices, **kwargs)


def _pattern_choice(choices: type[TextChoices], name: str) -> type[_PatternChoiceField]:
    values = [str(value) for value in choices.values]
    schema = {"type": "string", "pattern": f"^({'|'.join(values)})$", "description": ", ".join(values)}
    return extend_schema_field(schema)(type(name, (_PatternChoiceField,), {"choice_set": choices}))


# Metric and channels are the catalogue's choice sets under the catalogue's names, so the schema shares
# their enum components. The others are described by a pattern: other apps name the same sets differently
# (target_unit, time_basis, priority) or other sets the same (kind), and enum components must not collide.
MetricField = _choice(Metric)
ChannelField = _choice(Channel)
TargetUnitField = _pattern_choice(TargetUnit, "TargetUnitField")
TimeBasisField = _pattern_choice(TimeBasis, "TimeBasisField")
CaseKindField = _pattern_choice(CaseKind, "CaseKindField")
PriorityField = _pattern_choice(Priority, "PriorityField")
DayKindField = _pattern_choice(CalendarDay.Kind, "DayKindField")


@extend_schema_field(
    {"type": "integer", "minimum": 0, "maximum": 6, "description": "0 = Monday … 6 = Sunday"}
)
class WeekdayField(serializers.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=0, max_value=6, **kwargs)


@extend_schema_field(
    {"type": "string", "example": "17:30", "description": "HH:MM; 24:00 (or 00:00) is midnight"}
)
class EndTimeField(serializers.TimeField):
    """A time of day; as an interval's end, "24:00" and "00:00" both mean midnight at the end of the day."""

    def to_internal_value(self, value: Any) -> dt.time:
        if isinstance(value, str) and value.strip() == "24:00":
            return dt.time(0)
        return super().to_internal_value(value)


# Output -------------------------------------------------------------------------------------------------


class SlaIntervalOutputSerializer(serializers.ModelSerializer[WorkingInterval]):
    weekday = WeekdayField()
    start = serializers.TimeField(format="%H:%M")
    end = serializers.TimeField(format="%H:%M", help_text=_("00:00 means midnight at the end of the day."))

    class Meta:
        model = WorkingInterval
        fields = ["id", "weekday", "start", "end"]


class SlaUnitOutputSerializer(serializers.ModelSerializer[OrgUnit]):
    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name_zh", "name_en"]


class SlaCalendarOutputSerializer(serializers.ModelSerializer[BusinessCalendar]):
    intervals = SlaIntervalOutputSerializer(many=True, read_only=True)
    units = serializers.SerializerMethodField()

    class Meta:
        model = BusinessCalendar
        fields = [
            "id",
            "code",
            "name_zh",
            "name_en",
            "time_zone",
            "is_default",
            "is_24x7",
            "version",
            "updated_at",
            "intervals",
            "units",
        ]

    @extend_schema_field(SlaUnitOutputSerializer(many=True))
    def get_units(self, calendar: BusinessCalendar) -> list[dict[str, Any]]:
        """The units this calendar is assigned to (their sub-units inherit it)."""
        return [dict(SlaUnitOutputSerializer(a.unit).data) for a in calendar.assignments.all()]


class SlaDayIntervalSerializer(serializers.Serializer[Any]):
    start = serializers.TimeField(format="%H:%M")
    end = EndTimeField(format="%H:%M")


class SlaDayOutputSerializer(serializers.ModelSerializer[CalendarDay]):
    kind = DayKindField()
    intervals = serializers.SerializerMethodField()

    class Meta:
        model = CalendarDay
        fields = ["id", "date", "kind", "name_zh", "name_en", "source", "intervals"]

    @extend_schema_field(SlaDayIntervalSerializer(many=True))
    def get_intervals(self, day: CalendarDay) -> list[dict[str, str]]:
        """A working day's own hours; empty means the calendar's Monday hours."""
        return [{"start": start, "end": end} for start, end in day.intervals or []]


class SlaTargetOutputSerializer(serializers.ModelSerializer[SlaPolicyTarget]):
    metric = MetricField()
    unit = TargetUnitField()
    basis = TimeBasisField()

    class Meta:
        model = SlaPolicyTarget
        fields = ["id", "metric", "amount", "unit", "basis"]


class SlaPolicyOutputSerializer(serializers.ModelSerializer[SlaPolicy]):
    case_kinds = serializers.ListField(child=CaseKindField())
    priorities = serializers.ListField(child=PriorityField())
    channels = serializers.ListField(child=ChannelField())
    customer_groups = serializers.ListField(child=serializers.CharField())
    services: "serializers.PrimaryKeyRelatedField[Service]" = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    targets = SlaTargetOutputSerializer(many=True, read_only=True)

    class Meta:
        model = SlaPolicy
        fields = [
            "id",
            "name_zh",
            "name_en",
            "ordering",
            "is_active",
            "case_kinds",
            "priorities",
            "channels",
            "customer_groups",
            "services",
            "calendar",
            "warn_at_share",
            "notify_assignee",
            "notify_supervisor",
            "raise_priority",
            "reassign_to_team_lead",
            "targets",
            "updated_at",
        ]


class SlaImportOutputSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    removed = serializers.IntegerField()


class SlaDeadlineOutputSerializer(serializers.Serializer[Any]):
    calendar = serializers.CharField(help_text=_("The calendar's code."))
    start = serializers.DateTimeField(default_timezone=dt.UTC)
    amount = serializers.IntegerField()
    unit = TargetUnitField()
    basis = TimeBasisField()
    deadline = serializers.DateTimeField(default_timezone=dt.UTC, help_text=_("In UTC."))
    deadline_local = serializers.CharField(
        help_text=_("The same moment in the calendar's time zone (ISO 8601 with its offset).")
    )


# Input --------------------------------------------------------------------------------------------------


class SlaCalendarCreateInputSerializer(serializers.Serializer[Any]):
    code = serializers.SlugField(max_length=50)
    name_zh = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    time_zone = serializers.CharField(max_length=64, required=False, default="Asia/Shanghai")
    is_24x7 = serializers.BooleanField(required=False, default=False)
    is_default = serializers.BooleanField(required=False, default=False)


class SlaCalendarUpdateInputSerializer(serializers.Serializer[Any]):
    name_zh = serializers.CharField(max_length=200, required=False, allow_blank=True)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    time_zone = serializers.CharField(max_length=64, required=False)
    is_24x7 = serializers.BooleanField(required=False)


class SlaIntervalInputSerializer(serializers.Serializer[Any]):
    weekday = WeekdayField()
    start = serializers.TimeField()
    end = EndTimeField()


class SlaWeekInputSerializer(serializers.Serializer[Any]):
    weekdays = serializers.ListField(child=WeekdayField(), allow_empty=False)
    intervals = SlaDayIntervalSerializer(many=True)


class SlaDayInputSerializer(serializers.Serializer[Any]):
    date = serializers.DateField()
    kind = DayKindField()
    name_zh = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    source = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")  # type: ignore[assignment]
    intervals = SlaDayIntervalSerializer(many=True, required=False, default=list)


class SlaDayUpdateInputSerializer(SlaDayInputSerializer):
    """The same as SlaDayInputSerializer without the date, which never changes."""

    date = None  # type: ignore[assignment]


class SlaHolidayDayInputSerializer(serializers.Serializer[Any]):
    date = serializers.CharField(help_text=_("YYYY-MM-DD"))
    kind = serializers.CharField(help_text=_("holiday or workday"))
    name_zh = serializers.CharField(required=False, allow_blank=True)
    name_en = serializers.CharField(required=False, allow_blank=True)
    source = serializers.CharField(required=False, allow_blank=True)  # type: ignore[assignment]
    intervals = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField(), min_length=2, max_length=2), required=False
    )


class SlaHolidayFileInputSerializer(serializers.Serializer[Any]):
    """Only describes the file for the schema; the service checks it in full and reports every problem."""

    year = serializers.IntegerField()
    source = serializers.CharField(required=False, allow_blank=True)  # type: ignore[assignment]
    days = SlaHolidayDayInputSerializer(many=True)


class SlaAssignInputSerializer(serializers.Serializer[Any]):
    unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())


class AwareDateTimeField(serializers.DateTimeField):
    """A datetime that must say its time zone: a deadline from a guessed zone would be silently wrong."""

    def enforce_timezone(self, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise serializers.ValidationError(_("Give the time zone, e.g. 2026-03-02T09:00:00+08:00."))
        return super().enforce_timezone(value)


class SlaDeadlineQuerySerializer(serializers.Serializer[Any]):
    start = AwareDateTimeField(help_text=_("When the clock starts, with its time zone (ISO 8601)."))
    amount = serializers.IntegerField(min_value=0, max_value=100000)
    unit = TargetUnitField()
    basis = TimeBasisField(required=False, default=TimeBasis.WORKING_TIME)


class SlaTargetInputSerializer(serializers.Serializer[Any]):
    metric = MetricField()
    amount = serializers.IntegerField(min_value=1, max_value=100000)
    unit = TargetUnitField()
    basis = TimeBasisField()


class SlaPolicyInputSerializer(serializers.Serializer[Any]):
    name_zh = serializers.CharField(max_length=200, allow_blank=True)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    is_active = serializers.BooleanField(required=False, default=True)
    case_kinds = serializers.ListField(child=CaseKindField(), required=False, default=list)
    priorities = serializers.ListField(child=PriorityField(), required=False, default=list)
    channels = serializers.ListField(child=ChannelField(), required=False, default=list)
    customer_groups = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, default=list
    )
    services: "serializers.PrimaryKeyRelatedField[Service]" = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Service.objects.all(), required=False, default=list
    )
    calendar: "serializers.PrimaryKeyRelatedField[BusinessCalendar]" = serializers.PrimaryKeyRelatedField(
        queryset=BusinessCalendar.objects.all(), required=False, allow_null=True, default=None
    )
    warn_at_share = serializers.DecimalField(
        max_digits=3, decimal_places=2, required=False, default=Decimal("0.75")
    )
    notify_assignee = serializers.BooleanField(required=False, default=True)
    notify_supervisor = serializers.BooleanField(required=False, default=True)
    raise_priority = serializers.BooleanField(required=False, default=False)
    reassign_to_team_lead = serializers.BooleanField(required=False, default=False)
    targets = SlaTargetInputSerializer(many=True, required=False)


class SlaReorderInputSerializer(serializers.Serializer[Any]):
    order = serializers.ListField(
        child=serializers.IntegerField(), help_text=_("Every policy's id, the first to be tried first.")
    )


def time_pairs(items: Sequence[dict[str, dt.time]]) -> list[tuple[dt.time, dt.time]]:
    """Turn validated [{start, end}] items into (start, end) pairs for the services."""
    return [(item["start"], item["end"]) for item in items]
