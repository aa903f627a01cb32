"""Who handles a case: assignment and transfer (one or many), merging duplicates, linking related cases.

Each service checks who is acting, validates, and writes in one transaction together with its timeline event
and its audit record (`cases.<verb>`); notifications are scheduled for after the commit.
"""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Team, TeamMembership, User
from charter.cases.errors import ErrorCode
from charter.cases.models import Case, CaseEvent, CaseLink, CaseMessage
from charter.cases.notifications import Audience, CaseNotification, notify_on_commit
from charter.cases.permissions import can_assign, can_handle, can_merge, handler_excluded_ids
from charter.cases.services import clocks
from charter.cases.services._common import (
    _reindex,
    audit,
    case_lock,
    event_record,
    now,
    text_clean,
)
from charter.cases.services.lifecycle import S, _move
from charter.cases.services.routing import can_be_routed, handler_pick
from charter.common.errors import DomainError
from charter.common.policy import Refusal, first_refusal, require
from charter.common.vocabulary import CaseKind


def _assign_locked(
    *, actor: User, case: Case, team: Team | None, assignee: User | None, reason: str, at: dt.datetime
) -> Case:
    require(can_assign(actor, case))
    if not case.is_open:
        raise DomainError(_("Only open cases are assigned."), code=ErrorCode.CASE_CLOSED)
    transfer = team is not None and team.pk != case.team_id
    if team is not None and not team.is_active:
        raise DomainError(_("Choose an active team."), code=ErrorCode.INVALID_TEAM, field="team")
    if transfer and not reason:
        raise DomainError(
            _("Say why the case moves to another team."), code=ErrorCode.REASON_REQUIRED, field="reason"
        )
    target_team = team if team is not None else case.team
    if assignee is not None:
        if (
            target_team is None
            or not TeamMembership.objects.filter(
                team=target_team, user=assignee, user__is_active=True
            ).exists()
        ):
            raise DomainError(
                _("Choose a member of the team."), code=ErrorCode.INVALID_ASSIGNEE, field="assignee"
            )
        handling = can_handle(assignee, case)
        if isinstance(handling, Refusal):
            # The chosen person is the input at fault, not the actor: a form error on the field.
            raise DomainError(handling.message, code=handling.code, field="assignee")
        # Routing hands a case only to members holding the qualifications it needs; a person chosen by hand
        # (alone or in a bulk assignment) must hold them too, or an expired certificate would not stop him.
        routed = can_be_routed(assignee, case, team=target_team, at=at)
        if isinstance(routed, Refusal):
            raise DomainError(routed.message, code=routed.code, field="assignee")
    elif transfer and target_team is not None:
        assignee = handler_pick(
            team=target_team, excluded=handler_excluded_ids(case), service=case.service, kind=case.kind
        )
    previous = {"team": case.team_id, "assignee": case.assignee_id}
    case.team, case.assignee = target_team, assignee
    case.save()
    if transfer:
        clocks.clocks_recompute(case, at=at)  # the new team may work to another calendar
    data = {
        "team": {"from": previous["team"], "to": case.team_id},
        "assignee": {"from": previous["assignee"], "to": case.assignee_id},
        "transfer": transfer,
    }
    if reason:
        data["reason"] = reason
    event = event_record(case, CaseEvent.Kind.ASSIGNED, actor=actor, data=data, at=at)
    audit(actor, "assign", case, data)
    notify_on_commit(
        CaseNotification(
            kind=CaseEvent.Kind.ASSIGNED,
            case_id=case.pk,
            audience=Audience.HANDLER if assignee else Audience.TEAM,
            event_id=event.pk,  # whoever assigned is not told of it
            recipient_id=assignee.pk if assignee else None,
            is_internal=True,
        )
    )
    return case


def case_assign(
    *,
    actor: User,
    case: Case,
    team: Team | None = None,
    assignee: User | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """Assign `case` to `assignee` (a member of the case's team, or of `team`), or transfer it to `team`.

    A transfer to another team needs a reason; without an `assignee` the new team's mode picks one (manual:
    nobody). With neither argument the case goes back to its team's queue, unassigned. Refuses a person the
    complaint names, in a reconsideration the first handler, and one lacking a qualification the case's
    routing requires (`can_be_routed`). Records `assigned` (internal). Audited as
    `cases.assign`.
    """
    reason = text_clean(reason, field="reason", max_length=2000)
    with transaction.atomic():
        case = case_lock(case, expected_version)
        return _assign_locked(actor=actor, case=case, team=team, assignee=assignee, reason=reason, at=now())


def case_assign_bulk(
    *,
    actor: User,
    cases: Iterable[Case],
    team: Team | None = None,
    assignee: User | None = None,
    reason: str = "",
) -> list[Case]:
    """Assign or transfer several cases at once, all or none: one refusal refuses the whole batch."""
    reason = text_clean(reason, field="reason", max_length=2000)
    ordered = sorted({case.pk: case for case in cases}.values(), key=lambda case: case.pk)
    with transaction.atomic():
        at = now()
        return [
            _assign_locked(
                actor=actor, case=case_lock(case, None), team=team, assignee=assignee, reason=reason, at=at
            )
            for case in ordered
        ]


def case_merge(*, actor: User, source: Case, target: Case, expected_version: int | None = None) -> Case:
    """Merge `source` into `target` (the same customer's duplicate): its messages and files move to
    `target`, `source` closes with its clocks cancelled and points at `target`. Returns `target`.

    `expected_version` is the version of `source` the caller read. Audited as `cases.merge` on both cases.
    """
    if source.pk == target.pk:
        raise DomainError(_("A case cannot be merged into itself."), code=ErrorCode.SAME_CASE)
    with transaction.atomic():
        first, second = sorted((source, target), key=lambda case: case.pk)
        versions = {source.pk: expected_version, target.pk: None}
        locked = {case.pk: case_lock(case, versions[case.pk]) for case in (first, second)}
        source, target = locked[source.pk], locked[target.pk]
        require(first_refusal(lambda: can_merge(actor, source), lambda: can_merge(actor, target)))
        if source.merged_into_id is not None or target.merged_into_id is not None:
            raise DomainError(_("One of these cases has been merged already."), code=ErrorCode.ALREADY_MERGED)
        if source.customer_id != target.customer_id:
            raise DomainError(
                _("Only cases of the same customer can be merged."), code=ErrorCode.MERGE_CUSTOMER_MISMATCH
            )
        if target.status == S.CANCELLED:
            raise DomainError(_("A case cannot be merged into a cancelled case."), code=ErrorCode.CASE_CLOSED)
        named = set(source.named_staff.values_list("pk", flat=True))
        if source.kind == CaseKind.COMPLAINT and named:
            # The complaint's notes move with it: the target must keep them from the people it names.
            if target.kind != CaseKind.COMPLAINT or target.assignee_id in named:
                raise DomainError(
                    _(
                        "A complaint that names staff can only be merged into another complaint "
                        "that they do not handle."
                    ),
                    code=ErrorCode.MERGE_COMPLAINT,
                )
            target.named_staff.add(*named)
        at = now()
        moved = CaseMessage.objects.filter(case=source).update(case=target)
        source.attachments.update(case=target)
        _move(actor=actor, case=source, to_status=S.CLOSED, at=at, dedicated="case_merge")
        source.merged_into = target
        source.save()
        CaseLink.objects.get_or_create(
            from_case=source, to_case=target, defaults={"kind": CaseLink.Kind.MERGED, "created_by": actor}
        )
        event_record(
            source, CaseEvent.Kind.MERGED, actor=actor, data={"into": target.number}, is_internal=False, at=at
        )
        event_record(
            target,
            CaseEvent.Kind.MERGED,
            actor=actor,
            data={"from": source.number, "messages": moved},
            is_internal=False,
            at=at,
        )
        audit(actor, "merge", source, {"into": target.pk})
        audit(actor, "merge", target, {"from": source.pk})
        _reindex(source)
        _reindex(target)
    return target


def case_link(*, actor: User, case: Case, other: Case) -> CaseLink:
    """Record that `case` and `other` are related (either direction counts). Records `linked` on both
    (internal). Audited as `cases.link`."""
    if case.pk == other.pk:
        raise DomainError(_("A case cannot be linked to itself."), code=ErrorCode.SAME_CASE)
    case, other = Case.objects.get(pk=case.pk), Case.objects.get(pk=other.pk)
    require(first_refusal(lambda: can_merge(actor, case), lambda: can_merge(actor, other)))
    with transaction.atomic():
        if CaseLink.objects.filter(from_case__in=(case, other), to_case__in=(case, other)).exists():
            raise DomainError(_("These cases are linked already."), code=ErrorCode.ALREADY_LINKED)
        link = CaseLink.objects.create(
            from_case=case, to_case=other, kind=CaseLink.Kind.RELATED, created_by=actor
        )
        at = now()
        event_record(case, CaseEvent.Kind.LINKED, actor=actor, data={"case": other.number}, at=at)
        event_record(other, CaseEvent.Kind.LINKED, actor=actor, data={"case": case.number}, at=at)
        audit(actor, "link", case, {"other": other.pk})
    return link
