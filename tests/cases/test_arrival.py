"""The on-site arrival promise: a service's charter promising a visit within a time starts a clock that staff
stop by recording the arrival, and the published figures count it like any other promise."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from charter.accounts.models import Customer, Team, User
from charter.audit.models import AuditEvent
from charter.cases.errors import ErrorCode
from charter.cases.models import Case, CaseClock, CaseEvent
from charter.cases.services import (
    case_arrival_record,
    case_clocks_sweep,
    case_resolve,
    case_update,
)
from charter.catalog import services as catalog_services
from charter.catalog.models import Service, ServiceCommitment
from charter.common.errors import DomainError, PermissionDeniedError
from charter.reports.selectors import commitment_clocks_by_month
from tests.cases.conftest import MONDAY, new_case
from tests.catalog.conftest import category, draft_service, fill_and_publish  # noqa: F401 (fixtures)
from tests.conftest import api_client_for, client_for, not_none

pytestmark = pytest.mark.django_db

ARRIVAL = CaseClock.Metric.ON_SITE_ARRIVAL
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def repairs(administrator: User, draft_service: Service) -> Service:  # noqa: F811
    """A published service whose charter promises a visit within 2 hours (calendar time)."""
    version = draft_service.versions.get()
    catalog_services.service_commitment_add(
        actor=administrator,
        version=version,
        content=catalog_services.CommitmentContent(
            metric=ServiceCommitment.Metric.ON_SITE_ARRIVAL,
            target_amount=2,
            target_unit=ServiceCommitment.Unit.HOURS,
            time_basis=ServiceCommitment.TimeBasis.CALENDAR_TIME,
            wording_zh="2 小时内到达现场",
            wording_en="On site within 2 hours",
        ),
    )
    fill_and_publish(administrator, version)
    return draft_service


def _arrival(case: Case) -> CaseClock:
    return CaseClock.objects.get(case=case, metric=ARRIVAL)


def test_a_service_that_promises_a_visit_starts_an_arrival_clock_from_its_charter(
    frozen: Any, routed_team: Team, customer: Customer, repairs: Service
) -> None:
    case = new_case(None, customer, service=repairs)
    other = new_case(None, customer)

    clock = _arrival(case)
    commitment = ServiceCommitment.objects.get(metric=ServiceCommitment.Metric.ON_SITE_ARRIVAL)
    assert clock.status == "running" and clock.target_source == f"commitment:{commitment.pk}"
    assert clock.due_at == case.received_at + 2 * HOUR
    assert not CaseClock.objects.filter(case=other, metric=ARRIVAL).exists()


def test_recording_the_arrival_on_time_keeps_the_promise_and_tells_the_customer(
    frozen: Any, routed_team: Team, customer: Customer, repairs: Service
) -> None:
    case = new_case(None, customer, service=repairs)
    frozen.shift(HOUR)

    case = case_arrival_record(actor=not_none(case.assignee), case=case, expected_version=case.version)

    clock = _arrival(case)
    assert clock.status == "met" and clock.met_at == MONDAY + HOUR
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.ARRIVED_ON_SITE)
    assert not event.is_internal and event.data["met"] is True
    assert AuditEvent.objects.filter(action="cases.arrival").count() == 1
    with pytest.raises(DomainError) as again:
        case_arrival_record(actor=not_none(case.assignee), case=case)
    assert again.value.code == ErrorCode.NO_ARRIVAL_PROMISED


def test_a_visit_may_be_logged_afterwards_until_the_sweep_records_the_breach(
    frozen: Any, routed_team: Team, customer: Customer, repairs: Service
) -> None:
    logged_afterwards = new_case(None, customer, service=repairs)
    late = new_case(None, customer, service=repairs)
    flagged = new_case(None, customer, service=repairs)
    frozen.shift(90 * MINUTE)
    case_arrival_record(
        actor=not_none(logged_afterwards.assignee), case=logged_afterwards, arrived_at=MONDAY + HOUR
    )
    frozen.shift(90 * MINUTE)
    assert case_clocks_sweep().breached == 2  # nothing recorded for the other two by the due time

    case_arrival_record(actor=not_none(late.assignee), case=late)
    # On time by the visit's own account, but logged after the breach was recorded (and perhaps published).
    shanghai = (MONDAY + 90 * MINUTE).astimezone(ZoneInfo("Asia/Shanghai"))
    case_arrival_record(actor=not_none(flagged.assignee), case=flagged, arrived_at=shanghai)

    kept = _arrival(logged_afterwards)
    assert kept.status == "met" and kept.met_at == MONDAY + HOUR
    assert _arrival(late).status == "breached" and _arrival(flagged).status == "breached"
    arrival = CaseEvent.objects.get(case=flagged, kind=CaseEvent.Kind.ARRIVED_ON_SITE)
    assert arrival.data == {"at": (MONDAY + 90 * MINUTE).isoformat(), "met": False}  # in UTC
    page = client_for(not_none(flagged.assignee)).get(reverse("cases:desk_case", args=[flagged.number]))
    label = f"<td>{CaseClock.Metric.ON_SITE_ARRIVAL.label}</td>"
    row = next(r for r in page.content.decode().split("<tr>") if r.startswith(label))
    assert "badge bad" in row
    (per_month,) = commitment_clocks_by_month(months=[dt.date(2026, 3, 1)]).values()
    assert (per_month[dt.date(2026, 3, 1)].met, per_month[dt.date(2026, 3, 1)].finished) == (1, 3)


def test_the_arrival_time_must_lie_between_receipt_and_now_and_only_staff_record_it(
    frozen: Any, routed_team: Team, customer: Customer, customer_user: User, repairs: Service
) -> None:
    case = new_case(None, customer, service=repairs)
    version = Case.objects.get(pk=case.pk).version

    for when in (MONDAY - HOUR, MONDAY + HOUR):
        with pytest.raises(DomainError) as refused:
            case_arrival_record(actor=not_none(case.assignee), case=case, arrived_at=when)
        assert refused.value.field == "arrived_at"
    with pytest.raises(PermissionDeniedError):
        case_arrival_record(actor=customer_user, case=case)
    assert _arrival(case).status == "running" and Case.objects.get(pk=case.pk).version == version


def test_resolving_before_any_visit_ends_the_promise_by_the_resolution_time(
    frozen: Any, routed_team: Team, customer: Customer, repairs: Service
) -> None:
    case = new_case(None, customer, service=repairs)
    frozen.shift(HOUR)

    case_resolve(actor=not_none(case.assignee), case=case, outcome="answered", reasons="电话指导后已恢复供水")

    assert _arrival(case).status == "met"


def test_the_case_page_and_the_api_record_the_arrival(
    frozen: Any, routed_team: Team, customer: Customer, customer_user: User, outsider: User, repairs: Service
) -> None:
    case = new_case(None, customer, service=repairs)
    page = reverse("cases:desk_case", args=[case.number])
    agent = client_for(not_none(case.assignee))
    assert 'value="arrival"' in agent.get(page).content.decode()

    future = agent.post(
        page, {"action": "arrival", "arrived_at": "2026-03-02T23:00", "version": case.version}
    )
    assert future.status_code == 200 and "arrived_at" in future.context["forms"]["arrival"].errors
    recorded = agent.post(page, {"action": "arrival", "arrived_at": "", "version": case.version})

    assert recorded.status_code == 302 and _arrival(case).status == "met"
    assert 'value="arrival"' not in agent.get(page).content.decode()  # nothing left to record

    second = new_case(None, customer, service=repairs)
    url = f"/api/v1/cases/{second.pk}/arrival/"
    assert (
        api_client_for(customer_user).post(url, {"version": second.version}, format="json").status_code == 403
    )
    assert api_client_for(outsider).post(url, {}, format="json").status_code == 404
    response = api_client_for(not_none(second.assignee)).post(url, {"version": second.version}, format="json")
    assert response.status_code == 200
    assert {c["metric"]: c["status"] for c in response.json()["clocks"]}[ARRIVAL] == "met"
    refused = api_client_for(not_none(second.assignee)).post(
        url, {"version": response.json()["version"]}, format="json"
    )
    assert refused.status_code == 400 and refused.json()["code"] == ErrorCode.NO_ARRIVAL_PROMISED


def test_changing_the_service_starts_or_cancels_the_arrival_promise(
    frozen: Any, routed_team: Team, customer: Customer, repairs: Service, member: User
) -> None:
    case = new_case(None, customer)
    frozen.shift(dt.timedelta(minutes=10))

    case = case_update(
        actor=not_none(case.assignee), case=case, expected_version=case.version, service=repairs
    )

    clock = _arrival(case)
    assert clock.status == "running" and clock.due_at == MONDAY + 2 * HOUR  # from the receipt
    case = case_update(actor=not_none(case.assignee), case=case, expected_version=case.version, service=None)
    assert _arrival(case).status == "cancelled"
    case = case_update(
        actor=not_none(case.assignee), case=case, expected_version=case.version, service=repairs
    )
    statuses = sorted(CaseClock.objects.filter(case=case, metric=ARRIVAL).values_list("status", flat=True))
    assert statuses == ["cancelled", "running"]  # back on the service that promises a visit
