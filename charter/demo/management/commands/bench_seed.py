"""Generate realistic benchmark data fast: `manage.py bench_seed --cases 1000000`.

Bulk inserts, not the services: the point is a large, realistic database to measure against, and the
services' per-case work (audit, events, notifications) would take hours at a million cases. What the
services keep consistent is kept here too: numbers are unique, open cases have running clocks and a next
deadline, and every case has its search row.
"""

import datetime as dt
import random
import secrets
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from charter.accounts.models import Customer, OrgUnit, Team, TeamMembership, User
from charter.accounts.roles import Role
from charter.accounts.services import org_unit_create, team_create, team_member_add, user_create
from charter.cases.models import Case, CaseClock, CaseMessage, CaseNumberCounter
from charter.cases.search import case_search_index_bulk
from charter.catalog.models import Service

SUBJECTS_ZH = [
    "水表读数异常",
    "停水未提前通知",
    "电费账单金额有误",
    "维修人员迟到",
    "发票需要重开",
    "物业电梯故障",
    "热线等待时间太长",
    "营业厅服务态度差",
    "报装进度查询",
    "小区路灯不亮",
    "燃气表更换预约",
    "表扬维修师傅",
]
SUBJECTS_EN = [
    "Meter reading looks wrong",
    "Water cut without notice",
    "Bill amount is incorrect",
    "Repair crew late",
    "Invoice reissue",
    "Lift out of order",
    "Long wait on the hotline",
    "Rude staff at the service hall",
    "Connection progress",
    "Street light broken",
    "Gas meter replacement",
    "Thanks to the repair team",
]
BODIES_ZH = [
    "我家从上个月开始{subject}，已经打过两次电话，请尽快处理并回复。",
    "关于{subject}的问题，希望贵公司核实后给出书面说明，并告知处理时限。",
    "{subject}，影响了正常生活，请安排人员上门查看。",
]
BODIES_EN = [
    "Since last month: {subject}. I called twice already; please look into it and reply.",
    "About '{subject}': please check and explain in writing, and tell me when it will be fixed.",
    "{subject}. It affects our daily life; please send someone to have a look.",
]
REPLIES = [
    "您好，您的诉求已收到，我们将在承诺时限内处理。",
    "Hello, we have received your request and will act within our commitment.",
    "已安排维修人员联系您预约上门时间。",
    "We have arranged a visit; the crew will call you to agree a time.",
    "经核实，账单无误，详见附件说明。",
    "内部备注：请抄表班组复核。",
]
OPEN = ["acknowledged", "in_progress", "waiting_customer", "escalated"]
CLOSED = ["resolved", "closed"]


class Command(BaseCommand):
    help = "Generate N realistic cases (1-5 messages each, 20 teams, 50 agents) for the benchmark."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument("--open-share", type=float, default=0.2)
        parser.add_argument("--batch", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        rng = random.Random(options["seed"])  # noqa: S311 (benchmark data, not secrets)
        admin = User.objects.get(username="admin")
        teams, agents = self._staff(admin)
        customers = self._customers(rng, max(options["cases"] // 50, 200))
        services: list[int | None] = list(Service.objects.values_list("pk", flat=True)) or [None]
        now = timezone.now()
        year = now.year
        counter, _created = CaseNumberCounter.objects.get_or_create(year=year)
        start = counter.last
        total = options["cases"]
        done = 0
        while done < total:
            size = min(options["batch"], total - done)
            with transaction.atomic():
                self._batch(
                    rng,
                    start + done,
                    size,
                    year,
                    now,
                    teams,
                    agents,
                    customers,
                    services,
                    options["open_share"],
                )
            done += size
            self.stdout.write(f"{done}/{total} cases")
        CaseNumberCounter.objects.filter(year=year).update(last=start + total)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"{total} cases generated."))

    def _staff(self, admin: User) -> tuple[list[Team], dict[int, list[User]]]:
        root = OrgUnit.objects.filter(parent__isnull=True).first()
        teams = list(Team.objects.filter(code__startswith="bench-team-").order_by("code"))
        if len(teams) < 20:
            centre = OrgUnit.objects.filter(code="bench-unit").first() or org_unit_create(
                actor=admin,
                code="bench-unit",
                name_zh="压测服务中心",
                name_en="Benchmark centre",
                kind=OrgUnit.Kind.BRANCH,
                parent=root,
            )
            for index in range(len(teams), 20):
                # One unit per team, as in a real organisation: a team lead's scope is his own team.
                unit = org_unit_create(
                    actor=admin,
                    code=f"bench-unit-{index:02d}",
                    name_zh=f"压测营业厅{index:02d}",
                    name_en=f"Benchmark hall {index:02d}",
                    kind=OrgUnit.Kind.DEPARTMENT,
                    parent=centre,
                )
                teams.append(
                    team_create(
                        actor=admin,
                        unit=unit,
                        code=f"bench-team-{index:02d}",
                        name_zh=f"压测班组{index:02d}",
                        name_en=f"Bench team {index:02d}",
                    )
                )
        agents: dict[int, list[User]] = {team.pk: [] for team in teams}
        for index in range(50):
            username = f"bench.agent{index:02d}"
            team = teams[index % 20]
            user = User.objects.filter(username=username).first()
            if user is None:
                user = user_create(
                    actor=admin,
                    username=username,
                    password="charter-bench-2026",  # noqa: S106
                    display_name=f"压测坐席{index:02d}",
                    roles=[Role.AGENT],
                )
            if not TeamMembership.objects.filter(team=team, user=user).exists():
                team_member_add(actor=admin, team=team, user=user, is_lead=index < 20)
            agents[team.pk].append(user)
        return teams, agents

    def _customers(self, rng: random.Random, count: int) -> list[int]:
        existing = list(Customer.objects.values_list("pk", flat=True)[:count])
        missing = count - len(existing)
        if missing > 0:
            surnames = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
            made = Customer.objects.bulk_create(
                [
                    Customer(
                        name=rng.choice(surnames)
                        + rng.choice(["伟", "芳", "娜", "敏", "静", "强", "磊", "洋"]),
                        phone=f"13{rng.randint(100000000, 999999999)}",
                        email=f"bench{index}@example.com",
                    )
                    for index in range(missing)
                ],
                batch_size=2000,
            )
            existing.extend(customer.pk for customer in made)
        return existing

    def _batch(
        self,
        rng: random.Random,
        offset: int,
        size: int,
        year: int,
        now: dt.datetime,
        teams: list[Team],
        agents: dict[int, list[User]],
        customers: list[int],
        services: list[int | None],
        open_share: float,
    ) -> None:
        cases = []
        for index in range(size):
            chinese = rng.random() < 0.7
            subjects, bodies = (SUBJECTS_ZH, BODIES_ZH) if chinese else (SUBJECTS_EN, BODIES_EN)
            subject = rng.choice(subjects)
            team = rng.choice(teams)
            is_open = rng.random() < open_share
            created = now - dt.timedelta(minutes=rng.randint(10, 365 * 24 * 60))
            cases.append(
                Case(
                    number=f"TS-{year}-{offset + index + 1:06d}",
                    kind=rng.choice(["inquiry", "complaint", "service_request", "suggestion", "praise"]),
                    channel=rng.choice(["web", "phone", "walk_in", "api"]),
                    status=rng.choice(OPEN if is_open else CLOSED),
                    priority=rng.choices(["low", "normal", "high", "urgent"], [2, 6, 2, 1])[0],
                    title=subject,
                    description=rng.choice(bodies).format(subject=subject),
                    customer_id=rng.choice(customers),
                    service_id=rng.choice(services),
                    team=team,
                    assignee=rng.choice(agents[team.pk]) if rng.random() < 0.85 else None,
                    tracking_token_hash=secrets.token_hex(32),
                    # Most open cases are inside their targets; about 2% are past due, as on a normal day.
                    next_deadline_at=(now + dt.timedelta(minutes=rng.randint(-120, 7200)))
                    if is_open
                    else None,
                    acknowledged_at=created,
                    remedy_amount=Decimal(rng.randint(0, 500))
                    if not is_open and rng.random() < 0.05
                    else None,
                )
            )
        made = Case.objects.bulk_create(cases)
        messages, clocks, documents = [], [], []
        for case in made:
            texts = [case.number, case.title, case.description]
            at = timezone.now()
            for _ in range(rng.randint(1, 5)):
                body = rng.choice(REPLIES)
                internal = body.startswith("内部备注")
                messages.append(
                    CaseMessage(
                        case=case,
                        author_kind="staff",
                        body=body,
                        is_internal=internal,
                        author=case.assignee,
                        created_at=at,
                    )
                )
                texts.append(body)
            documents.append((case.pk, texts))
            if case.next_deadline_at is not None:
                clocks.append(
                    CaseClock(
                        case=case,
                        metric="resolution",
                        status="running",
                        target_amount=3,
                        target_unit="working_days",
                        target_basis="working_time",
                        started_at=at,
                        due_at=case.next_deadline_at,
                        warn_at=case.next_deadline_at - dt.timedelta(hours=6),
                    )
                )
        CaseMessage.objects.bulk_create(messages, batch_size=5000)
        CaseClock.objects.bulk_create(clocks, batch_size=5000)
        case_search_index_bulk(documents)
