"""The management dashboard (/desk/dashboard/): the figures of the teams in the reader's scope for a period,
filtered by organisational unit, read from the rollups only (`dashboard.dashboard_figures`), each tile
linking to the list page behind it with the matching filters."""

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from charter.accounts.models import OrgUnit, Team, User
from charter.common.forms import FilterForm, IsoDateInput
from charter.common.pages import may_open, page_rule
from charter.reports.charts import dashboard_charts
from charter.reports.dashboard import dashboard_figures
from charter.reports.figures import DashboardFigures, Nps, Ratio
from charter.reports.periods import add_months, local_date, quarter_of
from charter.reports.permissions import can_read_monthly_report, can_view_dashboard, dashboard_team_ids
from charter.reports.rollups import WINDOW_DAYS
from charter.surveys.permissions import can_view_results

PERIODS = [
    ("this_month", gettext_lazy("This month")),
    ("last_month", gettext_lazy("Last month")),
    ("this_quarter", gettext_lazy("This quarter")),
    ("last_quarter", gettext_lazy("Last quarter")),
    ("this_year", gettext_lazy("This year")),
    ("last_12_months", gettext_lazy("Last 12 months")),
    ("custom", gettext_lazy("Dates below")),
]
LONGEST_CUSTOM_DAYS = 3 * 366


def period_bounds(name: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """[start, end) of the named period around `today` (local dates); this month for an unknown name."""
    month = today.replace(day=1)
    quarter = quarter_of(today).start
    bounds = {
        "this_month": (month, add_months(month, 1)),
        "last_month": (add_months(month, -1), month),
        "this_quarter": (quarter, add_months(quarter, 3)),
        "last_quarter": (add_months(quarter, -3), quarter),
        "this_year": (today.replace(month=1, day=1), dt.date(today.year + 1, 1, 1)),
        "last_12_months": (add_months(month, -11), add_months(month, 1)),
    }
    return bounds.get(name, bounds["this_month"])


def dashboard_units(user: User, team_ids: frozenset[int] | None) -> QuerySet[OrgUnit]:
    """The units the reader may filter by: every unit for the whole organisation, else the units under
    those whose team he leads (his scope, `dashboard_team_ids`)."""
    if team_ids is None:
        return OrgUnit.objects.all()
    led_paths = set(
        OrgUnit.objects.filter(teams__memberships__user=user, teams__memberships__is_lead=True).values_list(
            "path", flat=True
        )
    )
    if not led_paths:
        return OrgUnit.objects.none()
    scope = Q()
    for path in led_paths:
        scope |= Q(path__startswith=path)
    return OrgUnit.objects.filter(scope)


class DashboardFilterForm(FilterForm):
    unit = forms.ModelChoiceField(label=gettext_lazy("Unit"), queryset=OrgUnit.objects.none(), required=False)
    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=PERIODS, required=False)
    since = forms.DateField(label=gettext_lazy("From"), required=False, widget=IsoDateInput())
    until = forms.DateField(label=gettext_lazy("To (inclusive)"), required=False, widget=IsoDateInput())

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 (declared above)
        field.queryset = units

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period") == "custom":
            since, until = data.get("since"), data.get("until")
            if since is None or until is None:
                raise forms.ValidationError(_("Give both dates for a period of your own."))
            if until < since:
                self.add_error("until", _("The end is before the start."))
            elif (until - since).days > LONGEST_CUSTOM_DAYS:
                self.add_error("until", _("Choose at most three years."))
        return data


@dataclass(frozen=True)
class Tile:
    title: str
    value: str
    note: str
    url: str
    testid: str


def _link(user: User, url_name: str, params: dict[str, Any]) -> str:
    if not may_open(user, url_name):
        return ""
    query = urlencode({key: value for key, value in params.items() if value not in (None, "")})
    return reverse(url_name) + (f"?{query}" if query else "")


def _percent(value: object) -> str:
    return "—" if value is None else f"{value}%"


def _without_survey_figures(figures: DashboardFigures) -> DashboardFigures:
    """`figures` with CSAT, NPS and 好差评 blanked (also in the trend): for a reader who may not see survey
    results (`surveys.permissions.can_view_results`, the results page's rule)."""
    return replace(
        figures,
        csat=Ratio(),
        nps=Nps(),
        good_bad=Ratio(),
        trend=[replace(point, csat=Ratio(), nps=Nps(), good_bad=Ratio()) for point in figures.trend],
    )


def _tiles(
    user: User, figures: DashboardFigures, unit: OrgUnit | None, team: int | None, *, survey_results: bool
) -> list[Tile]:
    tiles = _all_tiles(user, figures, unit, team)
    if survey_results:
        return tiles
    return [tile for tile in tiles if tile.testid not in SURVEY_TILES]


SURVEY_TILES = frozenset({"tile-csat", "tile-nps", "tile-good-bad"})


def _all_tiles(user: User, figures: DashboardFigures, unit: OrgUnit | None, team: int | None) -> list[Tile]:
    start, until = figures.start, figures.end - dt.timedelta(days=1)
    since_until = {"since": start.isoformat(), "until": until.isoformat()}
    cases = "cases:desk_queue"
    training = figures.training
    results_filters = {
        "date_from": start.isoformat(),
        "date_to": until.isoformat(),
        "team": team,
        "period": "month",
    }
    results_link = _link(user, "survey_results:dashboard", results_filters)
    return [
        Tile(
            _("Cases received"),
            str(figures.received),
            _("%(resolved)d resolved in the period") % {"resolved": figures.resolved},
            _link(user, cases, {"queue": "all"}),
            "tile-received",
        ),
        Tile(
            _("Time limits met"),
            _percent(figures.sla.percent),
            _("%(part)d of %(whole)d finished") % {"part": figures.sla.part, "whole": figures.sla.whole},
            _link(user, cases, {"queue": "breached"}),
            "tile-sla",
        ),
        Tile(
            _("Open now"),
            str(figures.backlog_open),
            _("%(old)d open for more than 30 days")
            % {"old": next((r.count for r in figures.backlog_ageing if r.key == "30d+"), 0)},
            _link(user, cases, {"queue": "all"}),
            "tile-backlog",
        ),
        Tile(
            _("Complaints"),
            str(figures.complaints),
            _("received in the period"),
            _link(user, cases, {"queue": "all", "kind": "complaint"}),
            "tile-complaints",
        ),
        Tile(
            _("CSAT"),
            _percent(figures.csat.percent),
            _("%(part)d satisfied of %(whole)d answers")
            % {"part": figures.csat.part, "whole": figures.csat.whole},
            results_link,
            "tile-csat",
        ),
        Tile(
            _("NPS"),
            "—" if figures.nps.score is None else str(figures.nps.score),
            _("%(answers)d answers") % {"answers": figures.nps.answers},
            results_link,
            "tile-nps",
        ),
        Tile(
            _("Good reviews (好评)"),
            _percent(figures.good_bad.percent),
            _("%(part)d of %(whole)d ratings")
            % {"part": figures.good_bad.part, "whole": figures.good_bad.whole},
            results_link,
            "tile-good-bad",
        ),
        Tile(
            _("QA score"),
            _percent(figures.qa_average),
            _("average of %(reviews)d reviews") % {"reviews": figures.qa_reviews},
            _link(user, "quality:report", since_until),
            "tile-qa",
        ),
        Tile(
            _("Violations"),
            str(figures.violations),
            _("recorded in the period"),
            _link(user, "conduct:violation_list", {**since_until, "team": team}),
            "tile-violations",
        ),
        Tile(
            _("Corrective actions open"),
            str(figures.actions_open),
            _("%(overdue)d with an overdue item") % {"overdue": figures.actions_overdue},
            _link(user, "improvement:action_list", {"status": "active"}),
            "tile-actions",
        ),
        Tile(
            _("Training completed"),
            _percent(training.percent) if training else "—",
            _("%(part)d of %(whole)d assignments due in the period")
            % {"part": training.part, "whole": training.whole}
            if training
            else _("No assignment due in the period"),
            _link(user, "training:matrix", {"unit": unit.pk if unit else None, "team": team}),
            "tile-training",
        ),
    ]


@page_rule(can_view_dashboard)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show the dashboard for the unit and period in the query string (this month, the reader's whole scope
    by default). A unit outside the reader's scope is refused by the form (the page then shows his scope)."""
    user = request.user
    if not isinstance(user, User):  # pragma: no cover - page_rule let a signed-in user through
        raise PermissionDenied
    team_ids = dashboard_team_ids(user)
    units = dashboard_units(user, team_ids)
    form = DashboardFilterForm(request.GET or None, units=units)
    today = local_date(timezone.now())  # the organisation's zone, as the rollups' days are
    data: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {}
    period = data.get("period") or "this_month"
    if period == "custom":
        start, end = data["since"], data["until"] + dt.timedelta(days=1)
    else:
        start, end = period_bounds(period, today)
    unit: OrgUnit | None = data.get("unit")
    scope = team_ids
    if unit is not None:
        unit_teams = frozenset(
            Team.objects.filter(unit__path__startswith=unit.path).values_list("pk", flat=True)
        )
        scope = unit_teams if team_ids is None else unit_teams & team_ids
    figures = dashboard_figures(team_ids=scope, start=start, end=end)
    survey_results = bool(can_view_results(user))
    if not survey_results:
        figures = _without_survey_figures(figures)
    single_team = next(iter(scope)) if scope is not None and len(scope) == 1 else None
    unit_field = form.fields["unit"]
    assert isinstance(unit_field, forms.ModelChoiceField)  # noqa: S101 (declared so)
    selected = request.GET.get("unit", "")
    context = {
        "form": form,
        "unit_choices": list(units),
        "selected_unit": int(selected) if selected.isdigit() else None,
        "all_label": unit_field.empty_label,
        "period_choices": PERIODS,
        "selected_period": request.GET.get("period") or "this_month",
        "figures": figures,
        "tiles": _tiles(user, figures, unit, single_team, survey_results=survey_results),
        "charts": dashboard_charts(figures, survey_results=survey_results),
        "survey_results": survey_results,
        "unit": unit,
        "start": start,
        "last_day": end - dt.timedelta(days=1),
        "window_days": WINDOW_DAYS,
        "may_read_monthly": bool(can_read_monthly_report(user)),
        "links": {
            "cases": _link(user, "cases:desk_queue", {"queue": "all"}),
            "complaints": _link(user, "cases:desk_queue", {"queue": "all", "kind": "complaint"}),
            "violations": _link(
                user,
                "conduct:violation_list",
                {
                    "since": start.isoformat(),
                    "until": (end - dt.timedelta(days=1)).isoformat(),
                    "team": single_team,
                },
            ),
            "actions_overdue": _link(user, "improvement:action_list", {"status": "active", "overdue": "on"}),
        },
    }
    return render(request, "reports/dashboard.html", context)
