"""Structured logs: one JSON object a line, and the request id that ties a request to the tasks it enqueued.

`RequestIdMiddleware` (first in MIDDLEWARE) takes the balancer's `X-Request-ID` when it is well formed
(1-64 letters, digits, `.`, `_`, `-`), makes one otherwise, answers it in the `X-Request-ID` header and logs
one line per request (logger `charter.request`: method, route name, status, duration, the user's id). While
the request runs, every log record carries its request id, route and user id (`RequestContextFilter`);
a Huey task enqueued during the request carries the request id in its task id, and the worker puts it back
into the context while the task runs (`task_hooks_register`), so the task's lines carry the same id.

`JsonFormatter` writes each record as one line: time (UTC, ISO 8601), level, logger, message, request_id,
user_id (an id, never a name or an address), route, status, duration_ms, task, and the traceback of an
error. Secret links are redacted by `RedactSecretsFilter` before the message is formatted and again in the
traceback here. `CHARTER_LOG_FORMAT` (settings) chooses `json` (the default in production) or `plain`.
"""

import datetime as dt
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar, Token
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

from charter.common.logredact import redact

REQUEST_ID_HEADER = "X-Request-ID"
_WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Between the task's own id and the request id in a Huey task id; never in a well-formed request id.
_TASK_ID_SEPARATOR = "~"

request_id_var: ContextVar[str | None] = ContextVar("charter_request_id", default=None)
route_var: ContextVar[str | None] = ContextVar("charter_route", default=None)
user_id_var: ContextVar[int | None] = ContextVar("charter_user_id", default=None)
task_var: ContextVar[str | None] = ContextVar("charter_task", default=None)

request_logger = logging.getLogger("charter.request")


def request_id_new() -> str:
    """Return a fresh request id (32 hexadecimal digits)."""
    return uuid.uuid4().hex


def request_id_from_header(value: str | None) -> str:
    """Return the balancer's request id when it is well formed, else a fresh one (never the raw header:
    it goes into every log line, so it must not carry newlines, quotes or unbounded text)."""
    if value and _WELL_FORMED.fullmatch(value):
        return value
    return request_id_new()


def route_name(request: HttpRequest) -> str:
    """The name of the route that answered `request` (`cases:desk_detail`), its pattern if it has no name,
    `static` for a static file, `unresolved` when no route matched: a bounded set of values, never the path
    (which holds ids and secret tokens)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        # WhiteNoise answers static files before any route is resolved.
        return "static" if request.path.startswith(settings.STATIC_URL or "/static/") else "unresolved"
    return match.view_name or match.route or "unnamed"


def _user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id, without loading the user for a request that never looked at him."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


class RequestIdMiddleware:
    """Give every request an id, answer it in X-Request-ID, and log one line when the answer is ready."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from_header(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        tokens = (request_id_var.set(request_id), route_var.set(None), user_id_var.set(None))
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration = time.perf_counter() - started
            route = route_name(request)
            route_var.set(route)
            user_var_token = user_id_var.set(_user_id(request))
            response[REQUEST_ID_HEADER] = request_id
            request_logger.info(
                "%s %s %s",
                request.method,
                route,
                response.status_code,
                extra={"status": response.status_code, "duration_ms": round(duration * 1000, 1)},
            )
            user_id_var.reset(user_var_token)
            return response
        finally:
            request_id_var.reset(tokens[0])
            route_var.reset(tokens[1])
            user_id_var.reset(tokens[2])

    def process_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        """Once the route is known (and the user can be), every line the view logs carries them."""
        route_var.set(route_name(request))
        user_id_var.set(_user_id(request))


class RequestContextFilter(logging.Filter):
    """Put the current request id, route, user id and task on every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in (
            ("request_id", request_id_var),
            ("route", route_var),
            ("user_id", user_id_var),
            ("task", task_var),
        ):
            if getattr(record, name, None) is None:
                setattr(record, name, var.get())
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: what happened, when (UTC), where, for which request, and how it ended."""

    FIELDS = ("request_id", "user_id", "route", "status", "duration_ms", "task")

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for field in self.FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["error"] = redact(record.exc_text)
        return json.dumps(entry, ensure_ascii=False, default=str)


# Huey: the request id travels in the task id (`<task uuid>~<request id>`), so no task's arguments change
# and a worker of an older release still runs the task.


def task_id_with_request(task_id: str, request_id: str | None) -> str:
    """Return the task id that carries `request_id` (unchanged without one, or when it carries one)."""
    if not request_id or _TASK_ID_SEPARATOR in task_id:
        return task_id
    return f"{task_id}{_TASK_ID_SEPARATOR}{request_id}"


def request_id_of_task(task_id: str) -> str | None:
    """Return the request id a task id carries, None if it carries none."""
    _own, separator, request_id = task_id.partition(_TASK_ID_SEPARATOR)
    return request_id if separator and _WELL_FORMED.fullmatch(request_id) else None


def task_hooks_register(huey: Any) -> None:
    """Connect the request id to `huey`'s tasks: stamped into the id at enqueue, restored while running.

    Safe to call twice (the hooks are registered by name, the signal receiver once).
    """
    from huey import signals

    if getattr(huey, "_charter_request_id_hooks", False):
        return
    # The context each running task replaced, restored after it: with `immediate` (tests) a task runs
    # inside the request that enqueued it.
    saved: dict[int, tuple[Token[str | None], Token[str | None]]] = {}

    def stamp(signal: str, task: Any, *args: Any) -> None:
        stamped = task_id_with_request(task.id, request_id_var.get())
        if stamped != task.id:
            task.id, task.revoke_id = stamped, f"r:{stamped}"

    def enter(task: Any) -> None:
        saved[id(task)] = (request_id_var.set(request_id_of_task(task.id)), task_var.set(task.name))

    def leave(task: Any, task_value: Any, exception: BaseException | None) -> None:
        tokens = saved.pop(id(task), None)
        if tokens is not None:
            request_id_var.reset(tokens[0])
            task_var.reset(tokens[1])

    huey.signal(signals.SIGNAL_ENQUEUED)(stamp)
    huey.pre_execute(name="charter_request_id")(enter)
    huey.post_execute(name="charter_request_id")(leave)
    huey._charter_request_id_hooks = True
