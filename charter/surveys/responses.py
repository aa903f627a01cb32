"""Answering a survey once, attributing the answer, and following up an unhappy customer.

The answer is attributed when it arrives: the case's service, team, handler and every member of staff who
wrote to the customer are copied onto the response, so a later reassignment does not move the score. A
low score or a negative comment opens a recovery task for the team's supervisor, due within
CHARTER_SURVEYS_RECOVERY_TARGET in the team's business calendar.
"""

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.accounts.selectors import team_lead_list
from charter.audit.services import audit_record
from charter.cases.models import CaseMessage
from charter.common.errors import ConflictError, DomainError
from charter.common.policy import require
from charter.common.text import clean_text
from charter.sla.deadlines import deadline_for
from charter.sla.selectors import calendar_for_team
from charter.surveys.conf import surveys_setting
from charter.surveys.errors import ANSWER_TEXT_CODES, TEXT_CODES, ErrorCode
from charter.surveys.models import (
    SCALES,
    Answer,
    Invitation,
    Question,
    RecoveryTask,
    Response,
    ReviewStatus,
)
from charter.surveys.permissions import can_work_recovery
from charter.surveys.selectors import CSAT_DISSATISFIED_UP_TO
from charter.surveys.workflow import RECOVERY_WORKFLOW

QT = Question.Type


def _field(question: Question) -> str:
    return f"q{question.pk}"


def _score(question: Question, raw: object) -> int | None:
    if raw in (None, ""):
        return None
    low, high = SCALES[QT(question.type)]
    try:
        value = int(str(raw))
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise DomainError(
            _("Choose a score from %(low)d to %(high)d.") % {"low": low, "high": high},
            code=ErrorCode.INVALID_ANSWER,
            field=_field(question),
        )
    return value


def _choices(question: Question, raw: object) -> list[str]:
    values = [
        str(item) for item in (raw if isinstance(raw, list | tuple) else [raw]) if item not in (None, "")
    ]
    allowed = {choice["value"] for choice in question.choices}
    if set(values) - allowed or (question.type == QT.SINGLE and len(values) > 1):
        raise DomainError(_("Choose from the list."), code=ErrorCode.INVALID_ANSWER, field=_field(question))
    return sorted(set(values), key=values.index)


def _answer_text(question: Question, raw: object) -> str:
    return clean_text(
        raw,
        field=_field(question),
        codes=ANSWER_TEXT_CODES,
        max_length=int(surveys_setting("CHARTER_SURVEYS_TEXT_MAX_LENGTH")),
    )


def answers_clean(questions: list[Question], answers: Mapping[int, object]) -> list[Answer]:
    """Check `answers` ({question id: value}) against `questions`; return unsaved Answer rows for the ones
    answered. Raises DomainError naming the field (`q<id>`) at fault."""
    rows: list[Answer] = []
    for question in questions:
        raw = answers.get(question.pk)
        row = Answer(question=question)
        if question.type in SCALES:
            row.score = _score(question, raw)
            given = row.score is not None
        elif question.type in (QT.SINGLE, QT.MULTIPLE):
            row.choices = _choices(question, raw)
            given = bool(row.choices)
        else:
            row.text = _answer_text(question, raw)
            given = bool(row.text)
        if not given and question.is_required:
            raise DomainError(
                _("Please answer this question."), code=ErrorCode.ANSWER_REQUIRED, field=_field(question)
            )
        if given:
            rows.append(row)
    if not rows:
        raise DomainError(_("Answer at least one question."), code=ErrorCode.ANSWER_REQUIRED)
    return rows


def _first(rows: list[Answer], type: str) -> int | None:
    return next((row.score for row in rows if row.question.type == type and row.score is not None), None)


def recovery_reason(response: Response) -> str:
    """Why `response` calls for a follow-up ('' when it does not)."""
    reasons = []
    if response.csat is not None and response.csat <= int(surveys_setting("CHARTER_SURVEYS_LOW_CSAT")):
        reasons.append(f"CSAT {response.csat}")
    if response.nps is not None and response.nps <= int(surveys_setting("CHARTER_SURVEYS_LOW_NPS")):
        reasons.append(f"NPS {response.nps}")
    if response.ces is not None and response.ces <= int(surveys_setting("CHARTER_SURVEYS_LOW_CES")):
        reasons.append(f"CES {response.ces}")
    comment = response.comment.lower()
    words = [word for word in surveys_setting("CHARTER_SURVEYS_NEGATIVE_WORDS") if word.lower() in comment]
    if words:
        reasons.append(str(_("negative comment: %(words)s") % {"words": ", ".join(words)}))
    return "; ".join(reasons)[:200]


def _recovery_open(response: Response, reason: str, at: dt.datetime) -> RecoveryTask:
    lead = team_lead_list(team_ids=[response.team_id]).first() if response.team_id else None
    amount, unit, basis = surveys_setting("CHARTER_SURVEYS_RECOVERY_TARGET")
    due = deadline_for(calendar_for_team(team=response.team), at, amount=amount, unit=unit, basis=basis)
    # 好差评: a 不满意 or 非常不满意 review enters the loop of charter/surveys/reviews.py.
    is_bad_review = response.csat is not None and response.csat <= CSAT_DISSATISFIED_UP_TO
    task = RecoveryTask.objects.create(
        response=response,
        team=response.team,
        owner=lead.user if lead else None,
        reason=reason,
        due_at=due,
        review_status=ReviewStatus.TO_VERIFY if is_bad_review else ReviewStatus.NONE,
    )
    from charter.surveys.mailing import recovery_mail

    recovery_mail(task)
    return task


def response_submit(
    *, invitation: Invitation, answers: Mapping[int, object], at: dt.datetime | None = None
) -> Response:
    """Record the answers to `invitation`, once. Refused politely (ALREADY_ANSWERED) when it was answered,
    and EXPIRED when its link expired or was never sent. Audited as `surveys.respond`."""
    at = at or timezone.now()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("version", "case", "customer")
            .get(pk=invitation.pk)
        )
        if invitation.status == Invitation.Status.ANSWERED:
            raise ConflictError(
                _("Thank you: this survey has already been answered."), code=ErrorCode.ALREADY_ANSWERED
            )
        if invitation.status != Invitation.Status.SENT or invitation.expires_at <= at:
            raise DomainError(_("This survey link has expired."), code=ErrorCode.EXPIRED)
        questions = list(invitation.version.questions.all())
        rows = answers_clean(questions, answers)
        case = invitation.case
        response = Response.objects.create(
            invitation=invitation,
            version=invitation.version,
            case=case,
            service_id=case.service_id if case else None,
            team_id=case.team_id if case else None,
            handler_id=case.assignee_id if case else None,
            channel=case.channel if case else "",
            kind=case.kind if case else "",
            csat=_first(rows, QT.CSAT),
            nps=_first(rows, QT.NPS),
            ces=_first(rows, QT.CES),
            comment="\n\n".join(row.text for row in rows if row.text),
            submitted_at=at,
        )
        for row in rows:
            row.response = response
        Answer.objects.bulk_create(rows)
        if case is not None:
            writers = set(
                CaseMessage.objects.filter(
                    case=case,
                    author_kind=CaseMessage.AuthorKind.STAFF,
                    is_internal=False,
                    author__isnull=False,
                ).values_list("author_id", flat=True)
            )
            if case.assignee_id:
                writers.add(case.assignee_id)
            response.agents.set(writers)
        invitation.status, invitation.answered_at = Invitation.Status.ANSWERED, at
        invitation.save(update_fields=["status", "answered_at"])
        reason = recovery_reason(response)
        if reason:
            _recovery_open(response, reason, at)
        audit_record(
            actor=None,
            action="surveys.respond",
            target=response,
            data={"invitation": invitation.pk, "recovery": bool(reason)},
            actor_label="customer",
        )
    return response


def recovery_update(
    *,
    actor: User,
    task: RecoveryTask,
    expected_version: int | None,
    status: str,
    outcome: str = "",
    new_score: int | None = None,
) -> RecoveryTask:
    """Record the follow-up: contacted, resolved (with the customer's new score if given), or closed
    without contact (a reason required), as the workflow allows (charter/surveys/workflow.py: a resolved one
    may be amended with a later score or outcome, its closing time kept; closed is final;
    InvalidTransitionError, 409, otherwise; a status that does not exist is a field error). Audited as
    `surveys.recovery_update`."""
    require(can_work_recovery(actor, task))
    if status not in RecoveryTask.Status.values:
        raise DomainError(_("Choose a status from the list."), code=ErrorCode.INVALID_FIELD, field="status")
    outcome = clean_text(outcome, field="outcome", codes=TEXT_CODES, max_length=4000)
    if status == RecoveryTask.Status.CLOSED and not outcome:
        raise DomainError(
            _("Say why the customer was not contacted."), code=ErrorCode.INVALID_FIELD, field="outcome"
        )
    if new_score is not None and not 0 <= new_score <= 10:
        raise DomainError(_("Give a score from 0 to 10."), code=ErrorCode.INVALID_FIELD, field="new_score")
    with transaction.atomic():
        rows = RecoveryTask.objects.filter(pk=task.pk)
        if expected_version is not None:
            rows = rows.filter(version=expected_version)
        locked = rows.select_for_update().first()
        if locked is None:
            raise ConflictError(
                _("Someone else changed this follow-up in the meantime; reload it and try again."),
            )
        was_finished = locked.closed_at is not None
        RECOVERY_WORKFLOW.move(locked, to=status)
        at = timezone.now()
        locked.outcome = outcome or locked.outcome
        if new_score is not None:
            locked.new_score = new_score
        if (
            status in (RecoveryTask.Status.CONTACTED, RecoveryTask.Status.RESOLVED)
            and not locked.contacted_at
        ):
            locked.contacted_at = at
        if not was_finished:
            locked.closed_at = (
                at if status in (RecoveryTask.Status.RESOLVED, RecoveryTask.Status.CLOSED) else None
            )
        locked.version += 1
        locked.save()
        audit_record(
            actor=actor,
            action="surveys.recovery_update",
            target=locked,
            data={"status": status, "new_score": new_score},
        )
    return locked
