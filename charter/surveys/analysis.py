"""Reads of survey results: the headline figures, trends, breakdowns and the services customers rate lowest.

Every number is aggregated by the database, one query per figure or per breakdown (conditional counts of
the 4-5 answers among the 1-5 ones and so on), and turned into a value with its interval by
charter.surveys.metrics, which states the formulas. The number of queries does not grow with the number of
responses.

Results are filtered by period (whole days from `date_from` to `date_to` in the reader's time zone, on the
time of the answer), service, team, agent (any member of staff the response is attributed to), channel and
kind of case. The response rate counts invitations instead: those sent in the period, filtered by what
their case is now (a response keeps what its case was when it was answered), and with an agent filter those
whose case the agent handles or whose response is attributed to the agent.

Results have their own permission (surveys.view_results); callers check it with
charter.surveys.permissions.can_view_results before calling these selectors, and limit them to the reader's
teams with `ResultFilter.team_ids` (charter.surveys.selectors.result_team_ids_for).
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Literal

from django.db.models import (
    Count,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import Cast, RowNumber, TruncMonth, TruncWeek
from django.utils.translation import gettext as _

from charter.accounts.models import Team, User
from charter.catalog.models import Channel, Service, ServiceVersion
from charter.common.dates import day_end, day_start
from charter.common.models import localized
from charter.common.vocabulary import CaseKind
from charter.surveys import metrics
from charter.surveys.metrics import Metric
from charter.surveys.models import Invitation, Response
from charter.surveys.themes import Theme, themes_cached

Period = Literal["week", "month"]
Dimension = Literal["service", "team", "agent", "channel", "kind"]

# The Response field each breakdown groups by; "agents" counts a response once for each member of staff
# it is attributed to.
DIMENSIONS: tuple[Dimension, ...] = ("service", "team", "agent", "channel", "kind")
DIMENSION_FIELDS: dict[str, str] = {
    "service": "service",
    "team": "team",
    "agent": "agents",
    "channel": "channel",
    "kind": "kind",
}

LOWEST_RATED_MINIMUM = 10  # answers a service needs before it is ranked among the lowest rated
LOWEST_RATED_LIMIT = 5
LOWEST_RATED_COMMENTS = 3
THEME_COMMENT_LIMIT = 2000  # the most recent comments read for themes


@dataclass(frozen=True)
class ResultFilter:
    """What the reader asked to see. Dates are whole days in `tz`, both ends included.

    `team_ids` is the reader's scope (None: every team, and answers without a team); `team_id` the team he
    chose within it.
    """

    tz: dt.tzinfo
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    service_id: int | None = None
    team_id: int | None = None
    agent_id: int | None = None
    channel: str = ""
    kind: str = ""
    team_ids: frozenset[int] | None = None

    def period_bounds(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The period as [start, end) instants: midnight of date_from and of the day after date_to in tz."""
        start = day_start(self.date_from, self.tz) if self.date_from else None
        end = day_end(self.date_to, self.tz) if self.date_to else None
        return start, end


@dataclass(frozen=True)
class Scores:
    """CSAT, NPS and CES of a set of responses, and how many responses it has."""

    responses: int
    csat: Metric
    nps: Metric
    ces: Metric


@dataclass(frozen=True)
class Overview:
    scores: Scores
    response_rate: Metric


@dataclass(frozen=True)
class TrendPoint:
    """One week (Monday to Sunday) or month, starting on `start` in the reader's time zone."""

    start: dt.date
    label: str
    scores: Scores


@dataclass(frozen=True)
class Group:
    """One line of a breakdown: `key` is the id or code grouped by (None: not recorded)."""

    key: Any
    label: str
    scores: Scores


@dataclass(frozen=True)
class Comment:
    text: str
    submitted_at: dt.datetime
    csat: int | None
    nps: int | None
    ces: int | None


@dataclass(frozen=True)
class LowRatedService:
    service_id: int
    label: str
    scores: Scores
    comments: list[Comment] = field(default_factory=list)


def _aggregates() -> dict[str, Any]:
    """The counts every metric is computed from, as conditional aggregates of one GROUP BY."""
    return {
        "responses": Count("pk"),
        "csat_answered": Count("pk", filter=Q(csat__isnull=False)),
        "csat_satisfied": Count("pk", filter=Q(csat__gte=metrics.CSAT_SATISFIED_FROM)),
        "nps_answered": Count("pk", filter=Q(nps__isnull=False)),
        "nps_promoters": Count("pk", filter=Q(nps__gte=metrics.NPS_PROMOTER_FROM)),
        "nps_detractors": Count("pk", filter=Q(nps__lte=metrics.NPS_DETRACTOR_UP_TO)),
        "ces_answered": Count("pk", filter=Q(ces__isnull=False)),
        "ces_total": Sum("ces"),
        "ces_squares": Sum(F("ces") * F("ces"), output_field=IntegerField()),
    }


def _scores(row: dict[str, Any]) -> Scores:
    return Scores(
        responses=row["responses"],
        csat=metrics.csat(satisfied=row["csat_satisfied"], answered=row["csat_answered"]),
        nps=metrics.nps(
            promoters=row["nps_promoters"], detractors=row["nps_detractors"], answered=row["nps_answered"]
        ),
        ces=metrics.ces(
            total=row["ces_total"] or 0,
            total_of_squares=row["ces_squares"] or 0,
            answered=row["ces_answered"],
        ),
    )


def _no_scores() -> Scores:
    return Scores(
        0,
        metrics.csat(satisfied=0, answered=0),
        metrics.nps(promoters=0, detractors=0, answered=0),
        metrics.ces(total=0, total_of_squares=0, answered=0),
    )


def response_list(filters: ResultFilter) -> QuerySet[Response]:
    """Return the responses that match `filters` (no ordering: callers group or order them)."""
    responses = Response.objects.all()
    if filters.team_ids is not None:
        responses = responses.filter(team_id__in=filters.team_ids)
    start, end = filters.period_bounds()
    if start is not None:
        responses = responses.filter(submitted_at__gte=start)
    if end is not None:
        responses = responses.filter(submitted_at__lt=end)
    if filters.service_id is not None:
        responses = responses.filter(service_id=filters.service_id)
    if filters.team_id is not None:
        responses = responses.filter(team_id=filters.team_id)
    if filters.agent_id is not None:
        # One row per response: a response lists each member of staff at most once.
        responses = responses.filter(agents=filters.agent_id)
    if filters.channel:
        responses = responses.filter(channel=filters.channel)
    if filters.kind:
        responses = responses.filter(kind=filters.kind)
    return responses.order_by()


def response_scores(filters: ResultFilter) -> Scores:
    """Return CSAT, NPS and CES of the responses that match `filters` (one query)."""
    return _scores(response_list(filters).aggregate(**_aggregates()))


def invitation_response_rate(filters: ResultFilter) -> Metric:
    """Return the share of the invitations sent in the period that were answered (one query).

    Scope, service, team, channel and kind filter on the invitation's case as it is now; invitations without
    a case (campaigns) count only when no such filter is set.
    """
    invitations = Invitation.objects.filter(sent_at__isnull=False)
    if filters.team_ids is not None:
        invitations = invitations.filter(case__team_id__in=filters.team_ids)
    start, end = filters.period_bounds()
    if start is not None:
        invitations = invitations.filter(sent_at__gte=start)
    if end is not None:
        invitations = invitations.filter(sent_at__lt=end)
    if filters.service_id is not None:
        invitations = invitations.filter(case__service_id=filters.service_id)
    if filters.team_id is not None:
        invitations = invitations.filter(case__team_id=filters.team_id)
    if filters.agent_id is not None:
        invitations = invitations.filter(
            Q(case__assignee_id=filters.agent_id) | Q(response__agents=filters.agent_id)
        )
    if filters.channel:
        invitations = invitations.filter(case__channel=filters.channel)
    if filters.kind:
        invitations = invitations.filter(case__kind=filters.kind)
    # distinct: with an agent filter, the join on the response's agents may repeat an invitation.
    counts = invitations.order_by().aggregate(
        sent=Count("pk", distinct=True),
        answered=Count("pk", distinct=True, filter=Q(status=Invitation.Status.ANSWERED)),
    )
    return metrics.response_rate(answered=counts["answered"], sent=counts["sent"])


def results_overview(filters: ResultFilter) -> Overview:
    """Return the headline figures: CSAT, NPS, CES and the response rate (two queries)."""
    return Overview(response_scores(filters), invitation_response_rate(filters))


def _bucket_starts(first: dt.date, last: dt.date, period: Period) -> Iterator[dt.date]:
    current = first
    while current <= last:
        yield current
        if period == "week":
            current += dt.timedelta(days=7)
        else:
            current = (current.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _bucket_label(start: dt.date, period: Period) -> str:
    if period == "week":
        year, week, _weekday = start.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{start:%Y-%m}"


def response_trend(filters: ResultFilter, *, period: Period = "week") -> list[TrendPoint]:
    """Return CSAT, NPS and CES per ISO week (Monday first) or calendar month in the reader's time zone,
    from the first to the last bucket with a response, the empty ones between included (one query)."""
    trunc = TruncWeek if period == "week" else TruncMonth
    rows = (
        response_list(filters)
        .annotate(bucket=trunc("submitted_at", tzinfo=filters.tz))
        .values("bucket")
        .annotate(**_aggregates())
        .order_by("bucket")
    )
    by_start = {timezone_date(row["bucket"], filters.tz): _scores(row) for row in rows}
    if not by_start:
        return []
    return [
        TrendPoint(start, _bucket_label(start, period), by_start.get(start) or _no_scores())
        for start in _bucket_starts(min(by_start), max(by_start), period)
    ]


def timezone_date(value: dt.datetime | dt.date, tz: dt.tzinfo) -> dt.date:
    """The calendar date of a truncated bucket in `tz` (backends return it naive or aware)."""
    if isinstance(value, dt.datetime):
        return (value.astimezone(tz) if value.tzinfo else value).date()
    return value


def latest_public_version(service: Any) -> QuerySet[ServiceVersion]:
    """The public versions of `service` (an OuterRef), latest first: a subquery for its current name."""
    return ServiceVersion.objects.filter(
        service=service, status__in=(ServiceVersion.Status.PUBLISHED, ServiceVersion.Status.SUPERSEDED)
    ).order_by("-number")


def service_name(*, name_zh: str | None, name_en: str | None, slug: str) -> str:
    """A service's name in the active language, its slug when it was never published."""
    return localized(SimpleNamespace(name_zh=name_zh or "", name_en=name_en or ""), "name") or slug


def service_labels(ids: list[int] | None = None) -> dict[int, str]:
    """Name each service of `ids` (None: every service) by its latest public version, in the active
    language (one query)."""
    latest = latest_public_version(OuterRef("pk"))
    services = Service.objects.all() if ids is None else Service.objects.filter(pk__in=ids)
    rows = services.annotate(
        name_zh=Subquery(latest.values("name_zh")[:1]), name_en=Subquery(latest.values("name_en")[:1])
    ).values("pk", "slug", "name_zh", "name_en")
    return {
        row["pk"]: service_name(name_zh=row["name_zh"], name_en=row["name_en"], slug=row["slug"])
        for row in rows
    }


def _labels(dimension: str, keys: list[Any]) -> dict[Any, str]:
    """Name the groups of a breakdown (one query for services, teams and agents, none for codes)."""
    present = [key for key in keys if key not in (None, "")]
    if dimension == "service":
        labels: dict[Any, str] = dict(service_labels(present))
    elif dimension == "team":
        labels = {team.pk: str(team) for team in Team.objects.filter(pk__in=present)}
    elif dimension == "agent":
        labels = {user.pk: str(user) for user in User.objects.filter(pk__in=present)}
    elif dimension == "channel":
        labels = {key: str(Channel(key).label) if key in Channel.values else key for key in present}
    else:
        labels = {key: str(CaseKind(key).label) if key in CaseKind.values else key for key in present}
    missing = {
        "service": _("No service"),
        "team": _("No team"),
        "agent": _("No member of staff"),
        "channel": _("Channel not recorded"),
        "kind": _("Kind not recorded"),
    }[dimension]
    return {key: labels.get(key, str(key)) if key not in (None, "") else missing for key in keys}


def response_breakdown(filters: ResultFilter, *, by: Dimension) -> list[Group]:
    """Return CSAT, NPS and CES per service, team, agent, channel or kind, the most answered first (one
    GROUP BY, plus one query naming services, teams or agents).

    By agent, a response counts for every member of staff it is attributed to, so the groups add up to more
    than the total.
    """
    column = DIMENSION_FIELDS[by]
    rows = list(
        response_list(filters).values(column).annotate(**_aggregates()).order_by("-responses", column)
    )
    labels = _labels(by, [row[column] for row in rows])
    return [Group(row[column], labels[row[column]], _scores(row)) for row in rows]


def service_lowest_rated(
    filters: ResultFilter,
    *,
    minimum: int | None = None,
    limit: int = LOWEST_RATED_LIMIT,
    comments: int = LOWEST_RATED_COMMENTS,
) -> list[LowRatedService]:
    """Return the `limit` services with the lowest CSAT among those with at least `minimum` CSAT answers
    (LOWEST_RATED_MINIMUM by default), each with its `comments` most recent comments (three queries:
    ranking, names, comments; one when no service qualifies)."""
    minimum = LOWEST_RATED_MINIMUM if minimum is None else minimum
    share = Cast("csat_satisfied", FloatField()) / Cast("csat_answered", FloatField())
    rows = list(
        response_list(filters)
        .filter(service__isnull=False)
        .values("service")
        .annotate(**_aggregates())
        .filter(Q(csat_answered__gte=max(1, minimum)))
        .annotate(share=share)
        .order_by("share", "-csat_answered", "service")[:limit]
    )
    if not rows:
        return []
    ids = [row["service"] for row in rows]
    labels = service_labels(ids)
    recent = (
        response_list(filters)
        .filter(service_id__in=ids)
        .exclude(comment="")
        .annotate(
            position=Window(
                RowNumber(),
                partition_by=[F("service_id")],
                order_by=[F("submitted_at").desc(), F("pk").desc()],
            )
        )
        .filter(position__lte=comments)
        .order_by("service_id", "position")
        .values("service_id", "comment", "submitted_at", "csat", "nps", "ces")
    )
    by_service: dict[int, list[Comment]] = {}
    for row in recent:
        by_service.setdefault(row["service_id"], []).append(
            Comment(row["comment"], row["submitted_at"], row["csat"], row["nps"], row["ces"])
        )
    return [
        LowRatedService(
            service_id=row["service"],
            label=labels.get(row["service"], str(row["service"])),
            scores=_scores(row),
            comments=by_service.get(row["service"], []),
        )
        for row in rows
    ]


def comment_list(filters: ResultFilter, *, limit: int = THEME_COMMENT_LIMIT) -> list[str]:
    """Return the texts of the `limit` most recent comments that match `filters` (one query)."""
    return list(
        response_list(filters)
        .exclude(comment="")
        .order_by("-submitted_at", "-pk")
        .values_list("comment", flat=True)[:limit]
    )


@dataclass(frozen=True)
class Dashboard:
    """Everything the results page shows, for one set of filters."""

    filters: ResultFilter
    overview: Overview
    weekly: list[TrendPoint]
    monthly: list[TrendPoint]
    breakdowns: dict[str, list[Group]]
    lowest_rated: list[LowRatedService]
    themes: list[Theme]


def results_dashboard(filters: ResultFilter, *, with_themes: bool = True) -> Dashboard:
    """Return every figure of the results page for `filters`, in a fixed number of queries (about fifteen,
    whatever the number of responses)."""
    return Dashboard(
        filters=filters,
        overview=results_overview(filters),
        weekly=response_trend(filters, period="week"),
        monthly=response_trend(filters, period="month"),
        breakdowns={dimension: response_breakdown(filters, by=dimension) for dimension in DIMENSIONS},
        lowest_rated=service_lowest_rated(filters),
        themes=themes_cached(comment_list(filters)) if with_themes else [],
    )
