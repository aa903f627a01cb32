"""Huey's Django task decorators with types.

Huey ships no type hints, so under mypy's strict mode a task decorated straight from huey would become untyped
and every call that enqueues it unchecked. These wrappers return huey's own decorators unchanged; they only
tell mypy what the decorated function becomes.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any, ParamSpec, Protocol, TypeVar, cast

from huey.api import Result
from huey.contrib import djhuey

P = ParamSpec("P")
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)
Hook = TypeVar("Hook", bound=Callable[[], None])


class Task(Protocol[P, R_co]):
    """A function huey runs in the background: calling it enqueues it, `call_local` runs it here and now."""

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Result | None: ...

    def call_local(self, *args: P.args, **kwargs: P.kwargs) -> R_co: ...


def db_task(**options: Any) -> Callable[[Callable[P, R]], Task[P, R]]:
    """Declare a background task that uses the database (huey's `db_task`, its options passed on as given).

    Calling the task enqueues it; the worker closes stale database connections around each run.
    """
    return cast("Callable[[Callable[P, R]], Task[P, R]]", djhuey.db_task(**options))


def db_periodic_task(
    validate_datetime: Callable[[datetime], bool], **options: Any
) -> Callable[[Callable[[], R]], Task[[], R]]:
    """Declare a task the worker runs at each minute `validate_datetime` (usually huey's `crontab`) accepts.

    Options are huey's `db_periodic_task` options, passed on as given.
    """
    return cast(
        "Callable[[Callable[[], R]], Task[[], R]]", djhuey.db_periodic_task(validate_datetime, **options)
    )


def on_startup(name: str | None = None) -> Callable[[Hook], Hook]:
    """Register a function every worker runs once when it starts (huey's `on_startup`); it stays callable."""
    return cast("Callable[[Hook], Hook]", djhuey.on_startup(name))
