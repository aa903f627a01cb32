"""Every write of the standards: documents, drafts and their clauses, publication, acknowledgement.

Each service checks who is acting, validates before it writes, and records its audit event in the same
transaction, so a refused or failed operation leaves nothing behind.
"""

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.audit.services import audit_record
from charter.common.errors import DomainError
from charter.common.policy import require
from charter.common.text import clean_column_text
from charter.common.versioning import version_draft_lock, version_number_next, version_publish
from charter.standards.errors import TEXT_CODES, ErrorCode
from charter.standards.models import (
    CLAUSE_NUMBER_PATTERN,
    StandardAcknowledgement,
    StandardClause,
    StandardDocument,
    StandardVersion,
    clause_sort_key,
)
from charter.standards.permissions import can_acknowledge_standards, can_edit_standards

DOCUMENT_CODE_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
Draft = StandardVersion.Status.DRAFT
Published = StandardVersion.Status.PUBLISHED

# Registries higher apps fill from their `ready()` (standards never imports them): what to do once a version
# is published (training assigns the course introducing the standard), and who may not acknowledge a version
# yet (training: a course required before acknowledging is still open). A gate answers None to let the
# acknowledgement through, or the reason it is refused, for the person to read.
VersionPublishedListener = Callable[[StandardVersion], None]
AcknowledgementGate = Callable[[User, StandardVersion], "str | Promise | None"]
_version_published_listeners: list[VersionPublishedListener] = []
_acknowledgement_gates: list[AcknowledgementGate] = []


def version_published_listener_register(fn: VersionPublishedListener) -> None:
    """Call `fn(version)` once the publication of a version commits (robustly: a failing listener is logged
    and neither stops the others nor the publication). Registering twice keeps one."""
    if fn not in _version_published_listeners:
        _version_published_listeners.append(fn)


def acknowledgement_gate_register(fn: AcknowledgementGate) -> None:
    """Ask `fn(user, version)` before `user` acknowledges `version`: None lets it through, a message refuses
    it (standard_acknowledgement_needs_training). Registering twice keeps one."""
    if fn not in _acknowledgement_gates:
        _acknowledgement_gates.append(fn)


def acknowledgement_refusal(*, user: User, version: StandardVersion) -> "str | Promise | None":
    """Return why `user` may not acknowledge `version` yet (the first gate that refuses), or None. The one
    predicate the service, the pages and the API ask."""
    for gate in _acknowledgement_gates:
        refusal = gate(user, version)
        if refusal is not None:
            return refusal
    return None


@dataclasses.dataclass(frozen=True)
class ClauseContent:
    """What a clause says. Promise fields apply to customer promises, the rest to the code of conduct."""

    number: str
    text_zh: str
    text_en: str = ""
    title_zh: str = ""
    title_en: str = ""
    reference: str = ""
    # Customer promises (ISO 10001): the conditions, the complaint route and the measure of keeping it.
    conditions_zh: str = ""
    conditions_en: str = ""
    complaint_route_zh: str = ""
    complaint_route_en: str = ""
    measure_zh: str = ""
    measure_en: str = ""
    # Code of conduct: the category, whether it carries discipline, the promises it serves.
    category: str = ""
    is_disciplinary: bool = False
    promises: Sequence[StandardClause] = ()

    TEXT_FIELDS = (
        "number",
        "text_zh",
        "text_en",
        "title_zh",
        "title_en",
        "reference",
        "conditions_zh",
        "conditions_en",
        "complaint_route_zh",
        "complaint_route_en",
        "measure_zh",
        "measure_en",
        "category",
    )
    PROMISE_FIELDS = (
        "conditions_zh",
        "conditions_en",
        "complaint_route_zh",
        "complaint_route_en",
        "measure_zh",
        "measure_en",
    )

    @classmethod
    def from_clause(cls, clause: StandardClause) -> "ClauseContent":
        """Return the content of an existing clause, to change some fields with `dataclasses.replace`."""
        values: dict[str, Any] = {name: getattr(clause, name) for name in cls.TEXT_FIELDS}
        return cls(**values, is_disciplinary=clause.is_disciplinary, promises=tuple(clause.promises.all()))

    @classmethod
    def from_data(cls, data: Mapping[str, Any], base: "ClauseContent | None" = None) -> "ClauseContent":
        """Return the content in `data` (a form's or a serializer's cleaned input): each field it leaves out
        (or gives as None) is taken from `base`, or is blank without one. The one place input names meet
        the content's fields, so mypy checks the fields."""
        base = base or cls(number="", text_zh="")

        def text(name: str, default: str) -> str:
            value = data.get(name)
            return default if value is None else str(value)

        promises = data.get("promises")
        return cls(
            number=text("number", base.number),
            text_zh=text("text_zh", base.text_zh),
            text_en=text("text_en", base.text_en),
            title_zh=text("title_zh", base.title_zh),
            title_en=text("title_en", base.title_en),
            reference=text("reference", base.reference),
            conditions_zh=text("conditions_zh", base.conditions_zh),
            conditions_en=text("conditions_en", base.conditions_en),
            complaint_route_zh=text("complaint_route_zh", base.complaint_route_zh),
            complaint_route_en=text("complaint_route_en", base.complaint_route_en),
            measure_zh=text("measure_zh", base.measure_zh),
            measure_en=text("measure_en", base.measure_en),
            category=text("category", base.category),
            is_disciplinary=bool(data.get("is_disciplinary", base.is_disciplinary)),
            promises=base.promises if promises is None else tuple(promises),
        )

    # The texts written on one line; the others (a clause's text, conditions…) keep their line breaks.
    SINGLE_LINE_FIELDS = frozenset({"number", "title_zh", "title_en", "reference", "category"})

    def cleaned(self) -> "ClauseContent":
        """Return the content with every text cleaned by the common rule (`clean_text`: stripped, line endings
        normalised). Raises DomainError naming the first field holding a control character (a NUL among
        them) or longer than its column (standard_invalid_text, standard_text_too_long)."""
        cleaned: dict[str, Any] = {
            name: _text(
                getattr(self, name), StandardClause, name, multiline=name not in self.SINGLE_LINE_FIELDS
            )
            for name in self.TEXT_FIELDS
        }
        return dataclasses.replace(self, **cleaned)


def _text(value: object, model: type[models.Model], field: str, *, multiline: bool = True) -> str:
    """Return `value` cleaned by the common rule with the standards' codes, at most as long as the column
    `field` of `model`. Raises DomainError on `field`; writes nothing."""
    return clean_column_text(value, model=model, column=field, codes=TEXT_CODES, multiline=multiline)


def _require_editor(actor: User) -> None:
    """Raise `can_edit_standards`' refusal unless it allows `actor`."""
    require(can_edit_standards(actor))


def _lock_document(document: StandardDocument) -> StandardDocument:
    # Serialises draft creation and publication per document, so numbers stay sequential and one draft only.
    return StandardDocument.objects.select_for_update().get(pk=document.pk)


def standard_document_create(
    *,
    actor: User,
    code: str,
    kind: str,
    title_zh: str,
    title_en: str = "",
    description_zh: str = "",
    description_en: str = "",
) -> StandardDocument:
    """Create an empty registry of `kind` (customer promises or code of conduct); its first draft comes next.

    Requires standards.manage_standards. Raises DomainError for a malformed or taken code, an unknown kind,
    a missing Chinese title, or a text holding a control character or longer than its column (the common
    text rule, `clean_text`). Audited as `standards.document_create`.
    """
    _require_editor(actor)
    code = _text(code, StandardDocument, "code", multiline=False)
    title_zh = _text(title_zh, StandardDocument, "title_zh", multiline=False)
    title_en = _text(title_en, StandardDocument, "title_en", multiline=False)
    description_zh = _text(description_zh, StandardDocument, "description_zh")
    description_en = _text(description_en, StandardDocument, "description_en")
    if not DOCUMENT_CODE_PATTERN.match(code):
        raise DomainError(
            _("Use lower-case letters, digits and hyphens for the code, such as customer-promises."),
            code=ErrorCode.INVALID_CODE,
            field="code",
        )
    if kind not in StandardDocument.Kind.values:
        raise DomainError(_("Choose the kind of standard."), code=ErrorCode.INVALID_KIND, field="kind")
    if not title_zh:
        raise DomainError(_("Enter the Chinese title."), code=ErrorCode.TITLE_REQUIRED, field="title_zh")
    if StandardDocument.objects.filter(code=code).exists():
        raise DomainError(_("This code is already used."), code=ErrorCode.DUPLICATE_CODE, field="code")
    document = StandardDocument(
        code=code,
        kind=kind,
        title_zh=title_zh,
        title_en=title_en,
        description_zh=description_zh,
        description_en=description_en,
    )
    document.full_clean(validate_unique=False)
    with transaction.atomic():
        document.save()
        audit_record(actor=actor, action="standards.document_create", target=document, data={"kind": kind})
    return document


def standard_document_update(
    *,
    actor: User,
    document: StandardDocument,
    title_zh: str,
    title_en: str = "",
    description_zh: str = "",
    description_en: str = "",
) -> StandardDocument:
    """Change a document's title and description; its code and kind never change.

    Requires standards.manage_standards and a Chinese title; texts are cleaned as in
    `standard_document_create`. Audited as `standards.document_update`.
    """
    _require_editor(actor)
    title_zh = _text(title_zh, StandardDocument, "title_zh", multiline=False)
    title_en = _text(title_en, StandardDocument, "title_en", multiline=False)
    description_zh = _text(description_zh, StandardDocument, "description_zh")
    description_en = _text(description_en, StandardDocument, "description_en")
    if not title_zh:
        raise DomainError(_("Enter the Chinese title."), code=ErrorCode.TITLE_REQUIRED, field="title_zh")
    document.title_zh = title_zh
    document.title_en = title_en
    document.description_zh = description_zh
    document.description_en = description_en
    document.full_clean(validate_unique=False)
    with transaction.atomic():
        document.save(
            update_fields=["title_zh", "title_en", "description_zh", "description_en", "updated_at"]
        )
        audit_record(actor=actor, action="standards.document_update", target=document)
    return document


def _clauses_copy(*, source: StandardVersion, target: StandardVersion) -> int:
    """Copy every clause of `source`, with its citations, into the draft `target`; return how many."""
    citation = StandardClause.promises.through
    cited: dict[int, list[int]] = {}
    for from_id, to_id in citation.objects.filter(from_standardclause__version=source).values_list(
        "from_standardclause_id", "to_standardclause_id"
    ):
        cited.setdefault(from_id, []).append(to_id)
    copies: list[Any] = []
    clauses = list(StandardClause.objects.filter(version=source))
    for clause in clauses:
        original_id = clause.pk
        clause.pk = None
        clause._state.adding = True
        clause.version = target
        clause.save()
        copies += [
            citation(from_standardclause_id=clause.pk, to_standardclause_id=to_id)
            for to_id in cited.get(original_id, [])
        ]
    citation.objects.bulk_create(copies)
    return len(clauses)


def standard_version_draft_create(*, actor: User, document: StandardDocument) -> StandardVersion:
    """Open the next numbered version of `document` as a draft, copying the latest version's preamble,
    clauses and their citations.

    Requires standards.manage_standards; refused while the document already has a draft. Audited as
    `standards.draft_create`.
    """
    _require_editor(actor)
    with transaction.atomic():
        document = _lock_document(document)
        versions = StandardVersion.objects.filter(document=document)
        if versions.filter(status=Draft).exists():
            raise DomainError(
                _("This standard already has a draft; finish or discard it first."),
                code=ErrorCode.DRAFT_EXISTS,
            )
        latest = versions.order_by("-number").first()
        draft = StandardVersion.objects.create(
            document=document,
            number=version_number_next(versions),
            status=Draft,
            preamble_zh=latest.preamble_zh if latest is not None else "",
            preamble_en=latest.preamble_en if latest is not None else "",
            created_by=actor,
        )
        copied = _clauses_copy(source=latest, target=draft) if latest is not None else 0
        audit_record(
            actor=actor,
            action="standards.draft_create",
            target=draft,
            data={
                "document": document.code,
                "number": draft.number,
                "copied_from": latest.number if latest is not None else None,
                "clauses": copied,
            },
        )
    return draft


def standard_version_draft_update(
    *,
    actor: User,
    version: StandardVersion,
    preamble_zh: str = "",
    preamble_en: str = "",
    change_summary_zh: str = "",
    change_summary_en: str = "",
) -> StandardVersion:
    """Set a draft's preamble and its summary of changes.

    Requires standards.manage_standards and a draft; texts are cleaned by the common rule (`clean_text`).
    Audited as `standards.draft_update`.
    """
    _require_editor(actor)
    preamble_zh = _text(preamble_zh, StandardVersion, "preamble_zh")
    preamble_en = _text(preamble_en, StandardVersion, "preamble_en")
    change_summary_zh = _text(change_summary_zh, StandardVersion, "change_summary_zh")
    change_summary_en = _text(change_summary_en, StandardVersion, "change_summary_en")
    with transaction.atomic():
        draft = version_draft_lock(version)
        draft.preamble_zh = preamble_zh
        draft.preamble_en = preamble_en
        draft.change_summary_zh = change_summary_zh
        draft.change_summary_en = change_summary_en
        draft.save(
            update_fields=[
                "preamble_zh",
                "preamble_en",
                "change_summary_zh",
                "change_summary_en",
                "updated_at",
            ]
        )
        audit_record(
            actor=actor, action="standards.draft_update", target=draft, data={"number": draft.number}
        )
    return draft


def standard_version_draft_discard(*, actor: User, version: StandardVersion) -> None:
    """Delete a draft and its clauses; the next draft takes its number again.

    Requires standards.manage_standards and a draft. Audited as `standards.draft_discard`.
    """
    _require_editor(actor)
    with transaction.atomic():
        draft = version_draft_lock(version)
        audit_record(
            actor=actor,
            action="standards.draft_discard",
            target=draft,
            data={"document": draft.document.code, "number": draft.number},
        )
        StandardClause.objects.filter(version=draft).delete()
        draft.delete()


def _clause_validate(
    *, version: StandardVersion, content: ClauseContent, clause: StandardClause | None
) -> None:
    """Refuse (DomainError naming the field) a clause `content` the draft `version` cannot hold: a malformed
    or taken number, no Chinese text, or what its kind of document requires or forbids."""
    _clause_number_and_text_check(version=version, content=content, clause=clause)
    if version.document.is_customer_promises:
        _promise_clause_check(content)
    else:
        _conduct_clause_check(content)


def _clause_number_and_text_check(
    *, version: StandardVersion, content: ClauseContent, clause: StandardClause | None
) -> None:
    """Refuse a malformed clause number, one another clause of `version` has, and a missing Chinese text."""
    if not CLAUSE_NUMBER_PATTERN.match(content.number):
        raise DomainError(
            _("Number clauses with digits or letters separated by dots, such as 3 or 2.1."),
            code=ErrorCode.INVALID_NUMBER,
            field="number",
        )
    same_number = StandardClause.objects.filter(version=version, number=content.number)
    if clause is not None:
        same_number = same_number.exclude(pk=clause.pk)
    if same_number.exists():
        raise DomainError(
            _("This version already has a clause with this number."),
            code=ErrorCode.DUPLICATE_NUMBER,
            field="number",
        )
    if not content.text_zh:
        raise DomainError(
            _("Enter the clause text in Chinese."), code=ErrorCode.TEXT_REQUIRED, field="text_zh"
        )


def _promise_clause_check(content: ClauseContent) -> None:
    """Refuse a customer promise without its complaint route or measure, or with code-of-conduct fields."""
    if not content.complaint_route_zh:
        raise DomainError(
            _("Say how a customer complains when this promise is not kept."),
            code=ErrorCode.COMPLAINT_ROUTE_REQUIRED,
            field="complaint_route_zh",
        )
    if not content.measure_zh:
        raise DomainError(
            _("Say how keeping this promise is measured."),
            code=ErrorCode.MEASURE_REQUIRED,
            field="measure_zh",
        )
    for name in ("category", "promises"):
        if getattr(content, name):
            raise DomainError(
                _("This field applies to the code of conduct, not to customer promises."),
                code=ErrorCode.FIELD_NOT_APPLICABLE,
                field=name,
            )
    if content.is_disciplinary:
        raise DomainError(
            _("This field applies to the code of conduct, not to customer promises."),
            code=ErrorCode.FIELD_NOT_APPLICABLE,
            field="is_disciplinary",
        )


def _conduct_clause_check(content: ClauseContent) -> None:
    """Refuse a code-of-conduct clause without a known category, with customer-promise fields, or citing a
    clause that is not of published customer promises."""
    if not content.category:
        raise DomainError(
            _("Choose the clause's category."), code=ErrorCode.CATEGORY_REQUIRED, field="category"
        )
    if content.category not in StandardClause.Category.values:
        raise DomainError(
            _("Choose a category from the list."), code=ErrorCode.INVALID_CATEGORY, field="category"
        )
    for name in ClauseContent.PROMISE_FIELDS:
        if getattr(content, name):
            raise DomainError(
                _("This field applies to customer promises, not to the code of conduct."),
                code=ErrorCode.FIELD_NOT_APPLICABLE,
                field=name,
            )
    cited_ids = {promise.pk for promise in content.promises}
    valid = StandardClause.objects.filter(
        pk__in=cited_ids,
        version__status=Published,
        version__document__kind=StandardDocument.Kind.CUSTOMER_PROMISES,
    ).count()
    if valid != len(cited_ids):
        raise DomainError(
            _("A clause can cite only clauses of published customer promises."),
            code=ErrorCode.INVALID_CITATION,
            field="promises",
        )


def _clause_write(clause: StandardClause, content: ClauseContent) -> None:
    for name in ClauseContent.TEXT_FIELDS:
        setattr(clause, name, getattr(content, name))
    clause.is_disciplinary = content.is_disciplinary
    clause.sort_key = clause_sort_key(content.number)
    clause.full_clean(exclude=["version"], validate_unique=False, validate_constraints=False)
    clause.save()
    clause.promises.set(list(content.promises))


def _clause_audit_data(clause: StandardClause, content: ClauseContent) -> dict[str, Any]:
    return {
        "version": clause.version.number,
        "number": content.number,
        "category": content.category,
        "is_disciplinary": content.is_disciplinary,
        "promises": sorted(promise.pk for promise in content.promises),
    }


def standard_clause_add(*, actor: User, version: StandardVersion, content: ClauseContent) -> StandardClause:
    """Add a clause to a draft.

    Requires standards.manage_standards and a draft. A customer promise needs a Chinese text, complaint
    route and measure; a conduct clause a Chinese text and a category, and may cite only clauses of
    published customer promises. Raises DomainError naming the field at fault. Audited as
    `standards.clause_add`.
    """
    _require_editor(actor)
    content = content.cleaned()
    with transaction.atomic():
        draft = version_draft_lock(version)
        _clause_validate(version=draft, content=content, clause=None)
        clause = StandardClause(version=draft)
        _clause_write(clause, content)
        audit_record(
            actor=actor,
            action="standards.clause_add",
            target=clause,
            data=_clause_audit_data(clause, content),
        )
    return clause


def standard_clause_update(*, actor: User, clause: StandardClause, content: ClauseContent) -> StandardClause:
    """Replace what a clause of a draft says with `content` (`ClauseContent.from_clause` gives the current).

    Same rules as `standard_clause_add`. Audited as `standards.clause_update` with the previous number.
    """
    _require_editor(actor)
    content = content.cleaned()
    with transaction.atomic():
        draft = version_draft_lock(clause.version)
        clause = StandardClause.objects.select_related("version__document").get(pk=clause.pk)
        previous_number = clause.number
        _clause_validate(version=draft, content=content, clause=clause)
        _clause_write(clause, content)
        audit_record(
            actor=actor,
            action="standards.clause_update",
            target=clause,
            data={**_clause_audit_data(clause, content), "previous_number": previous_number},
        )
    return clause


def standard_clause_delete(*, actor: User, clause: StandardClause) -> None:
    """Remove a clause from a draft.

    Requires standards.manage_standards and a draft. Audited as `standards.clause_delete`.
    """
    _require_editor(actor)
    with transaction.atomic():
        draft = version_draft_lock(clause.version)
        audit_record(
            actor=actor,
            action="standards.clause_delete",
            target=clause,
            data={"version": draft.number, "number": clause.number},
        )
        clause.delete()


def standard_version_publish(
    *, actor: User, version: StandardVersion, effective_at: dt.datetime
) -> StandardVersion:
    """Publish a draft to take effect at `effective_at`, superseding the previous published version from then.

    `effective_at` must be time-zone aware; it may lie in the future (the previous version stays in force
    until then) or in the past, but never before the previous version's own effective date. The version
    needs at least one clause. Requires standards.manage_standards. After this the version never changes.
    Audited as `standards.publish`; the registered listeners hear of it once it commits.
    """
    _require_editor(actor)
    if effective_at is None or timezone.is_naive(effective_at):
        raise DomainError(
            _("Give the effective date and time with its time zone."),
            code=ErrorCode.EFFECTIVE_AT_REQUIRED,
            field="effective_at",
        )
    effective_at = effective_at.astimezone(dt.UTC)
    with transaction.atomic():
        _lock_document(version.document)
        draft = version_draft_lock(version)
        if not StandardClause.objects.filter(version=draft).exists():
            raise DomainError(_("Add at least one clause before publishing."), code=ErrorCode.VERSION_EMPTY)
        previous = (
            StandardVersion.objects.published().filter(document=draft.document).order_by("-number").first()
        )
        if (
            previous is not None
            and previous.effective_at is not None
            and effective_at < previous.effective_at
        ):
            raise DomainError(
                _("The effective date cannot be before that of the version it supersedes (%(date)s).")
                % {"date": timezone.localtime(previous.effective_at).strftime("%Y-%m-%d %H:%M")},
                code=ErrorCode.EFFECTIVE_BEFORE_PREVIOUS,
                field="effective_at",
            )
        draft.effective_at = effective_at
        draft.supersedes = previous
        # No `supersede`: the previous version stays published and in force until `effective_at`.
        version_publish(version=draft, actor=actor)
        audit_record(
            actor=actor,
            action="standards.publish",
            target=draft,
            data={
                "document": draft.document.code,
                "number": draft.number,
                "effective_at": effective_at.isoformat(),
                "supersedes": previous.number if previous is not None else None,
                "clauses": StandardClause.objects.filter(version=draft).count(),
            },
        )
        for listener in _version_published_listeners:
            transaction.on_commit(partial(listener, draft), robust=True)
    return draft


def standard_version_acknowledge(*, user: User, version: StandardVersion) -> StandardAcknowledgement:
    """Record that `user` has read and accepts a published version of the code of conduct.

    Requires standards.add_standardacknowledgement (every staff role). Refused for a draft, for customer
    promises, for a version he has already acknowledged, and while a registered gate refuses it
    (`acknowledgement_refusal`: a course to complete first). Audited as `standards.acknowledge`.
    """
    require(can_acknowledge_standards(user))
    version = StandardVersion.objects.select_related("document").get(pk=version.pk)
    if not version.is_published:
        raise DomainError(
            _("A draft cannot be acknowledged; wait until it is published."),
            code=ErrorCode.NOT_ACKNOWLEDGEABLE,
        )
    if not version.document.is_code_of_conduct:
        raise DomainError(
            _("Only the staff code of conduct is acknowledged."), code=ErrorCode.NOT_ACKNOWLEDGEABLE
        )
    already = DomainError(
        _("You have already acknowledged this version."), code=ErrorCode.ALREADY_ACKNOWLEDGED
    )
    if StandardAcknowledgement.objects.filter(version=version, user=user).exists():
        raise already
    refusal = acknowledgement_refusal(user=user, version=version)
    if refusal is not None:
        raise DomainError(refusal, code=ErrorCode.ACKNOWLEDGEMENT_NEEDS_TRAINING)
    with transaction.atomic():
        try:
            with transaction.atomic():
                acknowledgement = StandardAcknowledgement.objects.create(
                    version=version, user=user, acknowledged_at=timezone.now()
                )
        except IntegrityError as error:
            # Two requests at once: the unique constraint lets one through and this is the other.
            raise already from error
        audit_record(
            actor=user,
            action="standards.acknowledge",
            target=version,
            data={"document": version.document.code, "number": version.number},
        )
    return acknowledgement
