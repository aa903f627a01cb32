"""E-mail into cases: a new message opens a case, a reply joins its case.

Registered as the mail app's inbound handler; runs inside the transaction that records the message, so the
message and the case change commit together (see `charter.mail.inbound`).

A reply is matched by `In-Reply-To`/`References` against the messages of a case we sent or received, else by
a case number in the subject, and joins that case only when its sender is the case's customer: a stranger
quoting a case number opens a new case and never posts into someone else's. A reply to a closed or cancelled
case opens a new case linked to it, so it is answered on the clock rather than buried.
"""

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Customer
from charter.accounts.selectors import customer_find_by_email
from charter.accounts.services import customer_create
from charter.audit.services import audit_batch
from charter.cases.conf import cases_setting
from charter.cases.errors import ErrorCode
from charter.cases.models import Case, CaseChannel, CaseLink, CaseMessage, CaseStatus
from charter.cases.services.attachments import attachment_store
from charter.cases.services.intake import case_create
from charter.cases.services.messages import case_customer_reply
from charter.common.errors import DomainError
from charter.common.http import int_param
from charter.common.text import remove_control_characters
from charter.common.vocabulary import CaseKind
from charter.mail.inbound import inbound_acknowledgement_refusal, thread_ref_for
from charter.mail.models import InboundMessage, Mailbox
from charter.mail.parsing import ParsedAttachment, ParsedMessage, case_numbers_in

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|答复|回复|转发)\s*[:：]\s*)+", re.IGNORECASE)
_FINISHED = (CaseStatus.CLOSED, CaseStatus.CANCELLED)


def _case_of(ref: str) -> Case | None:
    kind, _sep, pk = ref.partition(":")
    number = int_param(pk)
    if kind != "case" or number is None:
        return None
    return Case.objects.filter(pk=number).first()


def _followed(case: Case) -> Case:
    """The case a merged case lives on in."""
    seen = {case.pk}
    while case.merged_into_id is not None and case.merged_into_id not in seen:
        seen.add(case.merged_into_id)
        case = Case.objects.get(pk=case.merged_into_id)
    return case


def _is_customer_of(case: Case, sender: str) -> bool:
    if case.customer_id is None:
        return False
    index = Customer._meta.get_field("email_index").index_for(sender)
    return bool(index) and Customer.objects.filter(pk=case.customer_id, email_index=index).exists()


def _threaded_case(message: ParsedMessage) -> Case | None:
    """The case `message` answers, if its sender is that case's customer."""
    ids = (*message.in_reply_to, *reversed(message.references))
    case = _case_of(thread_ref_for(ids)) if ids else None
    if case is None:
        for number in case_numbers_in(message.subject):
            case = Case.objects.filter(number=number).first()
            if case is not None:
                break
    if case is None:
        return None
    case = _followed(case)
    return case if _is_customer_of(case, message.from_address) else None


def _kind(mailbox: Mailbox, subject: str) -> str:
    """The mailbox's kind, unless the subject names another by a keyword (CHARTER_CASES_MAIL_KIND_WORDS)."""
    if mailbox.kind == CaseKind.INQUIRY:
        lowered = subject.lower()
        for kind, words in cases_setting("CHARTER_CASES_MAIL_KIND_WORDS").items():
            if any(word.lower() in lowered for word in words):
                return str(kind)
    return mailbox.kind if mailbox.kind in CaseKind.values else CaseKind.INQUIRY


def _customer(message: ParsedMessage) -> Customer:
    existing = customer_find_by_email(email=message.from_address).order_by("pk").first()
    if existing is not None:
        return existing
    # accounts.customer_create refuses a control character; nobody can be asked to correct a sender's name.
    name = remove_control_characters(message.from_name, multiline=False).strip()
    name = name or message.from_address.partition("@")[0]
    language = "zh-hans" if _CJK.search(message.subject + message.text[:2000]) else "en"
    return customer_create(actor=None, name=name[:100], email=message.from_address, language=language)


def _attach(case: Case, files: tuple[ParsedAttachment, ...], message: CaseMessage | None) -> list[str]:
    """Store each file; return a line per file that could not be accepted (the raw message keeps it)."""
    refused: list[str] = []
    for file in files:
        upload = SimpleUploadedFile(file.filename, file.content, content_type=file.content_type)
        try:
            attachment_store(actor=None, case=case, file=upload, message=message)
        except DomainError as error:
            refused.append(f"{file.filename}: {error.message}")
    return refused


def _text(message: ParsedMessage) -> str:
    limit = int(cases_setting("CHARTER_CASES_TEXT_MAX_LENGTH"))
    # A sender cannot be asked to correct his mail: what the services refuse is taken out instead.
    text = remove_control_characters(message.text).strip()
    return text[:limit] or gettext("(The e-mail had no text.)")


def _title(message: ParsedMessage) -> str:
    limit = int(cases_setting("CHARTER_CASES_TITLE_MAX_LENGTH"))
    subject = _REPLY_PREFIX.sub("", remove_control_characters(message.subject, multiline=False)).strip()
    if not subject:
        first = next((line.strip() for line in message.text.splitlines() if line.strip()), "")
        subject = remove_control_characters(first, multiline=False).strip()
    return subject[:limit] or gettext("(no subject)")


def case_mail_receive(*, mailbox: Mailbox, message: ParsedMessage, inbound: InboundMessage) -> str:
    """Turn one inbound e-mail into a new case or a customer message on its case; return "case:<pk>".

    Files the case cannot accept (type, size) are listed in `inbound.reason`, which keeps the raw message.
    Raises DomainError for a message without a usable sender (it is quarantined).
    """
    if not message.from_address or "@" not in message.from_address:
        raise DomainError(_("The message has no sender address."), code=ErrorCode.INVALID_FIELD, field="from")
    # The audit chain head is locked last, as in the web intake: two intakes never wait on each other's
    # locks in opposite orders.
    with audit_batch():
        return _receive(mailbox, message, inbound)


def _receive(mailbox: Mailbox, message: ParsedMessage, inbound: InboundMessage) -> str:
    case = _threaded_case(message)
    if case is not None and case.status not in _FINISHED:
        reply = case_customer_reply(case=case, body=_text(message))
        refused = _attach(case, message.attachments, reply)
    else:
        earlier = case
        case = case_create(
            actor=None,
            kind=_kind(mailbox, message.subject),
            channel=CaseChannel.EMAIL,
            customer=earlier.customer if earlier is not None and earlier.customer else _customer(message),
            service=mailbox.service if mailbox.service and mailbox.service.is_active else None,
            team=mailbox.team,
            title=_title(message),
            description=_text(message),
        )
        refused = _attach(case, message.attachments, None)
        if earlier is not None:
            CaseLink.objects.get_or_create(from_case=case, to_case=earlier, kind=CaseLink.Kind.RELATED)
    cut = _cut_notice(message, inbound)
    if refused:
        # Staff learn of it on the case; the administrator keeps the original in the inbound log.
        _system_note(
            case,
            gettext("Files in the e-mail that could not be attached (the original is kept in the mail log):")
            + "\n"
            + "\n".join(refused),
        )
    if cut:
        _system_note(case, cut)
    inbound.reason = "\n".join(filter(None, ["\n".join(refused), cut]))
    # Not a reason to keep the raw copy: the acknowledgement that was not mailed is noted on the case only.
    if inbound_acknowledgement_refusal():
        _system_note(case, inbound_acknowledgement_refusal())
    return f"case:{case.pk}"


def _system_note(case: Case, body: str) -> None:
    CaseMessage.objects.create(
        case=case,
        author_kind=CaseMessage.AuthorKind.SYSTEM,
        is_internal=True,
        created_at=timezone.now(),
        body=body,
    )


def _cut_notice(message: ParsedMessage, inbound: InboundMessage) -> str:
    """What was cut from the e-mail to make it a case (its text past the longest a case holds, attachments
    past the 50 read), and where the whole original is; '' when nothing was. Setting it as the inbound
    message's reason makes the mail app keep the raw message."""
    limit = int(cases_setting("CHARTER_CASES_TEXT_MAX_LENGTH"))
    length = len(remove_control_characters(message.text).strip())
    parts = []
    if length > limit:
        parts.append(
            gettext("its text had %(length)s characters, of which the first %(limit)s are shown")
            % {"length": f"{length:,}", "limit": f"{limit:,}"}
        )
    if message.attachments_dropped:
        parts.append(
            gettext("%(dropped)s of its %(total)s attachments were left out")
            % {
                "dropped": message.attachments_dropped,
                "total": len(message.attachments) + message.attachments_dropped,
            }
        )
    if not parts:
        return ""
    where = reverse("mail:inbound_detail", args=[inbound.pk])
    return gettext("The e-mail was cut: %(what)s. The full original is kept in the mail log: %(where)s") % {
        "what": "; ".join(parts),
        "where": where,
    }
