"""The refresh of the published figures: what each figure counts, the period boundaries, idempotence."""

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charter.accounts.models import Customer, User
from charter.audit.models import AuditEvent
from charter.catalog.models import Service, ServiceCommitment
from charter.common.errors import DomainError, PermissionDeniedError
from charter.reports.models import DisclosureSettings, ServicePeriodFigures
from charter.reports.services import disclosure_settings_save, figures_refresh
from charter.surveys.models import SurveyVersion
from tests.reports.conftest import commitment, local, make_case, make_clock, make_response

pytestmark = pytest.mark.django_db

# Early November 2026: October is the last full month, the third quarter the last full quarter.
NOVEMBER = local(2026, 11, 5, 9, 0)
RESOLUTION = ServiceCommitment.Metric.RESOLUTION
FIRST_RESPONSE = ServiceCommitment.Metric.FIRST_RESPONSE


def figures(service: Service, kind: str, start: dt.date) -> ServicePeriodFigures:
    return ServicePeriodFigures.objects.get(service=service, period_kind=kind, period_start=start)


def entry(row: ServicePeriodFigures, item: ServiceCommitment) -> dict[str, Any]:
    return next(e for e in row.commitments if e["commitment_id"] == item.pk)


def test_met_share_counts_every_limit_met_or_missed_when_it_became_known(
    service: Service, customer: Customer
) -> None:
    resolution = commitment(service, RESOLUTION)
    case = make_case(customer, service)
    october = local(2026, 10, 15, 10, 0)
    for _ in range(3):
        make_clock(case, resolution, "met", met_at=october)
    make_clock(case, resolution, "breached", breached_at=october)
    make_clock(case, resolution, "cancelled", breached_at=october)  # missed, then its case was withdrawn
    make_clock(case, resolution, "running", breached_at=october)  # missed, the step not done yet
    make_clock(case, resolution, "cancelled")  # withdrawn within its limit: no outcome
    make_clock(make_case(customer, service), resolution, "paused")
    make_clock(case, "policy:7", "met", met_at=october)  # not from the charter
    make_clock(case, "settings", "breached", breached_at=october)

    figures_refresh(at=NOVEMBER)

    row = figures(service, "month", dt.date(2026, 10, 1))
    assert entry(row, resolution) | {"met": 3, "finished": 6} == entry(row, resolution)
    assert entry(row, resolution)["in_force"] is True
    assert entry(row, commitment(service, FIRST_RESPONSE))["finished"] == 0
    assert entry(figures(service, "quarter", dt.date(2026, 10, 1)), resolution)["finished"] == 6
    assert entry(figures(service, "quarter", dt.date(2026, 7, 1)), resolution)["finished"] == 0


def test_a_clock_counts_in_the_local_month_it_finished(service: Service, customer: Customer) -> None:
    resolution = commitment(service, RESOLUTION)
    case = make_case(customer, service)
    make_clock(case, resolution, "met", met_at=local(2026, 10, 31, 23, 30))  # 15:30 UTC
    make_clock(case, resolution, "breached", breached_at=local(2026, 11, 1, 0, 10))  # still Oct 31 in UTC
    make_clock(case, resolution, "breached", breached_at=local(2026, 10, 1, 0, 5))  # Sep 30 in UTC
    make_clock(case, resolution, "met", met_at=local(2026, 9, 30, 23, 55))

    figures_refresh(at=NOVEMBER)

    october = entry(figures(service, "month", dt.date(2026, 10, 1)), resolution)
    november = entry(figures(service, "month", dt.date(2026, 11, 1)), resolution)
    third_quarter = entry(figures(service, "quarter", dt.date(2026, 7, 1)), resolution)
    assert (october["met"], october["finished"]) == (1, 2)
    assert (november["met"], november["finished"]) == (0, 1)
    assert (third_quarter["met"], third_quarter["finished"]) == (1, 1)


def test_cases_handled_by_local_month_and_quarter(
    service: Service, other_service: Service, customer: Customer
) -> None:
    make_case(customer, service, resolved_at=local(2026, 10, 31, 23, 30))
    make_case(customer, service, resolved_at=local(2026, 10, 1, 0, 30))
    make_case(customer, service, resolved_at=local(2026, 11, 1, 0, 10))
    make_case(customer, service, resolved_at=local(2026, 9, 30, 23, 59))
    make_case(customer, service, resolved_at=local(2026, 6, 30, 12, 0))  # before the last full quarter
    make_case(customer, service)  # not resolved
    make_case(customer, other_service, resolved_at=local(2026, 10, 10, 12, 0))
    make_case(customer, None, resolved_at=local(2026, 10, 10, 12, 0))

    figures_refresh(at=NOVEMBER)

    assert figures(service, "month", dt.date(2026, 10, 1)).cases_handled == 2
    assert figures(service, "month", dt.date(2026, 11, 1)).cases_handled == 1
    assert figures(service, "quarter", dt.date(2026, 7, 1)).cases_handled == 1
    assert figures(service, "quarter", dt.date(2026, 10, 1)).cases_handled == 3
    assert figures(other_service, "month", dt.date(2026, 10, 1)).cases_handled == 1


def test_last_full_quarter_in_january_is_the_previous_year_s_last(
    service: Service, customer: Customer
) -> None:
    make_case(customer, service, resolved_at=local(2026, 12, 31, 23, 59))

    figures_refresh(at=local(2027, 1, 1, 0, 30))

    assert figures(service, "quarter", dt.date(2026, 10, 1)).cases_handled == 1
    assert figures(service, "month", dt.date(2026, 12, 1)).cases_handled == 1
    assert figures(service, "month", dt.date(2027, 1, 1)).cases_handled == 0


def test_satisfaction_is_the_share_of_4_and_5_answers(
    service: Service, other_service: Service, customer: Customer, survey_version: SurveyVersion
) -> None:
    october = local(2026, 10, 20, 12, 0)
    for score in (5, 4, 3, 1):
        make_response(survey_version, customer, service, csat=score, submitted_at=october)
    make_response(survey_version, customer, service, csat=None, submitted_at=october)
    make_response(survey_version, customer, service, csat=5, submitted_at=local(2026, 11, 1, 0, 1))
    make_response(survey_version, customer, other_service, csat=5, submitted_at=october)

    figures_refresh(at=NOVEMBER)

    row = figures(service, "month", dt.date(2026, 10, 1))
    assert (row.csat_satisfied, row.csat_answers) == (2, 4)
    assert (figures(other_service, "month", dt.date(2026, 10, 1)).csat_answers) == 1


def test_an_earlier_version_s_commitment_is_listed_while_its_clocks_count(
    administrator: User, service: Service, customer: Customer
) -> None:
    from charter.catalog import services as catalog

    old = commitment(service, RESOLUTION)
    make_clock(make_case(customer, service), old, "met", met_at=local(2026, 10, 3, 10, 0))
    draft = catalog.service_version_draft_create(actor=administrator, service=service)
    catalog.service_version_publish(
        actor=administrator, version=draft, effective_at=local(2026, 10, 10, 0, 0)
    )

    figures_refresh(at=NOVEMBER)

    row = figures(service, "month", dt.date(2026, 10, 1))
    kept = [(e["version"], e["metric"], e["in_force"], e["met"], e["finished"]) for e in row.commitments]
    assert kept == [
        (2, "first_response", True, 0, 0),
        (2, "resolution", True, 0, 0),
        (1, "resolution", False, 1, 1),
    ]


def test_refresh_is_idempotent(service: Service, customer: Customer) -> None:
    make_case(customer, service, resolved_at=local(2026, 10, 20, 12, 0))

    written = figures_refresh(at=NOVEMBER)
    first = list(ServicePeriodFigures.objects.order_by("pk").values())
    again = figures_refresh(at=NOVEMBER)

    assert written == again == 4
    assert list(ServicePeriodFigures.objects.order_by("pk").values()) == first


def test_refresh_updates_rows_in_place(service: Service, customer: Customer) -> None:
    make_case(customer, service, resolved_at=local(2026, 10, 20, 12, 0))
    figures_refresh(at=NOVEMBER)
    make_case(customer, service, resolved_at=local(2026, 10, 21, 12, 0))

    figures_refresh(at=NOVEMBER + dt.timedelta(hours=1))

    assert ServicePeriodFigures.objects.count() == 4
    row = figures(service, "month", dt.date(2026, 10, 1))
    assert row.cases_handled == 2
    assert row.computed_at == NOVEMBER + dt.timedelta(hours=1)


def test_refresh_runs_a_fixed_number_of_queries(
    service: Service, other_service: Service, customer: Customer, survey_version: SurveyVersion
) -> None:
    def populate(count: int) -> None:
        for _ in range(count):
            case = make_case(customer, service, resolved_at=local(2026, 10, 20, 12, 0))
            make_clock(case, commitment(service, RESOLUTION), "met", met_at=local(2026, 10, 20, 12, 0))
            make_response(survey_version, customer, service, csat=5, submitted_at=local(2026, 10, 21, 8, 0))

    populate(1)
    with CaptureQueriesContext(connection) as few:
        figures_refresh(at=NOVEMBER)
    populate(40)
    with CaptureQueriesContext(connection) as many:
        figures_refresh(at=NOVEMBER)

    assert len(many) == len(few)
    assert figures(service, "month", dt.date(2026, 10, 1)).cases_handled == 41


def test_disclosure_save_stores_and_audits(administrator: User) -> None:
    row = disclosure_settings_save(
        actor=administrator,
        show_cases_handled=True,
        show_commitments=False,
        show_satisfaction=True,
        minimum_sample=10,
    )

    assert DisclosureSettings.objects.get() == row
    assert (row.show_commitments, row.minimum_sample, row.updated_by) == (False, 10, administrator)
    event = AuditEvent.objects.get(action="reports.disclosure_save")
    assert event.actor == administrator
    assert event.data["before"] is None
    assert event.data["after"]["minimum_sample"] == 10


def test_disclosure_save_refuses_an_agent_and_a_zero_minimum(administrator: User, member: User) -> None:
    values = {"show_cases_handled": True, "show_commitments": True, "show_satisfaction": True}

    with pytest.raises(PermissionDeniedError):
        disclosure_settings_save(actor=member, minimum_sample=1, **values)
    with pytest.raises(DomainError):
        disclosure_settings_save(actor=administrator, minimum_sample=0, **values)
    assert not DisclosureSettings.objects.exists()
    assert not AuditEvent.objects.filter(action="reports.disclosure_save").exists()
