"""The outcome ledger page (desk/assessment/ledger/) and its CSV and XLSX export.

HR (assessment.export_ledger), administrators and whoever sees every scorecard see every entry; a team lead
sees the entries of the teams he leads. Only export_ledger downloads the file, and each download is audited.
"""

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from charter.accounts.models import Team, User
from charter.accounts.permissions import is_staff_member
from charter.accounts.requests import request_staff
from charter.assessment.exports import (
    LedgerFilter,
    ledger_cycle_list_for,
    ledger_export,
    ledger_filter,
    ledger_list_visible_to,
    ledger_team_list_for,
)
from charter.assessment.models import Cycle
from charter.assessment.permissions import can_export_ledger, can_view_ledger
from charter.common.exports import tables_download
from charter.common.forms import FilterForm, IsoDateInput
from charter.common.pages import page_rule

PAGE_SIZE = 50


class LedgerFilterForm(FilterForm):
    cycle = forms.ModelChoiceField(label=_("Cycle"), queryset=Cycle.objects.none(), required=False)
    period_from = forms.DateField(label=_("Periods from"), required=False, widget=IsoDateInput())
    period_to = forms.DateField(label=_("Periods until"), required=False, widget=IsoDateInput())
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    person = forms.ModelChoiceField(label=_("Staff member"), queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["cycle"].queryset = ledger_cycle_list_for(user=user)
        fields["team"].queryset = ledger_team_list_for(user=user)
        fields["person"].queryset = User.objects.filter(
            pk__in=ledger_list_visible_to(user=user).values("person_id")
        ).order_by("username")

    def ledger_filters(self) -> LedgerFilter | None:
        """The filters chosen, or None when the form is not valid (then nothing is shown)."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        return LedgerFilter(
            cycle=data["cycle"].pk if data["cycle"] else None,
            period_from=data["period_from"],
            period_to=data["period_to"],
            team=data["team"].pk if data["team"] else None,
            person=data["person"].pk if data["person"] else None,
        )


@page_rule(is_staff_member, can_view_ledger)
@require_GET
def ledger(request: HttpRequest) -> HttpResponse:
    """The ledger entries the user may see, filtered by cycle, period, team and person."""
    user = request_staff(request)
    form = LedgerFilterForm(request.GET, user=user)
    filters = form.ledger_filters()
    entries = ledger_list_visible_to(user=user)
    entries = ledger_filter(entries, filters) if filters is not None else entries.none()
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "assessment/ledger.html",
        {
            "form": form,
            "page": page,
            "can_export": bool(can_export_ledger(user)),
            "query": request.GET.urlencode(),
        },
    )


@page_rule(is_staff_member, can_export_ledger)
@require_GET
def ledger_download(request: HttpRequest, extension: str) -> HttpResponse | StreamingHttpResponse:
    """Download the ledger for the page's filters as CSV (UTF-8 with BOM) or XLSX; audited."""
    user = request_staff(request)
    form = LedgerFilterForm(request.GET, user=user)
    filters = form.ledger_filters()
    if filters is None:
        return HttpResponseBadRequest(_("The filters are not valid."))
    table = ledger_export(actor=user, filters=filters, extension=extension)
    return tables_download([table], stem="assessment-ledger", extension=extension)
