"""SQLite writers queue on a file lock beside the database (charter.common.sqlite), not SQLite's busy-wait."""

import threading
import time
from pathlib import Path

import pytest
from django.db import OperationalError, connection, connections, transaction

from charter.common.models import ChangeStamp

pytestmark = [
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own writer queue"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _lock_path() -> Path:
    return Path(f"{connection.settings_dict['NAME']}.writer-lock")


def test_a_transaction_holds_the_writer_lock_until_it_commits_or_rolls_back() -> None:
    with transaction.atomic():
        ChangeStamp.objects.create(name="w-2101", value="x")
        assert connection._writer_lock is not None  # type: ignore[attr-defined]
    assert connection._writer_lock is None  # type: ignore[attr-defined]

    with pytest.raises(RuntimeError), transaction.atomic():
        ChangeStamp.objects.create(name="w-2102", value="x")
        raise RuntimeError
    assert connection._writer_lock is None  # type: ignore[attr-defined]
    assert list(ChangeStamp.objects.filter(name__startswith="w-").values_list("name", flat=True)) == [
        "w-2101"
    ]
    assert _lock_path().exists()


def test_concurrent_writers_take_turns_and_none_is_refused() -> None:
    errors: list[BaseException] = []
    inside = [0]
    overlap = [False]
    guard = threading.Lock()

    def write(year: int) -> None:
        try:
            for offset in range(10):
                with transaction.atomic():
                    with guard:
                        inside[0] += 1
                        overlap[0] |= inside[0] > 1
                    ChangeStamp.objects.create(name=f"t-{year + offset}", value="x")
                    time.sleep(0.002)  # hold the lock a little, as an intake does
                    with guard:
                        inside[0] -= 1
        except BaseException as error:  # the test inspects it
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(3000 + 100 * n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert not overlap[0]  # one writer at a time
    assert ChangeStamp.objects.filter(name__startswith="t-").count() == 40


def test_a_writer_that_waits_too_long_is_refused_as_sqlite_would_refuse_it(
    settings: object,
) -> None:
    import fcntl
    import os

    holder = os.open(_lock_path(), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(holder, fcntl.LOCK_EX)
    options = connection.settings_dict["OPTIONS"]
    timeout = options.get("timeout")
    options["timeout"] = 0.05
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"), transaction.atomic():
            ChangeStamp.objects.create(name="w-2201", value="x")
        assert time.monotonic() - started < 2
        assert connection._writer_lock is None  # type: ignore[attr-defined]
    finally:
        options["timeout"] = timeout
        os.close(holder)
    assert not ChangeStamp.objects.filter(name="w-2201").exists()
