"""What mail holds about a customer: the messages he sent (with their raw copies, quarantined ones too) and
the messages sent to him (the delivery log keeps the body). His access export lists both; his erasure keeps
the rows (so a message fetched again is still known, and delivery counts stay) without his address, raw
bytes, subject or body.

Mail knows nothing of cases: the apps above name their threads (`thread_mail_anonymise`) so the mails of a
case or a survey lose his data too, including the staff's copies, which keep their text without his.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Q, QuerySet

from charter.accounts.models import Customer
from charter.mail.models import InboundMessage, OutboundMessage
from charter.privacy.erasure import rows_scrub, subject_fragments
from charter.privacy.registry import (
    ERASED_MARKER,
    SubjectDataSource,
    SubjectExport,
    subject_data_register,
)


def _inbound_anonymise(rows: "QuerySet[InboundMessage]") -> int:
    # The key (a hash of the Message-ID) stays, so fetching the same message again changes nothing.
    return rows.exclude(message_id=ERASED_MARKER).update(
        message_id=ERASED_MARKER, subject=ERASED_MARKER, sender="", raw=None, reason=""
    )


def _outbound_anonymise(rows: "QuerySet[OutboundMessage]") -> int:
    return rows.exclude(body=ERASED_MARKER).update(
        recipient="", subject=ERASED_MARKER, body=ERASED_MARKER, headers={}
    )


def thread_mail_anonymise(
    *, customer_threads: Sequence[str], staff_threads: Sequence[str], fragments: Sequence[str]
) -> dict[str, int]:
    """Anonymise the mails of threads: those exchanged with the customer (`customer_threads`: his messages
    and what he was sent lose address, subject, body and raw copy) and the staff's (`staff_threads`: the
    subject, body and headers keep their text without `fragments`). Returns rows changed per table."""
    inbound = _inbound_anonymise(InboundMessage.objects.filter(thread_ref__in=customer_threads))
    outbound = _outbound_anonymise(OutboundMessage.objects.filter(thread_ref__in=customer_threads))
    outbound += rows_scrub(
        OutboundMessage.objects.filter(thread_ref__in=staff_threads),
        ["subject", "body", "headers", "last_error"],
        fragments,
    )
    return {"mail.inboundmessage": inbound, "mail.outboundmessage": outbound}


def _same_address(value: str, address: str) -> bool:
    return bool(address) and (value or "").strip().casefold() == address


def _raw_names(raw: Any, needles: Iterable[bytes]) -> bool:
    if raw is None:
        return False
    data = bytes(raw).lower()
    return any(needle and needle in data for needle in needles)


def _inbound_of(customer: Customer) -> list[int]:
    """The messages he sent: by sender address, and quarantined raw copies that carry his address."""
    address = (customer.email or "").strip().casefold()
    if not address:
        return []
    needles = [address.encode("utf-8")]
    found: list[int] = []
    rows = InboundMessage.objects.exclude(sender="", raw__isnull=True).only("pk", "sender", "raw", "status")
    for row in rows.iterator(chunk_size=200):
        if _same_address(row.sender, address) or (
            row.status == InboundMessage.Status.QUARANTINED and _raw_names(row.raw, needles)
        ):
            found.append(row.pk)
    return found


def _outbound_to(customer: Customer) -> list[int]:
    address = (customer.email or "").strip().casefold()
    found: list[int] = []
    rows = OutboundMessage.objects.exclude(recipient="").only("pk", "recipient", "recipient_user_id")
    if customer.user_id is not None:
        found.extend(
            OutboundMessage.objects.filter(recipient_user_id=customer.user_id).values_list("pk", flat=True)
        )
    if address:
        for row in rows.iterator(chunk_size=500):
            if _same_address(row.recipient, address):
                found.append(row.pk)
    return sorted(set(found))


def customer_mail_erase(customer: Customer) -> dict[str, int]:
    """Anonymise every message he sent and every message sent to him (the mail source's erase)."""
    inbound = _inbound_anonymise(InboundMessage.objects.filter(pk__in=_inbound_of(customer)))
    outbound = _outbound_anonymise(OutboundMessage.objects.filter(pk__in=_outbound_to(customer)))
    # A quarantine reason or a delivery error may quote him (a refused address, a subject).
    fragments = subject_fragments(customer)
    inbound += rows_scrub(InboundMessage.objects.filter(~Q(reason="")), ["reason", "subject"], fragments)
    outbound += rows_scrub(OutboundMessage.objects.filter(~Q(last_error="")), ["last_error"], fragments)
    return {"mail.inboundmessage": inbound, "mail.outboundmessage": outbound}


def customer_mail_export(customer: Customer) -> SubjectExport:
    """The messages he sent (subject, when received) and those sent to him (subject, text, when sent)."""
    export = SubjectExport()
    inbound = InboundMessage.objects.filter(pk__in=_inbound_of(customer)).order_by("received_at", "pk")
    export.tables["mail_received"] = [
        {
            "subject": row.subject,
            "received_at": row.received_at.isoformat(),
            "status": row.get_status_display(),
        }
        for row in inbound
    ]
    outbound = OutboundMessage.objects.filter(pk__in=_outbound_to(customer)).order_by("created_at", "pk")
    export.tables["mail_sent"] = [
        {
            "to": row.recipient,
            "subject": row.subject,
            "text": row.body,
            "queued_at": row.created_at.isoformat(),
            "sent_at": row.sent_at.isoformat() if row.sent_at else None,
            "status": row.get_status_display(),
        }
        for row in outbound
    ]
    return export


def privacy_register() -> None:
    """Called from MailConfig.ready()."""
    subject_data_register(
        SubjectDataSource(key="mail", export=customer_mail_export, erase=customer_mail_erase)
    )
