"""What a final grade leads to: the outcome ledger, the improvement plan and the remedial-training hook.

`outcomes_apply` runs inside the transaction that makes a scorecard final (charter/assessment/cycles.py). It
reads the `OutcomeRule` of the scorecard's scheme version for its grade and writes one `LedgerEntry` per
outcome the rule names:

- coefficient: the bonus coefficient, a Decimal copied exactly (never through a float);
- points (积分): when the rule gives a number other than 0;
- title: the recognition title. The ledger keeps one text, so it stores the Chinese title (the language the
  organisation works and pays in), or the English one when the rule has no Chinese title. The rule keeps
  both, and a page that wants the reader's language reads the rule (same version, same grade);
- interview (约谈), plan (绩效改进计划), training (remedial): flags, with a note.

It is idempotent: the ledger holds one entry per scorecard and kind (a unique constraint), each written with
`get_or_create`, and the side effects (the plan, the training event) happen only when their entry is new,
so a second call writes nothing at all.

Remedial training is recorded as an outbox event: a `ScorecardEvent` with action `remedial_training`
(`REMEDIAL_TRAINING_EVENT`) on the scorecard's timeline, in the same transaction, carrying the person, the
scorecard and the reason in `data`. The timeline is assessment's outbox (as case events are for the apps
above cases): `remedial_training_events()` is the queryset a consumer reads with
`charter.common.outbox.outbox_batch`. Training sits below assessment (DESIGN.md), so that consumer is a task
of assessment that calls the training app's assignment service once the training app exists.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from charter.accounts.models import User
from charter.assessment.models import (
    ImprovementPlan,
    LedgerEntry,
    OutcomeRule,
    SchemeItem,
    Scorecard,
    ScorecardEvent,
    ScorecardLine,
)
from charter.assessment.plans import GoalSpec, plan_record, plan_setting
from charter.audit.services import audit_record
from charter.common.models import localized

# The action of the outbox event asking the training app for remedial training, and its public name.
REMEDIAL_TRAINING_EVENT = "remedial_training"
REMEDIAL_TRAINING_NAME = "assessment.remedial_training"


def remedial_training_events() -> "models.QuerySet[ScorecardEvent]":
    """Return the outbox of remedial-training requests, in id order, for a consumer reading it with
    `outbox_batch`. Each row's `data` holds `event`, `person_id`, `scorecard_id`, `cycle_id`, `grade` and
    `reason`."""
    return ScorecardEvent.objects.filter(action=REMEDIAL_TRAINING_EVENT).order_by("pk")


def _entry_values(rule: OutcomeRule) -> list[tuple[str, dict[str, Any]]]:
    """The ledger entries `rule` asks for, as (kind, field values), in the order the ledger lists them."""
    kinds = LedgerEntry.Kind
    entries: list[tuple[str, dict[str, Any]]] = []
    if rule.bonus_coefficient is not None:
        entries.append((kinds.COEFFICIENT, {"coefficient": Decimal(rule.bonus_coefficient)}))
    if rule.points:
        entries.append((kinds.POINTS, {"points": rule.points}))
    title = (rule.title_zh or rule.title_en).strip()
    if title:
        entries.append((kinds.TITLE, {"title": title}))
    if rule.interview:
        entries.append((kinds.INTERVIEW, {}))
    if rule.improvement_plan:
        entries.append((kinds.PLAN, {}))
    if rule.remedial_training:
        entries.append((kinds.TRAINING, {}))
    return entries


def _in_organisation_language(text: Any) -> str:
    """Render `text` in the organisation's language: stored notes do not change with the reader."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


def _weak_indicator_goals(scorecard: Scorecard) -> list[GoalSpec]:
    """One goal per indicator line of `scorecard` that scored below the plan threshold (60 points by
    default): reach the threshold. The goal's target is in points."""
    threshold = Decimal(plan_setting("CHARTER_ASSESSMENT_PLAN_GOAL_BELOW"))
    lines = ScorecardLine.objects.filter(
        scorecard=scorecard, kind=ScorecardLine.Kind.INDICATOR, points__lt=threshold
    ).order_by("pk")
    items = {item.code: item for item in SchemeItem.objects.filter(version_id=scorecard.cycle.version_id)}
    goals = []
    with translation.override(settings.LANGUAGE_CODE):
        for line in lines:
            item = items.get(line.code)
            name = (localized(item, "name") if item is not None else "") or line.code
            description = _(
                "Bring “%(indicator)s” to at least %(threshold)s points (it scored %(points)s)."
            ) % {
                "indicator": name,
                "threshold": threshold,
                "points": line.points,
            }
            goals.append(GoalSpec(indicator=line.code, description=description, target=threshold))
    return goals


def _plan_open_for_grade(*, scorecard: Scorecard, actor: User | None, at: dt.datetime) -> ImprovementPlan:
    """Open the improvement plan a grade asks for: owned by the assessor, for the default number of days."""
    starts_on = timezone.localdate(at)
    days = int(plan_setting("CHARTER_ASSESSMENT_PLAN_DAYS"))
    summary = _in_organisation_language(
        _("Opened because of the grade %(grade)s of the assessment %(cycle)s.")
        % {"grade": scorecard.grade, "cycle": scorecard.cycle}
    )
    return plan_record(
        actor=actor,
        person=scorecard.person,
        owner=scorecard.assessor,
        trigger=ImprovementPlan.Trigger.GRADE,
        scorecard=scorecard,
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=days),
        summary=summary,
        goals=_weak_indicator_goals(scorecard),
    )


def _remedial_training_emit(
    *, scorecard: Scorecard, actor: User | None, at: dt.datetime, reason: str
) -> ScorecardEvent:
    """Write the outbox event asking for remedial training (see the module docstring)."""
    return ScorecardEvent.objects.create(
        scorecard=scorecard,
        action=REMEDIAL_TRAINING_EVENT,
        actor=actor,
        at=at,
        note=reason,
        data={
            "event": REMEDIAL_TRAINING_NAME,
            "person_id": scorecard.person_id,
            "scorecard_id": scorecard.pk,
            "cycle_id": scorecard.cycle_id,
            "grade": scorecard.grade,
            "reason": "grade",
        },
    )


def outcomes_apply(*, scorecard: Scorecard, actor: User | None, at: dt.datetime) -> list[LedgerEntry]:
    """Write the outcomes the scorecard's grade leads to, and return the ledger entries written now.

    Preconditions: the scorecard is final (the caller, inside its transaction, has just made it so); its
    grade is set. A grade without an outcome rule in the scorecard's scheme version leads to nothing.
    Side effects, each only the first time (a second call returns [] and writes nothing): one `LedgerEntry`
    per outcome of the rule, recorded `at`; an `ImprovementPlan` when the rule asks for one (trigger grade,
    owner the assessor, `CHARTER_ASSESSMENT_PLAN_DAYS` days, one goal per indicator line below
    `CHARTER_ASSESSMENT_PLAN_GOAL_BELOW` points); the `remedial_training` outbox event when the rule asks for
    training; one audit event `assessment.outcomes_apply` listing the kinds written.
    """
    if not scorecard.grade:
        return []
    rule = OutcomeRule.objects.filter(version_id=scorecard.cycle.version_id, grade=scorecard.grade).first()
    if rule is None:
        return []
    written: list[LedgerEntry] = []
    plan: ImprovementPlan | None = None
    with transaction.atomic():
        for kind, values in _entry_values(rule):
            note = ""
            if kind == LedgerEntry.Kind.TRAINING:
                note = _in_organisation_language(
                    _("Remedial training asked for by the grade %(grade)s.") % {"grade": scorecard.grade}
                )
            entry, created = LedgerEntry.objects.get_or_create(
                scorecard=scorecard,
                kind=kind,
                defaults={
                    "person_id": scorecard.person_id,
                    "cycle_id": scorecard.cycle_id,
                    "grade": scorecard.grade,
                    "created_at": at,
                    "note": note,
                    **values,
                },
            )
            if not created:
                continue
            if kind == LedgerEntry.Kind.PLAN:
                plan = _plan_open_for_grade(scorecard=scorecard, actor=actor, at=at)
            elif kind == LedgerEntry.Kind.TRAINING:
                _remedial_training_emit(scorecard=scorecard, actor=actor, at=at, reason=note)
            written.append(entry)
        if written:
            audit_record(
                actor=actor,
                action="assessment.outcomes_apply",
                target=scorecard,
                data={
                    "grade": scorecard.grade,
                    "kinds": [entry.kind for entry in written],
                    "coefficient": rule.bonus_coefficient,
                    "points": rule.points,
                    "plan": plan.pk if plan is not None else None,
                },
            )
    return written
