"""Every write of improvement: open and change a corrective action, move it through its workflow, add and
complete its items, record its effectiveness check, close it; and the sweeps that escalate overdue items and
announce due checks.

The workflow is the map in charter/improvement/workflow.py, applied in `_move`; every move is on the action's
timeline and in the audit trail. Services that change an action claim its next version with a conditional
UPDATE (optimistic locking): a stale `expected_version` is refused with ConflictError. Services whose result
depends on time take `at=` (default: now), so the demo can tell a story over weeks.
"""

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Team, User
from charter.accounts.selectors import team_lead_list
from charter.audit.services import audit_record
from charter.cases.models import Case, RootCause
from charter.cases.selectors import case_list_visible_to
from charter.catalog.models import Service
from charter.common.errors import (
    DomainError,
    InvalidTransitionError,
)
from charter.common.locking import row_claim
from charter.common.policy import Decision, Refusal, require
from charter.common.services import year_counter_next
from charter.common.text import clean_text
from charter.common.unset import UNSET, Unset, given
from charter.common.vocabulary import CaseKind
from charter.conduct.models import Violation
from charter.conduct.selectors import violation_get_visible
from charter.improvement.errors import TEXT_CODES, ErrorCode
from charter.improvement.models import (
    ACTIVE_STATUSES,
    ActionEvent,
    ActionItem,
    ActionKind,
    ActionStatus,
    CorrectiveAction,
    CorrectiveActionCounter,
    EffectivenessCheck,
    SourceKind,
    Verdict,
)
from charter.improvement.permissions import (
    can_change_team,
    can_check,
    can_close,
    can_complete_item,
    can_manage,
    can_open,
)
from charter.improvement.selectors import complaint_cluster_measure, corrective_action_team_list_for
from charter.improvement.workflow import ACTION_WORKFLOW

logger = logging.getLogger(__name__)

NUMBER_PREFIX = "CA"
MAX_CHECK_AFTER_DAYS = 730
TEXT_MAX = 10_000  # a problem, a correction, an item, a note: as conduct's texts

# Where finishing the last item moves an action on its own.
WORKING_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.REOPENED)


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _require_on(decision: Decision, field: str) -> None:
    """Like `require`, naming the input at fault, so a form shows the refusal beside it."""
    if isinstance(decision, Refusal):
        error = decision.error()
        error.field = field
        raise error


def _invalid(message: Any, field: str | None = None, code: str = ErrorCode.INVALID_FIELD) -> DomainError:
    return DomainError(message, code=code, field=field)


def _number_next(at: dt.datetime) -> str:
    """Return the next action number of the year of `at` (the site's time zone): CA-YYYY-NNNN. Call inside
    `transaction.atomic`."""
    year, last = year_counter_next(counter=CorrectiveActionCounter, at=at)
    return f"{NUMBER_PREFIX}-{year}-{last:04d}"


def _lock(action: CorrectiveAction, expected_version: int | None) -> CorrectiveAction:
    """Claim the next version of `action` and return it fresh (with the row lock held until commit).

    A stale `expected_version` is refused with ConflictError (409, `conflict`). Call inside atomic.
    """
    return row_claim(
        action,
        expected_version,
        stale=_("Someone else changed this corrective action in the meantime; reload it and try again."),
        queryset=CorrectiveAction.objects.select_related("owner", "team", "service", "opened_by"),
    )


def _event(
    action: CorrectiveAction,
    kind: str,
    *,
    actor: User | None,
    at: dt.datetime,
    note: str = "",
    data: dict[str, Any] | None = None,
    from_status: str = "",
    to_status: str = "",
) -> ActionEvent:
    return ActionEvent.objects.create(
        action=action,
        kind=kind,
        actor=actor,
        note=note,
        data=data or {},
        from_status=from_status,
        to_status=to_status,
        occurred_at=at,
    )


def _staff(user: User | None, field: str) -> User:
    if user is None or not user.is_active or not user.is_staff_member:
        raise _invalid(_("Choose an active member of staff."), field=field)
    return user


def _note(value: str) -> str:
    return clean_text(value, field="note", codes=TEXT_CODES, max_length=TEXT_MAX)


def _check_after(days: int) -> int:
    if not 1 <= days <= MAX_CHECK_AFTER_DAYS:
        raise _invalid(
            _("The effectiveness check comes 1 to %(max)d days after the items are done.")
            % {"max": MAX_CHECK_AFTER_DAYS},
            field="check_after_days",
        )
    return days


def _team_allowed(actor: User, team: Team | None) -> None:
    if team is not None and not corrective_action_team_list_for(user=actor).filter(pk=team.pk).exists():
        raise _invalid(_("You may not file corrective actions under this team."), field="team")


def _cluster_cases(
    *, actor: User, cases: Sequence[Case], root_cause: str, service: Service | None, source_kind: str
) -> list[Case]:
    """The linked cases, each visible to `actor`; for a complaint cluster, complaints of its root cause."""
    ids = {case.pk for case in cases}
    visible = list(case_list_visible_to(user=actor).filter(pk__in=ids))
    if len(visible) != len(ids):
        raise _invalid(
            _("A linked case does not exist or is not yours to see."), "cases", ErrorCode.INVALID_CASE
        )
    if source_kind == SourceKind.COMPLAINT_CLUSTER:
        for case in visible:
            if case.kind != CaseKind.COMPLAINT or case.root_cause != root_cause:
                raise _invalid(
                    _("Case %(number)s is not a complaint with this root cause.") % {"number": case.number},
                    "cases",
                    ErrorCode.INVALID_CASE,
                )
            if service is not None and case.service_id != service.pk:
                raise _invalid(
                    _("Case %(number)s is about another service.") % {"number": case.number},
                    "cases",
                    ErrorCode.INVALID_CASE,
                )
    return visible


@transaction.atomic
def corrective_action_open(
    *,
    actor: User,
    title: str,
    source_kind: str,
    problem: str,
    owner: User,
    kind: str = ActionKind.CORRECTIVE,
    team: Team | None = None,
    correction: str = "",
    cause_analysis: str = "",
    root_cause: str = "",
    service: Service | None = None,
    cases: Sequence[Case] = (),
    source_reference: str = "",
    violation: Violation | None = None,
    check_after_days: int = 90,
    at: dt.datetime | None = None,
) -> CorrectiveAction:
    """Open a corrective (or preventive) action with a new number CA-YYYY-NNNN, status open.

    A complaint cluster (`source_kind="complaint_cluster"`) names the root cause its complaints share,
    optionally the service, and links the complaints (each visible to `actor`, a complaint of that cause
    and service). An action found through a violation links it (one `actor` may see); any other source is
    described in `source_reference`. Requires
    improvement.open_corrective_action; a supervisor files actions only under teams he leads.
    Audited as `improvement.corrective_action_open`.
    """
    at = _now(at)
    require(can_open(actor))
    if kind not in ActionKind.values:
        raise _invalid(_("Choose corrective or preventive."), field="kind")
    if source_kind not in SourceKind.values:
        raise _invalid(_("Say where the problem was found."), "source_kind", ErrorCode.INVALID_SOURCE)
    title = clean_text(
        title,
        field="title",
        codes=TEXT_CODES,
        required=True,
        max_length=200,
        multiline=False,
        required_message=_("Give the corrective action a title."),
    )
    problem = clean_text(
        problem,
        field="problem",
        codes=TEXT_CODES,
        required=True,
        max_length=TEXT_MAX,
        required_message=_("Describe the problem."),
    )
    correction = clean_text(correction, field="correction", codes=TEXT_CODES, max_length=TEXT_MAX)
    cause_analysis = clean_text(cause_analysis, field="cause_analysis", codes=TEXT_CODES, max_length=TEXT_MAX)
    source_reference = clean_text(
        source_reference, field="source_reference", codes=TEXT_CODES, max_length=300, multiline=False
    )
    _staff(owner, "owner")
    _team_allowed(actor, team)
    check_after_days = _check_after(check_after_days)
    if source_kind == SourceKind.COMPLAINT_CLUSTER:
        if not root_cause or root_cause not in RootCause.values:
            raise _invalid(
                _("A cluster of complaints names the root cause they share."),
                "root_cause",
                ErrorCode.INVALID_SOURCE,
            )
    else:
        root_cause, service = "", None
    if violation is not None:
        if source_kind != SourceKind.VIOLATION:
            raise _invalid(
                _("Only an action found through a violation links one."),
                "violation",
                ErrorCode.INVALID_SOURCE,
            )
        if violation_get_visible(user=actor, pk=violation.pk) is None:
            raise _invalid(
                _("The violation does not exist or is not yours to see."),
                "violation",
                ErrorCode.INVALID_SOURCE,
            )
        source_reference = source_reference or str(violation)[:300]
    if source_kind != SourceKind.COMPLAINT_CLUSTER and not source_reference:
        raise _invalid(_("Say where the problem was found (a reference)."), field="source_reference")
    linked = _cluster_cases(
        actor=actor, cases=cases, root_cause=root_cause, service=service, source_kind=source_kind
    )
    action = CorrectiveAction.objects.create(
        number=_number_next(at),
        kind=kind,
        title=title,
        source_kind=source_kind,
        root_cause=root_cause,
        service=service,
        source_reference=source_reference,
        violation=violation,
        problem=problem,
        correction=correction,
        cause_analysis=cause_analysis,
        owner=owner,
        team=team,
        opened_by=actor,
        opened_at=at,
        check_after_days=check_after_days,
    )
    if linked:
        action.cases.set(linked)
    _event(
        action, ActionEvent.Kind.OPENED, actor=actor, at=at, to_status=action.status, data={"owner": owner.pk}
    )
    audit_record(
        actor=actor,
        action="improvement.corrective_action_open",
        target=action,
        data={
            "kind": kind,
            "source_kind": source_kind,
            "root_cause": root_cause,
            "service": service.pk if service else None,
            "cases": sorted(case.number for case in linked),
            "violation": violation.pk if violation else None,
            "owner": owner.pk,
            "team": team.pk if team else None,
        },
    )
    return action


# The text an action's update may change: its limit, and whether it may be blank.
_TEXT_FIELDS: dict[str, tuple[int, bool]] = {
    "title": (200, True),
    "problem": (TEXT_MAX, True),
    "correction": (TEXT_MAX, False),
    "cause_analysis": (TEXT_MAX, False),
    "source_reference": (300, False),
}
_SINGLE_LINE_FIELDS = frozenset({"title", "source_reference"})


def _action_changes_clean(actor: User, action: CorrectiveAction, changes: dict[str, Any]) -> dict[str, Any]:
    """Return the changes given to `corrective_action_update` cleaned, checked against the locked `action`.

    Raises DomainError naming the field: an unknown kind, a blank title or problem, a blank reference (but
    for a complaint cluster), an owner who is not staff, a team `actor` may not move the action to
    (`improvement_team_denied`), a waiting period out of range or, once the items are done, shorter
    (`improvement_check_period_locked`).
    """
    if "kind" in changes and changes["kind"] not in ActionKind.values:
        raise _invalid(_("Choose corrective or preventive."), field="kind")
    for name, (limit, is_required) in _TEXT_FIELDS.items():
        if name in changes:
            changes[name] = clean_text(
                changes[name],
                field=name,
                codes=TEXT_CODES,
                required=is_required,
                max_length=limit,
                multiline=name not in _SINGLE_LINE_FIELDS,
                required_message=_("This cannot be blank."),
            )
    if "source_reference" in changes:
        if not action.is_complaint_cluster and not changes["source_reference"]:
            raise _invalid(_("Say where the problem was found (a reference)."), field="source_reference")
    if "owner" in changes:
        _staff(changes["owner"], "owner")
    if "team" in changes and changes["team"] != action.team:
        _require_on(can_change_team(actor, action), "team")
        _team_allowed(actor, changes["team"])
    if "check_after_days" in changes:
        _check_after(changes["check_after_days"])
        if action.items_done_at is not None and changes["check_after_days"] < action.check_after_days:
            raise _invalid(
                _(
                    "The items are done: the wait before the effectiveness check can no longer be shortened "
                    "(it is %(days)d days)."
                )
                % {"days": action.check_after_days},
                field="check_after_days",
                code=ErrorCode.CHECK_PERIOD_LOCKED,
            )
    return changes


@transaction.atomic
def corrective_action_update(
    *,
    actor: User,
    action: CorrectiveAction,
    expected_version: int | None = None,
    kind: str | Unset = UNSET,
    title: str | Unset = UNSET,
    problem: str | Unset = UNSET,
    correction: str | Unset = UNSET,
    cause_analysis: str | Unset = UNSET,
    owner: User | Unset = UNSET,
    team: Team | None | Unset = UNSET,
    source_reference: str | Unset = UNSET,
    check_after_days: int | Unset = UNSET,
) -> CorrectiveAction:
    """Change the text, owner, team, source reference or waiting period of an active action: the fields
    given (the others default to UNSET and stay; `team` None takes the action out of any team).

    A new waiting period moves a pending check's due date, but once the items are done it may only grow
    (`improvement_check_period_locked`). Only those who file actions under teams move one to another team
    (`improvement_team_denied`): a plain owner may not take it out of his supervisor's scope. A change of
    owner is on the timeline (who handed it to whom): no one who has owned the action checks or closes it.
    Audited as `improvement.corrective_action_update` with the names of the changed fields.
    """
    changes = given(
        kind=kind,
        title=title,
        problem=problem,
        correction=correction,
        cause_analysis=cause_analysis,
        owner=owner,
        team=team,
        source_reference=source_reference,
        check_after_days=check_after_days,
    )
    require(can_manage(actor, action))
    action = _lock(action, expected_version)
    if not action.is_active:
        raise InvalidTransitionError(_("A closed or cancelled corrective action cannot be changed."))
    changes = _action_changes_clean(actor, action, changes)
    previous_owner = action.owner_id
    changed = sorted(name for name, value in changes.items() if getattr(action, name) != value)
    for name in changed:
        setattr(action, name, changes[name])
    if "check_after_days" in changed and action.items_done_at is not None:
        action.check_due_at = action.items_done_at + dt.timedelta(days=action.check_after_days)
        action.check_notified_at = None
    action.save()
    if changed:
        data: dict[str, Any] = {"fields": changed}
        if "owner" in changed:
            data.update(owner=action.owner_id, previous_owner=previous_owner)
        _event(action, ActionEvent.Kind.UPDATED, actor=actor, at=timezone.now(), data=data)
        audit_record(
            actor=actor,
            action="improvement.corrective_action_update",
            target=action,
            data={"fields": changed},
        )
    return action


def _move(
    action: CorrectiveAction, to_status: str, *, actor: User | None, at: dt.datetime, note: str = ""
) -> CorrectiveAction:
    """Move the locked `action` to `to_status` when the workflow (ACTION_WORKFLOW: the map and each move's
    conditions) allows it, with the move's effects; save it, on the timeline and audited.

    The one place the status changes: the services call it, never set the status themselves. Refused with
    InvalidTransitionError (409): `invalid_transition`, or the code of the condition that refuses
    (`improvement_items_not_done`, `improvement_not_checked_effective`).
    """
    from_status = action.status
    ACTION_WORKFLOW.check(action, to=to_status)
    if to_status == ActionStatus.CLOSED and actor is not None:
        require(can_close(actor, action))
    if to_status == ActionStatus.CANCELLED and not note.strip():
        raise _invalid(_("Say why the corrective action is cancelled."), field="note")
    ACTION_WORKFLOW.move(action, to=to_status)
    if to_status == ActionStatus.AWAITING_CHECK:
        summary = action.items.aggregate(last_done=Max("done_at"))
        action.items_done_at = summary["last_done"] or at
        action.check_due_at = action.items_done_at + dt.timedelta(days=action.check_after_days)
        action.check_notified_at = None
        action.verdict = Verdict.NONE
    elif to_status == ActionStatus.CLOSED:
        action.closed_at, action.closed_by = at, actor
    if to_status in (ActionStatus.IN_PROGRESS, ActionStatus.REOPENED):
        action.items_done_at = action.check_due_at = action.check_notified_at = None
    action.save()
    _event(
        action,
        ActionEvent.Kind.TRANSITION,
        actor=actor,
        at=at,
        note=note.strip(),
        from_status=from_status,
        to_status=to_status,
    )
    audit_record(
        actor=actor,
        action="improvement.corrective_action_transition",
        target=action,
        data={"from": from_status, "to": to_status, "note": note.strip()},
    )
    return action


@transaction.atomic
def corrective_action_transition(
    *,
    actor: User,
    action: CorrectiveAction,
    to_status: str,
    expected_version: int | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> CorrectiveAction:
    """Move `action` to `to_status` as the workflow allows (charter/improvement/workflow.py).

    Closing requires an effective check and someone who has never owned the action (its owner now or before
    it was handed over; `improvement_closure_by_owner`); the checker may close it;
    cancelling requires a note; waiting for the check requires every item done; reopening comes only from an
    ineffective check. Audited as `improvement.corrective_action_transition`.
    """
    at = _now(at)
    require(can_close(actor, action) if to_status == ActionStatus.CLOSED else can_manage(actor, action))
    note = _note(note)
    action = _lock(action, expected_version)
    return _move(action, to_status, actor=actor, at=at, note=note)


def corrective_action_close(
    *,
    actor: User,
    action: CorrectiveAction,
    expected_version: int | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> CorrectiveAction:
    """Close `action` after an effective check; by anyone who may manage it but its owner."""
    return corrective_action_transition(
        actor=actor,
        action=action,
        to_status=ActionStatus.CLOSED,
        expected_version=expected_version,
        note=note,
        at=at,
    )


@transaction.atomic
def action_item_add(
    *,
    actor: User,
    action: CorrectiveAction,
    description: str,
    owner: User,
    due_on: dt.date,
    at: dt.datetime | None = None,
) -> ActionItem:
    """Add an item with an owner and a due date to an active action.

    An action waiting for its check goes back to in progress: its items are no longer all done.
    Audited as `improvement.action_item_add`.
    """
    at = _now(at)
    require(can_manage(actor, action))
    description = clean_text(
        description,
        field="description",
        codes=TEXT_CODES,
        required=True,
        max_length=TEXT_MAX,
        required_message=_("Describe what is to be done."),
    )
    _staff(owner, "owner")
    action = _lock(action, None)
    if not action.is_active:
        raise InvalidTransitionError(_("A closed or cancelled corrective action takes no more items."))
    item = ActionItem.objects.create(
        action=action, description=description, owner=owner, due_on=due_on, created_at=at
    )
    _event(
        action,
        ActionEvent.Kind.ITEM_ADDED,
        actor=actor,
        at=at,
        note=description,
        data={"item": item.pk, "owner": owner.pk, "due_on": due_on.isoformat()},
    )
    if action.status == ActionStatus.AWAITING_CHECK:
        _move(action, ActionStatus.IN_PROGRESS, actor=actor, at=at)
    audit_record(
        actor=actor,
        action="improvement.action_item_add",
        target=action,
        data={"item": item.pk, "owner": owner.pk, "due_on": due_on.isoformat()},
    )
    return item


@transaction.atomic
def action_item_complete(
    *, actor: User, item: ActionItem, note: str = "", at: dt.datetime | None = None
) -> ActionItem:
    """Mark `item` done at `at` with a note of what was done (its owner, or whoever manages the action).

    When it was the last open item of a working action, the action waits for its effectiveness check,
    due `check_after_days` after `at`. Audited as `improvement.action_item_complete`.
    """
    at = _now(at)
    require(can_complete_item(actor, item))
    note = _note(note)
    action = _lock(item.action, None)
    if not action.is_active:
        raise InvalidTransitionError(_("A closed or cancelled corrective action cannot be worked on."))
    claimed = ActionItem.objects.filter(pk=item.pk, done_at__isnull=True).update(
        done_at=at, done_by=actor, done_note=note
    )
    if not claimed:
        raise DomainError(_("This action item is already done."), code=ErrorCode.ITEM_DONE)
    item.refresh_from_db()
    _event(
        action,
        ActionEvent.Kind.ITEM_DONE,
        actor=actor,
        at=at,
        note=item.done_note,
        data={"item": item.pk, "description": item.description[:200]},
    )
    audit_record(
        actor=actor, action="improvement.action_item_complete", target=action, data={"item": item.pk}
    )
    if action.status in WORKING_STATUSES and not action.items.filter(done_at__isnull=True).exists():
        _move(action, ActionStatus.AWAITING_CHECK, actor=actor, at=at)
    return item


@transaction.atomic
def effectiveness_check_record(
    *,
    actor: User,
    action: CorrectiveAction,
    is_effective: bool,
    note: str = "",
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> EffectivenessCheck:
    """Record whether `action` worked, once its check has fallen due.

    For a complaint cluster the check keeps the measure: complaints of its root cause (and service) per
    30 days in the window before the action was opened and in the window after its items were done.
    Not effective (a note is required) reopens the action; effective allows closure by someone who has never
    owned it. No one who has owned the action records its check (`improvement_check_by_owner`). For a
    complaint cluster, "effective" when the complaint rate did not fall, or cannot be compared, needs a
    note explaining why (`improvement_verdict_unsupported`). Audited as
    `improvement.effectiveness_check_record`.
    """
    at = _now(at)
    require(can_check(actor, action))
    note = _note(note)
    if not is_effective and not note:
        raise _invalid(_("Say why the action was not effective."), field="note")
    action = _lock(action, expected_version)
    if action.status != ActionStatus.AWAITING_CHECK:
        raise InvalidTransitionError(
            _("Only a corrective action awaiting its effectiveness check can be checked.")
        )
    if action.check_due_at is None or at < action.check_due_at:
        raise DomainError(
            _("The effectiveness check is due on %(date)s, not before.")
            % {
                "date": timezone.localtime(action.check_due_at).date().isoformat()
                if action.check_due_at
                else "—"
            },
            code=ErrorCode.CHECK_NOT_DUE,
        )
    measure = complaint_cluster_measure(action=action, at=at)
    if is_effective and action.is_complaint_cluster and not note:
        change = measure.change if measure is not None else None
        if measure is None or not measure.is_complete or change is None or change >= 0:
            raise _invalid(
                _(
                    "The complaints of this cause did not fall (or cannot be compared): say why the action "
                    "is effective all the same."
                ),
                field="note",
                code=ErrorCode.VERDICT_UNSUPPORTED,
            )
    verdict = Verdict.EFFECTIVE if is_effective else Verdict.INEFFECTIVE
    check = EffectivenessCheck.objects.create(
        action=action,
        checked_by=actor,
        checked_at=at,
        verdict=verdict,
        note=note,
        window_days=measure.window_days if measure else None,
        complaints_before=measure.before_count if measure else None,
        complaints_after=measure.after_count if measure else None,
        rate_before=measure.rate_before if measure else None,
        rate_after=measure.rate_after if measure else None,
    )
    action.verdict = verdict
    action.save(update_fields=["verdict", "updated_at"])
    figures = (
        {"before": measure.before_count, "after": measure.after_count, "window_days": measure.window_days}
        if measure
        else {}
    )
    _event(
        action,
        ActionEvent.Kind.CHECKED,
        actor=actor,
        at=at,
        note=check.note,
        data={"verdict": verdict, **figures},
    )
    audit_record(
        actor=actor,
        action="improvement.effectiveness_check_record",
        target=action,
        data={"verdict": verdict, **figures},
    )
    if not is_effective:
        _move(action, ActionStatus.REOPENED, actor=actor, at=at, note=check.note)
    return check


# Sweeps ----------------------------------------------------------------------------------------------------


def _supervisors_of(user: User, team: Team | None) -> list[User]:
    """The active leads of the teams `user` belongs to, else of `team`; never `user` himself."""
    leads = team_lead_list(team_ids=user.memberships.values_list("team_id", flat=True)).exclude(user=user)
    if not leads.exists() and team is not None:
        leads = team_lead_list(team_ids=[team.pk]).exclude(user=user)
    return [membership.user for membership in leads]


def _unique(users: Iterable[User | None]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        if user is not None and user.is_active and user.pk not in seen:
            seen[user.pk] = user
    return list(seen.values())


def action_items_escalate_overdue(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Notify, once per item, the owner of each overdue item of an active action and the action owner's
    supervisors. Each item is claimed by a conditional UPDATE of `escalated_at`, so two workers (or a
    restart) never notify twice. Returns how many items were escalated."""
    from charter.improvement.mailing import item_overdue_mail

    now = _now(now)
    today = timezone.localdate(now)
    due = ActionItem.objects.filter(
        done_at__isnull=True, escalated_at__isnull=True, due_on__lt=today, action__status__in=ACTIVE_STATUSES
    ).order_by("due_on", "pk")
    escalated = 0
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            claimed = ActionItem.objects.filter(
                pk=pk, escalated_at__isnull=True, done_at__isnull=True
            ).update(escalated_at=now)
            if not claimed:
                continue
            item = ActionItem.objects.select_related("owner", "action__owner", "action__team").get(pk=pk)
            action = item.action
            recipients = _unique([item.owner, *_supervisors_of(action.owner, action.team)])
            _event(
                action,
                ActionEvent.Kind.ITEM_ESCALATED,
                actor=None,
                at=now,
                data={"item": item.pk, "notified": [user.pk for user in recipients]},
            )
            audit_record(
                actor=None,
                actor_label="improvement",
                action="improvement.action_item_escalate",
                target=action,
                data={"item": item.pk, "notified": [user.pk for user in recipients]},
            )
            for recipient in recipients:
                try:
                    with transaction.atomic():
                        item_overdue_mail(item, recipient)
                except Exception:  # escalated once: a mail that cannot be queued is not retried
                    logger.exception("overdue notice for action item %s could not be queued", pk)
            escalated += 1
    return escalated


def effectiveness_checks_notify_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Tell, once per waiting period, the owner, the opener and the team's supervisors that an action's
    effectiveness check is due. Claimed by a conditional UPDATE of `check_notified_at`. Returns how many
    actions were announced."""
    from charter.improvement.mailing import check_due_mail

    now = _now(now)
    due = (
        CorrectiveAction.objects.check_due(now)
        .filter(check_notified_at__isnull=True)
        .order_by("check_due_at")
    )
    announced = 0
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            claimed = CorrectiveAction.objects.filter(
                pk=pk, status=ActionStatus.AWAITING_CHECK, check_notified_at__isnull=True
            ).update(check_notified_at=now)
            if not claimed:
                continue
            action = CorrectiveAction.objects.select_related("owner", "opened_by", "team").get(pk=pk)
            leads = (
                [membership.user for membership in team_lead_list(team_ids=[action.team_id])]
                if action.team_id
                else []
            )
            recipients = _unique([action.owner, action.opened_by, *leads])
            _event(
                action,
                ActionEvent.Kind.CHECK_DUE,
                actor=None,
                at=now,
                data={"notified": [user.pk for user in recipients]},
            )
            for recipient in recipients:
                try:
                    with transaction.atomic():
                        check_due_mail(action, recipient)
                except Exception:  # announced once: a mail that cannot be queued is not retried
                    logger.exception("check due notice for corrective action %s could not be queued", pk)
            announced += 1
    return announced
