"""Assessment desk pages of cycles: the assessment home (what the reader must do now and his own latest
scorecard), the cycles, one cycle (its steps, its actions, the scorecards the reader may see and their score
distribution per team), calibration, the rankings, and the appeals with their decision.

Every page asks the predicates of charter/assessment/permissions.py: a page the reader may not open answers
403 (`page_rule`), a cycle or appeal outside his scope 404, like a missing one. Every change goes through a
service of charter/assessment/cycles.py with the row's `lock_version`; a refusal tied to an input shows on
that field with the input kept, any other refusal or a stale form (409) shows as a message on the page,
answered with the refusal's status.
"""

import dataclasses
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext

from charter.accounts.models import Team, User
from charter.accounts.requests import request_staff, request_user
from charter.assessment import cycles
from charter.assessment.forms_cycles import (
    AppealDecideForm,
    CalibrateForm,
    CycleOpenForm,
    CycleReturnForm,
    VersionForm,
)
from charter.assessment.models import Appeal, Cycle, Scorecard
from charter.assessment.permissions import (
    can_acknowledge,
    can_approve,
    can_calibrate,
    can_decide_appeal,
    can_run_cycles,
    can_score,
    can_see_result,
    can_self_assess,
    can_view_assessment,
    can_view_rankings,
    can_view_scorecard,
    can_view_team_scorecards,
)
from charter.assessment.rules import rules_of
from charter.assessment.scoring import GradeBands, quota_places
from charter.assessment.selectors import Rank, cycle_ranking, scorecard_list_visible_to
from charter.assessment.workflow import CYCLE_WORKFLOW
from charter.common import charts
from charter.common.errors import DomainError
from charter.common.forms import form_add_domain_error
from charter.common.pages import may_open, page_rule
from charter.common.policy import page_require

C = Cycle.Status
S = Scorecard.Status
PAGE_SIZE = 50
# The score ranges of the distribution charts: [lower, upper), the last open.
SCORE_BINS: tuple[tuple[Decimal, Decimal | None], ...] = (
    (Decimal(0), Decimal(60)),
    (Decimal(60), Decimal(70)),
    (Decimal(70), Decimal(80)),
    (Decimal(80), Decimal(90)),
    (Decimal(90), Decimal(100)),
    (Decimal(100), None),
)


# --- Shared helpers ----------------------------------------------------------------------------------------


def _cycle(user: User, pk: int) -> Cycle:
    """The cycle `pk` when the reader may see at least one of its scorecards; else 404."""
    cycle = Cycle.objects.select_related("scheme", "version").filter(pk=pk).first()
    if cycle is None or not scorecard_list_visible_to(user=user, cycle=cycle).exists():
        raise Http404
    return cycle


def _grades(bands: GradeBands) -> list[tuple[str, Any]]:
    return [(grade.code, grade.label) for grade in bands.grades]


def _link(url_name: str, fallback: str, user: User) -> str | None:
    """The address of `url_name` when the reader may open it; `fallback` while that page does not exist yet
    (another part of assessment writes it); None when he may not."""
    try:
        return reverse(url_name) if may_open(user, url_name) else None
    except (NoReverseMatch, ImproperlyConfigured):
        return fallback


def _scorecard_url(card: Scorecard) -> str | None:
    """The scorecard's own page, when the app has one."""
    try:
        return reverse("assessment:scorecard_detail", args=[card.pk])
    except NoReverseMatch:
        return None


def _refused(request: HttpRequest, error: DomainError, form: forms.BaseForm) -> int:
    """Show a service's refusal and return the status to answer: on the form's field when it names one the
    reader sees (200, the input kept), else as a message with the refusal's status (403 refused, 409 a step
    already taken or a stale form to reload). A hidden object is 404."""
    if error.status == 404:
        raise Http404
    if error.field and error.field in form.fields and not form[error.field].is_hidden:
        form_add_domain_error(form, error)
        return 200
    messages.error(request, str(error.message))
    return error.status


# --- What the reader must do -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AssessmentWork:
    """The assessment work waiting for one person."""

    self_assess: list[Scorecard]
    acknowledge: list[Scorecard]
    to_score: list[tuple[Cycle, int]]
    to_calibrate: list[Cycle]
    to_approve: list[Cycle]
    to_move_on: list[Cycle]
    appeals: list[Appeal]

    @property
    def score_count(self) -> int:
        return sum(count for _cycle, count in self.to_score)

    @property
    def is_empty(self) -> bool:
        return not (
            self.self_assess
            or self.acknowledge
            or self.to_score
            or self.to_calibrate
            or self.to_approve
            or self.to_move_on
            or self.appeals
        )


def assessment_work_for(*, user: User) -> AssessmentWork:
    """Return what `user` must do now in assessment: write his self-assessment, acknowledge his published
    scorecard, score people, calibrate, approve, move cycles on, decide appeals. Each is what its predicate
    allows, asked of the rows at that step only."""
    own = list(
        Scorecard.objects.filter(person=user, status__in=(S.SELF, S.PUBLISHED)).select_related(
            "cycle", "cycle__scheme"
        )
    )
    visible = scorecard_list_visible_to(user=user)
    scoring: Counter[int] = Counter()
    scoring_cycles: dict[int, Cycle] = {}
    for card in visible.filter(cycle__status=C.SUPERVISOR, status=S.SUPERVISOR).exclude(person=user):
        if can_score(user, card):
            scoring[card.cycle_id] += 1
            scoring_cycles[card.cycle_id] = card.cycle
    runs = bool(can_run_cycles(user))
    open_cycles = list(
        Cycle.objects.exclude(status=C.FINAL).select_related("scheme").order_by("-period_start")
    )
    pending = Appeal.objects.filter(
        status=Appeal.Status.PENDING, scorecard__in=visible.values("pk")
    ).select_related("scorecard", "scorecard__cycle", "scorecard__cycle__scheme", "scorecard__person")
    return AssessmentWork(
        self_assess=[card for card in own if can_self_assess(user, card)],
        acknowledge=[card for card in own if can_acknowledge(user, card)],
        to_score=[(scoring_cycles[pk], count) for pk, count in scoring.items()],
        to_calibrate=[cycle for cycle in open_cycles if runs and cycle.status == C.CALIBRATION],
        to_approve=[
            cycle for cycle in open_cycles if cycle.status == C.APPROVAL and can_approve(user, cycle)
        ],
        to_move_on=[
            cycle for cycle in open_cycles if runs and cycle.status in (C.SELF, C.SUPERVISOR, C.PUBLISHED)
        ],
        appeals=[appeal for appeal in pending if can_decide_appeal(user, appeal)],
    )


def _own_latest(user: User) -> dict[str, Any] | None:
    """The reader's latest scorecard, its result when he may see it and his rank in his team."""
    card = (
        Scorecard.objects.filter(person=user)
        .select_related("cycle", "cycle__scheme", "cycle__version", "team")
        .order_by("-cycle__period_start", "-pk")
        .first()
    )
    if card is None:
        return None
    shows = bool(can_see_result(user, card))
    rank: Rank | None = None
    labels: dict[str, Any] = {}
    if shows:
        labels = dict(_grades(rules_of(card.cycle.version).bands))
        if card.total is not None:
            rank = cycle_ranking(cycle=card.cycle).get(user.pk)
    return {
        "card": card,
        "shows_result": shows,
        "grade": labels.get(card.grade, card.grade),
        "rank": rank,
        "url": _scorecard_url(card),
    }


@page_rule(can_view_assessment)
def home(request: HttpRequest) -> HttpResponse:
    """The assessment home: what the reader must do now, his latest scorecard and rank, the other pages."""
    user = request_staff(request)
    work = assessment_work_for(user=user)
    return render(
        request,
        "assessment/home.html",
        {
            "work": work,
            "own": _own_latest(user),
            "self_assess": [(card, _scorecard_url(card)) for card in work.self_assess],
            "acknowledge": [(card, _scorecard_url(card)) for card in work.acknowledge],
            "schemes_url": _link("assessment:scheme_list", "/desk/assessment/schemes/", user),
            "ledger_url": _link("assessment:ledger", "/desk/assessment/ledger/", user),
            "plans_url": _link("assessment:plan_list", "/desk/assessment/plans/", user),
            "mine_url": _link("assessment:my_scorecards", "/desk/assessment/mine/", user),
            "team_url": _link("assessment:team_scorecards", "/desk/assessment/team/", user),
            "may_run": bool(can_run_cycles(user)),
        },
    )


# --- Cycles ------------------------------------------------------------------------------------------------


@page_rule(can_view_assessment)
def cycle_list(request: HttpRequest) -> HttpResponse:
    """The cycles in which the reader may see at least one scorecard, newest first."""
    user = request_staff(request)
    visible = scorecard_list_visible_to(user=user).order_by().values("cycle_id")
    rows = Cycle.objects.filter(pk__in=visible).select_related("scheme").order_by("-period_start", "pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "assessment/cycle_list.html", {"page": page, "may_run": bool(can_run_cycles(user))}
    )


@page_rule(can_view_assessment, can_run_cycles)
def cycle_open(request: HttpRequest) -> HttpResponse:
    """Open the cycle of a scheme for a period (the snapshot of everyone's indicators)."""
    user = request_staff(request)
    form = CycleOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = cycles.cycle_open(
                actor=user, scheme=form.cleaned_data["scheme"], period_start=form.cleaned_data["period_start"]
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, gettext("The cycle was opened."))
            return redirect("assessment:cycle_detail", pk=cycle.pk)
    return render(request, "assessment/cycle_open.html", {"form": form})


def _steps(cycle: Cycle) -> list[dict[str, Any]]:
    """The cycle's steps in order, each done, current (with its due time) or to come."""
    order = [value for value, _label in C.choices]
    position = order.index(cycle.status)
    return [
        {
            "label": label,
            "state": "done" if index < position else "current" if index == position else "todo",
            "due": cycle.step_due_at if index == position else None,
        }
        for index, (_value, label) in enumerate(C.choices)
    ]


def _bin_labels() -> list[str]:
    labels = []
    for lower, upper in SCORE_BINS:
        if lower == 0:
            labels.append(f"<{upper}")
        elif upper is None:
            labels.append(f"≥{lower}")
        else:
            labels.append(f"{lower}–{upper}")
    return labels


def _distribution(totals: Iterable[Decimal]) -> list[float | None]:
    counts = [0] * len(SCORE_BINS)
    for total in totals:
        for index, (lower, upper) in enumerate(SCORE_BINS):
            if (index == 0 or total >= lower) and (upper is None or total < upper):
                counts[index] += 1
                break
    return [float(count) for count in counts]


def _team_name(team: Team | None) -> str:
    return str(team) if team is not None else gettext("No team")


def _score_charts(rows: Sequence[dict[str, Any]]) -> list[Any]:
    """One score-distribution chart per team, of the totals the reader may see."""
    by_team: dict[int | None, list[dict[str, Any]]] = {}
    for row in rows:
        if row["shows_result"] and row["card"].total is not None:
            by_team.setdefault(row["card"].team_id, []).append(row)
    labels = _bin_labels()
    result = []
    for team_id, members in by_team.items():
        name = _team_name(members[0]["card"].team)
        result.append(
            charts.column_chart(
                chart_id=f"scores-team-{team_id or 0}",
                title=name,
                description=gettext("How many people of %(team)s scored in each range.") % {"team": name},
                x_labels=labels,
                values=_distribution(row["card"].total for row in members),
                empty_text=gettext("No scores yet."),
                caption=True,
            )
        )
    return result


def _cycle_page(
    request: HttpRequest, user: User, cycle: Cycle, return_form: forms.Form, status: int = 200
) -> HttpResponse:
    labels = dict(_grades(rules_of(cycle.version).bands))
    rows = [
        {
            "card": card,
            "shows_result": bool(can_see_result(user, card)),
            "grade_by_score": labels.get(card.computed_grade, card.computed_grade),
            "grade": labels.get(card.grade, card.grade),
            "url": _scorecard_url(card),
        }
        for card in scorecard_list_visible_to(user=user, cycle=cycle)
    ]
    runs = bool(can_run_cycles(user))
    advance_to = next(
        (
            to
            for to in CYCLE_WORKFLOW.targets(cycle.status)
            if (move := CYCLE_WORKFLOW.move_for(cycle.status, to)) is not None and move.name == "advance"
        ),
        None,
    )
    blocked = CYCLE_WORKFLOW.refusal_for(cycle, to=advance_to, name="advance") if advance_to else None
    sees_teams = bool(can_view_team_scorecards(user))
    return render(
        request,
        "assessment/cycle_detail.html",
        {
            "cycle": cycle,
            "steps": _steps(cycle),
            "rows": rows,
            "charts": _score_charts(rows) if sees_teams else [],
            "version_form": VersionForm(initial={"version": cycle.lock_version}, auto_id=False),
            "return_form": return_form,
            "may_advance": runs and advance_to is not None,
            "advance_to": CYCLE_WORKFLOW.label(advance_to) if advance_to else "",
            "advance_blocked": blocked.message if blocked is not None else "",
            "may_recalculate": runs and cycle.status not in (C.PUBLISHED, C.FINAL),
            "may_approve": bool(can_approve(user, cycle)),
            "may_close": runs and cycle.status == C.PUBLISHED,
            "sees_teams": sees_teams,
            "may_rank": sees_teams and bool(can_view_rankings(user)),
        },
        status=status,
    )


@login_required
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One cycle: its steps with the due time, the actions the reader may take (each a form carrying the
    cycle's version), the scorecards he may see and the score distribution per team. A cycle of which the
    reader sees no scorecard is not found, for anyone (as the API and the services answer)."""
    user = request_user(request)
    cycle = _cycle(user, pk)
    return_form = CycleReturnForm(initial={"version": cycle.lock_version})
    if request.method != "POST":
        return _cycle_page(request, user, cycle, return_form)
    do = request.POST.get("do", "")
    form: forms.Form
    if do == "return":
        form = return_form = CycleReturnForm(request.POST)
    elif do in ("advance", "recalculate", "approve", "close"):
        form = VersionForm(request.POST)
    else:
        raise Http404
    if not form.is_valid():
        if do != "return":
            messages.error(request, gettext("The form was incomplete; reload the page and try again."))
            return _cycle_page(request, user, cycle, return_form, status=400)
        return _cycle_page(request, user, cycle, return_form)
    version = form.cleaned_data["version"]
    try:
        if do == "advance":
            cycle = cycles.cycle_advance(actor=user, cycle=cycle, expected_version=version)
            done = gettext("The cycle moved on to: %(step)s.") % {"step": cycle.get_status_display()}
        elif do == "recalculate":
            changed = cycles.cycle_recalculate(actor=user, cycle=cycle, expected_version=version)
            done = gettext("The indicators were calculated again: %(count)s values changed.") % {
                "count": changed
            }
        elif do == "approve":
            cycles.cycle_approve(actor=user, cycle=cycle, expected_version=version)
            done = gettext("The cycle was approved and published to the staff.")
        elif do == "return":
            cycles.cycle_return(
                actor=user, cycle=cycle, reason=form.cleaned_data["reason"], expected_version=version
            )
            done = gettext("The cycle went back to calibration.")
        else:
            cycles.cycle_close(actor=user, cycle=cycle, expected_version=version)
            done = gettext("The cycle is final; its outcomes are in the ledger.")
    except DomainError as error:
        status = _refused(request, error, form)
        cycle.refresh_from_db()
        return _cycle_page(request, user, cycle, return_form, status=status)
    messages.success(request, done)
    return redirect("assessment:cycle_detail", pk=cycle.pk)


# --- Calibration -------------------------------------------------------------------------------------------


def _quota_words(bands: GradeBands, quota: dict[str, Decimal]) -> list[str]:
    return [
        gettext(
            "%(grade)s: at most %(share)s%% of the team, rounded half up; a team too small for one place "
            "still has one."
        )
        % {"grade": bands.get(code).label, "share": f"{share.normalize():f}"}
        for code, share in quota.items()
    ]


def _calibration_form(card: Scorecard, grades: list[tuple[str, Any]], data: Any = None) -> CalibrateForm:
    return CalibrateForm(
        data,
        prefix=f"card-{card.pk}",
        grades=grades,
        initial={"version": card.lock_version, "grade": card.grade or card.computed_grade},
    )


@page_rule(can_view_assessment, can_view_team_scorecards)
def calibration(request: HttpRequest, pk: int) -> HttpResponse:
    """Calibration: the teams side by side with their grade counts and the quota in words, and for each
    scorecard the reader may calibrate a form to change its grade with the reason."""
    user = request_staff(request)
    cycle = _cycle(user, pk)
    rules = rules_of(cycle.version)
    grades = _grades(rules.bands)
    labels = dict(grades)
    # Only the results the reader may see: his own stays hidden until it is published.
    cards = [card for card in scorecard_list_visible_to(user=user, cycle=cycle) if can_see_result(user, card)]
    bound: dict[int, CalibrateForm] = {}
    status = 200
    if request.method == "POST":
        if request.POST.get("do") != "calibrate":
            raise Http404
        card = next((card for card in cards if str(card.pk) == request.POST.get("card", "")), None)
        if card is None:
            raise Http404
        form = bound[card.pk] = _calibration_form(card, grades, request.POST)
        if form.is_valid():
            try:
                cycles.scorecard_calibrate(
                    actor=user,
                    scorecard=card,
                    grade=form.cleaned_data["grade"],
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["version"],
                )
            except DomainError as error:
                status = _refused(request, error, form)
            else:
                messages.success(
                    request, gettext("The grade of %(person)s was changed.") % {"person": card.person}
                )
                return redirect("assessment:calibration", pk=cycle.pk)
    teams: dict[int | None, list[Scorecard]] = {}
    for card in cards:
        teams.setdefault(card.team_id, []).append(card)
    quota_words = _quota_words(rules.bands, rules.quota)
    panels = []
    for members in teams.values():
        counts = Counter(card.grade or card.computed_grade for card in members)
        places = [
            gettext("%(grade)s: %(places)s of %(size)s places in this team, %(count)s given.")
            % {
                "grade": labels[code],
                "places": quota_places(share, len(members)),
                "size": len(members),
                "count": counts.get(code, 0),
            }
            for code, share in rules.quota.items()
        ]
        panels.append(
            {
                "name": _team_name(members[0].team),
                "size": len(members),
                "counts": [(label, counts.get(code, 0)) for code, label in grades],
                "places": places,
                "rows": [
                    {
                        "card": card,
                        "grade_by_score": labels.get(card.computed_grade, card.computed_grade),
                        "grade": labels.get(card.grade, card.grade),
                        "form": bound.get(card.pk) or _calibration_form(card, grades),
                        "may_calibrate": bool(can_calibrate(user, card)),
                    }
                    for card in sorted(members, key=lambda card: -(card.total or 0))
                ],
            }
        )
    return render(
        request,
        "assessment/calibration.html",
        {"cycle": cycle, "teams": panels, "quota_words": quota_words},
        status=status,
    )


# --- Rankings ----------------------------------------------------------------------------------------------


@page_rule(can_view_assessment, can_view_rankings)
def rankings(request: HttpRequest, pk: int) -> HttpResponse:
    """The ranking by total within each team and across the cycle, of the scorecards the reader may see (a
    lead: his teams)."""
    user = request_staff(request)
    cycle = _cycle(user, pk)
    labels = dict(_grades(rules_of(cycle.version).bands))
    ranks = cycle_ranking(cycle=cycle)
    rows = [
        {"card": card, "rank": ranks[card.person_id], "grade": labels.get(card.grade, card.grade)}
        for card in scorecard_list_visible_to(user=user, cycle=cycle)
        if can_see_result(user, card) and card.total is not None
    ]
    teams: dict[int | None, list[dict[str, Any]]] = {}
    for row in rows:
        teams.setdefault(row["card"].team_id, []).append(row)
    return render(
        request,
        "assessment/rankings.html",
        {
            "cycle": cycle,
            "teams": [
                {
                    "name": _team_name(members[0]["card"].team),
                    "rows": sorted(members, key=lambda row: (row["rank"].team_rank or 0, row["card"].pk)),
                }
                for members in teams.values()
            ],
            "overall": sorted(rows, key=lambda row: (row["rank"].cycle_rank or 0, row["card"].pk)),
        },
    )


# --- Appeals -----------------------------------------------------------------------------------------------


@page_rule(can_view_assessment)
def appeal_list(request: HttpRequest) -> HttpResponse:
    """The appeals the reader may decide, then the others he may see (his own, his teams')."""
    user = request_staff(request)
    visible = scorecard_list_visible_to(user=user).order_by().values("pk")
    appeals = list(
        Appeal.objects.filter(scorecard__in=visible)
        .select_related(
            "scorecard", "scorecard__person", "scorecard__team", "scorecard__cycle__scheme", "decided_by"
        )
        .order_by("-filed_at", "-pk")[:200]
    )
    to_decide = [appeal for appeal in appeals if can_decide_appeal(user, appeal)]
    return render(
        request,
        "assessment/appeal_list.html",
        {"to_decide": to_decide, "others": [appeal for appeal in appeals if appeal not in to_decide]},
    )


def _appeal_page(
    request: HttpRequest, user: User, appeal: Appeal, form: AppealDecideForm, status: int = 200
) -> HttpResponse:
    card = appeal.scorecard
    labels = dict(_grades(rules_of(card.cycle.version).bands))
    return render(
        request,
        "assessment/appeal_detail.html",
        {
            "appeal": appeal,
            "card": card,
            "labels": labels,
            "grade_by_score": labels.get(card.computed_grade, card.computed_grade),
            "grade": labels.get(card.grade, card.grade),
            "previous_grade": labels.get(appeal.previous_grade, appeal.previous_grade),
            "new_grade": labels.get(appeal.new_grade, appeal.new_grade),
            "form": form,
            "may_decide": bool(can_decide_appeal(user, appeal)),
            "card_url": _scorecard_url(card),
        },
        status=status,
    )


@login_required
def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One appeal: the scorecard's result (its timeline is on the scorecard's page), the grounds and, for
    whoever may decide it, the decision form (upheld and partly upheld need the grade after the decision).
    An appeal against a scorecard outside the reader's scope is not found, for anyone."""
    user = request_user(request)
    appeal = (
        Appeal.objects.select_related(
            "scorecard", "scorecard__person", "scorecard__team", "scorecard__cycle__version", "decided_by"
        )
        .filter(pk=pk)
        .first()
    )
    if appeal is None:
        raise Http404
    page_require(can_view_scorecard(user, appeal.scorecard))
    grades = _grades(rules_of(appeal.scorecard.cycle.version).bands)
    if request.method != "POST":
        form = AppealDecideForm(initial={"version": appeal.lock_version}, grades=grades)
        return _appeal_page(request, user, appeal, form)
    if request.POST.get("do") != "decide":
        raise Http404
    form = AppealDecideForm(request.POST, grades=grades)
    if not form.is_valid():
        return _appeal_page(request, user, appeal, form)
    data = form.cleaned_data
    try:
        cycles.appeal_decide(
            actor=user,
            appeal=appeal,
            status=data["status"],
            decision=data["decision"],
            new_grade=data["new_grade"],
            expected_version=data["version"],
        )
    except DomainError as error:
        status = _refused(request, error, form)
        appeal.refresh_from_db()
        return _appeal_page(request, user, appeal, form, status=status)
    messages.success(request, gettext("The appeal was decided."))
    return redirect("assessment:appeal_detail", pk=appeal.pk)
