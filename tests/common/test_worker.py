"""The real worker: a task enqueued by one process is run by `manage.py run_huey` in another.

Both queue back-ends are exercised: Huey's SQLite store (the default) and Redis (when REDIS_URL is set).
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from charter.common.models import Heartbeat

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings["USER"] or "postgres"
    return (
        f"postgres://{user}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    )


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "charter.config.settings",
            "CHARTER_VAR_DIR": str(tmp_path),
            "DATABASE_URL": _database_url(),
        }
    )
    env.update(extra)
    return env


def _pending(env: dict[str, str]) -> int:
    manage = [sys.executable, str(ROOT / "manage.py")]
    code = "from huey.contrib.djhuey import HUEY; print(HUEY.pending_count())"
    result = subprocess.run(  # noqa: S603
        [*manage, "shell", "-c", code],
        env=env,
        check=True,
        cwd=ROOT,
        timeout=60,
        capture_output=True,
        text=True,
    )
    return int(result.stdout.strip().splitlines()[-1])


def _enqueue_and_work(env: dict[str, str]) -> None:
    manage = [sys.executable, str(ROOT / "manage.py")]
    enqueue = "from charter.common.tasks import heartbeat_record_task; heartbeat_record_task()"
    subprocess.run([*manage, "shell", "-c", enqueue], env=env, check=True, cwd=ROOT, timeout=60)  # noqa: S603
    assert not Heartbeat.objects.exists(), "the task ran in the enqueueing process instead of the worker"
    assert _pending(env) == 1
    worker = subprocess.Popen([*manage, "run_huey", "--quiet", "--workers", "1"], env=env, cwd=ROOT)  # noqa: S603
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not Heartbeat.objects.filter(name="worker").exists():
            time.sleep(0.3)
        while time.monotonic() < deadline and _pending(env):
            time.sleep(0.3)
    finally:
        worker.terminate()
        worker.wait(timeout=15)
    assert _pending(env) == 0, "the worker did not take the task off the queue"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_runs_a_task_from_the_sqlite_queue(tmp_path: Path) -> None:
    _enqueue_and_work(_env(tmp_path))

    assert Heartbeat.objects.filter(name="worker").exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_runs_a_task_from_the_redis_queue(tmp_path: Path, redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    client.ping()  # Redis is part of the test environment (tests/redis_server.py): fail, never skip.
    env = _env(tmp_path, REDIS_URL=redis_url, CHARTER_HUEY_NAME=f"charter-test-{uuid.uuid4().hex[:8]}")

    _enqueue_and_work(env)

    assert Heartbeat.objects.filter(name="worker").exists()
    assert not (tmp_path / "huey.sqlite3").exists()
