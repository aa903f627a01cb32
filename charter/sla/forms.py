"""Forms of the SLA desk. They check the shape of the input; the services decide the rest."""

import datetime as dt
import json
import zoneinfo
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.accounts.models import OrgUnit
from charter.catalog.models import Channel, Service
from charter.common.errors import DomainError
from charter.common.parsers import json_loads_limited
from charter.common.vocabulary import CaseKind, Priority
from charter.sla.models import (
    BusinessCalendar,
    CalendarDay,
    Metric,
    SlaPolicy,
    TargetUnit,
    TimeBasis,
    Weekday,
)
from charter.sla.selectors import parse_day_intervals
from charter.sla.services import PolicyContent

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
MAX_IMPORT_BYTES = 1_000_000


def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name or name == "UTC"]


class CalendarForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"),
        max_length=50,
        help_text=_("A short, permanent name in lower-case letters, digits and hyphens."),
    )
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_time_zone_choices, initial="Asia/Shanghai")
    is_24x7 = forms.BooleanField(
        label=_("Open 24 hours, 7 days"),
        required=False,
        help_text=_("Every moment counts as working time; hours and holidays are ignored."),
    )
    is_default = forms.BooleanField(
        label=_("Default calendar"),
        required=False,
        help_text=_("Used by every team whose unit has no calendar of its own."),
    )


class CalendarEditForm(CalendarForm):
    """The same as CalendarForm without the code, which never changes, and the default flag (an action)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["code"]
        del self.fields["is_default"]


class IntervalForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Weekday"), choices=Weekday.choices, coerce=int)
    start = forms.TimeField(label=_("Starts at"), widget=TIME)
    end = forms.TimeField(
        label=_("Ends at"), widget=TIME, help_text=_("00:00 means midnight at the end of the day.")
    )


class _HoursMixin(forms.Form):
    """Up to three intervals of working hours, each a pair of optional fields."""

    PAIRS = 3

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number in range(1, self.PAIRS + 1):
            self.fields[f"start_{number}"] = forms.TimeField(
                label=_("Hours %(number)s: from") % {"number": number}, required=False, widget=TIME
            )
            self.fields[f"end_{number}"] = forms.TimeField(
                label=_("Hours %(number)s: to") % {"number": number},
                required=False,
                widget=TIME,
                help_text=_("00:00 means midnight at the end of the day.") if number == 1 else "",
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for number in range(1, self.PAIRS + 1):
            if (data.get(f"start_{number}") is None) != (data.get(f"end_{number}") is None):
                self.add_error(f"end_{number}", _("Give both the start and the end, or neither."))
        return data

    def hours(self) -> list[tuple[dt.time, dt.time]]:
        """The intervals entered, in order."""
        pairs = []
        for number in range(1, self.PAIRS + 1):
            start, end = self.cleaned_data.get(f"start_{number}"), self.cleaned_data.get(f"end_{number}")
            if start is not None and end is not None:
                pairs.append((start, end))
        return pairs

    @staticmethod
    def initial_hours(intervals: list[tuple[dt.time, dt.time]]) -> dict[str, dt.time]:
        initial = {}
        for number, (start, end) in enumerate(intervals, start=1):
            initial[f"start_{number}"], initial[f"end_{number}"] = start, end
        return initial


class WeekForm(_HoursMixin):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"), choices=Weekday.choices, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    field_order = ["weekdays"]


class DayForm(_HoursMixin):
    PAIRS = 2

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarDay.Kind.choices)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        required=False,
        help_text=_("Where the arrangement comes from, e.g. the State Council notice and its number."),
    )

    field_order = ["date", "kind", "name_zh", "name_en", "source"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start_1"].help_text = _("A make-up working day without hours works Monday's hours.")

    @classmethod
    def initial_from(cls, day: CalendarDay) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(day, name) for name in ("date", "kind", "name_zh", "name_en", "source")
        }
        initial.update(cls.initial_hours(list(parse_day_intervals(day.intervals or []))))
        return initial


class DayEditForm(DayForm):
    """The same as DayForm without the date, which never changes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["date"]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Holiday file (JSON)"),
        help_text=_("The file's year, source and days: [{date, kind, name_zh, name_en}]."),
    )
    replace_year = forms.BooleanField(
        label=_("Replace the year"),
        required=False,
        help_text=_("Also remove this calendar's entries of that year that the file does not list."),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is too large for a holiday file."))
        try:
            return json_loads_limited(upload.read())
        except DomainError as error:
            raise forms.ValidationError(str(error.message), code=error.code) from error
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise forms.ValidationError(_("The file is not valid JSON.")) from error


class AssignForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.order_by("path"))


class PolicyForm(forms.Form):
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    case_kinds = forms.MultipleChoiceField(
        label=_("Case kinds"),
        choices=CaseKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any."),
    )
    priorities = forms.MultipleChoiceField(
        label=_("Priorities"),
        choices=Priority.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any."),
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any."),
    )
    customer_groups = forms.CharField(
        label=_("Customer groups"),
        required=False,
        help_text=_("Codes separated by commas, e.g. vip, enterprise. Empty: any."),
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Services"),
        queryset=Service.objects.order_by("slug"),
        required=False,
        help_text=_("None chosen: any."),
    )
    calendar = forms.ModelChoiceField(
        label=_("Calendar"),
        queryset=BusinessCalendar.objects.order_by("code"),
        required=False,
        help_text=_("Leave empty to count in the calendar of the team handling the case."),
    )
    warn_at_share = forms.DecimalField(
        label=_("Warn at share of target"),
        min_value=Decimal("0.50"),
        max_value=Decimal("0.99"),
        decimal_places=2,
        initial=Decimal("0.75"),
        help_text=_("For example 0.75: warn when three quarters of the time has passed."),
    )
    notify_assignee = forms.BooleanField(
        label=_("Notify the assignee on breach"), required=False, initial=True
    )
    notify_supervisor = forms.BooleanField(
        label=_("Notify the supervisor on breach"), required=False, initial=True
    )
    raise_priority = forms.BooleanField(label=_("Raise the priority on breach"), required=False)
    reassign_to_team_lead = forms.BooleanField(label=_("Reassign to the team lead on breach"), required=False)

    def content(self) -> PolicyContent:
        """The policy as the services take it."""
        data = self.cleaned_data
        groups = [group.strip() for group in data["customer_groups"].split(",") if group.strip()]
        # The form writes groups as one comma-separated text and services as a queryset.
        return PolicyContent.from_data(
            {**data, "customer_groups": groups, "services": list(data["services"])}
        )

    @staticmethod
    def initial_from(policy: SlaPolicy) -> dict[str, Any]:
        names = (
            "name_zh",
            "name_en",
            "is_active",
            "case_kinds",
            "priorities",
            "channels",
            "calendar",
            "warn_at_share",
            "notify_assignee",
            "notify_supervisor",
            "raise_priority",
            "reassign_to_team_lead",
        )
        initial: dict[str, Any] = {name: getattr(policy, name) for name in names}
        initial["customer_groups"] = ", ".join(policy.customer_groups)
        initial["services"] = list(policy.services.all())
        return initial


class TargetForm(forms.Form):
    metric = forms.ChoiceField(label=pgettext_lazy("metric", "Measure"), choices=Metric.choices)
    amount = forms.IntegerField(label=_("Target"), min_value=1, max_value=100000)
    unit = forms.ChoiceField(label=_("Unit"), choices=TargetUnit.choices)
    basis = forms.ChoiceField(
        label=_("Counted in"), choices=TimeBasis.choices, initial=TimeBasis.WORKING_TIME
    )
