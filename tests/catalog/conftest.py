"""Fixtures of the catalogue tests: a category, a draft, a published service with fees and commitments."""

import datetime as dt

import pytest

from charter.accounts.models import User
from charter.catalog import services
from charter.catalog.models import Channel, Service, ServiceCategory, ServiceCommitment, ServiceVersion

PAST = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def category(administrator: User) -> ServiceCategory:
    return services.service_category_create(
        actor=administrator,
        slug="water",
        content=services.CategoryContent(name_zh="供水", name_en="Water", ordering=1),
    )


@pytest.fixture
def draft_service(administrator: User, category: ServiceCategory) -> Service:
    """A service with only its first draft, content filled in but without fees or commitments."""
    service = services.service_create(
        actor=administrator,
        slug="water-connection",
        category=category,
        name_zh="用水报装",
        name_en="Water connection",
        summary_zh="接通自来水。",
        summary_en="Connect to the mains.",
    )
    services.service_version_draft_update(
        actor=administrator,
        version=service.versions.get(),
        content=services.VersionContent(
            channels=[Channel.WEB, Channel.PHONE],
            steps_zh="申请\n勘查\n通水",
            steps_en="Apply\nSurvey\nWater on",
        ),
    )
    return service


def fill_and_publish(
    actor: User, version: ServiceVersion, *, effective_at: dt.datetime = PAST, fee: str = "380.00"
) -> ServiceVersion:
    """Give `version` a channel if it has none, a charged fee, a free fee and two commitments; publish it."""
    if not version.channels:
        services.service_version_draft_update(
            actor=actor, version=version, content=services.VersionContent(channels=[Channel.WALK_IN])
        )
    services.fee_item_add(
        actor=actor,
        version=version,
        content=services.FeeContent(
            name_zh="接水工程费",
            name_en="Connection works",
            amount=fee,
            unit_zh="每户",
            unit_en="per household",
        ),
    )
    services.fee_item_add(
        actor=actor,
        version=version,
        content=services.FeeContent(name_zh="勘查", name_en="Survey", amount=None, is_free=True),
    )
    services.service_commitment_add(
        actor=actor,
        version=version,
        content=services.CommitmentContent(
            metric=ServiceCommitment.Metric.FIRST_RESPONSE,
            target_amount=4,
            target_unit=ServiceCommitment.Unit.HOURS,
            time_basis=ServiceCommitment.TimeBasis.WORKING_TIME,
            wording_zh="4 个工作小时内联系您",
            wording_en="We call you within 4 working hours",
        ),
    )
    services.service_commitment_add(
        actor=actor,
        version=version,
        content=services.CommitmentContent(
            metric=ServiceCommitment.Metric.RESOLUTION,
            target_amount=2,
            target_unit=ServiceCommitment.Unit.WORKING_DAYS,
            time_basis=ServiceCommitment.TimeBasis.WORKING_TIME,
            wording_zh="受理后 2 个工作日内答复",
            wording_en="Answer within 2 working days",
        ),
    )
    return services.service_version_publish(
        actor=actor,
        version=version,
        effective_at=effective_at,
        change_note_zh="首次发布",
        change_note_en="First",
    )


@pytest.fixture
def published_service(administrator: User, draft_service: Service) -> Service:
    """`draft_service` with version 1 published, in force since 2024-01-01."""
    fill_and_publish(administrator, draft_service.versions.get())
    return draft_service
