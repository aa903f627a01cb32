"""Every write of the assessment schemes (考核方案): schemes, drafts of their versions, publication and
the staff's acknowledgement.

A scheme lives in numbered versions (charter/common/versioning.py): `scheme_create` opens draft 1,
`scheme_version_draft_update` replaces a draft's whole content (`SchemeVersionContent`: its fields, items,
bonus and deduction items and outcome rules), checked as one by `rules_compile` (charter/assessment/rules.py,
the one validator of a scheme's rules) and by the row checks here; `scheme_version_publish` publishes it,
superseding the version in force. Labour Contract Law art. 4: a version that affects pay is published before
its first period starts, and each member of staff it covers acknowledges it (`scheme_acknowledge`).

Each service checks who is acting, validates before it writes and records its audit event in the same
transaction, so a refused operation leaves nothing behind.
"""

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Team, User
from charter.accounts.permissions import AnyUser
from charter.assessment.errors import TEXT_CODES, ErrorCode
from charter.assessment.indicators import INDICATORS
from charter.assessment.models import (
    OutcomeRule,
    PeriodKind,
    Scheme,
    SchemeAcknowledgement,
    SchemeAdjustment,
    SchemeItem,
    SchemeVersion,
)
from charter.assessment.permissions import can_acknowledge_scheme, can_manage_schemes
from charter.assessment.rules import AdjustmentRule, ItemRule, SchemeRules, curve_compile, rules_compile
from charter.assessment.selectors import scheme_staff_covered
from charter.audit.services import audit_record
from charter.common.errors import DomainError
from charter.common.policy import require
from charter.common.text import clean_column_text
from charter.common.versioning import version_draft_lock, version_number_next, version_publish
from charter.standards.models import StandardClause, StandardDocument

SCHEME_CODE_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DAY_FIELDS = ("self_days", "supervisor_days", "calibration_days", "approval_days", "appeal_days")
MAX_STEP_DAYS = 60
Draft = SchemeVersion.Status.DRAFT
Published = SchemeVersion.Status.PUBLISHED


def _number(value: Decimal | None, model: type[models.Model], column: str, *, field: str = "") -> None:
    """Refuse a number the column cannot hold (too many digits or decimal places), naming `field`."""
    if value is None:
        return
    try:
        model._meta.get_field(column).run_validators(value)  # type: ignore[union-attr]
    except ValidationError as error:
        raise DomainError(
            "; ".join(str(message) for message in error.messages),
            code=ErrorCode.NUMBER_INVALID,
            field=field or column,
        ) from None


def _text(
    value: object, model: type[models.Model], column: str, *, field: str = "", multiline: bool = False
) -> str:
    return clean_column_text(
        value, model=model, column=column, codes=TEXT_CODES, field=field or column, multiline=multiline
    )


# Content ------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ItemContent:
    """A weighted item: an indicator of the library (`code` is the indicator's) with its curve, a qualitative
    item rated by the supervisor citing `clause` of the code of conduct, or the self-assessment."""

    kind: str
    code: str
    weight: Decimal
    name_zh: str = ""
    name_en: str = ""
    curve: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    clause: StandardClause | None = None

    @classmethod
    def from_item(cls, item: SchemeItem) -> "ItemContent":
        """Return the content of a stored item."""
        return cls(
            kind=item.kind,
            code=item.code,
            weight=item.weight,
            name_zh=item.name_zh,
            name_en=item.name_en,
            curve=dict(item.curve or {}),
            clause=item.clause,
        )


@dataclasses.dataclass(frozen=True)
class AdjustmentContent:
    """A bonus or deduction item: points each time, capped; counted from `indicator` or awarded by hand."""

    kind: str
    code: str
    name_zh: str
    points_each: Decimal
    cap: Decimal
    name_en: str = ""
    indicator: str = ""

    @classmethod
    def from_adjustment(cls, adjustment: SchemeAdjustment) -> "AdjustmentContent":
        """Return the content of a stored bonus or deduction item."""
        return cls(
            kind=adjustment.kind,
            code=adjustment.code,
            name_zh=adjustment.name_zh,
            name_en=adjustment.name_en,
            indicator=adjustment.indicator,
            points_each=adjustment.points_each,
            cap=adjustment.cap,
        )


@dataclasses.dataclass(frozen=True)
class OutcomeRuleContent:
    """What a grade leads to."""

    grade: str
    bonus_coefficient: Decimal | None = None
    points: int = 0
    title_zh: str = ""
    title_en: str = ""
    interview: bool = False
    improvement_plan: bool = False
    remedial_training: bool = False

    FIELDS = (
        "grade",
        "bonus_coefficient",
        "points",
        "title_zh",
        "title_en",
        "interview",
        "improvement_plan",
        "remedial_training",
    )

    @classmethod
    def from_rule(cls, rule: OutcomeRule) -> "OutcomeRuleContent":
        """Return the content of a stored outcome rule."""
        return cls(**{name: getattr(rule, name) for name in cls.FIELDS})


@dataclasses.dataclass(frozen=True)
class SchemeVersionContent:
    """Everything a version of a scheme says, given whole to `scheme_version_draft_update`."""

    period_kind: str = PeriodKind.MONTH
    affects_pay: bool = True
    effective_from: dt.date | None = None
    grades: Sequence[Mapping[str, Any]] = ()
    quota_grade: str = ""
    quota_share: Decimal | None = None
    bonus_cap: Decimal = Decimal(10)
    deduction_cap: Decimal = Decimal(20)
    formula: str = ""
    self_days: int = 3
    supervisor_days: int = 5
    calibration_days: int = 3
    approval_days: int = 3
    appeal_days: int = 5
    change_summary_zh: str = ""
    change_summary_en: str = ""
    items: Sequence[ItemContent] = ()
    adjustments: Sequence[AdjustmentContent] = ()
    outcome_rules: Sequence[OutcomeRuleContent] = ()

    # The fields stored on the version row itself (the rest are its parts).
    VERSION_FIELDS = (
        "period_kind",
        "affects_pay",
        "effective_from",
        "grades",
        "quota_grade",
        "quota_share",
        "bonus_cap",
        "deduction_cap",
        "formula",
        *DAY_FIELDS,
        "change_summary_zh",
        "change_summary_en",
    )

    @classmethod
    def from_version(cls, version: SchemeVersion) -> "SchemeVersionContent":
        """Return what a stored version says, to change some of it with `from_data`."""
        values: dict[str, Any] = {name: getattr(version, name) for name in cls.VERSION_FIELDS}
        values["grades"] = [dict(grade) for grade in version.grades or []]
        return cls(
            **values,
            items=tuple(ItemContent.from_item(item) for item in version.items.select_related("clause")),
            adjustments=tuple(AdjustmentContent.from_adjustment(rule) for rule in version.adjustments.all()),
            outcome_rules=tuple(OutcomeRuleContent.from_rule(rule) for rule in version.outcome_rules.all()),
        )

    @classmethod
    def from_data(
        cls, data: Mapping[str, Any], base: "SchemeVersionContent | None" = None
    ) -> "SchemeVersionContent":
        """Return the content in `data` (a form's or a serializer's cleaned input): each field it leaves out
        (or gives as None, except the optional `effective_from` and `quota_share`) is taken from `base`, or
        is the default without one. The one place input names meet the content's fields."""
        base = base or cls()
        nullable = {"effective_from", "quota_share"}
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            name = field.name
            if name in data and (data[name] is not None or name in nullable):
                value = data[name]
                values[name] = tuple(value) if name in ("items", "adjustments", "outcome_rules") else value
            else:
                values[name] = getattr(base, name)
        return cls(**values)

    def rules(self) -> SchemeRules:
        """Compile the rules this content states (`rules_compile`); raises its first DomainError."""
        return rules_compile(
            items=[
                ItemRule(kind=item.kind, code=item.code, weight=item.weight, curve=dict(item.curve))
                for item in self.items
            ],
            adjustments=[
                AdjustmentRule(
                    kind=rule.kind,
                    code=rule.code,
                    points_each=rule.points_each,
                    cap=rule.cap,
                    indicator=rule.indicator,
                )
                for rule in self.adjustments
            ],
            grades=self.grades,
            bonus_cap=self.bonus_cap,
            deduction_cap=self.deduction_cap,
            quota_grade=self.quota_grade,
            quota_share=self.quota_share,
            formula=self.formula,
        )


# Checks -------------------------------------------------------------------------------------------------


def _require_manager(actor: AnyUser) -> None:
    require(can_manage_schemes(actor))


def _lock_scheme(scheme: Scheme) -> Scheme:
    # Serialises draft creation and publication per scheme, so numbers stay sequential and one draft only.
    return Scheme.objects.select_for_update().get(pk=scheme.pk)


def _coverage(team_ids: Iterable[int], role_ids: Iterable[int]) -> tuple[list[Team], list[Group]]:
    team_ids, role_ids = set(team_ids), set(role_ids)
    teams = list(Team.objects.filter(pk__in=team_ids))
    roles = list(Group.objects.filter(pk__in=role_ids))
    if len(teams) != len(team_ids):
        raise DomainError(
            _("Choose teams from the list."), code=ErrorCode.SCHEME_COVERAGE_EMPTY, field="teams"
        )
    if len(roles) != len(role_ids):
        raise DomainError(
            _("Choose roles from the list."), code=ErrorCode.SCHEME_COVERAGE_EMPTY, field="roles"
        )
    if not teams and not roles:
        raise DomainError(
            _("Choose the teams or the roles the scheme covers."),
            code=ErrorCode.SCHEME_COVERAGE_EMPTY,
            field="teams",
        )
    return teams, roles


def _names(name_zh: str, name_en: str, description_zh: str, description_en: str) -> tuple[str, str, str, str]:
    name_zh = _text(name_zh, Scheme, "name_zh")
    if not name_zh:
        raise DomainError(_("Enter the Chinese name."), code=ErrorCode.SCHEME_NAME_REQUIRED, field="name_zh")
    return (
        name_zh,
        _text(name_en, Scheme, "name_en"),
        _text(description_zh, Scheme, "description_zh", multiline=True),
        _text(description_en, Scheme, "description_en", multiline=True),
    )


def _content_cleaned(content: SchemeVersionContent) -> SchemeVersionContent:
    """Return `content` with every text cleaned and every row checked; raise DomainError naming the field
    (a form field of the editor: items, adjustments, outcome_rules, grades, formula…) at the first fault."""
    if content.period_kind not in PeriodKind.values:
        raise DomainError(
            _("Choose the assessment period."), code=ErrorCode.PERIOD_KIND_INVALID, field="period_kind"
        )
    for name in DAY_FIELDS:
        days = getattr(content, name)
        if not isinstance(days, int) or not 1 <= days <= MAX_STEP_DAYS:
            raise DomainError(
                _("Give from 1 to %(limit)s working days.") % {"limit": MAX_STEP_DAYS},
                code=ErrorCode.DAYS_INVALID,
                field=name,
            )
    _number(content.quota_share, SchemeVersion, "quota_share")
    for name in ("bonus_cap", "deduction_cap"):
        _number(getattr(content, name), SchemeVersion, name)
        if getattr(content, name) < 0:
            raise DomainError(_("A cap is 0 points or more."), code=ErrorCode.CAP_NEGATIVE, field=name)
    items = tuple(_item_cleaned(item) for item in content.items)
    adjustments = tuple(_adjustment_cleaned(rule) for rule in content.adjustments)
    grades = [
        {
            "code": str(grade.get("code", "")).strip(),
            "name_zh": _text(grade.get("name_zh", ""), SchemeItem, "name_zh", field="grades"),
            "name_en": _text(grade.get("name_en", ""), SchemeItem, "name_en", field="grades"),
            "minimum": None if grade.get("minimum") in (None, "") else str(grade["minimum"]).strip(),
        }
        for grade in content.grades
    ]
    cleaned = dataclasses.replace(
        content,
        items=items,
        adjustments=adjustments,
        grades=grades,
        quota_grade=_text(content.quota_grade, SchemeVersion, "quota_grade"),
        formula=_text(content.formula, SchemeVersion, "formula"),
        change_summary_zh=_text(
            content.change_summary_zh, SchemeVersion, "change_summary_zh", multiline=True
        ),
        change_summary_en=_text(
            content.change_summary_en, SchemeVersion, "change_summary_en", multiline=True
        ),
    )
    compiled = cleaned.rules()
    outcome_rules = tuple(_outcome_cleaned(rule) for rule in content.outcome_rules)
    codes = {grade.code for grade in compiled.bands.grades}
    seen: set[str] = set()
    for rule in outcome_rules:
        if rule.grade not in codes or rule.grade in seen:
            raise DomainError(
                _("An outcome rule names a grade of this scheme, once: “%(grade)s”.") % {"grade": rule.grade},
                code=ErrorCode.OUTCOME_GRADE,
                field="outcome_rules",
            )
        seen.add(rule.grade)
    return dataclasses.replace(cleaned, outcome_rules=outcome_rules)


def _item_cleaned(item: ItemContent) -> ItemContent:
    if item.kind not in SchemeItem.Kind.values:
        raise DomainError(
            _("An item is an indicator, rated by the supervisor or the self-assessment: “%(kind)s”.")
            % {"kind": item.kind},
            code=ErrorCode.ITEM_KIND_INVALID,
            field="items",
        )
    _number(item.weight, SchemeItem, "weight", field="items")
    name_zh = _text(item.name_zh, SchemeItem, "name_zh", field="items")
    name_en = _text(item.name_en, SchemeItem, "name_en", field="items")
    if item.kind != SchemeItem.Kind.INDICATOR and not name_zh:
        raise DomainError(
            _("Give the Chinese name of item “%(code)s”.") % {"code": item.code},
            code=ErrorCode.ITEM_NAME_REQUIRED,
            field="items",
        )
    if item.kind == SchemeItem.Kind.QUALITATIVE:
        _clause_check(item)
    elif item.clause is not None:
        raise DomainError(
            _("Only an item rated by the supervisor cites a clause: “%(code)s”.") % {"code": item.code},
            code=ErrorCode.CLAUSE_NOT_ALLOWED,
            field="items",
        )
    curve = dict(item.curve) if item.kind == SchemeItem.Kind.INDICATOR else {}
    indicator = INDICATORS.get(item.code.strip())
    if item.kind == SchemeItem.Kind.INDICATOR and indicator is not None:
        try:
            curve_compile(curve, higher_is_better=indicator.higher_is_better, field="items")
        except DomainError as error:
            # The curve's own refusal says what is wrong; name the item, since the editor shows every item.
            raise DomainError(
                _("Item “%(code)s”: %(error)s") % {"code": item.code, "error": error.message},
                code=error.code,
                field="items",
            ) from None
    return dataclasses.replace(item, code=item.code.strip(), name_zh=name_zh, name_en=name_en, curve=curve)


def _clause_check(item: ItemContent) -> None:
    """Refuse a qualitative item without a clause of a published version of the staff code of conduct."""
    if item.clause is None:
        raise DomainError(
            _("Item “%(code)s” is rated by the supervisor: cite the clause of the code of conduct it rates.")
            % {"code": item.code},
            code=ErrorCode.CLAUSE_REQUIRED,
            field="items",
        )
    is_conduct = StandardClause.objects.filter(
        pk=item.clause.pk,
        version__status=Published,
        version__document__kind=StandardDocument.Kind.CODE_OF_CONDUCT,
    ).exists()
    if not is_conduct:
        raise DomainError(
            _("Item “%(code)s” cites a clause that is not of the published staff code of conduct.")
            % {"code": item.code},
            code=ErrorCode.CLAUSE_NOT_CONDUCT,
            field="items",
        )


def _adjustment_cleaned(rule: AdjustmentContent) -> AdjustmentContent:
    if rule.kind not in SchemeAdjustment.Kind.values:
        raise DomainError(
            _("A bonus or deduction item is “bonus” or “deduction”: “%(kind)s”.") % {"kind": rule.kind},
            code=ErrorCode.ITEM_KIND_INVALID,
            field="adjustments",
        )
    _number(rule.points_each, SchemeAdjustment, "points_each", field="adjustments")
    _number(rule.cap, SchemeAdjustment, "cap", field="adjustments")
    name_zh = _text(rule.name_zh, SchemeAdjustment, "name_zh", field="adjustments")
    if not name_zh:
        raise DomainError(
            _("Give the Chinese name of item “%(code)s”.") % {"code": rule.code},
            code=ErrorCode.ITEM_NAME_REQUIRED,
            field="adjustments",
        )
    return dataclasses.replace(
        rule,
        code=rule.code.strip(),
        name_zh=name_zh,
        name_en=_text(rule.name_en, SchemeAdjustment, "name_en", field="adjustments"),
        indicator=rule.indicator.strip(),
    )


def _outcome_cleaned(rule: OutcomeRuleContent) -> OutcomeRuleContent:
    _number(rule.bonus_coefficient, OutcomeRule, "bonus_coefficient", field="outcome_rules")
    if rule.bonus_coefficient is not None and not Decimal(0) <= rule.bonus_coefficient < 100:
        raise DomainError(
            _("A bonus coefficient is from 0 to 99.99, such as 1.2."),
            code=ErrorCode.OUTCOME_COEFFICIENT,
            field="outcome_rules",
        )
    return dataclasses.replace(
        rule,
        grade=rule.grade.strip(),
        title_zh=_text(rule.title_zh, OutcomeRule, "title_zh", field="outcome_rules"),
        title_en=_text(rule.title_en, OutcomeRule, "title_en", field="outcome_rules"),
    )


def _parts_write(version: SchemeVersion, content: SchemeVersionContent) -> None:
    """Replace the parts of the draft `version` with those of `content` (already checked)."""
    SchemeItem.objects.filter(version=version).delete()
    SchemeAdjustment.objects.filter(version=version).delete()
    OutcomeRule.objects.filter(version=version).delete()
    SchemeItem.objects.bulk_create(
        SchemeItem(
            version=version,
            kind=item.kind,
            code=item.code,
            name_zh=item.name_zh,
            name_en=item.name_en,
            weight=item.weight,
            curve=dict(item.curve),
            clause=item.clause,
            ordering=index,
        )
        for index, item in enumerate(content.items)
    )
    SchemeAdjustment.objects.bulk_create(
        SchemeAdjustment(
            version=version,
            kind=rule.kind,
            code=rule.code,
            name_zh=rule.name_zh,
            name_en=rule.name_en,
            indicator=rule.indicator,
            points_each=rule.points_each,
            cap=rule.cap,
            ordering=index,
        )
        for index, rule in enumerate(content.adjustments)
    )
    OutcomeRule.objects.bulk_create(
        OutcomeRule(version=version, **{name: getattr(rule, name) for name in OutcomeRuleContent.FIELDS})
        for rule in content.outcome_rules
    )


def _content_summary(content: SchemeVersionContent) -> dict[str, Any]:
    """The audit data of a version's content: its rules in JSON, enough to tell two versions apart."""
    return {
        "period_kind": content.period_kind,
        "affects_pay": content.affects_pay,
        "effective_from": content.effective_from.isoformat() if content.effective_from else None,
        "items": {item.code: str(item.weight) for item in content.items},
        "adjustments": {rule.code: [str(rule.points_each), str(rule.cap)] for rule in content.adjustments},
        "grades": [grade.get("code") for grade in content.grades],
        "quota": [content.quota_grade, str(content.quota_share) if content.quota_share is not None else None],
        "formula": content.formula,
    }


# Services -----------------------------------------------------------------------------------------------


def scheme_create(
    *,
    actor: User,
    code: str,
    name_zh: str,
    name_en: str,
    description_zh: str = "",
    description_en: str = "",
    team_ids: Sequence[int] = (),
    role_ids: Sequence[int] = (),
) -> Scheme:
    """Create a scheme covering the teams `team_ids` and the roles `role_ids`, with its draft version 1.

    Requires assessment.manage_scheme. Raises DomainError for a malformed or taken code, a missing Chinese
    name, unknown teams or roles or none at all, or a text the common rule refuses (`clean_text`). Audited
    as `assessment.scheme_create`.
    """
    _require_manager(actor)
    code = _text(code, Scheme, "code")
    name_zh, name_en, description_zh, description_en = _names(
        name_zh, name_en, description_zh, description_en
    )
    if not SCHEME_CODE_PATTERN.match(code):
        raise DomainError(
            _("Use lower-case letters, digits and hyphens for the code, such as agents."),
            code=ErrorCode.CODE_INVALID,
            field="code",
        )
    teams, roles = _coverage(team_ids, role_ids)
    with transaction.atomic():
        if Scheme.objects.filter(code=code).exists():
            raise DomainError(_("This code is already used."), code=ErrorCode.SCHEME_CODE_TAKEN, field="code")
        scheme = Scheme.objects.create(
            code=code,
            name_zh=name_zh,
            name_en=name_en,
            description_zh=description_zh,
            description_en=description_en,
            created_by=actor,
        )
        scheme.teams.set(teams)
        scheme.roles.set(roles)
        draft = SchemeVersion.objects.create(scheme=scheme, number=1, status=Draft, created_by=actor)
        audit_record(
            actor=actor,
            action="assessment.scheme_create",
            target=scheme,
            data={
                "code": code,
                "teams": sorted(team.pk for team in teams),
                "roles": sorted(role.pk for role in roles),
                "draft": draft.number,
            },
        )
    return scheme


def scheme_update(
    *,
    actor: User,
    scheme: Scheme,
    name_zh: str,
    name_en: str = "",
    description_zh: str = "",
    description_en: str = "",
    team_ids: Sequence[int] = (),
    role_ids: Sequence[int] = (),
) -> Scheme:
    """Change a scheme's names, description and coverage; its code never changes.

    Requires assessment.manage_scheme; same rules as `scheme_create`. A change of coverage applies to the
    cycles opened after it. Audited as `assessment.scheme_update` with the coverage before and after.
    """
    _require_manager(actor)
    name_zh, name_en, description_zh, description_en = _names(
        name_zh, name_en, description_zh, description_en
    )
    teams, roles = _coverage(team_ids, role_ids)
    with transaction.atomic():
        scheme = _lock_scheme(scheme)
        before = {
            "teams": sorted(scheme.teams.values_list("pk", flat=True)),
            "roles": sorted(scheme.roles.values_list("pk", flat=True)),
        }
        scheme.name_zh, scheme.name_en = name_zh, name_en
        scheme.description_zh, scheme.description_en = description_zh, description_en
        scheme.save(update_fields=["name_zh", "name_en", "description_zh", "description_en", "updated_at"])
        scheme.teams.set(teams)
        scheme.roles.set(roles)
        audit_record(
            actor=actor,
            action="assessment.scheme_update",
            target=scheme,
            data={
                "before": before,
                "after": {
                    "teams": sorted(team.pk for team in teams),
                    "roles": sorted(role.pk for role in roles),
                },
            },
        )
    return scheme


def scheme_version_draft_create(*, actor: User, scheme: Scheme) -> SchemeVersion:
    """Open the next numbered version of `scheme` as a draft, copying the latest version's content and parts.

    Requires assessment.manage_scheme; refused while the scheme already has a draft
    (assessment_draft_exists). Audited as `assessment.scheme_draft_create`.
    """
    _require_manager(actor)
    with transaction.atomic():
        scheme = _lock_scheme(scheme)
        versions = SchemeVersion.objects.filter(scheme=scheme)
        if versions.filter(status=Draft).exists():
            raise DomainError(
                _("This scheme already has a draft; finish or discard it first."), code=ErrorCode.DRAFT_EXISTS
            )
        latest = versions.order_by("-number").first()
        content = SchemeVersionContent.from_version(latest) if latest is not None else SchemeVersionContent()
        # A new version takes effect anew: its first period is chosen again, and its changes summarised.
        content = dataclasses.replace(
            content, effective_from=None, change_summary_zh="", change_summary_en=""
        )
        draft = SchemeVersion(
            scheme=scheme, number=version_number_next(versions), status=Draft, created_by=actor
        )
        for name in SchemeVersionContent.VERSION_FIELDS:
            setattr(draft, name, getattr(content, name))
        draft.save()
        _parts_write(draft, content)
        audit_record(
            actor=actor,
            action="assessment.scheme_draft_create",
            target=draft,
            data={
                "scheme": scheme.code,
                "number": draft.number,
                "copied_from": latest.number if latest is not None else None,
            },
        )
    return draft


def scheme_version_draft_update(
    *, actor: User, version: SchemeVersion, content: SchemeVersionContent
) -> SchemeVersion:
    """Replace everything a draft says with `content` (`SchemeVersionContent.from_version` gives the current).

    Requires assessment.manage_scheme and a draft. The rules are checked as one by `rules_compile` (weights
    adding up to 100, indicators of the library, curves, grades, quota, formula with the position of its
    error) and each row here: a qualitative item cites a clause of the published staff code of conduct,
    items rated by hand have a Chinese name, outcome rules name grades of the scheme. Raises DomainError
    naming the field at fault; writes nothing then. Audited as `assessment.scheme_draft_update`.
    """
    _require_manager(actor)
    with transaction.atomic():
        draft = version_draft_lock(version)
        content = _content_cleaned(content)
        for name in SchemeVersionContent.VERSION_FIELDS:
            setattr(draft, name, getattr(content, name))
        draft.save()
        _parts_write(draft, content)
        audit_record(
            actor=actor,
            action="assessment.scheme_draft_update",
            target=draft,
            data={"number": draft.number, **_content_summary(content)},
        )
    return draft


def scheme_version_draft_discard(*, actor: User, version: SchemeVersion) -> None:
    """Delete a draft and its parts; the next draft takes its number again. Version 1 of a scheme that was
    never published may be discarded too (a new draft is opened from nothing).

    Requires assessment.manage_scheme and a draft. Audited as `assessment.scheme_draft_discard`.
    """
    _require_manager(actor)
    with transaction.atomic():
        draft = version_draft_lock(version)
        audit_record(
            actor=actor,
            action="assessment.scheme_draft_discard",
            target=draft,
            data={"scheme": draft.scheme.code, "number": draft.number},
        )
        SchemeItem.objects.filter(version=draft).delete()
        SchemeAdjustment.objects.filter(version=draft).delete()
        OutcomeRule.objects.filter(version=draft).delete()
        draft.delete()


def scheme_today() -> dt.date:
    """Today in the organisation's time zone (settings.TIME_ZONE), whatever the reader's."""
    return timezone.localtime(timezone.now(), timezone.get_default_timezone()).date()


def scheme_version_publish(*, actor: User, version: SchemeVersion) -> SchemeVersion:
    """Publish a draft: from now on it never changes, and it supersedes the version in force.

    Requires assessment.manage_scheme and a draft whose rules compile. Labour Contract Law art. 4: a version
    that affects pay needs its first period's start (`effective_from`), after today in the organisation's
    time zone, so the staff know the rules before they apply; in any case not before the start of the
    version it supersedes. Audited as `assessment.scheme_publish`.
    """
    _require_manager(actor)
    with transaction.atomic():
        scheme = _lock_scheme(version.scheme)
        draft = version_draft_lock(version)
        content = SchemeVersionContent.from_version(draft)
        _content_cleaned(content)
        if draft.affects_pay:
            if draft.effective_from is None:
                raise DomainError(
                    _("A scheme that affects pay needs the date its first period starts."),
                    code=ErrorCode.EFFECTIVE_FROM_REQUIRED,
                    field="effective_from",
                )
            if draft.effective_from <= scheme_today():
                raise DomainError(
                    _(
                        "A scheme that affects pay is published before its period starts "
                        "(Labour Contract Law, article 4): choose a first period starting after today."
                    ),
                    code=ErrorCode.EFFECTIVE_FROM_PAST,
                    field="effective_from",
                )
        versions = SchemeVersion.objects.filter(scheme=scheme)
        previous = versions.filter(status=Published).order_by("-number").first()
        if (
            previous is not None
            and previous.effective_from is not None
            and draft.effective_from is not None
            and draft.effective_from < previous.effective_from
        ):
            raise DomainError(
                _("The first period cannot start before that of the version it supersedes (%(date)s).")
                % {"date": previous.effective_from.isoformat()},
                code=ErrorCode.EFFECTIVE_BEFORE_PREVIOUS,
                field="effective_from",
            )
        version_publish(version=draft, actor=actor, supersede=versions)
        audit_record(
            actor=actor,
            action="assessment.scheme_publish",
            target=draft,
            data={
                "scheme": scheme.code,
                "number": draft.number,
                "supersedes": previous.number if previous is not None else None,
                **_content_summary(content),
            },
        )
    return draft


def scheme_acknowledge(*, actor: User, version: SchemeVersion) -> SchemeAcknowledgement:
    """Record that `actor`, a member of staff the published `version` covers, was made known its rules.

    Refused (403) for a draft or superseded version, for someone it does not cover and a second time.
    Audited as `assessment.scheme_acknowledge`.
    """
    version = SchemeVersion.objects.select_related("scheme").get(pk=version.pk)
    require(can_acknowledge_scheme(actor, version))
    with transaction.atomic():
        try:
            with transaction.atomic():
                acknowledgement = SchemeAcknowledgement.objects.create(
                    version=version, user=actor, acknowledged_at=timezone.now()
                )
        except IntegrityError as error:
            # Two requests at once: the unique constraint lets one through and this is the other.
            raise DomainError(
                _("You have already acknowledged this version."), code=ErrorCode.ALREADY_ACKNOWLEDGED
            ) from error
        audit_record(
            actor=actor,
            action="assessment.scheme_acknowledge",
            target=version,
            data={"scheme": version.scheme.code, "number": version.number},
        )
    return acknowledgement


@dataclasses.dataclass(frozen=True)
class AcknowledgementStatus:
    """Who of the staff a version covers has acknowledged it (with when), and who has not yet."""

    acknowledged: list[tuple[User, dt.datetime]]
    pending: list[User]

    @property
    def total(self) -> int:
        return len(self.acknowledged) + len(self.pending)


def scheme_acknowledgement_status(version: SchemeVersion) -> AcknowledgementStatus:
    """Return who of the staff the scheme covers now has acknowledged `version` and who not yet. Two queries.

    People who acknowledged it and are no longer covered still count as acknowledged (it was made known)."""
    covered = list(scheme_staff_covered(scheme=version.scheme).order_by("username"))
    given = {
        acknowledgement.user_id: acknowledgement
        for acknowledgement in SchemeAcknowledgement.objects.filter(version=version).select_related("user")
    }
    acknowledged = sorted(
        ((acknowledgement.user, acknowledgement.acknowledged_at) for acknowledgement in given.values()),
        key=lambda pair: pair[0].username,
    )
    pending = [person for person in covered if person.pk not in given]
    return AcknowledgementStatus(acknowledged=acknowledged, pending=pending)
