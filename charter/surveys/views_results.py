"""The survey results desk at /desk/surveys/results/: headline figures with their intervals, trends,
breakdowns, the lowest-rated services with their comments, themes, and the same as CSV and XLSX.

Only staff with surveys.view_results see it (everyone else gets 403): seeing a case does not mean seeing
its rating. Each reader sees the teams in his scope, as on every other page (`result_team_ids_for`): a
supervisor the teams under the units he leads, QA reviewers and administrators every team. Periods are
whole days and times are shown in the reader's time zone.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from charter.accounts.models import Team, User
from charter.audit.list_exports import export_audit, export_count, tables_export
from charter.catalog.models import Channel
from charter.common import charts
from charter.common.exports import download_response
from charter.common.list_exports import export_max_rows, filters_of
from charter.common.pages import page_rule
from charter.common.vocabulary import CaseKind
from charter.surveys import metrics
from charter.surveys.analysis import (
    LOWEST_RATED_MINIMUM,
    Dashboard,
    Group,
    ResultFilter,
    Scores,
    TrendPoint,
    response_list,
    results_dashboard,
    service_labels,
)
from charter.surveys.exports import dashboard_tables, responses_csv, responses_xlsx
from charter.surveys.metrics import Metric
from charter.surveys.models import Response
from charter.surveys.permissions import can_view_results
from charter.surveys.selectors import result_team_ids_for

DEFAULT_DAYS = 90
BARS_SHOWN = 15


def _any(label: Any) -> list[tuple[Any, Any]]:
    return [("", label)]


class ResultFilterForm(forms.Form):
    """The filters of the results page; the choices (within the reader's `team_ids`, None: every team) are
    read when the form is made."""

    # A date input takes ISO dates whatever the language (zh-hans would render 2026/11/27, left blank).
    date_from = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    service = forms.TypedChoiceField(
        label=gettext_lazy("Service"), required=False, coerce=int, empty_value=None
    )
    team = forms.TypedChoiceField(label=gettext_lazy("Team"), required=False, coerce=int, empty_value=None)
    agent = forms.TypedChoiceField(
        label=gettext_lazy("Member of staff"), required=False, coerce=int, empty_value=None
    )
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind of case"), required=False)
    period = forms.ChoiceField(
        label=gettext_lazy("Trend by"),
        required=False,
        choices=[("week", gettext_lazy("Week")), ("month", gettext_lazy("Month"))],
    )

    def __init__(self, *args: Any, team_ids: frozenset[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        any_label = _("All")
        services = service_labels()
        self._choose("service", any_label, sorted(services.items(), key=lambda item: item[1]))
        teams = Team.objects.order_by("code")
        if team_ids is not None:
            teams = teams.filter(pk__in=team_ids)
        self._choose("team", any_label, [(team.pk, str(team)) for team in teams])
        # Everyone some answer in scope is attributed to (EXISTS: no duplicate rows to remove).
        rated = Response.agents.through.objects.filter(user_id=OuterRef("pk"))
        if team_ids is not None:
            rated = rated.filter(response__team_id__in=team_ids)
        agents = User.objects.filter(Exists(rated)).order_by("display_name", "username")
        self._choose("agent", any_label, [(user.pk, str(user)) for user in agents])
        self._choose("channel", any_label, Channel.choices)
        self._choose("kind", any_label, CaseKind.choices)

    def _choose(self, name: str, any_label: str, choices: list[tuple[Any, Any]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 (declared above)
        field.choices = _any(any_label) + choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period comes before its start."))
        return cleaned


def _defaults(today: dt.date) -> dict[str, Any]:
    return {"date_from": today - dt.timedelta(days=DEFAULT_DAYS - 1), "date_to": today, "period": "week"}


def _filters(request: HttpRequest) -> tuple[ResultFilterForm, ResultFilter, str]:
    """Read the filters from the query string; the last DEFAULT_DAYS days when none are given or they are
    not valid (the form then shows why)."""
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    defaults = _defaults(today)
    team_ids = result_team_ids_for(user=request.user)
    if request.GET:
        given = request.GET.copy()
        for key in ("date_from", "date_to"):
            # A link that names no period (the trend switch, an export) keeps the default one; a form sent
            # with the dates emptied asks for every answer.
            if key not in given:
                given[key] = defaults[key].isoformat()
        form = ResultFilterForm(given, team_ids=team_ids)
        data = form.cleaned_data if form.is_valid() else defaults
    else:
        form = ResultFilterForm(initial=defaults, team_ids=team_ids)
        data = defaults
    filters = ResultFilter(
        tz=tz,
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        service_id=data.get("service"),
        team_id=data.get("team"),
        agent_id=data.get("agent"),
        channel=data.get("channel") or "",
        kind=data.get("kind") or "",
        team_ids=team_ids,
    )
    return form, filters, data.get("period") or "week"


# What the page shows: values rounded here, and only here. ------------------------------------------------


def percent_text(value: float) -> str:
    return f"{value * 100:.1f}%"


def nps_text(value: float) -> str:
    return f"{value:+.0f}" if round(value) != 0 else "0"


def ces_text(value: float) -> str:
    return f"{value:.1f}"


@dataclass(frozen=True)
class Shown:
    """A metric as the page shows it."""

    value: str
    interval: str
    n: int
    is_small_sample: bool
    has_value: bool


def shown(metric: Metric, kind: str) -> Shown:
    text = {"share": percent_text, "nps": nps_text, "ces": ces_text}[kind]
    if metric.value is None:
        return Shown("—", "", 0, False, False)
    interval = ""
    if metric.low is not None and metric.high is not None:
        interval = f"{text(metric.low)} – {text(metric.high)}"
    return Shown(text(float(metric.value)), interval, metric.n, metric.is_small_sample, True)


@dataclass(frozen=True)
class Row:
    label: str
    responses: int
    csat: Shown
    nps: Shown
    ces: Shown

    @property
    def metrics(self) -> tuple[Shown, Shown, Shown]:
        return self.csat, self.nps, self.ces


def _row(label: str, scores: Scores) -> Row:
    return Row(
        label,
        scores.responses,
        shown(scores.csat, "share"),
        shown(scores.nps, "nps"),
        shown(scores.ces, "ces"),
    )


def _trend_chart(points: list[TrendPoint], period: str) -> SafeString:
    title = _("CSAT and NPS by week") if period == "week" else _("CSAT and NPS by month")
    return charts.line_chart(
        chart_id=f"trend-{period}",
        title=title,
        description=_(
            "CSAT as the percentage of satisfied answers and NPS from -100 to 100, on one scale; "
            "a gap is a period without answers."
        ),
        x_labels=[point.label for point in points],
        series=[
            charts.Series(
                _("CSAT (%)"),
                [
                    float(p.scores.csat.value) * 100 if p.scores.csat.value is not None else None
                    for p in points
                ],
            ),
            charts.Series(
                _("NPS"),
                [float(p.scores.nps.value) if p.scores.nps.value is not None else None for p in points],
            ),
        ],
        y_range=(-100, 100),
        y_ticks=(-100, -50, 0, 50, 100),
        x_title=_("Week") if period == "week" else _("Month"),
        y_title=_("CSAT % / NPS"),
        empty_text=_("No answers in this period."),
    )


def _breakdown_chart(dimension: str, title: str, groups: list[Group]) -> SafeString:
    shown_groups = groups[:BARS_SHOWN]
    return charts.bar_chart(
        chart_id=f"by-{dimension}",
        title=title,
        description=_("CSAT (share of 4-5 answers) of each group, the most answered first."),
        bars=[
            charts.Bar(
                group.label,
                float(group.scores.csat.value) * 100 if group.scores.csat.value is not None else None,
                _("n = %(n)d") % {"n": group.scores.csat.n},
            )
            for group in shown_groups
        ],
        empty_text=_("No CSAT answers in this period."),
    )


def _breakdown_titles() -> dict[str, tuple[str, str]]:
    return {
        "service": (_("By service"), _("Service")),
        "team": (_("By team"), _("Team")),
        "agent": (_("By member of staff"), _("Member of staff")),
        "channel": (_("By channel"), _("Channel")),
        "kind": (_("By kind of case"), _("Kind of case")),
    }


def _context(dashboard: Dashboard, period: str) -> dict[str, Any]:
    overview = dashboard.overview
    titles = _breakdown_titles()
    return {
        "tiles": [
            (_("CSAT"), _("satisfied (4-5 of 5)"), shown(overview.scores.csat, "share")),
            (_("NPS"), _("promoters minus detractors"), shown(overview.scores.nps, "nps")),
            (_("CES"), _("average ease, 1-7"), shown(overview.scores.ces, "ces")),
            (_("Response rate"), _("answered invitations"), shown(overview.response_rate, "share")),
        ],
        "responses": overview.scores.responses,
        "trend_chart": _trend_chart(dashboard.weekly if period == "week" else dashboard.monthly, period),
        "trend_rows": [
            (point.label, point.start, _row(point.label, point.scores))
            for point in (dashboard.weekly if period == "week" else dashboard.monthly)
        ],
        "breakdowns": [
            {
                "dimension": dimension,
                "title": titles[dimension][0],
                "heading": titles[dimension][1],
                "chart": _breakdown_chart(dimension, titles[dimension][0], groups),
                "rows": [_row(group.label, group.scores) for group in groups],
                "truncated": len(groups) > BARS_SHOWN,
            }
            for dimension, groups in dashboard.breakdowns.items()
        ],
        "lowest_rated": [
            {"row": _row(item.label, item.scores), "comments": item.comments}
            for item in dashboard.lowest_rated
        ],
        "lowest_minimum": LOWEST_RATED_MINIMUM,
        "themes": dashboard.themes,
        "small_sample": metrics.SMALL_SAMPLE,
        "bars_shown": BARS_SHOWN,
    }


@page_rule(can_view_results)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show the results for the filters in the query string (the last 90 days by default)."""
    form, filters, period = _filters(request)
    data = results_dashboard(filters)
    other = request.GET.copy()
    other["period"] = "month" if period == "week" else "week"
    context = {
        "form": form,
        "filters": filters,
        "period": period,
        "query": request.GET.urlencode(),
        "other_period_query": other.urlencode(),
        "tz_name": timezone.get_current_timezone_name(),
        **_context(data, period),
    }
    return render(request, "surveys/results/dashboard.html", context)


@page_rule(can_view_results)
@require_GET
def export_summary(request: HttpRequest, extension: str) -> HttpResponse | StreamingHttpResponse:
    """Download the page's tables for the same filters (and scope), as CSV (UTF-8 with BOM) or XLSX."""
    _form, filters, _period = _filters(request)
    tables = dashboard_tables(results_dashboard(filters))
    return tables_export(
        request,
        name="surveys.results",
        stem="survey-results",
        tables=tables,
        filters=_audited(filters),
        extension=extension,
    )


@page_rule(can_view_results)
@require_GET
def export_responses(request: HttpRequest, extension: str) -> HttpResponse | StreamingHttpResponse:
    """Download every response in the reader's scope matching the filters, as CSV (streamed) or XLSX; more
    than `CHARTER_EXPORT_MAX_ROWS` is refused with a message on the results page, as any list's export."""
    _form, filters, _period = _filters(request)
    rows, refusal = export_count(request, response_list(filters), back=reverse("survey_results:dashboard"))
    if refusal is not None:
        return refusal
    export_audit(request, name="surveys.responses", filters=_audited(filters), extension=extension, rows=rows)
    # The cap bounds the file too, should responses arrive between the count and the writing.
    cap = export_max_rows()
    content = responses_csv(filters, limit=cap) if extension == "csv" else responses_xlsx(filters, limit=cap)
    return download_response(content, stem="survey-responses", extension=extension)


def _audited(filters: ResultFilter) -> dict[str, Any]:
    """The filters the reader chose, for the audit chain (not his scope nor his time zone)."""
    chosen = {
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "service": filters.service_id,
        "team": filters.team_id,
        "agent": filters.agent_id,
        "channel": filters.channel,
        "kind": filters.kind,
    }
    return filters_of(chosen, private=())
