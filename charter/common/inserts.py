"""INSERTs compiled before the transaction that runs them, so a write lock is held for the statement only.

Django compiles an INSERT when it runs it: every value is adapted then (a personal field encrypted, a JSON
document serialised, a time formatted, a blind index computed), inside the caller's transaction. On SQLite a
write transaction holds the whole database and on PostgreSQL an intake holds its team's routing row, the
number counter and the audit chain head, so every other writer waits for that work too. `PreparedInsert`
compiles the statement of some unsaved rows when it is made, before the transaction; `run()` inside it only
executes the statement and sets the rows' ids.

A value that is known only inside the transaction is filled in by `run()`:
- a foreign key to a row not yet inserted when the statement is compiled (a case's customer, an event's
  case): it is taken from that row, which must have been inserted by then;
- a column named in `late` (a case's number, an event's data naming it): `late[attname](row)` gives the
  value, adapted as Django would.

Rows are inserted with their model's `save()` bypassed, as `bulk_create` does: no signals, no `save()`
override (the models this is used for have neither).
"""

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from django.db import connections, router
from django.db.models import Field, ForeignObject, Model
from django.db.models.fields import AutoFieldMixin

M = TypeVar("M", bound=Model)


class PreparedInsert(Generic[M]):
    """One INSERT of `rows` (unsaved instances of one model), compiled now and run later by `run()`."""

    def __init__(self, rows: Sequence[M], *, late: Mapping[str, Callable[[M], object]] | None = None) -> None:
        if not rows:
            raise ValueError("PreparedInsert needs at least one row")
        self.rows = list(rows)
        model = type(self.rows[0])
        opts = model._meta
        if any(type(row) is not model or row.pk is not None for row in self.rows):
            raise ValueError("PreparedInsert takes unsaved rows of one model, their ids left to the database")
        self.alias = router.db_for_write(model)
        connection = connections[self.alias]
        if not connection.features.can_return_rows_from_bulk_insert:
            raise NotImplementedError(f"{connection.vendor} cannot return the ids of a multi-row insert")
        if connection.ops.modify_insert_params("%s", [None]) != [None]:
            raise NotImplementedError(f"{connection.vendor} rewrites insert parameters")
        self._fields = _columns(model)
        late = late or {}
        unknown = set(late) - {field.attname for field in self._fields}
        if unknown:
            raise ValueError(f"no such columns in {opts.label}: {sorted(unknown)}")
        # (column index, field, how to read its value from a row at run time: None for a relation, whose
        # value is the id of the row it holds)
        self._late: list[tuple[int, Field[Any, Any], Callable[[M], object] | None]] = [
            (index, field, late[field.attname])
            for index, field in enumerate(self._fields)
            if field.attname in late
        ]
        self._late.extend(
            (index, field, None)
            for index, field in _relations(model)
            if field.attname not in late
            and any((held := _held_row(field, row)) is not None and held.pk is None for row in self.rows)
        )
        # Each value as Django's INSERT compiler prepares it (`pre_save`, then `get_db_prep_save`), without
        # the compiler's general machinery: these are plain values, row after row.
        self._params: list[Any] = []
        for row in self.rows:
            for field in self._fields:
                value = field.pre_save(row, add=True)
                if hasattr(value, "resolve_expression"):
                    raise NotImplementedError(f"PreparedInsert takes plain values only ({field})")
                self._params.append(field.get_db_prep_save(value, connection))
        self._sql = _statement(self.alias, model, self._fields, len(self.rows))

    def run(self) -> list[M]:
        """Execute the statement in the current transaction; set each row's id and mark it saved."""
        connection = connections[self.alias]
        params = self._params
        if self._late:
            params = list(params)
            width = len(self._fields)
            for position, row in enumerate(self.rows):
                for index, field, value_of in self._late:
                    if value_of is None:
                        related = _held_row(field, row)
                        if related is None:
                            continue  # compiled with its value: an id given directly, or none
                        if related.pk is None:
                            raise ValueError(
                                f"{type(row).__name__}.{field.name} refers to a row that is not saved yet"
                            )
                        setattr(row, field.name, related)  # the id and the cached row, as Django's save does
                        value = related.pk
                    else:
                        value = value_of(row)
                        setattr(row, field.attname, value)
                    params[position * width + index] = field.get_db_prep_save(value, connection)
        with connection.cursor() as cursor:
            cursor.execute(self._sql, params)
            returned = cursor.fetchall()
        if len(returned) != len(self.rows):
            raise RuntimeError(f"{len(self.rows)} rows inserted, {len(returned)} ids returned")
        for row, (pk,) in zip(self.rows, returned, strict=True):
            row.pk = pk
            row._state.adding = False
            row._state.db = self.alias
        return self.rows


def _held_row(field: Field[Any, Any], row: Model) -> Model | None:
    """The row that `row`'s foreign key `field` holds in memory; None when it holds none (or is no key)."""
    if not isinstance(field, ForeignObject) or not field.is_cached(row):
        return None
    related = field.get_cached_value(row)
    return related if isinstance(related, Model) else None


@functools.cache
def _statement(alias: str, model: type[Model], fields: tuple[Field[Any, Any], ...], count: int) -> str:
    """The INSERT of `count` rows of `model`'s `fields` returning their ids, as Django would write it."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    returning, _params = connection.ops.return_insert_columns([model._meta.pk])
    return (
        f"{connection.ops.insert_statement(on_conflict=None)} {quote(model._meta.db_table)} "
        f"({', '.join(quote(field.column) for field in fields)}) VALUES {', '.join([row] * count)}{returning}"
    )


@functools.cache
def _columns(model: type[Model]) -> tuple[Field[Any, Any], ...]:
    """The columns an INSERT of `model` writes: every concrete field but generated ones and the id."""
    columns = tuple(
        field
        for field in model._meta.concrete_fields
        if not field.generated and not isinstance(field, AutoFieldMixin)
    )
    if any(hasattr(field, "get_placeholder") for field in columns):
        raise NotImplementedError(f"PreparedInsert takes plain values only ({model._meta.label})")
    return columns


@functools.cache
def _relations(model: type[Model]) -> tuple[tuple[int, Field[Any, Any]], ...]:
    """The foreign keys among `_columns(model)`, with their places."""
    return tuple(
        (index, field) for index, field in enumerate(_columns(model)) if isinstance(field, ForeignObject)
    )
