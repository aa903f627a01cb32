"""Reads of surveys that other pages share: whose results each reader sees, and the follow-ups of unhappy
customers each person may see."""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from charter.accounts.models import User
from charter.accounts.permissions import AnyUser
from charter.accounts.selectors import scope_team_ids, team_list_led_by
from charter.common.policy import holds
from charter.surveys.metrics import CSAT_SATISFIED_FROM, NPS_DETRACTOR_UP_TO, NPS_PROMOTER_FROM
from charter.surveys.models import RecoveryTask, Response, ReviewStatus
from charter.surveys.permissions import can_manage_surveys, can_view_all_results, can_view_results

RECOVERY_OPEN_STATUSES = (RecoveryTask.Status.OPEN, RecoveryTask.Status.CONTACTED)
# 差评 in 好差评: 不满意 (2) and 非常不满意 (1) on the 1-5 scale.
CSAT_DISSATISFIED_UP_TO = 2


def result_team_ids_for(*, user: AnyUser) -> frozenset[int] | None:
    """Return the ids of the teams whose survey results `user` sees, or None for every team (and the
    answers to campaigns, which have no team).

    Every team for those who see all results (`can_view_all_results`); for any other reader the teams in
    his scope, as on every other page (`scope_team_ids`: his teams, and every team under a unit whose team
    he leads); none for those who may not see results at all.
    """
    if not isinstance(user, User) or not can_view_results(user):
        return frozenset()
    if can_view_all_results(user):
        return None
    return scope_team_ids(user)


def recovery_task_list_visible_to(
    *, user: AnyUser, is_open_only: bool = False, rectification_overdue_at: dt.datetime | None = None
) -> QuerySet[RecoveryTask]:
    """Return the follow-ups `user` may see: all for administrators (surveys.manage_surveys); for anyone else
    those he owns and those of the teams he leads, at any depth of the tree (`team_list_led_by`), and for
    those who decide 好差评 appeals (surveys.decide_review_appeal) every follow-up appealed.

    `is_open_only` keeps those still to be done (open, or the customer contacted);
    `rectification_overdue_at` those whose bad review is still to be rectified after its deadline at that
    moment. Rows come with their case, team and owner joined.
    """
    if not isinstance(user, User) or not user.is_active:
        return RecoveryTask.objects.none()
    tasks = RecoveryTask.objects.select_related("response__case", "team", "owner")
    if is_open_only:
        tasks = tasks.filter(status__in=RECOVERY_OPEN_STATUSES)
    if rectification_overdue_at is not None:
        tasks = tasks.filter(
            review_status=ReviewStatus.RECTIFYING, rectify_due_at__lte=rectification_overdue_at
        )
    if can_manage_surveys(user):
        return tasks
    visible = Q(owner=user) | Q(team__in=team_list_led_by(user=user))
    if holds(user, "surveys.decide_review_appeal"):
        visible |= Q(appeal__isnull=False)
    return tasks.filter(visible)


@dataclass(frozen=True)
class CsatTally:
    """One person's satisfaction answers in a period: `answered` on the 1-5 scale, of which `satisfied`
    (4-5) and `dissatisfied` (1-2, the 差评 of 好差评), `skipped` responses without a CSAT answer, and
    `excluded` responses left out of every staff indicator (a review ruled not valid, or an upheld appeal),
    counted in none of the others."""

    answered: int = 0
    satisfied: int = 0
    dissatisfied: int = 0
    skipped: int = 0
    excluded: int = 0


@dataclass(frozen=True)
class NpsTally:
    """One person's likelihood-to-recommend answers in a period: `answered` on the 0-10 scale, of which
    `promoters` (9-10), `passives` (7-8) and `detractors` (0-6); `excluded` responses (see CsatTally) are in
    none of the others."""

    answered: int = 0
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    excluded: int = 0


def _counted(prefix: str, **lookups: object) -> Q:
    """The lookups on a response that counts (not excluded), under `prefix`."""
    return Q(**{f"{prefix}assessment_excluded_at__isnull": True}) & Q(
        **{f"{prefix}{name}": value for name, value in lookups.items()}
    )


def _excluded(prefix: str) -> Count:
    return Count("pk", filter=Q(**{f"{prefix}assessment_excluded_at__isnull": False}))


def _csat_counts(prefix: str = "") -> dict[str, Count]:
    return {
        "answered": Count("pk", filter=_counted(prefix, csat__isnull=False)),
        "satisfied": Count("pk", filter=_counted(prefix, csat__gte=CSAT_SATISFIED_FROM)),
        "dissatisfied": Count("pk", filter=_counted(prefix, csat__lte=CSAT_DISSATISFIED_UP_TO)),
        "skipped": Count("pk", filter=_counted(prefix, csat__isnull=True)),
        "excluded": _excluded(prefix),
    }


def _nps_counts(prefix: str = "") -> dict[str, Count]:
    return {
        "answered": Count("pk", filter=_counted(prefix, nps__isnull=False)),
        "promoters": Count("pk", filter=_counted(prefix, nps__gte=NPS_PROMOTER_FROM)),
        "passives": Count(
            "pk", filter=_counted(prefix, nps__gt=NPS_DETRACTOR_UP_TO, nps__lt=NPS_PROMOTER_FROM)
        ),
        "detractors": Count("pk", filter=_counted(prefix, nps__lte=NPS_DETRACTOR_UP_TO)),
        "excluded": Count(
            "pk",
            filter=Q(**{f"{prefix}assessment_excluded_at__isnull": False, f"{prefix}nps__isnull": False}),
        ),
    }


def _tally_by_person(
    *,
    start_at: dt.datetime,
    end_at: dt.datetime,
    people: Sequence[int],
    counts: Callable[..., dict[str, Count]],
) -> dict[int, dict[str, int]]:
    """Sum `counts` per person over the responses attributed to him in [start_at, end_at): as handler, then
    as an agent who is not also the handler (two queries)."""
    ids = list(people)
    responses = Response.objects.filter(submitted_at__gte=start_at, submitted_at__lt=end_at)
    totals: dict[int, dict[str, int]] = {}
    by_handler = responses.filter(handler_id__in=ids).values("handler_id").annotate(**counts()).order_by()
    for row in by_handler:
        totals[row.pop("handler_id")] = row
    # Through the attribution rows themselves: an exclude across the many-to-many would drop a response for
    # every agent as soon as one of them is also its handler.
    by_agent = (
        Response.agents.through.objects.filter(
            user_id__in=ids, response__submitted_at__gte=start_at, response__submitted_at__lt=end_at
        )
        .exclude(response__handler_id=F("user_id"))
        .values("user_id")
        .annotate(**counts("response__"))
        .order_by()
    )
    for row in by_agent:
        person = row.pop("user_id")
        own = totals.setdefault(person, dict.fromkeys(row, 0))
        for key, count in row.items():
            own[key] += count
    return totals


def response_csat_tally_by_person(
    *, start_at: dt.datetime, end_at: dt.datetime, people: Sequence[int]
) -> dict[int, CsatTally]:
    """Return, per person of `people`, the CSAT answers of the responses submitted in [start_at, end_at)
    that are attributed to him: as the case's handler or as one of the agents who answered the customer
    (copied onto the response when it arrived), each response once per person.

    A response excluded from assessment (`Response.assessment_excluded_at`: a 好差评 review ruled not valid,
    or an upheld appeal) is in none of answered, satisfied, dissatisfied or skipped, and is counted in
    `excluded`. Two queries (handler, then agents not already the handler), whatever the number of people;
    people without a response are absent.
    """
    totals = _tally_by_person(start_at=start_at, end_at=end_at, people=people, counts=_csat_counts)
    return {person: CsatTally(**counts) for person, counts in totals.items()}


def response_nps_tally_by_person(
    *, start_at: dt.datetime, end_at: dt.datetime, people: Sequence[int]
) -> dict[int, NpsTally]:
    """Return, per person of `people`, the NPS answers (0-10) of the responses submitted in
    [start_at, end_at) attributed to him, by the rule of `response_csat_tally_by_person`: promoters (9-10),
    passives (7-8), detractors (0-6) and answered, excluded responses left out of them and counted in
    `excluded` (only those with an NPS answer). Two queries; people without a response are absent.
    """
    totals = _tally_by_person(start_at=start_at, end_at=end_at, people=people, counts=_nps_counts)
    return {person: NpsTally(**counts) for person, counts in totals.items()}


def response_list_attributed(
    *, start_at: dt.datetime, end_at: dt.datetime, person: int, limit: int = 200
) -> list[Response]:
    """Return the responses submitted in [start_at, end_at) attributed to `person` (as handler or as one of
    the agents), newest first, at most `limit`, with their case, service and team joined. Each carries
    `is_excluded` (and `assessment_exclusion`, the reason) for the scorecard's drill-down."""
    return list(
        Response.objects.filter(submitted_at__gte=start_at, submitted_at__lt=end_at)
        .filter(
            Q(handler_id=person)
            | Q(pk__in=Response.agents.through.objects.filter(user_id=person).values("response_id"))
        )
        .select_related("case", "service", "team")
        .order_by("-submitted_at", "-pk")[:limit]
    )


def review_list_attributed_to(*, user: User, is_open_only: bool = False) -> QuerySet[RecoveryTask]:
    """Return the bad reviews (好差评 loop) attributed to `user`, as handler or agent, newest first, with
    their response, case and appeal joined: what he sees of them on his own page, and may appeal.
    `is_open_only` keeps those whose loop is not closed yet."""
    attributed = Q(response__handler=user) | Q(
        response__in=Response.agents.through.objects.filter(user_id=user.pk).values("response_id")
    )
    tasks = RecoveryTask.objects.exclude(review_status=ReviewStatus.NONE)
    if is_open_only:
        tasks = tasks.exclude(review_status=ReviewStatus.DONE)
    return (
        tasks.filter(attributed)
        .select_related("response__case", "team", "appeal")
        .order_by("-response__submitted_at", "-pk")
    )
