"""Every write of conduct: the ladder's configuration, recording a violation with its evidence, and due
process (decision, the staff member's response, HR approval, one appeal, and the deadlines).

The workflow is data (charter/conduct/workflow.py), each step taken through `VIOLATION_WORKFLOW.move`.
Each change appends an event to the violation's timeline and an audit event in the same transaction; mail
to the staff member is queued on commit.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.accounts.models import Team, User
from charter.audit.services import audit_record
from charter.cases.conf import cases_setting
from charter.cases.models import Case
from charter.cases.selectors import case_list_visible_to
from charter.common.errors import DomainError, InvalidTransitionError
from charter.common.files import file_check, stored_file_orphans_delete
from charter.common.policy import require
from charter.common.text import clean_text
from charter.conduct.errors import FILE_CODES, TEXT_CODES, ErrorCode
from charter.conduct.models import (
    Evidence,
    EvidenceFile,
    LadderSetting,
    LadderStep,
    Severity,
    Violation,
    ViolationEvent,
)
from charter.conduct.permissions import (
    can_add_evidence,
    can_appeal,
    can_approve,
    can_decide,
    can_decide_appeal,
    can_manage_ladder,
    can_record_violation_for,
    can_respond,
    can_view_all_violations,
)
from charter.conduct.selectors import ladder_setting_get, violation_proposal
from charter.conduct.workflow import (
    APPEAL,
    APPROVE,
    DECIDE,
    DECIDE_APPEAL,
    END_RESPONSE,
    EXPIRE,
    REJECT,
    VIOLATION_WORKFLOW,
)
from charter.quality.models import Finding, Review
from charter.quality.selectors import review_get_for
from charter.standards.models import StandardAcknowledgement, StandardClause, StandardDocument
from charter.standards.selectors import standard_version_in_force
from charter.surveys.models import Response

TEXT_MAX = 10_000
Status = Violation.Status
Event = ViolationEvent.Kind


def _event(
    violation: Violation,
    kind: str,
    *,
    actor: User | None,
    at: dt.datetime,
    text: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    ViolationEvent.objects.create(
        violation=violation, kind=kind, actor=actor, at=at, text=text, data=data or {}
    )
    audit_record(
        actor=actor,
        action=f"conduct.violation_{kind}",
        target=violation,
        data={"violation": violation.pk, "status": violation.status, **(data or {})},
    )


def _locked(violation: Violation) -> Violation:
    """The row again, locked for the rest of the transaction, so two requests never both act on it."""
    return (
        Violation.objects.select_for_update(of=("self",)).select_related("step", "staff").get(pk=violation.pk)
    )


# Configuration ------------------------------------------------------------------------------------------


@transaction.atomic
def ladder_setting_update(
    *,
    actor: User,
    window_days: int,
    response_days: int,
    appeal_days: int,
    harm_floor: LadderStep | None,
    general_floor: LadderStep | None,
    serious_floor: LadderStep | None,
    is_fine_enabled: bool,
    fine_max_amount: Decimal | None,
) -> LadderSetting:
    """Change the ladder's rules (administrators). Records `conduct.ladder_update`."""
    require(can_manage_ladder(actor))
    if not 1 <= window_days <= 3660:
        raise DomainError(
            _("The window is between 1 and 3660 days."), code=ErrorCode.INVALID_SETTING, field="window_days"
        )
    for name, days in (("response_days", response_days), ("appeal_days", appeal_days)):
        if not 1 <= days <= 90:
            raise DomainError(_("Give between 1 and 90 days."), code=ErrorCode.INVALID_SETTING, field=name)
    if fine_max_amount is not None and fine_max_amount <= 0:
        raise DomainError(
            _("The largest fine must be more than zero."),
            code=ErrorCode.INVALID_FINE,
            field="fine_max_amount",
        )
    setting = LadderSetting.objects.select_for_update().get_or_create(pk=1)[0]
    setting.window_days = window_days
    setting.response_days = response_days
    setting.appeal_days = appeal_days
    setting.harm_floor = harm_floor
    setting.general_floor = general_floor
    setting.serious_floor = serious_floor
    setting.is_fine_enabled = is_fine_enabled
    setting.fine_max_amount = fine_max_amount
    setting.save()
    audit_record(
        actor=actor,
        action="conduct.ladder_update",
        target=setting,
        data={
            "window_days": window_days,
            "response_days": response_days,
            "appeal_days": appeal_days,
            "harm_floor": harm_floor.code if harm_floor else None,
            "general_floor": general_floor.code if general_floor else None,
            "serious_floor": serious_floor.code if serious_floor else None,
            "is_fine_enabled": is_fine_enabled,
            "fine_max_amount": str(fine_max_amount) if fine_max_amount is not None else None,
        },
    )
    return setting


@transaction.atomic
def ladder_step_update(
    *, actor: User, step: LadderStep, name_zh: str, name_en: str, requires_second_approver: bool
) -> LadderStep:
    """Rename a step or change whether it needs a second approver (administrators). Records
    `conduct.ladder_step_update`."""
    require(can_manage_ladder(actor))
    name_zh = clean_text(
        name_zh, field="name_zh", codes=TEXT_CODES, required=True, max_length=100, multiline=False
    )
    step.name_zh = name_zh
    step.name_en = clean_text(name_en, field="name_en", codes=TEXT_CODES, max_length=100, multiline=False)
    step.requires_second_approver = requires_second_approver
    step.save()
    audit_record(
        actor=actor,
        action="conduct.ladder_step_update",
        target=step,
        data={"code": step.code, "requires_second_approver": requires_second_approver},
    )
    return step


# Recording ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceInput:
    """One piece of evidence to attach: `kind` and the object it names, or an observation's text and files."""

    kind: str
    case: Case | None = None
    finding: Finding | None = None
    review: Review | None = None
    survey_response: Response | None = None
    text: str = ""
    files: Sequence[Any] = field(default_factory=tuple)


def _clause_checked(clause: StandardClause, occurred_at: dt.datetime) -> None:
    version = clause.version
    if version.document.kind != StandardDocument.Kind.CODE_OF_CONDUCT:
        raise DomainError(
            _("A violation cites a clause of the staff code of conduct."),
            code=ErrorCode.CLAUSE_NOT_CONDUCT,
            field="clause",
        )
    if not version.is_published:
        raise DomainError(
            _(
                "This clause belongs to an unpublished version of the code; "
                "only published clauses can be cited."
            ),
            code=ErrorCode.CLAUSE_NOT_PUBLISHED,
            field="clause",
        )
    in_force = standard_version_in_force(document=version.document, at=occurred_at)
    if in_force is None or in_force.pk != version.pk:
        raise DomainError(
            _(
                "This clause is not from the version of the code in force on the day of the act; "
                "cite the clause of the version in force then."
            ),
            code=ErrorCode.CLAUSE_NOT_IN_FORCE,
            field="clause",
        )


def _team_for(actor: User, staff: User, team: Team | None) -> Team | None:
    teams = Team.objects.filter(memberships__user=staff)
    if team is not None:
        if not teams.filter(pk=team.pk).exists():
            raise DomainError(
                _("The staff member is not in this team."), code=ErrorCode.INVALID_TEAM, field="team"
            )
        return team
    from charter.accounts.selectors import team_list_led_by

    if not can_view_all_violations(actor):
        teams = teams.filter(pk__in=team_list_led_by(user=actor).values("pk"))
    return teams.order_by("code").first()


def _file_store(evidence: Evidence, actor: User, file: Any) -> EvidenceFile:
    # Evidence files take the limits of case attachments: the same people send the same kinds of file.
    checked = file_check(
        file,
        field="files",
        codes=FILE_CODES,
        max_bytes=int(cases_setting("CHARTER_CASES_ATTACHMENT_MAX_BYTES")),
        allowed_types=frozenset(cases_setting("CHARTER_CASES_ATTACHMENT_TYPES")),
    )
    stored = EvidenceFile(
        evidence=evidence,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        is_download_only=checked.is_download_only,
        uploaded_by=actor,
    )
    stored.file.save("upload", File(file), save=False)
    stored.save()
    return stored


def _evidence_add(violation: Violation, actor: User, item: EvidenceInput, at: dt.datetime) -> Evidence:
    kind = item.kind
    invalid = DomainError(
        _("This evidence cannot be attached."), code=ErrorCode.INVALID_EVIDENCE, field="evidence"
    )
    evidence = Evidence(violation=violation, kind=kind, added_by=actor)
    if kind == Evidence.Kind.CASE:
        if item.case is None or not case_list_visible_to(user=actor).filter(pk=item.case.pk).exists():
            raise invalid
        evidence.case = item.case
    elif kind == Evidence.Kind.FINDING:
        if item.finding is None or item.finding.agent_id != violation.staff_id:
            raise DomainError(
                _("The finding must be about the staff member's own reply."),
                code=ErrorCode.INVALID_EVIDENCE,
                field="evidence",
            )
        evidence.finding = item.finding
    elif kind == Evidence.Kind.QA_REVIEW:
        if (
            item.review is None
            or item.review.agent_id != violation.staff_id
            or item.review.submitted_at is None
            or review_get_for(user=actor, pk=item.review.pk) is None
        ):
            raise DomainError(
                _("The QA review must be a submitted review of the staff member's work that you may see."),
                code=ErrorCode.INVALID_EVIDENCE,
                field="evidence",
            )
        evidence.review = item.review
    elif kind == Evidence.Kind.SURVEY_RESPONSE:
        if item.survey_response is None or item.survey_response.handler_id != violation.staff_id:
            raise DomainError(
                _("The survey response must be about a case the staff member handled."),
                code=ErrorCode.INVALID_EVIDENCE,
                field="evidence",
            )
        evidence.survey_response = item.survey_response
    elif kind == Evidence.Kind.OBSERVATION:
        evidence.text = clean_text(
            item.text, field="text", required=True, codes=TEXT_CODES, max_length=TEXT_MAX
        )
    else:
        raise invalid
    if item.files and kind != Evidence.Kind.OBSERVATION:
        raise DomainError(
            _("Files can be attached only to an observation."), code=ErrorCode.INVALID_EVIDENCE, field="files"
        )
    evidence.save()
    for file in item.files:
        _file_store(evidence, actor, file)
    _event(
        violation,
        Event.EVIDENCE_ADDED,
        actor=actor,
        at=at,
        data={"evidence": evidence.pk, "kind": kind, "files": len(item.files)},
    )
    return evidence


@transaction.atomic
def violation_record(
    *,
    actor: User,
    staff: User,
    clause: StandardClause,
    occurred_at: dt.datetime,
    severity: str,
    description: str,
    has_harmed_customers: bool = False,
    has_harmed_reputation: bool = False,
    team: Team | None = None,
    evidence: Sequence[EvidenceInput] = (),
) -> Violation:
    """Record a violation of `clause` by `staff` on `occurred_at`, with its evidence.

    Requires `can_record_violation_for` (conduct.record_violation with `staff` in the actor's teams, never
    himself), a clause of a published version of the code of conduct in force on the day of the act, and
    that day not in the future. Recording needs no acknowledgement; deciding a step does. Records
    `conduct.violation_recorded`.
    """
    require(can_record_violation_for(actor, staff))
    if not staff.is_staff_member:
        raise DomainError(
            _("Violations are recorded against members of staff."), code=ErrorCode.NOT_STAFF, field="staff"
        )
    now = timezone.now()
    if occurred_at > now:
        raise DomainError(
            _("The date of the act cannot be in the future."),
            code=ErrorCode.OCCURRED_IN_FUTURE,
            field="occurred_at",
        )
    if severity not in Severity.values:
        raise DomainError(_("Choose a severity."), code=ErrorCode.INVALID_SEVERITY, field="severity")
    _clause_checked(clause, occurred_at)
    violation = Violation.objects.create(
        staff=staff,
        team=_team_for(actor, staff, team),
        clause=clause,
        version=clause.version,
        occurred_at=occurred_at,
        description=clean_text(
            description, field="description", required=True, codes=TEXT_CODES, max_length=TEXT_MAX
        ),
        severity=severity,
        has_harmed_customers=has_harmed_customers,
        has_harmed_reputation=has_harmed_reputation,
        recorded_by=actor,
    )
    _event(
        violation,
        Event.RECORDED,
        actor=actor,
        at=now,
        text=violation.description,
        data={"staff": staff.pk, "clause": clause.pk, "version": clause.version_id, "severity": severity},
    )
    for item in evidence:
        _evidence_add(violation, actor, item, now)
    return violation


@transaction.atomic
def violation_evidence_add(*, actor: User, violation: Violation, item: EvidenceInput) -> Evidence:
    """Attach one more piece of evidence to `violation` (`can_add_evidence`), until it is closed.
    Records `conduct.violation_evidence_added`."""
    violation = _locked(violation)
    require(can_add_evidence(actor, violation))
    if VIOLATION_WORKFLOW.is_final(violation):
        raise InvalidTransitionError(_("The violation is closed."))
    return _evidence_add(violation, actor, item, timezone.now())


@transaction.atomic
def violation_evidence_add_many(
    *, actor: User, violation: Violation, items: Sequence[EvidenceInput]
) -> list[Evidence]:
    """Attach several pieces of evidence to `violation` at once: all of them, or (on any error) none.

    The same rules as `violation_evidence_add`; at least one item. Records `conduct.violation_evidence_added`
    for each.
    """
    if not items:
        raise DomainError(
            _("Name a case, a finding, a QA review, a survey response or write an observation."),
            code=ErrorCode.INVALID_EVIDENCE,
            field="evidence",
        )
    return [violation_evidence_add(actor=actor, violation=violation, item=item) for item in items]


def evidence_orphans_delete(*, older_than: dt.timedelta = dt.timedelta(hours=1)) -> int:
    """Delete stored evidence files that no EvidenceFile row refers to and that are older than `older_than`;
    return how many.

    A file is written before its row commits; when the transaction rolls back (evidence refused after its
    file was stored), the file stays behind. The age margin keeps the files of transactions still running.
    """
    return stored_file_orphans_delete(prefix="conduct", model=EvidenceFile, older_than=older_than)


# Due process --------------------------------------------------------------------------------------------


def _notify(violation: Violation, kind: str) -> None:
    from charter.conduct.mailing import violation_mail

    pk = violation.pk
    transaction.on_commit(lambda: violation_mail(pk=pk, kind=kind))


def _take_effect(violation: Violation, at: dt.datetime, setting: LadderSetting) -> None:
    violation.effective_at = at
    violation.expires_at = at + setting.window
    violation.appeal_due_at = at + dt.timedelta(days=setting.appeal_days)


def _after_response(violation: Violation, at: dt.datetime) -> str:
    """Move past the response window: to HR when the step needs a second approver, else into effect."""
    assert violation.step is not None  # noqa: S101 (decided before the response window opened)
    if violation.step.requires_second_approver:
        VIOLATION_WORKFLOW.move(violation, to=Status.AWAITING_APPROVAL, name=END_RESPONSE.name)
        return Event.RESPONSE_WINDOW_CLOSED
    VIOLATION_WORKFLOW.move(violation, to=Status.IN_EFFECT, name=END_RESPONSE.name)
    _take_effect(violation, at, ladder_setting_get())
    return Event.IN_EFFECT


@transaction.atomic
def violation_decide(
    *,
    actor: User,
    violation: Violation,
    step: LadderStep,
    reason: str = "",
    fine_amount: Decimal | None = None,
) -> Violation:
    """Decide the disciplinary step of a recorded violation and notify the staff member.

    Requires `can_decide` (conduct.decide_violation over the staff member, never about oneself) and that the
    staff member has acknowledged the cited version of the code. A step other than the ladder's proposal
    needs a written reason; a fine needs fines turned on and stays within the configured largest fine.
    Opens the response window; the staff member is mailed. Records `conduct.violation_decided`.
    """
    violation = _locked(violation)
    require(can_decide(actor, violation))
    VIOLATION_WORKFLOW.check(
        violation,
        to=Status.AWAITING_RESPONSE,
        name=DECIDE.name,
        refusal=_("A step has already been decided."),
    )
    if not StandardAcknowledgement.objects.filter(
        version_id=violation.version_id, user_id=violation.staff_id
    ).exists():
        raise DomainError(
            _(
                "The staff member has not acknowledged this version of the code; only an acknowledged "
                "version can found discipline."
            ),
            code=ErrorCode.NOT_ACKNOWLEDGED,
        )
    now = timezone.now()
    proposal = violation_proposal(violation=violation, at=now)
    reason = clean_text(reason, field="reason", codes=TEXT_CODES, max_length=TEXT_MAX)
    if proposal.step is not None and step.pk != proposal.step.pk and not reason:
        raise DomainError(
            _("Say why you decide a step other than the one proposed."),
            code=ErrorCode.REASON_REQUIRED,
            field="reason",
        )
    setting = ladder_setting_get()
    if fine_amount is not None:
        if not setting.is_fine_enabled:
            raise DomainError(
                _("Money fines are turned off."), code=ErrorCode.FINES_DISABLED, field="fine_amount"
            )
        if fine_amount <= 0 or (
            setting.fine_max_amount is not None and fine_amount > setting.fine_max_amount
        ):
            raise DomainError(
                _("The fine must be more than zero and no more than the largest fine."),
                code=ErrorCode.INVALID_FINE,
                field="fine_amount",
            )
    VIOLATION_WORKFLOW.move(violation, to=Status.AWAITING_RESPONSE, name=DECIDE.name)
    violation.step = step
    violation.proposed_step = proposal.step
    violation.decision_reason = reason
    violation.fine_amount = fine_amount
    violation.decided_by = actor
    violation.decided_at = now
    violation.response_due_at = now + dt.timedelta(days=setting.response_days)
    violation.save()
    _event(
        violation,
        Event.DECIDED,
        actor=actor,
        at=now,
        text=reason,
        data={
            "step": step.code,
            "proposed_step": proposal.step.code if proposal.step else None,
            "fine_amount": str(fine_amount) if fine_amount is not None else None,
            "response_due_at": violation.response_due_at.isoformat(),
        },
    )
    _event(violation, Event.NOTIFIED, actor=None, at=now, data={"staff": violation.staff_id})
    _notify(violation, "decided")
    return violation


@transaction.atomic
def violation_respond(*, actor: User, violation: Violation, text: str) -> Violation:
    """The staff member's written response to a decision, before it takes effect.

    Only the staff member, only while the response window is open. The decision then goes to HR when its step
    needs a second approver, else takes effect. Records `conduct.violation_responded`.
    """
    violation = _locked(violation)
    require(can_respond(actor, violation))
    # Both ends of the response window share the step's name: checking one checks the step.
    VIOLATION_WORKFLOW.check(
        violation,
        to=Status.IN_EFFECT,
        name=END_RESPONSE.name,
        refusal=_("There is no decision awaiting your response."),
    )
    now = timezone.now()
    assert violation.response_due_at is not None  # noqa: S101 (set with the decision)
    if now >= violation.response_due_at:
        raise DomainError(_("The time to respond has passed."), code=ErrorCode.DEADLINE_PASSED)
    violation.response_text = clean_text(
        text, field="text", required=True, codes=TEXT_CODES, max_length=TEXT_MAX
    )
    violation.responded_at = now
    next_event = _after_response(violation, now)
    violation.save()
    _event(violation, Event.RESPONDED, actor=actor, at=now, text=violation.response_text)
    if next_event == Event.IN_EFFECT:
        _event(violation, Event.IN_EFFECT, actor=None, at=now)
    return violation


@transaction.atomic
def violation_approve(
    *, actor: User, violation: Violation, is_approved: bool = True, note: str = ""
) -> Violation:
    """The second approver's (HR) approval of a step that needs one, or his sending it back to the decider.

    Requires `can_approve` (conduct.approve_discipline; neither the decider nor the staff member). Sent back,
    the violation returns to "recorded" for a new decision (a note is required). Records
    `conduct.violation_approved` or `conduct.violation_rejected`.
    """
    violation = _locked(violation)
    require(can_approve(actor, violation))
    target, move = (Status.IN_EFFECT, APPROVE) if is_approved else (Status.RECORDED, REJECT)
    VIOLATION_WORKFLOW.check(
        violation, to=target, name=move.name, refusal=_("This violation is not awaiting approval.")
    )
    now = timezone.now()
    note = clean_text(note, field="note", required=not is_approved, codes=TEXT_CODES, max_length=TEXT_MAX)
    VIOLATION_WORKFLOW.move(violation, to=target, name=move.name)
    if is_approved:
        violation.approved_by = actor
        violation.approved_at = now
        _take_effect(violation, now, ladder_setting_get())
        violation.save()
        _event(violation, Event.APPROVED, actor=actor, at=now, text=note)
        _event(violation, Event.IN_EFFECT, actor=None, at=now)
        _notify(violation, "in_effect")
    else:
        violation.step = None
        violation.response_due_at = None
        violation.save()
        _event(violation, Event.REJECTED, actor=actor, at=now, text=note)
    return violation


@transaction.atomic
def violation_appeal(*, actor: User, violation: Violation, text: str) -> Violation:
    """The staff member's one appeal against a decision in effect, within the appeal window.

    A second appeal is refused. Records `conduct.violation_appealed`.
    """
    violation = _locked(violation)
    require(can_appeal(actor, violation))
    if violation.appealed_at is not None:
        raise DomainError(
            _("This decision has already been appealed; it can be appealed only once."),
            code=ErrorCode.SECOND_APPEAL,
        )
    if violation.status == Status.CLOSED:  # closed unappealed: the window ended (say so, not "no decision")
        raise DomainError(
            pgettext_lazy("conduct", "The time to appeal has passed."), code=ErrorCode.DEADLINE_PASSED
        )
    VIOLATION_WORKFLOW.check(
        violation,
        to=Status.APPEALED,
        name=APPEAL.name,
        refusal=_("There is no decision in effect to appeal."),
    )
    now = timezone.now()
    assert violation.appeal_due_at is not None  # noqa: S101 (set when it took effect)
    if now >= violation.appeal_due_at:
        raise DomainError(
            pgettext_lazy("conduct", "The time to appeal has passed."), code=ErrorCode.DEADLINE_PASSED
        )
    VIOLATION_WORKFLOW.move(violation, to=Status.APPEALED, name=APPEAL.name)
    violation.appeal_text = clean_text(
        text, field="text", required=True, codes=TEXT_CODES, max_length=TEXT_MAX
    )
    violation.appealed_at = now
    violation.save()
    _event(violation, Event.APPEALED, actor=actor, at=now, text=violation.appeal_text)
    return violation


@transaction.atomic
def violation_appeal_decide(
    *,
    actor: User,
    violation: Violation,
    outcome: str,
    reason: str,
    step: LadderStep | None = None,
) -> Violation:
    """Decide an appeal: upheld, reduced to a lower `step`, or overturned (then it leaves the ladder).

    The appeal goes to a different decision-maker (`can_decide_appeal`): a decider over the staff member (or a
    second approver), neither the staff member nor whoever decided or approved the step. A reason is
    required. The staff member is mailed. Records `conduct.violation_appeal_decided`.
    """
    violation = _locked(violation)
    require(can_decide_appeal(actor, violation))
    VIOLATION_WORKFLOW.check(
        violation, to=Status.CLOSED, name=DECIDE_APPEAL.name, refusal=_("There is no appeal to decide.")
    )
    if outcome not in Violation.AppealOutcome.values:
        raise DomainError(_("Choose an outcome."), code=ErrorCode.INVALID_OUTCOME, field="outcome")
    reason = clean_text(reason, field="reason", required=True, codes=TEXT_CODES, max_length=TEXT_MAX)
    assert violation.step is not None  # noqa: S101 (an appealed violation has a step)
    new_step = violation.step
    if outcome == Violation.AppealOutcome.REDUCED:
        if step is None or step.position >= violation.step.position:
            raise DomainError(
                _("Choose a step lower than the one decided."), code=ErrorCode.INVALID_STEP, field="step"
            )
        new_step = step
    now = timezone.now()
    VIOLATION_WORKFLOW.move(violation, to=Status.CLOSED, name=DECIDE_APPEAL.name)
    violation.original_step = violation.step
    violation.step = new_step
    violation.appeal_outcome = outcome
    violation.appeal_reason = reason
    violation.appeal_decided_by = actor
    violation.appeal_decided_at = now
    violation.save()
    _event(
        violation,
        Event.APPEAL_DECIDED,
        actor=actor,
        at=now,
        text=reason,
        data={"outcome": outcome, "step": new_step.code},
    )
    _notify(violation, "appeal_decided")
    return violation


def violation_deadlines_run(*, at: dt.datetime | None = None, limit: int = 500) -> int:
    """Close the response and appeal windows that have ended; returns how many violations moved.

    Each step goes through the workflow (`end_response`, `expire`) and each violation is claimed with a
    conditional UPDATE on its status, so two workers (or a run racing a response) never handle it twice.
    """
    moment = at or timezone.now()
    moved = 0
    due = Violation.objects.filter(status=Status.AWAITING_RESPONSE, response_due_at__lte=moment)
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            violation = Violation.objects.select_related("step").get(pk=pk)
            if violation.step is None or not VIOLATION_WORKFLOW.can_take(violation, name=END_RESPONSE.name):
                continue
            next_event = _after_response(violation, moment)
            fields: dict[str, Any] = {"status": violation.status}
            if violation.status == Status.IN_EFFECT:
                fields |= {
                    "effective_at": violation.effective_at,
                    "expires_at": violation.expires_at,
                    "appeal_due_at": violation.appeal_due_at,
                }
            claimed = Violation.objects.filter(pk=pk, status=Status.AWAITING_RESPONSE).update(
                updated_at=timezone.now(), **fields
            )
            if claimed != 1:
                continue
            _event(violation, Event.RESPONSE_WINDOW_CLOSED, actor=None, at=moment)
            if next_event == Event.IN_EFFECT:
                _event(violation, Event.IN_EFFECT, actor=None, at=moment)
                _notify(violation, "in_effect")
            moved += 1
    due = Violation.objects.filter(status=Status.IN_EFFECT, appeal_due_at__lte=moment)
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            violation = Violation.objects.get(pk=pk)
            if not VIOLATION_WORKFLOW.can_take(violation, name=EXPIRE.name):
                continue
            VIOLATION_WORKFLOW.move(violation, to=Status.CLOSED, name=EXPIRE.name)
            claimed = Violation.objects.filter(
                pk=pk, status=Status.IN_EFFECT, appeal_due_at__lte=moment
            ).update(status=violation.status, updated_at=timezone.now())
            if claimed != 1:
                continue
            _event(violation, Event.APPEAL_WINDOW_CLOSED, actor=None, at=moment)
            moved += 1
    return moved
