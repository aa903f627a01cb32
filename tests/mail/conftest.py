"""Fixtures of the mail tests: a real Dovecot and a real SMTP server, a mailbox on them, corpus messages."""

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from charter.accounts.models import Team
from charter.mail.models import Mailbox
from tests.cases.conftest import routed_team  # noqa: F401 - the cases' routed team, for mail tests too
from tests.mail.servers import DOVECOT_PASSWORD, Dovecot, SmtpServer, running

MESSAGES = Path(__file__).parent / "messages"


def corpus(name: str) -> bytes:
    return (MESSAGES / name).read_bytes()


@pytest.fixture(autouse=True)
def _local_mail_servers_allowed(settings: Any) -> None:
    """The test Dovecot listens on loopback: a mailbox may reach it only when listed (an intranet server)."""
    settings.CHARTER_MAIL_ALLOWED_HOSTS = ["127.0.0.1"]
    # The corpus messages are dated January 2026: the date guard of a first import (tested in
    # test_import_guards.py) would take them all for an old mailbox's backlog and acknowledge none.
    settings.CHARTER_MAIL_IMPORT_MAX_AGE_DAYS = 0


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    yield from running(Dovecot())


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    yield from running(SmtpServer())


@pytest.fixture
def smtp(smtp_server: SmtpServer, settings: Any) -> SmtpServer:
    """The SMTP server, empty, with Django's SMTP backend pointed at it."""
    smtp_server.envelopes.clear()
    smtp_server.refuse.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "service@charter.example"
    settings.CHARTER_SITE_URL = "http://testserver"
    return smtp_server


@pytest.fixture
def imap_user() -> str:
    """A mail account of its own for each test, so tests never see each other's messages."""
    return f"desk-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def mailbox(dovecot: Dovecot, imap_user: str, team: Team) -> Mailbox:
    return Mailbox.objects.create(
        name="客服邮箱",
        address="service@charter.example",
        host="127.0.0.1",
        port=dovecot.port,
        security=Mailbox.Security.NONE,
        username=imap_user,
        password=DOVECOT_PASSWORD,
        team=team,
    )
