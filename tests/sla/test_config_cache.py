"""The per-process snapshot of the SLA configuration: every change is seen by the next lookup, however it
is made, and a lookup while nothing changed costs one query."""

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from charter.accounts.models import Team, User
from charter.catalog.models import Channel
from charter.common.vocabulary import CaseKind, Priority
from charter.sla.models import (
    BusinessCalendar,
    Metric,
    SlaCalendarAssignment,
    SlaPolicy,
    SlaPolicyTarget,
    TargetUnit,
    TimeBasis,
)
from charter.sla.selectors import BUILT_IN_CALENDAR, calendar_for_team, sla_targets_for
from charter.sla.services import PolicyContent, sla_policy_update, working_interval_add

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 6, 2, 2, 0, tzinfo=dt.UTC)


def _first_response() -> int | None:
    targets = {
        t.metric: t
        for t in sla_targets_for(
            kind=CaseKind.COMPLAINT, priority=Priority.NORMAL, service=None, channel=Channel.WEB, at=NOW
        )
    }
    target = targets.get(Metric.FIRST_RESPONSE)
    return target.amount if target is not None else None


def test_a_lookup_while_nothing_changed_costs_one_query(
    default_policy: SlaPolicy, django_assert_max_num_queries: Any
) -> None:
    _first_response()

    with django_assert_max_num_queries(1):
        assert _first_response() == 8


def test_a_policy_changed_through_the_service_is_seen_at_once(
    administrator: User, default_policy: SlaPolicy
) -> None:
    assert _first_response() == 8

    sla_policy_update(
        actor=administrator,
        policy=default_policy,
        content=PolicyContent(name_zh="默认", name_en="Default", case_kinds=[CaseKind.INQUIRY]),
    )

    assert _first_response() is None


def test_rows_written_directly_are_seen_too(default_policy: SlaPolicy) -> None:
    assert _first_response() == 8

    SlaPolicyTarget.objects.filter(policy=default_policy, metric=Metric.FIRST_RESPONSE).update(amount=3)
    assert _first_response() == 3

    urgent = SlaPolicy.objects.create(name_zh="先", ordering=0)
    SlaPolicyTarget.objects.create(
        policy=urgent,
        metric=Metric.FIRST_RESPONSE,
        amount=1,
        unit=TargetUnit.HOURS,
        basis=TimeBasis.WORKING_TIME,
    )
    SlaPolicy.objects.filter(pk=default_policy.pk).update(ordering=5)
    assert _first_response() == 1

    SlaPolicy.objects.filter(pk=urgent.pk).delete()
    assert _first_response() == 3


def test_a_change_rolled_back_leaves_the_old_configuration(default_policy: SlaPolicy) -> None:
    assert _first_response() == 8

    with pytest.raises(RuntimeError), transaction.atomic():
        SlaPolicyTarget.objects.filter(policy=default_policy).update(amount=1)
        assert _first_response() == 1
        raise RuntimeError

    assert _first_response() == 8


def test_a_calendar_assigned_or_edited_is_seen_at_once(
    administrator: User, standard_calendar: BusinessCalendar, always_calendar: BusinessCalendar, team: Team
) -> None:
    assert calendar_for_team(team=team).weekly.get(5, ()) == ()

    working_interval_add(
        actor=administrator, calendar=standard_calendar, weekday=5, start=dt.time(9), end=dt.time(12)
    )
    assert calendar_for_team(team=team).weekly.get(5) == ((dt.time(9), dt.time(12)),)

    SlaCalendarAssignment.objects.create(unit=team.unit, calendar=always_calendar)
    assert calendar_for_team(team=team).always_open

    SlaCalendarAssignment.objects.all().delete()
    BusinessCalendar.objects.filter(pk=standard_calendar.pk).update(is_default=False)
    assert calendar_for_team(team=team) == BUILT_IN_CALENDAR
