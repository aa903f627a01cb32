"""Forms of the retention and legal-hold pages: they check shape; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.privacy.holds import REASON_MAX
from charter.privacy.retention import KEEP_DAYS_MAX


class ScheduleForm(forms.Form):
    keep_days = forms.IntegerField(label=_("Kept for (days)"), min_value=1, max_value=KEEP_DAYS_MAX)
    is_active = forms.BooleanField(label=pgettext_lazy("retention", "Runs"), required=False)


class HoldPlaceForm(forms.Form):
    on = forms.ChoiceField(
        label=_("Hold"),
        choices=[
            ("case", pgettext_lazy("legal hold", "one case, by its number")),
            ("customer", pgettext_lazy("legal hold", "a customer and all his cases")),
        ],
        widget=forms.RadioSelect,
        initial="case",
    )
    case_number = forms.CharField(label=_("Case number"), max_length=30, required=False)
    phone = forms.CharField(label=_("Customer's phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("Customer's e-mail"), max_length=254, required=False)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The matter, the authority or the request the hold is for."),
    )


class HoldReleaseForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the release"), max_length=REASON_MAX)
