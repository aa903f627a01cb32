"""Sampling: which cases are reviewed, and by whom.

Each active rule draws, for its team (and channel), the month's resolved cases: a number per agent or a
share of them, plus always every complaint naming staff, every case with a breached deadline and every case
with a low survey score answered in the month (whenever the case was resolved).

The quota of n per agent counts only quota and share draws (the cases drawn always come on top). It is spread
over the month: by a moment that is a fraction f of the month, at most ceil(n * f) of the agent's cases are
drawn, each time the next of his eligible cases in the order of a stable hash of (rule, case). So the cases
resolved early in the month do not take the whole quota, and which case is drawn cannot be foreseen.

Months are those of the site's time zone (settings.TIME_ZONE), never the signed-in user's. Each drawn
case/agent pair is reviewed once per scorecard version (a unique constraint), so a rerun, after a restart or
on a second worker, creates nothing new. Reviews go to the reviewer of the team's scope with the fewest
reviews waiting, never to the agent reviewed.
"""

import datetime as dt
import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.accounts.selectors import staff_list
from charter.audit.services import audit_record
from charter.cases.models import Case, CaseClock, CaseMessage
from charter.common.errors import DomainError
from charter.common.policy import require
from charter.quality.errors import ErrorCode
from charter.quality.models import Review, SamplingRule, ScorecardVersion
from charter.quality.permissions import can_draw_case, can_manage_scorecards, can_review
from charter.quality.selectors import review_open_counts, reviewer_pool_for, scorecard_version_current
from charter.quality.services._text import text_clean
from charter.surveys.models import Response

RUN_EVERY = dt.timedelta(hours=1)


def month_start(at: dt.datetime) -> dt.datetime:
    """The first moment of the month of `at`, in the site's time zone."""
    local = timezone.localtime(at, ZoneInfo(settings.TIME_ZONE))
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def month_end(start: dt.datetime) -> dt.datetime:
    """The first moment of the month after the one starting at `start` (same time zone)."""
    return (start + dt.timedelta(days=32)).replace(day=1)


def quota_allowed(*, per_month: int, start: dt.datetime, now: dt.datetime) -> int:
    """How many of an agent's `per_month` quota draws the month starting at `start` may have made by `now`:
    ceil(per_month * elapsed share of the month), so the quota is spread over the month. Pure."""
    if per_month <= 0:
        return 0
    length = (month_end(start) - start).total_seconds()
    elapsed = min(max((now - start).total_seconds(), 0.0), length)
    return min(per_month, max(1, math.ceil(per_month * elapsed / length)))


def sample_rank(rule_id: int, case_id: int) -> int:
    """A stable pseudo-random rank 0..9999 of a case within a rule: the same draw on every run."""
    digest = hashlib.sha256(f"{rule_id}:{case_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 10000


def _staff_ids(user_ids: Iterable[int | None]) -> set[int]:
    """The ids among `user_ids` of active members of staff (`staff_list`)."""
    ids = {pk for pk in user_ids if pk is not None}
    if not ids:
        return set()
    return set(staff_list().filter(pk__in=ids).values_list("pk", flat=True))


def case_agent_map(cases: list[Case]) -> dict[int, User | None]:
    """The agent of each case (see `case_agent`), by case id, in a few queries for all of them."""
    replies: dict[int, User] = {}
    public = (
        CaseMessage.objects.filter(
            case__in=[case.pk for case in cases],
            author_kind=CaseMessage.AuthorKind.STAFF,
            is_internal=False,
            author__isnull=False,
        )
        .select_related("author")
        .order_by("case_id", "created_at", "pk")
    )
    for message in public:
        assert message.author is not None  # noqa: S101 (filtered above)
        replies[message.case_id] = message.author  # the last one wins
    staff = _staff_ids([case.assignee_id for case in cases] + [user.pk for user in replies.values()])
    agents: dict[int, User | None] = {}
    for case in cases:
        if case.assignee is not None and case.assignee_id in staff:
            agents[case.pk] = case.assignee
        elif case.pk in replies and replies[case.pk].pk in staff:
            agents[case.pk] = replies[case.pk]
        else:
            agents[case.pk] = case.resolved_by
    return agents


def case_agent(case: Case) -> User | None:
    """The member of staff whose work on `case` is reviewed: its assignee when he is active staff, else the
    author of the last public staff reply, else who resolved it (a supervisor closing a case for an agent
    is not the one reviewed)."""
    return case_agent_map([case])[case.pk]


def case_worked_on_by(*, case: Case, user: User) -> bool:
    """True when `user` is an active member of staff who worked on `case`: he resolved it, holds it, wrote a
    public reply on it or is named in it. Only such a person's work on the case may be reviewed."""
    if not _staff_ids([user.pk]):
        return False
    if user.pk in (case.resolved_by_id, case.assignee_id):
        return True
    if CaseMessage.objects.filter(
        case=case, author=user, author_kind=CaseMessage.AuthorKind.STAFF, is_internal=False
    ).exists():
        return True
    return case.named_staff.filter(pk=user.pk).exists()


def fairest(*, candidate_ids: list[int], waiting: dict[int, int], excluded: set[int]) -> int | None:
    """Return the candidate with the fewest reviews waiting (lowest id on a tie), never one in `excluded`;
    None when nobody is left. Pure: the rule that spreads reviews fairly."""
    pool = [pk for pk in candidate_ids if pk not in excluded]
    if not pool:
        return None
    return min(pool, key=lambda pk: (waiting.get(pk, 0), pk))


def reviewer_choose(*, candidates: list[User], agent: User, exclude: set[int] | None = None) -> User | None:
    """Return the candidate with the fewest reviews waiting, never `agent` himself nor anyone in
    `exclude`; None when nobody is left."""
    by_id = {user.pk: user for user in candidates}
    chosen = fairest(
        candidate_ids=list(by_id),
        waiting=review_open_counts(user_ids=list(by_id)),
        excluded={agent.pk, *(exclude or set())},
    )
    return by_id[chosen] if chosen is not None else None


def review_sample(
    *,
    case: Case,
    agent: User,
    scorecard_version: ScorecardVersion,
    reason: str,
    rule: SamplingRule | None = None,
    reviewer: User | None = None,
    actor: User | None = None,
    now: dt.datetime | None = None,
) -> Review | None:
    """Put `agent`'s work on `case` in a reviewer's queue; return the review, or the one already made for
    this case, agent and scorecard version (never two). None when no reviewer is available.

    `agent` must be an active member of staff who worked on the case (quality_not_case_agent). An `actor`
    must be allowed to draw the case (`can_draw_case`: every team for QA reviewers and administrators, the
    teams he leads for a supervisor; else quality_review_denied). `reviewer`, when given, must hold
    quality.review_cases, not be the agent (quality_self_review) and be in the reviewer pool of the case's
    team, or be the actor himself when he may review (quality_reviewer_out_of_scope); otherwise the fairest
    reviewer of the team's pool is chosen. Nothing is written when refused. Audited.
    """
    now = now or timezone.now()
    if scorecard_version.status != ScorecardVersion.Status.PUBLISHED:
        raise DomainError(
            _("Reviews use a published scorecard version."), code=ErrorCode.NO_PUBLISHED_VERSION
        )
    if actor is not None:
        require(can_draw_case(actor, case))
    if not case_worked_on_by(case=case, user=agent):
        raise DomainError(
            _("Only the work of a member of staff who worked on this case may be reviewed."),
            code=ErrorCode.NOT_CASE_AGENT,
            field="agent",
        )
    if reviewer is not None:
        if reviewer.pk == agent.pk:
            raise DomainError(
                _("Nobody reviews his own work: choose another reviewer."), code=ErrorCode.SELF_REVIEW
            )
        if not can_review(reviewer):
            raise DomainError(_("This person may not review cases."), code=ErrorCode.NO_REVIEWER)
        in_pool = any(user.pk == reviewer.pk for user in reviewer_pool_for(team=case.team))
        if not in_pool and not (actor is not None and reviewer.pk == actor.pk):
            raise DomainError(
                _("This reviewer does not review the cases of this team."),
                code=ErrorCode.REVIEWER_OUT_OF_SCOPE,
                field="reviewer",
            )
    return _review_draw(case, agent, scorecard_version, reason, rule, reviewer, actor, now)[0]


def _review_draw(
    case: Case,
    agent: User,
    scorecard_version: ScorecardVersion,
    reason: str,
    rule: SamplingRule | None,
    reviewer: User | None,
    actor: User | None,
    now: dt.datetime,
) -> tuple[Review | None, bool]:
    """The review of the pair, and whether this call created it."""
    existing = Review.objects.filter(scorecard_version=scorecard_version, case=case, agent=agent).first()
    if existing is not None:
        return existing, False
    chosen = reviewer or reviewer_choose(candidates=reviewer_pool_for(team=case.team), agent=agent)
    if chosen is None:
        return None, False
    try:
        with transaction.atomic():
            review = Review.objects.create(
                scorecard_version=scorecard_version,
                case=case,
                agent=agent,
                team=case.team,
                reviewer=chosen,
                reason=reason,
                rule=rule,
                sampled_at=now,
                month=month_start(now).date(),
            )
            audit_record(
                actor=actor,
                actor_label="" if actor else "quality.sampling",
                action="quality.review_sample",
                target=review,
                data={"case": case.number, "agent": agent.pk, "reviewer": chosen.pk, "reason": reason},
            )
    except IntegrityError:
        # Another worker drew the same pair a moment earlier.
        return Review.objects.filter(
            scorecard_version=scorecard_version, case=case, agent=agent
        ).first(), False
    return review, True


def review_sample_case(
    *, actor: User, case: Case, agent: User | None = None, reviewer: User | None = None
) -> Review:
    """Draw `case` for review by hand (administrators, QA reviewers, supervisors), against the scorecard of
    the team's sampling rule or else the first scorecard with a published version; the agent defaults to the
    case's agent (`case_agent`). Requires `can_draw_case`."""
    require(can_draw_case(actor, case))
    agent = agent or case_agent(case)
    if agent is None:
        raise DomainError(_("The case has no agent to review yet."), code=ErrorCode.INVALID_RULE)
    rule = SamplingRule.objects.filter(team=case.team_id, is_active=True).select_related("scorecard").first()
    version = None
    if rule is not None:
        version = scorecard_version_current(scorecard=rule.scorecard)
    if version is None:
        version = (
            ScorecardVersion.objects.filter(status=ScorecardVersion.Status.PUBLISHED)
            .order_by("scorecard__code", "-number")
            .first()
        )
    if version is None:
        raise DomainError(_("No scorecard has a published version."), code=ErrorCode.NO_PUBLISHED_VERSION)
    review = review_sample(
        case=case,
        agent=agent,
        scorecard_version=version,
        reason=Review.Reason.MANUAL,
        rule=rule,
        reviewer=reviewer,
        actor=actor,
    )
    if review is None:
        raise DomainError(_("Nobody else may review this case."), code=ErrorCode.NO_REVIEWER)
    return review


@dataclass(frozen=True)
class Draw:
    case: Case
    agent: User
    reason: str


def _always_draws(rule: SamplingRule, cases: list[Case], agents: dict[int, User | None]) -> list[Draw]:
    draws: list[Draw] = []
    ids = [case.pk for case in cases]
    if rule.includes_complaints:
        for case in cases:
            if case.kind == "complaint":
                draws.extend(Draw(case, user, Review.Reason.COMPLAINT) for user in case.named_staff.all())
    by_id = {case.pk: case for case in cases}
    if rule.includes_breaches:
        breached = set(
            CaseClock.objects.filter(case_id__in=ids, status=CaseClock.Status.BREACHED).values_list(
                "case_id", flat=True
            )
        )
        for pk in sorted(breached):
            agent = agents.get(pk)
            if agent is not None:
                draws.append(Draw(by_id[pk], agent, Review.Reason.BREACH))
    return draws


def _low_survey_draws(rule: SamplingRule, start: dt.datetime, now: dt.datetime) -> list[Draw]:
    """The cases of the rule's team (and channel) with a low survey score answered in the month, whenever
    the case itself was resolved."""
    low = Response.objects.filter(
        case__team=rule.team,
        submitted_at__gte=start,
        submitted_at__lte=now,
        csat__isnull=False,
        csat__lte=rule.low_survey_score,
    ).select_related("handler", "case__team__unit", "case__resolved_by", "case__assignee")
    if rule.channel:
        low = low.filter(case__channel=rule.channel)
    responses = [response for response in low.order_by("pk") if response.case is not None]
    agents = case_agent_map([response.case for response in responses if response.case is not None])
    draws: list[Draw] = []
    for response in responses:
        assert response.case is not None  # noqa: S101 (filtered above)
        agent = response.handler or agents.get(response.case.pk)
        if agent is not None:
            draws.append(Draw(response.case, agent, Review.Reason.LOW_SURVEY))
    return draws


QUOTA_REASONS = (Review.Reason.QUOTA, Review.Reason.SHARE)


def _quota_draws(
    rule: SamplingRule,
    resolved: list[Case],
    agents: dict[int, User | None],
    version: ScorecardVersion,
    always: list[Draw],
    start: dt.datetime,
    now: dt.datetime,
) -> list[Draw]:
    draws: list[Draw] = []
    if rule.share_percent:
        threshold = rule.share_percent * 100
        for case in resolved:
            agent = agents.get(case.pk)
            if agent is not None and sample_rank(rule.pk, case.pk) < threshold:
                draws.append(Draw(case, agent, Review.Reason.SHARE))
    if rule.per_agent_per_month:
        allowed = quota_allowed(per_month=rule.per_agent_per_month, start=start, now=now)
        by_agent: dict[int, list[Case]] = {}
        people: dict[int, User] = {}
        for case in resolved:
            agent = agents.get(case.pk)
            if agent is not None:
                by_agent.setdefault(agent.pk, []).append(case)
                people[agent.pk] = agent
        for agent_id, agent_cases in sorted(by_agent.items()):
            mine = Review.objects.filter(scorecard_version=version, agent_id=agent_id)
            # Only quota and share draws count against n: complaints, breaches and low scores come on top.
            counted = set(
                mine.filter(month=start.date(), reason__in=QUOTA_REASONS).values_list("case_id", flat=True)
            )
            planned = {draw.case.pk for draw in draws if draw.agent.pk == agent_id} - counted
            taken = set(mine.filter(case__in=agent_cases).values_list("case_id", flat=True))
            taken |= {draw.case.pk for draw in always if draw.agent.pk == agent_id}
            wanted = allowed - len(counted) - len(planned)
            pool = [case for case in agent_cases if case.pk not in counted | planned | taken]
            pool.sort(key=lambda case: (sample_rank(rule.pk, case.pk), case.pk))
            draws.extend(Draw(case, people[agent_id], Review.Reason.QUOTA) for case in pool[: max(wanted, 0)])
    return draws


def sampling_rule_run(*, rule: SamplingRule, now: dt.datetime | None = None) -> int:
    """Draw this month's cases for `rule` into reviewers' queues; return how many reviews were created.

    Safe to run again: pairs already drawn for the scorecard version are skipped.
    """
    now = now or timezone.now()
    version = scorecard_version_current(scorecard=rule.scorecard)
    if version is None or not rule.is_active:
        return 0
    start = month_start(now)
    cases = Case.objects.filter(team=rule.team).filter(
        Q(resolved_at__gte=start, resolved_at__lte=now) | Q(received_at__gte=start, received_at__lte=now)
    )
    if rule.channel:
        cases = cases.filter(channel=rule.channel)
    rows = list(cases.select_related("team__unit", "resolved_by", "assignee").prefetch_related("named_staff"))
    agents = case_agent_map(rows)
    resolved = sorted(
        (case for case in rows if case.resolved_at is not None and case.resolved_at >= start),
        key=lambda case: case.pk,
    )
    always = _always_draws(rule, rows, agents)
    if rule.includes_low_surveys:
        always += _low_survey_draws(rule, start, now)
    draws = always + _quota_draws(rule, resolved, agents, version, always, start, now)
    existing = set(
        Review.objects.filter(
            scorecard_version=version, case_id__in={draw.case.pk for draw in draws}
        ).values_list("case_id", "agent_id")
    )
    made = 0
    for draw in draws:
        key = (draw.case.pk, draw.agent.pk)
        if key in existing:
            continue
        existing.add(key)
        _review, created = _review_draw(draw.case, draw.agent, version, draw.reason, rule, None, None, now)
        made += int(created)
    return made


def sampling_run_due(*, now: dt.datetime | None = None) -> int:
    """Run every active rule that is due, each claimed with a conditional UPDATE of its next run so that two
    workers never run the same rule at once; return how many reviews were created."""
    now = now or timezone.now()
    made = 0
    due = SamplingRule.objects.filter(is_active=True).filter(
        Q(next_run_at__isnull=True) | Q(next_run_at__lte=now)
    )
    for rule in due.select_related("team__unit", "scorecard").order_by("pk"):
        claimed = SamplingRule.objects.filter(pk=rule.pk, next_run_at=rule.next_run_at).update(
            next_run_at=now + RUN_EVERY
        )
        if claimed:
            made += sampling_rule_run(rule=rule, now=now)
    return made


@transaction.atomic
def sampling_rule_save(*, actor: User, rule: SamplingRule) -> SamplingRule:
    """Create or change a sampling rule (administrators only); its channel is cleaned by `text_clean`.
    Audited."""
    require(can_manage_scorecards(actor))
    if rule.share_percent is not None and not 0 <= rule.share_percent <= 100:
        raise DomainError(
            _("A share is between 0 and 100 per cent."), code=ErrorCode.INVALID_RULE, field="share_percent"
        )
    if not 1 <= rule.low_survey_score <= 5:
        raise DomainError(
            _("A survey score is between 1 and 5."), code=ErrorCode.INVALID_RULE, field="low_survey_score"
        )
    if not (
        rule.per_agent_per_month
        or rule.share_percent
        or rule.includes_complaints
        or rule.includes_breaches
        or rule.includes_low_surveys
    ):
        raise DomainError(_("The rule draws nothing: say what to sample."), code=ErrorCode.INVALID_RULE)
    rule.channel = text_clean(rule.channel, SamplingRule, "channel", multiline=False)
    rule.save()
    audit_record(
        actor=actor,
        action="quality.sampling_rule_save",
        target=rule,
        data={
            "team": rule.team_id,
            "channel": rule.channel,
            "scorecard": rule.scorecard_id,
            "per_agent_per_month": rule.per_agent_per_month,
            "share_percent": rule.share_percent,
            "is_active": rule.is_active,
        },
    )
    return rule
