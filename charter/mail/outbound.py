"""Outbound mail: queue one message per recipient in the caller's transaction, send it after the commit.

`mail_queue` writes the message and its delivery log row in the caller's transaction, so a rolled-back
change sends nothing and a committed one is never forgotten. The worker sends it (`outbound_send`) after the
commit, retrying with doubling delays; a periodic sweep (`outbound_due_send`) picks up whatever is due,
including a message whose worker died mid-send (its lease expired). Each send claims the row with a
conditional UPDATE, so two workers never send the same message at once.
"""

import logging
import smtplib
from collections.abc import Callable, Mapping, Sequence
from email.utils import make_msgid, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.catalog.selectors import organisation_name
from charter.common.errors import DomainError
from charter.mail.attempts import (
    attempt_claim,
    attempt_failed,
    attempt_requeue,
    attempt_succeeded,
    attempts_due,
)
from charter.mail.conf import mail_setting
from charter.mail.errors import ErrorCode
from charter.mail.models import OutboundMessage
from charter.mail.rendering import language_for, mail_render

logger = logging.getLogger(__name__)

# RFC 3834: machine-made notifications say so, so that well-behaved auto-responders never answer them.
AUTOMATED_HEADERS = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}


def _domain() -> str:
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return address.rpartition("@")[2] or "localhost"


def _address_clean(address: str) -> str:
    _name, bare = parseaddr(address or "")
    if "@" not in bare or any(c in bare for c in "\r\n,;") or bare != address.strip():
        raise DomainError(
            _("This is not an e-mail address."), code=ErrorCode.INVALID_ADDRESS, field="recipient"
        )
    return bare


def mail_queue(
    *,
    to: str,
    subject: str,
    body: str,
    language: str,
    template: str = "",
    recipient_user: User | None = None,
    thread_ref: str = "",
    in_reply_to: str = "",
    references: Sequence[str] = (),
    is_automated: bool = True,
    headers: Mapping[str, str] | None = None,
) -> OutboundMessage:
    """Queue one message to one address (never Cc or Bcc) and send it once the transaction commits.

    `thread_ref` is the caller's reference for what the message is about (a reply to it can be traced
    back); `in_reply_to` and `references` are Message-IDs without angle brackets, for threading.
    """
    recipient = _address_clean(to)
    extra: dict[str, str] = dict(AUTOMATED_HEADERS) if is_automated else {}
    if in_reply_to:
        extra["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        extra["References"] = " ".join(f"<{ref}>" for ref in references)
    extra.update(headers or {})
    message = OutboundMessage.objects.create(
        message_id=make_msgid(domain=_domain()).strip("<>"),
        template=template,
        recipient=recipient,
        recipient_user=recipient_user,
        language=language,
        subject=" ".join(subject.split())[:500],
        body=body,
        headers=extra,
        thread_ref=thread_ref,
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def staff_mail_queue(
    *, key: str, recipient: User, thread: str, context: Callable[[], dict[str, Any]], app: str
) -> bool:
    """Queue the template `key` to the staff member `recipient` in his language and time zone: `context` is
    evaluated there (so names and dates read as he reads them), with the organisation's and his name added.
    Nothing when he has no address; an address the outbound mail refuses is logged (as `app`'s mail) and
    skipped, so one bad address never stops a batch. Returns whether a mail was queued. The one way the
    apps mail their staff a step (assessment, training)."""
    if not recipient.email:
        return False
    language = language_for(recipient.language or settings.LANGUAGE_CODE)
    try:
        with translation.override(language), timezone.override(recipient.time_zone or settings.TIME_ZONE):
            rendered = mail_render(
                key,
                language,
                {"organisation": organisation_name(), "recipient_name": str(recipient), **context()},
            )
        with transaction.atomic():
            mail_queue(
                to=recipient.email,
                subject=rendered.subject,
                body=rendered.body,
                language=language,
                template=key,
                recipient_user=recipient,
                thread_ref=thread,
            )
    except DomainError:
        logger.warning("%s mail %s to user %s could not be queued", app, key, recipient.pk)
        return False
    return True


def _enqueue(pk: int) -> None:
    from charter.mail.tasks import outbound_send_task

    outbound_send_task(pk)


def _server_answer(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = [f"{code} {text.decode(errors='replace')}" for code, text in error.recipients.values()]
        return "; ".join(answers)[:2000]
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else ""
        return f"{error.smtp_code} {text}"[:2000]
    return f"{type(error).__name__}: {error}"[:2000]


def _is_permanent(error: Exception) -> bool:
    """A 5xx answer for the recipient will not change on retry."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def outbound_send(*, pk: int) -> str:
    """Send message `pk` if it is due and nobody else is sending it; return its status afterwards.

    On failure records the server's answer and schedules a retry after 1, 2, 4… times
    CHARTER_MAIL_RETRY_SECONDS; a permanent refusal (5xx) or the last attempt marks it failed.
    """
    at = timezone.now()
    lease = float(mail_setting("CHARTER_MAIL_SEND_LEASE_SECONDS"))
    claim = attempt_claim(OutboundMessage, pk, at=at, lease_seconds=lease)
    if claim is None:
        return OutboundMessage.objects.filter(pk=pk).values_list("status", flat=True).first() or ""
    message = OutboundMessage.objects.get(pk=pk)
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers={"Message-ID": f"<{message.message_id}>", **message.headers},
    )
    attempts = message.attempts + 1
    try:
        get_connection(fail_silently=False).send_messages([email])
    except (smtplib.SMTPException, OSError) as error:
        answer = _server_answer(error)
        logger.warning("outbound mail %s not sent (attempt %s): %s", pk, attempts, answer)
        return attempt_failed(
            OutboundMessage,
            pk,
            lease=claim,
            attempts=attempts,
            max_attempts=int(mail_setting("CHARTER_MAIL_SEND_ATTEMPTS")),
            retry_seconds=int(mail_setting("CHARTER_MAIL_RETRY_SECONDS")),
            permanent=_is_permanent(error),
            last_error=answer,
        )
    attempt_succeeded(
        OutboundMessage,
        pk,
        lease=claim,
        status=OutboundMessage.Status.SENT,
        attempts=attempts,
        last_error="",
        sent_at=timezone.now(),
    )
    return OutboundMessage.Status.SENT


def outbound_due_send(*, limit: int = 200) -> int:
    """Send every message that is due (new, to retry, or abandoned by a crashed worker); return how many
    were sent."""
    due = attempts_due(OutboundMessage, limit=limit)
    return sum(outbound_send(pk=pk) == OutboundMessage.Status.SENT for pk in due)


def outbound_retry(*, actor: User, message: OutboundMessage) -> OutboundMessage:
    """Put a failed message back in the queue (an administrator fixed the address or the server).
    Audited as `mail.outbound_retry`."""
    with transaction.atomic():
        message = attempt_requeue(actor=actor, row=message, action="mail.outbound_retry")
        transaction.on_commit(lambda: _enqueue(message.pk))
    return message
