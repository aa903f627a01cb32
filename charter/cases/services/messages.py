"""Messages on a case: staff replies and internal notes, customer messages, canned responses.

Each service checks who is acting, validates, and writes in one transaction together with its timeline event
and its audit record (`cases.<verb>`); notifications are scheduled for after the commit.
"""

import datetime as dt
import re
from collections.abc import Sequence

from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.cases.errors import ErrorCode
from charter.cases.models import (
    OPEN_STATUSES,
    CannedResponse,
    Case,
    CaseClock,
    CaseEvent,
    CaseMessage,
)
from charter.cases.notifications import Audience, CaseNotification, notify_on_commit
from charter.cases.permissions import (
    can_add_internal_note,
    can_customer_act,
    can_reply,
)
from charter.cases.services import clocks
from charter.cases.services._common import (
    _reindex,
    audit,
    case_lock,
    event_record,
    now,
    text_clean,
)
from charter.cases.services.attachments import attachment_store
from charter.cases.services.lifecycle import Metric, S, _move
from charter.cases.workflow import PAUSED_STATUSES
from charter.common.errors import DomainError
from charter.common.policy import require


def _next_response_restart(case: Case, *, at: dt.datetime) -> None:
    """Start a fresh next-update clock unless one is already running (its earlier deadline stands)."""
    current = CaseClock.objects.filter(case=case, metric=Metric.NEXT_RESPONSE, status__in=clocks.OPEN).first()
    if current is not None and current.status == CaseClock.Status.RUNNING:
        return
    if current is not None:
        clocks.clock_stop(current, at=at, cancel=True)
    clocks.clock_start(case, Metric.NEXT_RESPONSE, at=at)
    clocks.case_deadline_refresh(case)


def case_reply(
    *,
    actor: User,
    case: Case,
    body: str,
    is_internal: bool = False,
    attachments: Sequence[File[bytes]] = (),
    expected_version: int | None = None,
) -> CaseMessage:
    """Write a public reply to the customer, or an internal note for staff (`is_internal`).

    A public reply meets the first-response and next-update clocks, starts the next next-update clock while
    the case stays open, and moves an acknowledged case into progress; it is sent to the customer. An
    internal note changes no clock and is never shown or sent to a customer. Audited as `cases.reply` or
    `cases.note`.
    """
    body = text_clean(body, field="body", required=True)
    with transaction.atomic():
        case = case_lock(case, expected_version)
        require(can_add_internal_note(actor, case) if is_internal else can_reply(actor, case))
        at = now()
        message = CaseMessage.objects.create(
            case=case,
            author=actor,
            author_kind=CaseMessage.AuthorKind.STAFF,
            body=body,
            is_internal=is_internal,
            created_at=at,
        )
        for file in attachments:
            attachment_store(actor=actor, case=case, file=file, message=message, is_internal=is_internal)
        if is_internal:
            event = event_record(case, CaseEvent.Kind.NOTE_ADDED, actor=actor, message=message, at=at)
            notify_on_commit(
                CaseNotification(
                    kind=CaseEvent.Kind.NOTE_ADDED,
                    case_id=case.pk,
                    audience=Audience.TEAM,
                    event_id=event.pk,
                    message_id=message.pk,
                    is_internal=True,
                )
            )
        else:
            if case.first_responded_at is None:
                case.first_responded_at = at
                case.save(update_fields=["first_responded_at"])
            clocks.clocks_stop(case, at=at, metrics=(Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE))
            if case.status == S.ACKNOWLEDGED:
                _move(actor=actor, case=case, to_status=S.IN_PROGRESS, at=at)
            if case.status in (S.IN_PROGRESS, S.ESCALATED, S.RECONSIDERATION):
                clocks.clock_start(case, Metric.NEXT_RESPONSE, at=at)
                clocks.case_deadline_refresh(case)
            event = event_record(
                case, CaseEvent.Kind.REPLIED, actor=actor, message=message, is_internal=False, at=at
            )
            notify_on_commit(
                CaseNotification(
                    kind=CaseEvent.Kind.REPLIED,
                    case_id=case.pk,
                    audience=Audience.CUSTOMER,
                    event_id=event.pk,
                    message_id=message.pk,
                )
            )
        audit(actor, "note" if is_internal else "reply", case, {"message": message.pk})
        _reindex(case)
    return message


def case_customer_reply(
    *, case: Case, body: str, attachments: Sequence[File[bytes]] = (), actor: User | None = None
) -> CaseMessage:
    """Record a message from the customer (tracking page or portal).

    `actor` is the signed-in customer, or None for the holder of the tracking link (the calling view checked
    it). A case waiting for the customer resumes (clocks credited back); on an open case the next-update
    clock restarts from the message unless one is already running. Refused on a cancelled or merged case.
    Audited as `cases.customer_reply`.
    """
    body = text_clean(body, field="body", required=True)
    with transaction.atomic():
        case = case_lock(case, None)
        if actor is not None:
            require(can_customer_act(actor, case))
        if case.status == S.CANCELLED or case.merged_into_id is not None:
            raise DomainError(_("This case is closed to new messages."), code=ErrorCode.CASE_CLOSED)
        at = now()
        message = CaseMessage.objects.create(
            case=case,
            author=actor,
            author_kind=CaseMessage.AuthorKind.CUSTOMER,
            body=body,
            is_internal=False,
            created_at=at,
        )
        for file in attachments:
            attachment_store(actor=actor, case=case, file=file, message=message)
        if case.status == S.WAITING_CUSTOMER:
            # The customer answered: a new full period for the update, not the remainder of the paused one.
            paused = CaseClock.objects.filter(
                case=case, metric=Metric.NEXT_RESPONSE, status=CaseClock.Status.PAUSED
            ).first()
            if paused is not None:
                clocks.clock_stop(paused, at=at, cancel=True)
            _move(actor=actor, case=case, to_status=S.IN_PROGRESS, at=at)
        if case.status in OPEN_STATUSES and case.status not in PAUSED_STATUSES:
            _next_response_restart(case, at=at)
        event = event_record(
            case, CaseEvent.Kind.CUSTOMER_REPLIED, actor=actor, message=message, is_internal=False, at=at
        )
        audit(actor, "customer_reply", case, {"message": message.pk})
        _reindex(case)
        notify_on_commit(
            CaseNotification(
                kind=CaseEvent.Kind.CUSTOMER_REPLIED,
                case_id=case.pk,
                audience=Audience.HANDLER if case.assignee_id else Audience.TEAM,
                recipient_id=case.assignee_id,
                event_id=event.pk,
                message_id=message.pk,
            )
        )
    return message


_PLACEHOLDER = re.compile(r"\{\{\s*(customer_name|case_number|agent_name)\s*\}\}")


def canned_response_render(
    *, response: CannedResponse, case: Case, language: str, agent: User | None = None
) -> str:
    """Return the text of `response` in `language` with {{customer_name}}, {{case_number}} and
    {{agent_name}} filled in for `case` (the agent: `agent`, else the case's handler). Writes nothing."""
    handler = agent or case.assignee
    values = {
        "customer_name": str(case.customer.name or ""),
        "case_number": case.number,
        "agent_name": str(handler) if handler is not None else "",
    }
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], response.body_for(language))
