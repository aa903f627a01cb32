"""Change stamps: a per-process cache of configuration that is read again only when it changed.

A stamp is one row of `ChangeStamp` (name, random value). Database triggers replace its value in the
transaction of every insert, update or delete of the tables the configuration is read from, whatever makes
the change (services, the admin, bulk updates, fixtures, SQL by hand), so a process that cached the
configuration under one value reads it again as soon as the value is another. The value is random, not a
counter, so a rolled-back change can never make an old value stand for new content.

`StampedCache` is the reader: one query (the stamp) while nothing changed, none inside `stamps_pinned`
after the block's one reading of all its stamps. The SLA configuration (`sla`, migration sla.0004), the
routing of new cases (`routing`, cases.0012) and the consent purposes (`consent_purposes`, privacy.0008)
use it; a migration of the app that owns the configuration creates its triggers (`stamp_triggers_create`).
Without a stamp row (another database vendor, or a database emptied by a test) nothing is cached.
"""

import contextlib
import contextvars
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Generic, TypeVar

from django.db import connection

from charter.common.models import ChangeStamp

T = TypeVar("T")

STAMP_TABLE = ChangeStamp._meta.db_table
_POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION charter_stamp_replace() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO common_changestamp (name, value)
    VALUES (TG_ARGV[0], replace(gen_random_uuid()::text, '-', ''))
    ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value;
    RETURN NULL;
END $$;
"""


def stamp_read(name: str) -> str | None:
    """The current value of stamp `name`, or None when it has no row (nothing may be cached)."""
    return stamps_read([name]).get(name)


def stamps_read(names: Sequence[str]) -> dict[str, str]:
    """The current values of the stamps `names` that have a row, in one query. Every intake asks: the
    statement is written here, not built by the ORM each time."""
    placeholders = ", ".join(["%s"] * len(names))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT name, value FROM {STAMP_TABLE} WHERE name IN ({placeholders})",  # noqa: S608 (fixed names)
            list(names),
        )
        return dict(cursor.fetchall())


class StampedCache(Generic[T]):
    """One value per process, built by `load()` and kept while stamp `name` keeps the value it had.

    The stamp is read before the value is built, so a change between the two makes the next reading
    build it again, never keep stale content. The value is shared by every thread of the process: keep
    it immutable (or hand out copies). Inside `stamps_pinned` the block's one reading is used without
    asking the stamp again."""

    def __init__(self, name: str, load: Callable[[], T]) -> None:
        self.name = name
        self.load = load
        self._current: tuple[str, T] | None = None
        self._pinned: contextvars.ContextVar[T | None] = contextvars.ContextVar(
            f"stamped_{name}", default=None
        )

    def get(self) -> T:
        pinned = self._pinned.get()
        if pinned is not None:
            return pinned
        return self._for(stamp_read(self.name))

    def _for(self, stamp: str | None) -> T:
        current = self._current
        if stamp is not None and current is not None and current[0] == stamp:
            return current[1]
        fresh = self.load()
        if stamp is not None:
            self._current = (stamp, fresh)  # one tuple, replaced whole: no reader sees half of it
        return fresh


@contextlib.contextmanager
def stamps_pinned(*caches: StampedCache[Any]) -> Iterator[None]:
    """Read each cache once for the block (their stamps in one query): what is looked up inside it (one
    new case's routing and targets, say) comes from that one reading. A cache pinned by an outer block
    keeps the outer reading."""
    needed = [cache for cache in caches if cache._pinned.get() is None]
    stamps = stamps_read([cache.name for cache in needed]) if needed else {}
    tokens = [(cache, cache._pinned.set(cache._for(stamps.get(cache.name)))) for cache in needed]
    try:
        yield
    finally:
        for cache, token in reversed(tokens):
            cache._pinned.reset(token)


def _trigger_name(table: str, name: str, operation: str) -> str:
    return f"{table}_{name}stamp_{operation}"


def stamp_triggers_create(
    schema_editor: Any, *, name: str, tables: Mapping[str, Sequence[str] | None]
) -> None:
    """Create the triggers that replace stamp `name` on every change of `tables` (and its row).

    `tables` maps a table to the columns whose update changes the configuration (None: any column);
    inserts and deletes always do. On a vendor other than PostgreSQL and SQLite nothing is created and no
    row is written, so nothing is cached there."""
    import secrets

    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_POSTGRESQL_FUNCTION)
        for table, columns in tables.items():
            update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
            schema_editor.execute(
                f"CREATE TRIGGER {_trigger_name(table, name, 'change')} AFTER INSERT OR {update} OR DELETE "
                f"OR TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION charter_stamp_replace('{name}')"
            )
    elif vendor == "sqlite":
        for table, columns in tables.items():
            for operation in ("INSERT", "UPDATE", "DELETE"):
                event = f"UPDATE OF {', '.join(columns)}" if operation == "UPDATE" and columns else operation
                trigger = _trigger_name(table, name, operation.lower())
                schema_editor.execute(
                    f"CREATE TRIGGER {trigger} AFTER {event} ON {table} "  # noqa: S608 (fixed names)
                    f"BEGIN INSERT OR REPLACE INTO {STAMP_TABLE} (name, value) "
                    f"VALUES ('{name}', lower(hex(randomblob(16)))); END"
                )
    else:
        return
    schema_editor.execute(
        f"INSERT INTO {STAMP_TABLE} (name, value) VALUES (%s, %s)",  # noqa: S608 (a fixed name)
        [name, secrets.token_hex(16)],
    )


def stamp_triggers_drop(schema_editor: Any, *, name: str, tables: Mapping[str, Sequence[str] | None]) -> None:
    """Drop what `stamp_triggers_create` made (the shared PostgreSQL function stays: other stamps use it)."""
    vendor = schema_editor.connection.vendor
    for table in tables:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {_trigger_name(table, name, 'change')} ON {table}")
        elif vendor == "sqlite":
            for operation in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {_trigger_name(table, name, operation)}")
    schema_editor.execute(f"DELETE FROM {STAMP_TABLE} WHERE name = %s", [name])  # noqa: S608 (a fixed name)
