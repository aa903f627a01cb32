"""Scorecards: create, edit a draft version's criteria, publish (which supersedes the previous version).

A published version never changes: reviews point at it and must keep meaning what they meant. A criterion
cites a clause of a published version of the code of conduct, so staff are scored against the rules they
were given, not against a draft.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.audit.services import audit_record
from charter.common.errors import DomainError
from charter.common.models import localized
from charter.common.policy import require
from charter.common.versioning import version_draft_lock, version_number_next, version_publish
from charter.quality import scoring
from charter.quality.errors import ErrorCode
from charter.quality.models import Criterion, Scale, Scorecard, ScorecardVersion
from charter.quality.permissions import can_manage_scorecards
from charter.quality.selectors import criterion_list, scorecard_version_current, scorecard_version_draft_of
from charter.quality.services._text import text_clean
from charter.standards.models import StandardClause, StandardDocument, StandardVersion


def clause_is_citable(clause: StandardClause) -> bool:
    """True when `clause` belongs to a published version of a code of conduct."""
    version = clause.version
    return (
        version.status == StandardVersion.Status.PUBLISHED
        and version.document.kind == StandardDocument.Kind.CODE_OF_CONDUCT
    )


def criterion_specs(criteria: list[Criterion]) -> list[scoring.CriterionSpec]:
    """The criteria as the pure scoring function wants them."""
    return [
        scoring.CriterionSpec(
            key=c.pk,
            weight=c.weight,
            scale=c.scale,
            is_auto_fail=c.is_auto_fail,
            is_compliance=c.is_compliance,
        )
        for c in criteria
    ]


@transaction.atomic
def scorecard_create(*, actor: User, code: str, name_zh: str, name_en: str = "") -> Scorecard:
    """Create a scorecard with an empty draft version 1 (administrators only). Needs a code and a Chinese
    name; texts are cleaned by `text_clean`. Audited."""
    require(can_manage_scorecards(actor))
    code = text_clean(code, Scorecard, "code", multiline=False)
    name_zh = text_clean(name_zh, Scorecard, "name_zh", multiline=False)
    name_en = text_clean(name_en, Scorecard, "name_en", multiline=False)
    if not code or not name_zh:
        raise DomainError(
            _("Give the scorecard a code and a Chinese name."), code=ErrorCode.INVALID_CRITERION
        )
    if Scorecard.objects.filter(code=code).exists():
        raise DomainError(
            _("A scorecard with this code exists."), code=ErrorCode.INVALID_CRITERION, field="code"
        )
    scorecard = Scorecard.objects.create(code=code, name_zh=name_zh, name_en=name_en)
    ScorecardVersion.objects.create(scorecard=scorecard, number=1)
    audit_record(actor=actor, action="quality.scorecard_create", target=scorecard, data={"code": code})
    return scorecard


@transaction.atomic
def scorecard_version_draft_create(*, actor: User, scorecard: Scorecard) -> ScorecardVersion:
    """Start the next version of `scorecard` as a draft holding a copy of the current criteria; return the
    existing draft when there is one. Audited."""
    require(can_manage_scorecards(actor))
    Scorecard.objects.select_for_update().filter(pk=scorecard.pk).first()
    draft = scorecard_version_draft_of(scorecard=scorecard)
    if draft is not None:
        return draft
    current = scorecard_version_current(scorecard=scorecard)
    draft = ScorecardVersion.objects.create(
        scorecard=scorecard, number=version_number_next(ScorecardVersion.objects.filter(scorecard=scorecard))
    )
    if current is not None:
        Criterion.objects.bulk_create(
            [
                Criterion(
                    version=draft,
                    section=c.section,
                    ordering=c.ordering,
                    title_zh=c.title_zh,
                    title_en=c.title_en,
                    guidance=c.guidance,
                    clause=c.clause,
                    weight=c.weight,
                    scale=c.scale,
                    is_auto_fail=c.is_auto_fail,
                    is_compliance=c.is_compliance,
                    allows_not_applicable=c.allows_not_applicable,
                )
                for c in criterion_list(version=current)
            ]
        )
    audit_record(
        actor=actor, action="quality.scorecard_version_create", target=draft, data={"number": draft.number}
    )
    return draft


def _criterion_validate(criterion: Criterion) -> None:
    """Clean the criterion's texts in place (`text_clean`) and refuse what a criterion may not be."""
    criterion.title_zh = text_clean(criterion.title_zh, Criterion, "title_zh", multiline=False)
    criterion.title_en = text_clean(criterion.title_en, Criterion, "title_en", multiline=False)
    criterion.guidance = text_clean(criterion.guidance, Criterion, "guidance")
    if not criterion.title_zh:
        raise DomainError(_("Describe the criterion."), code=ErrorCode.INVALID_CRITERION, field="title_zh")
    if criterion.weight > 100:
        raise DomainError(_("A weight is at most 100."), code=ErrorCode.INVALID_CRITERION, field="weight")
    if criterion.is_auto_fail and criterion.scale != Scale.YES_NO:
        raise DomainError(
            _("An auto-fail criterion is answered yes or no."),
            code=ErrorCode.INVALID_CRITERION,
            field="scale",
        )
    if not clause_is_citable(criterion.clause):
        raise DomainError(
            _("A criterion cites a clause of a published version of the code of conduct."),
            code=ErrorCode.UNPUBLISHED_CLAUSE,
            field="clause",
        )


@transaction.atomic
def criterion_save(*, actor: User, criterion: Criterion) -> Criterion:
    """Add or change a criterion of a draft version (administrators only). Audited."""
    require(can_manage_scorecards(actor))
    version_draft_lock(criterion.version)
    if criterion.pk is not None:
        stored = Criterion.objects.filter(pk=criterion.pk).values_list("version_id", flat=True).first()
        if stored != criterion.version_id:
            raise DomainError(_("A criterion stays in its version."), code=ErrorCode.INVALID_CRITERION)
    _criterion_validate(criterion)
    criterion.save()
    audit_record(
        actor=actor,
        action="quality.criterion_save",
        target=criterion,
        data={
            "version": criterion.version_id,
            "section": criterion.section,
            "clause": criterion.clause_id,
            "weight": criterion.weight,
            "scale": criterion.scale,
            "is_auto_fail": criterion.is_auto_fail,
            "is_compliance": criterion.is_compliance,
        },
    )
    return criterion


@transaction.atomic
def criterion_delete(*, actor: User, criterion: Criterion) -> None:
    """Remove a criterion from a draft version (administrators only). Audited."""
    require(can_manage_scorecards(actor))
    version_draft_lock(criterion.version)
    audit_record(
        actor=actor, action="quality.criterion_delete", target=criterion, data={"title": criterion.title_zh}
    )
    criterion.delete()


@transaction.atomic
def scorecard_version_publish(*, actor: User, version: ScorecardVersion) -> ScorecardVersion:
    """Publish a draft: it becomes the version sampling uses, and the previous published one is superseded.

    Refused unless the weights of the scored (non-compliance) criteria add up to 100 and every criterion
    cites a clause of a published code of conduct. Audited.
    """
    require(can_manage_scorecards(actor))
    version = version_draft_lock(version)
    criteria = list(criterion_list(version=version))
    if not criteria:
        raise DomainError(_("Add at least one criterion before publishing."), code=ErrorCode.NO_CRITERIA)
    total = scoring.weights_total(criterion_specs(criteria))
    if total != 100:
        raise DomainError(
            _("The weights of the scored criteria add up to %(total)s, not 100.") % {"total": total},
            code=ErrorCode.WEIGHTS_NOT_100,
        )
    for criterion in criteria:
        if not clause_is_citable(criterion.clause):
            raise DomainError(
                _("“%(title)s” cites a clause that is not in a published code of conduct.")
                % {"title": localized(criterion, "title")},
                code=ErrorCode.UNPUBLISHED_CLAUSE,
            )
    version_publish(
        version=version,
        actor=actor,
        supersede=ScorecardVersion.objects.filter(scorecard=version.scorecard_id),
    )
    audit_record(
        actor=actor,
        action="quality.scorecard_version_publish",
        target=version,
        data={"scorecard": version.scorecard.code, "number": version.number, "criteria": len(criteria)},
    )
    return version
