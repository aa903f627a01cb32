"""Reading an outbox table with a cursor: each row handed to a consumer once, none skipped.

Ids are handed out when rows are inserted but become visible when their transaction commits, so a reader
that simply remembered the highest id it saw could skip a row whose slower transaction committed later. A
reader therefore only goes up to the highest id it saw `lag` earlier (EventCursor.horizon_id): by then every
transaction that was in flight has finished. With no lag (tests, or a single-writer installation) it reads
everything committed.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from charter.common.models import EventCursor

M = TypeVar("M", bound=models.Model)


@contextmanager
def outbox_batch(
    name: str, rows: "models.QuerySet[M]", *, lag: dt.timedelta, limit: int = 500
) -> Iterator[list[M]]:
    """Yield the next rows of `rows` (ordered by id) for consumer `name`, inside a transaction that holds
    the consumer's cursor; the cursor moves past them when the block ends without an exception. Two workers
    running the same consumer wait for each other. The first call starts the consumer after the newest row.
    """
    with transaction.atomic():
        at = timezone.now()
        newest: Any = rows.model._default_manager.aggregate(newest=Max("pk"))["newest"] or 0
        # A new consumer starts at the end: the history before it existed is not its business (no surveys
        # for last year's cases, no webhook flood on the first run).
        EventCursor.objects.get_or_create(name=name, defaults={"position": newest})
        cursor = EventCursor.objects.select_for_update().get(name=name)
        ripe = cursor.horizon_at is not None and at - cursor.horizon_at >= lag
        target = newest if not lag else (cursor.horizon_id if ripe else cursor.position)
        batch = list(rows.filter(pk__gt=cursor.position, pk__lte=target).order_by("pk")[:limit])
        yield batch
        cursor.position = batch[-1].pk if len(batch) == limit else max(cursor.position, target)
        if lag and (cursor.horizon_at is None or (ripe and cursor.position >= cursor.horizon_id)):
            cursor.horizon_id, cursor.horizon_at = newest, at
        cursor.save()
