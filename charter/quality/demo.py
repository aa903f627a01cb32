"""Demo data of quality: the default scorecard built from the demo code of conduct, published, and one
sampling rule per demo team. Idempotent. Also a helper for the demo story's scores.

The story's steps call the services directly: `review_sample_case` (draw the flagged case), the reviewer's
`review_scores_save(..., submit=True)` with `demo_scores`, the agent's `review_dispute`, and the
supervisor's or second reviewer's `review_dispute_decide`.
"""

from collections.abc import Mapping

from django.db import transaction

from charter.accounts.models import Team, User
from charter.quality.models import Criterion, Review, SamplingRule, Scale, Scorecard, Section
from charter.quality.selectors import criterion_list, scorecard_version_current, scorecard_version_draft_of
from charter.quality.services import (
    ScoreInput,
    criterion_save,
    sampling_rule_save,
    scorecard_create,
    scorecard_version_publish,
)
from charter.standards.models import StandardClause, StandardDocument
from charter.standards.selectors import standard_version_latest_published

CODE = "default"
CONDUCT_CODE = "code-of-conduct"

# section, clause number, Chinese criterion, English criterion, weight, scale, auto-fail, compliance, N/A
CRITERIA: tuple[tuple[str, str, str, str, int, str, bool, bool, bool], ...] = (
    (
        Section.OPENING,
        "1.6",
        "使用问候语和尊称",
        "Greets the customer and uses a form of address",
        10,
        Scale.YES_NO,
        False,
        False,
        False,
    ),
    (
        Section.COMMUNICATION,
        "2.1",
        "耐心倾听、准确理解诉求",
        "Listens and understands the request",
        15,
        Scale.ONE_TO_FIVE,
        False,
        False,
        False,
    ),
    (
        Section.COMMUNICATION,
        "2.2",
        "表达清晰易懂，专业术语有解释",
        "Clear, plain language; jargon explained",
        15,
        Scale.ONE_TO_FIVE,
        False,
        False,
        False,
    ),
    (
        Section.COMMUNICATION,
        "2.3",
        "友好耐心，无不当或不耐烦用语",
        "Patient and friendly; no improper or impatient words",
        20,
        Scale.ONE_TO_FIVE,
        False,
        False,
        False,
    ),
    (
        Section.RESOLUTION,
        "3.3",
        "主动提供解决方案",
        "Offers a solution",
        15,
        Scale.ONE_TO_FIVE,
        False,
        False,
        False,
    ),
    (
        Section.RESOLUTION,
        "4.5",
        "信息准确，不误导客户",
        "Accurate information; nothing misleading",
        10,
        Scale.YES_NO,
        False,
        False,
        False,
    ),
    (
        Section.RESOLUTION,
        "3.6",
        "全程跟进并及时反馈进展",
        "Follows through and keeps the customer informed",
        10,
        Scale.ONE_TO_FIVE,
        False,
        False,
        True,
    ),
    (
        Section.COMPLIANCE,
        "5.1",
        "未泄露客户机密或他人信息",
        "No disclosure of confidential or another customer's data",
        0,
        Scale.YES_NO,
        True,
        True,
        False,
    ),
    (
        Section.COMPLIANCE,
        "5.2",
        "妥善处理客户个人数据",
        "Handles customer data safely",
        0,
        Scale.YES_NO,
        False,
        True,
        False,
    ),
    (
        Section.COMPLIANCE,
        "3.4",
        "按标准流程办理",
        "Follows the standard process",
        0,
        Scale.YES_NO,
        False,
        True,
        False,
    ),
    (
        Section.CLOSING,
        "1.4",
        "结束前确认是否还有其他需要",
        "Asks whether anything else is needed before closing",
        5,
        Scale.YES_NO,
        False,
        False,
        False,
    ),
)


def _admin(actor: User | None) -> User:
    admin = actor or User.objects.filter(username="admin").first()
    if admin is None:
        raise RuntimeError("Load the accounts demo first: there is no administrator.")
    return admin


def quality_demo_load(*, actor: User | None = None) -> Scorecard:
    """Create and publish the default scorecard from the demo code of conduct and a sampling rule per demo
    team, unless they exist; return the scorecard. `actor` defaults to the demo administrator."""
    admin = _admin(actor)
    with transaction.atomic():
        scorecard = Scorecard.objects.filter(code=CODE).first() or scorecard_create(
            actor=admin, code=CODE, name_zh="通用服务质检评分表", name_en="Default service QA scorecard"
        )
        draft = scorecard_version_draft_of(scorecard=scorecard)
        if scorecard_version_current(scorecard=scorecard) is None and draft is not None:
            document = StandardDocument.objects.filter(code=CONDUCT_CODE).first()
            version = standard_version_latest_published(document=document) if document else None
            if version is None:
                raise RuntimeError("Load the standards demo first: the code of conduct is not published.")
            clauses = {clause.number: clause for clause in StandardClause.objects.filter(version=version)}
            if not draft.criteria.exists():
                for ordering, row in enumerate(CRITERIA):
                    section, number, title_zh, title_en, weight, scale, auto_fail, compliance, na = row
                    criterion_save(
                        actor=admin,
                        criterion=Criterion(
                            version=draft,
                            section=section,
                            ordering=ordering,
                            title_zh=title_zh,
                            title_en=title_en,
                            clause=clauses[number],
                            weight=weight,
                            scale=scale,
                            is_auto_fail=auto_fail,
                            is_compliance=compliance,
                            allows_not_applicable=na,
                        ),
                    )
            scorecard_version_publish(actor=admin, version=draft)
        for team in Team.objects.order_by("code"):
            if not SamplingRule.objects.filter(team=team, scorecard=scorecard).exists():
                sampling_rule_save(
                    actor=admin,
                    rule=SamplingRule(team=team, scorecard=scorecard, per_agent_per_month=4),
                )
    return scorecard


def demo_scores(
    review: Review, values: Mapping[str, int | None], comments: Mapping[str, str] | None = None
) -> list[ScoreInput]:
    """Scores for every criterion of `review`: the best answer, except `values` given by clause number
    (e.g. {"2.3": 2}), with `comments` by clause number."""
    comments = comments or {}
    out = []
    for criterion in criterion_list(version=review.scorecard_version):
        number = criterion.clause.number
        best = 1 if criterion.scale == Scale.YES_NO else 5
        out.append(
            ScoreInput(
                criterion_id=criterion.pk,
                value=values[number] if number in values else best,
                comment=comments.get(number, ""),
            )
        )
    return out
