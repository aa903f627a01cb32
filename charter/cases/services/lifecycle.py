"""The workflow of a case: every status change, resolution, acceptance, appeal and expiry.

`_move` is the one place a status changes; it applies the map in charter/cases/workflow.py and its effects
on the clocks. Services here take `expected_version` where staff edit a case.

Each service checks who is acting, validates, and writes in one transaction together with its timeline event
and its audit record (`cases.<verb>`); notifications are scheduled for after the commit.
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.accounts.selectors import team_lead_list
from charter.cases.conf import cases_setting
from charter.cases.errors import ErrorCode
from charter.cases.models import (
    Case,
    CaseClock,
    CaseEvent,
    CaseOutcome,
    CaseStatus,
    RootCause,
)
from charter.cases.notifications import Audience, CaseNotification, notify_on_commit
from charter.cases.permissions import can_customer_act, can_resolve, can_transition, handler_excluded_ids
from charter.cases.services import clocks
from charter.cases.services._common import (
    Actor,
    _reindex,
    audit,
    case_lock,
    event_build,
    event_record,
    now,
    text_clean,
)
from charter.cases.services._common import now as _now
from charter.cases.services.routing import can_be_routed, handler_pick
from charter.cases.workflow import CASE_WORKFLOW, FINISHED_STATUSES, PAUSED_STATUSES
from charter.common.errors import DomainError, InvalidTransitionError
from charter.common.money import parse_amount
from charter.common.policy import require

Metric = CaseClock.Metric


S = CaseStatus


_DEDICATED_CODES = {
    "case_resolve": ErrorCode.RESOLUTION_REQUIRED,
    "case_appeal": ErrorCode.APPEAL_REQUIRED,
}


def _choice(value: str, choices: Iterable[str], code: str, field: str, message: Any) -> str:
    if value not in set(choices):
        raise DomainError(message, code=code, field=field)
    return value


def _move(
    *, actor: Actor, case: Case, to_status: str, reason: str = "", at: dt.datetime, dedicated: str = ""
) -> CaseEvent:
    """Apply one step of the workflow to the locked `case`: check it against the map, run its effects on
    the clocks, save, and record `status_changed`; return that event. The one place a status changes."""
    event = _move_prepare(
        actor=actor, case=case, to_status=to_status, reason=reason, at=at, dedicated=dedicated
    )
    case.save()
    event.save(force_insert=True)
    return event


def _move_prepare(
    *, actor: Actor, case: Case, to_status: str, reason: str = "", at: dt.datetime, dedicated: str = ""
) -> CaseEvent:
    """Check one step of the workflow and apply it to `case` in memory and to its clocks; return its
    timeline event unsaved. The caller saves the case, then the event (`_move`; intake inserts a new case
    with its first step already applied)."""
    previous = case.status
    move = CASE_WORKFLOW.check(case, to=to_status)
    if move.dedicated and move.dedicated != dedicated:
        message = _("Use the dedicated action for this step (%(action)s).") % {"action": move.dedicated}
        if move.dedicated not in _DEDICATED_CODES:
            raise InvalidTransitionError(message)
        raise DomainError(message, code=_DEDICATED_CODES[move.dedicated])
    if move.needs_reason and not reason:
        raise DomainError(_("Give a reason for this step."), code=ErrorCode.REASON_REQUIRED, field="reason")
    if move.is_reopen and not case.is_reopen_open(at):
        raise DomainError(
            _("The time to reopen this case has passed."), code=ErrorCode.WINDOW_CLOSED, field="to"
        )
    CASE_WORKFLOW.move(case, to=to_status)
    _move_effects(case, previous=previous, to_status=to_status, is_reopen=move.is_reopen, at=at)
    kind = {
        "escalate": CaseEvent.Kind.ESCALATED,
        "reopen": CaseEvent.Kind.REOPENED,
        "close": CaseEvent.Kind.CLOSED,
        "cancel": CaseEvent.Kind.CANCELLED,
        "acknowledge": CaseEvent.Kind.ACKNOWLEDGED,
    }.get(move.name, CaseEvent.Kind.STATUS_CHANGED)
    data: dict[str, Any] = {"from": previous, "to": to_status, "verb": move.name}
    if reason:
        data["reason"] = reason
    if to_status == S.ACKNOWLEDGED:
        data["number"] = case.number
    return event_build(case, kind, actor=actor, data=data, is_internal=False, at=at)


def _move_effects(case: Case, *, previous: str, to_status: str, is_reopen: bool, at: dt.datetime) -> None:
    """Apply to `case`, just moved from `previous` to `to_status`, what the step does besides: pause or
    resume the clocks around waiting, stamp the acknowledgement, count an escalation, stop the clocks on
    closing or cancelling, and clear the resolution and start new clocks on reopening."""
    if to_status in PAUSED_STATUSES:
        clocks.clocks_pause(case, at=at)
    elif previous in PAUSED_STATUSES and to_status not in FINISHED_STATUSES:
        clocks.clocks_resume(case, at=at)
    if to_status == S.ACKNOWLEDGED:
        case.acknowledged_at = at
    if to_status == S.ESCALATED:
        case.escalation_level += 1
    if to_status in (S.CLOSED, S.CANCELLED):
        case.closed_at = at
        clocks.clocks_stop(case, at=at, cancel=True)
    if is_reopen:
        case.outcome, case.resolution_reasons, case.root_cause, case.remedy_amount = "", "", "", None
        case.resolved_at, case.resolved_by, case.closed_at = None, None, None
        case.reopen_until, case.appeal_until, case.accepted_at = None, None, None
        clocks.clock_start(case, Metric.RESOLUTION, at=at)
        clocks.clock_start(case, Metric.NEXT_RESPONSE, at=at)


def case_transition(
    *, actor: User, case: Case, to_status: str, reason: str = "", expected_version: int | None = None
) -> Case:
    """Move `case` to `to_status` as the workflow map allows (charter/cases/workflow.py).

    Refused with InvalidTransitionError (409, `invalid_transition`) when the map has no such step; steps
    that carry more than a status (resolve, appeal, merge) are refused here and made by their own services.
    Waiting for the customer pauses the clocks and leaving it resumes them with the time credited back;
    closing and cancelling stop them; reopening (within CHARTER_CASES_REOPEN_DAYS of the resolution) starts
    a new resolution clock. Escalating, reopening and cancelling need a reason. Audited as
    `cases.transition`.
    """
    reason = text_clean(reason, field="reason", max_length=2000)
    with transaction.atomic():
        case = case_lock(case, expected_version)
        require(can_transition(actor, case))
        previous = case.status
        at = now()
        event = _move(actor=actor, case=case, to_status=to_status, reason=reason, at=at)
        audit(actor, "transition", case, {"from": previous, "to": to_status, "reason": reason})
        if to_status == S.ESCALATED:
            notify_on_commit(
                CaseNotification(
                    kind=CaseEvent.Kind.ESCALATED,
                    case_id=case.pk,
                    audience=Audience.SUPERVISOR,
                    event_id=event.pk,  # a supervisor who escalates is not told of it
                    is_internal=True,
                )
            )
        else:
            notify_on_commit(
                CaseNotification(
                    kind=CaseEvent.Kind.STATUS_CHANGED, case_id=case.pk, audience=Audience.CUSTOMER
                )
            )
    return case


def case_resolve(
    *,
    actor: User,
    case: Case,
    outcome: str,
    reasons: str,
    root_cause: str = "",
    remedy_amount: object = None,
    expected_version: int | None = None,
) -> Case:
    """Resolve `case` with an outcome and the reasons for it, told to the customer.

    Who may is `can_resolve`'s answer: staff in scope with cases.resolve_case, never a person the complaint
    names, nor (deciding an appeal) the first handler or whoever resolved it. An upheld or
    partly upheld complaint needs its root cause; `remedy_amount` is CNY (text or Decimal, two places).
    Stops every clock (met, or breached when late) and opens the customer's window to accept or appeal
    (CHARTER_CASES_APPEAL_DAYS; none after a reconsideration) and staff's to reopen
    (CHARTER_CASES_REOPEN_DAYS). Audited as `cases.resolve`.
    """
    _choice(outcome, CaseOutcome.values, ErrorCode.INVALID_OUTCOME, "outcome", _("Choose the outcome."))
    reasons = text_clean(reasons, field="reasons", required=True)
    _choice(
        root_cause or "",
        RootCause.values,
        ErrorCode.INVALID_ROOT_CAUSE,
        "root_cause",
        _("Choose the root cause."),
    )
    amount: Decimal | None = None
    if remedy_amount is not None and remedy_amount != "":
        try:
            amount = parse_amount(remedy_amount)
        except ValidationError as error:
            raise DomainError(
                error.messages[0], code=ErrorCode.INVALID_AMOUNT, field="remedy_amount"
            ) from error
    with transaction.atomic():
        case = case_lock(case, expected_version)
        require(can_resolve(actor, case))
        if (
            case.is_complaint
            and outcome in (CaseOutcome.UPHELD, CaseOutcome.PARTLY_UPHELD)
            and not root_cause
        ):
            raise DomainError(
                _("Name the root cause of an upheld complaint."),
                code=ErrorCode.INVALID_ROOT_CAUSE,
                field="root_cause",
            )
        at = now()
        is_reconsideration = case.status == S.RECONSIDERATION
        _move(actor=actor, case=case, to_status=S.RESOLVED, at=at, dedicated="case_resolve")
        case.outcome, case.resolution_reasons, case.root_cause = outcome, reasons, root_cause or ""
        case.remedy_amount = amount
        case.resolved_at, case.resolved_by = at, actor
        if case.first_handler_id is None:
            case.first_handler = actor
        case.reopen_until = at + dt.timedelta(days=int(cases_setting("CHARTER_CASES_REOPEN_DAYS")))
        case.appeal_until = (
            None
            if is_reconsideration
            else at + dt.timedelta(days=int(cases_setting("CHARTER_CASES_APPEAL_DAYS")))
        )
        clocks.clocks_stop(case, at=at)
        case.save()
        data = {
            "outcome": outcome,
            "reasons": reasons,
            "remedy_amount": str(amount) if amount is not None else None,
        }
        event = event_record(case, CaseEvent.Kind.RESOLVED, actor=actor, data=data, is_internal=False, at=at)
        audit(
            actor, "resolve", case, {**data, "root_cause": root_cause, "reconsideration": is_reconsideration}
        )
        _reindex(case)
        notify_on_commit(
            CaseNotification(
                kind=CaseEvent.Kind.RESOLVED, case_id=case.pk, audience=Audience.CUSTOMER, event_id=event.pk
            )
        )
    return case


def case_arrival_record(
    *, actor: User, case: Case, arrived_at: dt.datetime | None = None, expected_version: int | None = None
) -> Case:
    """Record that staff arrived at the customer's: stops the on-site arrival clock, which a service's charter
    starts when it promises a visit within a time (met when on time, else breached).

    `arrived_at` (default now) may be earlier, when the visit is logged afterwards, but not before the case
    was received nor in the future; once the sweep has recorded the breach, it stands. Staff who may change
    the case (cases.change_case in scope). The event is public: the customer sees on his tracking page that
    someone came. Audited as `cases.arrival`.
    """
    require(can_transition(actor, case))
    at = now()
    arrived = arrived_at or at
    if arrived > at + dt.timedelta(minutes=1) or arrived < case.received_at:
        raise DomainError(
            _("The arrival time must be between the time the case was received and now."),
            code=ErrorCode.INVALID_FIELD,
            field="arrived_at",
        )
    with transaction.atomic():
        case = case_lock(case, expected_version)
        clock = (
            CaseClock.objects.filter(case=case, metric=Metric.ON_SITE_ARRIVAL, status__in=clocks.OPEN)
            .select_related("case")
            .first()
        )
        if clock is None:
            raise DomainError(
                _("No visit is awaited on this case: its service promises none, or the arrival is recorded."),
                code=ErrorCode.NO_ARRIVAL_PROMISED,
            )
        clock.case = case
        arrived = min(arrived, at)
        # A breach the sweep already recorded stays recorded, as for every clock: a visit logged only after
        # the due time cannot turn a missed promise, perhaps already published, into a kept one.
        clocks.clock_stop(clock, at=arrived)
        clocks.case_deadline_refresh(case)
        when = arrived.astimezone(dt.UTC).isoformat()
        event_record(
            case,
            CaseEvent.Kind.ARRIVED_ON_SITE,
            actor=actor,
            data={"at": when, "met": clock.status == CaseClock.Status.MET},
            is_internal=False,
            at=at,
        )
        audit(actor, "arrival", case, {"arrived_at": when, "clock": clock.status})
    return case


def case_accept(*, case: Case, actor: User | None = None) -> Case:
    """Record that the customer accepts the resolution: the case closes and can no longer be appealed.

    `actor` is the signed-in customer, or None for the holder of the tracking link. Refused outside the
    appeal window. Audited as `cases.accept`.
    """
    with transaction.atomic():
        case = case_lock(case, None)
        if actor is not None:
            require(can_customer_act(actor, case))
        at = now()
        if case.status != S.RESOLVED:
            raise DomainError(_("Only a resolved case can be accepted."), code=ErrorCode.NOT_RESOLVED)
        case.accepted_at = at
        case.appeal_until = None
        _move(actor=actor, case=case, to_status=S.CLOSED, at=at)
        event_record(case, CaseEvent.Kind.ACCEPTED, actor=actor, is_internal=False, at=at)
        audit(actor, "accept", case)
        notify_on_commit(
            CaseNotification(
                kind=CaseEvent.Kind.ACCEPTED,
                case_id=case.pk,
                audience=Audience.HANDLER if case.assignee_id else Audience.TEAM,
                recipient_id=case.assignee_id,
            )
        )
    return case


def case_appeal(*, case: Case, reason: str, actor: User | None = None) -> Case:
    """Appeal the resolution (the customer, within CHARTER_CASES_APPEAL_DAYS): the case goes to
    reconsideration, handled by someone other than the first handler (the team lead when eligible, else by
    the team's mode), on its own clock.

    `actor` is the signed-in customer, or None for the holder of the tracking link. Only one appeal per case.
    Audited as `cases.appeal`.
    """
    reason = text_clean(reason, field="reason", required=True)
    with transaction.atomic():
        case = case_lock(case, None)
        if actor is not None:
            require(can_customer_act(actor, case))
        at = now()
        if case.appealed_at is not None:
            raise DomainError(_("This case has been appealed already."), code=ErrorCode.ALREADY_APPEALED)
        if case.status not in (S.RESOLVED, S.CLOSED):
            raise DomainError(_("Only a resolved case can be appealed."), code=ErrorCode.NOT_RESOLVED)
        if not case.is_appeal_open(at):
            raise DomainError(_("The time to appeal has passed."), code=ErrorCode.WINDOW_CLOSED)
        excluded = handler_excluded_ids(case, for_appeal=True)
        previous_handler = case.assignee_id
        _move(actor=actor, case=case, to_status=S.RECONSIDERATION, at=at, dedicated="case_appeal")
        case.appealed_at, case.appeal_reason = at, reason
        case.appeal_until, case.reopen_until, case.closed_at, case.accepted_at = None, None, None, None
        handler: User | None = None
        if case.team is not None:
            # The lead decides the appeal if he holds the qualifications the case needs; else the team's pick.
            leads = team_lead_list(team_ids=[case.team.pk]).exclude(user_id__in=excluded)
            lead = next((m for m in leads if can_be_routed(m.user, case, at=at)), None)
            handler = (
                lead.user
                if lead is not None
                else handler_pick(
                    team=case.team, excluded=excluded, force=True, service=case.service, kind=case.kind
                )
            )
        case.assignee = handler
        case.save()
        clocks.clock_start(case, Metric.RECONSIDERATION, at=at)
        clocks.case_deadline_refresh(case)
        event = event_record(
            case, CaseEvent.Kind.APPEALED, actor=actor, data={"reason": reason}, is_internal=False, at=at
        )
        event_record(
            case,
            CaseEvent.Kind.ASSIGNED,
            data={
                "assignee": {"from": previous_handler, "to": handler.pk if handler else None},
                "appeal": True,
            },
            at=at,
        )
        audit(actor, "appeal", case, {"assignee": handler.pk if handler else None})
        for audience in (Audience.HANDLER if handler else Audience.TEAM, Audience.SUPERVISOR):
            notify_on_commit(
                CaseNotification(
                    kind=CaseEvent.Kind.APPEALED,
                    case_id=case.pk,
                    audience=audience,
                    recipient_id=handler.pk if handler and audience == Audience.HANDLER else None,
                    event_id=event.pk,
                    is_internal=True,
                )
            )
    return case


def case_close_expired(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Close the resolved cases whose customer let the appeal window pass (after a reconsideration: whose
    reopen window passed); return how many. Safe to run on several workers: each case is locked and checked
    again before it closes. Records `closed` (public) on each; audited as `cases.close_expired`."""
    at = now or _now()
    due = Case.objects.filter(status=S.RESOLVED).filter(
        Q(appeal_until__lt=at) | Q(appeal_until__isnull=True, reopen_until__lt=at)
    )
    closed = 0
    for pk in list(due.order_by("pk").values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            case = Case.objects.select_for_update().filter(pk=pk, status=S.RESOLVED).first()
            deadline = None if case is None else case.appeal_until or case.reopen_until
            if case is None or deadline is None or deadline >= at:
                continue
            case = case_lock(case, None)
            case.appeal_until = None
            _move(actor=None, case=case, to_status=S.CLOSED, at=at)
            audit(None, "close_expired", case)
            closed += 1
    return closed
