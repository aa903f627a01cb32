"""Forms of the standards desk. They check the shape of the input; the services decide the rest."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Team
from charter.common.forms import FilterForm, IsoDateTimeInput
from charter.standards.models import StandardClause, StandardDocument, StandardVersion
from charter.standards.services import ClauseContent

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class DocumentForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"),
        max_length=50,
        help_text=_("A short, permanent name in lower-case letters, digits and hyphens."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=StandardDocument.Kind.choices)
    title_zh = forms.CharField(label=_("Title (Chinese)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    description_zh = forms.CharField(label=_("Description (Chinese)"), required=False, widget=TEXTAREA)
    description_en = forms.CharField(label=_("Description (English)"), required=False, widget=TEXTAREA)


class DocumentEditForm(DocumentForm):
    """The same as DocumentForm without code and kind, which never change."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["code"]
        del self.fields["kind"]


class DraftForm(forms.Form):
    preamble_zh = forms.CharField(
        label=_("Preamble (Chinese)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Shown before the clauses."),
    )
    preamble_en = forms.CharField(
        label=_("Preamble (English)"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    change_summary_zh = forms.CharField(
        label=_("Summary of changes (Chinese)"),
        required=False,
        widget=TEXTAREA,
        help_text=_("What changed since the previous version."),
    )
    change_summary_en = forms.CharField(
        label=_("Summary of changes (English)"), required=False, widget=TEXTAREA
    )


class ClauseForm(forms.Form):
    """The fields every clause has; the subclasses add those of its kind of document."""

    number = forms.CharField(
        label=_("Clause number"),
        max_length=60,
        help_text=_("Digits or letters separated by dots, such as 2.1."),
    )
    title_zh = forms.CharField(label=_("Title (Chinese)"), max_length=200, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    text_zh = forms.CharField(label=_("Text (Chinese)"), widget=forms.Textarea(attrs={"rows": 4}))
    text_en = forms.CharField(
        label=_("Text (English)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    reference = forms.CharField(label=_("Source or reference"), max_length=200, required=False)

    def content(self) -> ClauseContent:
        """Return the cleaned input as the services take it."""
        return ClauseContent.from_data(self.cleaned_data)

    @staticmethod
    def initial_from(clause: StandardClause) -> dict[str, Any]:
        """Return the form's initial values for an existing clause."""
        content = ClauseContent.from_clause(clause)
        initial: dict[str, Any] = {name: getattr(content, name) for name in ClauseContent.TEXT_FIELDS}
        initial["is_disciplinary"] = content.is_disciplinary
        initial["promises"] = [promise.pk for promise in content.promises]
        return initial


class PromiseClauseForm(ClauseForm):
    conditions_zh = forms.CharField(
        label=_("Conditions (Chinese)"),
        required=False,
        widget=TEXTAREA,
        help_text=_("When the promise applies, and any limits to it."),
    )
    conditions_en = forms.CharField(label=_("Conditions (English)"), required=False, widget=TEXTAREA)
    complaint_route_zh = forms.CharField(
        label=_("Complaint route (Chinese)"),
        widget=TEXTAREA,
        help_text=_("How a customer complains when the promise is not kept."),
    )
    complaint_route_en = forms.CharField(
        label=_("Complaint route (English)"), required=False, widget=TEXTAREA
    )
    measure_zh = forms.CharField(
        label=_("Measure (Chinese)"), widget=TEXTAREA, help_text=_("How keeping the promise is measured.")
    )
    measure_en = forms.CharField(label=_("Measure (English)"), required=False, widget=TEXTAREA)


class PromiseChoiceField(forms.ModelMultipleChoiceField[StandardClause]):
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, StandardClause)  # noqa: S101
        return f"{obj.version.document} · {obj}"


class ConductClauseForm(ClauseForm):
    category = forms.ChoiceField(label=_("Category"), choices=StandardClause.Category.choices)
    is_disciplinary = forms.BooleanField(
        label=_("Carries discipline"),
        required=False,
        help_text=_("Breaking this clause can lead to disciplinary measures."),
    )
    promises = PromiseChoiceField(
        label=_("Promises served"),
        queryset=StandardClause.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The customer promises this clause helps to keep."),
    )

    def __init__(self, *args: Any, citable: QuerySet[StandardClause] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["promises"]
        assert isinstance(field, PromiseChoiceField)  # noqa: S101
        field.queryset = citable if citable is not None else StandardClause.objects.none()


def clause_form_class(document: StandardDocument) -> type[ClauseForm]:
    """Return the clause form for the kind of `document`."""
    return PromiseClauseForm if document.is_customer_promises else ConductClauseForm


class PublishForm(forms.Form):
    effective_at = forms.DateTimeField(
        label=_("Effective from"),
        widget=IsoDateTimeInput(),
        help_text=_("The version takes effect at this time, in your time zone; it may be in the future."),
    )


class ReportFilterForm(FilterForm):
    # No version chosen is the version in force; no team, all of the reader's teams.
    specific_empty_labels = ("version", "team")

    version = forms.ModelChoiceField(
        label=_("Version"), queryset=StandardVersion.objects.none(), required=False, empty_label=_("In force")
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("All my teams")
    )
    is_pending_only = forms.BooleanField(label=_("Only those who have not acknowledged"), required=False)

    def __init__(
        self, *args: Any, versions: QuerySet[StandardVersion], teams: QuerySet[Team], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        version_field = self.fields["version"]
        team_field = self.fields["team"]
        assert isinstance(version_field, forms.ModelChoiceField)  # noqa: S101
        assert isinstance(team_field, forms.ModelChoiceField)  # noqa: S101
        version_field.queryset = versions
        team_field.queryset = teams
