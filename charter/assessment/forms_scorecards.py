"""Forms of the scorecard pages: the self-assessment, the supervisor's scoring, acknowledgement, the appeal,
and the team page's filter.

The forms check shape only (a number, a whole number, text); the services in charter/assessment/cycles.py
decide the rest (0-100, two decimals, every item rated) and name the field at fault, which is why the fields
are named as the services name them: `rating_<code>`, `comment_<code>`, `award_<code>`, `comment`, `reason`.
Each form carries the scorecard's `version` (its lock_version) for optimistic locking.
"""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Team
from charter.assessment.models import Cycle, SchemeAdjustment, SchemeItem, ScorecardLine
from charter.common.forms import FilterForm
from charter.common.models import localized

RATING_HELP = _("0 to 100 points, at most two decimals.")


class _VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput())


def _item_name(item: SchemeItem | SchemeAdjustment | None, code: str) -> str:
    return (localized(item, "name") if item is not None else "") or code


def _rating_field(label: str, help_text: Any = RATING_HELP) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=12,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


def _comment_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class SelfAssessmentForm(_VersionedForm):
    """The person's own rating (0-100) and comment on each self-assessment item, and his summary."""

    def __init__(
        self,
        *args: Any,
        lines: Sequence[ScorecardLine],
        items: dict[str, SchemeItem],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.codes = [line.code for line in lines]
        for line in lines:
            name = _item_name(items.get(line.code), line.code)
            self.fields[f"rating_{line.code}"] = _rating_field(_("%(item)s: your rating") % {"item": name})
            self.fields[f"comment_{line.code}"] = _comment_field(_("%(item)s: comment") % {"item": name})
            self.initial.setdefault(f"rating_{line.code}", line.self_points)
            self.initial.setdefault(f"comment_{line.code}", line.comment)
        self.fields["comment"] = forms.CharField(
            label=_("Summary of your work in the period"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 4}),
        )

    def ratings(self) -> dict[str, object]:
        """The ratings by item code, as the service takes them."""
        return {code: self.cleaned_data[f"rating_{code}"] for code in self.codes}

    def comments(self) -> dict[str, str]:
        """The comments by item code."""
        return {code: self.cleaned_data[f"comment_{code}"] for code in self.codes}


class ScoreForm(_VersionedForm):
    """The supervisor's rating and comment on each qualitative item (citing its clause), the counts of the
    bonus and deduction items he awards by hand, and his comments."""

    def __init__(
        self,
        *args: Any,
        lines: Sequence[ScorecardLine],
        manual: Sequence[ScorecardLine],
        items: dict[str, SchemeItem],
        adjustments: dict[str, SchemeAdjustment],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.codes = [line.code for line in lines]
        self.award_codes = [line.code for line in manual]
        for line in lines:
            item = items.get(line.code)
            name = _item_name(item, line.code)
            clause = item.clause if item is not None else None
            help_text: Any = RATING_HELP
            if clause is not None:
                help_text = _("Cites clause %(clause)s. %(help)s") % {"clause": clause, "help": RATING_HELP}
            self.fields[f"rating_{line.code}"] = _rating_field(name, help_text)
            self.fields[f"comment_{line.code}"] = _comment_field(_("%(item)s: comment") % {"item": name})
            self.initial.setdefault(f"rating_{line.code}", line.points)
            self.initial.setdefault(f"comment_{line.code}", line.comment)
        for line in manual:
            adjustment = adjustments.get(line.code)
            name = _item_name(adjustment, line.code)
            help_text = ""
            if adjustment is not None:
                help_text = _("%(points)s points each, at most %(cap)s.") % {
                    "points": adjustment.points_each,
                    "cap": adjustment.cap,
                }
            self.fields[f"award_{line.code}"] = forms.IntegerField(
                label=_("%(item)s: how many times") % {"item": name},
                required=False,
                help_text=help_text,
            )
            self.initial.setdefault(f"award_{line.code}", int(line.value) if line.value is not None else 0)
        self.fields["comment"] = forms.CharField(
            label=_("Your comments"), required=False, widget=forms.Textarea(attrs={"rows": 4})
        )

    def ratings(self) -> dict[str, object]:
        """The ratings by item code, as the service takes them."""
        return {code: self.cleaned_data[f"rating_{code}"] for code in self.codes}

    def comments(self) -> dict[str, str]:
        """The comments by item code."""
        return {code: self.cleaned_data[f"comment_{code}"] for code in self.codes}

    def awards(self) -> dict[str, object]:
        """The counts of the items awarded by hand, by code (empty: none)."""
        return {code: self.cleaned_data[f"award_{code}"] or 0 for code in self.award_codes}


class AcknowledgeForm(_VersionedForm):
    """The person confirms he has seen his published scorecard."""


class AppealForm(_VersionedForm):
    reason = forms.CharField(
        label=_("Grounds of your appeal"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Someone who neither scored nor approved your scorecard decides it."),
    )


class TeamScorecardFilter(FilterForm):
    """Narrow the team page to one cycle and one team."""

    cycle = forms.ModelChoiceField(label=_("Cycle"), queryset=Cycle.objects.none(), required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    exact_lookups = {"cycle": "cycle", "team": "team"}

    def __init__(self, *args: Any, cycles: QuerySet[Cycle], teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cycle: Any = self.fields["cycle"]
        cycle.queryset = cycles
        team: Any = self.fields["team"]
        team.queryset = teams
