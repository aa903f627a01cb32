"""Reads of the quality app: the checks' configuration, the clauses they cite, findings by scope, scorecards,
reviews by scope, reviewers' queues and calibration sessions."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum

from charter.accounts.models import Team, User
from charter.accounts.permissions import AnyUser
from charter.accounts.selectors import team_list_led_by, team_supervisor_list, user_list_with_permission
from charter.cases.models import Case
from charter.quality.models import (
    CalibrationScore,
    CalibrationSession,
    CheckSetting,
    Criterion,
    Finding,
    PhraseRule,
    Review,
    ReviewScore,
    SamplingRule,
    Scale,
    Scorecard,
    ScorecardVersion,
)
from charter.quality.permissions import (
    can_manage_scorecards,
    can_run_calibration,
    can_view_all_findings,
    can_view_all_reviews,
    can_view_findings,
    can_view_team_reviews,
)
from charter.standards.models import StandardClause, StandardDocument, StandardVersion
from charter.standards.selectors import standard_clause_in_force


def check_setting_map() -> dict[str, CheckSetting]:
    """Return the setting of every configured check, by check code."""
    return {setting.check_code: setting for setting in CheckSetting.objects.all()}


def phrase_rule_list(*, is_active_only: bool = True) -> QuerySet[PhraseRule]:
    """Return the phrase rules by category, language and phrase (only active ones unless told)."""
    rules = PhraseRule.objects.all()
    if is_active_only:
        rules = rules.filter(is_active=True)
    return rules.order_by("category", "language", "phrase")


class ClauseResolver:
    """Resolves (document code, clause number) to the clause in force at one moment, each pair once."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at
        self._documents: dict[str, StandardDocument | None] = {}
        self._clauses: dict[tuple[str, str], StandardClause | None] = {}

    def clause(self, document_code: str, number: str) -> StandardClause | None:
        """Return the clause `number` of document `document_code` in force at `self.at`, or None."""
        key = (document_code, number)
        if key not in self._clauses:
            if document_code not in self._documents:
                self._documents[document_code] = StandardDocument.objects.filter(code=document_code).first()
            document = self._documents[document_code]
            self._clauses[key] = (
                None
                if document is None or not number
                else standard_clause_in_force(document=document, number=number, at=self.at)
            )
        return self._clauses[key]


def _with_rows(findings: QuerySet[Finding]) -> QuerySet[Finding]:
    return findings.select_related("case", "agent", "team", "clause__version__document", "rule")


def finding_team_list_for(*, user: AnyUser) -> QuerySet[Team]:
    """Return the teams whose findings `user` may see: all for QA reviewers and administrators, those he
    leads (and those under them) for a supervisor, none for anyone else."""
    if not can_view_findings(user):
        return Team.objects.none()
    if can_view_all_findings(user):
        return Team.objects.all().order_by("code")
    assert isinstance(user, User)  # noqa: S101 (can_view_findings holds only for users)
    return team_list_led_by(user=user).order_by("code")


def finding_list_visible_to(*, user: AnyUser) -> QuerySet[Finding]:
    """Return the findings `user` may review, newest reply first: every finding for QA reviewers and
    administrators (quality.view_all_findings), those of the teams he leads for a supervisor, none for
    anyone without quality.view_findings."""
    if not can_view_findings(user):
        return Finding.objects.none()
    findings = Finding.objects.all()
    if not can_view_all_findings(user):
        findings = findings.filter(team__in=finding_team_list_for(user=user))
    return _with_rows(findings)


def finding_list_of_case(*, case: Case) -> QuerySet[Finding]:
    """Return the findings of the reply checks on `case`, oldest reply first (for its QA review)."""
    return _with_rows(Finding.objects.filter(case=case)).order_by("replied_at", "pk")


def finding_list_of_agent(*, user: AnyUser) -> QuerySet[Finding]:
    """Return the findings about `user`'s own replies, newest first (nothing for anyone not signed in)."""
    if not isinstance(user, User) or not user.is_authenticated:
        return Finding.objects.none()
    return _with_rows(Finding.objects.filter(agent=user))


# Scorecards ---------------------------------------------------------------------------------------------


def scorecard_list() -> QuerySet[Scorecard]:
    """Return every scorecard by code."""
    return Scorecard.objects.order_by("code")


def scorecard_version_list(*, scorecard: Scorecard) -> QuerySet[ScorecardVersion]:
    """Return the versions of `scorecard`, newest first."""
    return ScorecardVersion.objects.filter(scorecard=scorecard).order_by("-number")


def scorecard_version_current(*, scorecard: Scorecard) -> ScorecardVersion | None:
    """Return the published version of `scorecard` in use (the latest published), or None."""
    return (
        ScorecardVersion.objects.filter(scorecard=scorecard, status=ScorecardVersion.Status.PUBLISHED)
        .order_by("-number")
        .first()
    )


def scorecard_version_draft_of(*, scorecard: Scorecard) -> ScorecardVersion | None:
    """Return the draft version of `scorecard`, if there is one."""
    return ScorecardVersion.objects.filter(scorecard=scorecard, status=ScorecardVersion.Status.DRAFT).first()


def conduct_clause_citable_list() -> QuerySet[StandardClause]:
    """Return the clauses a criterion may cite: those of the latest published version of each code of
    conduct, by document and number."""
    latest = (
        StandardVersion.objects.published().filter(document=OuterRef("version__document")).order_by("-number")
    )
    return (
        StandardClause.objects.filter(
            version__status=StandardVersion.Status.PUBLISHED,
            version__document__kind=StandardDocument.Kind.CODE_OF_CONDUCT,
        )
        .filter(version=Subquery(latest.values("pk")[:1]))
        .select_related("version__document")
        .order_by("version__document__code", "sort_key")
    )


def criterion_list(*, version: ScorecardVersion) -> QuerySet[Criterion]:
    """Return the criteria of `version` in their order, with the clause each cites."""
    return Criterion.objects.filter(version=version).select_related("clause__version__document")


def sampling_rule_list() -> QuerySet[SamplingRule]:
    """Return every sampling rule by team and channel."""
    return SamplingRule.objects.select_related("team", "scorecard").order_by("team__code", "channel")


# Reviews ------------------------------------------------------------------------------------------------


def _review_rows(reviews: QuerySet[Review]) -> QuerySet[Review]:
    return reviews.select_related(
        "case", "agent", "reviewer", "team", "dispute_handler", "scorecard_version__scorecard"
    )


def review_team_list_for(*, user: AnyUser) -> QuerySet[Team]:
    """Return the teams whose reviews `user` sees as a whole: every team for QA reviewers and
    administrators, the teams he leads for a supervisor, none for anyone else."""
    if can_view_all_reviews(user):
        return Team.objects.all().order_by("code")
    if can_view_team_reviews(user):
        assert isinstance(user, User)  # noqa: S101 (the predicate holds only for users)
        return team_list_led_by(user=user).order_by("code")
    return Team.objects.none()


def review_list_visible_to(*, user: AnyUser) -> QuerySet[Review]:
    """Return the reviews `user` may see, newest first.

    QA reviewers and administrators (quality.view_all_reviews): all. A supervisor: those of the teams he
    leads. Everyone: the reviews he was given to score or whose dispute he decides, and his own reviews as
    an agent once they are submitted (never one still being scored).
    """
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return Review.objects.none()
    if can_view_all_reviews(user):
        return _review_rows(Review.objects.all())
    own_unsubmitted = Q(agent=user, status=Review.Status.ASSIGNED)
    scope = Q(reviewer=user) | Q(dispute_handler=user) | (Q(agent=user) & ~own_unsubmitted)
    if can_view_team_reviews(user):
        # A supervisor reviewed as an agent does not see his own review while it is being scored either.
        scope |= Q(team__in=team_list_led_by(user=user)) & ~own_unsubmitted
    return _review_rows(Review.objects.filter(scope))


def review_get_for(*, user: AnyUser, pk: object) -> Review | None:
    """Return review `pk` when `user` may see it, else None (answer 404 either way). For the evidence of a
    violation, too."""
    try:
        key = int(str(pk))
    except (TypeError, ValueError):
        return None
    return review_list_visible_to(user=user).filter(pk=key).first()


def review_score_list(*, review: Review) -> QuerySet[ReviewScore]:
    """Return the scores of `review` in criterion order, with criterion, clause and pinned message."""
    return ReviewScore.objects.filter(review=review).select_related(
        "criterion__clause__version__document", "message"
    )


def review_failed_score_list_for(*, user: AnyUser, agent: User | None = None) -> QuerySet[ReviewScore]:
    """Return the failed criteria (the worst answer on the scale) of the submitted reviews `user` may see,
    optionally of one `agent`, newest review first: evidence a violation may cite, each with its clause."""
    reviews = review_list_visible_to(user=user).exclude(status=Review.Status.ASSIGNED)
    if agent is not None:
        reviews = reviews.filter(agent=agent)
    failed = Q(value=0, criterion__scale=Scale.YES_NO) | Q(value=1, criterion__scale=Scale.ONE_TO_FIVE)
    return (
        ReviewScore.objects.filter(review__in=reviews)
        .filter(failed)
        .select_related("review__case", "review__agent", "criterion__clause__version__document", "message")
        .order_by("-review__submitted_at", "criterion__ordering")
    )


def _to_score(user: User) -> Q:
    return Q(reviewer=user, status=Review.Status.ASSIGNED)


def _to_decide(user: User) -> Q:
    return Q(dispute_handler=user, status=Review.Status.DISPUTED)


def review_queue_of(*, user: AnyUser) -> QuerySet[Review]:
    """Return the reviews given to `user` that still wait for his scores, oldest first."""
    if not isinstance(user, User):
        return Review.objects.none()
    return _review_rows(Review.objects.filter(_to_score(user))).order_by("sampled_at", "pk")


def review_list_of_agent(*, user: AnyUser) -> QuerySet[Review]:
    """Return `user`'s own submitted reviews (as the agent reviewed), newest first."""
    if not isinstance(user, User):
        return Review.objects.none()
    return _review_rows(Review.objects.filter(agent=user).exclude(status=Review.Status.ASSIGNED))


def dispute_queue_of(*, user: AnyUser) -> QuerySet[Review]:
    """Return the disputed reviews waiting for `user`'s decision, oldest dispute first."""
    if not isinstance(user, User):
        return Review.objects.none()
    return _review_rows(Review.objects.filter(_to_decide(user))).order_by("disputed_at", "pk")


def review_work_counts(*, user: AnyUser) -> dict[str, int]:
    """Return how many reviews wait for `user`: `to_score` (his review queue) and `to_decide` (the disputes
    handed to him), counted with one query by the same filters as `review_queue_of` and `dispute_queue_of`."""
    if not isinstance(user, User):
        return {"to_score": 0, "to_decide": 0}
    counts = Review.objects.filter(_to_score(user) | _to_decide(user)).aggregate(
        to_score=Count("pk", filter=_to_score(user)), to_decide=Count("pk", filter=_to_decide(user))
    )
    return {key: int(value or 0) for key, value in counts.items()}


def review_open_counts(*, user_ids: list[int]) -> dict[int, int]:
    """Return how many reviews each reviewer still has to score (for spreading new ones fairly)."""
    rows = (
        Review.objects.filter(reviewer_id__in=user_ids, status=Review.Status.ASSIGNED)
        .values("reviewer_id")
        .annotate(total=Count("pk"))
    )
    counts = dict.fromkeys(user_ids, 0)
    counts.update({row["reviewer_id"]: row["total"] for row in rows})
    return counts


def reviewer_list() -> QuerySet[User]:
    """Return every active user holding quality.review_cases (QA reviewers and supervisors), by id.

    Superusers hold every permission without being reviewers, so they are never put in a reviewer pool.
    """
    return user_list_with_permission("quality.review_cases").exclude(is_superuser=True).order_by("pk")


def reviewer_pool_for(*, team: Team | None) -> list[User]:
    """Return who may review the cases of `team`: QA reviewers (every team) and the supervisors over it
    (`team_supervisor_list`), each holding quality.review_cases; ordered by id."""
    candidates = reviewer_list()
    leads = {user.pk for user in team_supervisor_list(team=team)} if team is not None else set()
    return [user for user in candidates if can_view_all_reviews(user) or user.pk in leads]


# Calibration --------------------------------------------------------------------------------------------


def calibration_list_visible_to(*, user: AnyUser) -> QuerySet[CalibrationSession]:
    """Return the sessions `user` runs or scores in; all of them for those who run calibration."""
    if not isinstance(user, User) or not user.is_authenticated:
        return CalibrationSession.objects.none()
    sessions = CalibrationSession.objects.select_related(
        "case", "facilitator", "scorecard_version__scorecard"
    )
    if can_run_calibration(user) or can_manage_scorecards(user):
        return sessions.all()
    return sessions.filter(Q(facilitator=user) | Q(reviewers=user)).distinct()


def calibration_get_for(*, user: AnyUser, pk: object) -> CalibrationSession | None:
    """Return session `pk` when `user` may see it, else None."""
    try:
        key = int(str(pk))
    except (TypeError, ValueError):
        return None
    return calibration_list_visible_to(user=user).filter(pk=key).first()


def calibration_score_list_for(*, user: AnyUser, session: CalibrationSession) -> QuerySet[CalibrationScore]:
    """Return the scores of `session` that `user` may see: blind while it is open (only his own), every
    reviewer's and the agreed ones once it is closed."""
    scores = CalibrationScore.objects.filter(session=session).select_related("reviewer", "criterion")
    if session.is_open:
        if not isinstance(user, User):
            return scores.none()
        return scores.filter(reviewer=user)
    return scores


@dataclass(frozen=True)
class ReviewTally:
    """One agent's QA reviews scored in a period: `scored` reviews whose `total` overall score (0..100 each)
    they add up to, of which `auto_failed` scored 0 by an auto-fail criterion, and `disputed` reviews left out
    while their dispute waits for a decision."""

    scored: int = 0
    total: Decimal = Decimal(0)
    auto_failed: int = 0
    disputed: int = 0


def review_score_tally_by_agent(
    *, start_at: dt.datetime, end_at: dt.datetime, people: Sequence[int]
) -> dict[int, ReviewTally]:
    """Return, per agent of `people`, the QA reviews of his work submitted in [start_at, end_at).

    A submitted, acknowledged or decided review counts with its current overall score (the amended one
    after a dispute; 0 when auto-failed, so an auto-fail weighs in the average). A review under dispute is
    counted apart as `disputed` until decided. One query, whatever the number of people.
    """
    status = Review.Status
    settled = (status.SUBMITTED, status.ACKNOWLEDGED, status.DECIDED)
    counted = Q(status__in=settled, overall_score__isnull=False)
    rows = (
        Review.objects.filter(agent_id__in=list(people), submitted_at__gte=start_at, submitted_at__lt=end_at)
        .values("agent_id")
        .annotate(
            scored=Count("pk", filter=counted),
            total=Sum("overall_score", filter=counted),
            auto_failed=Count("pk", filter=counted & Q(is_auto_failed=True)),
            disputed=Count("pk", filter=Q(status=status.DISPUTED)),
        )
        .order_by("agent_id")
    )
    return {
        row["agent_id"]: ReviewTally(
            scored=row["scored"],
            total=Decimal(row["total"] or 0),
            auto_failed=row["auto_failed"],
            disputed=row["disputed"],
        )
        for row in rows
    }


def review_list_of_agent_submitted(
    *, start_at: dt.datetime, end_at: dt.datetime, person: int, limit: int = 200
) -> list[Review]:
    """Return the reviews of `person`'s work submitted in [start_at, end_at) that
    `review_score_tally_by_agent` counts (settled and scored) or leaves out (disputed, or without a score),
    newest submission first, each with its case."""
    reviews = Review.objects.filter(
        agent_id=person, submitted_at__gte=start_at, submitted_at__lt=end_at
    ).select_related("case")
    return list(reviews.order_by("-submitted_at", "-pk")[:limit])


def finding_tally_by_agent(
    *, start_at: dt.datetime, end_at: dt.datetime, people: Sequence[int]
) -> dict[int, int]:
    """Return, per agent of `people` with any, how many findings the reply checks recorded on the public
    replies he sent in [start_at, end_at) (each finding once, whether or not he sent it despite the
    warning). One query, whatever the number of people."""
    rows = (
        Finding.objects.filter(agent_id__in=list(people), replied_at__gte=start_at, replied_at__lt=end_at)
        .values("agent_id")
        .annotate(found=Count("pk"))
        .order_by("agent_id")
    )
    return {row["agent_id"]: row["found"] for row in rows}


def finding_list_of_agent_replied(
    *, start_at: dt.datetime, end_at: dt.datetime, person: int, limit: int = 200
) -> list[Finding]:
    """Return the findings `finding_tally_by_agent` counts for `person`, newest reply first, each with its
    case and clause."""
    findings = Finding.objects.filter(
        agent_id=person, replied_at__gte=start_at, replied_at__lt=end_at
    ).select_related("case", "clause")
    return list(findings.order_by("-replied_at", "-pk")[:limit])
