"""Polling IMAP mailboxes: fetch unread messages, record and handle each, and only then mark it on the server.

The order is what makes it exactly once: a message is read without marking it (`BODY.PEEK[]`), recorded and
handled in one transaction (`message_receive`), and only after that commit flagged `\\Seen` (and moved, when
the mailbox says so). A crash before the flag leaves the message unread on the server; the next poll fetches
it again and finds it already recorded, so it is only flagged. Two workers polling together both fetch it;
the unique key lets one handle it.
"""

import dataclasses
import logging
import ssl
from typing import Any

from django.db import DatabaseError
from django.utils import timezone
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from charter.mail.addresses import AddressRefused, mail_host_check
from charter.mail.conf import mail_setting
from charter.mail.inbound import message_receive
from charter.mail.models import InboundMessage, Mailbox

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class PollResult:
    fetched: int = 0
    new: int = 0
    quarantined: int = 0
    ignored: int = 0
    error: str = ""


class _ServerNameContext(ssl.SSLContext):
    """A verifying client TLS context that checks the certificate against `server_name`, whatever address
    the socket was connected to: the connection goes to the address the SSRF check approved, the
    certificate must still be the mail server's (imapclient and imaplib pass the host they connected to,
    here an IP address, as the server name)."""

    server_name = ""

    def wrap_socket(self, sock: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs["server_hostname"] = self.server_name or kwargs.get("server_hostname")
        return super().wrap_socket(sock, *args, **kwargs)


def tls_context(server_name: str) -> ssl.SSLContext:
    """The default verifying context (certificates and host name checked) for the server `server_name`."""
    context = _ServerNameContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_default_certs(ssl.Purpose.SERVER_AUTH)
    context.verify_flags = ssl.create_default_context().verify_flags
    context.server_name = server_name
    return context


def _connect(mailbox: Mailbox) -> IMAPClient:
    # The same check as at saving, again now: the name may resolve elsewhere today (DNS rebinding). The
    # connection goes to an address the check approved, never to a second answer of the DNS; TLS still
    # checks the certificate against the host name. A host listed in CHARTER_MAIL_ALLOWED_HOSTS is not
    # checked (its addresses come back empty) and is connected to by name.
    try:
        addresses = mail_host_check(mailbox.host, mailbox.port)
    except AddressRefused as refused:
        raise OSError(f"{refused} (not listed in CHARTER_MAIL_ALLOWED_HOSTS)") from refused
    timeout = float(mail_setting("CHARTER_MAIL_IMAP_TIMEOUT"))
    context = tls_context(mailbox.host.strip().strip("[]"))
    client: IMAPClient | None = None
    error: OSError | None = None
    for address in addresses or [mailbox.host]:
        try:
            client = IMAPClient(
                address,
                port=mailbox.port,
                ssl=mailbox.security == Mailbox.Security.SSL,
                ssl_context=context if mailbox.security == Mailbox.Security.SSL else None,
                timeout=timeout,
            )
            break
        except OSError as failed:  # that address does not answer: the next one may
            error = failed
    if client is None:
        raise error or OSError("no address to connect to")
    if mailbox.security == Mailbox.Security.STARTTLS:
        client.starttls(context)
    client.login(mailbox.username, mailbox.password)
    return client


def _done(client: IMAPClient, mailbox: Mailbox, uid: int) -> None:
    client.add_flags([uid], [b"\\Seen"])
    if not mailbox.done_folder:
        return
    if not client.folder_exists(mailbox.done_folder):
        client.create_folder(mailbox.done_folder)
    if client.has_capability("MOVE"):
        client.move([uid], mailbox.done_folder)
    else:
        client.copy([uid], mailbox.done_folder)
        client.delete_messages([uid])
        # Without UIDPLUS an expunge would remove every message flagged deleted in the folder, other
        # people's too: the copy stays flagged for the server's own clean-up instead.
        if client.has_capability("UIDPLUS"):
            client.uid_expunge([uid])


def mailbox_poll(*, mailbox: Mailbox) -> PollResult:
    """Fetch up to CHARTER_MAIL_FETCH_BATCH unread messages of `mailbox` and handle each exactly once.

    A connection or server error ends the poll and is recorded on the mailbox (`poll_error`); messages not
    yet flagged stay unread and are fetched again next time.
    """
    result = PollResult()
    batch = int(mail_setting("CHARTER_MAIL_FETCH_BATCH"))
    try:
        client = _connect(mailbox)
        try:
            client.select_folder(mailbox.folder)
            uids = sorted(client.search(["UNSEEN"]))[:batch]
            for uid in uids:
                data = client.fetch([uid], ["BODY.PEEK[]"]).get(uid, {})
                raw = data.get(b"BODY[]")
                if not isinstance(raw, bytes):
                    continue
                result.fetched += 1
                try:
                    inbound, is_new = message_receive(mailbox=mailbox, raw=raw)
                except DatabaseError:
                    # Not even the quarantine could keep it: leave it unread on the server (nothing is lost)
                    # and go on with the next, so one message cannot stop a mailbox.
                    logger.exception("mailbox %s: message %s could not be recorded", mailbox.pk, uid)
                    result.error = f"message {uid} could not be recorded; it stays unread on the server"
                    continue
                result.new += is_new
                result.quarantined += is_new and inbound.status == InboundMessage.Status.QUARANTINED
                result.ignored += is_new and inbound.status == InboundMessage.Status.IGNORED
                _done(client, mailbox, uid)
        finally:
            try:
                client.logout()
            except (IMAPClientError, OSError):
                logger.debug("logout from %s failed", mailbox.host)
    except (IMAPClientError, OSError, ssl.SSLError) as error:
        result.error = f"{type(error).__name__}: {error}"[:2000]
        logger.warning("mailbox %s: %s", mailbox.pk, result.error)
    Mailbox.objects.filter(pk=mailbox.pk).update(polled_at=timezone.now(), poll_error=result.error)
    return result


def mailboxes_poll() -> list[PollResult]:
    """Poll every active mailbox (the periodic task)."""
    return [mailbox_poll(mailbox=mailbox) for mailbox in Mailbox.objects.filter(is_active=True)]
