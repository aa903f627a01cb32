"""Configuring surveys: questionnaires and their versions, the rules that send them after a case, campaigns.

A version is edited while it is a draft and frozen once published (`charter.common.versioning`);
publishing supersedes (retires) the version that was in force, and answers keep the version they answered.
Each change is audited as `surveys.<verb>`.
"""

import datetime as dt
import re
from collections.abc import Mapping, Sequence

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Team, User
from charter.audit.services import audit_record
from charter.catalog.models import Service
from charter.common.errors import DomainError
from charter.common.policy import require
from charter.common.text import clean_text
from charter.common.versioning import version_draft_lock, version_number_next, version_publish
from charter.common.vocabulary import CaseKind
from charter.surveys.errors import TEXT_CODES, ErrorCode
from charter.surveys.models import Campaign, Question, Survey, SurveyRule, SurveyVersion
from charter.surveys.permissions import can_manage_surveys

_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def survey_create(
    *, actor: User, code: str, name_zh: str, name_en: str = "", intro_zh: str = "", intro_en: str = ""
) -> Survey:
    """Create a survey with an empty draft version 1. Audited as `surveys.create`."""
    require(can_manage_surveys(actor))
    code = clean_text(code, field="code", required=True, max_length=50, codes=TEXT_CODES, multiline=False)
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
            name_zh=clean_text(
                name_zh, field="name_zh", required=True, max_length=200, codes=TEXT_CODES, multiline=False
            ),
            name_en=clean_text(name_en, field="name_en", max_length=200, codes=TEXT_CODES, multiline=False),
        )
        SurveyVersion.objects.create(
            survey=survey,
            number=1,
            intro_zh=clean_text(intro_zh, field="intro_zh", max_length=2000, codes=TEXT_CODES),
            intro_en=clean_text(intro_en, field="intro_en", max_length=2000, codes=TEXT_CODES),
        )
        audit_record(actor=actor, action="surveys.create", target=survey)
    return survey


def _choices_clean(choices: object) -> list[dict[str, str]]:
    if not isinstance(choices, list | tuple) or not 2 <= len(choices) <= 20:
        raise DomainError(_("Give between 2 and 20 choices."), code=ErrorCode.INVALID_FIELD, field="choices")
    cleaned: list[dict[str, str]] = []
    for index, choice in enumerate(choices):
        if isinstance(choice, str):
            choice = {"zh": choice}
        if not isinstance(choice, dict):
            raise DomainError(_("Give each choice a text."), code=ErrorCode.INVALID_FIELD, field="choices")
        zh = clean_text(
            choice.get("zh"),
            field="choices",
            required=True,
            max_length=200,
            codes=TEXT_CODES,
            multiline=False,
        )
        en = clean_text(
            choice.get("en", ""), field="choices", max_length=200, codes=TEXT_CODES, multiline=False
        )
        value = clean_text(
            choice.get("value") or str(index + 1),
            field="choices",
            max_length=50,
            codes=TEXT_CODES,
            multiline=False,
        )
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
    choices: Sequence[str | Mapping[str, str]] = (),
    is_required: bool = False,
) -> Question:
    """Add a question at the end of a draft version. Audited as `surveys.question_add`."""
    require(can_manage_surveys(actor))
    if type not in Question.Type.values:
        raise DomainError(_("Choose the type of question."), code=ErrorCode.INVALID_FIELD, field="type")
    text_zh = clean_text(text_zh, field="text_zh", required=True, max_length=500, codes=TEXT_CODES)
    text_en = clean_text(text_en, field="text_en", max_length=500, codes=TEXT_CODES)
    cleaned = _choices_clean(list(choices)) if type in (Question.Type.SINGLE, Question.Type.MULTIPLE) else []
    with transaction.atomic():
        version = version_draft_lock(version)
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
        version = version_draft_lock(question.version)
        audit_record(
            actor=actor, action="surveys.question_remove", target=version, data={"question": question.pk}
        )
        question.delete()


def survey_version_publish(*, actor: User, version: SurveyVersion) -> SurveyVersion:
    """Publish a draft: it is used for every invitation from now on, and the version in force is superseded.
    Audited as `surveys.publish`."""
    require(can_manage_surveys(actor))
    with transaction.atomic():
        version = version_draft_lock(version)
        if not version.questions.exists():
            raise DomainError(_("Add at least one question first."), code=ErrorCode.NO_QUESTIONS)
        version_publish(
            version=version,
            actor=actor,
            supersede=SurveyVersion.objects.filter(survey_id=version.survey_id),
        )
        audit_record(actor=actor, action="surveys.publish", target=version, data={"number": version.number})
    return version


def survey_version_draft_create(*, actor: User, survey: Survey) -> SurveyVersion:
    """Start a new draft from the latest version's questions (or return the draft that exists).
    Audited as `surveys.draft`."""
    require(can_manage_surveys(actor))
    with transaction.atomic():
        # Lock the survey so two managers cannot open two drafts with the same number.
        Survey.objects.select_for_update().filter(pk=survey.pk).first()
        existing = survey.versions.filter(status=SurveyVersion.Status.DRAFT).first()
        if existing is not None:
            return existing
        latest = survey.versions.order_by("-number").first()
        draft = SurveyVersion.objects.create(
            survey=survey,
            number=version_number_next(survey.versions.all()),
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
        target.name = clean_text(
            name, field="name", required=True, max_length=100, codes=TEXT_CODES, multiline=False
        )
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
        target.name = clean_text(
            name, field="name", required=True, max_length=100, codes=TEXT_CODES, multiline=False
        )
        target.every_days = int(every_days)
        target.sample_size = int(sample_size)
        target.next_run_at = next_run_at or target.next_run_at or timezone.now()
        target.is_active = bool(is_active)
        target.save()
        audit_record(
            actor=actor, action="surveys.campaign_save", target=target, data={"created": campaign is None}
        )
    return target
