"""Forms of the survey pages: they lay the questions out; the services check the answers."""

from typing import Any

from django import forms
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from charter.surveys.models import SCALES, Question, RecoveryTask, ReviewAppeal, RevisitResult, Verification


def _english() -> bool:
    return (get_language() or "").startswith("en")


def question_text(question: Question) -> str:
    return question.text_en if _english() and question.text_en else question.text_zh


def _choice_label(choice: dict[str, str]) -> str:
    return choice.get("en") or choice["zh"] if _english() else choice["zh"]


class AnswerForm(forms.Form):
    """One field per question, named `q<id>`; the service says which answers are missing or wrong."""

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            name = f"q{question.pk}"
            label = question_text(question)
            field: forms.Field
            if question.type in SCALES:
                low, high = SCALES[Question.Type(question.type)]
                field = forms.ChoiceField(
                    label=label,
                    choices=[(str(score), str(score)) for score in range(low, high + 1)],
                    # A row of large score buttons, laid out by CSS (mobile-friendly).
                    widget=forms.RadioSelect(attrs={"class": f"scale scale-{question.type}"}),
                )
            elif question.type == Question.Type.SINGLE:
                field = forms.ChoiceField(
                    label=label,
                    choices=[(c["value"], _choice_label(c)) for c in question.choices],
                    widget=forms.RadioSelect,
                )
            elif question.type == Question.Type.MULTIPLE:
                field = forms.MultipleChoiceField(
                    label=label,
                    choices=[(c["value"], _choice_label(c)) for c in question.choices],
                    widget=forms.CheckboxSelectMultiple,
                )
            else:
                field = forms.CharField(
                    label=label, widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
                )
            # Required answers are the service's rule; the browser does not block a partial answer.
            field.required = False
            field.is_required_question = question.is_required  # type: ignore[union-attr]
            self.fields[name] = field

    def answers(self) -> dict[int, object]:
        return {question.pk: self.cleaned_data.get(f"q{question.pk}") for question in self.questions}


class RecoveryForm(forms.Form):
    status = forms.ChoiceField(
        label=pgettext_lazy("surveys", "What happened"),
        choices=[
            (value, label)
            for value, label in RecoveryTask.Status.choices
            if value != RecoveryTask.Status.OPEN
        ],
    )
    outcome = forms.CharField(
        label=pgettext_lazy("surveys", "Outcome"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
    )
    new_score = forms.IntegerField(
        label=_("Customer's new score (0-10)"), required=False, min_value=0, max_value=10
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, allowed: list[str] | None = None, **kwargs: Any) -> None:
        """`allowed`: the statuses the follow-up may move to now (the workflow's), offered in this order."""
        super().__init__(*args, **kwargs)
        if allowed is not None:
            labels = dict(RecoveryTask.Status.choices)
            self.fields["status"].choices = [(value, labels[value]) for value in allowed]  # type: ignore[attr-defined]


# 好差评: the steps of a bad review (charter/surveys/reviews.py). The page posts the step's name as `action`
# (one page holds several forms, each with its prefix); the services check the input and name the field.

NOTE_ROWS = {"rows": 3}


class ReviewVerifyForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("Verification outcome"), choices=Verification.choices)
    evidence = forms.CharField(
        label=pgettext_lazy("surveys", "Evidence"),
        help_text=_("Required when the review is not valid: what shows it (recording, records)."),
        widget=forms.Textarea(attrs=NOTE_ROWS),
        required=False,
        max_length=4000,
    )


class ReviewRectifyForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("How it was rectified"), widget=forms.Textarea(attrs=NOTE_ROWS), max_length=4000
    )


class ReviewRevisitForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    result = forms.ChoiceField(label=_("Revisit result"), choices=RevisitResult.choices)
    note = forms.CharField(
        label=_("Revisit note"),
        help_text=_("Required when the reviewer could not be reached: how you tried."),
        widget=forms.Textarea(attrs=NOTE_ROWS),
        required=False,
        max_length=4000,
    )


class AppealDecideForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (ReviewAppeal.Status.UPHELD, _("Uphold: exclude from assessment")),
            (ReviewAppeal.Status.REJECTED, _("Reject: the review stands")),
        ],
    )
    decision_reason = forms.CharField(
        label=_("Reason for the decision"), widget=forms.Textarea(attrs=NOTE_ROWS), max_length=4000
    )


class AppealFileForm(forms.Form):
    task = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for the appeal"),
        help_text=_("Why the review should not count against you, with what shows it."),
        widget=forms.Textarea(attrs=NOTE_ROWS),
        max_length=4000,
    )
