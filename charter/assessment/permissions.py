"""Who may write schemes, run cycles, see, score, calibrate, approve and appeal scorecards: one predicate per
rule, each answering a `Decision` (charter.common.policy) that pages and the API ask and the services
`require`.

Administrators write schemes (assessment.manage_scheme), run cycles (run_cycle), approve them
(approve_cycle, the head's step), see every scorecard and ranking (view_all_scorecards) and export the ledger
(export_ledger). A supervisor scores the people of the teams he leads (he is their scorecard's assessor, or
leads a team above); nobody ever scores, calibrates, approves or decides an appeal about himself. A staff
member sees only his own scorecard (its score and grade once published) and his rank. An appeal is decided by
someone holding decide_appeal who neither scored, calibrated nor approved that scorecard.

A predicate about one scorecard first asks `can_view_scorecard`, so a scorecard outside the reader's scope is
refused as hidden (404, like a missing one) everywhere.
"""

from django.utils.translation import gettext_lazy as _

from charter.accounts.models import TeamMembership, User
from charter.accounts.permissions import AnyUser
from charter.accounts.selectors import led_team_ids, team_list_led_by
from charter.assessment.errors import ErrorCode
from charter.assessment.models import (
    Appeal,
    Cycle,
    ImprovementPlan,
    SchemeAcknowledgement,
    SchemeVersion,
    Scorecard,
    ScorecardEvent,
)
from charter.common.errors import NotFoundError
from charter.common.policy import ALLOWED, Decision, allow_if, first_refusal, holds, refuse

_HIDDEN = refuse(NotFoundError.default_code, _("Not found."), hidden=True)
PUBLISHED_STATES = frozenset(
    {
        Scorecard.Status.PUBLISHED,
        Scorecard.Status.ACKNOWLEDGED,
        Scorecard.Status.APPEALED,
        Scorecard.Status.FINAL,
    }
)
# The timeline actions that make someone a party to a scorecard's result.
PARTY_ACTIONS = frozenset({"score", "calibrate", "approve"})


def _active(user: AnyUser) -> User | None:
    return user if isinstance(user, User) and user.is_authenticated and user.is_active else None


def _led_team_ids(user: User) -> frozenset[int]:
    """The teams `user` leads (`accounts.selectors.led_team_ids`, read once per user object)."""
    return led_team_ids(user)


def _leads_team(user: User, team_id: int | None) -> bool:
    return team_id is not None and team_id in _led_team_ids(user)


def can_manage_schemes(user: AnyUser) -> Decision:
    """Allow those who write and publish assessment schemes (administrators)."""
    return allow_if(
        holds(user, "assessment.manage_scheme"),
        ErrorCode.MANAGE_DENIED,
        _("You may not change assessment schemes."),
    )


def can_run_cycles(user: AnyUser) -> Decision:
    """Allow those who open, recalculate, calibrate and close cycles (administrators)."""
    return allow_if(
        holds(user, "assessment.run_cycle"), ErrorCode.RUN_DENIED, _("You may not run assessment cycles.")
    )


def can_see_everyone(user: AnyUser) -> Decision:
    """Allow those who see every scorecard and every ranking."""
    return allow_if(
        holds(user, "assessment.view_all_scorecards"),
        ErrorCode.VIEW_DENIED,
        _("You may not see every scorecard."),
    )


def can_view_assessment(user: AnyUser) -> Decision:
    """Allow staff into the assessment pages: everyone working for the organisation has at least his own."""
    member = _active(user)
    return allow_if(
        member is not None and member.is_staff_member,
        ErrorCode.VIEW_DENIED,
        _("You may not see assessments."),
    )


def can_view_team_scorecards(user: AnyUser) -> Decision:
    """Allow those who see other people's scorecards: team leads (their subtree), and those who see all,
    run cycles or approve them (the scorecards `scorecard_list_visible_to` gives them)."""
    member = _active(user)
    if member is None:
        return refuse(ErrorCode.VIEW_DENIED, _("You may not see other people's scorecards."))
    sees_all = can_see_everyone(member) or can_run_cycles(member) or holds(member, "assessment.approve_cycle")
    if sees_all or _led_team_ids(member):
        return ALLOWED
    return refuse(ErrorCode.VIEW_DENIED, _("You may not see other people's scorecards."))


def can_view_scorecard(user: AnyUser, scorecard: Scorecard) -> Decision:
    """Allow the person himself, his assessor, the leads over his team, those who run cycles or see all, and
    whoever decides an appeal against it; anyone else gets a hidden refusal (404)."""
    member = _active(user)
    if member is None:
        return _HIDDEN
    if member.pk in (scorecard.person_id, scorecard.assessor_id):
        return ALLOWED
    if can_see_everyone(member) or can_run_cycles(member) or holds(member, "assessment.approve_cycle"):
        return ALLOWED
    if holds(member, "assessment.decide_appeal") and Appeal.objects.filter(scorecard=scorecard).exists():
        return ALLOWED
    return ALLOWED if _leads_team(member, scorecard.team_id) else _HIDDEN


def can_see_result(user: AnyUser, scorecard: Scorecard) -> Decision:
    """The person sees his score and grade once published; others who may view it see them at once."""
    first = can_view_scorecard(user, scorecard)
    if not first:
        return first
    member = _active(user)
    if member is not None and member.pk == scorecard.person_id and scorecard.status not in PUBLISHED_STATES:
        return refuse(ErrorCode.NOT_PUBLISHED, _("Your scorecard is shown once it is published."))
    return ALLOWED


def can_self_assess(user: AnyUser, scorecard: Scorecard) -> Decision:
    """Allow the person himself while his cycle is at self-assessment."""
    return first_refusal(
        lambda: can_view_scorecard(user, scorecard),
        lambda: allow_if(
            _active(user) is not None and user.pk == scorecard.person_id,
            ErrorCode.NOT_YOURS,
            _("Only the person himself writes his self-assessment."),
        ),
        lambda: allow_if(
            scorecard.status == Scorecard.Status.SELF and scorecard.cycle.status == Cycle.Status.SELF,
            ErrorCode.STEP_CLOSED,
            _("The self-assessment step is over."),
        ),
    )


def can_score(user: AnyUser, scorecard: Scorecard) -> Decision:
    """Allow the scorecard's assessor (for someone nobody leads, those who run cycles) while the cycle is at
    supervisor scoring; never the person himself. Other leads who may see the scorecard do not score it, so
    nobody overwrites the assessor's ratings."""
    member = _active(user)
    return first_refusal(
        lambda: can_view_scorecard(user, scorecard),
        lambda: allow_if(
            member is not None and member.pk != scorecard.person_id,
            ErrorCode.SELF_ASSESSMENT,
            _("Nobody scores himself."),
        ),
        lambda: allow_if(
            member is not None
            and (
                member.pk == scorecard.assessor_id
                or (scorecard.assessor_id is None and bool(can_run_cycles(member)))
            ),
            ErrorCode.NOT_ASSESSOR,
            _("Only the person's supervisor scores this scorecard."),
        ),
        lambda: allow_if(
            scorecard.cycle.status == Cycle.Status.SUPERVISOR
            and scorecard.status in (Scorecard.Status.SUPERVISOR, Scorecard.Status.SCORED),
            ErrorCode.STEP_CLOSED,
            _("Scoring is open only at the supervisor step."),
        ),
    )


def can_calibrate(user: AnyUser, scorecard: Scorecard) -> Decision:
    """Allow those who run cycles to change a grade at calibration, never their own."""
    member = _active(user)
    runs = can_run_cycles(user)
    return first_refusal(
        # Those who run cycles see every scorecard; for anyone else one outside his scope is hidden.
        lambda: ALLOWED if runs else can_view_scorecard(user, scorecard),
        lambda: runs,
        lambda: allow_if(
            member is not None and member.pk != scorecard.person_id,
            ErrorCode.SELF_ASSESSMENT,
            _("Nobody calibrates his own grade."),
        ),
        lambda: allow_if(
            scorecard.cycle.status == Cycle.Status.CALIBRATION,
            ErrorCode.STEP_CLOSED,
            _("Grades are changed only at calibration."),
        ),
    )


def can_approve(user: AnyUser, cycle: Cycle) -> Decision:
    """Allow the head (assessment.approve_cycle) to approve a cycle at approval, unless it assesses him. A
    cycle of which the reader sees no scorecard is hidden (404), as its page and the API answer."""
    member = _active(user)
    approves = holds(user, "assessment.approve_cycle")
    return first_refusal(
        # Approvers see every scorecard, so only the others are asked whether they see the cycle.
        lambda: ALLOWED if approves or _sees_cycle(member, cycle) else _HIDDEN,
        lambda: allow_if(
            approves,
            ErrorCode.APPROVE_DENIED,
            _("You may not approve cycles."),
        ),
        lambda: allow_if(
            member is not None and not cycle.scorecards.filter(person=member).exists(),
            ErrorCode.SELF_ASSESSMENT,
            _("This cycle assesses you, so someone else approves it."),
        ),
        lambda: allow_if(
            cycle.status == Cycle.Status.APPROVAL,
            ErrorCode.STEP_CLOSED,
            _("The cycle is not waiting for approval."),
        ),
    )


def _sees_cycle(member: User | None, cycle: Cycle) -> bool:
    # Imported here: the selectors ask this module's predicates for their visibility rules.
    from charter.assessment.selectors import scorecard_list_visible_to

    return member is not None and scorecard_list_visible_to(user=member, cycle=cycle).exists()


def can_acknowledge(user: AnyUser, scorecard: Scorecard) -> Decision:
    """Allow the person to acknowledge his published scorecard."""
    return first_refusal(
        lambda: can_view_scorecard(user, scorecard),
        lambda: allow_if(
            user.pk == scorecard.person_id, ErrorCode.NOT_YOURS, _("Only the person acknowledges it.")
        ),
        lambda: allow_if(
            scorecard.status == Scorecard.Status.PUBLISHED,
            ErrorCode.STEP_CLOSED,
            _("Only a published scorecard is acknowledged."),
        ),
    )


def can_appeal(user: AnyUser, scorecard: Scorecard, *, now: object = None) -> Decision:
    """Allow the person one appeal against his published scorecard, within the appeal window."""
    from django.utils import timezone

    at = now or timezone.now()
    return first_refusal(
        lambda: can_view_scorecard(user, scorecard),
        lambda: allow_if(
            user.pk == scorecard.person_id, ErrorCode.NOT_YOURS, _("Only the person appeals his scorecard.")
        ),
        lambda: allow_if(
            not Appeal.objects.filter(scorecard=scorecard).exists(),
            ErrorCode.APPEAL_TWICE,
            _("A scorecard is appealed once."),
        ),
        lambda: allow_if(
            scorecard.status in (Scorecard.Status.PUBLISHED, Scorecard.Status.ACKNOWLEDGED)
            and scorecard.appeal_due_at is not None
            and at <= scorecard.appeal_due_at,  # type: ignore[operator]
            ErrorCode.APPEAL_CLOSED,
            _("The time to appeal this scorecard is over."),
        ),
    )


def scorecard_parties(scorecard: Scorecard) -> set[int]:
    """The people who produced a scorecard's result: the person, his assessor, whoever scored, calibrated or
    approved it."""
    parties = {scorecard.person_id}
    if scorecard.assessor_id:
        parties.add(scorecard.assessor_id)
    if scorecard.cycle.approved_by_id:
        parties.add(scorecard.cycle.approved_by_id)
    parties |= set(
        ScorecardEvent.objects.filter(
            scorecard=scorecard, action__in=PARTY_ACTIONS, actor__isnull=False
        ).values_list("actor_id", flat=True)
    )
    return {party for party in parties if party is not None}


def can_decide_appeal(user: AnyUser, appeal: Appeal) -> Decision:
    """Allow a holder of assessment.decide_appeal who neither is the person nor scored, calibrated or approved
    the scorecard, while the appeal waits. An appeal against a scorecard outside the reader's scope is
    hidden (404)."""
    member = _active(user)
    decides = holds(user, "assessment.decide_appeal")
    return first_refusal(
        # Whoever decides appeals sees every appealed scorecard; for anyone else, one outside his scope is
        # hidden.
        lambda: ALLOWED if decides else can_view_scorecard(user, appeal.scorecard),
        lambda: allow_if(decides, ErrorCode.APPEAL_DENIED, _("You may not decide appeals.")),
        lambda: allow_if(
            member is not None and member.pk not in scorecard_parties(appeal.scorecard),
            ErrorCode.APPEAL_PARTY,
            _(
                "You scored, calibrated or approved this scorecard, or it is yours: "
                "someone else decides the appeal."
            ),
        ),
        lambda: allow_if(
            appeal.status == Appeal.Status.PENDING,
            ErrorCode.STEP_CLOSED,
            _("This appeal is already decided."),
        ),
    )


def can_view_rankings(user: AnyUser) -> Decision:
    """Rankings by team and unit: for those who see every scorecard or run cycles, and leads (their teams)."""
    return allow_if(
        bool(can_view_team_scorecards(user)), ErrorCode.VIEW_DENIED, _("You may not see the rankings.")
    )


def can_export_ledger(user: AnyUser) -> Decision:
    """Allow HR and administrators to export the outcome ledger."""
    return allow_if(
        holds(user, "assessment.export_ledger"), ErrorCode.EXPORT_DENIED, _("You may not export the ledger.")
    )


def can_view_plan(user: AnyUser, plan: ImprovementPlan) -> Decision:
    """The person, his supervisor (the plan's owner or a lead over him) and those who see all; else 404."""
    member = _active(user)
    if member is None:
        return _HIDDEN
    if member.pk in (plan.person_id, plan.owner_id) or can_see_everyone(member):
        return ALLOWED
    team_ids = plan.person.memberships.values_list("team_id", flat=True)
    return ALLOWED if team_list_led_by(user=member).filter(pk__in=team_ids).exists() else _HIDDEN


def can_manage_plan(user: AnyUser, plan: ImprovementPlan) -> Decision:
    """The supervisor works on the plan (goals, check-ins, outcome); never the person it concerns."""
    member = _active(user)
    return first_refusal(
        lambda: can_view_plan(user, plan),
        lambda: allow_if(
            member is not None and member.pk != plan.person_id,
            ErrorCode.SELF_ASSESSMENT,
            _("The person a plan concerns does not manage it; his supervisor does."),
        ),
        lambda: allow_if(
            plan.status in (ImprovementPlan.Status.ACTIVE, ImprovementPlan.Status.EXTENDED),
            ErrorCode.STEP_CLOSED,
            _("This plan is closed."),
        ),
    )


def _covers(version: SchemeVersion, user: AnyUser) -> bool:
    # Imported here: the selectors ask this module's predicates for their visibility rules.
    from charter.assessment.selectors import scheme_staff_covered

    return user.pk is not None and scheme_staff_covered(scheme=version.scheme).filter(pk=user.pk).exists()


def can_acknowledge_scheme(user: AnyUser, version: SchemeVersion) -> Decision:
    """Allow a member of staff the published `version` covers, once."""
    return first_refusal(
        lambda: allow_if(
            version.is_published,
            ErrorCode.NOT_ACKNOWLEDGEABLE,
            _("Only the published version of a scheme is acknowledged."),
        ),
        lambda: allow_if(
            user.is_authenticated and user.is_active and _covers(version, user),
            ErrorCode.NOT_COVERED,
            _("This scheme does not cover you."),
        ),
        lambda: allow_if(
            not SchemeAcknowledgement.objects.filter(version=version, user_id=user.pk or 0).exists(),
            ErrorCode.ALREADY_ACKNOWLEDGED,
            _("You have already acknowledged this version."),
        ),
    )


def _person_team_ids(person: User) -> list[int]:
    return list(TeamMembership.objects.filter(user=person).values_list("team_id", flat=True))


def can_open_plan(user: AnyUser, person: User) -> Decision:
    """Allow a lead over one of `person`'s teams (or whoever sees every scorecard) to open a plan for him;
    never for himself."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return refuse(ErrorCode.PLAN_OPEN_DENIED, _("You may not open improvement plans."))
    if user.pk == person.pk:
        return refuse(ErrorCode.SELF_ASSESSMENT, _("Nobody opens an improvement plan for himself."))
    if can_see_everyone(user):
        return ALLOWED
    if team_list_led_by(user=user).filter(pk__in=_person_team_ids(person)).exists():
        return ALLOWED
    return refuse(
        ErrorCode.PLAN_OPEN_DENIED, _("Only the supervisor of this person opens an improvement plan for him.")
    )


def can_view_ledger(user: AnyUser) -> Decision:
    """Allow the ledger page to HR (export_ledger) and to those who see other people's scorecards (a lead
    sees his teams' entries only: `ledger_list_visible_to`)."""
    return allow_if(
        bool(can_export_ledger(user)) or bool(can_view_team_scorecards(user)),
        ErrorCode.EXPORT_DENIED,
        _("You may not see the outcome ledger."),
    )


def can_see_all_ledger(user: AnyUser) -> Decision:
    """Allow every ledger entry, not only one's teams': HR, those who see every scorecard or run cycles."""
    return allow_if(
        bool(can_export_ledger(user) or can_see_everyone(user) or can_run_cycles(user)),
        ErrorCode.EXPORT_DENIED,
        _("You may see the ledger of your own teams only."),
    )
