"""Calibration: several reviewers score the same case blind; once the facilitator closes the session the
spread per criterion is shown and he records the agreed score."""

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.audit.services import audit_record
from charter.cases.models import Case
from charter.common.errors import DomainError
from charter.common.policy import require
from charter.quality import scoring
from charter.quality.errors import ErrorCode
from charter.quality.models import CalibrationScore, CalibrationSession, Criterion, ScorecardVersion
from charter.quality.permissions import can_facilitate, can_review, can_run_calibration, can_score_calibration
from charter.quality.selectors import criterion_list
from charter.quality.services._text import text_clean
from charter.quality.services.reviews import ScoreInput
from charter.quality.services.sampling import case_agent


@dataclass(frozen=True)
class CriterionSpread:
    criterion: Criterion
    values: list[int]
    minimum: int | None
    maximum: int | None
    range: int | None
    deviation: float | None
    agreed: int | None


@transaction.atomic
def calibration_create(
    *, actor: User, title: str, case: Case, scorecard_version: ScorecardVersion, reviewers: Sequence[User]
) -> CalibrationSession:
    """Open a calibration session on `case` with `reviewers` (at least two, each may review, never the case's
    own agent: quality_self_review). A blank `title` is the case's number; a title holding a control
    character or too long for its column is refused (`text_clean`). Audited."""
    require(can_run_calibration(actor))
    title = text_clean(title, CalibrationSession, "title", multiline=False)
    people = {user.pk: user for user in reviewers}
    if len(people) < 2:
        raise DomainError(
            _("Choose at least two reviewers."), code=ErrorCode.CALIBRATION_STATE, field="reviewers"
        )
    if any(not can_review(user) for user in people.values()):
        raise DomainError(_("Every reviewer must be allowed to review."), code=ErrorCode.NO_REVIEWER)
    agent = case_agent(case)
    if agent is not None and agent.pk in people:
        raise DomainError(
            _("%(name)s handled this case and may not score it.") % {"name": agent},
            code=ErrorCode.SELF_REVIEW,
            field="reviewers",
        )
    if scorecard_version.status == ScorecardVersion.Status.DRAFT:
        raise DomainError(_("Calibrate against a published version."), code=ErrorCode.NO_PUBLISHED_VERSION)
    session = CalibrationSession.objects.create(
        title=title or case.number, facilitator=actor, case=case, scorecard_version=scorecard_version
    )
    session.reviewers.set(list(people.values()))
    audit_record(
        actor=actor,
        action="quality.calibration_create",
        target=session,
        data={"case": case.number, "reviewers": sorted(people)},
    )
    return session


def _scores_valid(session: CalibrationSession, values: Mapping[int, int | None]) -> dict[int, Criterion]:
    criteria = {c.pk: c for c in criterion_list(version=session.scorecard_version)}
    for criterion_id, value in values.items():
        criterion = criteria.get(criterion_id)
        if criterion is None or (value is not None and value not in scoring.SCALE_VALUES[criterion.scale]):
            raise DomainError(_("A score is not on its criterion's scale."), code=ErrorCode.INVALID_SCORE)
    return criteria


@transaction.atomic
def calibration_score_save(*, actor: User, session: CalibrationSession, scores: Sequence[ScoreInput]) -> None:
    """Record `actor`'s blind scores in an open session he was invited to; a comment holding a control
    character or too long for its column is refused (`text_clean`) before anything is written. Audited."""
    require(can_score_calibration(actor, session))
    if not session.is_open:
        raise DomainError(_("The session is closed."), code=ErrorCode.CALIBRATION_STATE)
    _scores_valid(session, {score.criterion_id: score.value for score in scores})
    comments = [text_clean(score.comment, CalibrationScore, "comment") for score in scores]
    for score, comment in zip(scores, comments, strict=True):
        CalibrationScore.objects.update_or_create(
            session=session,
            reviewer=actor,
            criterion_id=score.criterion_id,
            defaults={"value": score.value, "comment": comment},
        )
    audit_record(actor=actor, action="quality.calibration_score", target=session, data={"count": len(scores)})


@transaction.atomic
def calibration_close(*, actor: User, session: CalibrationSession) -> CalibrationSession:
    """Close the session so everyone sees each other's scores (the facilitator only). Audited."""
    require(can_facilitate(actor, session))
    updated = CalibrationSession.objects.filter(pk=session.pk, status=CalibrationSession.Status.OPEN).update(
        status=CalibrationSession.Status.CLOSED, closed_at=timezone.now()
    )
    if not updated:
        raise DomainError(_("The session is closed."), code=ErrorCode.CALIBRATION_STATE)
    session.refresh_from_db()
    audit_record(actor=actor, action="quality.calibration_close", target=session, data={})
    return session


@transaction.atomic
def calibration_agree(*, actor: User, session: CalibrationSession, values: Mapping[int, int | None]) -> None:
    """Record the agreed score per criterion of a closed session (the facilitator only). Audited."""
    require(can_facilitate(actor, session))
    if session.is_open:
        raise DomainError(
            _("Close the session before recording the agreed scores."), code=ErrorCode.CALIBRATION_STATE
        )
    _scores_valid(session, values)
    for criterion_id, value in values.items():
        CalibrationScore.objects.update_or_create(
            session=session, reviewer=None, criterion_id=criterion_id, defaults={"value": value}
        )
    audit_record(
        actor=actor,
        action="quality.calibration_agree",
        target=session,
        data={str(key): value for key, value in values.items()},
    )


def calibration_spread(*, session: CalibrationSession) -> list[CriterionSpread]:
    """Return, per criterion, the reviewers' values and their minimum, maximum, range and standard deviation
    (population), with the agreed value. Only meaningful once the session is closed."""
    criteria = list(criterion_list(version=session.scorecard_version))
    values: dict[int, list[int]] = {c.pk: [] for c in criteria}
    agreed: dict[int, int | None] = {}
    for score in CalibrationScore.objects.filter(session=session):
        if score.reviewer_id is None:
            agreed[score.criterion_id] = score.value
        elif score.value is not None and score.criterion_id in values:
            values[score.criterion_id].append(score.value)
    rows = []
    for criterion in criteria:
        found = sorted(values[criterion.pk])
        rows.append(
            CriterionSpread(
                criterion=criterion,
                values=found,
                minimum=found[0] if found else None,
                maximum=found[-1] if found else None,
                range=(found[-1] - found[0]) if found else None,
                deviation=round(statistics.pstdev(found), 2) if found else None,
                agreed=agreed.get(criterion.pk),
            )
        )
    return rows
