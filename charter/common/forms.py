"""Form helpers shared by the apps' HTML views."""

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, TypeVar, cast

from django import forms
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import pgettext_lazy

from charter.common.dates import day_end, day_start
from charter.common.errors import DomainError

_M = TypeVar("_M", bound=models.Model)


def form_add_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Show a service's refusal on the form: on its field when the user sees that field, else above the form
    (an error on a hidden or missing field would be shown nowhere)."""
    field = error.field if error.field in form.fields and not form[error.field].is_hidden else None
    form.add_error(field, forms.ValidationError(str(error.message), code=error.code))


# Filters ------------------------------------------------------------------------------------------------

# The empty choice of every filter: no filter, everything shown.
ALL = pgettext_lazy("filter", "All")


def choices_with_all(choices: Iterable[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Return `choices` after the empty choice "All" (全部), replacing any empty choice they had."""
    return [("", ALL), *((value, label) for value, label in choices if value not in ("", None))]


class IsoDateInput(forms.DateInput):
    """A date picker whose value is always ISO (YYYY-MM-DD), the only form `<input type="date">` reads.

    Django fills a date input in the active language's format, 2025/12/01 in Chinese, and the browser then
    shows the picker blank and drops the date when the form is sent again."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class IsoDateTimeInput(forms.DateTimeInput):
    """A date-and-time picker whose value is always ISO (YYYY-MM-DDTHH:MM), the only form
    `<input type="datetime-local">` reads; as with IsoDateInput, Django's localised format would blank it."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class FilterForm(forms.Form):
    """A form that narrows a list: the empty choice of each optional choice field reads "All" (全部), never
    Django's "---------" nor a label of its own. Use `IsoDateInput` for its dates.

    A field named in `specific_empty_labels` keeps its own empty label, for an empty choice that means
    something narrower than everything (the open cases only, the version in force). Choices set after
    `__init__` are given their "All" with `choices_with_all`.
    """

    specific_empty_labels: tuple[str, ...] = ()
    # For `filtered`: the rows' lookup each field narrows to its value ({"agent": "agent"}), and the
    # datetime lookup that the fields `since` and `until` (whole days in the current time zone) bound.
    exact_lookups: ClassVar[Mapping[str, str]] = {}
    period_lookup: ClassVar[str] = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name in self.specific_empty_labels or field.required:
                continue
            if isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
                continue
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = ALL
            elif isinstance(field, forms.ChoiceField):
                # Normalised by Django to (value, label) pairs; filters have no groups.
                choices = list(cast(Iterable[tuple[Any, Any]], field.choices))
                if any(value in ("", None) for value, _label in choices):
                    field.choices = choices_with_all(choices)

    def filtered(self, rows: QuerySet[_M]) -> QuerySet[_M]:
        """Return `rows` narrowed by the form's values (`exact_lookups`, `period_lookup`); no rows when the
        form is not valid, so a mistyped date never shows everything."""
        if not self.is_valid():
            return rows.none()
        data = self.cleaned_data
        for name, lookup in self.exact_lookups.items():
            if data.get(name):
                rows = rows.filter(**{lookup: data[name]})
        if self.period_lookup and data.get("since"):
            rows = rows.filter(**{f"{self.period_lookup}__gte": day_start(data["since"])})
        if self.period_lookup and data.get("until"):
            rows = rows.filter(**{f"{self.period_lookup}__lt": day_end(data["until"])})
        return rows
