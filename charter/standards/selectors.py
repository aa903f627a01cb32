"""Reads of the standards: documents, the version in force on a date, drafts, acknowledgements and reports."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value, When
from django.utils import timezone

from charter.accounts.models import Team, User
from charter.accounts.selectors import staff_list, team_list_led_by
from charter.standards.models import (
    StandardAcknowledgement,
    StandardClause,
    StandardDocument,
    StandardVersion,
)
from charter.standards.permissions import AnyUser, can_edit_standards, can_view_everyone_in_report

Published = StandardVersion.Status.PUBLISHED


def standard_document_list() -> QuerySet[StandardDocument]:
    """Return every document, the customer promises first, then the code of conduct, each by code."""
    return StandardDocument.objects.annotate(
        kind_order=Case(
            When(kind=StandardDocument.Kind.CUSTOMER_PROMISES, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("kind_order", "code")


def standard_version_in_force(*, document: StandardDocument, at: dt.datetime) -> StandardVersion | None:
    """Return the version of `document` in force at `at`, or None when none is.

    The version in force is the published one with the highest number whose `effective_at` is not after
    `at` (publication keeps effective dates in number order, so it is also the latest to take effect).
    Discipline cites the clauses of the version in force on the day of the act.
    """
    return (
        StandardVersion.objects.published()
        .filter(document=document, effective_at__lte=at)
        .select_related("document")
        .order_by("-number")
        .first()
    )


def standard_clause_in_force(
    *, document: StandardDocument, number: str, at: dt.datetime
) -> StandardClause | None:
    """Return clause `number` of the version of `document` in force at `at`, or None when there is none.

    For those who cite a clause as it stood on a date (a violation cites the clause in force on the day of
    the act).
    """
    version = standard_version_in_force(document=document, at=at)
    if version is None:
        return None
    return (
        StandardClause.objects.filter(version=version, number=number)
        .select_related("version__document")
        .first()
    )


def standard_version_scheduled_list(
    *, document: StandardDocument, at: dt.datetime
) -> QuerySet[StandardVersion]:
    """Return the published versions of `document` that take effect after `at`, earliest first."""
    return (
        StandardVersion.objects.published()
        .filter(document=document, effective_at__gt=at)
        .select_related("document")
        .order_by("number")
    )


def standard_version_latest_published(*, document: StandardDocument) -> StandardVersion | None:
    """Return the published version of `document` with the highest number (in force or scheduled)."""
    return StandardVersion.objects.published().filter(document=document).order_by("-number").first()


def standard_version_draft_of(*, document: StandardDocument) -> StandardVersion | None:
    """Return the draft of `document`, or None; there is at most one."""
    return StandardVersion.objects.filter(document=document, status=StandardVersion.Status.DRAFT).first()


def standard_version_list_visible_to(
    *, user: AnyUser, document: StandardDocument
) -> QuerySet[StandardVersion]:
    """Return the versions of `document` that `user` may read, newest first.

    Published versions are public policy and visible to everyone, signed in or not; drafts only to those
    who may edit the standards.
    """
    versions = StandardVersion.objects.filter(document=document).select_related(
        "document", "published_by", "supersedes"
    )
    if not can_edit_standards(user):
        versions = versions.filter(status=Published)
    return versions.order_by("-number")


def standard_clause_list(*, version: StandardVersion) -> QuerySet[StandardClause]:
    """Return the clauses of `version` in their natural number order, with the promises each one cites."""
    return (
        StandardClause.objects.filter(version=version)
        .prefetch_related(
            Prefetch("promises", queryset=StandardClause.objects.select_related("version__document"))
        )
        .order_by("sort_key")
    )


def standard_clause_citable_list() -> QuerySet[StandardClause]:
    """Return the promise clauses a code-of-conduct clause may cite: those of each promise document's latest
    published version."""
    latest = (
        StandardVersion.objects.published().filter(document=OuterRef("version__document")).order_by("-number")
    )
    return (
        StandardClause.objects.filter(
            version__status=Published,
            version__document__kind=StandardDocument.Kind.CUSTOMER_PROMISES,
        )
        .filter(version=Subquery(latest.values("pk")[:1]))
        .select_related("version__document")
        .order_by("version__document__code", "sort_key")
    )


@dataclass(frozen=True)
class DocumentInForce:
    """A document with the version in force and its clauses, as shown on the public page."""

    document: StandardDocument
    version: StandardVersion
    clauses: list[StandardClause]


def standard_public_list(*, at: dt.datetime | None = None) -> list[DocumentInForce]:
    """Return each document that has a version in force at `at` (default now), with its clauses.

    Everything returned is published, so it may be shown to anyone.
    """
    moment = at or timezone.now()
    result = []
    for document in standard_document_list():
        version = standard_version_in_force(document=document, at=moment)
        if version is not None:
            result.append(DocumentInForce(document, version, list(standard_clause_list(version=version))))
    return result


def standard_acknowledgement_get(
    *, version: StandardVersion, user: AnyUser
) -> StandardAcknowledgement | None:
    """Return `user`'s acknowledgement of `version`, or None."""
    if not user.is_authenticated:
        return None
    return StandardAcknowledgement.objects.filter(version=version, user_id=user.pk).first()


def standard_acknowledgement_list_of(*, user: AnyUser) -> QuerySet[StandardAcknowledgement]:
    """Return the acknowledgements `user` has given, newest first."""
    if not user.is_authenticated:
        return StandardAcknowledgement.objects.none()
    return StandardAcknowledgement.objects.filter(user_id=user.pk).select_related("version__document")


def standard_version_list_awaiting_acknowledgement(
    *, user: AnyUser, at: dt.datetime | None = None
) -> list[StandardVersion]:
    """Return the code-of-conduct versions `user` still has to acknowledge at `at` (default now).

    These are, for each code of conduct, the version in force and every version published to take effect
    later, less those he has acknowledged. Superseded versions no longer await anyone.
    """
    if not user.is_authenticated:
        return []
    moment = at or timezone.now()
    acknowledged = set(
        StandardAcknowledgement.objects.filter(user_id=user.pk).values_list("version_id", flat=True)
    )
    awaiting: list[StandardVersion] = []
    for document in standard_document_list().filter(kind=StandardDocument.Kind.CODE_OF_CONDUCT):
        in_force = standard_version_in_force(document=document, at=moment)
        candidates = [in_force] if in_force is not None else []
        candidates += list(standard_version_scheduled_list(document=document, at=moment))
        awaiting += [version for version in candidates if version.pk not in acknowledged]
    return awaiting


def acknowledgement_report_team_list(*, user: AnyUser) -> QuerySet[Team]:
    """Return the teams whose members' acknowledgements `user` may see: all teams for administrators, the
    teams he leads (and those under them) for a supervisor, none for anyone else."""
    if not user.is_authenticated:
        return Team.objects.none()
    if can_view_everyone_in_report(user):
        return Team.objects.filter(is_active=True).order_by("code")
    assert isinstance(user, User)  # noqa: S101 (authenticated users are Users)
    return team_list_led_by(user=user).filter(is_active=True).order_by("code")


def acknowledgement_report_user_list(
    *,
    user: AnyUser,
    version: StandardVersion,
    team: Team | None = None,
    is_pending_only: bool = False,
) -> QuerySet[User]:
    """Return the staff `user` may report on, each annotated with `acknowledged_at` for `version` (None when
    he has not acknowledged it).

    Administrators see every active member of staff; a supervisor the members of the teams he leads. With
    `team`, only its members, and nobody when the team is outside his scope.
    """
    if not user.is_authenticated:
        return User.objects.none()
    people = User.objects.filter(is_active=True)
    if team is not None:
        if not acknowledgement_report_team_list(user=user).filter(pk=team.pk).exists():
            return User.objects.none()
        people = people.filter(memberships__team=team)
    elif can_view_everyone_in_report(user):
        people = people.filter(pk__in=staff_list().values("pk"))
    else:
        people = people.filter(memberships__team__in=acknowledgement_report_team_list(user=user))
    acknowledged_at = StandardAcknowledgement.objects.filter(version=version, user=OuterRef("pk")).values(
        "acknowledged_at"
    )[:1]
    people = User.objects.filter(pk__in=people.values("pk")).annotate(
        acknowledged_at=Subquery(acknowledged_at)
    )
    if is_pending_only:
        people = people.filter(acknowledged_at__isnull=True)
    return people.order_by("username")
