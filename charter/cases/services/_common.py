"""Shared machinery of the cases services: locking, numbering, the timeline, audit and text checks."""

import datetime as dt
import hashlib
import importlib
import secrets
from dataclasses import replace
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.audit.services import audit_record
from charter.cases.conf import cases_setting
from charter.cases.errors import TEXT_CODES, ErrorCode
from charter.cases.models import Case, CaseEvent, CaseMessage, CaseNumberCounter
from charter.common.errors import ConflictError, DomainError
from charter.common.services import year_counter_next
from charter.common.text import clean_text

Actor = User | AnonymousUser | None


def now() -> dt.datetime:
    return timezone.now()


def staff_actor(actor: Actor) -> User | None:
    """Return `actor` when it is a signed-in user, else None (the public, a customer by tracking link)."""
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def case_lock(case: Case, expected_version: int | None) -> Case:
    """Claim the next version of `case` and return it fresh from the database.

    The conditional UPDATE is the optimistic lock: when `expected_version` is given and no longer current,
    nothing is updated and ConflictError (409, `conflict`) is raised. The UPDATE also takes the row lock
    for the rest of the transaction, so two saves cannot both win. Call inside `transaction.atomic`.
    """
    rows = Case.objects.filter(pk=case.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if rows.update(version=F("version") + 1, updated_at=now()) == 0:
        if Case.objects.filter(pk=case.pk).exists():
            raise ConflictError(
                _("Someone else changed this case in the meantime; reload it and try again."),
            )
        raise DomainError(_("This case no longer exists."), code=ErrorCode.INVALID_STATUS)
    fresh = Case.objects.select_related("customer", "team", "assignee", "service", "category").get(pk=case.pk)
    return fresh


def number_next(at: dt.datetime) -> str:
    """Return the next case number of the year of `at` (the site's time zone): PREFIX-YYYY-NNNNNN.

    Locks the year's counter until the commit: call inside `transaction.atomic`, as late in it as possible.
    """
    year, last = year_counter_next(counter=CaseNumberCounter, at=at)
    return f"{cases_setting('CHARTER_CASES_NUMBER_PREFIX')}-{year}-{last:06d}"


def token_hash(token: str) -> str:
    """Return the stored form of a tracking token: its SHA-256. The database never holds the token; a token
    carries 256 random bits, so its hash cannot be reversed, and no key is needed that a rotation would break.
    """
    return hashlib.sha256(token.encode()).hexdigest()


def token_new() -> str:
    return secrets.token_urlsafe(32)


def event_build(
    case: Case,
    kind: str,
    *,
    actor: Actor = None,
    data: dict[str, Any] | None = None,
    is_internal: bool = True,
    message: CaseMessage | None = None,
    at: dt.datetime | None = None,
) -> CaseEvent:
    """Return one entry of the case's timeline, not yet saved (for a bulk insert; see `event_record`)."""
    return CaseEvent(
        case=case,
        kind=kind,
        actor=staff_actor(actor),
        is_internal=is_internal,
        message=message,
        data=data or {},
        occurred_at=at or now(),
    )


def event_record(
    case: Case,
    kind: str,
    *,
    actor: Actor = None,
    data: dict[str, Any] | None = None,
    is_internal: bool = True,
    message: CaseMessage | None = None,
    at: dt.datetime | None = None,
) -> CaseEvent:
    """Append one entry to the case's timeline."""
    event = event_build(case, kind, actor=actor, data=data, is_internal=is_internal, message=message, at=at)
    event.save(force_insert=True)
    return event


# Free text a step carries (a reason) may quote or name the customer. The case's timeline keeps it, where his
# erasure can clean it; the audit chain, which nobody may rewrite, records only that one was given.
_AUDIT_FREE_TEXT = ("reason", "reasons")


def audit(actor: Actor, verb: str, case: Case, data: dict[str, Any] | None = None) -> None:
    """Record `cases.<verb>` on the audit chain; the public and customers by link are labelled. A reason's
    text is recorded as whether one was given."""
    user = staff_actor(actor)
    if data:
        data = {key: bool(value) if key in _AUDIT_FREE_TEXT else value for key, value in data.items()}
    audit_record(
        actor=user, action=f"cases.{verb}", target=case, data=data, actor_label="" if user else "customer"
    )


def text_clean(
    value: object,
    *,
    field: str,
    required: bool = False,
    max_length: int | None = None,
    multiline: bool = True,
) -> str:
    """Return `value` cleaned by the common rule (`charter.common.text.clean_text`) with the cases' codes:
    a required title, description, body or reasons has its own code. `max_length` defaults to
    CHARTER_CASES_TEXT_MAX_LENGTH. Raises DomainError; writes nothing."""
    limit = max_length if max_length is not None else int(cases_setting("CHARTER_CASES_TEXT_MAX_LENGTH"))
    codes = replace(TEXT_CODES, required=_REQUIRED_CODES.get(field, TEXT_CODES.required))
    return clean_text(
        value, field=field, codes=codes, required=required, max_length=limit, multiline=multiline
    )


# The fields whose absence has a code of its own (API clients tell them apart); others are REASON_REQUIRED.
_REQUIRED_CODES = {
    "title": ErrorCode.TITLE_REQUIRED,
    "description": ErrorCode.DESCRIPTION_REQUIRED,
    "body": ErrorCode.BODY_REQUIRED,
    "reasons": ErrorCode.REASONS_REQUIRED,
}


def _reindex(case: Case, *, has_messages: bool = True) -> None:
    """Refresh the case's search index through `charter.cases.search.case_search_index`, once that module
    exists; before it does, do nothing. `has_messages=False` (a case just created) skips reading messages."""
    try:
        search = importlib.import_module("charter.cases.search")
    except ModuleNotFoundError as error:
        if error.name != "charter.cases.search":
            raise
        return
    search.case_search_index(case, has_messages=has_messages)
