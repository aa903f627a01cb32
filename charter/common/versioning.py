"""Versioned documents: a draft is edited, a published version never changes, a newer one supersedes it.

Four documents live this way: a service's public content (`catalog.ServiceVersion`), a standard
(`standards.StandardVersion`), a QA scorecard (`quality.ScorecardVersion`) and a survey's questions
(`surveys.SurveyVersion`). Each version model inherits `DocumentVersion`; each row that belongs to a version
(fees and commitments, clauses, criteria, questions) inherits `VersionPart`. Their services share one
pattern of names, `<document>_version_draft_create`, `_draft_update`, `_draft_discard` and
`<document>_version_publish`, and two helpers from here: `version_draft_lock` (lock the row, refuse unless it
is a draft) and `version_publish` (supersede, stamp, save).

This module is the one place that refuses to change a published version. `save()` and `delete()` of a
version or of one of its parts, and `update()`, `delete()` and `bulk_create()` of their querysets, raise the
model's `frozen_error()` (a DomainError carrying the app's own code and message) when a published version
would change, whoever calls them: a service, the admin, a shell, a bug. The one change a published version
accepts is its status becoming superseded, which `version_publish` makes. Services still call
`version_draft_lock` before they validate, so a user is refused before any work, and two editors never
edit or publish one draft at once.

Not guarded: cascades (deleting a whole survey or scorecard deletes its versions, as Django's collector
bypasses model and queryset methods) and many-to-many rows (a clause's citations), which services write
only while the version is a draft.
"""

from typing import Any, ClassVar, TypeVar, cast

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from charter.common.errors import DomainError


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")


# Bound to Model, not to the classes below: mypy's Django plugin crashes on a forward reference here.
_V = TypeVar("_V", bound=models.Model, covariant=True)
_P = TypeVar("_P", bound=models.Model, covariant=True)


class DocumentVersionQuerySet(models.QuerySet[_V, _V]):
    """Versions; bulk writes that would change a published version are refused."""

    def drafts(self) -> "DocumentVersionQuerySet[_V]":
        return self.filter(status=VersionStatus.DRAFT)

    def published(self) -> "DocumentVersionQuerySet[_V]":
        return self.filter(status=VersionStatus.PUBLISHED)

    def update(self, **kwargs: Any) -> int:
        if self.exclude(status=VersionStatus.DRAFT).exists() and not self._is_supersession(kwargs):
            raise _version_model(self.model).frozen_error()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.exclude(status=VersionStatus.DRAFT).exists():
            raise _version_model(self.model).frozen_error()
        return super().delete()

    def _is_supersession(self, values: dict[str, Any]) -> bool:
        # Superseding moves published rows only: a draft is never superseded without being published.
        return (
            values == {"status": VersionStatus.SUPERSEDED}
            and _version_model(self.model).is_supersedable()
            and not self.filter(status=VersionStatus.DRAFT).exists()
        )


class DocumentVersionManager(models.Manager[_V]):
    # A plain manager class rather than `as_manager()`: mypy's Django plugin mistypes the methods it copies
    # from a generic queryset (prefetch_related with a Prefetch fails to type-check).
    def get_queryset(self) -> DocumentVersionQuerySet[_V]:
        return DocumentVersionQuerySet(self.model, using=self._db)

    def drafts(self) -> DocumentVersionQuerySet[_V]:
        return self.get_queryset().drafts()

    def published(self) -> DocumentVersionQuerySet[_V]:
        return self.get_queryset().published()


class DocumentVersion(models.Model):
    """One numbered version of a document. A draft is edited; once published it never changes again.

    The concrete model adds its document (a foreign key), its content, its constraints (a number once per
    document, one draft at a time) and the refusal it answers with: `frozen_message` and `frozen_code`,
    which its services raise too, so a user hears the same words whichever layer refused.
    """

    Status = VersionStatus

    number = models.PositiveIntegerField(_("version number"))
    status = models.CharField(
        _("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = DocumentVersionManager()

    frozen_message: ClassVar[str | Promise]
    frozen_code: ClassVar[str]

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        stored = self._stored_status()
        if (
            stored is not None
            and stored != VersionStatus.DRAFT
            and not self._is_supersession(stored, kwargs.get("update_fields"))
        ):
            raise self.frozen_error()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self._stored_status() not in (None, VersionStatus.DRAFT):
            raise self.frozen_error()
        return super().delete(*args, **kwargs)

    @classmethod
    def frozen_error(cls) -> DomainError:
        """The refusal to change a version that is no longer a draft, in the app's words and code."""
        return DomainError(cls.frozen_message, code=cls.frozen_code)

    @classmethod
    def is_supersedable(cls) -> bool:
        """True when a published version of this document becomes superseded once a newer one is published.

        A standard never is: each published version stays published and in force from its effective date.
        """
        status = cls._meta.get_field("status")
        assert isinstance(status, models.Field)  # noqa: S101 (declared above)
        return VersionStatus.SUPERSEDED in {value for value, _label in status.flatchoices}

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def is_published(self) -> bool:
        """True for the published version (not a draft, not superseded)."""
        return self.status == VersionStatus.PUBLISHED

    def _stored_status(self) -> str | None:
        # The stored row decides, not this instance: a caller may have changed `status` in memory.
        if self.pk is None:
            return None
        stored: str | None = (
            type(self)._base_manager.filter(pk=self.pk).values_list("status", flat=True).first()
        )
        return stored

    def _is_supersession(self, stored: str, update_fields: Any) -> bool:
        return (
            stored == VersionStatus.PUBLISHED
            and self.status == VersionStatus.SUPERSEDED
            and self.is_supersedable()
            and bool(update_fields)
            and set(update_fields) <= {"status", "updated_at"}
        )


class VersionPartQuerySet(models.QuerySet[_P, _P]):
    """Rows of versions; bulk writes touching a published version are refused."""

    def update(self, **kwargs: Any) -> int:
        if self.exclude(version__status=VersionStatus.DRAFT).exists():
            raise _part_model(self.model).version_model().frozen_error()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.exclude(version__status=VersionStatus.DRAFT).exists():
            raise _part_model(self.model).version_model().frozen_error()
        return super().delete()

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[_P]:
        objs = list(objs)
        _part_model(self.model).guard_versions({obj.version_id for obj in objs})
        return super().bulk_create(objs, *args, **kwargs)


class VersionPartManager(models.Manager[_P]):
    # See DocumentVersionManager.
    def get_queryset(self) -> VersionPartQuerySet[_P]:
        return VersionPartQuerySet(self.model, using=self._db)


class VersionPart(models.Model):
    """A row that belongs to one version (a fee, a clause, a criterion, a question): frozen with it.

    The concrete model declares the foreign key `version` to its `DocumentVersion` model.
    """

    version_id: int

    objects = VersionPartManager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.guard_versions(self._version_ids())
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        self.guard_versions(self._version_ids())
        return super().delete(*args, **kwargs)

    @classmethod
    def version_model(cls) -> type[DocumentVersion]:
        """The version model this part belongs to."""
        model = cls._meta.get_field("version").related_model
        assert isinstance(model, type) and issubclass(model, DocumentVersion)  # noqa: S101 (declared so)
        return model

    @classmethod
    def guard_versions(cls, version_ids: set[int]) -> None:
        """Raise the version model's `frozen_error()` when any of `version_ids` is no longer a draft."""
        model = cls.version_model()
        if model._base_manager.filter(pk__in=version_ids).exclude(status=VersionStatus.DRAFT).exists():
            raise model.frozen_error()

    def _version_ids(self) -> set[int]:
        # Both the version it goes to and the one it is stored in: a part never leaves a published version.
        ids = {self.version_id}
        if self.pk is not None:
            # Typed loosely: the plugin looks `version` up on this abstract class, which does not declare it.
            parts: models.Manager[Any] = type(self)._base_manager
            stored = parts.filter(pk=self.pk).values_list("version_id", flat=True).first()
            if stored is not None:
                ids.add(stored)
        return ids


def _version_model(model: type[models.Model]) -> type[DocumentVersion]:
    assert issubclass(model, DocumentVersion)  # noqa: S101 (the queryset's model)
    return model


def _part_model(model: type[models.Model]) -> type[VersionPart]:
    assert issubclass(model, VersionPart)  # noqa: S101 (the queryset's model)
    return model


_D = TypeVar("_D", bound=DocumentVersion)


def version_draft_lock(version: _D) -> _D:
    """Lock `version`'s row until the transaction ends and return it as stored; refuse unless it is a draft.

    Call inside `transaction.atomic`, before validating. Raises the model's `frozen_error()` when the version
    is published or superseded, or no longer exists (a discarded draft). Writes nothing.
    """
    model = type(version)
    versions = cast("models.Manager[_D]", model._default_manager)
    locked = versions.select_for_update().filter(pk=version.pk).first()
    if locked is None or locked.status != VersionStatus.DRAFT:
        raise model.frozen_error()
    return locked


def version_publish(
    *, version: _D, actor: AbstractBaseUser | None, supersede: "models.QuerySet[_D] | None" = None
) -> _D:
    """Publish the draft `version`: from now on it never changes.

    Pass the instance returned by `version_draft_lock`, with the app's own fields (effective date, change
    note) already set on it; the app checks its own rules before and writes its audit row after, in the same
    transaction. Locks the row and refuses unless it is still a draft (`frozen_error()`); marks the published
    rows of `supersede` (the document's other versions; None when the document keeps every published version
    in force, as a standard does) superseded first, so a document never has two published at once; then
    sets the status, `published_at` (now) and `published_by`, and saves every field.
    """
    with transaction.atomic():
        version_draft_lock(version)
        if supersede is not None:
            supersede.filter(status=VersionStatus.PUBLISHED).exclude(pk=version.pk).update(
                status=VersionStatus.SUPERSEDED
            )
        version.status = VersionStatus.PUBLISHED
        version.published_at = timezone.now()
        # Typed loosely: common does not import the project's user model (accounts sits beside it).
        publisher: Any = actor
        version.published_by = publisher
        version.save()
    return version


def version_number_next(versions: "models.QuerySet[_D]") -> int:
    """Return the number of the next version among `versions` (one document's), 1 for the first.

    The caller holds the document's lock, so two drafts never get the same number.
    """
    last: int | None = versions.aggregate(last=Max("number"))["last"]
    return (last or 0) + 1
