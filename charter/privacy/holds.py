"""Legal holds: placing and releasing the hold that stops every deletion and anonymisation of a customer's
data or of one record (a case), for litigation, an investigation or a regulator's request.

Retention rules and erasure read the active holds through `charter.privacy.selectors`; this module only
writes them.
"""

import dataclasses
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Customer, User
from charter.audit.services import audit_record
from charter.common.errors import DomainError
from charter.common.policy import require
from charter.common.text import clean_text
from charter.privacy.errors import TEXT_CODES, ErrorCode
from charter.privacy.models import LegalHold
from charter.privacy.permissions import can_manage_retention

REASON_MAX = 500


@dataclasses.dataclass(frozen=True)
class HoldTarget:
    """A kind of record a higher app lets staff hold (privacy cannot read it): how to find one by the
    reference staff know (a case number) and how to name and link a held one."""

    target_type: str  # "cases.case"
    # The record's pk for a reference staff typed, or None when there is no such record.
    find: Callable[[str], str | None]
    # The reference and the desk address of a held record (by pk), or None when it is gone.
    describe: Callable[[str], tuple[str, str] | None]
    # The pk of the customer a record (by pk) is about, or None: a hold on the record locks his row.
    customer_of: Callable[[str], int | None] = lambda target_id: None


_targets: dict[str, HoldTarget] = {}


def hold_target_register(target: HoldTarget) -> None:
    """Register (or replace, by type) a kind of record legal holds may name."""
    _targets[target.target_type] = target


def hold_target(target_type: str) -> HoldTarget | None:
    """Return the registered kind of record `target_type`, if any."""
    return _targets.get(target_type)


def _reason(reason: str) -> str:
    return clean_text(
        reason,
        field="reason",
        codes=TEXT_CODES,
        required=True,
        max_length=REASON_MAX,
        required_message=_("Give the reason."),
    )


def _target_customer(target_type: str, target_id: str) -> int | None:
    target = _targets.get(target_type)
    return target.customer_of(target_id) if target is not None else None


def _customer_lock(customer_id: int | None) -> None:
    """Lock the customer's row; refuse (`privacy_already_erased`) when his data has been erased."""
    if customer_id is None:
        return
    row = Customer.objects.select_for_update().filter(pk=customer_id).only("anonymised_at").first()
    if row is not None and row.anonymised_at is not None:
        raise DomainError(
            _("This customer's data has already been erased."),
            code=ErrorCode.ALREADY_ERASED,
        )


def legal_hold_place(
    *,
    actor: User,
    customer: Customer | None = None,
    target_type: str = "",
    target_id: str = "",
    reason: str,
) -> LegalHold:
    """Place a legal hold on `customer` (everything about him) or on one record (`target_type` such as
    "cases.case" and its primary key); return the hold.

    Requires privacy.manage_retention and a reason. A second active hold on the same subject is allowed (two
    matters may each need it); each is released on its own. Audited as `privacy.legal_hold_place` with the
    subject's type and id and that a reason was given (the reason stays on the hold: no personal data in
    the trail). The customer's row (or the held record's
    customer's) is locked first, as erasure does, and a customer already erased is refused
    (`privacy_already_erased`).
    """
    require(can_manage_retention(actor))
    if (customer is None) == (not target_type):
        raise DomainError(
            _("Place the hold on a customer or on one record."), code=ErrorCode.HOLD_SUBJECT_REQUIRED
        )
    if target_type and not target_id:
        raise DomainError(_("Say which record the hold is on."), code=ErrorCode.HOLD_SUBJECT_REQUIRED)
    text = _reason(reason)
    with transaction.atomic():
        # Erasure locks the customer's row and then looks for holds: taking the same lock first here makes
        # the two wait for each other, so a hold is never placed on data an erasure is removing.
        _customer_lock(customer.pk if customer is not None else _target_customer(target_type, str(target_id)))
        hold = LegalHold.objects.create(
            customer=customer,
            target_type=target_type,
            target_id=str(target_id),
            reason=text,
            placed_by=actor,
            placed_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            action="privacy.legal_hold_place",
            target=hold,
            data={
                "customer": customer.pk if customer is not None else None,
                "target_type": target_type,
                "target_id": str(target_id),
                # The reason may name people: it stays on the hold row, which erasure reaches.
                "reason_given": bool(text),
            },
        )
    return hold


def legal_hold_release(*, actor: User, hold: LegalHold, reason: str) -> LegalHold:
    """Release an active legal hold: from now on retention and erasure may act on what it kept.

    Requires privacy.manage_retention and a reason; a hold already released is refused
    (`privacy_hold_released`). Audited as `privacy.legal_hold_release`; the reason is kept on the hold
    (release_reason), the event says only that one was given.
    """
    require(can_manage_retention(actor))
    text = _reason(reason)
    with transaction.atomic():
        row = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if row.released_at is not None:
            raise DomainError(_("This hold was already released."), code=ErrorCode.HOLD_RELEASED)
        row.released_at, row.released_by, row.release_reason = timezone.now(), actor, text
        row.save(update_fields=["released_at", "released_by", "release_reason"])
        audit_record(
            actor=actor, action="privacy.legal_hold_release", target=row, data={"reason_given": bool(text)}
        )
    return row
