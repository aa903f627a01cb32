"""Real mail servers for the tests: Dovecot (IMAP) with a throwaway mail store, aiosmtpd (SMTP) in process.

`make test` installs Dovecot from Debian's packages; a machine without it fails these tests rather than
skipping them, so a missing install step cannot hide behind a green run.
"""

import imaplib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

from aiosmtpd.controller import Controller

DOVECOT_PASSWORD = "secret"  # a throwaway test server on 127.0.0.1

_CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={root}/mail/%u mail=maildir:{root}/mail/%u/Maildir
}}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Dovecot:
    """A Dovecot started on a free local port; any user name logs in with DOVECOT_PASSWORD."""

    def __init__(self) -> None:
        binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
        if not Path(binary).exists():
            raise RuntimeError("Dovecot is not installed: run `make test`, which installs dovecot-imapd")
        self.binary = binary
        self.root = Path(tempfile.mkdtemp(prefix="charter-dovecot-"))
        self.root.chmod(0o755)
        (self.root / "mail").mkdir()
        shutil.chown(self.root / "mail", "nobody", "nogroup")
        self.port = free_port()
        self.config = self.root / "dovecot.conf"
        self.config.write_text(_CONFIG.format(root=self.root, port=self.port, password=DOVECOT_PASSWORD))

    def start(self) -> None:
        subprocess.run([self.binary, "-c", str(self.config)], check=True)  # noqa: S603
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"Dovecot did not start: {self.log()}")

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text() if path.exists() else ""

    def stop(self) -> None:
        pid_file = self.root / "run" / "master.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text().strip())
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
        shutil.rmtree(self.root, ignore_errors=True)

    def imap(self, user: str) -> imaplib.IMAP4:
        connection = imaplib.IMAP4("127.0.0.1", self.port)
        connection.login(user, DOVECOT_PASSWORD)
        return connection

    def append(self, user: str, raw: bytes, folder: str = "INBOX") -> None:
        """Deliver `raw` into `user`'s folder the way a mail server would (unread)."""
        connection = self.imap(user)
        try:
            connection.create(folder)
            # typeshed says append returns a str; like every imaplib command it returns (status, data). An
            # empty date_time is None to imaplib (the server stamps the arrival).
            status, _data = cast("tuple[str, list[Any]]", connection.append(folder, "", "", raw))
            assert status == "OK", status
        finally:
            connection.logout()

    def flags(self, user: str, folder: str = "INBOX") -> list[str]:
        """The flags of every message in the folder, in order."""
        connection = self.imap(user)
        try:
            connection.select(folder)
            _status, data = connection.fetch("1:*", "(FLAGS)")
            return [item.decode() for item in data if isinstance(item, bytes)]
        except imaplib.IMAP4.error:
            return []
        finally:
            connection.logout()

    def count(self, user: str, folder: str = "INBOX") -> int:
        connection = self.imap(user)
        try:
            status, data = connection.select(folder)
            return int(data[0]) if status == "OK" and data[0] else 0
        finally:
            connection.logout()


class _Keeper:
    def __init__(self) -> None:
        self.envelopes: list[Any] = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on a free local port, keeping every envelope it accepts; `refuse` maps an address to the
    answer its RCPT gets (e.g. "550 5.1.1 No such user")."""

    def __init__(self) -> None:
        self.handler = _Keeper()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def envelopes(self) -> list[Any]:
        return self.handler.envelopes

    @property
    def refuse(self) -> dict[str, str]:
        return self.handler.refuse

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


def running(server: Any) -> Iterator[Any]:
    server.start()
    try:
        yield server
    finally:
        server.stop()
