"""The audit viewer's filters: person, object type and action chosen from what the log holds, and days."""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.audit.actions import action_choices

if TYPE_CHECKING:
    from charter.accounts.models import User

ALL = pgettext_lazy("audit filter", "All")


def _person(user: "User") -> str:
    name, username = str(user), user.get_username()
    return name if name == username else f"{name} ({username})"


class AuditFilterForm(forms.Form):
    """Narrow the audit trail. `actors`, `target_types` (label, name) and `actions` (codes) are the values
    the log holds (charter.audit.selectors); `target_id` comes only from an event's link to its object's
    history, so it is hidden."""

    actor = forms.TypedChoiceField(label=_("Person"), required=False, coerce=int, empty_value=None)
    target_type = forms.ChoiceField(label=_("Object type"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    target_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(
        self,
        data: Any = None,
        *,
        actors: Sequence["User"] = (),
        target_types: Sequence[tuple[str, str]] = (),
        actions: Sequence[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.fields["actor"].choices = [("", ALL), *((user.pk, _person(user)) for user in actors)]  # type: ignore[attr-defined]
        self.fields["target_type"].choices = [("", ALL), *target_types]  # type: ignore[attr-defined]
        self.fields["action"].choices = [("", ALL), *action_choices(actions)]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end comes before the start."))
        return cleaned
