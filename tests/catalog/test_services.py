import dataclasses
import datetime as dt
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from charter.accounts.models import User
from charter.audit import services as audit_services
from charter.audit.models import AuditEvent
from charter.audit.selectors import audit_chain_verify
from charter.catalog import services
from charter.catalog.demo import demo_load
from charter.catalog.errors import ErrorCode
from charter.catalog.models import (
    Channel,
    FeeItem,
    Service,
    ServiceCategory,
    ServiceCommitment,
    ServiceVersion,
)
from charter.common.errors import DomainError, PermissionDeniedError
from charter.common.money import MAX_AMOUNT, parse_amount
from tests.accounts.factories import UserFactory
from tests.catalog.conftest import PAST, fill_and_publish


@contextmanager
def _refused_as_published() -> Iterator[None]:
    with pytest.raises(DomainError) as raised:
        yield
    assert raised.value.code == ErrorCode.NOT_A_DRAFT


pytestmark = pytest.mark.django_db

Metric = ServiceCommitment.Metric
Unit = ServiceCommitment.Unit
Basis = ServiceCommitment.TimeBasis


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("sequence"))


def _commitment(actor: User, version: ServiceVersion, **overrides: Any) -> ServiceCommitment:
    values: dict[str, Any] = {
        "metric": Metric.FIRST_RESPONSE,
        "target_amount": 2,
        "target_unit": Unit.WORKING_DAYS,
        "time_basis": Basis.WORKING_TIME,
        "wording_zh": "受理后 2 个工作日内答复",
    } | overrides
    return services.service_commitment_add(
        actor=actor, version=version, content=services.CommitmentContent(**values)
    )


# --- categories ------------------------------------------------------------------------------------------


def test_category_create_saves_and_audits(administrator: User) -> None:
    category = services.service_category_create(
        actor=administrator,
        slug="billing",
        content=services.CategoryContent(name_zh=" 账单 ", name_en="Bills", ordering=3),
    )

    assert category.name_zh == "账单"
    assert [e.target_id for e in _events("catalog.service_category_create")] == [str(category.pk)]
    assert audit_chain_verify().ok


@pytest.mark.parametrize(
    ("slug", "name_zh", "code"),
    [
        ("Bad Slug", "账单", ErrorCode.INVALID_SLUG),
        ("", "账单", ErrorCode.INVALID_SLUG),
        ("billing", "  ", ErrorCode.NAME_REQUIRED),
    ],
)
def test_category_create_refuses_bad_input(administrator: User, slug: str, name_zh: str, code: str) -> None:
    with pytest.raises(DomainError) as raised:
        services.service_category_create(
            actor=administrator, slug=slug, content=services.CategoryContent(name_zh=name_zh)
        )

    assert raised.value.code == code
    assert not ServiceCategory.objects.exists()


def test_category_slug_is_unique(administrator: User, category: ServiceCategory) -> None:
    with pytest.raises(DomainError) as raised:
        services.service_category_create(
            actor=administrator, slug=category.slug, content=services.CategoryContent(name_zh="又一个")
        )

    assert raised.value.code == ErrorCode.DUPLICATE_SLUG
    assert ServiceCategory.objects.count() == 1


def test_category_update_audits_the_change(administrator: User, category: ServiceCategory) -> None:
    services.service_category_update(
        actor=administrator,
        category=category,
        content=services.CategoryContent(name_zh="供水服务", ordering=5),
    )

    category.refresh_from_db()
    assert (category.name_zh, category.ordering, category.name_en) == ("供水服务", 5, "")
    (event,) = _events("catalog.service_category_update")
    assert event.data["changed"] == {"name_zh": "供水服务", "name_en": "", "ordering": 5}


def test_staff_without_edit_rights_cannot_write(member: User, supervisor: User, customer_user: User) -> None:
    for user in (member, supervisor, customer_user):
        with pytest.raises(PermissionDeniedError) as raised:
            services.service_category_create(
                actor=user, slug="x", content=services.CategoryContent(name_zh="某")
            )
        assert raised.value.code == ErrorCode.EDIT_DENIED
        assert raised.value.status == 403
    assert not ServiceCategory.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="catalog.").exists()


# --- services and drafts --------------------------------------------------------------------------------


def test_service_create_makes_a_first_draft(administrator: User, category: ServiceCategory) -> None:
    service = services.service_create(
        actor=administrator, slug="bill-inquiry", category=category, name_zh="账单查询", summary_zh="查账单"
    )

    (draft,) = service.versions.all()
    assert (draft.number, draft.status, draft.name_zh, draft.summary_zh) == (1, "draft", "账单查询", "查账单")
    assert draft.effective_at is None
    (event,) = _events("catalog.service_create")
    assert event.target_id == str(service.pk)
    assert event.data["draft"] == 1


@pytest.mark.parametrize("slug", ["new", "with space", "-dash", "under_score", "a" * 81])
def test_service_create_refuses_bad_slugs(administrator: User, category: ServiceCategory, slug: str) -> None:
    with pytest.raises(DomainError) as raised:
        services.service_create(actor=administrator, slug=slug, category=category, name_zh="某服务")

    assert raised.value.code == ErrorCode.INVALID_SLUG
    assert raised.value.field == "slug"
    assert not Service.objects.exists()


def test_service_create_refuses_a_taken_slug(administrator: User, draft_service: Service) -> None:
    with pytest.raises(DomainError) as raised:
        services.service_create(
            actor=administrator, slug=draft_service.slug, category=draft_service.category, name_zh="重复"
        )

    assert raised.value.code == ErrorCode.DUPLICATE_SLUG
    assert Service.objects.count() == 1
    assert ServiceVersion.objects.count() == 1


def test_service_create_needs_a_chinese_name(administrator: User, category: ServiceCategory) -> None:
    with pytest.raises(DomainError) as raised:
        services.service_create(actor=administrator, slug="x", category=category, name_zh=" ", name_en="X")

    assert raised.value.code == ErrorCode.NAME_REQUIRED


def test_service_update_changes_settings_and_audits(
    administrator: User, draft_service: Service, organisation: Any
) -> None:
    other = services.service_category_create(
        actor=administrator, slug="billing", content=services.CategoryContent(name_zh="账单")
    )

    services.service_update(
        actor=administrator,
        service=draft_service,
        settings=services.ServiceSettings(category=other, org_unit=organisation, ordering=7, is_active=False),
    )

    draft_service.refresh_from_db()
    assert (draft_service.category, draft_service.org_unit, draft_service.ordering) == (
        other,
        organisation,
        7,
    )
    assert not draft_service.is_active
    (event,) = _events("catalog.service_update")
    assert event.data["category"] == ["water", "billing"]
    assert event.data["is_active"] == [True, False]


def test_version_update_changes_only_given_fields(administrator: User, draft_service: Service) -> None:
    draft = draft_service.versions.get()

    services.service_version_draft_update(
        actor=administrator,
        version=draft,
        content=services.VersionContent(description_zh="  详细说明 ", channels=["email", "web", "web"]),
    )

    draft.refresh_from_db()
    assert draft.description_zh == "详细说明"
    assert draft.name_zh == "用水报装"
    assert draft.channels == ["web", "email"]  # de-duplicated, in the order of the choices
    assert _events("catalog.service_version_update")[-1].data == {"changed": ["channels", "description_zh"]}


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"name_zh": ""}, ErrorCode.NAME_REQUIRED, "name_zh"),
        ({"channels": ["fax"]}, ErrorCode.INVALID_CHANNEL, "channels"),
        ({"name_en": "x" * 201}, ErrorCode.TOO_LONG, "name_en"),
        ({"opening_hours_zh": "x" * 301}, ErrorCode.TOO_LONG, "opening_hours_zh"),
    ],
)
def test_version_update_refuses_bad_content(
    administrator: User, draft_service: Service, changes: dict[str, Any], code: str, field: str
) -> None:
    draft = draft_service.versions.get()
    events_before = AuditEvent.objects.count()

    with pytest.raises(DomainError) as raised:
        services.service_version_draft_update(
            actor=administrator, version=draft, content=services.VersionContent(**changes)
        )

    assert (raised.value.code, raised.value.field) == (code, field)
    draft.refresh_from_db()
    assert draft.name_zh == "用水报装"
    assert AuditEvent.objects.count() == events_before


def test_draft_create_copies_the_latest_published_version(
    administrator: User, published_service: Service
) -> None:
    v1 = published_service.versions.get(number=1)

    draft = services.service_version_draft_create(actor=administrator, service=published_service)

    assert (draft.number, draft.status) == (2, ServiceVersion.Status.DRAFT)
    assert draft.effective_at is None and draft.published_at is None and not draft.change_note_zh
    for field in services.CONTENT_FIELDS:
        assert getattr(draft, field) == getattr(v1, field), field
    fee_values = ["name_zh", "amount", "unit_zh", "is_free"]
    assert list(draft.fees.values_list(*fee_values)) == list(v1.fees.values_list(*fee_values))
    assert set(draft.fees.values_list("pk", flat=True)).isdisjoint(v1.fees.values_list("pk", flat=True))
    commitment_values = ["metric", "target_amount", "target_unit", "time_basis", "wording_zh"]
    assert list(draft.commitments.values_list(*commitment_values)) == list(
        v1.commitments.values_list(*commitment_values)
    )
    (event,) = _events("catalog.service_draft_create")
    assert event.data == {"service": "water-connection", "number": 2, "copied_from": 1}


def test_draft_create_copies_a_scheduled_version(administrator: User, published_service: Service) -> None:
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    v2 = services.service_version_draft_create(actor=administrator, service=published_service)
    services.service_version_draft_update(
        actor=administrator, version=v2, content=services.VersionContent(name_zh="新名称")
    )
    services.service_version_publish(actor=administrator, version=v2, effective_at=future)

    v3 = services.service_version_draft_create(actor=administrator, service=published_service)

    assert (v3.number, v3.name_zh) == (3, "新名称")


def test_only_one_draft_at_a_time(administrator: User, published_service: Service) -> None:
    services.service_version_draft_create(actor=administrator, service=published_service)

    with pytest.raises(DomainError) as raised:
        services.service_version_draft_create(actor=administrator, service=published_service)

    assert raised.value.code == ErrorCode.DRAFT_EXISTS
    assert published_service.versions.count() == 2


def test_draft_discard_removes_it_with_its_rows(administrator: User, published_service: Service) -> None:
    draft = services.service_version_draft_create(actor=administrator, service=published_service)

    services.service_version_draft_discard(actor=administrator, version=draft)

    assert list(published_service.versions.values_list("number", flat=True)) == [1]
    assert FeeItem.objects.count() == 2
    assert ServiceCommitment.objects.count() == 2
    assert _events("catalog.service_draft_discard")[0].data == {"service": "water-connection", "number": 2}


def test_a_published_version_cannot_be_discarded(administrator: User, published_service: Service) -> None:
    with pytest.raises(DomainError) as raised:
        services.service_version_draft_discard(actor=administrator, version=published_service.versions.get())

    assert raised.value.code == ErrorCode.NOT_A_DRAFT
    assert published_service.versions.count() == 1


# --- fees -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount",
    [
        12.5,
        0.1,
        True,
        "-1",
        "-0.01",
        "1.234",
        "0.001",
        "10000000000.00",
        "1e20",
        "abc",
        "",
        "NaN",
        "Infinity",
        [],
    ],
)
def test_fee_refuses_bad_amounts(administrator: User, draft_service: Service, amount: Any) -> None:
    draft = draft_service.versions.get()

    with pytest.raises(DomainError) as raised:
        services.fee_item_add(
            actor=administrator, version=draft, content=services.FeeContent(name_zh="费用", amount=amount)
        )

    assert raised.value.code in {ErrorCode.INVALID_AMOUNT, ErrorCode.AMOUNT_REQUIRED}
    assert raised.value.field == "amount"
    assert not FeeItem.objects.exists()
    assert not _events("catalog.fee_item_add")


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("12.50", "12.50"),
        ("12.5", "12.50"),
        (Decimal("7"), "7.00"),
        (12, "12.00"),
        (" 0.01 ", "0.01"),
        ("9999999999.99", "9999999999.99"),
    ],
)
def test_fee_accepts_exact_amounts(
    administrator: User, draft_service: Service, amount: Any, expected: str
) -> None:
    fee = services.fee_item_add(
        actor=administrator,
        version=draft_service.versions.get(),
        content=services.FeeContent(name_zh="费用", amount=amount),
    )

    fee.refresh_from_db()
    assert fee.amount == Decimal(expected)
    assert str(fee.amount) == expected
    (event,) = _events("catalog.fee_item_add")
    assert event.data["amount"] == expected  # Decimals go into the audit trail as text


def test_free_fee_has_amount_zero(administrator: User, draft_service: Service) -> None:
    draft = draft_service.versions.get()

    free = services.fee_item_add(
        actor=administrator,
        version=draft,
        content=services.FeeContent(name_zh="勘查", amount=None, is_free=True),
    )
    free_zero = services.fee_item_add(
        actor=administrator,
        version=draft,
        content=services.FeeContent(name_zh="咨询", amount="0", is_free=True),
    )

    assert free.amount == free_zero.amount == Decimal("0.00")


@pytest.mark.parametrize(
    ("amount", "is_free", "code"),
    [
        ("5.00", True, ErrorCode.FREE_ITEM_HAS_AMOUNT),
        ("0.00", False, ErrorCode.AMOUNT_REQUIRED),
        (None, False, ErrorCode.AMOUNT_REQUIRED),
    ],
)
def test_fee_free_flag_and_amount_must_agree(
    administrator: User, draft_service: Service, amount: Any, is_free: bool, code: str
) -> None:
    with pytest.raises(DomainError) as raised:
        services.fee_item_add(
            actor=administrator,
            version=draft_service.versions.get(),
            content=services.FeeContent(name_zh="费用", amount=amount, is_free=is_free),
        )

    assert raised.value.code == code
    assert not FeeItem.objects.exists()


def test_fee_update_and_delete_are_audited(administrator: User, draft_service: Service) -> None:
    fee = services.fee_item_add(
        actor=administrator,
        version=draft_service.versions.get(),
        content=services.FeeContent(name_zh="费用", amount="1"),
    )

    services.fee_item_update(
        actor=administrator,
        fee=fee,
        content=services.FeeContent(name_zh="工本费", amount="2.50", unit_zh="每张"),
    )
    fee.refresh_from_db()
    assert (fee.name_zh, fee.amount, fee.unit_zh) == ("工本费", Decimal("2.50"), "每张")
    services.fee_item_delete(actor=administrator, fee=fee)

    assert not FeeItem.objects.exists()
    update = _events("catalog.fee_item_update")[0]
    assert (update.data["before"]["amount"], update.data["after"]["amount"]) == ("1.00", "2.50")
    assert _events("catalog.fee_item_delete")[0].data["amount"] == "2.50"


def test_fee_update_refuses_a_bad_amount_and_keeps_the_old_one(
    administrator: User, draft_service: Service
) -> None:
    fee = services.fee_item_add(
        actor=administrator,
        version=draft_service.versions.get(),
        content=services.FeeContent(name_zh="费用", amount="1"),
    )

    with pytest.raises(DomainError):
        services.fee_item_update(
            actor=administrator, fee=fee, content=services.FeeContent(name_zh="费用", amount="1.999")
        )

    fee.refresh_from_db()
    assert fee.amount == Decimal("1.00")


@given(st.decimals(min_value=0, max_value=MAX_AMOUNT, places=2, allow_nan=False, allow_infinity=False))
def test_parse_amount_round_trips_every_two_place_amount(amount: Decimal) -> None:
    assert parse_amount(str(amount)) == amount
    assert parse_amount(format(amount, "f")) == amount
    assert parse_amount(amount) == amount


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_parse_amount_refuses_every_float(value: float) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        parse_amount(value)


@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1000"), places=3))
def test_parse_amount_refuses_a_third_decimal(amount: Decimal) -> None:
    from django.core.exceptions import ValidationError

    if amount == amount.quantize(Decimal("0.01")):
        return
    with pytest.raises(ValidationError):
        parse_amount(str(amount))


# --- commitments ----------------------------------------------------------------------------------------


def test_commitment_add_saves_the_structured_target(administrator: User, draft_service: Service) -> None:
    item = _commitment(administrator, draft_service.versions.get(), case_kind="complaint", priority="urgent")

    item.refresh_from_db()
    assert (item.metric, item.target_amount, item.target_unit, item.time_basis) == (
        "first_response",
        2,
        "working_days",
        "working_time",
    )
    assert (item.case_kind, item.priority) == ("complaint", "urgent")
    assert _events("catalog.service_commitment_add")[0].data["target_amount"] == 2


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"target_amount": 0}, ErrorCode.INVALID_TARGET, "target_amount"),
        ({"target_amount": -3}, ErrorCode.INVALID_TARGET, "target_amount"),
        ({"target_amount": True}, ErrorCode.INVALID_TARGET, "target_amount"),
        ({"target_amount": 2.5}, ErrorCode.INVALID_TARGET, "target_amount"),
        ({"target_amount": 100_001}, ErrorCode.INVALID_TARGET, "target_amount"),
        ({"metric": "lunch"}, ErrorCode.INVALID_CHOICE, "metric"),
        ({"target_unit": "weeks"}, ErrorCode.INVALID_CHOICE, "target_unit"),
        ({"time_basis": "moon"}, ErrorCode.INVALID_CHOICE, "time_basis"),
        ({"priority": "whenever"}, ErrorCode.INVALID_CHOICE, "priority"),
        ({"case_kind": "gossip"}, ErrorCode.INVALID_CHOICE, "case_kind"),
        ({"time_basis": Basis.CALENDAR_TIME}, ErrorCode.TIME_BASIS_MISMATCH, "time_basis"),
        (
            {"target_unit": Unit.CALENDAR_DAYS, "time_basis": Basis.WORKING_TIME},
            ErrorCode.TIME_BASIS_MISMATCH,
            "time_basis",
        ),
        ({"wording_zh": " "}, ErrorCode.WORDING_REQUIRED, "wording_zh"),
    ],
)
def test_commitment_add_refuses_bad_targets(
    administrator: User, draft_service: Service, overrides: dict[str, Any], code: str, field: str
) -> None:
    with pytest.raises(DomainError) as raised:
        _commitment(administrator, draft_service.versions.get(), **overrides)

    assert (raised.value.code, raised.value.field) == (code, field)
    assert not ServiceCommitment.objects.exists()


def test_hours_and_minutes_may_count_in_either_time(administrator: User, draft_service: Service) -> None:
    draft = draft_service.versions.get()

    _commitment(administrator, draft, target_unit=Unit.HOURS, time_basis=Basis.CALENDAR_TIME)
    _commitment(
        administrator, draft, metric=Metric.ON_SITE_ARRIVAL, target_unit=Unit.MINUTES, target_amount=45
    )

    assert draft.commitments.count() == 2


def test_one_commitment_per_measure_kind_and_priority(administrator: User, draft_service: Service) -> None:
    draft = draft_service.versions.get()
    _commitment(administrator, draft)
    _commitment(administrator, draft, priority="urgent", target_unit=Unit.HOURS, target_amount=4)

    with pytest.raises(DomainError) as raised:
        _commitment(administrator, draft, target_amount=3)

    assert raised.value.code == ErrorCode.DUPLICATE_COMMITMENT
    assert draft.commitments.count() == 2


def test_commitment_update_and_delete(administrator: User, draft_service: Service) -> None:
    draft = draft_service.versions.get()
    item = _commitment(administrator, draft)
    other = _commitment(administrator, draft, metric=Metric.RESOLUTION)

    with pytest.raises(DomainError) as raised:
        services.service_commitment_update(
            actor=administrator,
            commitment=other,
            content=services.CommitmentContent(
                metric=Metric.FIRST_RESPONSE,
                target_amount=1,
                target_unit=Unit.WORKING_DAYS,
                time_basis=Basis.WORKING_TIME,
                wording_zh="重复",
            ),
        )
    assert raised.value.code == ErrorCode.DUPLICATE_COMMITMENT

    services.service_commitment_update(
        actor=administrator,
        commitment=item,
        content=services.CommitmentContent(
            metric=Metric.FIRST_RESPONSE,
            target_amount=8,
            target_unit=Unit.HOURS,
            time_basis=Basis.WORKING_TIME,
            wording_zh="8 个工作小时内答复",
        ),
    )
    item.refresh_from_db()
    assert (item.target_amount, item.target_unit) == (8, "hours")
    services.service_commitment_delete(actor=administrator, commitment=item)
    assert list(draft.commitments.all()) == [other]
    assert len(_events("catalog.service_commitment_update")) == 1
    assert len(_events("catalog.service_commitment_delete")) == 1


# --- publishing -----------------------------------------------------------------------------------------


def test_publish_freezes_the_draft_and_audits_it(administrator: User, draft_service: Service) -> None:
    draft = draft_service.versions.get()
    when = dt.datetime(2024, 1, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))

    version = fill_and_publish(administrator, draft, effective_at=when)

    version.refresh_from_db()
    assert version.status == ServiceVersion.Status.PUBLISHED
    assert version.effective_at == when
    assert version.effective_at.utcoffset() == dt.timedelta(0)  # stored in UTC
    assert version.published_by == administrator
    assert version.published_at is not None
    assert version.change_note_zh == "首次发布"
    (event,) = _events("catalog.service_version_publish")
    assert event.data["effective_at"] == "2024-01-01T00:00:00+00:00"
    assert event.data["superseded"] is None
    assert {fee["amount"] for fee in event.data["fees"]} == {"380.00", "0.00"}
    assert audit_chain_verify().ok


def test_publishing_a_new_version_supersedes_the_old(administrator: User, published_service: Service) -> None:
    v2 = services.service_version_draft_create(actor=administrator, service=published_service)

    services.service_version_publish(
        actor=administrator, version=v2, effective_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    )

    statuses = dict(published_service.versions.values_list("number", "status"))
    assert statuses == {1: "superseded", 2: "published"}
    assert _events("catalog.service_version_publish")[-1].data["superseded"] == 1


@pytest.mark.parametrize(
    "effective_at",
    [dt.datetime(2023, 12, 31, tzinfo=dt.UTC), PAST],
)
def test_a_new_version_must_take_effect_after_the_previous(
    administrator: User, published_service: Service, effective_at: dt.datetime
) -> None:
    v2 = services.service_version_draft_create(actor=administrator, service=published_service)

    with pytest.raises(DomainError) as raised:
        services.service_version_publish(actor=administrator, version=v2, effective_at=effective_at)

    assert raised.value.code == ErrorCode.EFFECTIVE_AT_TOO_EARLY
    assert dict(published_service.versions.values_list("number", "status")) == {1: "published", 2: "draft"}


def test_publish_refuses_a_naive_date(administrator: User, draft_service: Service) -> None:
    with pytest.raises(DomainError) as raised:
        services.service_version_publish(
            actor=administrator,
            version=draft_service.versions.get(),
            effective_at=dt.datetime(2024, 1, 1),  # noqa: DTZ001
        )

    assert raised.value.code == ErrorCode.EFFECTIVE_AT_REQUIRED


@pytest.mark.parametrize(
    ("changes", "code"),
    [({"summary_zh": ""}, ErrorCode.SUMMARY_REQUIRED), ({"channels": []}, ErrorCode.CHANNEL_REQUIRED)],
)
def test_publish_needs_a_summary_and_a_channel(
    administrator: User, draft_service: Service, changes: dict[str, Any], code: str
) -> None:
    draft = draft_service.versions.get()
    services.service_version_draft_update(
        actor=administrator, version=draft, content=services.VersionContent(**changes)
    )

    with pytest.raises(DomainError) as raised:
        services.service_version_publish(actor=administrator, version=draft, effective_at=PAST)

    assert raised.value.code == code
    draft.refresh_from_db()
    assert draft.status == ServiceVersion.Status.DRAFT


def test_publishing_twice_is_refused(administrator: User, published_service: Service) -> None:
    version = published_service.versions.get()

    with pytest.raises(DomainError) as raised:
        services.service_version_publish(
            actor=administrator, version=version, effective_at=dt.datetime.now(dt.UTC)
        )

    assert raised.value.code == ErrorCode.NOT_A_DRAFT


def test_editing_rights_without_publishing_rights(draft_service: Service) -> None:
    editor = UserFactory.create(username="editor", roles=["administrator"])
    editor.groups.clear()
    group = Group.objects.create(name="catalogue-editors")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="catalog", codename__startswith="change_")
    )
    editor.groups.add(group, Group.objects.get(name="agent"))
    editor = User.objects.get(pk=editor.pk)
    draft = draft_service.versions.get()

    services.service_version_draft_update(
        actor=editor, version=draft, content=services.VersionContent(description_zh="可以编辑")
    )
    with pytest.raises(PermissionDeniedError) as raised:
        services.service_version_publish(actor=editor, version=draft, effective_at=PAST)

    assert raised.value.code == ErrorCode.PUBLISH_DENIED


def test_published_content_is_refused_by_every_service(
    administrator: User, published_service: Service
) -> None:
    version = published_service.versions.get()
    fee = version.fees.first()
    item = version.commitments.first()
    assert fee is not None and item is not None
    attempts = [
        lambda: services.service_version_draft_update(
            actor=administrator, version=version, content=services.VersionContent(name_zh="改名")
        ),
        lambda: services.fee_item_add(
            actor=administrator, version=version, content=services.FeeContent(name_zh="新费用", amount="1")
        ),
        lambda: services.fee_item_update(
            actor=administrator, fee=fee, content=services.FeeContent(name_zh="改", amount="1")
        ),
        lambda: services.fee_item_delete(actor=administrator, fee=fee),
        lambda: _commitment(administrator, version, metric=Metric.NEXT_RESPONSE),
        lambda: services.service_commitment_update(
            actor=administrator,
            commitment=item,
            content=services.CommitmentContent(
                metric=item.metric,
                target_amount=1,
                target_unit=item.target_unit,
                time_basis=item.time_basis,
                wording_zh="改",
            ),
        ),
        lambda: services.service_commitment_delete(actor=administrator, commitment=item),
    ]
    events_before = AuditEvent.objects.count()

    for attempt in attempts:
        with pytest.raises(DomainError) as raised:
            attempt()
        assert raised.value.code == ErrorCode.NOT_A_DRAFT

    version.refresh_from_db()
    assert version.name_zh == "用水报装"
    assert version.fees.count() == 2
    assert version.commitments.count() == 2
    assert AuditEvent.objects.count() == events_before


def test_the_model_guards_published_rows_against_other_code_paths(published_service: Service) -> None:
    version = ServiceVersion.objects.get(service=published_service)
    fee = FeeItem.objects.get(version=version, is_free=False)
    item = ServiceCommitment.objects.filter(version=version).first()
    assert item is not None

    # The shared guard (charter.common.versioning) answers with the catalogue's own refusal.
    version.name_zh = "偷偷改名"
    with _refused_as_published():
        version.save()
    with _refused_as_published():
        version.delete()
    fee.amount = Decimal("1.00")
    with _refused_as_published():
        fee.save()
    with _refused_as_published():
        fee.delete()
    with _refused_as_published():
        FeeItem(version=version, name_zh="新", amount=Decimal("1.00")).save()
    item.target_amount = 99
    with _refused_as_published():
        item.save()
    # Only retiring a published version (published -> superseded, nothing else) passes the guard.
    version.refresh_from_db()
    version.status = ServiceVersion.Status.DRAFT
    with _refused_as_published():
        version.save(update_fields=["status"])
    version.status = ServiceVersion.Status.SUPERSEDED
    version.save(update_fields=["status"])
    version.status = ServiceVersion.Status.PUBLISHED
    with _refused_as_published():
        version.save(update_fields=["status"])

    assert FeeItem.objects.get(pk=fee.pk).amount == Decimal("380.00")
    assert ServiceVersion.objects.get(pk=version.pk).name_zh == "用水报装"


# --- atomicity ------------------------------------------------------------------------------------------


def _failing_audit(monkeypatch: pytest.MonkeyPatch, action: str) -> None:
    real = audit_services.audit_record  # what catalog.services imported, before the patch

    def audit_record(**kwargs: Any) -> Any:
        if kwargs["action"] == action:
            raise RuntimeError("audit down")
        return real(**kwargs)

    monkeypatch.setattr(services, "audit_record", audit_record)


def test_a_failed_publish_leaves_nothing_half_written(
    administrator: User, published_service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    v2 = services.service_version_draft_create(actor=administrator, service=published_service)
    _failing_audit(monkeypatch, "catalog.service_version_publish")

    with pytest.raises(RuntimeError):
        services.service_version_publish(
            actor=administrator, version=v2, effective_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        )

    assert dict(published_service.versions.values_list("number", "status")) == {1: "published", 2: "draft"}
    assert ServiceVersion.objects.get(number=2).effective_at is None
    assert audit_chain_verify().ok


def test_a_failed_draft_copy_leaves_no_draft(
    administrator: User, published_service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    _failing_audit(monkeypatch, "catalog.service_draft_create")

    with pytest.raises(RuntimeError):
        services.service_version_draft_create(actor=administrator, service=published_service)

    assert published_service.versions.count() == 1
    assert FeeItem.objects.count() == 2
    assert ServiceCommitment.objects.count() == 2


def test_a_failed_service_create_leaves_nothing(
    administrator: User, category: ServiceCategory, monkeypatch: pytest.MonkeyPatch
) -> None:
    _failing_audit(monkeypatch, "catalog.service_create")

    with pytest.raises(RuntimeError):
        services.service_create(actor=administrator, slug="x", category=category, name_zh="某")

    assert not Service.objects.exists()
    assert not ServiceVersion.objects.exists()


# --- demo data ------------------------------------------------------------------------------------------


def test_demo_load_builds_a_published_catalogue_and_is_idempotent(
    administrator: User, organisation: Any
) -> None:
    demo_load(actor=administrator)
    counts = (
        ServiceCategory.objects.count(),
        Service.objects.count(),
        ServiceVersion.objects.count(),
        FeeItem.objects.count(),
        ServiceCommitment.objects.count(),
        AuditEvent.objects.count(),
    )

    demo_load(actor=administrator)

    assert counts == (
        ServiceCategory.objects.count(),
        Service.objects.count(),
        ServiceVersion.objects.count(),
        FeeItem.objects.count(),
        ServiceCommitment.objects.count(),
        AuditEvent.objects.count(),
    )
    assert counts[0] >= 3 and counts[1] >= 8
    assert not ServiceVersion.objects.filter(status=ServiceVersion.Status.DRAFT).exists()
    now = dt.datetime.now(dt.UTC)
    assert not ServiceVersion.objects.filter(effective_at__gt=now).exists()
    assert Service.objects.filter(org_unit=organisation).count() == counts[1]
    water = Service.objects.get(slug="water-connection")
    assert dict(water.versions.values_list("number", "status")) == {1: "superseded", 2: "published"}
    assert FeeItem.objects.filter(is_free=True).exists() and FeeItem.objects.filter(is_free=False).exists()
    bases = set(ServiceCommitment.objects.values_list("time_basis", flat=True))
    assert bases == {Basis.WORKING_TIME, Basis.CALENDAR_TIME}
    for service in Service.objects.all():
        metrics = set(
            ServiceCommitment.objects.filter(version__service=service).values_list("metric", flat=True)
        )
        assert {Metric.RESOLUTION} <= metrics, service.slug
    assert set(Channel.values) == {c for v in ServiceVersion.objects.all() for c in v.channels}
    for version in ServiceVersion.objects.all():
        assert version.name_en and version.summary_en, version


# --- concurrency (PostgreSQL: SQLite serialises writers anyway) -----------------------------------------

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")


def _race(*calls: Callable[[], object]) -> list[object]:
    """Run `calls` in threads that start together; return each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # the test inspects it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_drafts_opened_at_once_give_one_draft(administrator: User, published_service: Service) -> None:
    results = _race(
        lambda: services.service_version_draft_create(actor=administrator, service=published_service),
        lambda: services.service_version_draft_create(actor=administrator, service=published_service),
    )

    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1 and refused[0].code == ErrorCode.DRAFT_EXISTS
    assert published_service.versions.filter(status="draft").count() == 1


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_draft_published_twice_at_once_is_published_once(
    administrator: User, published_service: Service
) -> None:
    draft = services.service_version_draft_create(actor=administrator, service=published_service)
    when = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)

    results = _race(
        lambda: services.service_version_publish(
            actor=administrator, version=ServiceVersion.objects.get(pk=draft.pk), effective_at=when
        ),
        lambda: services.service_version_publish(
            actor=administrator, version=ServiceVersion.objects.get(pk=draft.pk), effective_at=when
        ),
    )

    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1 and refused[0].code == ErrorCode.NOT_A_DRAFT
    assert [e.target_id for e in _events("catalog.service_version_publish")] == [
        str(published_service.versions.get(number=1).pk),
        str(draft.pk),
    ]
    assert audit_chain_verify().ok


def test_fee_content_from_data_takes_missing_fields_from_its_base_and_keeps_a_given_none() -> None:
    base = services.FeeContent(name_zh="工本费", amount="2.50", unit_zh="每张", ordering=3)

    content = services.FeeContent.from_data({"amount": None, "is_free": True}, base=base)

    assert content == services.FeeContent(
        name_zh="工本费", amount=None, unit_zh="每张", is_free=True, ordering=3
    )
    assert services.FeeContent.from_data({"name_zh": "费"}) == services.FeeContent(name_zh="费")


def test_commitment_content_from_data_takes_missing_fields_from_its_base() -> None:
    base = services.CommitmentContent(
        metric=Metric.RESOLUTION,
        target_amount=2,
        target_unit=Unit.WORKING_DAYS,
        time_basis=Basis.WORKING_TIME,
        wording_zh="两个工作日",
        priority="urgent",
    )

    content = services.CommitmentContent.from_data({"target_amount": 3}, base=base)

    assert content == dataclasses.replace(base, target_amount=3)
