"""The mail app's settings, each with a default; read when used, never at import time."""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Outbound: attempts before a message is marked failed, and the first retry delay (doubling each time).
    "CHARTER_MAIL_SEND_ATTEMPTS": 6,
    "CHARTER_MAIL_RETRY_SECONDS": 60,
    # How long a worker holds a message it is sending before another may try it (a crashed worker).
    "CHARTER_MAIL_SEND_LEASE_SECONDS": 600,
    # Inbound: messages handled per mailbox per poll, and the largest message read (bigger ones are
    # quarantined whole for an administrator).
    "CHARTER_MAIL_FETCH_BATCH": 50,
    "CHARTER_MAIL_MAX_BYTES": 30 * 1024 * 1024,
    "CHARTER_MAIL_IMAP_TIMEOUT": 30,
    # IMAP hosts Charter may connect to although they are private (an intranet mail server); every other
    # host must resolve only to public addresses (charter.mail.addresses).
    "CHARTER_MAIL_ALLOWED_HOSTS": [],
    # The first import of a mailbox: messages older than this many days open cases without an
    # acknowledgement mail; and at most this many acknowledgements go to one sender an hour.
    "CHARTER_MAIL_IMPORT_MAX_AGE_DAYS": 7,
    "CHARTER_MAIL_ACK_MAX_PER_SENDER_HOUR": 3,
    # Webhooks: attempts, first retry delay (doubling), request timeout in seconds.
    "CHARTER_WEBHOOK_ATTEMPTS": 8,
    "CHARTER_WEBHOOK_RETRY_SECONDS": 30,
    "CHARTER_WEBHOOK_TIMEOUT": 10,
    # Events are published once every transaction that could still add an earlier one has finished; a
    # transaction longer than this could have its events skipped, so keep it above the longest one.
    "CHARTER_WEBHOOK_LAG_SECONDS": 30,
}


def mail_setting(name: str) -> Any:
    """Return the setting `name`, or its default from DEFAULTS."""
    return getattr(settings, name, DEFAULTS[name])
