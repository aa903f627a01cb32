"""Fixtures of the reports tests: a published service with two commitments, and hand-made cases, clocks and
survey responses placed at exact instants."""

import datetime as dt
import itertools
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from charter.accounts.models import Customer, User
from charter.cases.models import Case, CaseClock, CaseStatus
from charter.catalog import services as catalog
from charter.catalog.models import Channel, Service, ServiceCategory, ServiceCommitment
from charter.surveys.models import Invitation, Response, Survey, SurveyVersion
from tests.accounts.factories import CustomerFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
PAST = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
_numbers = itertools.count(1)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    """An instant given as Shanghai wall-clock time."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


@pytest.fixture
def category(administrator: User) -> ServiceCategory:
    return catalog.service_category_create(
        actor=administrator,
        slug="water",
        content=catalog.CategoryContent(name_zh="供水", name_en="Water", ordering=1),
    )


def publish_service(administrator: User, category: ServiceCategory, slug: str) -> Service:
    """A service in force since 2024 with a first-response and a resolution commitment."""
    service = catalog.service_create(
        actor=administrator,
        slug=slug,
        category=category,
        name_zh="用水报装",
        name_en="Water connection",
        summary_zh="接通自来水。",
        summary_en="Connect to the mains.",
    )
    version = service.versions.get()
    catalog.service_version_draft_update(
        actor=administrator, version=version, content=catalog.VersionContent(channels=[Channel.WEB])
    )
    catalog.service_commitment_add(
        actor=administrator,
        version=version,
        content=catalog.CommitmentContent(
            metric=ServiceCommitment.Metric.FIRST_RESPONSE,
            target_amount=4,
            target_unit=ServiceCommitment.Unit.HOURS,
            time_basis=ServiceCommitment.TimeBasis.WORKING_TIME,
            wording_zh="4 个工作小时内联系您",
            wording_en="We call you within 4 working hours",
        ),
    )
    catalog.service_commitment_add(
        actor=administrator,
        version=version,
        content=catalog.CommitmentContent(
            metric=ServiceCommitment.Metric.RESOLUTION,
            target_amount=2,
            target_unit=ServiceCommitment.Unit.WORKING_DAYS,
            time_basis=ServiceCommitment.TimeBasis.WORKING_TIME,
            wording_zh="受理后 2 个工作日内答复",
            wording_en="Answer within 2 working days",
        ),
    )
    catalog.service_version_publish(actor=administrator, version=version, effective_at=PAST)
    return service


@pytest.fixture
def service(administrator: User, category: ServiceCategory) -> Service:
    return publish_service(administrator, category, "water-connection")


@pytest.fixture
def other_service(administrator: User, category: ServiceCategory) -> Service:
    return publish_service(administrator, category, "water-meter")


def commitment(service: Service, metric: str) -> ServiceCommitment:
    return ServiceCommitment.objects.get(version__service=service, metric=metric)


@pytest.fixture
def customer(db: None) -> Customer:
    return CustomerFactory.create(name="刘晓梅")


def make_case(customer: Customer, service: Service | None, *, resolved_at: dt.datetime | None = None) -> Case:
    """A case about `service`, resolved at `resolved_at` when given."""
    number = next(_numbers)
    return Case.objects.create(
        number=f"T-{number:06d}",
        kind="inquiry",
        channel="web",
        title="水费账单疑问",
        description="三月账单金额比平时高很多。",
        customer=customer,
        service=service,
        status=CaseStatus.RESOLVED if resolved_at else CaseStatus.IN_PROGRESS,
        resolved_at=resolved_at,
    )


def make_clock(case: Case, source: ServiceCommitment | str, status: str, **times: Any) -> CaseClock:
    """A clock of `case` whose target came from `source` (a commitment, or a raw target_source)."""
    target_source = source if isinstance(source, str) else f"commitment:{source.pk}"
    started = times.pop("started_at", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    metric = times.pop("metric", "resolution")
    return CaseClock.objects.create(
        case=case,
        metric=metric,
        status=status,
        target_amount=2,
        target_unit="working_days",
        target_basis="working_time",
        target_source=target_source,
        started_at=started,
        **times,
    )


@pytest.fixture
def survey_version(db: None) -> SurveyVersion:
    survey = Survey.objects.create(code="csat", name_zh="满意度调查", name_en="Satisfaction")
    return SurveyVersion.objects.create(
        survey=survey, number=1, status=SurveyVersion.Status.PUBLISHED, published_at=PAST
    )


def make_response(
    version: SurveyVersion,
    customer: Customer,
    service: Service | None,
    *,
    csat: int | None,
    submitted_at: dt.datetime,
) -> Response:
    """A survey response about `service` with this CSAT answer, submitted at `submitted_at`."""
    invitation = Invitation.objects.create(
        version=version,
        customer=customer,
        token_hash=f"{next(_numbers):064x}",
        status=Invitation.Status.ANSWERED,
        send_at=submitted_at,
        sent_at=submitted_at,
        expires_at=submitted_at + dt.timedelta(days=14),
        answered_at=submitted_at,
    )
    return Response.objects.create(
        invitation=invitation, version=version, service=service, csat=csat, submitted_at=submitted_at
    )
