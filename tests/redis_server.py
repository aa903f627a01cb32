"""A real Redis for the tests that need one (the worker's Redis queue, the cache shared by web processes).

`CHARTER_TEST_REDIS_URL` names one to use (e.g. redis://127.0.0.1:6379/15); otherwise the tests start their
own `redis-server` on a free local port with no persistence, as they start Dovecot, so they neither need nor
touch a Redis already running on the machine. `make test` installs Debian's redis-server when it is missing;
a machine without it fails these tests rather than skipping them.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def redis_server() -> Iterator[str]:
    """Yield the URL of a Redis database for the tests; stop the server if this started it."""
    configured = os.environ.get("CHARTER_TEST_REDIS_URL")
    if configured:
        yield configured
        return
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        raise RuntimeError(
            "redis-server is not installed: run `make test`, which installs Debian's redis-server"
        )
    port = _free_port()
    folder = tempfile.mkdtemp(prefix="charter-redis-")
    command = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    server = subprocess.Popen(  # noqa: S603
        [*command, "--dir", folder], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {port}") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
