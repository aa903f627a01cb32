"""Forms of the catalogue desk and the public filter. They check shape only; the services decide the rules."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import OrgUnit, Qualification
from charter.catalog.models import Channel, FeeItem, ServiceCategory, ServiceCommitment, ServiceVersion
from charter.common.forms import FilterForm, IsoDateTimeInput
from charter.common.money import parse_amount


class AmountField(forms.Field):
    """An amount in CNY, such as 12.50: two decimal places at most, never negative (see parse_amount)."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values:
            return None
        return parse_amount(str(value).strip())


_category = forms.fields_for_model(
    ServiceCategory, fields=["slug", "name_zh", "name_en", "description_zh", "description_en", "ordering"]
)


class ServiceCategoryForm(forms.Form):
    slug = _category["slug"]
    name_zh = _category["name_zh"]
    name_en = _category["name_en"]
    description_zh = _category["description_zh"]
    description_en = _category["description_en"]
    ordering = _category["ordering"]

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            # The slug is part of public addresses; it never changes once created.
            self.fields["slug"].disabled = True
            self.fields["slug"].required = False


_service = forms.fields_for_model(ServiceVersion, fields=["name_zh", "name_en", "summary_zh", "summary_en"])


class ServiceSettingsForm(forms.Form):
    category = forms.ModelChoiceField(label=_("category"), queryset=ServiceCategory.objects.all())
    org_unit = forms.ModelChoiceField(label=_("offered by"), queryset=OrgUnit.objects.all(), required=False)
    ordering = forms.IntegerField(label=_("ordering"), min_value=0, initial=0)
    is_active = forms.BooleanField(
        label=_("active"),
        required=False,
        initial=True,
        help_text=_("Untick to take the service off the charter."),
    )
    required_qualification = forms.ModelChoiceField(
        label=_("qualification required"),
        queryset=Qualification.objects.order_by("code"),
        required=False,
        help_text=_("Cases of this service are routed only to staff holding a valid certificate for it."),
    )


class ServiceCreateForm(forms.Form):
    slug = forms.SlugField(
        label=_("slug"),
        max_length=80,
        help_text=_("Part of the public address, such as water-connection. It cannot change later."),
    )
    category = forms.ModelChoiceField(label=_("category"), queryset=ServiceCategory.objects.all())
    org_unit = forms.ModelChoiceField(label=_("offered by"), queryset=OrgUnit.objects.all(), required=False)
    ordering = forms.IntegerField(label=_("ordering"), min_value=0, initial=0)
    name_zh = _service["name_zh"]
    name_en = _service["name_en"]
    summary_zh = _service["summary_zh"]
    summary_en = _service["summary_en"]


_content = forms.fields_for_model(
    ServiceVersion,
    fields=[
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
        "opening_hours_zh",
        "opening_hours_en",
    ],
)


class VersionContentForm(forms.Form):
    name_zh = _content["name_zh"]
    name_en = _content["name_en"]
    summary_zh = _content["summary_zh"]
    summary_en = _content["summary_en"]
    description_zh = _content["description_zh"]
    description_en = _content["description_en"]
    eligibility_zh = _content["eligibility_zh"]
    eligibility_en = _content["eligibility_en"]
    required_documents_zh = _content["required_documents_zh"]
    required_documents_en = _content["required_documents_en"]
    steps_zh = _content["steps_zh"]
    steps_en = _content["steps_en"]
    channels = forms.MultipleChoiceField(
        label=_("channels"), choices=Channel.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    opening_hours_zh = _content["opening_hours_zh"]
    opening_hours_en = _content["opening_hours_en"]


_fee = forms.fields_for_model(
    FeeItem, fields=["name_zh", "name_en", "unit_zh", "unit_en", "conditions_zh", "conditions_en", "is_free"]
)


class FeeItemForm(forms.Form):
    name_zh = _fee["name_zh"]
    name_en = _fee["name_en"]
    is_free = _fee["is_free"]
    amount = AmountField(
        label=_("amount (CNY)"), required=False, help_text=_("Such as 12.50; leave empty for a free item.")
    )
    unit_zh = _fee["unit_zh"]
    unit_en = _fee["unit_en"]
    conditions_zh = _fee["conditions_zh"]
    conditions_en = _fee["conditions_en"]
    ordering = forms.IntegerField(label=_("ordering"), min_value=0, initial=0)


_commitment = forms.fields_for_model(
    ServiceCommitment,
    fields=[
        "metric",
        "target_amount",
        "target_unit",
        "time_basis",
        "case_kind",
        "priority",
        "wording_zh",
        "wording_en",
    ],
)


class ServiceCommitmentForm(forms.Form):
    metric = _commitment["metric"]
    target_amount = forms.IntegerField(label=_("target"), min_value=1, max_value=100_000)
    target_unit = _commitment["target_unit"]
    time_basis = _commitment["time_basis"]
    case_kind = _commitment["case_kind"]
    priority = _commitment["priority"]
    wording_zh = _commitment["wording_zh"]
    wording_en = _commitment["wording_en"]
    ordering = forms.IntegerField(label=_("ordering"), min_value=0, initial=0)


class PublishForm(forms.Form):
    effective_at = forms.DateTimeField(
        label=_("effective from"),
        widget=IsoDateTimeInput(),
        help_text=_(
            "In your time zone. It may lie in the future; until then the current version stays in force."
        ),
    )
    change_note_zh = forms.CharField(label=_("change note (Chinese)"), required=False, widget=forms.Textarea)
    change_note_en = forms.CharField(label=_("change note (English)"), required=False, widget=forms.Textarea)


class ServiceFilterForm(FilterForm):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=ServiceCategory.objects.all(), required=False, to_field_name="slug"
    )
    q = forms.CharField(label=_("Keyword"), required=False, max_length=100)
