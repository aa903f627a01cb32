import datetime as dt

import pytest
import time_machine

from charter.accounts.models import OrgUnit, User
from charter.catalog import selectors, services
from charter.catalog.models import Service, ServiceCategory, ServiceCommitment, ServiceVersion
from tests.accounts.factories import OrgUnitFactory
from tests.catalog.conftest import PAST, fill_and_publish

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
FUTURE = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
Metric = ServiceCommitment.Metric


@pytest.fixture
def two_versions(administrator: User, published_service: Service) -> Service:
    """Version 1 in force since 2024-01-01, version 2 (fee 300) from 2025-01-01, version 3 scheduled."""
    v2 = services.service_version_draft_create(actor=administrator, service=published_service)
    fee = v2.fees.get(is_free=False)
    services.fee_item_update(
        actor=administrator, fee=fee, content=services.FeeContent(name_zh=fee.name_zh, amount="300.00")
    )
    services.service_version_publish(
        actor=administrator, version=v2, effective_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    )
    v3 = services.service_version_draft_create(actor=administrator, service=published_service)
    services.service_version_draft_update(
        actor=administrator, version=v3, content=services.VersionContent(name_zh="用水报装（新）")
    )
    with time_machine.travel(NOW, tick=False):
        services.service_version_publish(actor=administrator, version=v3, effective_at=FUTURE)
    return published_service


def test_version_in_force_follows_the_effective_dates(two_versions: Service) -> None:
    def number_at(moment: dt.datetime) -> int | None:
        version = selectors.service_version_in_force(service=two_versions, at=moment)
        return version.number if version else None

    assert number_at(PAST - dt.timedelta(seconds=1)) is None
    assert number_at(PAST) == 1
    assert number_at(dt.datetime(2024, 12, 31, 23, 59, tzinfo=dt.UTC)) == 1
    assert number_at(dt.datetime(2025, 1, 1, tzinfo=dt.UTC)) == 2
    assert number_at(NOW) == 2
    assert number_at(FUTURE) == 3


def test_a_draft_is_never_in_force(administrator: User, published_service: Service) -> None:
    services.service_version_draft_create(actor=administrator, service=published_service)

    version = selectors.service_version_in_force(service=published_service, at=dt.datetime.now(dt.UTC))

    assert version is not None and version.number == 1


def test_past_versions_keep_their_fees(two_versions: Service) -> None:
    v1 = selectors.service_version_get_published(service=two_versions, number=1)
    v2 = selectors.service_version_get_published(service=two_versions, number=2)

    assert v1 is not None and v2 is not None
    assert [str(f.amount) for f in v1.fees.all()] == ["380.00", "0.00"]
    assert [str(f.amount) for f in v2.fees.all()] == ["300.00", "0.00"]


def test_drafts_are_not_published_versions(administrator: User, published_service: Service) -> None:
    services.service_version_draft_create(actor=administrator, service=published_service)

    assert selectors.service_version_get_published(service=published_service, number=2) is None
    assert selectors.service_version_get_published(service=published_service, number=9) is None
    draft = selectors.service_version_get(service=published_service, number=2)
    assert draft is not None and draft.is_draft


def test_history_gives_each_version_its_interval(two_versions: Service) -> None:
    history = selectors.service_version_history(service=two_versions, at=NOW)

    assert [entry.version.number for entry in history] == [3, 2, 1]
    assert [entry.ends_at for entry in history] == [None, FUTURE, dt.datetime(2025, 1, 1, tzinfo=dt.UTC)]
    assert [entry.is_in_force for entry in history] == [False, True, False]
    assert [entry.is_scheduled for entry in history] == [True, False, False]


def test_next_scheduled_version(two_versions: Service) -> None:
    upcoming = selectors.service_version_next_scheduled(service=two_versions, at=NOW)

    assert upcoming is not None and upcoming.number == 3
    assert selectors.service_version_next_scheduled(service=two_versions, at=FUTURE) is None


def test_commitments_in_force(administrator: User, two_versions: Service) -> None:
    assert not selectors.commitment_list_for_service(
        service=two_versions, at=PAST - dt.timedelta(days=1)
    ).exists()

    commitments = list(selectors.commitment_list_for_service(service=two_versions, at=NOW))

    assert [c.version.number for c in commitments] == [2, 2]
    assert [(c.metric, c.target_amount, c.target_unit, c.time_basis) for c in commitments] == [
        ("first_response", 4, "hours", "working_time"),
        ("resolution", 2, "working_days", "working_time"),
    ]


def test_commitment_find_prefers_the_most_specific(administrator: User, draft_service: Service) -> None:
    draft = draft_service.versions.get()
    for amount, kind, priority in [
        (8, "", ""),
        (6, "", "urgent"),
        (4, "complaint", ""),
        (2, "complaint", "urgent"),
    ]:
        services.service_commitment_add(
            actor=administrator,
            version=draft,
            content=services.CommitmentContent(
                metric=Metric.FIRST_RESPONSE,
                target_amount=amount,
                case_kind=kind,
                priority=priority,
                target_unit="hours",
                time_basis="working_time",
                wording_zh="承诺",
            ),
        )
    services.service_version_publish(actor=administrator, version=draft, effective_at=PAST)

    def target(kind: str = "", priority: str = "") -> int | None:
        found = selectors.commitment_find(
            service=draft_service, at=NOW, metric=Metric.FIRST_RESPONSE, case_kind=kind, priority=priority
        )
        return found.target_amount if found else None

    assert target() == 8
    assert target("inquiry", "normal") == 8
    assert target("inquiry", "urgent") == 6
    assert target("complaint", "normal") == 4
    assert target("complaint", "urgent") == 2
    assert selectors.commitment_find(service=draft_service, at=NOW, metric=Metric.RESOLUTION) is None


def test_list_in_force_one_row_per_active_service(administrator: User, two_versions: Service) -> None:
    billing = services.service_category_create(
        actor=administrator, slug="billing", content=services.CategoryContent(name_zh="账单", ordering=0)
    )
    bill = services.service_create(
        actor=administrator,
        slug="bill-inquiry",
        category=billing,
        name_zh="账单查询",
        name_en="Bill inquiry",
        summary_zh="查询账单",
    )
    fill_and_publish(administrator, bill.versions.get())
    hidden = services.service_create(
        actor=administrator, slug="hidden", category=billing, name_zh="隐藏", summary_zh="隐藏"
    )
    fill_and_publish(administrator, hidden.versions.get())
    services.service_update(
        actor=administrator,
        service=hidden,
        settings=services.ServiceSettings(category=billing, is_active=False),
    )
    services.service_create(actor=administrator, slug="draft-only", category=billing, name_zh="草稿")

    rows = list(selectors.service_version_list_in_force(at=NOW))

    assert [(v.service.slug, v.number) for v in rows] == [("bill-inquiry", 1), ("water-connection", 2)]
    water = two_versions.category
    assert [v.service.slug for v in selectors.service_version_list_in_force(at=NOW, category=water)] == [
        "water-connection"
    ]
    assert [v.service.slug for v in selectors.service_version_list_in_force(at=NOW, query="账单")] == [
        "bill-inquiry"
    ]
    assert [v.service.slug for v in selectors.service_version_list_in_force(at=NOW, query="BILL")] == [
        "bill-inquiry"
    ]
    assert [v.service.slug for v in selectors.service_version_list_in_force(at=NOW, query="mains")] == [
        "water-connection"
    ]
    assert list(selectors.service_version_list_in_force(at=PAST - dt.timedelta(days=1))) == []
    with time_machine.travel(FUTURE, tick=False):
        groups = selectors.service_catalogue_public(at=FUTURE)
    assert [(g.category.slug, [v.number for v in g.versions]) for g in groups] == [
        ("billing", [1]),
        ("water", [3]),
    ]


def test_desk_rows_show_in_force_and_draft(
    administrator: User, two_versions: Service, category: ServiceCategory
) -> None:
    services.service_version_draft_create(actor=administrator, service=two_versions)
    services.service_create(actor=administrator, slug="new-one", category=category, name_zh="新服务")

    rows = {row.service.slug: row for row in selectors.service_list_for_desk(at=NOW)}

    water = rows["water-connection"]
    assert (water.in_force and water.in_force.number, water.draft and water.draft.number) == (2, 4)
    assert water.latest is not None and water.latest.number == 4
    fresh = rows["new-one"]
    assert fresh.in_force is None and fresh.draft is not None


def test_organisation_name_comes_from_the_root_unit(settings: object, db: None) -> None:
    settings.CHARTER_ORGANISATION_NAME = "Setting Co."  # type: ignore[attr-defined]
    assert selectors.organisation_name() == "Setting Co."

    root = OrgUnitFactory.create(
        code="root", name_zh="示范公司", name_en="Demo Co.", kind=OrgUnit.Kind.ORGANISATION
    )
    OrgUnitFactory.create(parent=root)

    assert selectors.organisation_name() == "示范公司"
    settings.CHARTER_ORGANISATION_NAME = ""  # type: ignore[attr-defined]
    OrgUnit.objects.exclude(pk=root.pk).delete()
    root.delete()
    assert selectors.organisation_name() == ""


def test_versions_are_read_with_few_queries(
    administrator: User, two_versions: Service, django_assert_num_queries: object
) -> None:
    with django_assert_num_queries(3):  # type: ignore[operator]
        versions = list(selectors.service_version_list_in_force(at=NOW, with_fees_and_commitments=True))
        for version in versions:
            list(version.fees.all())
            list(version.commitments.all())
            str(version.service.category)

    assert ServiceVersion.objects.count() == 3
