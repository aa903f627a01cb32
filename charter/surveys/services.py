"""Configuring surveys: questionnaires and their versions, the rules that send them after a case, campaigns.

A version is edited while it is a draft and frozen once published; publishing retires the version that was
in force, and answers keep the version they answered. Each change is audited as `surveys.<verb>`.
"""

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Team, User
from charter.audit.services import audit_record
from charter.catalog.models import Service
from charter.common.errors import DomainError
from charter.common.policy import require
from charter.sla.models import CaseKind
from charter.surveys.errors import ErrorCode
from charter.surveys.models import Campaign, Question, Survey, SurveyRule, SurveyVersion
from charter.surveys.permissions import can_manage_surveys

_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def _text(value: object, *, field: str, required: bool = False, max_length: int = 500) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if "\x00" in text:
        raise DomainError(_("The text contains a null character."), code=ErrorCode.INVALID_FIELD, field=field)
    if required and not text:
        raise DomainError(_("This field is required."), code=ErrorCode.INVALID_FIELD, field=field)
    if len(text) > max_length:
        raise DomainError(
            _("The text is too long (at most %(limit)d characters).") % {"limit": max_length},
            code=ErrorCode.INVALID_FIELD,
            field=field,
        )
    return text


def survey_create(
    *, actor: User, code: str, name_zh: str, name_en: str = "", intro_zh: str = "", intro_en: str = ""
) -> Survey:
    """Create a survey with an empty draft version 1. Audited as `surveys.create`."""
    require(can_manage_surveys(actor))
    code = _text(code, field="code", required=True, max_length=50)
    if not _SLUG.fullmatch(code):
        raise DomainError(
            _("Use letters, digits, hyphens and underscores only."),
            code=ErrorCode.INVALID_FIELD,
            field="code",
        )
    if Survey.objects.filter(code=code).exists():
        raise DomainError(_("This code is taken."), code=ErrorCode.INVALID_FIELD, field="code")
    with transaction.atomic():
        survey = Survey.objects.create(
            code=code,
            name_zh=_text(name_zh, field="name_zh", required=True, max_length=200),
            name_en=_text(name_en, field="name_en", max_length=200),
        )
        SurveyVersion.objects.create(
            survey=survey,
            number=1,
            intro_zh=_text(intro_zh, field="intro_zh", max_length=2000),
            intro_en=_text(intro_en, field="intro_en", max_length=2000),
        )
        audit_record(actor=actor, action="surveys.create", target=survey)
    return survey


def _draft(version: SurveyVersion) -> SurveyVersion:
    locked = SurveyVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status != SurveyVersion.Status.DRAFT:
        raise DomainError(
            _("A published version cannot change; start a new draft."), code=ErrorCode.NOT_DRAFT
        )
    return locked


def _choices_clean(choices: object) -> list[dict[str, str]]:
    if not isinstance(choices, list | tuple) or not 2 <= len(choices) <= 20:
        raise DomainError(_("Give between 2 and 20 choices."), code=ErrorCode.INVALID_FIELD, field="choices")
    cleaned: list[dict[str, str]] = []
    for index, choice in enumerate(choices):
        if isinstance(choice, str):
            choice = {"zh": choice}
        if not isinstance(choice, dict):
            raise DomainError(_("Give each choice a text."), code=ErrorCode.INVALID_FIELD, field="choices")
        zh = _text(choice.get("zh"), field="choices", required=True, max_length=200)
        en = _text(choice.get("en", ""), field="choices", max_length=200)
        value = _text(choice.get("value") or str(index + 1), field="choices", max_length=50)
        cleaned.append({"value": value, "zh": zh, "en": en})
    if len({choice["value"] for choice in cleaned}) != len(cleaned):
        raise DomainError(
            _("Each choice needs its own value."), code=ErrorCode.INVALID_FIELD, field="choices"
        )
    return cleaned


def survey_question_add(
    *,
    actor: User,
    version: SurveyVersion,
    type: str,
    text_zh: str,
    text_en: str = "",
    choices: Sequence[Any] = (),
    is_required: bool = False,
) -> Question:
    """Add a question at the end of a draft version. Audited as `surveys.question_add`."""
    require(can_manage_surveys(actor))
    if type not in Question.Type.values:
        raise DomainError(_("Choose the type of question."), code=ErrorCode.INVALID_FIELD, field="type")
    text_zh = _text(text_zh, field="text_zh", required=True)
    text_en = _text(text_en, field="text_en")
    cleaned = _choices_clean(list(choices)) if type in (Question.Type.SINGLE, Question.Type.MULTIPLE) else []
    with transaction.atomic():
        version = _draft(version)
        last = version.questions.aggregate(last=Max("ordering"))["last"]
        question = Question.objects.create(
            version=version,
            ordering=(last or 0) + 1,
            type=type,
            text_zh=text_zh,
            text_en=text_en,
            choices=cleaned,
            is_required=bool(is_required),
        )
        audit_record(
            actor=actor, action="surveys.question_add", target=version, data={"question": question.pk}
        )
    return question


def survey_question_remove(*, actor: User, question: Question) -> None:
    """Remove a question from a draft version. Audited as `surveys.question_remove`."""
    require(can_manage_surveys(actor))
    with transaction.atomic():
        version = _draft(question.version)
        audit_record(
            actor=actor, action="surveys.question_remove", target=version, data={"question": question.pk}
        )
        question.delete()


def survey_version_publish(*, actor: User, version: SurveyVersion) -> SurveyVersion:
    """Publish a draft: it is used for every invitation from now on, and the version in force retires.
    Audited as `surveys.publish`."""
    require(can_manage_surveys(actor))
    with transaction.atomic():
        version = _draft(version)
        if not version.questions.exists():
            raise DomainError(_("Add at least one question first."), code=ErrorCode.NO_QUESTIONS)
        SurveyVersion.objects.filter(
            survey_id=version.survey_id, status=SurveyVersion.Status.PUBLISHED
        ).update(status=SurveyVersion.Status.RETIRED)
        version.status = SurveyVersion.Status.PUBLISHED
        version.published_at = timezone.now()
        version.save(update_fields=["status", "published_at"])
        audit_record(actor=actor, action="surveys.publish", target=version, data={"number": version.number})
    return version


def survey_version_draft_new(*, actor: User, survey: Survey) -> SurveyVersion:
    """Start a new draft from the latest version's questions (or return the draft that exists).
    Audited as `surveys.draft`."""
    require(can_manage_surveys(actor))
    with transaction.atomic():
        existing = survey.versions.filter(status=SurveyVersion.Status.DRAFT).first()
        if existing is not None:
            return existing
        latest = survey.versions.order_by("-number").first()
        draft = SurveyVersion.objects.create(
            survey=survey,
            number=(latest.number + 1) if latest else 1,
            intro_zh=latest.intro_zh if latest else "",
            intro_en=latest.intro_en if latest else "",
        )
        if latest is not None:
            Question.objects.bulk_create(
                Question(
                    version=draft,
                    ordering=question.ordering,
                    type=question.type,
                    text_zh=question.text_zh,
                    text_en=question.text_en,
                    choices=question.choices,
                    is_required=question.is_required,
                )
                for question in latest.questions.all()
            )
        audit_record(actor=actor, action="surveys.draft", target=draft, data={"number": draft.number})
    return draft


def survey_rule_save(
    *,
    actor: User,
    survey: Survey,
    name: str,
    rule: SurveyRule | None = None,
    kinds: Sequence[str] = (),
    services: Sequence[Service] = (),
    teams: Sequence[Team] = (),
    delay_minutes: int = 60,
    sample_percent: int = 100,
    ordering: int = 0,
    is_active: bool = True,
) -> SurveyRule:
    """Create or change the rule that sends `survey` after matching resolved cases (empty lists match
    everything). Audited as `surveys.rule_save`."""
    require(can_manage_surveys(actor))
    if set(kinds) - set(CaseKind.values):
        raise DomainError(_("Choose the kind of case."), code=ErrorCode.INVALID_FIELD, field="kinds")
    if not 0 <= int(sample_percent) <= 100:
        raise DomainError(
            _("Give a share between 0 and 100."), code=ErrorCode.INVALID_FIELD, field="sample_percent"
        )
    if not 0 <= int(delay_minutes) <= 60 * 24 * 30:
        raise DomainError(
            _("Give a delay between 0 and 30 days."), code=ErrorCode.INVALID_FIELD, field="delay_minutes"
        )
    if rule is not None and rule.survey_id != survey.pk:
        raise DomainError(_("This rule belongs to another survey."), code=ErrorCode.INVALID_FIELD)
    with transaction.atomic():
        target = rule or SurveyRule(survey=survey)
        target.survey = survey
        target.name = _text(name, field="name", required=True, max_length=100)
        target.kinds = sorted(set(kinds))
        target.delay_minutes = int(delay_minutes)
        target.sample_percent = int(sample_percent)
        target.ordering = int(ordering)
        target.is_active = bool(is_active)
        target.save()
        target.services.set(services)
        target.teams.set(teams)
        audit_record(actor=actor, action="surveys.rule_save", target=target, data={"created": rule is None})
    return target


def campaign_save(
    *,
    actor: User,
    survey: Survey,
    name: str,
    campaign: Campaign | None = None,
    every_days: int = 90,
    sample_size: int = 200,
    next_run_at: dt.datetime | None = None,
    is_active: bool = True,
) -> Campaign:
    """Create or change a periodic campaign (e.g. NPS every 90 days to 200 customers served in the last
    period). Audited as `surveys.campaign_save`."""
    require(can_manage_surveys(actor))
    if not 1 <= int(every_days) <= 3660:
        raise DomainError(
            _("Give a period between 1 and 3660 days."), code=ErrorCode.INVALID_FIELD, field="every_days"
        )
    if not 1 <= int(sample_size) <= 100_000:
        raise DomainError(
            _("Give a number of customers between 1 and 100000."),
            code=ErrorCode.INVALID_FIELD,
            field="sample_size",
        )
    if campaign is not None and campaign.survey_id != survey.pk:
        raise DomainError(_("This campaign belongs to another survey."), code=ErrorCode.INVALID_FIELD)
    with transaction.atomic():
        target = campaign or Campaign(survey=survey)
        target.survey = survey
        target.name = _text(name, field="name", required=True, max_length=100)
        target.every_days = int(every_days)
        target.sample_size = int(sample_size)
        target.next_run_at = next_run_at or target.next_run_at or timezone.now()
        target.is_active = bool(is_active)
        target.save()
        audit_record(
            actor=actor, action="surveys.campaign_save", target=target, data={"created": campaign is None}
        )
    return target
