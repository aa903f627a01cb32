"""The automatic checks of staff replies, before sending (warnings) and after (findings), and the edits of
their configuration.

A check raises an issue only when the clause it cites is in force on the day of the reply: staff are held to
the published code of conduct, not to a draft or to nothing (DESIGN.md, rules of the field). Internal notes
are never checked.
"""

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.accounts.models import Customer, User
from charter.audit.services import audit_record
from charter.cases.checks import ReplyWarning
from charter.cases.models import Case, CaseClock, CaseEvent, CaseMessage
from charter.cases.selectors import case_clock_list, case_message_list
from charter.common.errors import DomainError
from charter.common.outbox import outbox_batch
from charter.common.policy import require
from charter.privacy.masking import mask_id_number, mask_phone
from charter.quality import text
from charter.quality.conf import quality_setting
from charter.quality.errors import ErrorCode
from charter.quality.models import (
    CATEGORY_CHECKS,
    Check,
    CheckSetting,
    Finding,
    Language,
    PhraseRule,
    ReplyOverride,
)
from charter.quality.permissions import can_manage_checks
from charter.quality.selectors import ClauseResolver, check_setting_map, phrase_rule_list
from charter.quality.services._text import text_clean
from charter.standards.models import StandardClause

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CURSOR = "quality.replies"
RESPONSE_METRICS = (CaseClock.Metric.FIRST_RESPONSE, CaseClock.Metric.NEXT_RESPONSE)


@dataclass(frozen=True)
class Issue:
    """One thing a check found in a reply, with the clause in force that it cites."""

    check_code: str
    key: str
    message: str
    clause: StandardClause
    excerpt: str = ""
    rule: PhraseRule | None = None

    def as_warning(self) -> ReplyWarning:
        return ReplyWarning(
            code=self.check_code, message=self.message, clause=self.clause, excerpt=self.excerpt
        )


@dataclass(frozen=True)
class CheckConfiguration:
    """The checks' settings and active phrase rules, read once and shared by the replies of a batch."""

    settings: dict[str, CheckSetting]
    rules: list[PhraseRule]

    @classmethod
    def load(cls) -> "CheckConfiguration":
        return cls(settings=check_setting_map(), rules=list(phrase_rule_list()))


class _Checker:
    """The configuration for one reply: settings, active rules and the clauses in force at its time."""

    def __init__(self, at: dt.datetime, configuration: CheckConfiguration | None = None) -> None:
        configuration = configuration or CheckConfiguration.load()
        self.settings = configuration.settings
        self.rules = configuration.rules
        self.resolver = ClauseResolver(at)

    def enabled(self, check_code: str) -> bool:
        setting = self.settings.get(check_code)
        return setting is not None and setting.is_enabled

    def clause(self, check_code: str, rule: PhraseRule | None = None) -> StandardClause | None:
        setting = self.settings[check_code]
        document = (rule.document_code if rule is not None else "") or setting.document_code
        number = (rule.clause_number if rule is not None else "") or setting.clause_number
        return self.resolver.clause(document, number)

    def rules_of(self, category: str) -> list[PhraseRule]:
        return [rule for rule in self.rules if rule.category == category]


def _wording_issues(checker: _Checker, body: str) -> list[Issue]:
    """Improper and impatient wording. The longest matches are taken first, and words already reported are
    not reported again by a shorter match ("as I already said" hides "as I said", "你找别人去" once), nor by a
    pattern when a plain phrase matched the same words; each rule is reported once; words inside quotation
    marks are never reported (the reply quotes the customer)."""
    labels: dict[str, StrOrPromise] = {
        PhraseRule.Category.IMPROPER: gettext_lazy("Improper wording: “%(phrase)s”."),
        PhraseRule.Category.IMPATIENT: gettext_lazy("Impatient wording: “%(phrase)s”."),
    }
    candidates = [
        rule
        for category in labels
        if checker.enabled(CATEGORY_CHECKS[category])
        for rule in checker.rules_of(category)
    ]
    # Longest match first; on the same words a plain phrase before a pattern (the more specific rule), then
    # the longer phrase.
    matches = sorted(
        (
            (start, end, rule)
            for rule in candidates
            for start, end in text.phrase_spans(body, rule.phrase, rule.exception_list())
        ),
        key=lambda match: (match[0] - match[1], text.is_pattern(match[2].phrase), -len(match[2].phrase)),
    )
    # Words the reply quotes (the customer's “谁让你们乱收费”) are not the agent's.
    reported: list[tuple[int, int]] = text.quoted_spans(body)
    found_by: dict[int, tuple[str, StandardClause]] = {}
    for start, end, rule in matches:
        if rule.pk in found_by or any(start < finish and begin < end for begin, finish in reported):
            continue
        clause = checker.clause(CATEGORY_CHECKS[rule.category], rule)
        if clause is not None:
            reported.append((start, end))
            found_by[rule.pk] = (text.normalise(body)[start:end], clause)
    issues = []
    for rule in candidates:
        if rule.pk not in found_by:
            continue
        found, clause = found_by[rule.pk]
        check_code = CATEGORY_CHECKS[rule.category]
        issues.append(
            Issue(
                check_code=check_code,
                key=f"{check_code}:{rule.pk}",
                message=str(labels[rule.category]) % {"phrase": found},
                clause=clause,
                excerpt=text.excerpt_around(body, found),
                rule=rule,
            )
        )
    return issues


def _jargon_issues(checker: _Checker, body: str) -> list[Issue]:
    check_code = Check.UNEXPLAINED_JARGON
    if not checker.enabled(check_code):
        return []
    issues = []
    rules = checker.rules_of(PhraseRule.Category.JARGON)
    listed = {rule.phrase.casefold() for rule in rules}
    for rule in rules:
        for term in _jargon_terms(rule, body, listed):
            clause = checker.clause(check_code, rule)
            if clause is not None:
                issues.append(_jargon_issue(rule, body, term, clause))
    return issues


def _jargon_terms(rule: PhraseRule, body: str, listed: set[str]) -> list[str]:
    """The unexplained uses of the rule's term in `body` (as written), or of every acronym that neither the
    rule's exceptions nor another jargon rule name, for the rule of text.ACRONYM_SLOT."""
    if rule.phrase == text.ACRONYM_SLOT:
        return [
            acronym
            for acronym in text.acronyms_find(body, rule.exception_list())
            if acronym.casefold() not in listed and not text.jargon_is_explained(body, acronym, rule.hint)
        ]
    found = text.phrase_find(body, rule.phrase)
    if found is None or text.jargon_is_explained(body, rule.phrase, rule.hint):
        return []
    return [found]


def _jargon_issue(rule: PhraseRule, body: str, found: str, clause: StandardClause) -> Issue:
    check_code = Check.UNEXPLAINED_JARGON
    if rule.hint and rule.phrase != text.ACRONYM_SLOT:
        message = _(
            "“%(term)s” is jargon: explain it in plain words (for example “%(hint)s”), in parentheses or "
            "after “即” or “i.e.”."
        ) % {"term": found, "hint": rule.hint}
    else:
        message = _(
            "“%(term)s” is jargon: explain it in plain words, in parentheses or after “即” or “i.e.”."
        ) % {"term": found}
    key = f"{check_code}:{rule.pk}" + (f":{found}" if rule.phrase == text.ACRONYM_SLOT else "")
    return Issue(check_code, key, message, clause, text.excerpt_around(body, found), rule)


def _greeting_issues(checker: _Checker, body: str) -> list[Issue]:
    check_code = Check.MISSING_GREETING
    greetings = checker.rules_of(PhraseRule.Category.GREETING)
    if not checker.enabled(check_code) or not greetings:
        return []
    if text.greeting_present(body, [rule.phrase for rule in greetings]):
        return []
    clause = checker.clause(check_code)
    if clause is None:
        return []
    # Examples in the language the reply is written in.
    language = Language.CHINESE if re.search(r"[\u4e00-\u9fff]", body) else Language.ENGLISH
    examples = ("、" if language == Language.CHINESE else ", ").join(
        rule.phrase for rule in ([r for r in greetings if r.language == language] or greetings)[:4]
    )
    message = _("The reply does not open with a greeting or form of address (such as %(examples)s).") % {
        "examples": examples
    }
    opening = " ".join(body.split())[:40]
    return [Issue(check_code, check_code, message, clause, opening)]


def _customer_own_data(case: Case) -> tuple[set[str], set[str]]:
    """The customer's own phone and ID number indexes, and the numbers he wrote on the case himself."""
    customer: Customer = case.customer
    indexes = {customer.phone_index, customer.id_number_index} - {""}
    written = [case.description] + [
        message.body
        for message in case_message_list(case=case, include_internal=False)
        if message.author_kind == CaseMessage.AuthorKind.CUSTOMER
    ]
    own = {datum.value for part in written for datum in text.personal_data_find(part)}
    return indexes, own


def _personal_data_issues(checker: _Checker, case: Case, body: str) -> list[Issue]:
    check_code = Check.PERSONAL_DATA
    found = text.personal_data_find(body) if checker.enabled(check_code) else []
    if not found:
        return []
    clause = checker.clause(check_code)
    if clause is None:
        return []
    indexes, own = _customer_own_data(case)
    phone_index = Customer._meta.get_field("phone_index")
    id_index = Customer._meta.get_field("id_number_index")
    issues = []
    for datum in found:
        field = phone_index if datum.kind == "phone" else id_index
        if datum.value in own or field.index_for(datum.value) in indexes:
            continue
        if datum.kind == "phone":
            masked = mask_phone(datum.value)
            message = _("A mobile number that is not this customer's: %(number)s.") % {"number": masked}
        else:
            masked = mask_id_number(datum.value)
            message = _("A resident ID number that is not this customer's: %(number)s.") % {"number": masked}
        # The excerpt is kept masked: a finding must not copy another customer's data once more.
        issues.append(Issue(check_code, f"{check_code}:{datum.kind}:{masked}", message, clause, masked))
    return issues


def _late_issues(checker: _Checker, clocks: Sequence[CaseClock]) -> list[Issue]:
    check_code = Check.LATE_REPLY
    if not clocks or not checker.enabled(check_code):
        return []
    clause = checker.clause(check_code)
    if clause is None:
        return []
    issues = []
    for clock in clocks:
        due = timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M") if clock.due_at else "—"
        message = _("%(metric)s: the deadline (%(due)s) has passed; the reply is late.") % {
            "metric": clock.get_metric_display(),
            "due": due,
        }
        issues.append(Issue(check_code, f"{check_code}:{clock.metric}", message, clause, clock.metric))
    return issues


def reply_issues(
    *,
    case: Case,
    body: str,
    at: dt.datetime,
    late_clocks: Sequence[CaseClock],
    configuration: CheckConfiguration | None = None,
) -> list[Issue]:
    """Return what the checks find in a public reply `body` on `case` written at `at`.

    `late_clocks` are the response clocks the reply answers after their deadline; `configuration` is read
    from the database when not given. Each issue cites the clause of the code of conduct in force at `at`; a
    check whose clause is not in force raises nothing. Writes nothing.
    """
    checker = _Checker(at, configuration)
    return [
        *_wording_issues(checker, body),
        *_jargon_issues(checker, body),
        *_greeting_issues(checker, body),
        *_personal_data_issues(checker, case, body),
        *_late_issues(checker, late_clocks),
    ]


def reply_warnings(case: Case, author: User, body: str, is_internal: bool) -> list[ReplyWarning]:
    """The checker registered with cases: the warnings on a reply about to be sent (none on notes)."""
    if is_internal:
        return []
    at = timezone.now()
    late = [
        clock
        for clock in case_clock_list(case=case).filter(metric__in=RESPONSE_METRICS)
        if clock.is_open and clock.is_breached_at(at)
    ]
    return [issue.as_warning() for issue in reply_issues(case=case, body=body, at=at, late_clocks=late)]


def reply_override_record(
    message: CaseMessage, agent: User, warnings: list[ReplyWarning], reason: str
) -> None:
    """The override listener registered with cases: keep the reason an agent gave to send despite warnings.

    Called in the reply's transaction; the findings recorded after sending carry the reason.
    """
    if message.is_internal:
        return
    ReplyOverride.objects.update_or_create(
        message=message,
        defaults={"agent": agent, "reason": reason, "check_codes": sorted({w.code for w in warnings})},
    )


def findings_record(*, message: CaseMessage, configuration: CheckConfiguration | None = None) -> int:
    """Record the findings of the checks on a sent public staff reply; return how many were new.

    Each issue is recorded once (message and key are unique), with the clause in force when the reply was
    written, and whether and why the agent sent it despite the warning. Internal notes and messages not
    written by staff are skipped.
    """
    if message.is_internal or message.author_kind != CaseMessage.AuthorKind.STAFF or message.author is None:
        return 0
    case = message.case
    late = list(
        case_clock_list(case=case).filter(
            metric__in=RESPONSE_METRICS, status=CaseClock.Status.BREACHED, stopped_at=message.created_at
        )
    )
    issues = reply_issues(
        case=case, body=message.body, at=message.created_at, late_clocks=late, configuration=configuration
    )
    if not issues:
        return 0
    override = ReplyOverride.objects.filter(message=message).first()
    overridden = set(override.check_codes) if override is not None else set()
    rows = [
        Finding(
            case=case,
            message=message,
            agent=message.author,
            team_id=case.team_id,
            check_code=issue.check_code,
            key=issue.key[:200],
            rule=issue.rule,
            clause=issue.clause,
            excerpt=issue.excerpt[:300],
            is_overridden=issue.check_code in overridden,
            override_reason=override.reason
            if override is not None and issue.check_code in overridden
            else "",
            replied_at=message.created_at,
        )
        for issue in issues
    ]
    before = Finding.objects.filter(message=message).count()
    Finding.objects.bulk_create(rows, ignore_conflicts=True)
    return Finding.objects.filter(message=message).count() - before


def findings_from_replies(*, limit: int = 500) -> int:
    """Check the public staff replies sent since the last run and record their findings; return how many
    findings were recorded. Reads `replied` case events through the outbox cursor: each once, none
    skipped, safe on several workers."""
    lag = dt.timedelta(seconds=int(quality_setting("CHARTER_QUALITY_EVENT_LAG_SECONDS")))
    events = CaseEvent.objects.filter(kind=CaseEvent.Kind.REPLIED).select_related(
        "message__author", "message__case__customer"
    )
    made = 0
    with outbox_batch(CURSOR, events, lag=lag, limit=limit) as batch:
        configuration = CheckConfiguration.load() if batch else None
        for event in batch:
            if event.message is not None:
                made += findings_record(message=event.message, configuration=configuration)
    return made


# Configuration ------------------------------------------------------------------------------------------


_PATTERN_ERRORS: dict[text.PatternError, "StrOrPromise"] = {
    text.PatternError.UNBALANCED: gettext_lazy(
        "“%(pattern)s”: square brackets come in pairs, one list of choices each, not nested."
    ),
    text.PatternError.STRAY_BAR: gettext_lazy(
        "“%(pattern)s”: a | separates choices only inside square brackets."
    ),
    text.PatternError.NO_WORDS: gettext_lazy(
        "“%(pattern)s”: a pattern needs at least one word besides its gaps."
    ),
}


def _pattern_validate(pattern: str, field: str) -> None:
    error = text.pattern_error(pattern)
    if error is not None:
        raise DomainError(
            _PATTERN_ERRORS[error] % {"pattern": pattern}, code=ErrorCode.INVALID_PHRASE, field=field
        )


def _rule_validate(*, rule: PhraseRule) -> None:
    """Clean the rule's texts in place (`text_clean`; the phrase's runs of white space made one space) and
    refuse a blank, malformed or listed phrase, a malformed exception, or a document without its clause."""
    # The phrase keeps its line breaks through the common rule only to have them made spaces here.
    rule.phrase = " ".join(text_clean(rule.phrase, PhraseRule, "phrase").split())
    rule.exceptions = text_clean(rule.exceptions, PhraseRule, "exceptions")
    rule.hint = text_clean(rule.hint, PhraseRule, "hint", multiline=False)
    rule.document_code = text_clean(rule.document_code, PhraseRule, "document_code", multiline=False)
    rule.clause_number = text_clean(rule.clause_number, PhraseRule, "clause_number", multiline=False)
    if not rule.phrase:
        raise DomainError(
            gettext_lazy("Enter a word or phrase."), code=ErrorCode.INVALID_PHRASE, field="phrase"
        )
    _pattern_validate(rule.phrase, "phrase")
    for line in rule.exception_list():
        _pattern_validate(line, "exceptions")
    duplicate = PhraseRule.objects.filter(
        language=rule.language, category=rule.category, phrase=rule.phrase
    ).exclude(pk=rule.pk)
    if duplicate.exists():
        raise DomainError(
            gettext_lazy("This phrase is already in the list."),
            code=ErrorCode.DUPLICATE_PHRASE,
            field="phrase",
        )
    if bool(rule.document_code) and not rule.clause_number:
        raise DomainError(
            gettext_lazy("Give the clause number too, or leave both blank to cite the check's clause."),
            code=ErrorCode.INVALID_CLAUSE,
            field="clause_number",
        )


def phrase_rule_save(*, actor: User, rule: PhraseRule) -> PhraseRule:
    """Create or change a phrase rule (administrators only), its texts cleaned and checked by
    `_rule_validate`. Audited as `quality.phrase_rule_save`."""
    require(can_manage_checks(actor))
    with transaction.atomic():
        _rule_validate(rule=rule)
        rule.save()
        audit_record(
            actor=actor,
            action="quality.phrase_rule_save",
            target=rule,
            data={
                "language": rule.language,
                "category": rule.category,
                "phrase": rule.phrase,
                "clause": f"{rule.document_code} {rule.clause_number}".strip(),
                "is_active": rule.is_active,
            },
        )
    return rule


def check_setting_save(*, actor: User, setting: CheckSetting) -> CheckSetting:
    """Change whether a check runs and the clause it cites (administrators only); the document code and
    clause number are cleaned by `text_clean` and both required. Audited as `quality.check_setting_save`."""
    require(can_manage_checks(actor))
    setting.document_code = text_clean(setting.document_code, CheckSetting, "document_code", multiline=False)
    setting.clause_number = text_clean(setting.clause_number, CheckSetting, "clause_number", multiline=False)
    if not setting.clause_number or not setting.document_code:
        raise DomainError(
            gettext_lazy("Each check cites a clause: give the document code and clause number."),
            code=ErrorCode.INVALID_CLAUSE,
            field="clause_number",
        )
    with transaction.atomic():
        setting.save()
        audit_record(
            actor=actor,
            action="quality.check_setting_save",
            target=setting,
            data={
                "check": setting.check_code,
                "is_enabled": setting.is_enabled,
                "clause": f"{setting.document_code} {setting.clause_number}",
            },
        )
    return setting
