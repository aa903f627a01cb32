"""The audit viewer's filters: person, object type and action chosen from what the log holds, and days."""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from charter.audit.actions import action_choices
from charter.common.forms import FilterForm, IsoDateInput, choices_with_all

if TYPE_CHECKING:
    from charter.accounts.models import User


def _person(user: "User") -> str:
    name, username = str(user), user.get_username()
    return name if name == username else f"{name} ({username})"


class AuditFilterForm(FilterForm):
    """Narrow the audit trail. `actors`, `target_types` (label, name) and `actions` (codes) are the values
    the log holds (charter.audit.selectors); `target_id` comes only from an event's link to its object's
    history, so it is hidden."""

    actor = forms.TypedChoiceField(label=_("Person"), required=False, coerce=int, empty_value=None)
    target_type = forms.ChoiceField(label=_("Object type"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=IsoDateInput())
    until = forms.DateField(label=_("To"), required=False, widget=IsoDateInput())
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
        self.fields["actor"].choices = choices_with_all((user.pk, _person(user)) for user in actors)  # type: ignore[attr-defined]
        self.fields["target_type"].choices = choices_with_all(target_types)  # type: ignore[attr-defined]
        self.fields["action"].choices = choices_with_all(action_choices(actions))  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end comes before the start."))
        return cleaned
