"""The demo's satisfaction survey: asked after every resolved case, at once, with the usual three scales."""

from charter.accounts.models import User
from charter.surveys.invitations import invitations_from_resolved_cases
from charter.surveys.models import Survey, SurveyVersion
from charter.surveys.services import (
    survey_create,
    survey_question_add,
    survey_rule_save,
    survey_version_publish,
)

CODE = "after-case"


def demo_load(*, actor: User) -> None:
    """Create and publish the after-case survey and its rule; leave an existing one alone."""
    if Survey.objects.filter(code=CODE).exists():
        return
    survey = survey_create(
        actor=actor,
        code=CODE,
        name_zh="服务满意度调查",
        name_en="How did we do?",
        intro_zh="感谢您联系我们。请用一分钟评价本次服务，您的意见将用于改进我们的工作。",
        intro_en="Thank you for contacting us. One minute of your time helps us improve.",
    )
    draft = survey.versions.get(status=SurveyVersion.Status.DRAFT)
    survey_question_add(
        actor=actor,
        version=draft,
        type="csat",
        text_zh="您对本次服务的总体满意度如何？",
        text_en="Overall, how satisfied are you with how we handled your case?",
        is_required=True,
    )
    survey_question_add(
        actor=actor,
        version=draft,
        type="ces",
        text_zh="办理这件事对您来说容易吗？",
        text_en="How easy was it to get this sorted out?",
    )
    survey_question_add(
        actor=actor,
        version=draft,
        type="nps",
        text_zh="您有多大可能向亲友推荐我们的服务？",
        text_en="How likely are you to recommend us to a friend or colleague?",
    )
    survey_question_add(
        actor=actor,
        version=draft,
        type="single",
        text_zh="您最看重哪一方面？",
        text_en="What mattered most to you?",
        choices=[
            {"value": "speed", "zh": "办理速度", "en": "Speed"},
            {"value": "attitude", "zh": "服务态度", "en": "Courtesy"},
            {"value": "result", "zh": "处理结果", "en": "The outcome"},
            {"value": "information", "zh": "信息告知", "en": "Being kept informed"},
        ],
    )
    survey_question_add(
        actor=actor,
        version=draft,
        type="text",
        text_zh="还有什么想告诉我们的吗？",
        text_en="Anything else you would like to tell us?",
    )
    survey_version_publish(actor=actor, version=draft)
    survey_rule_save(actor=actor, survey=survey, name="所有已解决的工单", delay_minutes=0, sample_percent=100)
    # Start reading case events here: the demo's history is not surveyed, what is resolved from now on is.
    invitations_from_resolved_cases()
