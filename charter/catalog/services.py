"""Every write of the service catalogue. Each checks the actor, validates, then writes and audits atomically.

Content is edited only in a draft version; publishing freezes it. Amounts go through
`charter.common.money.parse_amount`: floats, negatives, more than two decimals and huge values are refused.
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import OrgUnit, Qualification, User
from charter.accounts.permissions import AnyUser
from charter.audit.services import audit_record
from charter.catalog.errors import TEXT_CODES, ErrorCode
from charter.catalog.models import (
    Channel,
    FeeItem,
    Service,
    ServiceCategory,
    ServiceCommitment,
    ServiceVersion,
)
from charter.catalog.permissions import can_edit_catalog, can_publish_service_version
from charter.common.content import content_from_data, content_of
from charter.common.errors import DomainError
from charter.common.money import parse_amount
from charter.common.policy import require
from charter.common.text import clean_text
from charter.common.versioning import version_draft_lock, version_number_next, version_publish

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Words the desk uses in its own addresses (/desk/services/new/), so no service may take them.
RESERVED_SLUGS = frozenset({"new"})
MAX_TARGET = 100_000
TEXT_MAX = 20_000  # descriptions, conditions, notes: the text fields without a column limit

# The version's content: copied into a new draft, edited in a draft, frozen once published.
TEXT_FIELDS = (
    "name_zh",
    "name_en",
    "summary_zh",
    "summary_en",
    "description_zh",
    "description_en",
    "eligibility_zh",
    "eligibility_en",
    "required_documents_zh",
    "required_documents_en",
    "steps_zh",
    "steps_en",
    "opening_hours_zh",
    "opening_hours_en",
)
CONTENT_FIELDS = (*TEXT_FIELDS, "channels")


# ---------------------------------------------------------------------------------------------------------
# Checks shared by the services


def _require_editor(actor: AnyUser) -> User:
    """Return `actor` when `can_edit_catalog` allows him, else raise its refusal."""
    require(can_edit_catalog(actor))
    assert isinstance(actor, User)  # noqa: S101 (can_edit_catalog refuses anyone else)
    return actor


def _max_length(model: type[Any], field: str) -> int | None:
    length = model._meta.get_field(field).max_length
    return int(length) if length is not None else None


def _clean_slug(slug: str) -> str:
    slug = (slug or "").strip().lower()
    if not SLUG_RE.match(slug) or len(slug) > 80 or slug in RESERVED_SLUGS:
        raise DomainError(
            _("Use lower-case letters, digits and hyphens, such as water-connection."),
            code=ErrorCode.INVALID_SLUG,
            field="slug",
        )
    return slug


def _clean_channels(channels: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(str(channel) for channel in channels))
    unknown = [channel for channel in chosen if channel not in Channel.values]
    if unknown:
        raise DomainError(
            _("Unknown channel: %(channel)s.") % {"channel": ", ".join(unknown)},
            code=ErrorCode.INVALID_CHANNEL,
            field="channels",
        )
    return [value for value in Channel.values if value in chosen]


def _amount(value: object) -> Decimal:
    try:
        return parse_amount(value)
    except ValidationError as error:
        raise DomainError(error.messages[0], code=ErrorCode.INVALID_AMOUNT, field="amount") from error


def _choice(value: str, choices: Iterable[str], *, field: str) -> str:
    if value not in set(choices):
        raise DomainError(_("Choose one of the offered values."), code=ErrorCode.INVALID_CHOICE, field=field)
    return value


def _audit_value(value: object) -> object:
    return str(value) if isinstance(value, Decimal) else value


# ---------------------------------------------------------------------------------------------------------
# Categories


@dataclass(frozen=True)
class CategoryContent:
    """What a category of the charter says besides its fixed slug: its names, description and place."""

    name_zh: str
    name_en: str = ""
    description_zh: str = ""
    description_en: str = ""
    ordering: int = 0

    @classmethod
    def from_category(cls, category: ServiceCategory) -> "CategoryContent":
        """Return the content of an existing category, the base for a partial change."""
        return content_of(cls, category)

    @classmethod
    def from_data(cls, data: Mapping[str, Any], base: "CategoryContent | None" = None) -> "CategoryContent":
        """Return the content in `data` (a form's or a serializer's cleaned input): each field it leaves out
        is taken from `base`, or has its default without one."""
        return content_from_data(base or cls(name_zh=""), data)

    def cleaned(self) -> "CategoryContent":
        """Return the content with its texts cleaned (`clean_text`). Raises DomainError for a text holding a
        control character or too long, or a blank Chinese name. Writes nothing."""
        content = CategoryContent(
            name_zh=clean_text(
                self.name_zh, field="name_zh", max_length=200, codes=TEXT_CODES, multiline=False
            ),
            name_en=clean_text(
                self.name_en, field="name_en", max_length=200, codes=TEXT_CODES, multiline=False
            ),
            description_zh=clean_text(
                self.description_zh, field="description_zh", max_length=TEXT_MAX, codes=TEXT_CODES
            ),
            description_en=clean_text(
                self.description_en, field="description_en", max_length=TEXT_MAX, codes=TEXT_CODES
            ),
            ordering=self.ordering,
        )
        if not content.name_zh:
            raise DomainError(_("Enter the name in Chinese."), code=ErrorCode.NAME_REQUIRED, field="name_zh")
        return content


def service_category_create(*, actor: AnyUser, slug: str, content: CategoryContent) -> ServiceCategory:
    """Create a category of the charter with `content`. Raises DomainError for a taken or malformed slug, a
    blank Chinese name or a text the common rule refuses."""
    user = _require_editor(actor)
    slug = _clean_slug(slug)
    category = ServiceCategory(slug=slug, **asdict(content.cleaned()))
    with transaction.atomic():
        if ServiceCategory.objects.filter(slug=slug).exists():
            raise DomainError(_("This slug is already used."), code=ErrorCode.DUPLICATE_SLUG, field="slug")
        category.save()
        audit_record(
            actor=user, action="catalog.service_category_create", target=category, data={"slug": slug}
        )
    return category


def service_category_update(
    *, actor: AnyUser, category: ServiceCategory, content: CategoryContent
) -> ServiceCategory:
    """Rename or reorder a category to `content` (its slug stays); the same rules as
    service_category_create apply."""
    user = _require_editor(actor)
    values = asdict(content.cleaned())
    changed = {key: value for key, value in values.items() if getattr(category, key) != value}
    with transaction.atomic():
        for key, value in values.items():
            setattr(category, key, value)
        category.save()
        audit_record(
            actor=user, action="catalog.service_category_update", target=category, data={"changed": changed}
        )
    return category


# ---------------------------------------------------------------------------------------------------------
# Services and their drafts


def service_create(
    *,
    actor: AnyUser,
    slug: str,
    category: ServiceCategory,
    name_zh: str,
    name_en: str = "",
    summary_zh: str = "",
    summary_en: str = "",
    org_unit: OrgUnit | None = None,
    ordering: int = 0,
) -> Service:
    """Create a service with its first draft (version 1) holding the given names and summaries.

    Nothing is public until the draft is published. Raises DomainError for a taken or malformed slug or a
    blank Chinese name.
    """
    user = _require_editor(actor)
    slug = _clean_slug(slug)
    name_zh = clean_text(name_zh, field="name_zh", max_length=200, codes=TEXT_CODES, multiline=False)
    if not name_zh:
        raise DomainError(_("Enter the name in Chinese."), code=ErrorCode.NAME_REQUIRED, field="name_zh")
    content = {
        "name_zh": name_zh,
        "name_en": clean_text(name_en, field="name_en", max_length=200, codes=TEXT_CODES, multiline=False),
        "summary_zh": clean_text(summary_zh, field="summary_zh", max_length=500, codes=TEXT_CODES),
        "summary_en": clean_text(summary_en, field="summary_en", max_length=500, codes=TEXT_CODES),
    }
    with transaction.atomic():
        if Service.objects.filter(slug=slug).exists():
            raise DomainError(_("This slug is already used."), code=ErrorCode.DUPLICATE_SLUG, field="slug")
        service = Service.objects.create(slug=slug, category=category, org_unit=org_unit, ordering=ordering)
        draft = ServiceVersion.objects.create(service=service, number=1, **content)
        audit_record(
            actor=user,
            action="catalog.service_create",
            target=service,
            data={
                "category": category.slug,
                "org_unit": org_unit.pk if org_unit else None,
                "draft": draft.number,
            },
        )
    return service


@dataclass(frozen=True)
class ServiceSettings:
    """Where a service is listed, who offers it, and whether it is on the charter; not versioned."""

    category: ServiceCategory
    org_unit: OrgUnit | None = None
    ordering: int = 0
    is_active: bool = True
    # Cases of the service are routed only to staff holding it (a valid certificate grants it).
    required_qualification: Qualification | None = None

    @classmethod
    def from_service(cls, service: Service) -> "ServiceSettings":
        """Return the settings of an existing service, the base for a partial change."""
        return content_of(cls, service)

    @classmethod
    def from_data(cls, data: Mapping[str, Any], base: "ServiceSettings") -> "ServiceSettings":
        """Return the settings in `data` (a form's or a serializer's cleaned input): each field it leaves
        out is taken from `base`; a given None unit stays None."""
        return content_from_data(base, data)


def service_update(*, actor: AnyUser, service: Service, settings: ServiceSettings) -> Service:
    """Change where a service is listed and who offers it, or take it off the charter (`is_active`).

    These settings are not versioned: they apply to the current and past versions alike.
    """
    user = _require_editor(actor)
    category, org_unit = settings.category, settings.org_unit
    ordering, is_active = settings.ordering, settings.is_active
    qualification = settings.required_qualification
    before = {
        "category": service.category.slug,
        "org_unit": service.org_unit_id,
        "ordering": service.ordering,
        "is_active": service.is_active,
        "required_qualification": service.required_qualification_id,
    }
    with transaction.atomic():
        service.category = category
        service.org_unit = org_unit
        service.ordering = ordering
        service.is_active = is_active
        service.required_qualification = qualification
        service.save(
            update_fields=[
                "category",
                "org_unit",
                "ordering",
                "is_active",
                "required_qualification",
                "updated_at",
            ]
        )
        after = {
            "category": category.slug,
            "org_unit": org_unit.pk if org_unit else None,
            "ordering": ordering,
            "is_active": is_active,
            "required_qualification": qualification.pk if qualification else None,
        }
        audit_record(
            actor=user,
            action="catalog.service_update",
            target=service,
            data={key: [before[key], after[key]] for key in after if before[key] != after[key]},
        )
    return service


def service_version_draft_create(*, actor: AnyUser, service: Service) -> ServiceVersion:
    """Open a new draft of `service`, copying content, fees and commitments of its latest published version.

    The latest published version is the one with the highest number, even when it has not taken effect yet.
    Raises DomainError when the service already has a draft.
    """
    user = _require_editor(actor)
    with transaction.atomic():
        # Lock the service so two editors cannot open two drafts with the same number.
        Service.objects.select_for_update().filter(pk=service.pk).first()
        if service.versions.filter(status=ServiceVersion.Status.DRAFT).exists():
            raise DomainError(
                _("This service already has a draft; edit it or discard it first."),
                code=ErrorCode.DRAFT_EXISTS,
            )
        source = (
            service.versions.filter(
                status__in=(ServiceVersion.Status.PUBLISHED, ServiceVersion.Status.SUPERSEDED)
            )
            .prefetch_related("fees", "commitments")
            .order_by("-number")
            .first()
        )
        number = version_number_next(service.versions.all())
        content: dict[str, Any] = (
            {field: getattr(source, field) for field in CONTENT_FIELDS} if source else {}
        )
        draft = ServiceVersion.objects.create(service=service, number=number, **content)
        if source is not None:
            FeeItem.objects.bulk_create(
                FeeItem(version=draft, **asdict(FeeContent.from_fee(fee))) for fee in source.fees.all()
            )
            ServiceCommitment.objects.bulk_create(
                ServiceCommitment(version=draft, **asdict(CommitmentContent.from_commitment(item)))
                for item in source.commitments.all()
            )
        audit_record(
            actor=user,
            action="catalog.service_draft_create",
            target=draft,
            data={
                "service": service.slug,
                "number": number,
                "copied_from": source.number if source else None,
            },
        )
    return draft


@dataclass(frozen=True)
class VersionContent:
    """What a version of a service says: its names, summaries, the texts of the charter and its channels.
    In a change, a field left as None keeps the draft's value."""

    name_zh: str | None = None
    name_en: str | None = None
    summary_zh: str | None = None
    summary_en: str | None = None
    description_zh: str | None = None
    description_en: str | None = None
    eligibility_zh: str | None = None
    eligibility_en: str | None = None
    required_documents_zh: str | None = None
    required_documents_en: str | None = None
    steps_zh: str | None = None
    steps_en: str | None = None
    opening_hours_zh: str | None = None
    opening_hours_en: str | None = None
    channels: Iterable[str] | None = None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> "VersionContent":
        """Return the content in `data` (a form's or a serializer's cleaned input); a field it leaves out is
        None, so the draft keeps it."""
        return content_from_data(cls(), data)


def service_version_draft_update(
    *, actor: AnyUser, version: ServiceVersion, content: VersionContent
) -> ServiceVersion:
    """Change the content of a draft to `content`; its fields left as None keep their value.

    Raises DomainError when the version is not a draft, the Chinese name would be blank, a text is too long
    or a channel is unknown.
    """
    user = _require_editor(actor)
    given = {field: getattr(content, field) for field in TEXT_FIELDS}
    values: dict[str, Any] = {
        field: clean_text(
            value,
            field=field,
            codes=TEXT_CODES,
            max_length=_max_length(ServiceVersion, field) or TEXT_MAX,
            multiline=not field.startswith("name_"),
        )
        for field, value in given.items()
        if value is not None
    }
    if "name_zh" in values and not values["name_zh"]:
        raise DomainError(_("Enter the name in Chinese."), code=ErrorCode.NAME_REQUIRED, field="name_zh")
    if content.channels is not None:
        values["channels"] = _clean_channels(content.channels)
    with transaction.atomic():
        version_draft_lock(version)
        changed = sorted(field for field, value in values.items() if getattr(version, field) != value)
        for field, value in values.items():
            setattr(version, field, value)
        version.save()
        audit_record(
            actor=user, action="catalog.service_version_update", target=version, data={"changed": changed}
        )
    return version


def service_version_draft_discard(*, actor: AnyUser, version: ServiceVersion) -> None:
    """Delete a draft with its fees and commitments. Raises DomainError when the version is published."""
    user = _require_editor(actor)
    with transaction.atomic():
        version_draft_lock(version)
        audit_record(
            actor=user,
            action="catalog.service_draft_discard",
            target=version,
            data={"service": version.service.slug, "number": version.number},
        )
        version.delete()


def service_version_publish(
    *,
    actor: AnyUser,
    version: ServiceVersion,
    effective_at: dt.datetime,
    change_note_zh: str = "",
    change_note_en: str = "",
) -> ServiceVersion:
    """Publish a draft, in force from `effective_at` (past, now or future) until a later one takes effect.

    The previously published versions become superseded (they stay readable in the history). Requires a
    Chinese name and summary and at least one channel; `effective_at` must be timezone-aware and later than
    that of the latest published version, so versions take effect in the order of their numbers. Raises
    DomainError otherwise, and when the version is not a draft.
    """
    require(can_publish_service_version(actor))
    user = _require_editor(actor)
    if effective_at is None:
        raise DomainError(
            _("Enter the date the version takes effect."),
            code=ErrorCode.EFFECTIVE_AT_REQUIRED,
            field="effective_at",
        )
    if timezone.is_naive(effective_at):
        raise DomainError(
            _("Give the date with its time zone."), code=ErrorCode.EFFECTIVE_AT_REQUIRED, field="effective_at"
        )
    note_zh = clean_text(change_note_zh, field="change_note_zh", max_length=TEXT_MAX, codes=TEXT_CODES)
    note_en = clean_text(change_note_en, field="change_note_en", max_length=TEXT_MAX, codes=TEXT_CODES)
    with transaction.atomic():
        Service.objects.select_for_update().filter(pk=version.service_id).first()
        version_draft_lock(version)
        version.refresh_from_db()
        if not version.name_zh.strip():
            raise DomainError(_("Enter the name in Chinese."), code=ErrorCode.NAME_REQUIRED, field="name_zh")
        if not version.summary_zh.strip():
            raise DomainError(
                _("Enter a summary in Chinese before publishing."),
                code=ErrorCode.SUMMARY_REQUIRED,
                field="summary_zh",
            )
        if not version.channels:
            raise DomainError(
                _("Choose at least one channel before publishing."),
                code=ErrorCode.CHANNEL_REQUIRED,
                field="channels",
            )
        previous = ServiceVersion.objects.filter(
            service_id=version.service_id, status=ServiceVersion.Status.PUBLISHED
        ).order_by("-number")
        latest = previous.first()
        if latest is None:
            latest = (
                ServiceVersion.objects.filter(
                    service_id=version.service_id, status=ServiceVersion.Status.SUPERSEDED
                )
                .order_by("-number")
                .first()
            )
        if latest is not None and latest.effective_at is not None and effective_at <= latest.effective_at:
            raise DomainError(
                _("The version must take effect after version %(number)d, which takes effect %(date)s.")
                % {
                    "number": latest.number,
                    "date": timezone.localtime(latest.effective_at).strftime("%Y-%m-%d %H:%M"),
                },
                code=ErrorCode.EFFECTIVE_AT_TOO_EARLY,
                field="effective_at",
            )
        version.effective_at = effective_at.astimezone(dt.UTC)
        version.change_note_zh = note_zh
        version.change_note_en = note_en
        version_publish(
            version=version,
            actor=user,
            supersede=ServiceVersion.objects.filter(service_id=version.service_id),
        )
        audit_record(
            actor=user,
            action="catalog.service_version_publish",
            target=version,
            data={
                "service": version.service.slug,
                "number": version.number,
                "effective_at": version.effective_at.isoformat(),
                "superseded": latest.number if latest is not None else None,
                "fees": [
                    {"name": fee.name_zh, "amount": str(fee.amount), "is_free": fee.is_free}
                    for fee in version.fees.all()
                ],
                "commitments": [
                    {
                        "metric": item.metric,
                        "target": item.target_amount,
                        "unit": item.target_unit,
                        "basis": item.time_basis,
                    }
                    for item in version.commitments.all()
                ],
            },
        )
    return version


# ---------------------------------------------------------------------------------------------------------
# Fees


@dataclass(frozen=True)
class FeeContent:
    """What a fee says: its names, amount (CNY, or none for a free item), unit, conditions and place."""

    name_zh: str
    amount: Decimal | str | int | None = None
    name_en: str = ""
    unit_zh: str = ""
    unit_en: str = ""
    conditions_zh: str = ""
    conditions_en: str = ""
    is_free: bool = False
    ordering: int = 0

    @classmethod
    def from_fee(cls, fee: FeeItem) -> "FeeContent":
        """Return the content of an existing fee, the base for a partial change."""
        return content_of(cls, fee)

    @classmethod
    def from_data(cls, data: Mapping[str, Any], base: "FeeContent | None" = None) -> "FeeContent":
        """Return the content in `data` (a form's or a serializer's cleaned input): each field it leaves out
        is taken from `base`, or has its default without one; a given None amount stays None (no amount)."""
        return content_from_data(base or cls(name_zh=""), data)

    def cleaned(self) -> "FeeContent":
        """Return the content with its texts cleaned (`clean_text`) and its amount a Decimal (0 when free).

        Raises DomainError for a blank Chinese name, a text holding a control character or too long, a
        float, negative, over-precise or huge amount, a free item with an amount or a charged item without
        one. Writes nothing.
        """
        name_zh = clean_text(self.name_zh, field="name_zh", max_length=200, codes=TEXT_CODES, multiline=False)
        if not name_zh:
            raise DomainError(_("Enter the name in Chinese."), code=ErrorCode.NAME_REQUIRED, field="name_zh")
        if self.amount is None or self.amount == "":
            if not self.is_free:
                raise DomainError(
                    _("Enter the amount, or mark the item as free of charge."),
                    code=ErrorCode.AMOUNT_REQUIRED,
                    field="amount",
                )
            value = Decimal("0.00")
        else:
            value = _amount(self.amount)
        if self.is_free and value != 0:
            raise DomainError(
                _("A free item has no amount; leave it at 0 or untick free of charge."),
                code=ErrorCode.FREE_ITEM_HAS_AMOUNT,
                field="amount",
            )
        if not self.is_free and value == 0:
            raise DomainError(
                _("Enter the amount, or mark the item as free of charge."),
                code=ErrorCode.AMOUNT_REQUIRED,
                field="amount",
            )

        def text(name: str, max_length: int, *, multiline: bool) -> str:
            return clean_text(
                getattr(self, name), field=name, max_length=max_length, codes=TEXT_CODES, multiline=multiline
            )

        return FeeContent(
            name_zh=name_zh,
            amount=value,
            name_en=text("name_en", 200, multiline=False),
            unit_zh=text("unit_zh", 100, multiline=False),
            unit_en=text("unit_en", 100, multiline=False),
            conditions_zh=text("conditions_zh", TEXT_MAX, multiline=True),
            conditions_en=text("conditions_en", TEXT_MAX, multiline=True),
            is_free=self.is_free,
            ordering=self.ordering,
        )


def _draft_item_save(
    *,
    user: User,
    item: Any,
    values: dict[str, Any],
    name: str,
    action: str,
    summary: Callable[[Any], dict[str, object]],
) -> None:
    """Overwrite a fee's or a commitment's values (inside the caller's transaction, draft checked) and audit
    the change as `action` with its before and after."""
    before = summary(item)
    for field, value in values.items():
        setattr(item, field, value)
    item.save()
    audit_record(
        actor=user,
        action=action,
        target=item.version,
        data={name: item.pk, "before": before, "after": summary(item)},
    )


def _draft_item_delete(
    *, user: User, item: Any, name: str, action: str, summary: Callable[[Any], dict[str, object]]
) -> None:
    """Delete a fee or a commitment of a draft, audited with what it held; DomainError when published."""
    with transaction.atomic():
        version_draft_lock(item.version)
        audit_record(actor=user, action=action, target=item.version, data={name: item.pk, **summary(item)})
        item.delete()


def _fee_audit(fee: FeeItem) -> dict[str, object]:
    return {field: _audit_value(getattr(fee, field)) for field in ("name_zh", "amount", "unit_zh", "is_free")}


def fee_item_add(*, actor: AnyUser, version: ServiceVersion, content: FeeContent) -> FeeItem:
    """Add a fee with `content` to a draft. Its amount is CNY as a Decimal or text like "12.50"; a free item
    has 0 (or None).

    Raises DomainError for a float, negative, over-precise or huge amount, a free item with an amount, a
    charged item without one, a blank Chinese name, or a version that is not a draft.
    """
    user = _require_editor(actor)
    values = content.cleaned()
    with transaction.atomic():
        version_draft_lock(version)
        fee = FeeItem.objects.create(version=version, **asdict(values))
        audit_record(
            actor=user, action="catalog.fee_item_add", target=version, data={"fee": fee.pk, **_fee_audit(fee)}
        )
    return fee


def fee_item_update(*, actor: AnyUser, fee: FeeItem, content: FeeContent) -> FeeItem:
    """Replace the values of a fee in a draft with `content`; the same rules as fee_item_add apply."""
    user = _require_editor(actor)
    values = content.cleaned()
    with transaction.atomic():
        version_draft_lock(fee.version)
        _draft_item_save(
            user=user,
            item=fee,
            values=asdict(values),
            name="fee",
            action="catalog.fee_item_update",
            summary=_fee_audit,
        )
    return fee


def fee_item_delete(*, actor: AnyUser, fee: FeeItem) -> None:
    """Remove a fee from a draft. Raises DomainError when its version is published."""
    user = _require_editor(actor)
    _draft_item_delete(user=user, item=fee, name="fee", action="catalog.fee_item_delete", summary=_fee_audit)


# ---------------------------------------------------------------------------------------------------------
# Commitments


@dataclass(frozen=True)
class CommitmentContent:
    """What a commitment says: a measure, a target in a unit and time basis, the case kind and priority it
    is limited to (blank for all), its public wording and place."""

    metric: str
    target_amount: int
    target_unit: str
    time_basis: str
    wording_zh: str
    wording_en: str = ""
    case_kind: str = ""
    priority: str = ""
    ordering: int = 0

    @classmethod
    def from_commitment(cls, item: ServiceCommitment) -> "CommitmentContent":
        """Return the content of an existing commitment, the base for a partial change."""
        return content_of(cls, item)

    @classmethod
    def from_data(
        cls, data: Mapping[str, Any], base: "CommitmentContent | None" = None
    ) -> "CommitmentContent":
        """Return the content in `data` (a form's or a serializer's cleaned input): each field it leaves out
        is taken from `base`, or has its default without one."""
        empty = cls(metric="", target_amount=0, target_unit="", time_basis="", wording_zh="")
        return content_from_data(base or empty, data)

    def cleaned(self) -> "CommitmentContent":
        """Return the content with its choices checked and its wording cleaned (`clean_text`).

        Raises DomainError for an unknown choice, a target that is not a whole number from 1 to MAX_TARGET,
        working days in calendar time (or the reverse), or a blank, too long or control-character wording.
        Writes nothing.
        """
        metric = _choice(self.metric, ServiceCommitment.Metric.values, field="metric")
        target_unit = _choice(self.target_unit, ServiceCommitment.Unit.values, field="target_unit")
        time_basis = _choice(self.time_basis, ServiceCommitment.TimeBasis.values, field="time_basis")
        case_kind = _choice(self.case_kind or "", ServiceCommitment.CaseKind.values, field="case_kind")
        priority = _choice(self.priority or "", ServiceCommitment.Priority.values, field="priority")
        target_amount = self.target_amount
        if (
            isinstance(target_amount, bool)
            or not isinstance(target_amount, int)
            or not 0 < target_amount <= MAX_TARGET
        ):
            raise DomainError(
                _("The target is a whole number from 1 to %(limit)d.") % {"limit": MAX_TARGET},
                code=ErrorCode.INVALID_TARGET,
                field="target_amount",
            )
        unit = ServiceCommitment.Unit
        basis = ServiceCommitment.TimeBasis
        if (target_unit == unit.WORKING_DAYS and time_basis != basis.WORKING_TIME) or (
            target_unit == unit.CALENDAR_DAYS and time_basis != basis.CALENDAR_TIME
        ):
            raise DomainError(
                _("Working days are counted in working time, calendar days in calendar time."),
                code=ErrorCode.TIME_BASIS_MISMATCH,
                field="time_basis",
            )
        wording_zh = clean_text(self.wording_zh, field="wording_zh", max_length=300, codes=TEXT_CODES)
        if not wording_zh:
            raise DomainError(
                _("Enter the public wording in Chinese."), code=ErrorCode.WORDING_REQUIRED, field="wording_zh"
            )
        return CommitmentContent(
            metric=metric,
            target_amount=target_amount,
            target_unit=target_unit,
            time_basis=time_basis,
            wording_zh=wording_zh,
            wording_en=clean_text(self.wording_en, field="wording_en", max_length=300, codes=TEXT_CODES),
            case_kind=case_kind,
            priority=priority,
            ordering=self.ordering,
        )


def _check_commitment_unique(
    version: ServiceVersion, content: CommitmentContent, exclude_pk: int | None
) -> None:
    clash = ServiceCommitment.objects.filter(
        version=version, metric=content.metric, case_kind=content.case_kind, priority=content.priority
    )
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise DomainError(
            _("This version already has a commitment for this measure, case kind and priority."),
            code=ErrorCode.DUPLICATE_COMMITMENT,
            field="metric",
        )


def _commitment_audit(item: ServiceCommitment) -> dict[str, object]:
    return {
        field: getattr(item, field)
        for field in ("metric", "target_amount", "target_unit", "time_basis", "case_kind", "priority")
    }


def service_commitment_add(
    *, actor: AnyUser, version: ServiceVersion, content: CommitmentContent
) -> ServiceCommitment:
    """Add a commitment with `content` to a draft: a measure, a positive target in a unit, in working or
    calendar time.

    Raises DomainError for an unknown choice, a target that is not a positive whole number, working days in
    calendar time (or the reverse), a blank Chinese wording, a second commitment for the same measure, case
    kind and priority, or a version that is not a draft.
    """
    user = _require_editor(actor)
    values = content.cleaned()
    with transaction.atomic():
        version_draft_lock(version)
        _check_commitment_unique(version, values, None)
        item = ServiceCommitment.objects.create(version=version, **asdict(values))
        audit_record(
            actor=user,
            action="catalog.service_commitment_add",
            target=version,
            data={"commitment": item.pk, **_commitment_audit(item)},
        )
    return item


def service_commitment_update(
    *, actor: AnyUser, commitment: ServiceCommitment, content: CommitmentContent
) -> ServiceCommitment:
    """Replace the values of a commitment in a draft with `content`; the same rules as
    service_commitment_add apply."""
    user = _require_editor(actor)
    values = content.cleaned()
    with transaction.atomic():
        version_draft_lock(commitment.version)
        _check_commitment_unique(commitment.version, values, commitment.pk)
        _draft_item_save(
            user=user,
            item=commitment,
            values=asdict(values),
            name="commitment",
            action="catalog.service_commitment_update",
            summary=_commitment_audit,
        )
    return commitment


def service_commitment_delete(*, actor: AnyUser, commitment: ServiceCommitment) -> None:
    """Remove a commitment from a draft. Raises DomainError when its version is published."""
    user = _require_editor(actor)
    _draft_item_delete(
        user=user,
        item=commitment,
        name="commitment",
        action="catalog.service_commitment_delete",
        summary=_commitment_audit,
    )
