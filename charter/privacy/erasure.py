"""Erasure by anonymisation and restriction of processing (two of a data subject's rights).

`customer_erase` anonymises one customer in place, in one transaction: every app that holds something about
him (registered in `charter.privacy.registry` from its `privacy.py`) replaces his words with ERASED_MARKER,
removes his personal data from what staff wrote about him and deletes the files he sent; then his own record
loses name, phone, e-mail, ID number and their blind indexes, and his user account is closed. Case numbers,
clocks, scores and counts stay, so published figures never change. Files leave the storage only after the
commit, so a rollback loses nothing.

What staff wrote (a reply that greets him by name or quotes his complaint, a QA excerpt, a notification
mail) is kept, with every *fragment* of his personal data in it replaced by the marker: his name, phone,
e-mail and ID number and every sentence of what he wrote (the apps say what he wrote through
`subject_words_register`).
"""

import contextlib
import contextvars
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.core.files.storage import Storage
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import ApiToken, Customer
from charter.audit.services import audit_record
from charter.common.errors import DomainError
from charter.common.policy import require
from charter.common.sessions import sessions_end_for_user
from charter.common.text import clean_text
from charter.privacy.errors import TEXT_CODES, ErrorCode
from charter.privacy.models import ConsentRecord, LegalHold
from charter.privacy.permissions import can_manage_data_requests
from charter.privacy.registry import ERASED_MARKER, subject_data_sources
from charter.privacy.selectors import is_customer_held

if TYPE_CHECKING:
    from charter.accounts.models import User
    from charter.privacy.models import DataSubjectRequest

REASON_MAX_LENGTH = 500
# A sentence or clause of the customer's text shorter than this is not looked for in staff text (too many
# false hits).
FRAGMENT_MIN_LENGTH = 6
_SENTENCES = re.compile(r"[\n\r。！？；!?;，,、：:]+|(?<=[.])\s+")
_QUOTE_PREFIX = re.compile(r"^[>\s]+")

# --- what the higher apps tell erasure ----------------------------------------------------------------------
# Higher apps answer, for one customer, what he wrote (so staff text quoting it can be cleaned) and whether a
# legal hold on one of their records (a case) keeps him.
_words: list[Callable[[Customer], Iterable[str]]] = []
_holds: list[Callable[[Customer], bool]] = []


def subject_words_register(fn: Callable[[Customer], Iterable[str]]) -> None:
    """Register a function returning the texts the customer wrote in one app (titles, messages, answers)."""
    if fn not in _words:
        _words.append(fn)


def subject_hold_register(fn: Callable[[Customer], bool]) -> None:
    """Register a function answering whether a legal hold on one of the app's records covers the customer."""
    if fn not in _holds:
        _holds.append(fn)


# --- fragments and scrubbing --------------------------------------------------------------------------------
_fragments: contextvars.ContextVar[tuple[str, ...] | None] = contextvars.ContextVar(
    "privacy_erasure_fragments", default=None
)


def text_fragments(texts: Iterable[str]) -> list[str]:
    """Return the whole texts and their sentences, clauses and lines long enough to be found elsewhere."""
    found: list[str] = []
    for text in texts:
        text = (text or "").strip()
        if not text or text == ERASED_MARKER:
            continue
        if len(text) >= FRAGMENT_MIN_LENGTH:
            found.append(text)
        for piece in _SENTENCES.split(text):
            piece = _QUOTE_PREFIX.sub("", piece).strip()
            if len(piece) >= FRAGMENT_MIN_LENGTH and piece != ERASED_MARKER:
                found.append(piece)
    return found


def identifier_fragments(customer: Customer) -> list[str]:
    """Return the customer's name, phone, e-mail (and its local part) and ID number as they may be quoted."""
    found: list[str] = []
    name = (customer.name or "").strip()
    if len(name) >= 2:
        found.append(name)
    email = (customer.email or "").strip()
    if email:
        found.append(email)
        local = email.split("@", 1)[0]
        if len(local) >= 5:
            found.append(local)
    for value in (customer.phone, customer.id_number):
        value = (value or "").strip()
        if len(value) >= 4:
            found.append(value)
    return found


def _phone_pattern(phone: str) -> str | None:
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 7:
        return None
    # The same digits written with spaces, dashes or dots between them (138-1234-5678).
    return r"[\s\-.]?".join(re.escape(digit) for digit in digits)


def subject_fragments(customer: Customer) -> tuple[str, ...]:
    """Return everything to look for in staff text about `customer`: the fragments of the running erasure,
    else his identifiers and his texts as the apps report them now."""
    current = _fragments.get()
    if current is not None:
        return current
    return _fragments_compute(customer)


def _fragments_compute(customer: Customer) -> tuple[str, ...]:
    texts: list[str] = []
    for provider in _words:
        texts.extend(provider(customer))
    found = identifier_fragments(customer) + text_fragments(texts)
    return tuple(dict.fromkeys(found))


@contextlib.contextmanager
def fragments_bound(fragments: Sequence[str]) -> Iterator[None]:
    """Make `fragments` what `subject_fragments` answers inside the block (erasure binds them before any app
    replaces the texts they come from)."""
    token = _fragments.set(tuple(fragments))
    try:
        yield
    finally:
        _fragments.reset(token)


def scrub_pattern(fragments: Iterable[str], *, phones: Iterable[str] = ()) -> re.Pattern[str] | None:
    """Compile one case-insensitive pattern matching any fragment (longest first); None if there are none."""
    parts = [re.escape(fragment) for fragment in sorted(set(fragments), key=len, reverse=True) if fragment]
    parts.extend(pattern for phone in phones if (pattern := _phone_pattern(phone)))
    if not parts:
        return None
    return re.compile("|".join(parts), re.IGNORECASE)


def _customer_pattern(fragments: Sequence[str]) -> re.Pattern[str] | None:
    # Phone numbers are also matched when written with separators; a fragment of digits is one.
    phones = [fragment for fragment in fragments if re.fullmatch(r"[\d\s+\-().]{7,}", fragment)]
    return scrub_pattern(fragments, phones=phones)


def text_scrub(text: str, fragments: Sequence[str]) -> str:
    """Return `text` with every fragment (any case) replaced by ERASED_MARKER."""
    if not text:
        return text
    pattern = _customer_pattern(fragments)
    return pattern.sub(ERASED_MARKER, text) if pattern is not None else text


def value_scrub(value: Any, pattern: re.Pattern[str] | None) -> Any:
    """Return a JSON-like value with every string in it (keys too) scrubbed by `pattern`."""
    if pattern is None:
        return value
    if isinstance(value, str):
        return pattern.sub(ERASED_MARKER, value)
    if isinstance(value, list):
        return [value_scrub(item, pattern) for item in value]
    if isinstance(value, dict):
        return {value_scrub(key, pattern): value_scrub(item, pattern) for key, item in value.items()}
    return value


def rows_scrub(queryset: "models.QuerySet[Any]", fields: Sequence[str], fragments: Sequence[str]) -> int:
    """Replace every fragment in the text or JSON `fields` of the rows; return how many rows changed.

    Reads through the ORM, so encrypted fields are compared decrypted and written encrypted again."""
    pattern = _customer_pattern(fragments)
    if pattern is None:
        return 0
    changed = 0
    for row in queryset.only("pk", *fields).iterator(chunk_size=500):
        values = {}
        for field in fields:
            old = getattr(row, field)
            new = value_scrub(old, pattern)
            if new != old:
                values[field] = new
        if values:
            type(row)._default_manager.filter(pk=row.pk).update(**values)
            changed += 1
    return changed


def files_delete_on_commit(storage: Storage, names: Iterable[str]) -> None:
    """Delete the stored files once the transaction commits (a rollback keeps them)."""
    names = [name for name in names if name]
    if not names:
        return

    def _delete() -> None:
        for name in names:
            with contextlib.suppress(OSError):
                storage.delete(name)

    transaction.on_commit(_delete)


# --- the services -------------------------------------------------------------------------------------------
def _reason_clean(value: str) -> str:
    return clean_text(
        value,
        field="reason",
        codes=TEXT_CODES,
        required=True,
        max_length=REASON_MAX_LENGTH,
        multiline=False,
        required_message=_("Say why."),
    )


def _actor_check(actor: "User | AnonymousUser | None") -> None:
    # None is the system (a task completing a request); a person needs privacy.manage_data_requests.
    if actor is not None:
        require(can_manage_data_requests(actor))


def _request_number(request: "DataSubjectRequest | HttpRequest | None") -> str | None:
    number = getattr(request, "number", None)
    return str(number) if number else None


def customer_is_held(customer: Customer) -> bool:
    """Answer whether a legal hold covers the customer or any of his records."""
    if is_customer_held(customer.pk):
        return True
    return any(check(customer) for check in _holds)


def placeholder_name(customer: Customer) -> str:
    """The name an anonymised customer keeps: says what happened, holds nothing about him."""
    return f"{ERASED_MARKER} #{customer.pk}"


def _user_close(user: "User") -> dict[str, int]:
    """Close the customer's user account: no sign-in, no token, no session, nothing personal left on it."""
    user.is_active = False
    user.username = f"erased-{user.pk}"
    user.email = ""
    user.first_name = ""
    user.last_name = ""
    if hasattr(user, "display_name"):
        user.display_name = ""
    user.set_unusable_password()
    user.save()
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason="erased"
    )
    with contextlib.suppress(LookupError):
        from django.apps import apps

        legacy = apps.get_model("authtoken", "Token")
        tokens += legacy._default_manager.filter(user=user).delete()[0]
    sessions = sessions_end_for_user(user.pk)
    return {"accounts.user": 1, "accounts.apitoken": tokens, "sessions.session": sessions}


def _fts_compact() -> None:
    """SQLite's full-text tables keep deleted terms in old segments until merged: merge them now."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        tables = cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%%fts5%%'"
        ).fetchall()
        for (table,) in tables:
            cursor.execute(f'INSERT INTO "{table}"("{table}") VALUES (\'optimize\')')  # noqa: S608 (catalogue names)


def customer_erase(
    *,
    customer: Customer,
    actor: "User | AnonymousUser | None",
    reason: str,
    request: "DataSubjectRequest | HttpRequest | None" = None,
) -> dict[str, int]:
    """Anonymise `customer` everywhere; return how many rows each table changed ("app.model": n).

    Refuses (DomainError) a customer already anonymised (`privacy_already_erased`) and one covered by a
    legal hold, on himself or on any of his records (`privacy_legal_hold`). Needs
    privacy.manage_data_requests. Audited as `privacy.erase` with the counts only.
    """
    _actor_check(actor)
    reason = _reason_clean(reason)
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        if customer.anonymised_at is not None:
            raise DomainError(
                _("This customer's data has already been erased."), code=ErrorCode.ALREADY_ERASED
            )
        if customer_is_held(customer):
            raise DomainError(
                _(
                    "A legal hold covers this customer or one of his records: nothing may be erased "
                    "until it is released."
                ),
                code=ErrorCode.LEGAL_HOLD,
            )
        counts: dict[str, int] = {}
        with fragments_bound(_fragments_compute(customer)):
            for source in subject_data_sources():
                for table, count in source.erase(customer).items():
                    counts[table] = counts.get(table, 0) + count
            # What staff wrote in privacy's own rows about him (why a hold, how he was informed).
            fragments = subject_fragments(customer)
            counts["privacy.legalhold"] = rows_scrub(
                LegalHold.objects.filter(customer=customer), ["reason", "release_reason"], fragments
            )
            counts["privacy.consentrecord"] = rows_scrub(
                ConsentRecord.objects.filter(customer=customer), ["how_informed"], fragments
            )
        customer.name = placeholder_name(customer)
        customer.phone = ""
        customer.email = ""
        customer.id_number = ""
        customer.anonymised_at = timezone.now()
        customer.save()  # the blind indexes follow the emptied fields
        counts["accounts.customer"] = 1
        if customer.user is not None:
            counts.update(_user_close(customer.user))
        _fts_compact()
        audit_record(
            actor=actor,
            action="privacy.erase",
            target=customer,
            data={"reason": reason, "request": _request_number(request), "counts": counts},
            request=request if isinstance(request, HttpRequest) else None,
        )
    return counts


def customer_restrict(
    *,
    customer: Customer,
    actor: "User | AnonymousUser | None",
    restricted: bool,
    reason: str,
    request: "DataSubjectRequest | HttpRequest | None" = None,
) -> None:
    """Restrict (no mail, no survey, no new processing but storage) or lift the restriction of the processing
    of `customer`'s data. Needs privacy.manage_data_requests; audited as `privacy.restrict` or
    `privacy.restrict_lift` (nothing when the state does not change)."""
    _actor_check(actor)
    reason = _reason_clean(reason)
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        if (customer.restricted_at is not None) == restricted:
            return
        customer.restricted_at = timezone.now() if restricted else None
        customer.save(update_fields=["restricted_at", "updated_at"])
        audit_record(
            actor=actor,
            action="privacy.restrict" if restricted else "privacy.restrict_lift",
            target=customer,
            data={"reason": reason, "request": _request_number(request)},
            request=request if isinstance(request, HttpRequest) else None,
        )
