"""Fixtures of the cases tests: a customer, routed teams and cases made through the services."""

import datetime as dt
from typing import Any

import pytest
import time_machine

from charter.accounts.models import Customer, Team, User
from charter.cases.models import Case, TeamRouting
from charter.cases.services import case_create
from tests.accounts.factories import CustomerFactory

# A Monday 10:00 in Shanghai (02:00 UTC): inside the built-in office hours.
MONDAY = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def customer(customer_user: User) -> Customer:
    """The signed-in customer Carol's record."""
    return CustomerFactory.create(user=customer_user, name="刘晓梅")


@pytest.fixture
def other_customer(db: None) -> Customer:
    return CustomerFactory.create(name="Jane Smith")


@pytest.fixture
def routed_team(team: Team, member: User, teammate: User) -> Team:
    """`team` as the default team, handing out cases by round robin between alice and bob."""
    TeamRouting.objects.create(team=team, mode=TeamRouting.Mode.ROUND_ROBIN, is_default=True)
    return team


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def new_case(actor: User | None, customer: Customer, **overrides: Any) -> Case:
    """A case made through case_create, by default an inquiry from the web."""
    values: dict[str, Any] = {
        "kind": "inquiry",
        "channel": "web",
        "title": "水费账单疑问",
        "description": "三月账单金额比平时高很多。",
    }
    values.update(overrides)
    return case_create(actor=actor, customer=customer, **values)
