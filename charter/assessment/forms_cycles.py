"""Forms of the cycle pages: opening a cycle, the cycle's steps, calibration and deciding an appeal.

They check the shape of the input only; the services in charter/assessment/cycles.py decide the rest, and
every form of a change carries the row's `lock_version` (hidden `version`) for optimistic locking.
"""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from charter.assessment.models import Appeal, Scheme
from charter.common.forms import IsoDateInput

GradeChoices = Sequence[tuple[str, Any]]


class CycleOpenForm(forms.Form):
    """Open the cycle of a scheme for the period starting on a given day."""

    scheme = forms.ModelChoiceField(label=_("Scheme"), queryset=Scheme.objects.order_by("code"))
    period_start = forms.DateField(
        label=_("Period starts"),
        widget=IsoDateInput(),
        help_text=_("The first day of the period: the 1st of a month, of a quarter or of January."),
    )


class VersionForm(forms.Form):
    """A step of the cycle without input of its own (advance, recalculate, approve, close)."""

    version = forms.IntegerField(widget=forms.HiddenInput())


class CycleReturnForm(VersionForm):
    """The head sends the cycle back to calibration, saying why."""

    reason = forms.CharField(
        label=_("Why the cycle goes back"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the cycle goes back.")},
    )


class CalibrateForm(VersionForm):
    """Change one scorecard's grade at calibration, with the reason (required)."""

    grade = forms.ChoiceField(label=_("Grade"))
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the grade changes.")},
    )

    def __init__(self, *args: Any, grades: GradeChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grade: Any = self.fields["grade"]
        grade.choices = list(grades)


DECISIONS = [
    (value, label)
    for value, label in Appeal.Status.choices
    if value in (Appeal.Status.UPHELD, Appeal.Status.PARTLY, Appeal.Status.REJECTED)
]


class AppealDecideForm(VersionForm):
    """Decide an appeal: upheld or partly upheld with the grade after the decision, or rejected."""

    status = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    new_grade = forms.ChoiceField(
        label=_("Grade after the decision"),
        required=False,
        help_text=_("Needed when the appeal is upheld or partly upheld."),
    )
    decision = forms.CharField(label=_("Reasons for the decision"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, grades: GradeChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        new_grade: Any = self.fields["new_grade"]
        new_grade.choices = [("", "—"), *grades]
