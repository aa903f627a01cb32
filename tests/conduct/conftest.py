"""Fixtures of the conduct tests: the published code of conduct, alice's acknowledgement of it, and a way to
record violations through the service."""

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine

from charter.accounts.models import User
from charter.conduct.models import LadderStep, Violation
from charter.conduct.services import EvidenceInput, violation_record
from charter.standards.models import StandardClause, StandardDocument, StandardVersion
from charter.standards.services import standard_version_acknowledge
from tests.standards.conftest import Publisher, conduct, conduct_content, publish  # noqa: F401

NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture
def frozen() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def code_v1(conduct: StandardDocument, publish: Publisher) -> StandardVersion:  # noqa: F811
    """The code of conduct, version 1, in force since 2025."""
    return publish(
        conduct,
        [conduct_content("2.3", title_zh="友好耐心、禁用不当言辞"), conduct_content("5.1", title_zh="保密")],
        effective_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )


@pytest.fixture
def clause(code_v1: StandardVersion) -> StandardClause:
    return code_v1.clauses.get(number="2.3")


@pytest.fixture
def acknowledged(code_v1: StandardVersion, member: User) -> StandardVersion:
    """Alice has acknowledged version 1."""
    standard_version_acknowledge(user=member, version=code_v1)
    return code_v1


def step(code: str) -> LadderStep:
    return LadderStep.objects.get(code=code)


Recorder = Callable[..., Violation]


@pytest.fixture
def record(frozen: Any, supervisor: User, member: User, clause: StandardClause) -> Recorder:
    """Record a violation of alice's (by default: minor, clause 2.3, yesterday, by her supervisor)."""

    def _record(**overrides: Any) -> Violation:
        values: dict[str, Any] = {
            "actor": supervisor,
            "staff": member,
            "clause": clause,
            "occurred_at": NOW - DAY,
            "severity": "minor",
            "description": "对客户说“不归我管”。",
            "evidence": [EvidenceInput(kind="observation", text="现场听到。")],
        }
        values.update(overrides)
        return violation_record(**values)

    return _record
