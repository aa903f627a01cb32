"""Reads of the service catalogue: what is in force when, the public lists, history, and the desk's view.

"In force at `at`" means: the published (or since superseded) version with the latest `effective_at` not
after `at`. Effective dates grow with version numbers (the publish service enforces it), so history is a
simple sequence of intervals.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from charter.accounts.models import OrgUnit
from charter.catalog.models import FeeItem, Service, ServiceCategory, ServiceCommitment, ServiceVersion
from charter.common.models import localized

PUBLIC_STATUSES = (ServiceVersion.Status.PUBLISHED, ServiceVersion.Status.SUPERSEDED)


def _in_force_q(at: dt.datetime, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status__in": PUBLIC_STATUSES, f"{prefix}effective_at__lte": at})


def _with_content(versions: QuerySet[ServiceVersion]) -> QuerySet[ServiceVersion]:
    return versions.select_related("service__category", "service__org_unit", "published_by").prefetch_related(
        Prefetch("fees", queryset=FeeItem.objects.order_by("ordering", "pk")),
        Prefetch("commitments", queryset=ServiceCommitment.objects.order_by("ordering", "pk")),
    )


def organisation_name() -> str:
    """Return the organisation's name for the charter: the root unit's, else CHARTER_ORGANISATION_NAME."""
    root = OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()
    if root is not None:
        return localized(root, "name")
    return str(settings.CHARTER_ORGANISATION_NAME or "")


def service_category_list() -> QuerySet[ServiceCategory]:
    """Return every category in display order."""
    return ServiceCategory.objects.order_by("ordering", "slug")


def service_category_get(*, slug: str) -> ServiceCategory | None:
    """Return the category with this slug, or None."""
    return ServiceCategory.objects.filter(slug=slug).first()


def service_version_in_force(*, service: Service, at: dt.datetime) -> ServiceVersion | None:
    """Return the version of `service` in force at `at`, or None before its first version takes effect.

    Ignores drafts and the service's `is_active` flag (history stays answerable for retired services).
    """
    return (
        ServiceVersion.objects.filter(_in_force_q(at), service=service)
        .order_by("-effective_at", "-number")
        .first()
    )


def service_version_list_in_force(
    *,
    at: dt.datetime,
    category: ServiceCategory | None = None,
    query: str = "",
    with_fees_and_commitments: bool = False,
) -> QuerySet[ServiceVersion]:
    """Return the versions in force at `at` of the active services, in charter order.

    One row per service that has a version in force; `category` narrows to one category, `query` to versions
    whose name or summary (either language) contains it. Service, category and unit are joined in (one
    query); `with_fees_and_commitments` prefetches those too (two more).
    """
    latest = (
        ServiceVersion.objects.filter(_in_force_q(at), service=OuterRef("service_id"))
        .order_by("-effective_at", "-number")
        .values("pk")[:1]
    )
    versions = ServiceVersion.objects.filter(service__is_active=True, pk=Subquery(latest))
    if category is not None:
        versions = versions.filter(service__category=category)
    query = query.strip()
    if query:
        versions = versions.filter(
            Q(name_zh__icontains=query)
            | Q(name_en__icontains=query)
            | Q(summary_zh__icontains=query)
            | Q(summary_en__icontains=query)
        )
    if with_fees_and_commitments:
        versions = _with_content(versions)
    else:
        versions = versions.select_related("service__category", "service__org_unit")
    return versions.order_by(
        "service__category__ordering", "service__category__slug", "service__ordering", "service__slug"
    )


@dataclass(frozen=True)
class CategoryGroup:
    category: ServiceCategory
    versions: list[ServiceVersion]


def service_catalogue_public(*, at: dt.datetime) -> list[CategoryGroup]:
    """Return the charter's services grouped by category (categories without services left out)."""
    groups: dict[int, CategoryGroup] = {}
    for version in service_version_list_in_force(at=at):
        category = version.service.category
        groups.setdefault(category.pk, CategoryGroup(category=category, versions=[])).versions.append(version)
    return list(groups.values())


def service_version_in_force_with_content(*, service: Service, at: dt.datetime) -> ServiceVersion | None:
    """Return the version of `service` in force at `at` with its fees and commitments loaded, or None."""
    return (
        _with_content(ServiceVersion.objects.filter(_in_force_q(at), service=service))
        .order_by("-effective_at", "-number")
        .first()
    )


def service_get_public(*, slug: str) -> Service | None:
    """Return the active service with this slug, or None (the public sees nothing of inactive services)."""
    return Service.objects.select_related("category", "org_unit").filter(slug=slug, is_active=True).first()


def service_get(*, slug: str) -> Service | None:
    """Return the service with this slug, active or not, or None."""
    return Service.objects.select_related("category", "org_unit").filter(slug=slug).first()


def service_version_get_published(*, service: Service, number: int) -> ServiceVersion | None:
    """Return version `number` of `service` with its fees and commitments if it was published, else None."""
    version = _with_content(ServiceVersion.objects.filter(service=service, number=number)).first()
    if version is None or not version.is_public:
        return None
    return version


def service_version_list_published(*, service: Service) -> QuerySet[ServiceVersion]:
    """Return every published version of `service`, newest first, with fees and commitments."""
    return _with_content(service.versions.filter(status__in=PUBLIC_STATUSES)).order_by("-number")


def service_version_get(*, service: Service, number: int) -> ServiceVersion | None:
    """Return version `number` of `service` (drafts included) with fees and commitments, or None."""
    return _with_content(ServiceVersion.objects.filter(service=service, number=number)).first()


def service_version_with_content(*, version: ServiceVersion) -> ServiceVersion:
    """Return `version` again with service, fees and commitments loaded for display."""
    return _with_content(ServiceVersion.objects.filter(pk=version.pk)).get()


def service_draft_get(*, service: Service) -> ServiceVersion | None:
    """Return the draft of `service` with fees and commitments, or None when there is none."""
    return _with_content(service.versions.filter(status=ServiceVersion.Status.DRAFT)).first()


def fee_item_get_in_draft(*, draft: ServiceVersion, pk: int) -> FeeItem | None:
    """Return fee `pk` if it belongs to `draft` and `draft` is still a draft, else None."""
    return FeeItem.objects.filter(pk=pk, version=draft, version__status=ServiceVersion.Status.DRAFT).first()


def service_commitment_get_in_draft(*, draft: ServiceVersion, pk: int) -> ServiceCommitment | None:
    """Return commitment `pk` if it belongs to `draft` and `draft` is still a draft, else None."""
    return ServiceCommitment.objects.filter(
        pk=pk, version=draft, version__status=ServiceVersion.Status.DRAFT
    ).first()


def service_version_latest_published(*, service: Service) -> ServiceVersion | None:
    """Return the most recently published version of `service`, whether in force yet or not."""
    return service.versions.filter(status__in=PUBLIC_STATUSES).order_by("-number").first()


def service_name(*, service: Service) -> str:
    """Return the name of `service` in the active language, from its latest published version; its slug
    when it was never published (one query)."""
    version = service_version_latest_published(service=service)
    return (localized(version, "name") if version is not None else "") or service.slug


@dataclass(frozen=True)
class HistoryEntry:
    """A published version and the interval it is (or was, or will be) in force."""

    version: ServiceVersion
    ends_at: dt.datetime | None
    is_in_force: bool
    is_scheduled: bool


def service_version_history(*, service: Service, at: dt.datetime) -> list[HistoryEntry]:
    """Return the published versions of `service`, newest first, each with the end of its interval.

    `is_in_force` marks the version in force at `at`; `is_scheduled` a version whose date is still ahead.
    """
    versions = list(
        service.versions.filter(status__in=PUBLIC_STATUSES)
        .select_related("published_by")
        .order_by("-effective_at", "-number")
    )
    entries: list[HistoryEntry] = []
    ends_at: dt.datetime | None = None
    in_force_seen = False
    for version in versions:
        assert version.effective_at is not None  # noqa: S101 (a published version always has one)
        scheduled = version.effective_at > at
        in_force = not scheduled and not in_force_seen
        in_force_seen = in_force_seen or in_force
        entries.append(HistoryEntry(version, ends_at, in_force, scheduled))
        ends_at = version.effective_at
    return entries


def service_version_next_scheduled(*, service: Service, at: dt.datetime) -> ServiceVersion | None:
    """Return the earliest published version of `service` that takes effect after `at`, or None."""
    return (
        service.versions.filter(status__in=PUBLIC_STATUSES, effective_at__gt=at)
        .order_by("effective_at", "number")
        .first()
    )


def commitment_list_for_service(*, service: Service, at: dt.datetime) -> QuerySet[ServiceCommitment]:
    """Return the commitments of the version of `service` in force at `at` (none before the first one).

    For the SLA engine: each row has metric, target_amount, target_unit, time_basis and the optional
    case_kind / priority it is limited to.
    """
    version = service_version_in_force(service=service, at=at)
    if version is None:
        return ServiceCommitment.objects.none()
    return ServiceCommitment.objects.filter(version=version).order_by("ordering", "pk")


def commitment_find(
    *, service: Service, at: dt.datetime, metric: str, case_kind: str = "", priority: str = ""
) -> ServiceCommitment | None:
    """Return the most specific commitment in force for `metric` that applies to a case of this kind and
    priority.

    A commitment limited to both the kind and the priority wins over one limited to the kind, which wins over
    one limited to the priority, which wins over one for any case. None when nothing applies.
    """
    commitments = commitment_list_for_service(service=service, at=at).filter(metric=metric)
    return commitment_pick(commitments, metric=metric, case_kind=case_kind, priority=priority)


def commitment_pick(
    commitments: Iterable[ServiceCommitment], *, metric: str, case_kind: str = "", priority: str = ""
) -> ServiceCommitment | None:
    """Return the most specific of `commitments` (in their order) for `metric` and a case of this kind and
    priority, as `commitment_find` does; for a caller that read a version's commitments once for several
    metrics."""
    candidates = [
        commitment
        for commitment in commitments
        if commitment.metric == metric
        and commitment.case_kind in ("", case_kind)
        and commitment.priority in ("", priority)
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda c: (bool(c.case_kind), bool(c.priority)))


@dataclass(frozen=True)
class DeskRow:
    """A line of the staff list: the service, its version in force, its draft, and its latest name."""

    service: Service
    in_force: ServiceVersion | None
    draft: ServiceVersion | None
    latest: ServiceVersion | None


def service_list_for_desk(*, at: dt.datetime | None = None) -> list[DeskRow]:
    """Return every service (inactive ones too) with its version in force and its draft, in charter order."""
    at = at or timezone.now()
    services = (
        Service.objects.select_related("category", "org_unit")
        .prefetch_related(Prefetch("versions", queryset=ServiceVersion.objects.order_by("-number")))
        .order_by("category__ordering", "category__slug", "ordering", "slug")
    )
    rows = []
    for service in services:
        versions = list(service.versions.all())
        draft = next((v for v in versions if v.is_draft), None)
        in_force = max(
            (v for v in versions if v.is_public and v.effective_at is not None and v.effective_at <= at),
            key=lambda v: (v.effective_at, v.number),
            default=None,
        )
        rows.append(DeskRow(service, in_force, draft, versions[0] if versions else None))
    return rows
