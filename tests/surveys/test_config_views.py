"""The survey configuration desk: who may come in, surveys and their versions, questions, publishing, rules,
campaigns, and query counts that do not grow with the rows."""

import datetime as dt
import re
import zoneinfo
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from charter.accounts.models import Team, User
from charter.audit.models import AuditEvent
from charter.catalog import services as catalog_services
from charter.catalog.models import Service
from charter.surveys.models import Campaign, Question, Survey, SurveyRule, SurveyVersion
from charter.surveys.services import (
    campaign_save,
    survey_create,
    survey_question_add,
    survey_rule_save,
    survey_version_publish,
)
from tests.accounts.factories import OrgUnitFactory, TeamFactory
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _url(name: str, survey: Survey, **kwargs: int) -> str:
    return reverse(f"surveys:{name}", kwargs={"survey_id": survey.pk, **kwargs})


def _draft(survey: Survey) -> SurveyVersion:
    return survey.versions.get(status=SurveyVersion.Status.DRAFT)


def _text(response: Any) -> str:
    return str(response.content.decode())


@pytest.fixture
def survey(administrator: User) -> Survey:
    """A survey whose draft version 1 has one satisfaction question."""
    survey = survey_create(
        actor=administrator, code="after-case", name_zh="服务满意度调查", name_en="How did we do?"
    )
    survey_question_add(
        actor=administrator, version=_draft(survey), type="csat", text_zh="您满意吗？", text_en="Satisfied?"
    )
    return survey


@pytest.fixture
def published(survey: Survey, administrator: User) -> SurveyVersion:
    """Version 1 of `survey`, published."""
    return survey_version_publish(actor=administrator, version=_draft(survey))


@pytest.fixture
def water(administrator: User) -> Service:
    """A service called 水费 in the catalogue."""
    category = catalog_services.service_category_create(
        actor=administrator,
        slug="water",
        content=catalog_services.CategoryContent(name_zh="供水", name_en="Water", ordering=1),
    )
    return catalog_services.service_create(
        actor=administrator, slug="water-bill", category=category, name_zh="水费", name_en="Water bill"
    )


@pytest.fixture
def desk_team(organisation: Any) -> Team:
    return TeamFactory.create(
        unit=OrgUnitFactory.create(parent=organisation), code="desk-1", name_zh="客服一组"
    )


# Who may come in ----------------------------------------------------------------------------------------


def _every_page_and_action(survey: Survey, version: SurveyVersion) -> list[tuple[str, str, dict[str, Any]]]:
    question = version.questions.get()
    rule = SurveyRule.objects.get(survey=survey)
    campaign = Campaign.objects.get(survey=survey)
    question_data = {"type": "text", "text_zh": "还有什么？"}
    rule_data = {"name": "全部", "ordering": 0, "delay_minutes": 10, "sample_percent": 100}
    campaign_data = {"name": "年度", "every_days": 30, "sample_size": 5, "next_run_at": "2030-01-01T09:00"}
    survey_data = {"code": "new-one", "name_zh": "新问卷"}
    return [
        ("get", reverse("surveys:config_list"), {}),
        ("get", reverse("surveys:config_create"), {}),
        ("post", reverse("surveys:config_create"), survey_data),
        ("get", _url("config_detail", survey), {}),
        ("post", _url("config_question_add", survey, version_id=version.pk), question_data),
        ("post", _url("config_question_remove", survey, question_id=question.pk), {}),
        ("get", _url("config_question_remove", survey, question_id=question.pk), {}),
        ("get", _url("config_publish", survey, version_id=version.pk), {}),
        ("post", _url("config_publish", survey, version_id=version.pk), {}),
        ("post", _url("config_draft_new", survey), {}),
        ("get", _url("config_draft_new", survey), {}),
        ("get", _url("config_rule_list", survey), {}),
        ("get", _url("config_rule_create", survey), {}),
        ("post", _url("config_rule_create", survey), rule_data),
        ("get", _url("config_rule_edit", survey, rule_id=rule.pk), {}),
        ("post", _url("config_rule_edit", survey, rule_id=rule.pk), rule_data),
        ("get", _url("config_campaign_list", survey), {}),
        ("get", _url("config_campaign_create", survey), {}),
        ("post", _url("config_campaign_create", survey), campaign_data),
        ("get", _url("config_campaign_edit", survey, campaign_id=campaign.pk), {}),
        ("post", _url("config_campaign_edit", survey, campaign_id=campaign.pk), campaign_data),
    ]


@pytest.fixture
def configured(survey: Survey, administrator: User) -> list[tuple[str, str, dict[str, Any]]]:
    survey_rule_save(actor=administrator, survey=survey, name="投诉", kinds=["complaint"])
    campaign_save(actor=administrator, survey=survey, name="季度", every_days=90)
    return _every_page_and_action(survey, _draft(survey))


def _state() -> tuple[Any, ...]:
    return (
        list(Survey.objects.values_list("code", flat=True)),
        list(SurveyVersion.objects.values_list("pk", "status")),
        list(Question.objects.values_list("pk", "version_id")),
        list(SurveyRule.objects.values_list("pk", "name", "delay_minutes")),
        list(Campaign.objects.values_list("pk", "name", "every_days")),
    )


@pytest.mark.parametrize("persona", ["member", "supervisor"])
def test_agents_and_supervisors_are_refused_every_page_and_action(
    persona: str, configured: list[tuple[str, str, dict[str, Any]]], request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    client = client_for(user)
    before = _state()

    for method, url, data in configured:
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, (method, url)

    assert _state() == before


def test_anonymous_visitors_are_sent_to_sign_in(
    configured: list[tuple[str, str, dict[str, Any]]], client: Any
) -> None:
    before = _state()

    for method, url, data in configured:
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"], (
            method,
            url,
        )

    assert _state() == before


def test_the_desk_menu_links_surveys_for_those_who_may_see_them(
    administrator: User, member: User, supervisor: User
) -> None:
    admin_page = _text(client_for(administrator).get(reverse("surveys:config_list")))
    assert reverse("surveys:config_list") in admin_page
    assert reverse("surveys:recovery_list") in admin_page
    assert 'href="/desk/surveys/results/"' in admin_page

    supervisor_page = _text(client_for(supervisor).get(reverse("surveys:recovery_list")))
    assert reverse("surveys:config_list") not in supervisor_page
    assert 'href="/desk/surveys/results/"' in supervisor_page

    member_page = _text(client_for(member).get(reverse("accounts:desk")))
    # An agent sees only his own bad reviews (好差评), to appeal them.
    assert set(re.findall(r'href="(/desk/surveys/[^"]*)"', member_page)) == {reverse("surveys:my_reviews")}


# Surveys ------------------------------------------------------------------------------------------------


def test_an_administrator_creates_a_survey_with_an_empty_draft(administrator: User) -> None:
    client = client_for(administrator)

    response = client.post(
        reverse("surveys:config_create"),
        {
            "code": "annual-nps",
            "name_zh": "年度推荐度调查",
            "name_en": "Annual NPS",
            "intro_zh": "感谢您抽空回答。",
            "intro_en": "Thank you for your time.",
        },
    )

    survey = Survey.objects.get(code="annual-nps")
    assert response.status_code == 302 and response["Location"] == _url("config_detail", survey)
    version = survey.versions.get()
    assert (version.number, version.status, version.intro_zh) == (1, "draft", "感谢您抽空回答。")
    assert AuditEvent.objects.filter(action="surveys.create").count() == 1
    listing = _text(client.get(reverse("surveys:config_list")))
    assert "annual-nps" in listing and "年度推荐度调查" in listing


def test_a_survey_code_already_taken_is_a_field_error_in_chinese(survey: Survey, administrator: User) -> None:
    response = client_for(administrator).post(
        reverse("surveys:config_create"), {"code": "after-case", "name_zh": "重复"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["code"] == ["该代码已被使用。"]
    assert Survey.objects.count() == 1


def test_the_list_shows_the_version_in_force_the_draft_and_the_counts(
    survey: Survey, published: SurveyVersion, administrator: User
) -> None:
    administrator.time_zone = "Europe/London"
    administrator.save(update_fields=["time_zone"])
    # Back-date the publication; the base manager goes past the guard that freezes published versions.
    SurveyVersion._base_manager.filter(pk=published.pk).update(
        published_at=dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    )
    survey_rule_save(actor=administrator, survey=survey, name="一")
    survey_rule_save(actor=administrator, survey=survey, name="二")
    campaign_save(actor=administrator, survey=survey, name="年度")
    client = client_for(administrator)
    client.post(_url("config_draft_new", survey))

    page = _text(client.get(reverse("surveys:config_list")))

    row = page[page.index("after-case") :]
    assert "2026-03-01 12:00" in row  # London is on UTC in March
    assert re.search(r"第 1 版.*第 2 版", row, re.S)
    assert re.search(r">2</a>.*>1</a>", row, re.S)  # two rules, one campaign


# Questions ----------------------------------------------------------------------------------------------


def _add(client: Any, survey: Survey, version: SurveyVersion, **data: Any) -> Any:
    return client.post(_url("config_question_add", survey, version_id=version.pk), data)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"type": "csat", "text_zh": "满意吗？", "is_required": "on"}, {"type": "csat", "is_required": True}),
        (
            {"type": "nps", "text_zh": "会推荐吗？", "text_en": "Recommend?"},
            {"type": "nps", "text_en": "Recommend?"},
        ),
        ({"type": "ces", "text_zh": "办理方便吗？"}, {"type": "ces"}),
        ({"type": "text", "text_zh": "还有什么建议？", "choices": "被忽略"}, {"type": "text", "choices": []}),
        (
            {
                "type": "single",
                "text_zh": "主要原因？",
                "choices": "price | 价格 | Price\nspeed | 速度 | Speed\n",
            },
            {
                "type": "single",
                "choices": [
                    {"value": "price", "zh": "价格", "en": "Price"},
                    {"value": "speed", "zh": "速度", "en": "Speed"},
                ],
            },
        ),
        (
            {"type": "multiple", "text_zh": "哪些方面好？", "choices": "态度\n\n  速度  \n"},
            {
                "type": "multiple",
                "choices": [{"value": "1", "zh": "态度", "en": ""}, {"value": "2", "zh": "速度", "en": ""}],
            },
        ),
    ],
    ids=["csat", "nps", "ces", "text", "single", "multiple"],
)
def test_a_question_of_each_type_is_added_at_the_end_of_the_draft(
    survey: Survey, administrator: User, data: dict[str, str], expected: dict[str, Any]
) -> None:
    draft = _draft(survey)

    response = _add(client_for(administrator), survey, draft, **data)

    assert response.status_code == 302
    question = draft.questions.order_by("ordering").last()
    assert question is not None and question.ordering == 2 and question.text_zh == data["text_zh"]
    for name, value in expected.items():
        assert getattr(question, name) == value


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"type": "single", "text_zh": "原因？", "choices": "价格"}, "choices", "请提供 2 到 20 个选项。"),
        ({"type": "single", "text_zh": "原因？", "choices": ""}, "choices", "请提供 2 到 20 个选项。"),
        ({"type": "multiple", "text_zh": "原因？", "choices": "a | 价格\nb | 速度"}, "choices", "第 1 行"),
        (
            {"type": "single", "text_zh": "原因？", "choices": "a | 价格 | P\na | 速度 | S"},
            "choices",
            "每个选项",
        ),
        ({"type": "stars", "text_zh": "几颗星？"}, "type", "选择一个有效的选项"),
        ({"type": "csat", "text_zh": ""}, "text_zh", "该字段是必填项"),
    ],
    ids=["one-choice", "no-choice", "two-parts", "same-value", "unknown-type", "no-text"],
)
def test_bad_question_input_is_a_field_error_in_chinese_and_changes_nothing(
    survey: Survey, administrator: User, data: dict[str, str], field: str, message: str
) -> None:
    draft = _draft(survey)
    before = _state()

    response = _add(client_for(administrator), survey, draft, **data)

    assert response.status_code == 400
    errors = response.context["question_form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert message in _text(response)
    assert _state() == before


def test_a_question_is_removed_from_the_draft(survey: Survey, administrator: User) -> None:
    draft = _draft(survey)
    extra = survey_question_add(actor=administrator, version=draft, type="text", text_zh="还有什么？")

    response = client_for(administrator).post(_url("config_question_remove", survey, question_id=extra.pk))

    assert response.status_code == 302
    assert list(draft.questions.values_list("text_zh", flat=True)) == ["您满意吗？"]


def test_a_question_of_another_survey_is_not_found(survey: Survey, administrator: User) -> None:
    other = survey_create(actor=administrator, code="other", name_zh="其他")
    question = survey_question_add(actor=administrator, version=_draft(other), type="text", text_zh="？")

    response = client_for(administrator).post(_url("config_question_remove", survey, question_id=question.pk))

    assert response.status_code == 404 and Question.objects.filter(pk=question.pk).exists()


def test_the_draft_page_previews_what_the_customer_reads_with_every_input_disabled(
    survey: Survey, administrator: User
) -> None:
    survey_question_add(
        actor=administrator,
        version=_draft(survey),
        type="single",
        text_zh="主要原因？",
        text_en="Main reason?",
        choices=[{"value": "p", "zh": "价格", "en": "Price"}, {"value": "s", "zh": "速度", "en": "Speed"}],
    )

    page = _text(client_for(administrator).get(_url("config_detail", survey)))

    preview = page[page.index("第 1 版草稿预览") :]
    assert "How did we do?" in preview and "Main reason?" in preview and "Price" in preview
    assert "主要原因？" in preview and "非常不满意" in preview
    inputs = re.findall(r"<input [^>]*>", preview)
    assert inputs and all("disabled" in tag for tag in inputs)
    assert not re.search(r"<script(?![^>]*\bsrc=)", page) and "style=" not in page  # strict CSP


# Publishing ---------------------------------------------------------------------------------------------


def test_publishing_asks_for_confirmation_saying_versions_never_change(
    survey: Survey, administrator: User
) -> None:
    draft = _draft(survey)

    page = _text(client_for(administrator).get(_url("config_publish", survey, version_id=draft.pk)))

    assert "已发布的版本不会再改动" in page and "答卷始终保留其作答时的版本" in page
    draft.refresh_from_db()
    assert draft.status == SurveyVersion.Status.DRAFT


def test_publishing_puts_the_draft_in_force_and_freezes_its_questions(
    survey: Survey, administrator: User
) -> None:
    draft = _draft(survey)
    client = client_for(administrator)

    response = client.post(_url("config_publish", survey, version_id=draft.pk))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == SurveyVersion.Status.PUBLISHED and draft.published_at is not None
    page = _text(client.get(_url("config_detail", survey)))
    assert "config_question" not in page
    assert f"/versions/{draft.pk}/questions/" not in page and "/remove/" not in page
    assert f"/versions/{draft.pk}/publish/" not in page
    assert "新建草稿" in page


def test_a_crafted_question_for_a_published_version_is_refused_clearly_and_changes_nothing(
    survey: Survey, published: SurveyVersion, administrator: User
) -> None:
    before = _state()
    client = client_for(administrator)

    response = _add(client, survey, published, type="text", text_zh="偷偷加一题")
    removal = client.post(
        _url("config_question_remove", survey, question_id=published.questions.get().pk), follow=True
    )

    assert response.status_code == 400
    assert "已发布的版本不能修改，请新建草稿。" in _text(response)
    assert "已发布的版本不能修改，请新建草稿。" in _text(removal)
    assert _state() == before


def test_publishing_a_draft_without_questions_is_refused(administrator: User) -> None:
    empty = survey_create(actor=administrator, code="empty", name_zh="空问卷")
    draft = _draft(empty)

    response = client_for(administrator).post(_url("config_publish", empty, version_id=draft.pk), follow=True)

    assert "请先添加至少一个问题。" in _text(response)
    draft.refresh_from_db()
    assert draft.status == SurveyVersion.Status.DRAFT


def test_a_new_draft_copies_the_questions_of_the_latest_version(
    survey: Survey, published: SurveyVersion, administrator: User
) -> None:
    client = client_for(administrator)

    response = client.post(_url("config_draft_new", survey))

    assert response.status_code == 302
    draft = _draft(survey)
    assert draft.number == 2
    assert [(q.type, q.text_zh, q.text_en) for q in draft.questions.all()] == [
        ("csat", "您满意吗？", "Satisfied?")
    ]
    page = _text(client.get(_url("config_detail", survey)))
    assert f"/versions/{draft.pk}/questions/" in page and f"/versions/{published.pk}/questions/" not in page


def test_publishing_the_next_version_retires_the_one_in_force(
    survey: Survey, published: SurveyVersion, administrator: User
) -> None:
    client = client_for(administrator)
    client.post(_url("config_draft_new", survey))
    draft = _draft(survey)

    client.post(_url("config_publish", survey, version_id=draft.pk))

    assert dict(survey.versions.values_list("number", "status")) == {1: "superseded", 2: "published"}


# Rules --------------------------------------------------------------------------------------------------


def test_a_rule_is_created_and_said_in_words(
    survey: Survey, administrator: User, water: Service, desk_team: Team
) -> None:
    client = client_for(administrator)

    response = client.post(
        _url("config_rule_create", survey),
        {
            "name": "水费投诉",
            "ordering": 1,
            "kinds": ["complaint"],
            "services": [water.pk],
            "teams": [desk_team.pk],
            "delay_minutes": 60,
            "sample_percent": 50,
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    rule = SurveyRule.objects.get(survey=survey)
    assert (rule.name, rule.kinds, rule.delay_minutes, rule.sample_percent, rule.is_active) == (
        "水费投诉",
        ["complaint"],
        60,
        50,
        True,
    )
    assert list(rule.services.all()) == [water] and list(rule.teams.all()) == [desk_team]
    page = _text(client.get(_url("config_rule_list", survey)))
    assert "每件由客服一组办理、关于水费的投诉办结 60 分钟后，抽取 50% 的工单向客户发送问卷。" in page


def test_the_rule_sentence_reads_naturally_in_english(
    survey: Survey, administrator: User, water: Service, desk_team: Team
) -> None:
    survey_rule_save(
        actor=administrator,
        survey=survey,
        name="Water complaints",
        kinds=["complaint"],
        services=[water],
        teams=[desk_team],
        delay_minutes=60,
        sample_percent=50,
    )
    administrator.language = "en"
    administrator.save(update_fields=["language"])

    page = _text(client_for(administrator).get(_url("config_rule_list", survey)))

    desk_team_name = desk_team.name_en
    assert (
        f"After each resolved complaint about Water bill handled by {desk_team_name}, 60 minutes later, "
        "to 50% of cases." in page
    )


def test_a_rule_is_edited(survey: Survey, administrator: User, water: Service) -> None:
    rule = survey_rule_save(actor=administrator, survey=survey, name="全部", services=[water])
    client = client_for(administrator)
    form = client.get(_url("config_rule_edit", survey, rule_id=rule.pk))
    assert form.status_code == 200 and 'value="全部"' in _text(form)

    response = client.post(
        _url("config_rule_edit", survey, rule_id=rule.pk),
        {"name": "全部咨询", "ordering": 3, "kinds": ["inquiry"], "delay_minutes": 0, "sample_percent": 10},
    )

    assert response.status_code == 302
    rule.refresh_from_db()
    assert (
        rule.name,
        rule.ordering,
        rule.kinds,
        rule.delay_minutes,
        rule.sample_percent,
        rule.is_active,
    ) == (
        "全部咨询",
        3,
        ["inquiry"],
        0,
        10,
        False,
    )
    assert not rule.services.exists()
    assert SurveyRule.objects.count() == 1
    page = _text(client.get(_url("config_rule_list", survey)))
    assert "每件咨询办结后立即抽取 10% 的工单向客户发送问卷。" in page


def test_a_rule_refused_by_the_service_shows_the_reason_at_its_field(
    survey: Survey, administrator: User
) -> None:
    response = client_for(administrator).post(
        _url("config_rule_create", survey),
        {"name": "太多", "ordering": 0, "delay_minutes": 60, "sample_percent": 150},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["sample_percent"] == ["请填写 0 到 100 之间的比例。"]
    assert not SurveyRule.objects.exists()


def test_a_rule_of_another_survey_is_not_found(survey: Survey, administrator: User) -> None:
    other = survey_create(actor=administrator, code="other", name_zh="其他")
    rule = survey_rule_save(actor=administrator, survey=other, name="其他规则")

    response = client_for(administrator).post(
        _url("config_rule_edit", survey, rule_id=rule.pk),
        {"name": "搬走", "ordering": 0, "delay_minutes": 0, "sample_percent": 100},
    )

    assert response.status_code == 404
    rule.refresh_from_db()
    assert (rule.survey_id, rule.name) == (other.pk, "其他规则")


# Campaigns ----------------------------------------------------------------------------------------------


def test_a_campaign_is_created_with_its_next_run_in_the_users_time_zone(
    survey: Survey, administrator: User
) -> None:
    administrator.time_zone = "America/New_York"
    administrator.save(update_fields=["time_zone"])
    client = client_for(administrator)
    form = _text(client.get(_url("config_campaign_create", survey)))
    assert "按您所在的时区（America/New_York）填写。" in form

    response = client.post(
        _url("config_campaign_create", survey),
        {
            "name": "年度推荐度",
            "every_days": 365,
            "sample_size": 300,
            "next_run_at": "2027-01-15T09:30",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    campaign = Campaign.objects.get(survey=survey)
    new_york = zoneinfo.ZoneInfo("America/New_York")
    assert campaign.next_run_at == dt.datetime(2027, 1, 15, 9, 30, tzinfo=new_york)
    assert (campaign.every_days, campaign.sample_size, campaign.is_active) == (365, 300, True)
    page = _text(client.get(_url("config_campaign_list", survey)))
    assert "年度推荐度" in page and "2027-01-15 09:30" in page and "从未" in page


def test_a_campaign_is_edited_and_shows_its_last_run(survey: Survey, administrator: User) -> None:
    campaign = campaign_save(
        actor=administrator, survey=survey, name="季度", next_run_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    )
    Campaign.objects.filter(pk=campaign.pk).update(last_run_at=dt.datetime(2026, 10, 1, 1, 0, tzinfo=dt.UTC))
    administrator.time_zone = "Asia/Shanghai"
    administrator.save(update_fields=["time_zone"])
    client = client_for(administrator)
    form = _text(client.get(_url("config_campaign_edit", survey, campaign_id=campaign.pk)))
    assert 'value="2027-01-01T08:00"' in form  # in Shanghai

    response = client.post(
        _url("config_campaign_edit", survey, campaign_id=campaign.pk),
        {"name": "季度回访", "every_days": 91, "sample_size": 50, "next_run_at": "2027-02-01T08:00"},
    )

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.every_days, campaign.sample_size, campaign.is_active) == (
        "季度回访",
        91,
        50,
        False,
    )
    assert campaign.next_run_at == dt.datetime(2027, 2, 1, tzinfo=dt.UTC)
    page = _text(client.get(_url("config_campaign_list", survey)))
    assert "2026-10-01 09:00" in page and "91 天" in page


def test_a_campaign_refused_by_the_service_shows_the_reason_at_its_field(
    survey: Survey, administrator: User
) -> None:
    response = client_for(administrator).post(
        _url("config_campaign_create", survey),
        {"name": "太频繁", "every_days": 0, "sample_size": 10, "next_run_at": "2027-01-01T08:00"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["every_days"] == ["请填写 1 到 3660 天之间的周期。"]
    assert not Campaign.objects.exists()


# Query counts -------------------------------------------------------------------------------------------


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _surveys(administrator: User, indexes: range) -> None:
    """Surveys with a question, a rule and a campaign; every other one published, the rest drafts."""
    for index in indexes:
        survey = survey_create(actor=administrator, code=f"s{index}", name_zh=f"问卷{index}")
        survey_question_add(actor=administrator, version=_draft(survey), type="csat", text_zh="满意吗？")
        if index % 2:
            survey_version_publish(actor=administrator, version=_draft(survey))
        survey_rule_save(actor=administrator, survey=survey, name="规则")
        campaign_save(actor=administrator, survey=survey, name="定期")


def test_the_survey_list_costs_the_same_queries_for_2_and_10_surveys(administrator: User) -> None:
    client = client_for(administrator)
    _surveys(administrator, range(2))
    with_two = _queries(client, reverse("surveys:config_list"))

    _surveys(administrator, range(2, 10))
    with_ten = _queries(client, reverse("surveys:config_list"))

    assert Survey.objects.count() == 10
    assert with_ten == with_two


def test_a_survey_page_and_its_rules_cost_the_same_queries_for_few_and_many_rows(
    survey: Survey, administrator: User, water: Service, desk_team: Team
) -> None:
    client = client_for(administrator)
    survey_rule_save(actor=administrator, survey=survey, name="一", services=[water], teams=[desk_team])
    campaign_save(actor=administrator, survey=survey, name="一")
    detail = _queries(client, _url("config_detail", survey))
    rules = _queries(client, _url("config_rule_list", survey))
    campaigns = _queries(client, _url("config_campaign_list", survey))

    for index in range(9):
        survey_rule_save(
            actor=administrator, survey=survey, name=f"规则{index}", services=[water], teams=[desk_team]
        )
        campaign_save(actor=administrator, survey=survey, name=f"定期{index}")
        survey_question_add(actor=administrator, version=_draft(survey), type="text", text_zh=f"问题{index}")
    survey_version_publish(actor=administrator, version=_draft(survey))
    client.post(_url("config_draft_new", survey))

    assert _queries(client, _url("config_detail", survey)) == detail
    assert _queries(client, _url("config_rule_list", survey)) == rules
    assert _queries(client, _url("config_campaign_list", survey)) == campaigns
