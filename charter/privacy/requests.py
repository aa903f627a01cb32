"""Data-subject requests (PIPL art. 44-47; GDPR 15-18 as the stricter reference): a customer asks to see
and take a copy of his personal data, to have it corrected, erased or its processing restricted.

A customer makes his request in the portal (his sign-in verifies who he is); privacy staff (holders of
privacy.manage_data_requests) record one made by telephone, at the counter, by e-mail or letter, saying how
they verified the person's identity. Each request gets a number `PR-<year>-<6 digits>` and a deadline
CHARTER_DATA_REQUEST_DAYS working days after its receipt (the SLA's default business calendar, through
`charter.privacy.registry.working_days_add`). Staff take it, then complete it (an access request builds the
export ZIP; an erasure anonymises the customer; a restriction stops processing; a correction is made with
`data_request_correct` first) or refuse it with a reason; the customer (or staff on his word) may withdraw
an open one. Every step is audited in its transaction and the mails are queued after the commit.
"""

import datetime as dt
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Customer, User
from charter.audit.services import audit_record
from charter.common.errors import DomainError, InvalidTransitionError, NotFoundError
from charter.common.policy import require
from charter.common.services import year_counter_next
from charter.common.text import clean_column_text, clean_text
from charter.privacy.errors import TEXT_CODES, ErrorCode
from charter.privacy.mailing import RequestMail
from charter.privacy.models import DataRequestCounter, DataSubjectRequest
from charter.privacy.permissions import (
    can_make_data_request,
    can_manage_data_requests,
    can_view_data_request,
)
from charter.privacy.registry import working_days_add

Kind = DataSubjectRequest.Kind
Status = DataSubjectRequest.Status
Channel = DataSubjectRequest.Channel

OPEN = (Status.RECEIVED, Status.IN_PROGRESS)


def data_request_days() -> int:
    """The working days a request is answered in (CHARTER_DATA_REQUEST_DAYS, 15 unless configured)."""
    return int(getattr(settings, "CHARTER_DATA_REQUEST_DAYS", 15))


def data_request_remind_days() -> int:
    """How many working days before its deadline an open request's handler is reminded."""
    return int(getattr(settings, "CHARTER_DATA_REQUEST_REMIND_DAYS", 3))


def data_request_due(received_at: dt.datetime) -> dt.datetime:
    """Return the deadline of a request received at `received_at`."""
    return working_days_add(received_at, data_request_days())


def _mail_later(request_id: int, kind: RequestMail) -> None:
    """Enqueue one mail of a request (called on commit)."""
    from charter.privacy.tasks import data_request_mail_task

    data_request_mail_task(request_id, str(kind))


def _on_commit_mail(request: DataSubjectRequest, *kinds: RequestMail) -> None:
    for kind in kinds:
        transaction.on_commit(partial(_mail_later, request.pk, kind))


def _locked(request: DataSubjectRequest) -> DataSubjectRequest:
    """Return `request` read again under a row lock (the caller is inside a transaction)."""
    return DataSubjectRequest.objects.select_for_update().select_related("customer").get(pk=request.pk)


def _require_open(request: DataSubjectRequest) -> None:
    if not request.is_open:
        raise InvalidTransitionError(_("This request is already closed."), code=ErrorCode.REQUEST_CLOSED)


def _text(value: object, *, column: str, field: str | None = None) -> str:
    return clean_column_text(value, model=DataSubjectRequest, column=column, codes=TEXT_CODES, field=field)


def data_request_create(
    *,
    actor: User,
    customer: Customer,
    kind: str,
    details: str = "",
    channel: str = Channel.PORTAL,
    identity_verification: str = "",
    received_at: dt.datetime | None = None,
    http_request: HttpRequest | None = None,
) -> DataSubjectRequest:
    """Record a data-subject request of `customer` and return it, numbered, with its deadline.

    Made by the customer himself (`actor` is his account): the channel is the portal and his sign-in
    verifies his identity. Recorded by staff: `actor` must hold privacy.manage_data_requests
    (`privacy_request_denied`), the channel is not the portal and `identity_verification` says how they
    verified who asked (`privacy_request_identity_required`). Refuses an unknown kind or channel
    (`privacy_request_kind_invalid`) and an anonymised customer (`privacy_request_customer_anonymised`).
    Audited as `privacy.request_create` (kind and channel only: the details may hold personal data); on
    commit, mails the customer that it was received and the privacy staff that it arrived.
    """
    own = getattr(actor, "customer", None)
    is_own = own is not None and own.pk == customer.pk
    if is_own:
        require(can_make_data_request(actor))
        channel = Channel.PORTAL
        identity_verification = ""
    else:
        require(can_manage_data_requests(actor))
        if channel not in Channel.values or channel == Channel.PORTAL:
            raise DomainError(
                _("Choose how the request was made."), code=ErrorCode.REQUEST_KIND_INVALID, field="channel"
            )
        identity_verification = clean_text(
            identity_verification,
            field="identity_verification",
            codes=TEXT_CODES,
            required=True,
            max_length=500,
            required_message=_("Say how you verified the identity of the person asking."),
        )
        if not identity_verification:  # pragma: no cover - clean_text refuses blank text
            raise DomainError(_("Required."), code=ErrorCode.REQUEST_IDENTITY_REQUIRED)
    if kind not in Kind.values:
        raise DomainError(_("Choose a kind of request."), code=ErrorCode.REQUEST_KIND_INVALID, field="kind")
    if customer.anonymised_at is not None:
        raise DomainError(
            _("This customer's data has already been erased."), code=ErrorCode.REQUEST_ANONYMISED
        )
    details = _text(details, column="details")
    received_at = received_at or timezone.now()
    with transaction.atomic():
        request = DataSubjectRequest(
            customer=customer,
            kind=kind,
            channel=channel,
            details=details,
            identity_verification=identity_verification,
            recorded_by=None if is_own else actor,
            received_at=received_at,
            due_at=data_request_due(received_at),
        )
        year, number = year_counter_next(counter=DataRequestCounter, at=received_at)
        request.number = f"PR-{year}-{number:06d}"
        request.save()
        audit_record(
            actor=actor,
            action="privacy.request_create",
            target=request,
            data={"kind": kind, "channel": channel, "customer": customer.pk},
            request=http_request,
        )
        _on_commit_mail(request, RequestMail.RECEIVED, RequestMail.NEW)
    return request


def data_request_take(*, actor: User, request: DataSubjectRequest) -> DataSubjectRequest:
    """Make `actor` the handler of the open `request` (taking it over from another handler too) and set it
    in progress. `actor` must hold privacy.manage_data_requests; a closed request is refused
    (`privacy_request_closed`). Audited as `privacy.request_take`."""
    require(can_manage_data_requests(actor))
    with transaction.atomic():
        request = _locked(request)
        _require_open(request)
        before = request.handler_id
        request.handler = actor
        request.status = Status.IN_PROGRESS
        request.save(update_fields=["handler", "status", "updated_at"])
        audit_record(
            actor=actor,
            action="privacy.request_take",
            target=request,
            data={"handler": {"before": before, "after": actor.pk}},
        )
    return request


def _require_taken(request: DataSubjectRequest) -> None:
    if request.status != Status.IN_PROGRESS:
        raise InvalidTransitionError(
            _("Take the request before you answer it."), code=ErrorCode.REQUEST_NOT_TAKEN
        )


def data_request_correct(
    *,
    actor: User,
    request: DataSubjectRequest,
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    id_number: str | None = None,
) -> list[str]:
    """Correct the customer's personal data as his correction request asks (None leaves a field as it is);
    return the names of the fields changed. The request must be a correction, taken and open
    (`privacy_request_not_taken`); nothing to change is refused (`privacy_request_no_correction`). Writes
    through accounts' `customer_update` (audited there) and audits `privacy.request_correct` with the
    fields' names."""
    from charter.accounts.services import customer_update

    require(can_manage_data_requests(actor))
    with transaction.atomic():
        request = _locked(request)
        _require_open(request)
        if request.kind != Kind.CORRECTION:
            raise InvalidTransitionError(
                _("Only a correction request changes the customer's data."),
                code=ErrorCode.REQUEST_KIND_INVALID,
            )
        _require_taken(request)
        changed = customer_update(
            actor=actor, customer=request.customer, name=name, phone=phone, email=email, id_number=id_number
        )
        if not changed:
            raise DomainError(
                _("Nothing was changed: enter the corrected data."), code=ErrorCode.REQUEST_NO_CORRECTION
            )
        audit_record(actor=actor, action="privacy.request_correct", target=request, data={"fields": changed})
    return changed


def data_request_complete(
    *, actor: User, request: DataSubjectRequest, outcome: str = "", http_request: HttpRequest | None = None
) -> DataSubjectRequest:
    """Answer the taken `request` and close it as completed, doing what it asks:

    - access: builds the export ZIP (`charter.privacy.exports.subject_export_zip`) into `export_file`
      (private storage), audited as `privacy.export_build`;
    - erasure: anonymises the customer (`charter.privacy.erasure.customer_erase`, which refuses when a legal
      hold covers him);
    - restriction: restricts the processing of his data (`customer_restrict`);
    - correction: the data was corrected with `data_request_correct` before.

    `actor` must hold privacy.manage_data_requests; the request must be open and in progress
    (`privacy_request_closed`, `privacy_request_not_taken`). Audited as `privacy.request_complete`; on
    commit the customer is mailed that it was answered. Everything rolls back together on a refusal.
    """
    require(can_manage_data_requests(actor))
    outcome = _text(outcome, column="outcome")
    written: list[FieldFile] = []
    try:
        return _complete(
            actor=actor, request=request, outcome=outcome, http_request=http_request, written=written
        )
    except BaseException:
        # The export ZIP was written before the rollback: it must not stay behind, unreferenced, in storage.
        for stored in written:
            if stored.name:
                stored.storage.delete(stored.name)
        raise


def _complete(
    *,
    actor: User,
    request: DataSubjectRequest,
    outcome: str,
    http_request: HttpRequest | None,
    written: list[FieldFile],
) -> DataSubjectRequest:
    with transaction.atomic():
        request = _locked(request)
        _require_open(request)
        _require_taken(request)
        customer = request.customer
        reason = str(_("Data request %(number)s") % {"number": request.number})
        data: dict[str, object] = {"kind": request.kind}
        if request.kind == Kind.ACCESS:
            from charter.privacy.exports import subject_export_zip

            content, counts = subject_export_zip(customer=customer, request=request)
            request.export_file.save(f"{request.number}.zip", ContentFile(content), save=False)
            written.append(request.export_file)
            audit_record(
                actor=actor,
                action="privacy.export_build",
                target=request,
                data={"tables": counts, "bytes": len(content)},
                request=http_request,
            )
        elif request.kind == Kind.ERASURE:
            from charter.privacy.erasure import customer_erase

            data["erased"] = customer_erase(
                customer=customer, actor=actor, reason=reason, request=http_request
            )
        elif request.kind == Kind.RESTRICTION:
            from charter.privacy.erasure import customer_restrict

            customer_restrict(
                customer=customer, actor=actor, restricted=True, reason=reason, request=http_request
            )
        request.status = Status.COMPLETED
        request.completed_at = timezone.now()
        request.outcome = outcome
        request.save(update_fields=["status", "completed_at", "outcome", "export_file", "updated_at"])
        audit_record(
            actor=actor, action="privacy.request_complete", target=request, data=data, request=http_request
        )
        _on_commit_mail(request, RequestMail.COMPLETED)
    return request


def data_request_refuse(*, actor: User, request: DataSubjectRequest, reason: str) -> DataSubjectRequest:
    """Refuse the open `request`, giving the customer the reason (`privacy_request_outcome_required` when
    blank; PIPL art. 50 asks for one). `actor` must hold privacy.manage_data_requests. Audited as
    `privacy.request_refuse`; on commit the customer is mailed the refusal."""
    require(can_manage_data_requests(actor))
    reason = clean_text(
        reason,
        field="reason",
        codes=TEXT_CODES,
        required=True,
        max_length=5000,
        required_message=_("Give the reason for the refusal."),
    )
    with transaction.atomic():
        request = _locked(request)
        _require_open(request)
        request.status = Status.REFUSED
        request.completed_at = timezone.now()
        request.outcome = reason
        if request.handler_id is None:
            request.handler = actor
        request.save(update_fields=["status", "completed_at", "outcome", "handler", "updated_at"])
        audit_record(
            actor=actor, action="privacy.request_refuse", target=request, data={"kind": request.kind}
        )
        _on_commit_mail(request, RequestMail.REFUSED)
    return request


def data_request_withdraw(*, actor: User, request: DataSubjectRequest) -> DataSubjectRequest:
    """Withdraw the open `request`: by the customer it is about, or by privacy staff on his word. Anyone
    else is answered as if it did not exist. Audited as `privacy.request_withdraw`; no mail."""
    decision = can_view_data_request(actor, request)
    require(decision)
    with transaction.atomic():
        request = _locked(request)
        _require_open(request)
        request.status = Status.WITHDRAWN
        request.completed_at = timezone.now()
        request.save(update_fields=["status", "completed_at", "updated_at"])
        audit_record(actor=actor, action="privacy.request_withdraw", target=request)
    return request


def data_request_export_open(
    *, actor: User, request: DataSubjectRequest, http_request: HttpRequest | None = None
) -> FieldFile:
    """Return the export ZIP of `request` for `actor` to download, and audit the download as
    `privacy.export_download`. Only the customer it is about and privacy staff (else not found, like a
    request without an export)."""
    require(can_view_data_request(actor, request))
    if not request.export_file:
        raise NotFoundError(_("There is no export for this request."), code=ErrorCode.REQUEST_DENIED)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="privacy.export_download",
            target=request,
            data={"customer": request.customer_id},
            request=http_request,
        )
    stored: FieldFile = request.export_file
    return stored


def _claimed(pk: int, stamp: str, now: dt.datetime) -> bool:
    """Claim request `pk` for the mail stamped in `stamp`: True for the one run that set it."""
    return (
        DataSubjectRequest.objects.filter(pk=pk, status__in=OPEN, **{f"{stamp}__isnull": True}).update(
            **{stamp: now}
        )
        == 1
    )


def data_request_reminders_send(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Remind the handler (or the privacy staff) of each open request due within
    CHARTER_DATA_REQUEST_REMIND_DAYS working days, and tell them once a request is overdue; each once per
    request (claimed by a conditional UPDATE of `reminded_at` / `overdue_notified_at`, so a second run or
    a second worker sends nothing again). Returns how many requests each kind claimed."""
    from charter.privacy.mailing import request_mail_send

    now = now or timezone.now()
    horizon = working_days_add(now, data_request_remind_days())
    open_ = DataSubjectRequest.objects.filter(status__in=OPEN)
    counts = {"remind": 0, "overdue": 0}
    plans = (
        ("remind", "reminded_at", RequestMail.REMIND, open_.filter(due_at__gt=now, due_at__lte=horizon)),
        ("overdue", "overdue_notified_at", RequestMail.OVERDUE, open_.filter(due_at__lte=now)),
    )
    for name, stamp, mail, rows in plans:
        for pk in list(rows.filter(**{f"{stamp}__isnull": True}).values_list("pk", flat=True)):
            if not _claimed(pk, stamp, now):
                continue
            counts[name] += 1
            with transaction.atomic():
                request_mail_send(request_id=pk, kind=mail)
    return counts
