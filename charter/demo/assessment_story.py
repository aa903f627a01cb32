"""The demo's assessment: a published scheme for agents, last month's cycle run to the end, this month's open.

- The scheme (一线服务人员月度考核方案) covers the agent role: indicators from the library (first
  responses and resolutions on time, CSAT, bad reviews, QA score), the supervisor's rating of service
  attitude citing the code of conduct, a self-assessment, commendations and 服务之星 as bonuses and minor
  violations as a deduction, the standard grades with 优秀 limited to 20% of a team, and outcome rules per
  grade. It affects pay, so it was published to the staff before the first period it applies to (Labour
  Contract Law art. 4); Li and Zhao acknowledged it, Chen has not yet.
- Before last month's cycle opened, a bad review of Li's was verified (valid) and Li appealed it (申诉复核);
  `sun.qa`, who neither verified it nor supervises Li, upheld the appeal, so the review is excluded from every
  indicator and the scorecard says so.
- Last month's cycle: Li and Zhao wrote their self-assessments (Chen did not), `wang.supervisor` scored Li and
  Zhao, `admin` scored Chen (nobody leads the repairs team), calibration, the head's approval (`admin`),
  publication; Li appealed and `sun.qa` upheld it (the grade rose one step), Zhao appealed and `sun.qa`
  rejected it; the cycle is final and each grade's outcomes are in the ledger.
- This month's cycle is open at the self-assessment step.
- Chen's improvement plan is under way, with a check-in.

Everything goes through the services; as in `demo.history`, rows are then moved back in time where a step
belongs to the past (the publication before the period, the appeal windows already over), through the base
manager, since the services stamp the time it is now. Audit events keep the time they were written.
"""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from charter.accounts.models import User
from charter.accounts.roles import Role
from charter.assessment.cycles import (
    appeal_decide,
    appeal_file,
    cycle_advance,
    cycle_approve,
    cycle_close,
    cycle_open,
    scorecard_acknowledge,
    scorecard_score,
    scorecard_self_submit,
)
from charter.assessment.models import (
    Appeal,
    Cycle,
    ImprovementPlan,
    Scheme,
    SchemeAcknowledgement,
    SchemeVersion,
    Scorecard,
)
from charter.assessment.plans import plan_check_in, plan_open
from charter.assessment.schemes import (
    AdjustmentContent,
    ItemContent,
    OutcomeRuleContent,
    SchemeVersionContent,
    scheme_acknowledge,
    scheme_create,
    scheme_version_draft_update,
    scheme_version_publish,
)
from charter.standards.models import StandardClause, StandardDocument
from charter.surveys.models import RecoveryTask, ReviewAppeal
from charter.surveys.reviews import review_appeal_decide, review_appeal_file, review_verify

SCHEME_CODE = "agents-monthly"
GRADES: list[dict[str, str | None]] = [
    {"code": "excellent", "name_zh": "优秀", "name_en": "Excellent", "minimum": "90"},
    {"code": "good", "name_zh": "良好", "name_en": "Good", "minimum": "80"},
    {"code": "pass", "name_zh": "合格", "name_en": "Pass", "minimum": "60"},
    {"code": "fail", "name_zh": "不合格", "name_en": "Fail", "minimum": None},
]


def _attitude_clause() -> StandardClause:
    clauses = StandardClause.objects.filter(
        version__status=SchemeVersion.Status.PUBLISHED,
        version__document__kind=StandardDocument.Kind.CODE_OF_CONDUCT,
    ).order_by("sort_key")
    return clauses.filter(category=StandardClause.Category.ATTITUDE).first() or clauses.get()


def _content(effective_from: dt.date) -> SchemeVersionContent:
    def linear(floor: str, target: str, cap: str) -> dict[str, str]:
        return {"type": "linear", "floor": floor, "target": target, "cap": cap}

    return SchemeVersionContent(
        effective_from=effective_from,
        grades=GRADES,
        quota_grade="excellent",
        quota_share=Decimal(20),
        bonus_cap=Decimal(10),
        deduction_cap=Decimal(20),
        appeal_days=5,
        change_summary_zh="首次发布。",
        change_summary_en="First publication.",
        items=(
            ItemContent(
                kind="indicator",
                code="sla_first_response_met",
                weight=Decimal(20),
                curve=linear("70", "95", "100"),
            ),
            ItemContent(
                kind="indicator",
                code="sla_resolution_met",
                weight=Decimal(20),
                curve=linear("70", "95", "100"),
            ),
            ItemContent(
                kind="indicator", code="csat_satisfied", weight=Decimal(15), curve=linear("60", "90", "100")
            ),
            ItemContent(
                kind="indicator", code="bad_review_share", weight=Decimal(10), curve=linear("20", "5", "0")
            ),
            ItemContent(
                kind="indicator", code="qa_average", weight=Decimal(10), curve=linear("60", "90", "100")
            ),
            ItemContent(
                kind="qualitative",
                code="attitude",
                weight=Decimal(15),
                name_zh="服务态度与文明用语",
                name_en="Attitude and courteous language",
                clause=_attitude_clause(),
            ),
            ItemContent(
                kind="self",
                code="self_review",
                weight=Decimal(10),
                name_zh="个人自评",
                name_en="Self-assessment",
            ),
        ),
        adjustments=(
            AdjustmentContent(
                kind="bonus",
                code="commendations",
                name_zh="客户表扬",
                name_en="Commendations",
                indicator="commendations",
                points_each=Decimal(2),
                cap=Decimal(6),
            ),
            AdjustmentContent(
                kind="bonus",
                code="service_star",
                name_zh="服务之星",
                name_en="Service star",
                points_each=Decimal(5),
                cap=Decimal(5),
            ),
            AdjustmentContent(
                kind="deduction",
                code="minor_violations",
                name_zh="一般违规",
                name_en="Minor violations",
                indicator="violations_minor",
                points_each=Decimal(3),
                cap=Decimal(9),
            ),
        ),
        outcome_rules=(
            OutcomeRuleContent(
                grade="excellent",
                bonus_coefficient=Decimal("1.20"),
                points=100,
                title_zh="月度服务之星",
                title_en="Service star of the month",
            ),
            OutcomeRuleContent(grade="good", bonus_coefficient=Decimal("1.10"), points=50),
            OutcomeRuleContent(grade="pass", bonus_coefficient=Decimal("1.00"), points=10),
            OutcomeRuleContent(
                grade="fail",
                bonus_coefficient=Decimal("0.80"),
                interview=True,
                improvement_plan=True,
                remedial_training=True,
            ),
        ),
    )


def _month_before(day: dt.date) -> dt.date:
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=timezone.get_default_timezone())


def _published_scheme(admin: User, people: dict[str, User], first_period: dt.date) -> SchemeVersion:
    scheme = scheme_create(
        actor=admin,
        code=SCHEME_CODE,
        name_zh="一线服务人员月度考核方案",
        name_en="Monthly assessment of front-line staff",
        description_zh="依据服务规范制度第四部分（服务评估与激励），按月考核一线服务人员。",
        description_en="Monthly assessment of front-line staff under part 4 of the service standards.",
        role_ids=[Group.objects.get(name=str(Role.AGENT)).pk],
    )
    draft = scheme.versions.get()
    # Published today with a future start, as the service requires, then moved back to where it belongs: a
    # month before the first period it applies to.
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    scheme_version_draft_update(actor=admin, version=draft, content=_content(tomorrow))
    version = scheme_version_publish(actor=admin, version=draft)
    published_at = _at(_month_before(first_period) + dt.timedelta(days=20))
    SchemeVersion._base_manager.filter(pk=version.pk).update(
        published_at=published_at, effective_from=first_period
    )
    for username in ("li.agent", "zhao.agent"):
        scheme_acknowledge(actor=people[username], version=version)
    SchemeAcknowledgement.objects.filter(version=version).update(
        acknowledged_at=published_at + dt.timedelta(days=2)
    )
    version.refresh_from_db()
    return version


def _bad_review_excluded(people: dict[str, User], period_start: dt.date) -> None:
    """Li's bad review of last month: verified valid by Wang, appealed by Li, upheld by Sun (independent)."""
    task = (
        RecoveryTask.objects.filter(
            response__handler=people["li.agent"],
            response__csat__lte=2,
            response__submitted_at__gte=_at(period_start, 0),
        )
        .order_by("response__submitted_at")
        .first()
    )
    if task is None:
        return
    task = review_verify(
        actor=people["wang.supervisor"],
        task=task,
        expected_version=task.version,
        outcome="valid",
        evidence="经核实，客户反映的等待时间属实，但延误系系统故障所致，非经办人原因。",
    )
    appeal = review_appeal_file(
        actor=people["li.agent"],
        task=task,
        reason="当日系统故障导致查询超时，已有运维记录为证，非本人服务原因。",
    )
    review_appeal_decide(
        actor=people["sun.qa"],
        appeal=appeal,
        expected_version=appeal.version,
        decision=ReviewAppeal.Status.UPHELD,
        reason="运维日志证实当日系统故障，该差评不计入李服务员的考核。",
    )


def _card(cycle: Cycle, person: User) -> Scorecard:
    return Scorecard.objects.select_related("cycle").get(cycle=cycle, person=person)


def _last_month(admin: User, people: dict[str, User], scheme: Scheme, start: dt.date) -> Cycle:
    cycle = cycle_open(actor=admin, scheme=scheme, period_start=start)
    for username, points, note in (
        ("li.agent", 90, "本月热线来电较多，首次响应均按时完成，仍需提高一次解决率。"),
        ("zhao.agent", 85, "营业厅业务熟练，个别高峰时段等待较长。"),
    ):
        card = _card(cycle, people[username])
        scorecard_self_submit(
            actor=people[username],
            scorecard=card,
            ratings={"self_review": points},
            comment=note,
            expected_version=card.lock_version,
        )
    cycle = cycle_advance(actor=admin, cycle=cycle, expected_version=cycle.lock_version)
    for username, scorer, points, stars, note in (
        ("li.agent", "wang.supervisor", 92, 1, "服务态度好，客户多次表扬；注意答复用语。"),
        ("zhao.agent", "wang.supervisor", 70, 0, "高峰时段解释不够耐心，需改进。"),
        ("chen.agent", "admin", 55, 0, "两次上门迟到，未提前告知客户。"),
    ):
        card = _card(cycle, people[username])
        scorecard_score(
            actor=people[scorer] if scorer in people else admin,
            scorecard=card,
            ratings={"attitude": points},
            awards={"service_star": stars},
            comment=note,
            expected_version=card.lock_version,
        )
    cycle = cycle_advance(actor=admin, cycle=cycle, expected_version=cycle.lock_version)
    cycle = cycle_advance(actor=admin, cycle=cycle, expected_version=cycle.lock_version)
    cycle = cycle_approve(actor=admin, cycle=cycle, expected_version=cycle.lock_version)
    li = _card(cycle, people["li.agent"])
    li = scorecard_acknowledge(actor=people["li.agent"], scorecard=li, expected_version=li.lock_version)
    upheld = appeal_file(
        actor=people["li.agent"],
        scorecard=li,
        reason="本月一条差评经申诉复核已认定不计入考核，但首次响应指标仍按系统故障当日的超时计算，请复核。",
        expected_version=li.lock_version,
    )
    zhao = _card(cycle, people["zhao.agent"])
    rejected = appeal_file(
        actor=people["zhao.agent"],
        scorecard=zhao,
        reason="服务态度评分偏低，高峰时段人手不足并非本人原因。",
        expected_version=zhao.lock_version,
    )
    grades = [str(grade["code"]) for grade in GRADES]
    better = grades[max(grades.index(upheld.previous_grade) - 1, 0)]
    appeal_decide(
        actor=people["sun.qa"],
        appeal=upheld,
        status=Appeal.Status.UPHELD,
        decision="运维记录证实故障当日的超时非本人原因，调整为上一等级。",
        new_grade=better,
        expected_version=upheld.lock_version,
    )
    appeal_decide(
        actor=people["sun.qa"],
        appeal=rejected,
        status=Appeal.Status.REJECTED,
        decision="评分有录音与质检记录支持，维持原等级。",
        expected_version=rejected.lock_version,
    )
    # The appeal windows are over: the cycle was published on the first working days of this month.
    windows_over = timezone.now() - dt.timedelta(minutes=5)
    Scorecard._base_manager.filter(cycle=cycle).update(appeal_due_at=windows_over)
    cycle.refresh_from_db()
    return cycle_close(actor=admin, cycle=cycle, expected_version=cycle.lock_version)


def _plan(admin: User, people: dict[str, User], today: dt.date) -> None:
    chen = people["chen.agent"]
    plan = ImprovementPlan.objects.filter(person=chen).first()
    if plan is None:
        plan = plan_open(
            actor=admin,
            person=chen,
            starts_on=today.replace(day=1),
            ends_on=today.replace(day=1) + dt.timedelta(days=89),
            summary="上月考核不合格：上门迟到、未提前告知客户。三个月内改进准时率与沟通。",
        )
    plan_check_in(
        actor=admin,
        plan=plan,
        on=today,
        note="已与陈维修员面谈（约谈），约定每次上门前一小时电话告知客户。",
        expected_version=plan.lock_version,
    )


def demo_assessment_story_load(*, actor: User) -> None:
    """Load the assessment story (see the module) once; a second run leaves it as it is."""
    if Scheme.objects.filter(code=SCHEME_CODE).exists():
        return
    people = {
        user.username: user
        for user in User.objects.filter(
            username__in=["li.agent", "zhao.agent", "chen.agent", "wang.supervisor", "sun.qa"]
        )
    }
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = _month_before(this_month)
    version = _published_scheme(actor, people, last_month)
    _bad_review_excluded(people, last_month)
    _last_month(actor, people, version.scheme, last_month)
    cycle_open(actor=actor, scheme=version.scheme, period_start=this_month)
    _plan(actor, people, today)
