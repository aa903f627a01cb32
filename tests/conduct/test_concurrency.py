"""Two workers sweeping the same deadline at once handle it once (PostgreSQL, real threads)."""

import datetime as dt
import threading

import pytest
from django.db import connection

from charter.accounts.models import User
from charter.conduct.models import Violation, ViolationEvent
from charter.conduct.services import violation_deadlines_run, violation_decide
from charter.standards.models import StandardVersion
from tests.conduct.conftest import NOW, Recorder, step


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers anyway")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_close_the_response_window_once(
    record: Recorder, supervisor: User, acknowledged: StandardVersion
) -> None:
    violation = record()
    violation_decide(actor=supervisor, violation=violation, step=step("education"))
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def sweep(index: int) -> None:
        try:
            barrier.wait()
            results[index] = violation_deadlines_run(at=NOW + dt.timedelta(days=5, minutes=1))
        except Exception as error:  # the test inspects it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [0, 1], results  # type: ignore[type-var]
    assert Violation.objects.get().status == Violation.Status.IN_EFFECT
    closed = ViolationEvent.objects.filter(kind=ViolationEvent.Kind.RESPONSE_WINDOW_CLOSED)
    assert closed.count() == 1
