"""Demo cases for the demo organisation, made through the services. Idempotent.

Needs the accounts and catalog demos first (their teams, staff, customers and services). Loads a category
tree, each demo team's routing, canned responses in both languages, and about twenty cases of every kind and
status: complaints naming staff, a reconsideration, a merged duplicate, cases near their deadline and one past
it. Phone and walk-in cases are logged after the fact with `received_at`, which is how their clocks can have
run for a while; nothing else is back-dated.
"""

import dataclasses
import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from charter.accounts.models import Customer, Team, User
from charter.cases import clocks as arithmetic
from charter.cases.models import CannedResponse, Case, CaseCategory, TeamRouting
from charter.cases.services import (
    canned_response_create,
    case_accept,
    case_appeal,
    case_assign,
    case_category_create,
    case_clocks_sweep,
    case_create,
    case_customer_reply,
    case_link,
    case_merge,
    case_reply,
    case_resolve,
    case_transition,
    team_routing_set,
)
from charter.cases.services.routing import team_route
from charter.catalog.models import Service
from charter.common.vocabulary import Priority

DEMO_TAG = "demo"
# The first demo case: when it exists, the demo cases were loaded (under its earlier title too).
FIRST_TITLE = "这期水费比平时高出一倍"
FIRST_TITLES = (FIRST_TITLE, "三月水费比平时高出一倍")

CATEGORIES = (
    # code, parent, Chinese, English
    ("billing", None, "账单与缴费", "Bills and payments"),
    ("billing-amount", "billing", "金额有误", "Wrong amount"),
    ("billing-invoice", "billing", "发票问题", "Invoices"),
    ("supply", None, "供水供电", "Water and power supply"),
    ("supply-outage", "supply", "停水停电", "Outages"),
    ("supply-meter", "supply", "表计问题", "Meters"),
    ("property", None, "物业维修", "Property repairs"),
    ("property-home", "property", "户内维修", "Repairs at home"),
    ("property-common", "property", "公共区域", "Common areas"),
    ("conduct", None, "服务态度与规范", "Staff conduct"),
    ("conduct-attitude", "conduct", "服务态度", "Attitude"),
    ("conduct-punctuality", "conduct", "未按约定时间", "Missed appointments"),
    ("other", None, "其他", "Other"),
)

ROUTING = (
    # team, mode, default, services
    (
        "hotline",
        TeamRouting.Mode.ROUND_ROBIN,
        True,
        ("bill-inquiry", "invoice-reissue", "complaint-handling"),
    ),
    (
        "hall",
        TeamRouting.Mode.LEAST_OPEN,
        False,
        ("water-connection", "electricity-connection", "move-in-out"),
    ),
    (
        "repairs",
        TeamRouting.Mode.ROUND_ROBIN,
        False,
        ("fault-repair", "home-repair", "common-area-repair", "meter-reading-dispute"),
    ),
)

CANNED = (
    (
        "greeting",
        "问候",
        "{{customer_name}}您好，感谢您的来信。您的工单 {{case_number}} 由我（{{agent_name}}）负责处理。",
        "Greeting",
        "Dear {{customer_name}}, thank you for writing. I am {{agent_name}} and I handle your case "
        "{{case_number}}.",
    ),
    (
        "need-information",
        "请补充信息",
        "{{customer_name}}您好，为尽快处理工单 {{case_number}}，请补充您的户号和方便联系的时间。",
        "Ask for information",
        "Dear {{customer_name}}, to handle case {{case_number}} quickly, please send your account number "
        "and a good time to reach you.",
    ),
    (
        "apology",
        "致歉",
        "{{customer_name}}您好，给您带来不便，我们深表歉意。工单 {{case_number}} 的处理进展我们会及时告知。",
        "Apology",
        "Dear {{customer_name}}, we are sorry for the trouble. We will keep you informed about case "
        "{{case_number}}.",
    ),
    (
        "resolved",
        "处理完毕",
        "{{customer_name}}您好，工单 {{case_number}} 已处理完毕。"
        "如对结果不满意，可在 15 日内提出复核。——{{agent_name}}",
        "Resolved",
        "Dear {{customer_name}}, case {{case_number}} is resolved. If you disagree, you may ask for a review "
        "within 15 days. {{agent_name}}",
    ),
)


@dataclasses.dataclass(frozen=True)
class _People:
    admin: User
    supervisor: User
    hotline: User
    hall: User
    repairs: User
    customers: list[Customer]
    portal_customer: Customer
    teams: dict[str, Team]


def _people(actor: User) -> _People | None:
    users = {user.username: user for user in User.objects.filter(username__in=_USERNAMES)}
    customers = list(Customer.objects.order_by("pk")[:3])
    teams = {team.code: team for team in Team.objects.filter(code__in=("hotline", "hall", "repairs"))}
    if len(users) < len(_USERNAMES) or len(customers) < 3 or len(teams) < 3:
        return None
    portal = next((c for c in customers if c.user_id is not None), customers[0])
    return _People(
        admin=actor,
        supervisor=users["wang.supervisor"],
        hotline=users["li.agent"],
        hall=users["zhao.agent"],
        repairs=users["chen.agent"],
        customers=customers,
        portal_customer=portal,
        teams=teams,
    )


_USERNAMES = ("wang.supervisor", "li.agent", "zhao.agent", "chen.agent")


def _configuration(actor: User, teams: dict[str, Team]) -> dict[str, CaseCategory]:
    categories = {category.code: category for category in CaseCategory.objects.all()}
    for code, parent, name_zh, name_en in CATEGORIES:
        if code not in categories:
            categories[code] = case_category_create(
                actor=actor,
                code=code,
                name_zh=name_zh,
                name_en=name_en,
                parent=categories[parent] if parent else None,
                ordering=len(categories),
            )
    services = {service.slug: service for service in Service.objects.all()}
    for code, mode, is_default, slugs in ROUTING:
        if code in teams and not TeamRouting.objects.filter(team=teams[code]).exists():
            team_routing_set(
                actor=actor,
                team=teams[code],
                mode=mode,
                is_default=is_default,
                services=[services[slug] for slug in slugs if slug in services],
            )
    for code, title_zh, body_zh, title_en, body_en in CANNED:
        if not CannedResponse.objects.filter(code=code).exists():
            canned_response_create(
                actor=actor, code=code, title_zh=title_zh, body_zh=body_zh, title_en=title_en, body_en=body_en
            )
    return categories


def _received_near_deadline(
    *, kind: str, service: Service | None, channel: str, now: dt.datetime
) -> dt.datetime:
    """Return a time to log a case as received so that its first response (else its resolution) is past its
    warning and not yet due; now when there is none (out of hours, a warning only comes in working time)."""
    probe = Case(kind=kind, priority="normal", service=service, channel=channel)
    targets = arithmetic.targets_for(probe, at=now)
    for metric in ("first_response", "resolution"):
        target = targets[metric]
        calendar = arithmetic.calendar_for(team_route(service=service), target)
        # Minute steps over the first two hours (short targets), then ten-minute steps up to two weeks back.
        for minutes in [*range(1, 120), *range(120, 14 * 24 * 60, 10)]:
            start = now - dt.timedelta(minutes=minutes)
            plan = arithmetic.schedule(calendar, start=start, target=target, paused_seconds=0)
            if plan.warn_at <= now < plan.due_at:
                return start
    return now


def demo_load(*, actor: User) -> int:
    """Load the demo categories, routing, canned responses and cases; return how many cases were made.

    `actor` is the demo administrator. Makes no cases when the demo cases exist already, or when the accounts
    and catalog demos have not been loaded; finishes with a sweep, so the late case shows its breach.
    """
    people = _people(actor)
    if people is None:
        return 0
    with transaction.atomic():
        categories = _configuration(actor, people.teams)
        if Case.objects.filter(title__in=FIRST_TITLES).exists():
            return 0
        made = _cases(people, categories)
        case_clocks_sweep()
    return made


def _cases(people: _People, categories: dict[str, CaseCategory]) -> int:
    now = timezone.now()
    # What customers write agrees with the day the demo is loaded: no month is named that is not last month.
    previous_month = (timezone.localdate(now).replace(day=1) - dt.timedelta(days=1)).month
    services = {service.slug: service for service in Service.objects.all()}
    liu, chen, jane = people.customers[0], people.customers[1], people.customers[2]
    portal_user = people.portal_customer.user
    staff = people.hotline
    count = 0

    def make(
        customer: Customer,
        actor: User | None = None,
        *,
        kind: str,
        title: str,
        description: str,
        channel: str | None = None,
        service: Service | None = None,
        category: CaseCategory | None = None,
        priority: str = Priority.NORMAL,
        remedy_sought: str = "",
        named_staff: Sequence[User] = (),
        consent_version: str = "",
        received_at: dt.datetime | None = None,
    ) -> Case:
        nonlocal count
        count += 1
        if channel is None:
            channel = "web" if actor is None or not actor.is_staff_member else "phone"
        # Customers may not tag cases; the demo loader records a customer's own case as the system does.
        if actor is not None and not actor.is_staff_member:
            actor = None
        return case_create(
            actor=actor,
            customer=customer,
            kind=kind,
            channel=channel,
            title=title,
            description=description,
            service=service,
            category=category,
            priority=priority,
            remedy_sought=remedy_sought,
            named_staff=named_staff,
            consent_version=consent_version,
            tags=[DEMO_TAG],
            received_at=received_at,
        )

    # 1. A fresh inquiry from the portal: acknowledged, waiting for its first answer.
    make(
        people.portal_customer,
        portal_user,
        kind="inquiry",
        service=services.get("bill-inquiry"),
        category=categories["billing-amount"],
        title=FIRST_TITLE,
        description="我家这期的水费是 186 元，平时只有 90 元左右，家里没有漏水，请帮忙核查。",
        remedy_sought="核实用水量，如有错误请更正账单。",
        consent_version="2026-01",
    )
    # 2. An inquiry answered once: in progress, the next update on its clock.
    case = make(
        chen,
        staff,
        kind="inquiry",
        service=services.get("water-connection"),
        title="新房报装自来水需要哪些材料",
        description="刚买的新房，想办理自来水报装，需要带什么材料？多久能通水？",
        received_at=now - dt.timedelta(minutes=40),
    )
    case_reply(
        actor=case.assignee or people.hall,
        case=case,
        body="陈先生您好，报装需携带身份证、房产证或购房合同原件及复印件。资料齐全后 5 个工作日内通水。",
    )
    # 3. A complaint naming the repairs technician: handled by the hotline, independently.
    case = make(
        liu,
        staff,
        kind="complaint",
        priority="high",
        service=services.get("home-repair"),
        category=categories["conduct-punctuality"],
        title="维修师傅未按约定时间上门",
        description="约好上门修水管，过了约定时间两个小时也没人来，打电话也不接。",
        remedy_sought="尽快安排上门维修，并说明原因。",
        named_staff=[people.repairs],
        received_at=now - dt.timedelta(hours=1),
    )
    case = case_assign(
        actor=people.admin,
        case=case,
        team=people.teams["hotline"],
        assignee=people.hotline,
        reason="投诉涉及维修班组人员，转热线班组独立调查。",
    )
    case_reply(actor=people.hotline, case=case, body="已联系维修班组负责人核实当日排班。", is_internal=True)
    case_reply(
        actor=people.hotline,
        case=case,
        body="刘女士您好，非常抱歉给您带来不便。我们正在核实情况，今天下班前给您答复。",
    )
    # 4. A complaint about the hotline agent: escalated to the supervisor.
    case = make(
        jane,
        None,
        kind="complaint",
        category=categories["conduct-attitude"],
        service=services.get("complaint-handling"),
        title="Rude answer on the hotline / 热线服务态度差",
        description="The agent interrupted me twice and hung up before I could give my account number.",
        remedy_sought="An apology and a call back.",
        named_staff=[people.hotline],
    )
    case_transition(
        actor=people.supervisor,
        case=case,
        to_status="escalated",
        reason="涉及热线人员服务态度，主管亲自跟进。",
    )
    # 5. A service request waiting for the customer.
    case = make(
        liu,
        staff,
        channel="walk_in",
        kind="service_request",
        service=services.get("invoice-reissue"),
        category=categories["billing-invoice"],
        title=f"补开 {previous_month} 月电费发票",
        description=f"单位报销需要 {previous_month} 月份的电费发票，原发票遗失。",
        received_at=now - dt.timedelta(minutes=20),
    )
    case_reply(actor=people.hotline, case=case, body="请提供发票抬头和纳税人识别号，我们收到后即可补开。")
    case_transition(actor=people.hotline, case=case, to_status="waiting_customer")
    # 6. A service request done and resolved.
    case = make(
        chen,
        staff,
        channel="walk_in",
        kind="service_request",
        service=services.get("move-in-out"),
        title="办理入住交接",
        description="6 号楼 1203 室业主办理入住，需要抄表和交接钥匙。",
        received_at=now - dt.timedelta(hours=2),
    )
    handler = case.assignee or people.hall
    case_reply(actor=handler, case=case, body="已完成抄表（水 0012，电 0340）并交接钥匙两把。")
    case_resolve(actor=handler, case=case, outcome="done", reasons="入住交接已完成，读数已登记。")
    # 7. A suggestion, noted and accepted by the customer.
    case = make(
        people.portal_customer,
        portal_user,
        kind="suggestion",
        category=categories["other"],
        title="建议营业厅周六下午也开放",
        description="上班族工作日没时间，周六上午又人太多，希望周六下午也能办理业务。",
    )
    case = case_resolve(
        actor=people.supervisor, case=case, outcome="noted", reasons="已转营业厅管理部门研究，下季度试行。"
    )
    case_accept(case=case, actor=portal_user)
    # 8. Praise naming the hall agent.
    case = make(
        chen,
        people.hall,
        channel="walk_in",
        kind="praise",
        title="表扬营业厅赵服务员耐心细致",
        description="赵服务员帮我母亲办理过户，讲解非常耐心，还帮忙复印材料。",
        named_staff=[people.hall],
        received_at=now - dt.timedelta(minutes=10),
    )
    case_resolve(actor=people.supervisor, case=case, outcome="noted", reasons="已转达并记入服务之星评选。")
    # 9. A complaint not upheld, appealed: under reconsideration by someone else.
    case = make(
        liu,
        staff,
        kind="complaint",
        service=services.get("meter-reading-dispute"),
        category=categories["supply-meter"],
        title="对抄表读数有异议",
        description="本月读数 0458，比上月多 60 吨，我们家只有两口人，不可能用这么多水。",
        remedy_sought="重新抄表并退还多收的水费。",
        received_at=now - dt.timedelta(hours=3),
    )
    handler = case.assignee or people.repairs
    case_reply(actor=handler, case=case, body="已安排复抄，读数确认为 0458，水表运行正常。")
    case = case_resolve(
        actor=handler,
        case=case,
        outcome="not_upheld",
        reasons="复抄读数与原读数一致，水表经检定合格，用水量属实。",
    )
    case_appeal(case=case, reason="家里没有人住了半个月，用水量不可能这么大，要求第三方检定水表。")
    # 10. A duplicate merged into the first one, and a related case linked.
    original = make(
        jane,
        None,
        kind="service_request",
        service=services.get("fault-repair"),
        category=categories["supply-outage"],
        title="Power cut in building 3 / 3 号楼停电",
        description="No power on floors 5 to 8 for two hours now.",
        priority="urgent",
    )
    duplicate = make(
        jane,
        None,
        kind="service_request",
        service=services.get("fault-repair"),
        title="Still no power / 仍然停电",
        description="Writing again: still no power, and the lift is stuck.",
        priority="urgent",
    )
    case_customer_reply(case=duplicate, body="Please hurry, an elderly neighbour needs the lift.")
    target = case_merge(actor=people.admin, source=duplicate, target=original)
    related = make(
        chen,
        staff,
        kind="inquiry",
        category=categories["supply-outage"],
        title="3 号楼什么时候恢复供电",
        description="邻居说 3 号楼停电了，我家在 4 号楼，会不会受影响？",
        received_at=now - dt.timedelta(minutes=5),
    )
    case_link(actor=people.admin, case=target, other=related)
    # 11. A cancelled case.
    case = make(
        people.portal_customer,
        portal_user,
        kind="inquiry",
        title="测试提交",
        description="不小心提交了，请忽略。",
    )
    case_transition(
        actor=people.supervisor, case=case, to_status="cancelled", reason="客户误提交，已电话确认。"
    )
    # 12. A reopened case: the problem came back.
    case = make(
        liu,
        staff,
        kind="service_request",
        service=services.get("common-area-repair"),
        category=categories["property-common"],
        title="楼道灯不亮",
        description="2 号楼 3 单元 5 楼到 7 楼的楼道灯都不亮。",
        received_at=now - dt.timedelta(hours=4),
    )
    handler = case.assignee or people.repairs
    case = case_resolve(actor=handler, case=case, outcome="done", reasons="已更换 3 个感应灯泡。")
    case_transition(
        actor=people.admin, case=case, to_status="in_progress", reason="业主反映 6 楼灯又不亮了。"
    )
    # 13-16. Open cases near their first-response deadline.
    for title, description, kind, slug in (
        (
            "发票抬头开错了",
            "电子发票抬头少了“有限公司”四个字，需要重开。",
            "service_request",
            "invoice-reissue",
        ),
        ("卫生间漏水到楼下", "楼下邻居说我家卫生间漏水，麻烦来看看。", "service_request", "home-repair"),
        (
            "电费缴了但显示欠费",
            "昨天在网上缴了电费 200 元，今天系统还是显示欠费。",
            "inquiry",
            "bill-inquiry",
        ),
        ("电梯异响", "1 号楼电梯运行时有很大的摩擦声。", "complaint", "common-area-repair"),
    ):
        service = services.get(slug)
        make(
            chen if kind == "complaint" else liu,
            staff,
            kind=kind,
            service=service,
            title=title,
            description=description,
            received_at=_received_near_deadline(kind=kind, service=service, channel="phone", now=now),
        )
    # 17. One case past its deadline: logged late, never answered.
    make(
        jane,
        staff,
        kind="complaint",
        service=services.get("bill-inquiry"),
        category=categories["billing-amount"],
        title="Late fee charged although I paid on time / 按时缴费仍被收滞纳金",
        description="I paid last month's bill before the due date and was still charged a late fee.",
        remedy_sought="Refund of the late fee (12.50 CNY).",
        received_at=now - dt.timedelta(days=12),
    )
    # 18-19. Two more fresh cases from the web.
    make(
        people.portal_customer,
        portal_user,
        kind="inquiry",
        service=services.get("electricity-connection"),
        title="充电桩报装流程",
        description="小区车位想安装充电桩，需要办理什么手续？😊",
    )
    make(
        jane,
        None,
        kind="praise",
        title="Thank you to the repairs team / 感谢维修班组",
        description="The boiler was fixed within the hour, on a Sunday. Excellent service! 👍",
        named_staff=[people.repairs],
    )
    # 20. A burst pipe reported by phone: the fault-repair charter promises a crew on site within 45 minutes,
    # so the case runs an on-site arrival clock until staff record the visit.
    make(
        chen,
        staff,
        kind="service_request",
        service=services.get("fault-repair"),
        title="楼道水管爆裂",
        description="3 号楼 2 单元一楼楼道水管爆裂，水流很大，已关闭单元总阀。",
        remedy_sought="尽快派人抢修。",
        received_at=now - dt.timedelta(minutes=15),
    )
    return count
