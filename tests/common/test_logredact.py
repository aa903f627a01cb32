"""Secret links (tracking, survey and password-reset tokens) never reach the logs."""

import datetime as dt
import io
import logging
import sys
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from django.test import Client
from gunicorn.config import Config

from charter.common.logredact import GunicornLogger, RedactSecretsFilter, redact

TOKEN = "v1.Zx8-secret_TOKEN.value"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"Not Found: /track/{TOKEN}/", "Not Found: /track/[redacted]/"),
        (f"GET /track/{TOKEN}/files/3/?x=1 HTTP/1.1", "GET /track/[redacted]/files/3/?x=1 HTTP/1.1"),
        (f"https://fw.example.cn/s/{TOKEN}/?score=5", "https://fw.example.cn/s/[redacted]/?score=5"),
        (f"/accounts/reset/MTI/{TOKEN}/", "/accounts/reset/MTI/[redacted]/"),
        ("GET /desk/cases/TS-2026-000001/ HTTP/1.1", "GET /desk/cases/TS-2026-000001/ HTTP/1.1"),
        ("/desk/surveys/results/", "/desk/surveys/results/"),
    ],
)
def test_redact_replaces_only_the_token_of_secret_links(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the configured console handler writes (the handler the settings install on the root logger)."""
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, RedactSecretsFilter) for f in handler.filters)
    ]
    assert handlers, "the console handler carries the redacting filter"
    stream = io.StringIO()
    previous = [handler.setStream(stream) for handler in handlers]  # type: ignore[attr-defined]
    yield stream
    for handler, old in zip(handlers, previous, strict=True):
        handler.setStream(old)  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_a_404_on_a_tracking_link_is_logged_without_its_token(console: io.StringIO) -> None:
    response = Client().get(f"/track/{TOKEN}/")

    assert response.status_code == 404
    logged = console.getvalue()
    assert "/track/[redacted]/" in logged
    assert TOKEN not in logged


def test_a_refused_page_is_one_line_and_a_server_error_keeps_its_traceback(console: io.StringIO) -> None:
    def record(level: int, message: str, status: int) -> logging.LogRecord:
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            made = logging.makeLogRecord(
                {"name": "django.request", "levelno": level, "levelname": logging.getLevelName(level)}
            )
            made.msg, made.status_code, made.exc_info = message, status, sys.exc_info()
        return made

    for each in (
        record(logging.WARNING, "Forbidden: /x", 403),
        record(logging.ERROR, "Server Error: /y", 500),
    ):
        logging.getLogger("django.request").handle(each)

    logged = console.getvalue()
    assert "Forbidden: /x" in logged and "Server Error: /y" in logged
    assert logged.count("Traceback") == 1 and logged.index("Traceback") > logged.index("Server Error")


def test_gunicorns_access_log_redacts_the_request_line_path_and_referrer() -> None:
    logger = GunicornLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/track/{TOKEN}/",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": f"/track/{TOKEN}/",
        "QUERY_STRING": "",
        "HTTP_REFERER": f"https://fw.example.cn/s/{TOKEN}/",
        "REMOTE_ADDR": "10.0.0.8",
    }
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    request = SimpleNamespace(headers=[("REFERER", f"https://fw.example.cn/s/{TOKEN}/")])

    atoms = logger.atoms(response, request, environ, dt.timedelta(milliseconds=12))

    assert atoms["r"] == "GET /track/[redacted]/ HTTP/1.1"
    assert atoms["U"] == "/track/[redacted]/"
    assert atoms["f"] == atoms["{referer}i"] == "https://fw.example.cn/s/[redacted]/"
    assert TOKEN not in repr(atoms)


def test_a_malformed_log_call_does_not_raise_into_the_caller() -> None:
    record = logging.makeLogRecord({"name": "charter", "msg": "%d cases", "args": ("many",)})

    assert RedactSecretsFilter().filter(record) is True  # the handler reports it, as it would without us


def test_gunicorns_error_log_is_redacted_too() -> None:
    logger = GunicornLogger(Config())
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.error_log.addHandler(handler)
    try:
        logger.error("Error handling request %s", f"/track/{TOKEN}/")
    finally:
        logger.error_log.removeHandler(handler)

    assert "/track/[redacted]/" in stream.getvalue() and TOKEN not in stream.getvalue()
