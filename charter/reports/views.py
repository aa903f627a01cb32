"""HTML of the reports app: the "promises kept" panel on the public service page, and the desk page where
administrators choose what it discloses (/desk/reports/disclosure/)."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from charter.accounts.models import User
from charter.catalog.models import Service
from charter.common.errors import DomainError
from charter.common.forms import form_add_domain_error
from charter.common.pages import page_rule
from charter.reports import selectors, services
from charter.reports.forms import DisclosureForm
from charter.reports.periods import MONTH, Period
from charter.reports.permissions import can_manage_disclosure

# Below this many cases or answers a share is marked as a small sample (it may still be published).
SMALL_SAMPLE = 30


def period_label(period: Period) -> str:
    """The period in words for the active language: "2026年10月" or "October 2026", "Q3 2026"."""
    if period.kind == MONTH:
        return str(formats.date_format(period.start, "YEAR_MONTH_FORMAT"))
    quarter = (period.start.month - 1) // 3 + 1
    return _("Q%(quarter)d %(year)d") % {"quarter": quarter, "year": period.start.year}


def service_figures_panel(request: HttpRequest, service: Service) -> str:
    """On the public service page: how well the service kept its promises last month and last quarter.

    Empty before the first refresh after a period ends, or when the administrators show nothing. Two
    queries at most, whatever the number of cases.
    """
    english = (get_language() or "").startswith("en")
    figures = selectors.figures_public_for_service(service=service, at=timezone.now(), english=english)
    if figures is None:
        return ""
    periods = []
    for index, period in enumerate(figures.periods):
        heading = (
            _("Last month: %(period)s") if period.period.kind == MONTH else _("Last quarter: %(period)s")
        )
        periods.append(
            {
                "index": index,
                "heading": heading % {"period": period_label(period.period)},
                "figures": period,
            }
        )
    return render_to_string(
        "reports/_service_panel.html",
        {
            "disclosure": figures.disclosure,
            "periods": periods,
            "small_sample": SMALL_SAMPLE,
            "time_zone": settings.TIME_ZONE,
        },
        request=request,
    )


def _administrator(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not can_manage_disclosure(user):
        raise PermissionDenied
    return user


@page_rule(can_manage_disclosure)
def desk_disclosure(request: HttpRequest) -> HttpResponse:
    """Choose which figures the public service pages show, and the smallest sample a share may have."""
    user = _administrator(request)
    current = selectors.disclosure_settings_get()
    initial: dict[str, Any] = {
        "show_cases_handled": current.show_cases_handled,
        "show_commitments": current.show_commitments,
        "show_satisfaction": current.show_satisfaction,
        "minimum_sample": current.minimum_sample,
    }
    form = DisclosureForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.disclosure_settings_save(
                actor=user,
                show_cases_handled=form.cleaned_data["show_cases_handled"],
                show_commitments=form.cleaned_data["show_commitments"],
                show_satisfaction=form.cleaned_data["show_satisfaction"],
                minimum_sample=form.cleaned_data["minimum_sample"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The disclosure settings were saved."))
            return redirect("reports:desk_disclosure")
    return render(
        request,
        "reports/desk/disclosure.html",
        {"form": form, "settings_row": current, "last_computed_at": selectors.figures_last_computed_at()},
    )
