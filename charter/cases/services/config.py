"""Configuration of cases: the category tree, team routing and canned responses (administrators)."""

import re
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Qualification, Team, User
from charter.audit.services import audit_record
from charter.cases.errors import ErrorCode
from charter.cases.models import CannedResponse, CaseCategory, TeamRouting
from charter.cases.permissions import can_configure_cases
from charter.cases.services._common import text_clean
from charter.catalog.models import Service
from charter.common.errors import DomainError
from charter.common.policy import require

CODE_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _code(code: str) -> str:
    code = code.strip()
    if not CODE_PATTERN.match(code) or len(code) > 60:
        raise DomainError(
            _("Use lower-case letters, digits and hyphens for the code."),
            code=ErrorCode.INVALID_FIELD,
            field="code",
        )
    return code


def case_category_create(
    *,
    actor: User,
    code: str,
    name_zh: str,
    name_en: str = "",
    parent: CaseCategory | None = None,
    ordering: int = 0,
) -> CaseCategory:
    """Add a category under `parent` (or at the top). Requires cases.configure_cases. Audited as
    `cases.category_create`."""
    require(can_configure_cases(actor))
    code = _code(code)
    name_zh = text_clean(name_zh, field="name_zh", required=True, max_length=200, multiline=False)
    name_en = text_clean(name_en, field="name_en", max_length=200, multiline=False)
    if CaseCategory.objects.filter(code=code).exists():
        raise DomainError(_("This code is already used."), code=ErrorCode.INVALID_FIELD, field="code")
    with transaction.atomic():
        category = CaseCategory.objects.create(
            code=code, name_zh=name_zh, name_en=name_en, parent=parent, ordering=ordering
        )
        category.path = f"{parent.path if parent else '/'}{category.pk}/"
        category.save(update_fields=["path"])
        audit_record(actor=actor, action="cases.category_create", target=category, data={"code": code})
    return category


def team_routing_set(
    *,
    actor: User,
    team: Team,
    mode: str,
    services: Iterable[Service] = (),
    is_default: bool = False,
    required_qualification: Qualification | None = None,
    qualification_for_complaints_only: bool = False,
) -> TeamRouting:
    """Set how `team` receives cases: its assignment mode, the services routed to it, whether it is the
    default team (only one is; setting it here unsets it elsewhere), and the qualification its handlers must
    hold (for its complaints only, when `qualification_for_complaints_only`). Audited as
    `cases.routing_set`."""
    require(can_configure_cases(actor))
    if mode not in TeamRouting.Mode.values:
        raise DomainError(_("Choose how the team assigns cases."), code=ErrorCode.INVALID_FIELD, field="mode")
    with transaction.atomic():
        if is_default:
            TeamRouting.objects.filter(is_default=True).exclude(team=team).update(is_default=False)
        routing, _created = TeamRouting.objects.update_or_create(
            team=team,
            defaults={
                "mode": mode,
                "is_default": is_default,
                "required_qualification": required_qualification,
                "qualification_for_complaints_only": qualification_for_complaints_only,
            },
        )
        routing.services.set(list(services))
        audit_record(
            actor=actor,
            action="cases.routing_set",
            target=team,
            data={
                "mode": mode,
                "is_default": is_default,
                "services": sorted(s.pk for s in routing.services.all()),
                "required_qualification": required_qualification.code if required_qualification else None,
                "qualification_for_complaints_only": qualification_for_complaints_only,
            },
        )
    return routing


def canned_response_create(
    *,
    actor: User,
    code: str,
    title_zh: str,
    body_zh: str,
    title_en: str = "",
    body_en: str = "",
    team: Team | None = None,
) -> CannedResponse:
    """Add a canned response in both languages (the Chinese text is required). Audited as
    `cases.canned_response_create`."""
    require(can_configure_cases(actor))
    code = _code(code)
    if CannedResponse.objects.filter(code=code).exists():
        raise DomainError(_("This code is already used."), code=ErrorCode.INVALID_FIELD, field="code")
    response = CannedResponse(
        code=code,
        title_zh=text_clean(title_zh, field="title_zh", required=True, max_length=200, multiline=False),
        title_en=text_clean(title_en, field="title_en", max_length=200, multiline=False),
        body_zh=text_clean(body_zh, field="body_zh", required=True),
        body_en=text_clean(body_en, field="body_en"),
        team=team,
    )
    with transaction.atomic():
        response.save()
        audit_record(actor=actor, action="cases.canned_response_create", target=response, data={"code": code})
    return response
