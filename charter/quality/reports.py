"""Reads for the QA reports: scores by agent, team, criterion and clause per month, and the most breached
clauses (failed criteria and reply-check findings). Each table is one grouped query, whatever the rows.

Scope: QA reviewers and administrators see every review; a supervisor the reviews of the teams he leads;
anyone else only his own reviews (and the findings about his own replies).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db.models import Avg, Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, When
from django.db.models import Case as CaseWhen
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from charter.accounts.models import User
from charter.accounts.permissions import AnyUser
from charter.accounts.selectors import team_list_led_by
from charter.common.exports import Cell, Table
from charter.common.models import localized
from charter.quality.models import Finding, Review, ReviewScore, Scale, Section
from charter.quality.permissions import can_view_all_reviews, can_view_team_reviews
from charter.quality.selectors import finding_list_of_agent, finding_list_visible_to


@dataclass(frozen=True)
class Period:
    since: dt.date | None = None
    until: dt.date | None = None


def report_review_scope(*, user: AnyUser) -> QuerySet[Review]:
    """Return the submitted reviews `user` may see in the reports (see the module's docstring)."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return Review.objects.none()
    reviews = Review.objects.filter(submitted_at__isnull=False, overall_score__isnull=False)
    if can_view_all_reviews(user):
        return reviews
    if can_view_team_reviews(user):
        return reviews.filter(team__in=team_list_led_by(user=user))
    return reviews.filter(agent=user)


def _finding_scope(user: AnyUser) -> QuerySet[Finding]:
    if can_view_all_reviews(user) or can_view_team_reviews(user):
        return finding_list_visible_to(user=user)
    return finding_list_of_agent(user=user)


def _in_period(reviews: QuerySet[Review], period: Period) -> QuerySet[Review]:
    if period.since:
        reviews = reviews.filter(month__gte=period.since.replace(day=1))
    if period.until:
        reviews = reviews.filter(month__lte=period.until)
    return reviews


def _score_percent() -> Any:
    """A criterion's score as a percentage of its best answer, in the database."""
    return CaseWhen(
        When(
            criterion__scale=Scale.YES_NO,
            then=ExpressionWrapper(F("value") * 100, output_field=DecimalField()),
        ),
        default=ExpressionWrapper((F("value") - 1) * 25, output_field=DecimalField()),
        output_field=DecimalField(),
    )


def _failed() -> Q:
    return Q(value=0, criterion__scale=Scale.YES_NO) | Q(value=1, criterion__scale=Scale.ONE_TO_FIVE)


def _round(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def _month(value: dt.date) -> str:
    return value.strftime("%Y-%m")


def _loc(row: dict[str, Any], prefix: str) -> str:
    """The Chinese or English value of `prefix`_zh / `prefix`_en of a values() row, in the active language."""
    return localized(
        SimpleNamespace(value_zh=row.get(f"{prefix}_zh"), value_en=row.get(f"{prefix}_en")), "value"
    )


def report_tables(*, user: AnyUser, period: Period | None = None) -> list[Table]:
    """Return the QA report for `user` as tables: by agent, by team, by criterion and by clause per month,
    and the most breached clauses."""
    period = period or Period()
    reviews = _in_period(report_review_scope(user=user), period)
    by_agent = (
        reviews.values("month", "agent_id", "agent__username", "agent__display_name")
        .annotate(total=Count("pk"), overall=Avg("overall_score"), compliance=Avg("compliance_score"))
        .order_by("month", "agent__username")
    )
    by_team = (
        reviews.values("month", "team_id", "team__code", "team__name_zh", "team__name_en")
        .annotate(total=Count("pk"), overall=Avg("overall_score"), compliance=Avg("compliance_score"))
        .order_by("month", "team__code")
    )
    scores = ReviewScore.objects.filter(review__in=reviews, value__isnull=False)
    by_criterion = (
        scores.values(
            "review__month",
            "criterion__section",
            "criterion__title_zh",
            "criterion__title_en",
            "criterion__clause__number",
        )
        .annotate(total=Count("pk"), score=Avg(_score_percent()), failed=Count("pk", filter=_failed()))
        .order_by("review__month", "criterion__section", "criterion__title_zh")
    )
    by_clause = (
        scores.values(
            "review__month",
            "criterion__clause__version__document__code",
            "criterion__clause__number",
            "criterion__clause__title_zh",
            "criterion__clause__title_en",
        )
        .annotate(total=Count("pk"), score=Avg(_score_percent()), failed=Count("pk", filter=_failed()))
        .order_by("review__month", "criterion__clause__number")
    )
    breached: dict[tuple[str, str], list[Any]] = {}
    failed_rows = (
        scores.filter(_failed())
        .values(
            "criterion__clause__version__document__code",
            "criterion__clause__number",
            "criterion__clause__title_zh",
            "criterion__clause__title_en",
        )
        .annotate(total=Count("pk"))
    )
    for row in failed_rows:
        key = (row["criterion__clause__version__document__code"], row["criterion__clause__number"])
        breached.setdefault(key, [key[0], key[1], _loc(row, "criterion__clause__title"), 0, 0])[3] += row[
            "total"
        ]
    findings = _finding_scope(user)
    if period.since:
        findings = findings.filter(replied_at__date__gte=period.since)
    if period.until:
        findings = findings.filter(replied_at__date__lte=period.until)
    finding_rows = (
        findings.order_by()
        .values("clause__version__document__code", "clause__number", "clause__title_zh", "clause__title_en")
        .annotate(total=Count("pk"))
    )
    for row in finding_rows:
        key = (row["clause__version__document__code"], row["clause__number"])
        breached.setdefault(key, [key[0], key[1], _loc(row, "clause__title"), 0, 0])[4] += row["total"]
    ranked = sorted(breached.values(), key=lambda values: (-(values[3] + values[4]), str(values[1])))
    most: list[list[Cell]] = [[*values, values[3] + values[4]] for values in ranked]
    month, agent, team, count = _("Month"), _("Agent"), _("Team"), _("Reviews")
    return [
        Table(
            _("Scores by agent"),
            [month, agent, count, _("Average score"), _("Average compliance score")],
            [
                [
                    _month(r["month"]),
                    r["agent__display_name"] or r["agent__username"],
                    r["total"],
                    _round(r["overall"]),
                    _round(r["compliance"]),
                ]
                for r in by_agent
            ],
        ),
        Table(
            _("Scores by team"),
            [month, team, count, _("Average score"), _("Average compliance score")],
            [
                [
                    _month(r["month"]),
                    _loc(r, "team__name") or "—",
                    r["total"],
                    _round(r["overall"]),
                    _round(r["compliance"]),
                ]
                for r in by_team
            ],
        ),
        Table(
            _("Scores by criterion"),
            [
                month,
                _("Section"),
                _("Criterion"),
                _("Clause"),
                _("Scored"),
                _("Average (%)"),
                pgettext("qa report", "Failed"),
            ],
            [
                [
                    _month(r["review__month"]),
                    str(Section(r["criterion__section"]).label),
                    _loc(r, "criterion__title"),
                    r["criterion__clause__number"],
                    r["total"],
                    _round(r["score"]),
                    r["failed"],
                ]
                for r in by_criterion
            ],
        ),
        Table(
            _("Scores by clause"),
            [
                month,
                _("Code"),
                _("Clause"),
                _("Title"),
                _("Scored"),
                _("Average (%)"),
                pgettext("qa report", "Failed"),
            ],
            [
                [
                    _month(r["review__month"]),
                    r["criterion__clause__version__document__code"],
                    r["criterion__clause__number"],
                    _loc(r, "criterion__clause__title"),
                    r["total"],
                    _round(r["score"]),
                    r["failed"],
                ]
                for r in by_clause
            ],
        ),
        Table(
            _("Most breached clauses"),
            [
                _("Code"),
                _("Clause"),
                _("Title"),
                _("Failed in reviews"),
                _("Reply-check findings"),
                _("Total"),
            ],
            most,
        ),
    ]
