"""What cases holds about a customer: his access export, his erasure, and the anonymisation of old cases.

A case is kept whole for the figures (number, kind, service, status, dates, clocks, outcome); what goes is
the customer's words and files: the title, description, remedy sought and appeal reason, the messages he
wrote and the files he sent are replaced by ERASED_MARKER (file rows kept, files deleted after the commit);
what staff wrote on his cases (replies, notes, reasons, timeline data, the mails of the case's threads) keeps
its text with his personal data cut out (`charter.privacy.erasure.text_scrub`). The search row is rebuilt
from what remains, and tracking links and queued notifications' links stop working.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import SuspiciousFileOperation
from django.db.models import Q
from django.utils.text import get_valid_filename

from charter.accounts.models import Customer
from charter.cases.mailing import thread_ref
from charter.cases.models import Case, CaseAttachment, CaseEvent, CaseMessage, NotificationJob
from charter.cases.search import case_search_index
from charter.mail.privacy import thread_mail_anonymise
from charter.privacy.erasure import (
    files_delete_on_commit,
    identifier_fragments,
    rows_scrub,
    subject_fragments,
    subject_hold_register,
    subject_words_register,
    text_fragments,
)
from charter.privacy.registry import (
    ERASED_MARKER,
    SubjectDataSource,
    SubjectExport,
    subject_data_register,
)
from charter.privacy.selectors import held_target_ids

# The case's own texts the customer wrote (or staff wrote down for him from his words).
CUSTOMER_TEXT_FIELDS = ("title", "description", "remedy_sought", "appeal_reason")
# Texts staff wrote on the case, kept without his personal data.
STAFF_TEXT_FIELDS = ("resolution_reasons", "tags")


def _his_attachments(cases: Iterable[int]) -> "Any":
    # What the customer sent: files uploaded without a staff account (the public form, the portal, e-mail)
    # or on a message he wrote.
    return CaseAttachment.objects.filter(case_id__in=list(cases)).filter(
        Q(uploaded_by__isnull=True) | Q(message__author_kind=CaseMessage.AuthorKind.CUSTOMER)
    )


def customer_words(customer: Customer) -> list[str]:
    """The texts the customer wrote on his cases (for finding them quoted in staff text elsewhere)."""
    return _case_words(Case.objects.filter(customer=customer).values_list("pk", flat=True))


def _case_words(case_ids: Iterable[int]) -> list[str]:
    ids = list(case_ids)
    words: list[str] = []
    for row in Case.objects.filter(pk__in=ids).values_list(*CUSTOMER_TEXT_FIELDS):
        words.extend(text for text in row if text)
    words.extend(
        CaseMessage.objects.filter(case_id__in=ids, author_kind=CaseMessage.AuthorKind.CUSTOMER).values_list(
            "body", flat=True
        )
    )
    words.extend(_his_attachments(ids).values_list("original_name", flat=True))
    return [word for word in words if word and word != ERASED_MARKER]


def _anonymise(cases: Sequence[Case], fragments: Sequence[str]) -> dict[str, int]:
    """Replace the customer's words in `cases` with the marker and cut `fragments` out of staff text."""
    ids = [case.pk for case in cases]
    counts: dict[str, int] = {}
    if not ids:
        return counts
    changed = 0
    for case in cases:
        values: dict[str, Any] = {
            name: ERASED_MARKER
            for name in CUSTOMER_TEXT_FIELDS
            if getattr(case, name) not in ("", ERASED_MARKER)
        }
        if case.tracking_token_hash is not None:
            values["tracking_token_hash"] = None
        if values:
            Case.objects.filter(pk=case.pk).update(**values)
            changed += 1
    counts["cases.case"] = changed + rows_scrub(Case.objects.filter(pk__in=ids), STAFF_TEXT_FIELDS, fragments)
    messages = CaseMessage.objects.filter(case_id__in=ids)
    counts["cases.casemessage"] = messages.filter(author_kind=CaseMessage.AuthorKind.CUSTOMER).exclude(
        body=ERASED_MARKER
    ).update(body=ERASED_MARKER) + rows_scrub(
        messages.exclude(author_kind=CaseMessage.AuthorKind.CUSTOMER), ["body"], fragments
    )
    attachments = list(_his_attachments(ids).exclude(file="").only("pk", "file"))
    for attachment in attachments:
        files_delete_on_commit(attachment.file.storage, [attachment.file.name])
    counts["cases.caseattachment"] = (
        _his_attachments(ids)
        .exclude(file="", original_name=ERASED_MARKER)
        .update(file="", original_name=ERASED_MARKER, sha256="")
        # A staff file's name may name him too.
        + rows_scrub(CaseAttachment.objects.filter(case_id__in=ids), ["original_name"], fragments)
    )
    events = CaseEvent.objects.filter(case_id__in=ids)
    appeals = 0
    for event in events.filter(kind=CaseEvent.Kind.APPEALED).only("pk", "data"):
        if event.data.get("reason") not in (None, "", ERASED_MARKER):
            CaseEvent.objects.filter(pk=event.pk).update(data={**event.data, "reason": ERASED_MARKER})
            appeals += 1
    counts["cases.caseevent"] = appeals + rows_scrub(events, ["data"], fragments)
    counts["cases.notificationjob"] = (
        NotificationJob.objects.filter(case_id__in=ids)
        .exclude(tracking_token="", answering="")
        .update(tracking_token="", answering="")
    )
    for table, count in thread_mail_anonymise(
        customer_threads=[thread_ref(case) for case in cases],
        staff_threads=[thread_ref(case, staff=True) for case in cases],
        fragments=fragments,
    ).items():
        counts[table] = counts.get(table, 0) + count
    for case in Case.objects.filter(pk__in=ids):
        case_search_index(case)
    counts["cases.search"] = len(ids)
    return counts


def case_text_anonymise(*, case_ids: Iterable[int]) -> int:
    """Replace the customer's words in these cases with the marker (and cut his personal data out of what
    staff wrote on them, delete the files he sent, rebuild their search rows); return how many cases were
    anonymised. Cases already anonymised (title is the marker) are left alone. The caller runs it in a
    transaction and has left out held cases."""
    cases = list(
        Case.objects.filter(pk__in=list(case_ids)).exclude(title=ERASED_MARKER).select_related("customer")
    )
    for customer_id in {case.customer_id for case in cases}:
        own = [case for case in cases if case.customer_id == customer_id]
        customer = own[0].customer
        fragments = identifier_fragments(customer) + text_fragments(_case_words(case.pk for case in own))
        _anonymise(own, list(dict.fromkeys(fragments)))
    return len(cases)


def customer_cases_erase(customer: Customer) -> dict[str, int]:
    """Anonymise every case of `customer` (the cases source's erase)."""
    cases = list(Case.objects.filter(customer=customer))
    return _anonymise(cases, subject_fragments(customer))


def customer_cases_held(customer: Customer) -> bool:
    """Answer whether a legal hold on one of his cases keeps the customer."""
    held = held_target_ids("cases.case")
    return (
        bool(held)
        and Case.objects.filter(customer=customer, pk__in=[int(i) for i in held if i.isdigit()]).exists()
    )


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _zip_name(number: str, attachment: CaseAttachment) -> str:
    # The name he gave the file, made safe as one path component (no folders, no "..").
    try:
        safe = get_valid_filename(attachment.original_name.replace("/", "_").replace("\\", "_"))
    except SuspiciousFileOperation:  # nothing usable left (".", "..")
        safe = "file"
    return f"cases/{number}/{attachment.pk}-{safe}"


def customer_cases_export(customer: Customer) -> SubjectExport:
    """His cases, the public conversation on them (his messages and the replies he was sent, staff shown as
    "staff") and the files he sent; never internal notes, staff names or internal scores."""
    export = SubjectExport()
    cases = list(
        Case.objects.filter(customer=customer).select_related("service").order_by("received_at", "pk")
    )
    export.tables["cases"] = [
        {
            "number": case.number,
            "kind": case.get_kind_display(),
            "channel": case.get_channel_display(),
            "service": str(case.service) if case.service else "",
            "status": case.get_status_display(),
            "title": case.title,
            "description": case.description,
            "remedy_sought": case.remedy_sought,
            "received_at": _when(case.received_at),
            "resolved_at": _when(case.resolved_at),
            "closed_at": _when(case.closed_at),
            "outcome": case.get_outcome_display() if case.outcome else "",
            "resolution_reasons": case.resolution_reasons,
            "appealed_at": _when(case.appealed_at),
            "appeal_reason": case.appeal_reason,
        }
        for case in cases
    ]
    numbers = {case.pk: case.number for case in cases}
    messages = CaseMessage.objects.filter(case_id__in=numbers, is_internal=False).order_by("created_at", "pk")
    export.tables["case_messages"] = [
        {
            "case": numbers[message.case_id],
            "written_by": str(CaseMessage.AuthorKind(message.author_kind).label),
            "text": message.body,
            "created_at": _when(message.created_at),
        }
        for message in messages
    ]
    attachments = list(_his_attachments(numbers).exclude(file="").filter(is_internal=False))
    export.tables["case_attachments"] = [
        {
            "case": numbers[attachment.case_id],
            "name": attachment.original_name,
            "content_type": attachment.content_type,
            "size": attachment.size,
            "sent_at": _when(attachment.created_at),
            "file": _zip_name(numbers[attachment.case_id], attachment),
        }
        for attachment in attachments
    ]
    export.files = [
        (_zip_name(numbers[attachment.case_id], attachment), attachment.file) for attachment in attachments
    ]
    return export


def privacy_register() -> None:
    """Called from CasesConfig.ready()."""
    subject_data_register(
        SubjectDataSource(key="cases", export=customer_cases_export, erase=customer_cases_erase)
    )
    subject_words_register(customer_words)
    subject_hold_register(customer_cases_held)
