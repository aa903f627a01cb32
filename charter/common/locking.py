"""Optimistic locking: claim the next version of a row, or refuse because someone else changed it first.

A row carries a counter (`version` or `lock_version`); a form or API client sends the number it read. The
conditional UPDATE that increments it is the lock: when the number is no longer current nothing is updated
and ConflictError (409, `conflict`) is raised; otherwise the UPDATE also holds the row lock until the
transaction ends, so two saves never both win. The cases and corrective-action services grew their own copies
of this before it lived here (`case_lock`, improvement `_lock`); new code calls `row_claim`.
"""

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import connections, models, router
from django.db.models import F, Field
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


# Row locks on the hot paths ---------------------------------------------------------------------------------
# An intake takes its team's routing turn and appends to the audit chain while other writers wait for it:
# these read and write one row with a statement written once per model and columns, not built by the ORM
# each time.


def row_lock_values(
    model: type[models.Model], columns: Sequence[str], **where: object
) -> tuple[Any, ...] | None:
    """Return the `columns` (field names) of the one row of `model` matching `where` (field names and
    values), locked until the transaction ends (FOR UPDATE; on SQLite the write transaction holds the whole
    database), or None when there is none. Call inside `transaction.atomic`."""
    connection = connections[router.db_for_write(model)]
    sql = _select_locked(connection.alias, model, tuple(columns), tuple(where))
    params = [_field(model, name).get_db_prep_value(value, connection) for name, value in where.items()]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return tuple(row) if row is not None else None


def row_set(model: type[models.Model], pk: int, **values: object) -> None:
    """Set `values` (field names and values) in the row of `model` whose id is `pk`, as
    `QuerySet.update` would, without signals or `save()`."""
    connection = connections[router.db_for_write(model)]
    sql = _update_by_pk(connection.alias, model, tuple(values))
    params: list[Any] = [
        _field(model, name).get_db_prep_save(value, connection) for name, value in values.items()
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, pk])


@functools.cache
def _select_locked(
    alias: str, model: type[models.Model], columns: tuple[str, ...], where: tuple[str, ...]
) -> str:
    connection = connections[alias]
    quote = connection.ops.quote_name
    column = _column_of(model)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    conditions = " AND ".join(f"{quote(column(name))} = %s" for name in where)
    selected = ", ".join(quote(column(name)) for name in columns)
    # Names from the model's metadata, quoted; the values are parameters.
    return f"SELECT {selected} FROM {quote(model._meta.db_table)} WHERE {conditions}{lock}"  # noqa: S608


@functools.cache
def _update_by_pk(alias: str, model: type[models.Model], columns: tuple[str, ...]) -> str:
    quote = connections[alias].ops.quote_name
    column = _column_of(model)
    assignments = ", ".join(f"{quote(column(name))} = %s" for name in columns)
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    return f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608 (quoted names; values are parameters)


def _field(model: type[models.Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, Field):
        raise ValueError(f"{model._meta.label}.{name} is not a column")
    return field


def _column_of(model: type[models.Model]) -> Callable[[str], str]:
    def column(name: str) -> str:
        return _field(model, name).column

    return column
