"""What the higher apps tell privacy about the personal data they hold.

Privacy sits in the lowest layer, so it cannot read cases, mail or surveys; each of those apps registers
here, from its AppConfig.ready(), what it holds about a customer and how its old records expire:

- a `SubjectDataSource` exports everything the app holds about one customer (for an access request) and
  erases it by anonymisation (for an erasure request or the end of retention), keeping the rows, numbers,
  clocks, scores and counts so published figures never change;
- a `RetentionRule` names one type of record with a default retention and finds and anonymises (or
  deletes) the expired ones in batches, leaving alone what a legal hold covers;
- a working-day calculator (the SLA's business calendar) turns "15 working days" into a deadline.

The services that use these live in privacy (requests.py, erasure.py, retention.py); the registrations live
in each app's `privacy.py`.
"""

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from django.db.models.fields.files import FieldFile
from django.utils.functional import Promise

if TYPE_CHECKING:
    from charter.accounts.models import Customer

# Text that replaces a person's words in an anonymised record (the same in every table).
ERASED_MARKER = "[已删除 / erased]"


@dataclasses.dataclass
class SubjectExport:
    """One app's share of an access export: rows per table (JSON-serialisable dicts, personal data in the
    clear, no staff-internal notes, no other person's data, no internal scores) and the files he sent."""

    tables: dict[str, list[dict[str, Any]]] = dataclasses.field(default_factory=dict)
    # (name inside the ZIP, the stored file)
    files: list[tuple[str, FieldFile]] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class SubjectDataSource:
    """The personal data one app holds about customers."""

    key: str  # the app label, e.g. "cases"
    export: Callable[["Customer"], SubjectExport]
    # Anonymise everything about the customer this app holds; return how many rows each table changed.
    # Runs inside the erasure's transaction; must not delete rows that figures count.
    erase: Callable[["Customer"], dict[str, int]]


@dataclasses.dataclass(frozen=True)
class RetentionRule:
    """One type of record with a retention period counted from when the record ended."""

    record_type: str  # slug, e.g. "closed_cases"; RetentionSchedule.record_type
    label: str | Promise
    default_days: int
    # The ids of records that ended before `cutoff`, not yet anonymised, and not under a legal hold; at most
    # `limit` of them, oldest first.
    due: Callable[[dt.datetime, int], Sequence[Any]]
    # Anonymise or delete those records; return how many were done. Runs in one transaction per batch.
    apply: Callable[[Sequence[Any]], int]
    # How many expired records a legal hold keeps (for the dry-run report).
    held: Callable[[dt.datetime], int] = lambda cutoff: 0


_sources: dict[str, SubjectDataSource] = {}
_rules: dict[str, RetentionRule] = {}
_working_days: list[Callable[[dt.datetime, int], dt.datetime]] = []


def subject_data_register(source: SubjectDataSource) -> None:
    """Register (or replace, by key) one app's personal data source."""
    _sources[source.key] = source


def subject_data_sources() -> list[SubjectDataSource]:
    return list(_sources.values())


def retention_rule_register(rule: RetentionRule) -> None:
    """Register (or replace, by record type) one retention rule."""
    _rules[rule.record_type] = rule


def retention_rules() -> list[RetentionRule]:
    return sorted(_rules.values(), key=lambda rule: rule.record_type)


def working_days_register(add: Callable[[dt.datetime, int], dt.datetime]) -> None:
    """Register the function that adds N working days to a moment (the SLA's default business calendar)."""
    _working_days[:] = [add]


def working_days_add(start: dt.datetime, days: int) -> dt.datetime:
    """Return `start` plus `days` working days: by the registered calendar, else Monday to Friday."""
    if _working_days:
        return _working_days[0](start, days)
    moment = start
    remaining = days
    while remaining > 0:
        moment += dt.timedelta(days=1)
        if moment.weekday() < 5:
            remaining -= 1
    return moment
