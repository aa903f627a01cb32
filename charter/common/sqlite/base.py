"""Django's SQLite backend, with writers queued on a file lock instead of SQLite's busy-wait.

Every write transaction here starts with `BEGIN IMMEDIATE` (settings), so writers take turns. SQLite makes a
writer that finds the lock taken sleep and retry with growing pauses (1, 2, 5, 10 … 100 ms), so under
concurrent intake the database lock often sits free while the next writer is still asleep: two gunicorn
workers used one core between them. Here a transaction first takes an exclusive `flock` on a file beside the
database, retried every half millisecond, so the next writer starts within half a millisecond of the last
commit; the lock is given back at commit, rollback or close. The wait is bounded by the same timeout as
SQLite's (OPTIONS["timeout"]), after which it fails as SQLite would ("database is locked").
"""

import fcntl
import os
import time

from django.db import OperationalError
from django.db.backends.sqlite3 import base

POLL_SECONDS = 0.0005


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_lock: int | None = None

    def _writer_lock_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if not name or name == ":memory:" or name.startswith("file:") or self.is_in_memory_db():
            return None
        return f"{name}.writer-lock"

    def _writer_lock_acquire(self) -> None:
        path = self._writer_lock_path()
        if path is None or self._writer_lock is not None:
            return
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + float(self.settings_dict["OPTIONS"].get("timeout", 5))
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(descriptor)
                    raise OperationalError("database is locked") from None
                time.sleep(POLL_SECONDS)
            else:
                self._writer_lock = descriptor
                return

    def _writer_lock_release(self) -> None:
        descriptor, self._writer_lock = self._writer_lock, None
        if descriptor is not None:
            os.close(descriptor)  # closing the descriptor gives the lock back

    def _start_transaction_under_autocommit(self) -> None:
        self._writer_lock_acquire()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # Django's hook, not in its stubs
        except BaseException:
            self._writer_lock_release()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]  # Django's hook, not in its stubs
        finally:
            self._writer_lock_release()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]  # Django's hook, not in its stubs
        finally:
            self._writer_lock_release()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]  # Django's hook, not in its stubs
        finally:
            self._writer_lock_release()
