"""Inbound mail: record each message exactly once, hand it to the app that knows what it means.

`message_receive` claims a message by its key (the SHA-256 of its Message-ID, or of the raw bytes when it
has none) by inserting its `InboundMessage` row, and calls the registered handler in the same transaction.
A message already recorded (fetched again, or by another worker at the same moment: the unique key makes
the second insert fail or wait for the first to commit) is not handled again. Automatic messages (auto
replies, bounces, bulk mail) are recorded as ignored and reach no handler, so they never open a case nor
get an acknowledgement: no mail loops. A message that cannot be parsed, or whose handling failed, is
quarantined with its raw bytes: nothing is dropped silently.
"""

import datetime as dt
import hashlib
import hmac
import logging
from contextvars import ContextVar
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.audit.services import audit_record
from charter.common.errors import DomainError
from charter.common.policy import require
from charter.common.throttle import throttle_hit
from charter.mail.conf import mail_setting
from charter.mail.errors import ErrorCode
from charter.mail.models import InboundMessage, Mailbox, OutboundMessage, message_key
from charter.mail.parsing import MessageParseError, ParsedMessage, message_parse
from charter.mail.permissions import can_manage_mail

logger = logging.getLogger(__name__)


class InboundHandler(Protocol):
    def __call__(self, *, mailbox: Mailbox, message: ParsedMessage, inbound: InboundMessage) -> str:
        """Act on `message` (inside the caller's transaction) and return a reference for what it became,
        e.g. "case:42", which threads later replies. Raise to refuse it: the message is quarantined."""
        ...


_handler: list[InboundHandler] = []
# The message whose handler is running: what the handler sends the sender answers it (`In-Reply-To`).
_being_handled: ContextVar[InboundMessage | None] = ContextVar("inbound_being_handled", default=None)
# Why the message being handled must not be acknowledged by mail ('' when it may be).
_no_acknowledgement: ContextVar[str] = ContextVar("inbound_no_acknowledgement", default="")


def inbound_handler_set(handler: InboundHandler) -> None:
    """Register the one handler of inbound messages (the cases app does, in its AppConfig.ready)."""
    _handler[:] = [handler]


def inbound_being_handled() -> InboundMessage | None:
    """The inbound message whose handler is running in this thread, if any."""
    return _being_handled.get()


def inbound_acknowledgement_refusal() -> str:
    """Why the inbound message whose handler is running gets no acknowledgement mail, or '' when it may.

    An old mailbox imported for the first time (or old mail marked unread again) would otherwise mail every
    sender of the last years, and one sender's flood (a loop with a mail system that ignores the
    Auto-Submitted header, or someone sending in bulk) would be answered message for message. The handler
    still records each message; only the acknowledgement is left out (cases.notifications asks this).
    """
    return _no_acknowledgement.get()


def _acknowledgement_refusal(message: ParsedMessage) -> str:
    now = timezone.now()
    max_age = int(mail_setting("CHARTER_MAIL_IMPORT_MAX_AGE_DAYS"))
    if max_age and message.date is not None and message.date < now - dt.timedelta(days=max_age):
        return str(
            _(
                "No acknowledgement was mailed: the e-mail is dated more than %(days)s days before it was "
                "fetched (an old mailbox imported for the first time)."
            )
            % {"days": max_age}
        )
    cap = int(mail_setting("CHARTER_MAIL_ACK_MAX_PER_SENDER_HOUR"))
    if message.from_address:
        # Counted in the cache (the common throttle), keyed by a keyed hash: the address is stored encrypted
        # and must not appear in clear anywhere else.
        digest = hmac.new(
            settings.CHARTER_BLIND_INDEX_KEY, message.from_address.strip().lower().encode(), hashlib.sha256
        ).hexdigest()[:40]
        hits = throttle_hit(f"mail-ack:{digest}", window_seconds=3600)
        if hits > cap:
            return str(
                _(
                    "No acknowledgement was mailed: %(count)s e-mails from this sender were received in the "
                    "last hour, and at most %(cap)s are acknowledged."
                )
                % {"count": hits, "cap": cap}
            )
    return ""


def _handle(mailbox: Mailbox, message: ParsedMessage, inbound: InboundMessage) -> str:
    if not _handler:
        raise RuntimeError("no inbound mail handler is registered")
    token = _being_handled.set(inbound)
    refusal = _no_acknowledgement.set(_acknowledgement_refusal(message))
    try:
        return _handler[0](mailbox=mailbox, message=message, inbound=inbound)
    finally:
        _no_acknowledgement.reset(refusal)
        _being_handled.reset(token)


def _summary(message: ParsedMessage) -> dict[str, str]:
    return {"subject": message.subject[:500], "sender": message.from_address}


def _printable(text: str) -> str:
    """`text` without control characters (PostgreSQL refuses NUL in text columns)."""
    return "".join(char for char in text if char in "\n\t" or (char >= " " and char != "\x7f"))


def _quarantine(
    mailbox: Mailbox, raw: bytes, key: str, message_id: str, reason: str, **summary: str
) -> InboundMessage:
    try:
        with transaction.atomic():
            return InboundMessage.objects.create(
                mailbox=mailbox,
                key=key,
                message_id=_printable(message_id),
                status=InboundMessage.Status.QUARANTINED,
                reason=_printable(reason)[:4000],
                raw=raw,
                subject=_printable(summary.get("subject", "")),
                sender=_printable(summary.get("sender", "")),
            )
    except IntegrityError:
        # Another worker recorded it meanwhile.
        return InboundMessage.objects.get(key=key)


def _reason(error: Exception) -> str:
    if isinstance(error, DomainError):
        field = f" ({error.field})" if error.field else ""
        return f"{error.code}{field}: {error.message}"
    return f"{type(error).__name__}: {error}"


def message_receive(*, mailbox: Mailbox, raw: bytes) -> tuple[InboundMessage, bool]:
    """Record and handle one raw message from `mailbox`; return its row and whether it was new.

    Safe to call any number of times with the same message, from any number of workers at once.
    """
    raw_key = "sha256-" + hashlib.sha256(raw).hexdigest()
    if len(raw) > int(mail_setting("CHARTER_MAIL_MAX_BYTES")):
        existing = InboundMessage.objects.filter(key=message_key(raw_key)).first()
        if existing is not None:
            return existing, False
        reason = str(_("The message is larger than this installation accepts."))
        return _quarantine(mailbox, raw, message_key(raw_key), raw_key, reason), True
    try:
        message = message_parse(raw)
    except MessageParseError as error:
        existing = InboundMessage.objects.filter(key=message_key(raw_key)).first()
        if existing is not None:
            return existing, False
        return _quarantine(mailbox, raw, message_key(raw_key), raw_key, _reason(error)), True
    key = message_key(message.message_id)
    existing = InboundMessage.objects.filter(key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            inbound = InboundMessage.objects.create(
                mailbox=mailbox,
                key=key,
                message_id=message.message_id,
                status=InboundMessage.Status.HANDLED,
                **_summary(message),
            )
            if message.automated:
                inbound.status = InboundMessage.Status.IGNORED
                inbound.reason = message.automated
                inbound.save(update_fields=["status", "reason"])
                return inbound, True
            inbound.thread_ref = _handle(mailbox, message, inbound)
            inbound.handled_at = timezone.now()
            if inbound.reason:
                # The handler left a remark (e.g. a file it could not accept): keep the original whole.
                inbound.raw = raw
            inbound.save(update_fields=["thread_ref", "handled_at", "raw", "reason"])
            return inbound, True
    except Exception as error:  # whatever went wrong, the message is kept, not lost
        existing = InboundMessage.objects.filter(key=key).first()
        if existing is not None:
            return existing, False
        logger.exception("inbound message %s quarantined", message.message_id)
        return _quarantine(mailbox, raw, key, message.message_id, _reason(error), **_summary(message)), True


def inbound_retry(*, actor: User, inbound: InboundMessage) -> InboundMessage:
    """Handle a quarantined message again (an administrator fixed what made it fail). If it fails again it
    stays quarantined with the new reason. Audited as `mail.inbound_retry`."""
    require(can_manage_mail(actor))
    if inbound.status != InboundMessage.Status.QUARANTINED or inbound.raw is None:
        raise DomainError(_("Only a quarantined message can be retried."), code=ErrorCode.NOT_QUARANTINED)
    raw = bytes(inbound.raw)
    try:
        with transaction.atomic():
            row = InboundMessage.objects.select_for_update().get(pk=inbound.pk)
            if row.status != InboundMessage.Status.QUARANTINED:
                raise DomainError(
                    _("Only a quarantined message can be retried."), code=ErrorCode.NOT_QUARANTINED
                )
            message = message_parse(raw)
            key = message_key(message.message_id)
            if key != row.key and InboundMessage.objects.filter(key=key).exists():
                row.status = InboundMessage.Status.DISCARDED
                row.reason = str(_("The same message was handled in the meantime."))
                row.save(update_fields=["status", "reason"])
            elif message.automated:
                row.key, row.message_id = key, message.message_id
                row.status, row.reason = InboundMessage.Status.IGNORED, message.automated
                row.save(update_fields=["key", "message_id", "status", "reason"])
            else:
                row.key, row.message_id = key, message.message_id
                row.subject, row.sender = message.subject[:500], message.from_address
                row.thread_ref = _handle(row.mailbox, message, row)
                row.status, row.reason, row.handled_at = InboundMessage.Status.HANDLED, "", timezone.now()
                row.save()
            audit_record(actor=actor, action="mail.inbound_retry", target=row, data={"status": row.status})
            return row
    except DomainError as error:
        if error.code == ErrorCode.NOT_QUARANTINED:
            raise
        reason = _reason(error)
    except Exception as error:  # it stays in the quarantine with the new reason
        reason = _reason(error)
    InboundMessage.objects.filter(pk=inbound.pk).update(reason=reason[:4000])
    inbound.refresh_from_db()
    return inbound


def inbound_discard(*, actor: User, inbound: InboundMessage) -> InboundMessage:
    """Give up on a quarantined message: it stays recorded (so fetching it again changes nothing) without
    its raw bytes. Audited as `mail.inbound_discard`."""
    require(can_manage_mail(actor))
    with transaction.atomic():
        row = InboundMessage.objects.select_for_update().get(pk=inbound.pk)
        if row.status != InboundMessage.Status.QUARANTINED:
            raise DomainError(
                _("Only a quarantined message can be discarded."), code=ErrorCode.NOT_QUARANTINED
            )
        row.status, row.raw = InboundMessage.Status.DISCARDED, None
        row.save(update_fields=["status", "raw"])
        audit_record(actor=actor, action="mail.inbound_discard", target=row)
    return row


def thread_ref_for(message_ids: "list[str] | tuple[str, ...]") -> str:
    """The reference of the first of `message_ids` that we sent or received and handled, else ''."""
    for message_id in message_ids:
        sent = OutboundMessage.objects.filter(message_id=message_id).values_list("thread_ref", flat=True)
        ref = sent.first()
        if ref:
            return ref
        received = InboundMessage.objects.filter(key=message_key(message_id)).values_list(
            "thread_ref", flat=True
        )
        ref = received.first()
        if ref:
            return ref
    return ""


def thread_message_ids(thread_ref: str, *, limit: int = 20) -> list[str]:
    """Message-IDs of the messages of a thread (received and sent), oldest first, for `References`."""
    received = InboundMessage.objects.filter(thread_ref=thread_ref, status=InboundMessage.Status.HANDLED)
    sent = OutboundMessage.objects.filter(thread_ref=thread_ref)
    rows = [
        *received.values_list("received_at", "message_id"),
        *sent.values_list("created_at", "message_id"),
    ]
    return [message_id for _at, message_id in sorted(rows)][-limit:]
