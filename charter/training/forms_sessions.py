"""Forms of the session pages: they check the shape; the services in charter/training/sessions.py decide."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.accounts.selectors import staff_list
from charter.common.forms import IsoDateTimeInput
from charter.training.models import Course, TrainingSession


class StaffChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name or obj.username} ({obj.username})"


class SessionForm(forms.Form):
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.filter(is_active=True))
    kind = forms.ChoiceField(label=_("Kind"), choices=TrainingSession.Kind.choices)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=IsoDateTimeInput(), help_text=_("In your time zone.")
    )
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=IsoDateTimeInput())
    place = forms.CharField(label=_("Place or link"), max_length=300, required=False)
    trainer = StaffChoiceField(label=_("Trainer"), queryset=User.objects.none(), required=False)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, initial=30)
    hours = forms.DecimalField(
        label=_("Hours credited"),
        min_value=0,
        max_digits=3,
        decimal_places=1,
        required=False,
        help_text=_("Blank: the length of the session."),
    )

    def __init__(self, *args: Any, is_new: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        trainer = self.fields["trainer"]
        assert isinstance(trainer, StaffChoiceField)  # noqa: S101 (declared above)
        trainer.queryset = staff_list()
        if not is_new:
            del self.fields["course"]

    @staticmethod
    def initial_from(session: TrainingSession) -> dict[str, Any]:
        return {
            "kind": session.kind,
            "starts_at": session.starts_at,
            "ends_at": session.ends_at,
            "place": session.place,
            "trainer": session.trainer,
            "capacity": session.capacity,
            "hours": session.hours,
        }


class EnrolOtherForm(forms.Form):
    person = StaffChoiceField(label=_("Staff member"), queryset=User.objects.none())

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person = self.fields["person"]
        assert isinstance(person, StaffChoiceField)  # noqa: S101 (declared above)
        person.queryset = people if people is not None else User.objects.none()


class SignInForm(forms.Form):
    code = forms.CharField(
        label=_("Sign-in code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*"}
        ),
        help_text=_("The six digits the trainer shows in the room."),
    )
