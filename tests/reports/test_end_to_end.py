"""The figures of cases worked through the real services: the clocks carry their commitment, the refresh
counts them."""

import datetime as dt

import pytest
import time_machine

from charter.accounts.models import Customer, Team, User
from charter.cases.models import CaseClock, TeamRouting
from charter.cases.services import case_create, case_resolve
from charter.catalog.models import Service, ServiceCommitment
from charter.reports.models import ServicePeriodFigures
from charter.reports.services import figures_refresh
from tests.reports.conftest import commitment, local

pytestmark = pytest.mark.django_db


def test_a_case_resolved_in_time_counts_as_kept(
    service: Service, customer: Customer, team: Team, member: User
) -> None:
    TeamRouting.objects.create(team=team, mode=TeamRouting.Mode.ROUND_ROBIN, is_default=True)
    resolution = commitment(service, ServiceCommitment.Metric.RESOLUTION)
    with time_machine.travel(local(2026, 10, 12, 10, 0), tick=False):  # a Monday morning
        case = case_create(
            actor=None,
            kind="service_request",
            channel="web",
            customer=customer,
            title="申请接水",
            description="新房需要接通自来水。",
            service=service,
        )
    clock = CaseClock.objects.get(case=case, metric="resolution")
    assert clock.target_source == f"commitment:{resolution.pk}"
    with time_machine.travel(local(2026, 10, 12, 15, 0), tick=False):
        case_resolve(actor=member, case=case, outcome="done", reasons="已接通。")

    figures_refresh(at=local(2026, 11, 2, 8, 0))

    row = ServicePeriodFigures.objects.get(
        service=service, period_kind="month", period_start=dt.date(2026, 10, 1)
    )
    assert row.cases_handled == 1
    kept = next(e for e in row.commitments if e["commitment_id"] == resolution.pk)
    assert (kept["met"], kept["finished"]) == (1, 1)
