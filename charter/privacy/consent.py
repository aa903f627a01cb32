"""Consent with evidence: what a customer agreed to, on which notice, how, and his withdrawals.

Each act is one append-only `ConsentRecord`; the latest per customer and purpose is his current answer.
A consent given carries the version of the personal-data notice and the SHA-256 of the notice text he was
shown in his language (`notice_text`), so the words he agreed to can be proved later; one recorded by staff
also says who told him of the notice and how. A purpose nobody answered for has no record: an old customer
keeps the behaviour he had (see `has_withdrawn`).

Withdrawal needs no sign-in: every survey invitation and every e-mail not required for the case carries a
link with a signed token (`opt_out_token`), salted per purpose; opening it shows what stops and pressing
the one button records the withdrawal (`consent_withdraw_by_link`), which the senders check before each
mail. A required purpose (handling the case) cannot be withdrawn by link: that is an erasure request.
"""

import dataclasses
import datetime as dt
import functools
import hashlib
import html
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from charter.audit.services import audit_record
from charter.common.errors import DomainError
from charter.common.inserts import PreparedInsert
from charter.common.stamps import StampedCache
from charter.common.text import clean_text
from charter.privacy.errors import TEXT_CODES, ErrorCode
from charter.privacy.models import ConsentPurpose, ConsentRecord

if TYPE_CHECKING:
    from charter.accounts.models import Customer, User

# The version of the personal-data notice in force. Change it with the text of
# privacy/templates/privacy/notice_body.html: a consent names the version and hashes the text.
NOTICE_VERSION = "2026-01"
NOTICE_TEMPLATE = "privacy/notice_body.html"
NOTICE_LANGUAGES = ("zh-hans", "en")
HOW_INFORMED_MAX_LENGTH = 500
# The salt of an opt-out token is this plus the purpose's code: a token made for one purpose never
# withdraws another, and no other signed value of the site is ever taken for one.
OPT_OUT_SALT = "charter.privacy.opt_out:"

A = ConsentRecord.Action
C = ConsentRecord.Channel


def notice_language(language: str) -> str:
    """Return the notice's language closest to `language` (the notice exists in Chinese and English)."""
    return "en" if (language or "").lower().startswith("en") else "zh-hans"


def notice_text(language: str) -> tuple[str, str]:
    """Return (version, text) of the personal-data notice in force, as shown in `language`.

    The text is the notice's body rendered in that language, without markup and with its whitespace
    collapsed, so the same words always give the same hash whatever the page around them. Rendered once
    per process, version and language: the text of a version never changes (a new text is a new version).
    """
    return NOTICE_VERSION, _notice_rendered(NOTICE_VERSION, notice_language(language))


@functools.lru_cache(maxsize=8)
def _notice_rendered(version: str, language: str) -> str:
    with translation.override(language):
        rendered = render_to_string(NOTICE_TEMPLATE, {"notice_version": version})
    return " ".join(html.unescape(strip_tags(rendered)).split())


def notice_hash(text: str) -> str:
    """Return the SHA-256 (hex) of a notice text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclasses.dataclass(frozen=True)
class ConsentAnswers:
    """What a customer answered on a form or call: per purpose code, given (True) or refused (False).

    `language` is the language of the notice he was shown; `how_informed` and `recorded_by` are set when
    staff record the answers (who told him of the notice, and how).
    """

    purposes: Mapping[str, bool]
    channel: str
    language: str
    version: str = NOTICE_VERSION
    how_informed: str = ""
    recorded_by: "User | None" = None


def _purpose(code: str) -> ConsentPurpose:
    return _purposes([code])[code]


def _active_purposes_load() -> dict[str, ConsentPurpose]:
    return {purpose.code: purpose for purpose in ConsentPurpose.objects.filter(is_active=True)}


# Every intake records consent per purpose; the purposes change rarely (an administrator's edit), so they
# are kept per process while the `consent_purposes` change stamp stays (migration privacy.0008). Shared by
# every request of the process: read them, never change them.
CONSENT_PURPOSES: StampedCache[dict[str, ConsentPurpose]] = StampedCache(
    "consent_purposes", _active_purposes_load
)


def _purposes(codes: list[str]) -> dict[str, ConsentPurpose]:
    """The active purposes of `codes`, by code (the change stamp's query at most); refuses an unknown one."""
    active = CONSENT_PURPOSES.get()
    found = {code: active[code] for code in codes if code in active}
    if any(code not in found for code in codes):
        raise DomainError(
            _("This is not a purpose consent is asked for."),
            code=ErrorCode.CONSENT_PURPOSE_UNKNOWN,
            field="purpose",
        )
    return found


def _consent_build(
    *,
    customer: "Customer",
    purpose: ConsentPurpose,
    action: str,
    channel: str,
    notice_version: str,
    notice_text: str,
    notice_language: str,
    recorded_by: "User | None",
    how_informed: str,
    source: str,
    at: dt.datetime | None,
) -> ConsentRecord:
    """Check one consent as `consent_record` describes and return its row, unsaved."""
    if action not in A.values or channel not in C.values:
        raise DomainError(_("This consent cannot be recorded."), code=ErrorCode.CONSENT_INVALID)
    how_informed = clean_text(
        how_informed,
        field="how_informed",
        codes=TEXT_CODES,
        max_length=HOW_INFORMED_MAX_LENGTH,
        multiline=False,
    )
    if action == A.GIVEN:
        if not notice_version or not notice_text:
            raise DomainError(
                _("Say which personal-data notice the customer was shown."),
                code=ErrorCode.CONSENT_NOTICE_REQUIRED,
                field="notice_version",
            )
        if recorded_by is not None and not how_informed:
            raise DomainError(
                _("Say how the customer was told of the personal-data notice."),
                code=ErrorCode.CONSENT_HOW_INFORMED_REQUIRED,
                field="how_informed",
            )
    elif purpose.required and channel == C.LINK:
        raise DomainError(
            _("Consent to handling a case cannot be withdrawn through a link: ask us to erase your data."),
            code=ErrorCode.CONSENT_REQUIRED_PURPOSE,
            field="purpose",
        )
    return ConsentRecord(
        customer=customer,
        purpose=purpose,
        action=action,
        at=at or timezone.now(),
        channel=channel,
        notice_version=notice_version[:50],
        notice_hash=notice_hash(notice_text) if notice_text else "",
        notice_language=notice_language[:10],
        recorded_by=recorded_by,
        how_informed=how_informed,
        source=source[:100],
    )


def _consent_audit(record: ConsentRecord, *, actor: "User | None") -> None:
    audit_record(
        actor=actor,
        action="privacy.consent_given" if record.action == A.GIVEN else "privacy.consent_withdrawn",
        target=record,
        data={
            "customer": record.customer_id,
            "purpose": record.purpose.code,
            "channel": record.channel,
            "notice_version": record.notice_version,
            "notice_hash": record.notice_hash,
            "source": record.source,
        },
    )


def consent_record(
    *,
    customer: "Customer",
    purpose_code: str,
    action: str,
    channel: str,
    notice_version: str = "",
    notice_text: str = "",
    notice_language: str = "",
    recorded_by: "User | None" = None,
    how_informed: str = "",
    source: str = "",
    at: dt.datetime | None = None,
    actor: "User | None" = None,
) -> ConsentRecord:
    """Record that `customer` gave or withdrew consent to one purpose, with its evidence.

    A consent given needs the notice's version and the text he was shown (its SHA-256 is stored); one
    staff record (`recorded_by`) also needs `how_informed`. A required purpose cannot be withdrawn through
    a link. Raises DomainError (privacy_consent_purpose_unknown, privacy_consent_invalid,
    privacy_consent_notice_required, privacy_consent_how_informed_required,
    privacy_consent_required_purpose) and writes nothing. Audited as `privacy.consent_given` or
    `privacy.consent_withdrawn` in the same transaction, by `actor` (the customer's own account in the
    portal) or else `recorded_by`; the audit row names the customer by id only.
    """
    record = _consent_build(
        customer=customer,
        purpose=_purpose(purpose_code),
        action=action,
        channel=channel,
        notice_version=notice_version,
        notice_text=notice_text,
        notice_language=notice_language,
        recorded_by=recorded_by,
        how_informed=how_informed,
        source=source,
        at=at,
    )
    with transaction.atomic():
        record.save(force_insert=True)
        _consent_audit(record, actor=actor or recorded_by)
    return record


def consent_answers_record(
    *, customer: "Customer", answers: ConsentAnswers, source: str
) -> list[ConsentRecord]:
    """Record a customer's answers from one form or call: given or refused per purpose, on the notice in
    force in `answers.language`. The caller runs it in the transaction that creates what the consent is for
    (the case), so a refused case records no consent. Raises DomainError as `consent_record` does, and
    privacy_consent_notice_required when `answers.version` is not the notice in force."""
    return consent_answers_prepared_save(
        consent_answers_prepare(customer=customer, answers=answers, source=source)
    )


@dataclasses.dataclass(frozen=True)
class PreparedConsent:
    """A customer's answers checked and their rows compiled (`consent_answers_prepare`), to be recorded by
    `consent_answers_prepared_save` in the transaction of what they are for."""

    insert: PreparedInsert[ConsentRecord]
    recorded_by: "User | None"


def consent_answers_prepare(
    *, customer: "Customer", answers: ConsentAnswers, source: str | Callable[[], str]
) -> PreparedConsent:
    """Check the answers and build their rows, as `consent_answers_record` would, before the transaction
    (nothing is written). `customer` may be one not inserted yet; `source` may be a function that names it
    once it exists (a case created in the same transaction)."""
    version, text = notice_text(answers.language)
    if answers.version != version:
        raise DomainError(
            _("This is not the personal-data notice in force (version %(version)s).") % {"version": version},
            code=ErrorCode.CONSENT_NOTICE_REQUIRED,
            field="notice_version",
        )
    # Every answer is checked before anything is written; the rows are then one insert.
    purposes = _purposes(list(answers.purposes))
    records = [
        _consent_build(
            customer=customer,
            purpose=purposes[code],
            action=A.GIVEN if given else A.WITHDRAWN,
            channel=answers.channel,
            notice_version=version,
            notice_text=text,
            notice_language=notice_language(answers.language),
            recorded_by=answers.recorded_by,
            how_informed=answers.how_informed,
            source="" if callable(source) else source,
            at=None,
        )
        for code, given in answers.purposes.items()
    ]
    named_late = source if callable(source) else None
    late = {"source": lambda _record: named_late()[:100]} if named_late is not None else None
    return PreparedConsent(insert=PreparedInsert(records, late=late), recorded_by=answers.recorded_by)


def consent_answers_prepared_save(prepared: PreparedConsent) -> list[ConsentRecord]:
    """Record the answers `consent_answers_prepare` built, with their audit events, in the caller's
    transaction."""
    with transaction.atomic(savepoint=False):
        records = prepared.insert.run()
        for record in records:
            _consent_audit(record, actor=prepared.recorded_by)
    return records


# --- reads -------------------------------------------------------------------------------------------------


def consent_purposes() -> list[ConsentPurpose]:
    """Return the active purposes, in their order."""
    return list(ConsentPurpose.objects.filter(is_active=True))


def purpose_name(purpose: ConsentPurpose, language: str) -> str:
    """Return the purpose's name in `language` (Chinese when no English name is set)."""
    return purpose.name_en if notice_language(language) == "en" and purpose.name_en else purpose.name_zh


def purpose_description(purpose: ConsentPurpose, language: str) -> str:
    """Return the purpose's description in `language` (Chinese when no English one is set)."""
    english = notice_language(language) == "en" and purpose.description_en
    return purpose.description_en if english else purpose.description_zh


@dataclasses.dataclass(frozen=True)
class ConsentRow:
    """One purpose as the customer sees it: its words and his current answer (None: never answered)."""

    purpose: ConsentPurpose
    name: str
    description: str
    record: ConsentRecord | None

    @property
    def is_given(self) -> bool:
        """Whether the purpose applies to him now (required ones always do; no answer counts as given)."""
        return self.purpose.required or self.record is None or self.record.action == A.GIVEN


def consent_rows(customer: "Customer", language: str) -> list[ConsentRow]:
    """Return the active purposes with the customer's current answers, in `language`."""
    state = consent_state(customer)
    return [
        ConsentRow(
            purpose=purpose,
            name=purpose_name(purpose, language),
            description=purpose_description(purpose, language),
            record=state.get(purpose.code),
        )
        for purpose in consent_purposes()
    ]


def consent_state(customer: "Customer") -> dict[str, ConsentRecord | None]:
    """Return, per active purpose code (in order), the customer's latest consent record, or None when he
    never answered for it."""
    state: dict[str, ConsentRecord | None] = {purpose.code: None for purpose in consent_purposes()}
    records = (
        ConsentRecord.objects.filter(customer=customer, purpose__code__in=list(state))
        .select_related("purpose", "recorded_by")
        .order_by("purpose_id", "-at", "-pk")
    )
    for record in records:
        if state.get(record.purpose.code) is None:
            state[record.purpose.code] = record
    return state


def consent_history(customer: "Customer") -> list[ConsentRecord]:
    """Return every consent record of the customer, newest first (the evidence staff may see)."""
    return list(
        ConsentRecord.objects.filter(customer=customer)
        .select_related("purpose", "recorded_by")
        .order_by("-at", "-pk")
    )


def has_withdrawn(*, customer_id: int, purpose_code: str) -> bool:
    """Answer, in one query, whether the customer's latest answer for the purpose is a withdrawal (or a
    refusal). No answer at all is not a withdrawal."""
    latest = (
        ConsentRecord.objects.filter(customer_id=customer_id, purpose__code=purpose_code)
        .order_by("-at", "-pk")
        .values_list("action", flat=True)
        .first()
    )
    return latest == A.WITHDRAWN


def customers_withdrawn(*, customer_ids: Iterable[int], purpose_code: str) -> set[int]:
    """Return which of `customer_ids` last withdrew (or refused) the purpose, in one query."""
    ids = list(customer_ids)
    if not ids:
        return set()
    rows = (
        ConsentRecord.objects.filter(customer_id__in=ids, purpose__code=purpose_code)
        .order_by("customer_id", "-at", "-pk")
        .values_list("customer_id", "action")
    )
    latest: dict[int, str] = {}
    for customer_id, action in rows:
        latest.setdefault(customer_id, action)
    return {customer_id for customer_id, action in latest.items() if action == A.WITHDRAWN}


# --- withdrawal by link ------------------------------------------------------------------------------------


def opt_out_token(*, customer_id: int, purpose_code: str) -> str:
    """Return the signed token that withdraws the customer's consent to the purpose (no expiry: a mail
    kept for years still works)."""
    return signing.dumps({"c": customer_id, "p": purpose_code}, salt=OPT_OUT_SALT + purpose_code)


def opt_out_path(*, customer_id: int, purpose_code: str) -> str:
    """Return the path of the opt-out page for the customer and purpose (callers make it absolute)."""
    return reverse(
        "consent:opt_out", args=[opt_out_token(customer_id=customer_id, purpose_code=purpose_code)]
    )


@dataclasses.dataclass(frozen=True)
class OptOut:
    """What an opt-out token names: the customer and the purpose."""

    customer: "Customer"
    purpose: ConsentPurpose


def opt_out_read(token: str) -> OptOut | None:
    """Return the customer and purpose a token names, or None when it is tampered with, names a required
    or inactive purpose, or a customer who no longer exists."""
    from charter.accounts.models import Customer

    for purpose in ConsentPurpose.objects.filter(is_active=True, required=False):
        try:
            payload = signing.loads(token, salt=OPT_OUT_SALT + purpose.code)
        except signing.BadSignature:
            continue
        if not isinstance(payload, dict) or payload.get("p") != purpose.code:
            return None
        customer_id = payload.get("c")
        customer = Customer.objects.filter(pk=customer_id).first() if isinstance(customer_id, int) else None
        return OptOut(customer=customer, purpose=purpose) if customer is not None else None
    return None


def consent_withdraw_by_link(*, opt_out: OptOut) -> tuple[ConsentRecord, bool]:
    """Withdraw the consent a token names, at once. Returns (record, already): when the latest answer is
    already a withdrawal nothing is written and that record is returned with already=True."""
    with transaction.atomic():
        # Serialise two presses of the button: the second finds the first's record.
        type(opt_out.customer).objects.select_for_update().filter(pk=opt_out.customer.pk).first()
        latest = (
            ConsentRecord.objects.filter(customer=opt_out.customer, purpose=opt_out.purpose)
            .order_by("-at", "-pk")
            .first()
        )
        if latest is not None and latest.action == A.WITHDRAWN:
            return latest, True
        record = consent_record(
            customer=opt_out.customer,
            purpose_code=opt_out.purpose.code,
            action=A.WITHDRAWN,
            channel=C.LINK,
        )
    return record, False


# The footer's sentence per purpose; a purpose the organisation adds gets the generic one.
_FOOTER_LINES = {
    ConsentPurpose.SURVEYS: _("No more satisfaction surveys? Opt out with one click:"),
    "case_updates": _("No more e-mails about your case's progress? Opt out with one click:"),
}
_FOOTER_GENERIC = _("No more messages like this one? Opt out with one click:")


def opt_out_footer(*, url: str, purpose_code: str) -> str:
    """Return the plain-text footer of a mail the customer may stop: one sentence in Chinese, one in
    English, and the opt-out `url` (absolute)."""
    line = _FOOTER_LINES.get(purpose_code, _FOOTER_GENERIC)
    sentences = []
    for language in NOTICE_LANGUAGES:
        with translation.override(language):
            sentences.append(str(line))  # a lazy string renders in the active language
    return "\n".join(["--", *sentences, url])
