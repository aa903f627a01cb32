"""Forms of the reports desk. They check the shape of the input; the services decide the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _


class DisclosureForm(forms.Form):
    show_cases_handled = forms.BooleanField(label=_("Show the number of cases handled"), required=False)
    show_commitments = forms.BooleanField(label=_("Show how often each commitment was kept"), required=False)
    show_satisfaction = forms.BooleanField(label=_("Show the satisfaction score"), required=False)
    minimum_sample = forms.IntegerField(
        label=_("Minimum sample to publish a share"),
        min_value=1,
        max_value=100000,
        help_text=_(
            "A share (commitment kept, satisfaction) based on fewer cases or answers is not published; "
            "the page says so instead."
        ),
    )


class SubscriptionForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of the report"), choices=[("zh-hans", "中文"), ("en", "English")]
    )


class MonthForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text=_("The month to report on, e.g. 2026-11."),
    )
