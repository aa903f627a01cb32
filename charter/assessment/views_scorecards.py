"""Scorecard pages: my scorecards (with my rank once published and my indicator trends), my teams'
scorecards, and one scorecard explained line by line.

A scorecard's page says, for each indicator, its formula and exclusions in words, the value snapshotted when
the cycle was opened with its sample and the rows left out, the scoring curve in words, the points and the
weight; each line opens (<details>, no script) onto the rows behind the number, read live through the
indicator's `evidence`, each linked when the reader may see its object (`evidence_links`) and saying why it
was left out. When the live rows no longer match the snapshot the page says so: a later correction shows as
a difference, and recalculating is a separate step of the cycle.

The person sees his score and grade once published (`can_see_result`); before that he sees his
self-assessment. Each form appears only when its predicate allows, carries the scorecard's lock_version, and
shows a service's refusal on its field with the input kept; a stale form is answered 409 with a message to
reload. A scorecard outside the reader's scope is not found (404).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Team, User
from charter.accounts.requests import request_staff, request_user
from charter.assessment import cycles
from charter.assessment.evidence import EVIDENCE_LIMIT, Evidence, evidence_for_reader
from charter.assessment.forms_scorecards import (
    AcknowledgeForm,
    AppealForm,
    ScoreForm,
    SelfAssessmentForm,
    TeamScorecardFilter,
)
from charter.assessment.indicators import INDICATORS, UNIT_LABELS, Indicator, Period, Unit
from charter.assessment.models import (
    Appeal,
    Cycle,
    SchemeAdjustment,
    SchemeItem,
    Scorecard,
    ScorecardEvent,
    ScorecardLine,
)
from charter.assessment.permissions import (
    can_acknowledge,
    can_appeal,
    can_score,
    can_see_result,
    can_self_assess,
    can_view_assessment,
    can_view_scorecard,
    can_view_team_scorecards,
)
from charter.assessment.rules import Curve, grades_compile, rules_of
from charter.assessment.scoring import BandCurve, GradeBands
from charter.assessment.selectors import Rank, cycle_ranking, scorecard_list_visible_to
from charter.assessment.trends import indicator_trend_charts
from charter.audit.list_exports import list_export
from charter.common.errors import ConflictError, DomainError, NotFoundError
from charter.common.forms import form_add_domain_error
from charter.common.list_exports import Column, export_extension, export_max_rows, form_filters
from charter.common.models import localized
from charter.common.pages import page_rule

TEAM_PAGE_LIMIT = 500

# The timeline's actions (ScorecardEvent.action, written by charter/assessment/cycles.py) in words.
ACTION_LABELS: dict[str, Promise] = {
    "open": _("Cycle opened, indicators snapshotted"),
    "self_submit": _("Self-assessment submitted"),
    "self_missed": _("Self-assessment not written in time"),
    "score": _("Scored by the supervisor"),
    "quota": _("Grade moved by the team quota"),
    "calibrate": _("Grade changed at calibration"),
    "approve": _("Approved by the head"),
    "publish": _("Published to the person"),
    "acknowledge": _("Acknowledged by the person"),
    "appeal": _("Appeal filed"),
    "appeal_decide": _("Appeal decided"),
    "final": _("Final"),
    "recalculate": _("Indicators recalculated"),
}
# Where a grade different from the grade by score comes from.
GRADE_SOURCES: dict[str, Promise] = {
    "quota": _("the team quota"),
    "calibrate": _("calibration"),
    "appeal_decide": _("the appeal decision"),
}
# Events whose details tell the result, hidden from the person until it is published.
RESULT_ACTIONS = frozenset({"score", "quota", "calibrate"})


# --- Presentation helpers ---------------------------------------------------------------------------------


def _number(value: Decimal) -> str:
    """`value` without trailing zeros (90, 92.5), never in exponent form."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _with_unit(value: Decimal | None, unit: Unit | None) -> str:
    if value is None:
        return gettext("no value (no sample)")
    if unit == Unit.PERCENT:
        return f"{value}%"
    if unit == Unit.COUNT:
        return _number(value)  # a count is a whole number and says what it counts in its name
    return f"{value} {UNIT_LABELS[unit]}" if unit is not None else str(value)


def curve_text(curve: Curve, unit: Unit | None) -> str:
    """Say in words how a curve turns a value into points."""

    def shown(value: Decimal) -> str:
        return f"{_number(value)}%" if unit == Unit.PERCENT else _number(value)

    if isinstance(curve, BandCurve):
        bands = gettext("; ").join(
            gettext("from %(lower)s to below %(upper)s: %(points)s points")
            % {"lower": shown(band.lower), "upper": shown(band.upper), "points": _number(band.points)}
            for band in curve.bands
        )
        return gettext("In bands: %(bands)s; a value outside them scores as the nearest band.") % {
            "bands": bands
        }
    values = {
        "floor": shown(curve.floor),
        "target": shown(curve.target),
        "cap": shown(curve.cap),
        "floor_points": _number(curve.floor_points),
        "target_points": _number(curve.target_points),
        "cap_points": _number(curve.cap_points),
    }
    if curve.higher_is_better:
        return (
            gettext(
                "Higher is better: %(floor)s or less scores %(floor_points)s points, the target %(target)s "
                "scores %(target_points)s, %(cap)s or more scores %(cap_points)s; linear in between."
            )
            % values
        )
    return (
        gettext(
            "Lower is better: %(floor)s or more scores %(floor_points)s points, the target %(target)s "
            "scores %(target_points)s, %(cap)s or less scores %(cap_points)s; linear in between."
        )
        % values
    )


def _grade_label(bands: GradeBands | None, code: str) -> str:
    if not code:
        return ""
    if bands is not None:
        for grade in bands.grades:
            if grade.code == code:
                return str(grade.label)
    return code


def _bands_of(card: Scorecard) -> GradeBands | None:
    try:
        return grades_compile(card.cycle.version.grades)
    except DomainError:
        return None


@dataclass
class EvidenceView:
    row: Evidence
    link: str | None


@dataclass
class LineView:
    """One line of a scorecard as its page shows it."""

    line: ScorecardLine
    name: str
    indicator: Indicator | None = None
    item: SchemeItem | None = None
    adjustment: SchemeAdjustment | None = None
    value_text: str = ""
    curve_text: str = ""
    evidence: list[EvidenceView] = field(default_factory=list)
    live_sample: int | None = None
    live_excluded: int | None = None
    is_truncated: bool = False

    @property
    def differs(self) -> bool:
        """The live rows no longer match the snapshot (a later correction of the data)."""
        if self.live_sample is None or self.is_truncated:
            return False
        return (self.live_sample, self.live_excluded) != (self.line.sample, self.line.excluded)


def _evidence_views(
    indicator: Indicator, card: Scorecard, user: User
) -> tuple[list[EvidenceView], int, int, bool]:
    period = Period(card.cycle.period_start, card.cycle.period_end)
    rows = indicator.evidence(period, card.person_id)
    sample = sum(1 for row in rows if row.counted and row.in_sample)
    excluded = sum(1 for row in rows if not row.counted)
    views = [EvidenceView(row, link) for row, link in evidence_for_reader(rows, user)]
    return views, sample, excluded, len(rows) >= EVIDENCE_LIMIT


def _line_views(card: Scorecard, user: User, *, with_evidence: bool) -> list[LineView]:
    version = card.cycle.version
    items = {item.code: item for item in version.items.select_related("clause")}
    adjustments = {rule.code: rule for rule in version.adjustments.all()}
    try:
        curves = rules_of(version).curves
    except DomainError:
        curves = {}
    views = []
    for line in card.lines.order_by("pk"):
        item = items.get(line.code)
        adjustment = adjustments.get(line.code)
        indicator_code = line.code if line.kind == ScorecardLine.Kind.INDICATOR else ""
        if adjustment is not None and adjustment.indicator:
            indicator_code = adjustment.indicator
        indicator = INDICATORS.get(indicator_code) if indicator_code else None
        name = (
            (localized(item, "name") if item is not None else "")
            or (localized(adjustment, "name") if adjustment is not None else "")
            or (str(indicator.name) if indicator is not None else line.code)
        )
        view = LineView(line=line, name=name, indicator=indicator, item=item, adjustment=adjustment)
        if indicator is not None:
            view.value_text = _with_unit(line.value, indicator.unit)
            if line.kind == ScorecardLine.Kind.INDICATOR and line.code in curves:
                view.curve_text = curve_text(curves[line.code], indicator.unit)
        if indicator is not None and with_evidence:
            view.evidence, view.live_sample, view.live_excluded, view.is_truncated = _evidence_views(
                indicator, card, user
            )
        views.append(view)
    return views


def _grade_source(events: Sequence[ScorecardEvent], grade: str) -> Promise | None:
    for event in reversed(events):
        if event.action in GRADE_SOURCES and event.data.get("to") == grade:
            return GRADE_SOURCES[event.action]
    return None


@dataclass
class EventView:
    event: ScorecardEvent
    label: str
    details: list[str]
    note: str


def _event_views(
    events: Sequence[ScorecardEvent], bands: GradeBands | None, names: dict[str, str], *, show_result: bool
) -> list[EventView]:
    result = []
    for event in events:
        if not show_result and event.action in RESULT_ACTIONS:
            continue  # even that a quota or calibration moved his grade tells the person his result
        data = event.data or {}
        details: list[str] = []
        if "from" in data or "to" in data:
            details.append(
                gettext("Grade: %(from)s → %(to)s")
                % {
                    "from": _grade_label(bands, data.get("from") or "") or "—",
                    "to": _grade_label(bands, data.get("to") or "") or "—",
                }
            )
        elif data.get("grade"):
            details.append(
                gettext("Total %(total)s, grade %(grade)s")
                % {"total": data.get("total") or "—", "grade": _grade_label(bands, data["grade"])}
            )
        if data.get("status") in Appeal.Status.values:
            details.append(str(Appeal.Status(data["status"]).label))
        for code, difference in (data.get("differences") or {}).items():
            details.append(
                gettext("%(item)s: %(from)s → %(to)s")
                % {
                    "item": names.get(code, code),
                    "from": difference.get("from") or "—",
                    "to": difference.get("to") or "—",
                }
            )
        result.append(
            EventView(
                event=event,
                label=str(ACTION_LABELS.get(event.action, event.action)),
                details=details,
                note=event.note,
            )
        )
    return result


# --- My scorecards ----------------------------------------------------------------------------------------


@dataclass
class MyRow:
    card: Scorecard
    show_result: bool
    grade: str
    rank: Rank | None


@page_rule(can_view_assessment)
def my_scorecards(request: HttpRequest) -> HttpResponse:
    """The reader's own scorecards, newest cycle first: score and grade once published, his rank in his team
    and in the cycle, and his indicator trends over his last cycles."""
    user = request_staff(request)
    cards = list(
        Scorecard.objects.filter(person=user)
        .select_related("cycle", "cycle__scheme", "cycle__version", "team")
        .order_by("-cycle__period_start", "-pk")
    )
    rows = []
    for card in cards:
        show_result = bool(can_see_result(user, card))
        rank = cycle_ranking(cycle=card.cycle).get(user.pk) if show_result else None
        grade = _grade_label(_bands_of(card), card.grade) if show_result else ""
        rows.append(MyRow(card=card, show_result=show_result, grade=grade, rank=rank))
    return render(
        request,
        "assessment/scorecard_mine.html",
        {"rows": rows, "trend_charts": indicator_trend_charts(cards=cards)},
    )


# --- My teams' scorecards -----------------------------------------------------------------------------------


def _team_columns(*, with_rank: bool) -> list[Column[dict[str, Any]]]:
    """The columns of the team scorecards' export: those of the page."""

    def rank(entry: dict[str, Any]) -> str:
        found = entry["rank"]
        return f"{found.team_rank} / {found.team_size}" if found and found.team_rank else ""

    columns: list[Column[dict[str, Any]]] = [
        Column(_("Staff member"), lambda entry: str(entry["card"].person)),
        Column(_("Team"), lambda entry: str(entry["card"].team or "")),
        Column(_("Scheme"), lambda entry: str(entry["card"].cycle.scheme)),
        Column(_("Period starts"), lambda entry: entry["card"].cycle.period_start),
        Column(_("Period ends"), lambda entry: entry["card"].cycle.period_end),
        Column(pgettext_lazy("scorecard", "Step"), lambda entry: entry["card"].get_status_display()),
        Column(_("Assessor"), lambda entry: str(entry["card"].assessor or "")),
        Column(_("Total score"), lambda entry: entry["card"].total),
        Column(pgettext_lazy("scorecard", "Grade"), lambda entry: str(entry["grade"] or "")),
    ]
    return columns + [Column(_("Rank in team"), rank)] if with_rank else columns


@page_rule(can_view_team_scorecards)
def team_scorecards(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The scorecards of the teams the reader leads (every team for those who see everyone), by cycle and
    team; with one cycle chosen, each person's rank in his team. `?format=csv|xlsx` exports every one of
    them, not only the page's first ones (audited)."""
    user = request_staff(request)
    visible = scorecard_list_visible_to(user=user).exclude(person=user)
    # The filter offers the teams and cycles of the scorecards he may see, whatever makes them visible
    # (leading the team, seeing everyone, running cycles).
    teams = Team.objects.filter(pk__in=visible.values("team_id")).order_by("code")
    cycle_ids = visible.values("cycle_id")
    cycle_choices = Cycle.objects.filter(pk__in=cycle_ids).select_related("scheme").order_by("-period_start")
    form = TeamScorecardFilter(request.GET or None, cycles=cycle_choices, teams=teams)
    rows = form.filtered(visible) if form.is_bound else visible
    extension = export_extension(request)
    limit = export_max_rows() + 1 if extension else TEAM_PAGE_LIMIT
    cards = list(rows.select_related("cycle__version", "cycle__scheme", "person", "team", "assessor")[:limit])
    chosen = form.cleaned_data.get("cycle") if form.is_bound and form.is_valid() else None
    ranks = cycle_ranking(cycle=chosen) if chosen is not None else {}
    bands: dict[int, GradeBands | None] = {}
    entries = []
    for card in cards:
        if card.cycle.version_id not in bands:
            bands[card.cycle.version_id] = _bands_of(card)
        entries.append(
            {
                "card": card,
                "grade": _grade_label(bands[card.cycle.version_id], card.grade),
                "rank": ranks.get(card.person_id),
            }
        )
    if extension:
        return list_export(
            request,
            name="assessment.team_scorecards",
            title=gettext("My teams' scorecards"),
            rows=entries,
            columns=_team_columns(with_rank=chosen is not None),
            filters=form_filters(form) if form.is_bound else {},
            extension=extension,
        )
    return render(
        request,
        "assessment/scorecard_team.html",
        {
            "form": form,
            "entries": entries,
            "with_rank": chosen is not None,
            "is_truncated": len(cards) >= TEAM_PAGE_LIMIT,
            "limit": TEAM_PAGE_LIMIT,
        },
    )


# --- One scorecard ------------------------------------------------------------------------------------------


def _scorecard_or_404(user: User, pk: int) -> Scorecard:
    card = (
        Scorecard.objects.select_related(
            "cycle", "cycle__scheme", "cycle__version", "person", "team", "assessor"
        )
        .filter(pk=pk)
        .first()
    )
    if card is None or not can_view_scorecard(user, card):
        raise Http404
    return card


def _forms_for(user: User, card: Scorecard, data: Any = None, do: str = "") -> dict[str, forms.Form | None]:
    """The page's forms, each only when its predicate allows; the one named `do` bound to `data`."""
    initial = {"version": card.lock_version}
    lines = list(card.lines.order_by("pk"))
    version = card.cycle.version
    items = {item.code: item for item in version.items.select_related("clause")}
    adjustments = {rule.code: rule for rule in version.adjustments.all()}

    def bound(name: str) -> Any:
        return data if do == name else None

    result: dict[str, forms.Form | None] = {
        "self_form": None,
        "score_form": None,
        "acknowledge_form": None,
        "appeal_form": None,
    }
    if can_self_assess(user, card):
        result["self_form"] = SelfAssessmentForm(
            bound("self"),
            initial={**initial, "comment": card.self_comment},
            lines=[line for line in lines if line.kind == ScorecardLine.Kind.SELF],
            items=items,
        )
    if can_score(user, card):
        manual = {code for code, rule in adjustments.items() if not rule.indicator}
        result["score_form"] = ScoreForm(
            bound("score"),
            initial={**initial, "comment": card.supervisor_comment},
            lines=[line for line in lines if line.kind == ScorecardLine.Kind.QUALITATIVE],
            manual=[line for line in lines if line.code in manual],
            items=items,
            adjustments=adjustments,
        )
    if can_acknowledge(user, card):
        result["acknowledge_form"] = AcknowledgeForm(bound("acknowledge"), initial=initial)
    if can_appeal(user, card):
        result["appeal_form"] = AppealForm(bound("appeal"), initial=initial)
    return result


@login_required
def scorecard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One scorecard explained: its lines with their formulas, values, evidence, curves and points; the
    score and grade (once the reader may see them); the forms the reader may use; the timeline. A scorecard
    outside the reader's scope is not found, for anyone (as the API and the services answer)."""
    user = request_user(request)
    card = _scorecard_or_404(user, pk)
    if request.method == "POST":
        do = request.POST.get("do", "")
        page_forms = _forms_for(user, card, request.POST, do)
        form = page_forms.get(f"{do}_form")
        if form is None:
            # No such form, or the reader may not use it (any more): nothing to do here.
            messages.error(request, gettext("This action is not open to you on this scorecard now."))
            return _detail_page(request, user, card, page_forms, status=403)
        status = 200
        if form.is_valid():
            action = _ACTIONS[do]
            try:
                action(user, card, form)
            except NotFoundError:
                raise Http404 from None
            except ConflictError as error:
                messages.error(request, str(error.message))
                status = 409
            except DomainError as error:
                if error.field or error.status == 400:
                    form_add_domain_error(form, error)
                    status = 400
                else:
                    messages.error(request, str(error.message))
                    status = error.status
            else:
                messages.success(request, str(_DONE[do]))
                return redirect("assessment:scorecard_detail", pk=card.pk)
        else:
            status = 400
        return _detail_page(request, user, card, page_forms, status=status)
    return _detail_page(request, user, card, _forms_for(user, card))


def _self_submit(user: User, card: Scorecard, form: Any) -> None:
    cycles.scorecard_self_submit(
        actor=user,
        scorecard=card,
        ratings=form.ratings(),
        comments=form.comments(),
        comment=form.cleaned_data["comment"],
        expected_version=form.cleaned_data["version"],
    )


def _score(user: User, card: Scorecard, form: Any) -> None:
    cycles.scorecard_score(
        actor=user,
        scorecard=card,
        ratings=form.ratings(),
        awards=form.awards(),
        comments=form.comments(),
        comment=form.cleaned_data["comment"],
        expected_version=form.cleaned_data["version"],
    )


def _acknowledge(user: User, card: Scorecard, form: Any) -> None:
    cycles.scorecard_acknowledge(actor=user, scorecard=card, expected_version=form.cleaned_data["version"])


def _appeal(user: User, card: Scorecard, form: Any) -> None:
    cycles.appeal_file(
        actor=user,
        scorecard=card,
        reason=form.cleaned_data["reason"],
        expected_version=form.cleaned_data["version"],
    )


_ACTIONS: dict[str, Callable[[User, Scorecard, Any], None]] = {
    "self": _self_submit,
    "score": _score,
    "acknowledge": _acknowledge,
    "appeal": _appeal,
}
_DONE: dict[str, Promise] = {
    "self": _("Your self-assessment was sent to your supervisor."),
    "score": _("The scorecard was scored."),
    "acknowledge": _("You acknowledged your scorecard."),
    "appeal": _("Your appeal was filed."),
}


def _detail_page(
    request: HttpRequest,
    user: User,
    card: Scorecard,
    page_forms: dict[str, forms.Form | None],
    status: int = 200,
) -> HttpResponse:
    show_result = bool(can_see_result(user, card))
    bands = _bands_of(card)
    lines = _line_views(card, user, with_evidence=True)
    events = list(card.events.select_related("actor").order_by("at", "pk"))
    names = {view.line.code: view.name for view in lines}
    grade_differs = bool(card.grade) and card.grade != card.computed_grade
    appeal = Appeal.objects.filter(scorecard=card).select_related("decided_by").first()
    version = card.cycle.version
    return render(
        request,
        "assessment/scorecard_detail.html",
        {
            "card": card,
            "is_person": card.person_id == user.pk,
            "show_result": show_result,
            "indicator_lines": [view for view in lines if view.line.kind == ScorecardLine.Kind.INDICATOR],
            "rated_lines": [
                view
                for view in lines
                if view.line.kind in (ScorecardLine.Kind.QUALITATIVE, ScorecardLine.Kind.SELF)
            ],
            "adjustment_lines": [
                view
                for view in lines
                if view.line.kind in (ScorecardLine.Kind.BONUS, ScorecardLine.Kind.DEDUCTION)
            ],
            "bonus_cap": version.bonus_cap,
            "deduction_cap": version.deduction_cap,
            "computed_grade": _grade_label(bands, card.computed_grade),
            "grade": _grade_label(bands, card.grade),
            "grade_differs": grade_differs,
            "grade_source": _grade_source(events, card.grade) if grade_differs else None,
            "rank": cycle_ranking(cycle=card.cycle).get(card.person_id) if show_result else None,
            "appeal": appeal,
            "appeal_grades": (
                (_grade_label(bands, appeal.previous_grade), _grade_label(bands, appeal.new_grade))
                if appeal is not None
                else None
            ),
            "events": _event_views(events, bands, names, show_result=show_result),
            "sees_team": bool(can_view_team_scorecards(user)),
            **page_forms,
        },
        status=status,
    )
