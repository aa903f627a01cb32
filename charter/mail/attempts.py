"""Delivery attempts, shared by outbound mail and webhook deliveries.

Both keep a row per delivery with `status` (queued, sending, then a done status or failed), `attempts` and
`next_attempt_at`. A worker claims a due row with a conditional UPDATE that also sets a lease (so two
workers never deliver it at once, and a crashed worker's row comes due again when the lease ends); a failure
schedules the next attempt after a doubling delay, until the last attempt or a permanent refusal marks it
failed; an administrator can put a failed row back in the queue.
"""

import datetime as dt
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.audit.services import audit_record
from charter.common.errors import DomainError
from charter.common.policy import require
from charter.mail.errors import ErrorCode
from charter.mail.permissions import can_manage_mail

QUEUED, SENDING, FAILED = "queued", "sending", "failed"
M = TypeVar("M", bound=models.Model)


def attempt_claim(
    model: type[models.Model], pk: int, *, at: dt.datetime, lease_seconds: float
) -> dt.datetime | None:
    """Claim row `pk` if it is due and nobody holds it: it is then SENDING until its lease ends. Returns the
    lease's end, which the holder passes back when it records the outcome (None: not claimed)."""
    lease = at + dt.timedelta(seconds=lease_seconds)
    rows = model._default_manager.filter(pk=pk, status__in=[QUEUED, SENDING], next_attempt_at__lte=at)
    return lease if rows.update(status=SENDING, next_attempt_at=lease) == 1 else None


def _held(model: type[models.Model], pk: int, lease: dt.datetime) -> "models.QuerySet[Any]":
    # Only the holder of the current lease records an outcome: a worker that stalled past its lease, while
    # another took the row over, changes nothing.
    return model._default_manager.filter(pk=pk, status=SENDING, next_attempt_at=lease)


def attempt_succeeded(
    model: type[models.Model], pk: int, *, lease: dt.datetime, status: str, **fields: Any
) -> None:
    """Record a delivered attempt: `status` (sent, delivered) and `fields`."""
    _held(model, pk, lease).update(status=status, next_attempt_at=None, **fields)


def attempt_failed(
    model: type[models.Model],
    pk: int,
    *,
    lease: dt.datetime,
    attempts: int,
    max_attempts: int,
    retry_seconds: int,
    permanent: bool = False,
    **fields: Any,
) -> str:
    """Record a failed attempt (with `fields`, e.g. the server's answer); return the row's new status:
    QUEUED for another try after `retry_seconds` × 2^(attempts - 1), FAILED after the last or a permanent
    refusal."""
    last = permanent or attempts >= max_attempts
    delay = dt.timedelta(seconds=retry_seconds * 2 ** (attempts - 1))
    status = FAILED if last else QUEUED
    _held(model, pk, lease).update(
        status=status,
        attempts=attempts,
        next_attempt_at=None if last else timezone.now() + delay,
        **fields,
    )
    return status


def attempts_due(model: type[models.Model], *, limit: int) -> list[int]:
    """The ids of the rows due for an attempt (new, to retry, or abandoned by a crashed worker)."""
    due = model._default_manager.filter(status__in=[QUEUED, SENDING], next_attempt_at__lte=timezone.now())
    return list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])


def attempt_requeue(*, actor: User, row: M, action: str) -> M:
    """Put a failed row back in the queue for a fresh set of attempts. Audited as `action`. The caller
    schedules its delivery after the commit."""
    require(can_manage_mail(actor))
    with transaction.atomic():
        locked = type(row)._default_manager.select_for_update().get(pk=row.pk)
        if getattr(locked, "status") != FAILED:  # noqa: B009 - any model with the shared fields
            raise DomainError(_("Only a failed delivery can be sent again."), code=ErrorCode.NOT_FAILED)
        locked.status, locked.attempts, locked.next_attempt_at = QUEUED, 0, timezone.now()  # type: ignore[attr-defined]
        locked.save(update_fields=["status", "attempts", "next_attempt_at"])
        audit_record(actor=actor, action=action, target=locked)
    return locked
