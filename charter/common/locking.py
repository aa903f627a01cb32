"""Optimistic locking: claim the next version of a row, or refuse because someone else changed it first.

A row carries a counter (`version` or `lock_version`); a form or API client sends the number it read. The
conditional UPDATE that increments it is the lock: when the number is no longer current nothing is updated
and ConflictError (409, `conflict`) is raised; otherwise the UPDATE also holds the row lock until the
transaction ends, so two saves never both win. The cases and corrective-action services grew their own copies
of this before it lived here (`case_lock`, improvement `_lock`); new code calls `row_claim`.
"""

from typing import TypeVar

from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from charter.common.errors import ConflictError, NotFoundError

RowT = TypeVar("RowT", bound=models.Model)

STALE = _("Someone else changed this in the meantime; reload it and try again.")


def row_claim(
    row: RowT,
    expected_version: int | None,
    *,
    field: str = "version",
    stale: str | Promise = STALE,
    queryset: "models.QuerySet[RowT] | None" = None,
) -> RowT:
    """Claim the next version of `row` and return it fresh from the database (from `queryset` when given,
    to select related rows); `expected_version` None skips the comparison but still increments and locks.

    Raises ConflictError with `stale` when the version moved on, NotFoundError when the row is gone. Call
    inside `transaction.atomic`.
    """
    model = type(row)
    manager: models.Manager[RowT] = model._default_manager
    rows = manager.filter(pk=row.pk)
    if expected_version is not None:
        rows = rows.filter(**{field: expected_version})
    changes: dict[str, object] = {field: F(field) + 1}
    if any(each.name == "updated_at" for each in model._meta.concrete_fields):
        changes["updated_at"] = timezone.now()
    if rows.update(**changes) == 0:
        if manager.filter(pk=row.pk).exists():
            raise ConflictError(stale)
        raise NotFoundError(_("Not found."))
    return (queryset if queryset is not None else manager.all()).get(pk=row.pk)
