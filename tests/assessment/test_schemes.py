"""Assessment schemes: the services (draft, checks, publication, acknowledgement) and their pages."""

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse

from charter.accounts.models import Team, User
from charter.accounts.roles import Role
from charter.assessment.errors import ErrorCode
from charter.assessment.models import SchemeAcknowledgement, SchemeItem, SchemeVersion
from charter.assessment.schemes import (
    ItemContent,
    SchemeVersionContent,
    scheme_acknowledge,
    scheme_acknowledgement_status,
    scheme_create,
    scheme_version_draft_create,
    scheme_version_draft_discard,
    scheme_version_draft_update,
    scheme_version_publish,
)
from charter.audit.models import AuditEvent
from charter.common.errors import DomainError, PermissionDeniedError
from charter.standards.services import standard_version_draft_create
from tests.assessment.factories import (
    agent_content,
    conduct_clause,
    draft_scheme,
    next_version,
    published_scheme,
)
from tests.conftest import client_for

# 2026-12-06 14:00 in Shanghai: the tests' today.
NOW = dt.datetime(2026, 12, 6, 6, 0, tzinfo=dt.UTC)
NEXT_MONTH = dt.date(2027, 1, 1)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def draft(administrator: User, team: Team) -> SchemeVersion:
    return draft_scheme(actor=administrator, teams=[team], effective_from=NEXT_MONTH)


def _update(administrator: User, draft: SchemeVersion, **overrides: Any) -> SchemeVersion:
    content = dataclasses.replace(SchemeVersionContent.from_version(draft), **overrides)
    return scheme_version_draft_update(actor=administrator, version=draft, content=content)


def _refused(expected: str, call: object, *args: object, **kwargs: object) -> DomainError:
    assert callable(call)
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == expected, caught.value.message
    return caught.value


# Creating and editing -------------------------------------------------------------------------------------


def test_create_opens_draft_one_audited(administrator: User, team: Team) -> None:
    scheme = scheme_create(
        actor=administrator, code="agents", name_zh="客服考核", name_en="Agents", team_ids=[team.pk]
    )
    version = scheme.versions.get()
    assert (version.number, version.status) == (1, SchemeVersion.Status.DRAFT)
    assert list(scheme.teams.all()) == [team]
    assert AuditEvent.objects.filter(action="assessment.scheme_create").count() == 1


def test_create_refuses_a_scheme_covering_nobody(administrator: User) -> None:
    _refused(
        ErrorCode.SCHEME_COVERAGE_EMPTY,
        scheme_create,
        actor=administrator,
        code="agents",
        name_zh="客服考核",
        name_en="",
    )


def test_create_refused_to_an_agent(member: User, team: Team) -> None:
    with pytest.raises(PermissionDeniedError):
        scheme_create(actor=member, code="agents", name_zh="客服考核", name_en="", team_ids=[team.pk])


def test_draft_update_stores_the_parts(draft: SchemeVersion) -> None:
    assert [item.code for item in draft.items.all()] == [
        "csat_satisfied",
        "sla_first_response_met",
        "qa_average",
        "attitude",
        "self_review",
    ]
    assert sorted(draft.adjustments.values_list("code", flat=True)) == ["commendations", "upheld_complaints"]
    assert draft.outcome_rules.count() == 4
    assert draft.quota_grade == "excellent"
    assert draft.items.get(code="attitude").clause is not None


def test_weights_not_100_names_the_sum(administrator: User, draft: SchemeVersion) -> None:
    content = SchemeVersionContent.from_version(draft)
    items = list(content.items)
    items[0] = dataclasses.replace(items[0], weight=Decimal(25))
    error = _refused(ErrorCode.WEIGHTS_NOT_100, _update, administrator, draft, items=tuple(items))
    assert "95" in str(error.message)
    assert error.field == "items"
    assert draft.items.get(code="csat_satisfied").weight == Decimal(30)  # nothing written


def test_unknown_indicator_refused(administrator: User, draft: SchemeVersion) -> None:
    items = list(SchemeVersionContent.from_version(draft).items)
    items[0] = dataclasses.replace(items[0], code="no_such_indicator")
    _refused(ErrorCode.INDICATOR_UNKNOWN, _update, administrator, draft, items=tuple(items))


def test_bad_curve_refused(administrator: User, draft: SchemeVersion) -> None:
    items = list(SchemeVersionContent.from_version(draft).items)
    items[0] = dataclasses.replace(
        items[0], curve={"type": "linear", "floor": "90", "target": "60", "cap": "100"}
    )
    error = _refused(ErrorCode.CURVE_ORDER, _update, administrator, draft, items=tuple(items))
    assert error.field == "items"
    assert "csat_satisfied" in str(error.message)


def test_bad_formula_refused_with_its_column(administrator: User, draft: SchemeVersion) -> None:
    error = _refused(ErrorCode.FORMULA_INVALID, _update, administrator, draft, formula="weighted + * bonus")
    assert error.field == "formula"
    assert getattr(error, "column", None) == 12


def test_quota_on_the_lowest_grade_refused(administrator: User, draft: SchemeVersion) -> None:
    error = _refused(ErrorCode.QUOTA_LOWEST_GRADE, _update, administrator, draft, quota_grade="fail")
    assert error.field == "quota_grade"


def test_qualitative_item_must_cite_a_published_conduct_clause(
    administrator: User, draft: SchemeVersion
) -> None:
    items = list(SchemeVersionContent.from_version(draft).items)
    items[3] = dataclasses.replace(items[3], clause=None)
    _refused(ErrorCode.CLAUSE_REQUIRED, _update, administrator, draft, items=tuple(items))


def test_qualitative_item_cannot_cite_a_draft_clause(administrator: User, draft: SchemeVersion) -> None:
    document = conduct_clause(administrator).version.document
    conduct_draft = standard_version_draft_create(actor=administrator, document=document)
    unpublished = conduct_draft.clauses.get(number="2.1")
    items = list(SchemeVersionContent.from_version(draft).items)
    items[3] = dataclasses.replace(items[3], clause=unpublished)
    _refused(ErrorCode.CLAUSE_NOT_CONDUCT, _update, administrator, draft, items=tuple(items))


def test_outcome_rule_for_an_unknown_grade_refused(administrator: User, draft: SchemeVersion) -> None:
    content = SchemeVersionContent.from_version(draft)
    rules = (*content.outcome_rules, dataclasses.replace(content.outcome_rules[0], grade="stellar"))
    _refused(ErrorCode.OUTCOME_GRADE, _update, administrator, draft, outcome_rules=rules)


def test_names_are_cleaned(administrator: User, draft: SchemeVersion) -> None:
    items = list(SchemeVersionContent.from_version(draft).items)
    items[4] = dataclasses.replace(items[4], name_zh="自\x07评")
    _refused(ErrorCode.TEXT_INVALID, _update, administrator, draft, items=tuple(items))
    items[4] = dataclasses.replace(items[4], name_zh="  自我评价  ")
    updated = _update(administrator, draft, items=tuple(items))
    assert updated.items.get(code="self_review").name_zh == "自我评价"


def test_draft_update_refused_to_an_agent(member: User, draft: SchemeVersion) -> None:
    with pytest.raises(PermissionDeniedError):
        scheme_version_draft_update(
            actor=member, version=draft, content=SchemeVersionContent.from_version(draft)
        )


# Publishing ----------------------------------------------------------------------------------------------


def test_publish_affecting_pay_needs_a_future_start(administrator: User, draft: SchemeVersion) -> None:
    _update(administrator, draft, effective_from=None)
    _refused(ErrorCode.EFFECTIVE_FROM_REQUIRED, scheme_version_publish, actor=administrator, version=draft)
    _update(administrator, draft, effective_from=dt.date(2026, 12, 6))  # today in Shanghai
    error = _refused(
        ErrorCode.EFFECTIVE_FROM_PAST, scheme_version_publish, actor=administrator, version=draft
    )
    assert error.field == "effective_from"
    draft.refresh_from_db()
    assert draft.is_draft


def test_publish_not_affecting_pay_may_start_today(administrator: User, draft: SchemeVersion) -> None:
    _update(administrator, draft, affects_pay=False, effective_from=dt.date(2026, 12, 1))
    assert scheme_version_publish(actor=administrator, version=draft).is_published


def test_publish_supersedes_the_version_in_force(administrator: User, draft: SchemeVersion) -> None:
    first = scheme_version_publish(actor=administrator, version=draft)
    assert first.is_published and first.published_by == administrator
    second = next_version(actor=administrator, scheme=first.scheme, effective_from=dt.date(2027, 2, 1))
    assert second.number == 2
    assert second.items.count() == 5  # copied
    scheme_version_publish(actor=administrator, version=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == SchemeVersion.Status.SUPERSEDED
    assert second.is_published
    event = AuditEvent.objects.filter(action="assessment.scheme_publish").order_by("-pk").first()
    assert event is not None and event.data["supersedes"] == 1


def test_publish_before_the_previous_start_refused(administrator: User, draft: SchemeVersion) -> None:
    first = scheme_version_publish(actor=administrator, version=draft)
    with time_machine.travel(dt.datetime(2027, 3, 1, 4, tzinfo=dt.UTC), tick=False):
        second = next_version(actor=administrator, scheme=first.scheme, effective_from=dt.date(2026, 12, 1))
        _update(administrator, second, affects_pay=False)
        _refused(
            ErrorCode.EFFECTIVE_BEFORE_PREVIOUS, scheme_version_publish, actor=administrator, version=second
        )


def test_published_version_never_changes(administrator: User, draft: SchemeVersion) -> None:
    published = scheme_version_publish(actor=administrator, version=draft)
    _refused(ErrorCode.VERSION_NOT_DRAFT, _update, administrator, published, formula="weighted")
    _refused(
        ErrorCode.VERSION_NOT_DRAFT, scheme_version_draft_discard, actor=administrator, version=published
    )


def test_second_draft_refused_and_discard(administrator: User, draft: SchemeVersion) -> None:
    _refused(ErrorCode.DRAFT_EXISTS, scheme_version_draft_create, actor=administrator, scheme=draft.scheme)
    scheme_version_draft_discard(actor=administrator, version=draft)
    assert not SchemeVersion.objects.filter(pk=draft.pk).exists()
    assert not SchemeItem.objects.filter(version_id=draft.pk).exists()


def test_published_scheme_helper_may_start_in_the_past(administrator: User, team: Team) -> None:
    version = published_scheme(actor=administrator, teams=[team], effective_from=dt.date(2026, 11, 1))
    assert version.is_published and version.effective_from == dt.date(2026, 11, 1)


# Acknowledgement -----------------------------------------------------------------------------------------


@pytest.fixture
def published(administrator: User, draft: SchemeVersion) -> SchemeVersion:
    return scheme_version_publish(actor=administrator, version=draft)


def test_acknowledge_once(member: User, teammate: User, published: SchemeVersion) -> None:
    scheme_acknowledge(actor=member, version=published)
    _refused(ErrorCode.ALREADY_ACKNOWLEDGED, scheme_acknowledge, actor=member, version=published)
    assert SchemeAcknowledgement.objects.filter(version=published).count() == 1
    status = scheme_acknowledgement_status(published)
    assert [person for person, _at in status.acknowledged] == [member]
    assert teammate in status.pending and member not in status.pending
    assert AuditEvent.objects.filter(action="assessment.scheme_acknowledge").count() == 1


def test_not_covered_cannot_acknowledge(outsider: User, published: SchemeVersion) -> None:
    error = _refused(ErrorCode.NOT_COVERED, scheme_acknowledge, actor=outsider, version=published)
    assert isinstance(error, PermissionDeniedError)


def test_draft_cannot_be_acknowledged(member: User, draft: SchemeVersion) -> None:
    _refused(ErrorCode.NOT_ACKNOWLEDGEABLE, scheme_acknowledge, actor=member, version=draft)


def test_role_coverage(administrator: User, outsider: User) -> None:
    version = published_scheme(
        actor=administrator, roles=[Group.objects.get(name=Role.AGENT)], effective_from=NEXT_MONTH
    )
    scheme_acknowledge(actor=outsider, version=version)
    assert scheme_acknowledgement_status(version).acknowledged[0][0] == outsider


def test_item_content_round_trip(draft: SchemeVersion) -> None:
    content = SchemeVersionContent.from_version(draft)
    assert isinstance(content.items[0], ItemContent)
    assert content == dataclasses.replace(
        agent_content(clause=conduct_clause(draft.created_by), effective_from=NEXT_MONTH),  # type: ignore[arg-type]
        grades=content.grades,
    )


# Pages ---------------------------------------------------------------------------------------------------


def test_list_and_detail_render_in_both_languages(
    administrator: User, member: User, published: SchemeVersion
) -> None:
    client = client_for(member)
    listing = client.get(reverse("assessment:scheme_list"))
    assert listing.status_code == 200
    assert "考核方案" in listing.content.decode()
    url = reverse("assessment:scheme_detail", args=[published.scheme_id])
    page = client.get(url).content.decode()
    assert "客服代表考核方案" in page
    assert "60% → 0 分" in page  # the curve in words
    assert "2.1" in page  # the clause cited
    assert "20%" in page and "优秀" in page  # the quota in words
    assert "我确认" in page or reverse("assessment:scheme_acknowledge", args=[published.scheme_id, 1]) in page
    client.cookies["django_language"] = "en"
    english = client.get(url)
    assert "60% → 0 points" in english.content.decode()


def test_acknowledge_button_records_once(member: User, published: SchemeVersion) -> None:
    client = client_for(member)
    url = reverse("assessment:scheme_acknowledge", args=[published.scheme_id, published.number])
    response = client.post(url)
    assert response.status_code == 302
    assert SchemeAcknowledgement.objects.filter(version=published, user=member).exists()
    page = client.get(reverse("assessment:scheme_detail", args=[published.scheme_id])).content.decode()
    assert url not in page  # no button any more
    assert client.post(url).status_code == 403


def test_outsider_cannot_acknowledge_and_sees_no_status(outsider: User, published: SchemeVersion) -> None:
    client = client_for(outsider)
    url = reverse("assessment:scheme_acknowledge", args=[published.scheme_id, published.number])
    assert client.post(url).status_code == 403
    page = client.get(reverse("assessment:scheme_detail", args=[published.scheme_id])).content.decode()
    assert "alice" not in page  # the acknowledgement status is for managers


def test_manager_sees_acknowledgement_status(
    administrator: User, member: User, teammate: User, published: SchemeVersion
) -> None:
    scheme_acknowledge(actor=member, version=published)
    page = client_for(administrator).get(reverse("assessment:scheme_detail", args=[published.scheme_id]))
    text = page.content.decode()
    assert page.context["status"].pending == [teammate]
    assert "Bob" in text and "Alice" in text


def test_staff_get_403_on_manager_pages(member: User, draft: SchemeVersion) -> None:
    client = client_for(member)
    scheme_id = draft.scheme_id
    assert client.get(reverse("assessment:scheme_create")).status_code == 403
    assert client.get(reverse("assessment:scheme_edit", args=[scheme_id])).status_code == 403
    assert client.get(reverse("assessment:scheme_version_edit", args=[scheme_id, 1])).status_code == 403
    assert client.post(reverse("assessment:scheme_version_publish", args=[scheme_id, 1])).status_code == 403
    assert client.post(reverse("assessment:scheme_draft_create", args=[scheme_id])).status_code == 403
    # A draft is not shown to staff.
    assert client.get(reverse("assessment:scheme_detail", args=[scheme_id]) + "?version=1").status_code == 404
    draft.refresh_from_db()
    assert draft.is_draft


def test_customer_gets_403_on_the_list(customer_user: User) -> None:
    assert client_for(customer_user).get(reverse("assessment:scheme_list")).status_code == 403


def test_create_page_then_edit_the_draft(administrator: User, team: Team) -> None:
    client = client_for(administrator)
    response = client.post(
        reverse("assessment:scheme_create"),
        {"code": "agents", "name_zh": "客服考核", "name_en": "Agents", "teams": [team.pk]},
    )
    assert response.status_code == 302
    version = SchemeVersion.objects.get(scheme__code="agents")
    edit_url = reverse("assessment:scheme_version_edit", args=[version.scheme_id, 1])
    assert client.get(edit_url).status_code == 200
    clause = conduct_clause(administrator)
    data = {
        "period_kind": "month",
        "affects_pay": "on",
        "effective_from": "2027-01-01",
        "items": (
            "indicator | csat_satisfied | 50 | 60 90 100\n"
            "indicator | qa_average | 25 | bands 0-60:0 60-80:60 80-101:100\n"
            f"qualitative | attitude | 15 | {clause.number} | 服务态度 | Attitude\n"
            "self | self_review | 10 | | 自评"
        ),
        "adjustments": (
            "bonus | commendations | 2 | 10 | commendations | 客户表扬\n扣分 | manual | 5 | 10 | | 违纪"
        ),
        "bonus_cap": "10",
        "deduction_cap": "20",
        "grades": "excellent | 90 | 优秀 | Excellent\ngood | 80 | 良好\npass | 60 | 合格\nfail | | 不合格",
        "quota_grade": "excellent",
        "quota_share": "20",
        "formula": "",
        "outcome_rules": "excellent | 1.2 | 100 | 服务之星\nfail | 0.5 | | | | 约谈 plan",
        "self_days": "3",
        "supervisor_days": "5",
        "calibration_days": "3",
        "approval_days": "3",
        "appeal_days": "5",
        "change_summary_zh": "",
        "change_summary_en": "",
    }
    assert client.post(edit_url, data).status_code == 302
    version.refresh_from_db()
    assert version.items.get(code="attitude").clause == clause
    assert version.adjustments.get(code="manual").kind == "deduction"
    fail = version.outcome_rules.get(grade="fail")
    assert fail.interview and fail.improvement_plan and not fail.remedial_training
    # Weights of 95: refused on the items box, the typed text kept, nothing saved.
    wrong = dict(data, items=data["items"].replace("| 50 |", "| 45 |"))
    page = client.post(edit_url, wrong)
    assert page.status_code == 200
    assert "95" in str(page.context["form"].errors["items"])
    assert "| 45 |" in page.content.decode()
    assert version.items.get(code="csat_satisfied").weight == Decimal(50)
    # A line that does not parse names its number.
    broken = dict(data, items=data["items"] + "\nindicator | sla_first_response_met | x | 1 2 3")
    page = client.post(edit_url, broken)
    assert "5" in str(page.context["form"].errors["items"])
    # A bad formula is shown on the formula field.
    page = client.post(edit_url, dict(data, formula="weighted +"))
    assert page.context["form"].errors["formula"]
    # Publishing from the page.
    publish_url = reverse("assessment:scheme_version_publish", args=[version.scheme_id, 1])
    assert client.get(publish_url).status_code == 200
    assert client.post(publish_url).status_code == 302
    version.refresh_from_db()
    assert version.is_published


def test_publish_page_shows_the_refusal(administrator: User, draft: SchemeVersion) -> None:
    _update(administrator, draft, effective_from=dt.date(2026, 12, 1))
    response = client_for(administrator).post(
        reverse("assessment:scheme_version_publish", args=[draft.scheme_id, draft.number])
    )
    assert response.status_code == 200
    assert "劳动合同法" in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_new_scheme_renders_empty_for_its_manager(administrator: User, team: Team) -> None:
    scheme = scheme_create(actor=administrator, code="new", name_zh="新方案", name_en="", team_ids=[team.pk])
    client = client_for(administrator)
    page = client.get(reverse("assessment:scheme_detail", args=[scheme.pk]))
    assert page.status_code == 200
    assert "尚无考核项" in page.content.decode()
    assert client.get(reverse("assessment:scheme_version_edit", args=[scheme.pk, 1])).status_code == 200
    for bad in ("x", "%C2%B2", "9" * 30):  # "²" passed str.isdigit() and int() raised: a 500
        assert (
            client.get(reverse("assessment:scheme_detail", args=[scheme.pk]) + f"?version={bad}").status_code
            == 404
        )


def test_staff_do_not_see_a_scheme_never_published(member: User, draft: SchemeVersion) -> None:
    client = client_for(member)
    assert client.get(reverse("assessment:scheme_detail", args=[draft.scheme_id])).status_code == 404
    assert "客服代表考核方案" not in client.get(reverse("assessment:scheme_list")).content.decode()
