"""IMAP polling connects to the address the SSRF check approved, not to a second DNS answer for the host
name (DNS rebinding), and TLS still checks the certificate against the host name."""

import socket
import ssl
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

from charter.mail import fetch
from charter.mail.fetch import mailbox_poll, tls_context
from charter.mail.models import Mailbox
from tests.mail.conftest import corpus
from tests.mail.servers import Dovecot

pytestmark = pytest.mark.django_db


def test_the_poll_connects_to_the_address_the_check_approved(
    mailbox: Mailbox, dovecot: Dovecot, imap_user: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A name that resolves nowhere now: only the check's answer (the DNS at check time, which a rebinding
    # server would change right after) can lead the connection to the server.
    checked: list[str] = []

    def answer_at_check_time(host: str, port: int, **kwargs: Any) -> list[str]:
        checked.append(host)
        return ["127.0.0.1"]

    monkeypatch.setattr(fetch, "mail_host_check", answer_at_check_time)
    mailbox.host = "imap.rebound.invalid"
    mailbox.save()
    dovecot.append(imap_user, corpus("gb18030.eml"))

    result = mailbox_poll(mailbox=mailbox)

    assert checked == ["imap.rebound.invalid"]
    assert result.error == ""
    assert result.fetched == 1


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for imap.example.cn (its own authority)."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(  # noqa: S603
        [  # noqa: S607
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=imap.example.cn",
            "-addext",
            "subjectAltName=DNS:imap.example.cn",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def _handshake(context: ssl.SSLContext, certificate: tuple[Path, Path]) -> str:
    """Connect to a real TLS server on 127.0.0.1 (as the poll does: to the checked address, named by it)
    and return the name the server's certificate was checked against."""
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        connection, _address = listener.accept()
        try:
            with server_context.wrap_socket(connection, server_side=True):
                pass
        except (ssl.SSLError, OSError):
            pass

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as wrapped:
                return str(wrapped.server_hostname)
    finally:
        thread.join(5)
        listener.close()


def test_tls_checks_the_certificate_against_the_host_name_not_the_address(
    certificate: tuple[Path, Path],
) -> None:
    context = tls_context("imap.example.cn")
    context.load_verify_locations(cafile=str(certificate[0]))
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname

    assert _handshake(context, certificate) == "imap.example.cn"

    # The same certificate for another host name is refused: the name is really checked.
    other = tls_context("imap.elsewhere.cn")
    other.load_verify_locations(cafile=str(certificate[0]))
    with pytest.raises(ssl.SSLCertVerificationError):
        _handshake(other, certificate)
