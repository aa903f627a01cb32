"""Short service calls for the demo's story: a reply-check finding becomes a violation with the case and the
finding as evidence; the ladder proposes; the supervisor decides; the agent responds and appeals; someone
else decides the appeal. Each call goes through the services (audited, validated) like the desk does."""

from charter.accounts.models import User
from charter.conduct.models import LadderSetting, LadderStep, Severity, Violation
from charter.conduct.selectors import violation_proposal
from charter.conduct.services import (
    EvidenceInput,
    violation_appeal,
    violation_appeal_decide,
    violation_decide,
    violation_record,
    violation_respond,
)
from charter.quality.models import Finding


def conduct_demo_load(*, actor: User | None = None) -> None:
    """Make sure the ladder's rules exist (the migration ships the steps and rules); safe to run again."""
    LadderSetting.objects.get_or_create(pk=1)


def violation_record_from_finding(
    *,
    actor: User,
    finding: Finding,
    description: str = "",
    severity: str = Severity.MINOR,
    has_harmed_customers: bool = False,
    has_harmed_reputation: bool = False,
) -> Violation:
    """Record a violation of the finding's agent, citing the finding's clause on the day of the reply, with
    the case and the finding as evidence."""
    return violation_record(
        actor=actor,
        staff=finding.agent,
        clause=finding.clause,
        occurred_at=finding.replied_at,
        severity=severity,
        description=description or f"{finding.get_check_code_display()}: {finding.excerpt}",
        has_harmed_customers=has_harmed_customers,
        has_harmed_reputation=has_harmed_reputation,
        evidence=[
            EvidenceInput(kind="case", case=finding.case),
            EvidenceInput(kind="finding", finding=finding),
        ],
    )


def violation_proposed_step(*, violation: Violation) -> LadderStep | None:
    """The step the ladder proposes for `violation` now."""
    return violation_proposal(violation=violation).step


def violation_decide_as_proposed(*, actor: User, violation: Violation) -> Violation:
    """Decide the step the ladder proposes (the staff member must have acknowledged the cited version)."""
    step = violation_proposed_step(violation=violation)
    if step is None:
        raise LookupError("the ladder has no steps")
    return violation_decide(actor=actor, violation=violation, step=step)


def violation_settle(
    *, decider: User, violation: Violation, response: str = "我已知悉，今后注意。"
) -> Violation:
    """Decide as proposed and have the staff member respond, so the step takes effect at once (for a prior
    record in the demo's history). A step needing a second approver then waits for HR."""
    violation = violation_decide_as_proposed(actor=decider, violation=violation)
    return violation_respond(actor=violation.staff, violation=violation, text=response)


__all__ = [
    "conduct_demo_load",
    "violation_appeal",
    "violation_appeal_decide",
    "violation_decide_as_proposed",
    "violation_proposed_step",
    "violation_record_from_finding",
    "violation_respond",
    "violation_settle",
]
