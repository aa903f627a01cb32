import datetime as dt

import pytest
import time_machine
from django.test import Client

from charter.common.models import Heartbeat
from charter.common.tasks import heartbeat_record_task

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_up_and_worker_down_before_any_beat() -> None:
    response = Client().get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["worker"] == {"ok": False, "last_beat_at": None}
    assert body["ok"] is False


def test_heartbeat_task_makes_the_worker_healthy() -> None:
    heartbeat_record_task()  # Huey runs it at once in tests: the same code path the consumer takes.

    body = Client().get("/healthz").json()

    assert body["worker"]["ok"] is True
    assert body["ok"] is True
    assert Heartbeat.objects.count() == 1


def test_a_stale_heartbeat_reports_the_worker_down(settings: object) -> None:
    with time_machine.travel(dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.UTC)):
        heartbeat_record_task()
    with time_machine.travel(dt.datetime(2026, 1, 1, 8, 10, tzinfo=dt.UTC)):
        body = Client().get("/healthz").json()

    assert body["worker"]["ok"] is False
    assert body["worker"]["age_seconds"] == 600.0


def test_heartbeat_twice_keeps_one_row() -> None:
    heartbeat_record_task()
    heartbeat_record_task()

    assert Heartbeat.objects.count() == 1
