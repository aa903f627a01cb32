"""Fixtures of the improvement tests: complaints with root causes, a QA reviewer, and actions made through
the services."""

import datetime as dt
import itertools
from typing import Any

import pytest
import time_machine

from charter.accounts.models import Customer, Team, User
from charter.accounts.roles import Role
from charter.cases.models import Case
from charter.catalog.models import Service, ServiceCategory
from charter.common.vocabulary import CaseKind
from charter.improvement.models import CorrectiveAction
from charter.improvement.services import corrective_action_open
from tests.accounts.factories import CustomerFactory, TeamMembershipFactory, UserFactory

# A Monday 10:00 in Shanghai.
START = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
_numbers = itertools.count(1)


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def customer(db: None) -> Customer:
    return CustomerFactory.create(name="刘晓梅")


@pytest.fixture
def service(db: None) -> Service:
    category = ServiceCategory.objects.create(slug="water", name_zh="供水", name_en="Water")
    return Service.objects.create(slug="meter-reading", category=category)


@pytest.fixture
def qa_reviewer(db: None) -> User:
    return UserFactory.create(username="quinn", roles=[Role.QA_REVIEWER])


@pytest.fixture
def other_supervisor(other_team: Team) -> User:
    user = UserFactory.create(username="olga", roles=[Role.SUPERVISOR])
    TeamMembershipFactory.create(team=other_team, user=user, is_lead=True)
    return user


def complaint(
    customer: Customer,
    *,
    root_cause: str = "process",
    received_at: dt.datetime = START,
    team: Team | None = None,
    service: Service | None = None,
    kind: str = CaseKind.COMPLAINT,
) -> Case:
    """A complaint stored as it would be after resolution: with its root cause (read-only use of cases)."""
    return Case.objects.create(
        number=f"TS-2026-{next(_numbers):06d}",
        kind=kind,
        channel="web",
        title="抄表错误",
        description="本月水表读数明显不对。",
        customer=customer,
        team=team,
        service=service,
        root_cause=root_cause,
        received_at=received_at,
    )


def open_cluster_action(actor: User, owner: User, cases: list[Case], **overrides: Any) -> CorrectiveAction:
    values: dict[str, Any] = {
        "title": "抄表错误引起的投诉",
        "source_kind": "complaint_cluster",
        "problem": "近三个月多起投诉反映抄表读数错误。",
        "correction": "已为受影响客户重新核算水费。",
        "cause_analysis": "抄表员未执行复核流程。",
        "root_cause": "process",
        "cases": cases,
        "at": START,
    }
    values.update(overrides)
    return corrective_action_open(actor=actor, owner=owner, **values)
