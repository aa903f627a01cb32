"""Structured logs: one JSON line per event, the request id from balancer to tasks, secrets redacted."""

import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from huey.contrib.djhuey import HUEY

from charter.common.logging import (
    JsonFormatter,
    RequestContextFilter,
    request_id_from_header,
    request_id_of_task,
    request_id_var,
    task_id_with_request,
)
from charter.common.logredact import RedactSecretsFilter
from charter.common.taskqueue import db_task
from tests.common.test_production_settings import SETUP, _run
from tests.common.test_settings import _production

pytestmark = pytest.mark.django_db

task_logger = logging.getLogger("charter.tests.task")


@db_task()
def _logging_task(number: int) -> int:
    task_logger.warning("task ran with %s", number)
    return number


def _json_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactSecretsFilter())
    handler.addFilter(RequestContextFilter())
    logger, requests = logging.getLogger("charter"), logging.getLogger("charter.request")
    levels = logger.level, requests.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    requests.setLevel(logging.INFO)  # as in production (JSON logs); development leaves it to runserver
    try:
        yield output
    finally:
        logger.removeHandler(handler)
        logger.setLevel(levels[0])
        requests.setLevel(levels[1])


def test_each_request_gets_an_id_in_its_answer_and_one_json_line(stream: io.StringIO, member: Any) -> None:
    client = Client()
    client.force_login(member)

    response = client.get("/healthz")

    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    (line,) = [line for line in _json_lines(stream) if line["logger"] == "charter.request"]
    assert line["request_id"] == request_id
    assert line["route"] == "healthz"
    assert line["status"] == 200
    assert line["level"] == "INFO"
    assert line["message"] == "GET healthz 200"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])
    # The person is named by his id only: no user name, no e-mail address in the line.
    assert line["user_id"] == member.pk
    assert member.username not in json.dumps(line)


def test_a_well_formed_request_id_from_the_balancer_is_kept(stream: io.StringIO) -> None:
    response = Client().get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.2_x")

    assert response["X-Request-ID"] == "lb-7f3a.2_x"
    assert _json_lines(stream)[-1]["request_id"] == "lb-7f3a.2_x"
    assert "user_id" not in _json_lines(stream)[-1]


@pytest.mark.parametrize("given", ["", "a b", "x" * 65, 'id"\n{"level":"ERROR"}', "ü-id", "id~task"])
def test_a_malformed_request_id_is_replaced_by_a_fresh_one(stream: io.StringIO, given: str) -> None:
    assert re.fullmatch(r"[0-9a-f]{32}", request_id_from_header(given))

    response = Client().get("/healthz", HTTP_X_REQUEST_ID=given)

    assert response["X-Request-ID"] != given
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_a_task_enqueued_during_a_request_logs_with_its_request_id(stream: io.StringIO) -> None:
    token = request_id_var.set("req-42")
    try:
        result = _logging_task(7)  # immediate in tests: enqueued, then run through the consumer's hooks
        # After the task, the request's own id is still in force.
        assert request_id_var.get() == "req-42"
    finally:
        request_id_var.reset(token)

    assert result is not None and result.id.endswith("~req-42")
    (line,) = [line for line in _json_lines(stream) if line["logger"] == "charter.tests.task"]
    assert line["message"] == "task ran with 7"
    assert line["request_id"] == "req-42"
    assert line["task"] == "_logging_task"


def test_the_request_id_survives_the_queue_and_a_task_outside_a_request_has_none(stream: io.StringIO) -> None:
    token = request_id_var.set("req-43")
    try:
        task = _logging_task.s(1)  # type: ignore[attr-defined]
        HUEY._emit("enqueued", task)  # what Huey does before it serialises the task for Redis
    finally:
        request_id_var.reset(token)
    # A consumer reads the message back: the id, and so the request id, comes with it.
    received = HUEY.deserialize_task(HUEY.serialize_task(task))
    assert request_id_of_task(received.id) == "req-43"
    assert received.revoke_id == f"r:{received.id}"

    _logging_task(2)

    line = [line for line in _json_lines(stream) if line["logger"] == "charter.tests.task"][-1]
    assert "request_id" not in line


def test_task_ids_carry_at_most_one_well_formed_request_id() -> None:
    stamped = task_id_with_request("0b5c", "req-1")
    assert stamped == "0b5c~req-1"
    assert task_id_with_request(stamped, "req-2") == stamped  # a retried task keeps its first request
    assert task_id_with_request("0b5c", None) == "0b5c"
    assert request_id_of_task("0b5c") is None
    assert request_id_of_task("0b5c~bad id") is None


def test_json_lines_redact_secret_links_in_messages_and_tracebacks(stream: io.StringIO) -> None:
    logger = logging.getLogger("charter.tests.redact")
    secret = "AbCdEf0123456789secret"
    logger.warning("opened /track/%s/ from a mail", secret)
    try:
        raise ValueError(f"no case for /track/{secret}/")
    except ValueError:
        logger.exception("lookup failed")

    text = stream.getvalue()
    assert secret not in text
    first, second = _json_lines(stream)
    assert first["message"] == "opened /track/[redacted]/ from a mail"
    assert second["level"] == "ERROR"
    assert "ValueError: no case for /track/[redacted]/" in second["error"]


def test_a_secret_link_in_a_refused_path_is_redacted_in_the_django_line(stream: io.StringIO) -> None:
    secret = "ZZsecretTOKEN987654321"
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactSecretsFilter())
    handler.addFilter(RequestContextFilter())
    django_request = logging.getLogger("django.request")
    django_request.addHandler(handler)
    try:
        response = Client().get(f"/track/{secret}/")
    finally:
        django_request.removeHandler(handler)

    text = stream.getvalue()
    assert secret not in text
    assert "[redacted]" in text
    request_line = [line for line in _json_lines(stream) if line["logger"] == "charter.request"][-1]
    assert request_line["status"] == response.status_code
    assert request_line["request_id"] == response["X-Request-ID"]


def test_production_writes_json_lines_by_default_and_development_plain() -> None:
    show = (
        SETUP + "import logging; logging.getLogger('charter.x').warning('hello'); print(s.CHARTER_LOG_FORMAT)"
    )

    production = _run(_production(), show)
    development = _run({"DJANGO_SETTINGS_MODULE": "charter.config.settings"}, show)
    plain_production = _run(_production(CHARTER_LOG_FORMAT="plain"), show)

    assert production.returncode == 0, production.stderr
    assert production.stdout.split() == ["json"]
    line = json.loads(production.stderr.strip().splitlines()[-1])
    assert (line["level"], line["logger"], line["message"]) == ("WARNING", "charter.x", "hello")
    assert development.stdout.split() == ["plain"]
    assert "WARNING charter.x hello" in development.stderr
    assert plain_production.stdout.split() == ["plain"]
