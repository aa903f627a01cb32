"""Fixtures of the SLA tests: calendars, a published service with commitments and policies, built through
the services."""

import datetime as dt
import json
from pathlib import Path

import pytest

from charter.accounts.models import User
from charter.common.vocabulary import CaseKind, Priority
from charter.sla.models import BusinessCalendar, Metric, SlaPolicy, TargetUnit, TimeBasis
from charter.sla.services import (
    CalendarContent,
    PolicyContent,
    TargetContent,
    business_calendar_create,
    sla_policy_create,
    working_week_set,
)
from tests.catalog.conftest import category, draft_service, published_service  # noqa: F401 (fixtures)

OFFICE = ((dt.time(9), dt.time(12)), (dt.time(13, 30), dt.time(17, 30)))
DATA = Path(__file__).resolve().parents[2] / "charter" / "sla" / "data"


def holiday_file(year: int) -> dict[str, object]:
    data: dict[str, object] = json.loads((DATA / f"cn-{year}.json").read_text(encoding="utf-8"))
    return data


def target(metric: str, amount: int, unit: str = TargetUnit.HOURS) -> TargetContent:
    return TargetContent(metric=metric, amount=amount, unit=unit, basis=TimeBasis.WORKING_TIME)


@pytest.fixture
def standard_calendar(administrator: User) -> BusinessCalendar:
    """The default calendar: Monday to Friday, 09:00-12:00 and 13:30-17:30, Asia/Shanghai, no holidays."""
    calendar = business_calendar_create(
        actor=administrator,
        code="cn-standard",
        content=CalendarContent(name_zh="标准日历", name_en="Standard"),
        is_default=True,
    )
    working_week_set(actor=administrator, calendar=calendar, weekdays=range(5), intervals=OFFICE)
    return calendar


@pytest.fixture
def always_calendar(administrator: User) -> BusinessCalendar:
    return business_calendar_create(
        actor=administrator,
        code="24x7",
        content=CalendarContent(name_zh="全天候", name_en="24x7", is_24x7=True),
    )


@pytest.fixture
def complaint_policy(administrator: User) -> SlaPolicy:
    return sla_policy_create(
        actor=administrator,
        content=PolicyContent(
            name_zh="紧急投诉",
            name_en="Urgent complaints",
            case_kinds=[CaseKind.COMPLAINT],
            priorities=[Priority.URGENT],
        ),
        targets=[target(Metric.FIRST_RESPONSE, 2), target(Metric.RESOLUTION, 3, TargetUnit.WORKING_DAYS)],
    )


@pytest.fixture
def default_policy(administrator: User) -> SlaPolicy:
    return sla_policy_create(
        actor=administrator,
        content=PolicyContent(name_zh="默认", name_en="Default"),
        targets=[
            target(Metric.FIRST_RESPONSE, 8),
            target(Metric.NEXT_RESPONSE, 1, TargetUnit.WORKING_DAYS),
            target(Metric.RESOLUTION, 10, TargetUnit.WORKING_DAYS),
        ],
    )
