"""Reading assessments: who a scheme covers, the version in force, scorecards a reader may see, rankings."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from charter.accounts.models import TeamMembership, User
from charter.accounts.selectors import staff_list, team_list_led_by
from charter.assessment.models import Appeal, Cycle, Scheme, SchemeVersion, Scorecard, ScorecardEvent
from charter.assessment.permissions import PARTY_ACTIONS, can_run_cycles, can_see_everyone
from charter.common.policy import holds


def scheme_staff_covered(*, scheme: Scheme) -> QuerySet[User]:
    """Return the active staff a scheme covers: members of its teams and holders of its roles, by id."""
    team_ids = list(scheme.teams.values_list("pk", flat=True))
    role_ids = list(scheme.roles.values_list("pk", flat=True))
    if not team_ids and not role_ids:
        return User.objects.none()
    covered = Q(memberships__team_id__in=team_ids) | Q(groups__in=role_ids)
    return staff_list().filter(covered).order_by("pk").distinct()


def scheme_version_in_force(*, scheme: Scheme) -> SchemeVersion | None:
    """Return the scheme's published version (one at a time: a newer one supersedes it), or None."""
    return scheme.versions.published().order_by("-number").first()


def scheme_version_for_period(*, scheme: Scheme, start: dt.date) -> SchemeVersion | None:
    """Return the version that governs the period starting `start`: the newest one published (or since
    superseded) whose first period starts on or before `start` (a version without a start date applies
    from its publication). So a past period keeps the rules it was published under after a newer version
    is published for later periods."""
    versions = scheme.versions.exclude(status=SchemeVersion.Status.DRAFT)
    applicable = versions.filter(Q(effective_from__lte=start) | Q(effective_from__isnull=True))
    return applicable.order_by("-number").first()


def primary_team_ids(*, people: list[int]) -> dict[int, int]:
    """Return each person's team for assessment: the first team he leads or, failing that, the first he
    belongs to (lowest id). One query."""
    teams: dict[int, tuple[bool, int]] = {}
    for user_id, team_id, is_lead in TeamMembership.objects.filter(user_id__in=people).values_list(
        "user_id", "team_id", "is_lead"
    ):
        candidate = (not is_lead, team_id)
        if user_id not in teams or candidate < teams[user_id]:
            teams[user_id] = candidate
    return {user_id: team_id for user_id, (_not_lead, team_id) in teams.items()}


def scorecard_list_visible_to(*, user: User, cycle: Cycle | None = None) -> QuerySet[Scorecard]:
    """Return the scorecards `user` may see (`can_view_scorecard`'s rule as a filter), newest cycle first."""
    cards = Scorecard.objects.select_related("cycle", "cycle__scheme", "person", "team", "assessor")
    if cycle is not None:
        cards = cards.filter(cycle=cycle)
    if can_see_everyone(user) or can_run_cycles(user) or holds(user, "assessment.approve_cycle"):
        return cards.order_by("-cycle__period_start", "team_id", "person_id")
    led = team_list_led_by(user=user).values_list("pk", flat=True)
    visible = Q(person=user) | Q(assessor=user) | Q(team_id__in=led)
    if holds(user, "assessment.decide_appeal"):
        visible |= Q(appeal__isnull=False)
    return cards.filter(visible).order_by("-cycle__period_start", "team_id", "person_id")


@dataclass(frozen=True)
class Rank:
    """A person's place among those of his team (and of the whole cycle) by total score."""

    person_id: int
    team_id: int | None
    total: Decimal | None
    team_rank: int | None
    team_size: int
    cycle_rank: int | None
    cycle_size: int


def cycle_ranking(*, cycle: Cycle) -> dict[int, Rank]:
    """Rank every scorecard of `cycle` by total (highest first; equal totals share a rank, competition
    style 1, 2, 2, 4), within its team and across the cycle. One query."""
    rows = list(cycle.scorecards.values_list("person_id", "team_id", "total"))
    scored = [row for row in rows if row[2] is not None]

    def ranks(group: Sequence[tuple[int, int | None, Decimal | None]]) -> dict[int, int]:
        ordered = sorted(group, key=lambda row: -(row[2] or 0))
        result: dict[int, int] = {}
        for index, row in enumerate(ordered):
            previous = ordered[index - 1] if index else None
            result[row[0]] = (
                result[previous[0]] if previous is not None and previous[2] == row[2] else index + 1
            )
        return result

    overall = ranks(scored)
    by_team: dict[int | None, list[tuple[int, int | None, Decimal | None]]] = {}
    for row in scored:
        by_team.setdefault(row[1], []).append(row)
    team_ranks = {person: rank for group in by_team.values() for person, rank in ranks(group).items()}
    return {
        person: Rank(
            person_id=person,
            team_id=team,
            total=total,
            team_rank=team_ranks.get(person),
            team_size=len(by_team.get(team, [])),
            cycle_rank=overall.get(person),
            cycle_size=len(scored),
        )
        for person, team, total in rows
    }


def cycle_list_current(*, on: dt.date) -> QuerySet[Cycle]:
    """Return the cycles whose period contains `on` or that are not final yet, newest first."""
    return Cycle.objects.filter(
        Q(period_start__lte=on, period_end__gte=on) | ~Q(status=Cycle.Status.FINAL)
    ).order_by("-period_start")


def appeal_list_decidable_by(*, user: User) -> QuerySet[Appeal]:
    """Return the pending appeals `user` may decide, `can_decide_appeal`'s rule as a filter: he holds
    assessment.decide_appeal and is no party to the scorecard (not his own; he neither assesses it nor
    scored, calibrated or approved it: `scorecard_parties`). One query."""
    if not holds(user, "assessment.decide_appeal"):
        return Appeal.objects.none()
    parties = ScorecardEvent.objects.filter(actor=user, action__in=PARTY_ACTIONS).values("scorecard_id")
    return (
        Appeal.objects.filter(status=Appeal.Status.PENDING)
        .exclude(scorecard__person=user)
        .exclude(scorecard__assessor=user)
        .exclude(scorecard__cycle__approved_by=user)
        .exclude(scorecard__in=parties)
    )
