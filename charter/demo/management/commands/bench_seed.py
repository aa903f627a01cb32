"""Generate realistic benchmark data fast: `manage.py bench_seed --cases 1000000`.

`--staff 500 --assessment` (for bench/assessment.py) seeds 500 staff in 50 teams (ten regional centres,
one unit per team, each team with its lead) and, over the year the cases span, what every assessment
indicator reads: resolutions with their handler and outcome, stopped first-response and resolution clocks
(mostly met, some breached, a few cancelled), reopenings, replies spread over each case's life with
reply-check findings, survey responses (CSAT 1-5 with some 1-2, NPS 0-10) attributed to the handler, QA
reviews (a few auto-failed or disputed), complaints and praise naming staff, and conduct violations.

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
from charter.cases.models import (
    Case,
    CaseClock,
    CaseEvent,
    CaseMessage,
    CaseNumberCounter,
    CaseOutcome,
)
from charter.cases.search import case_search_index_bulk
from charter.catalog.models import Service
from charter.common.vocabulary import CaseKind
from charter.conduct.models import LadderStep, Violation
from charter.quality.models import Finding, Review, ScorecardVersion
from charter.standards.models import StandardClause
from charter.surveys.models import Invitation, Response, SurveyVersion

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
        parser.add_argument(
            "--staff", type=int, default=50, help="agents (a tenth of them team leads, at least 20 teams)"
        )
        parser.add_argument(
            "--assessment",
            action="store_true",
            help="also seed what the assessment indicators read (resolutions, clocks, surveys, QA, conduct)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rng = random.Random(options["seed"])  # noqa: S311 (benchmark data, not secrets)
        admin = User.objects.get(username="admin")
        teams, agents = self._staff(admin, options["staff"])
        extras = _AssessmentData.load(admin) if options["assessment"] else None
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
                    extras,
                )
            done += size
            self.stdout.write(f"{done}/{total} cases")
        CaseNumberCounter.objects.filter(year=year).update(last=start + total)
        if extras is not None:
            extras.violations(rng, agents, now)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"{total} cases generated."))

    def _staff(self, admin: User, staff: int = 50) -> tuple[list[Team], dict[int, list[User]]]:
        root = OrgUnit.objects.filter(parent__isnull=True).first()
        teams = list(Team.objects.filter(code__startswith="bench-team-").order_by("code"))
        team_count = max(20, staff // 10)
        if len(teams) < team_count:
            centre = OrgUnit.objects.filter(code="bench-unit").first() or org_unit_create(
                actor=admin,
                code="bench-unit",
                name_zh="压测服务中心",
                name_en="Benchmark centre",
                kind=OrgUnit.Kind.BRANCH,
                parent=root,
            )
            for index in range(len(teams), team_count):
                # One unit per team, as in a real organisation: a team lead's scope is his own team. Past
                # 20 teams, the halls are grouped ten to a regional centre.
                unit = org_unit_create(
                    actor=admin,
                    code=f"bench-unit-{index:02d}",
                    name_zh=f"压测营业厅{index:02d}",
                    name_en=f"Benchmark hall {index:02d}",
                    kind=OrgUnit.Kind.DEPARTMENT,
                    parent=centre if team_count == 20 else self._region(admin, centre, index // 10),
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
        for index in range(staff):
            username = f"bench.agent{index:02d}"
            team = teams[index % team_count]
            user = User.objects.filter(username=username).first()
            if user is None:
                user = user_create(
                    actor=admin,
                    username=username,
                    # Past the first 50 nobody signs in: no password to hash (Argon2 costs ~0.1 s each).
                    password="charter-bench-2026" if index < 50 else None,
                    display_name=f"压测坐席{index:02d}",
                    roles=[Role.AGENT],
                )
            if not TeamMembership.objects.filter(team=team, user=user).exists():
                team_member_add(actor=admin, team=team, user=user, is_lead=index < team_count)
            agents[team.pk].append(user)
        return teams, agents

    def _region(self, admin: User, centre: OrgUnit, number: int) -> OrgUnit:
        code = f"bench-region-{number:02d}"
        return OrgUnit.objects.filter(code=code).first() or org_unit_create(
            actor=admin,
            code=code,
            name_zh=f"压测片区中心{number:02d}",
            name_en=f"Benchmark region {number:02d}",
            kind=OrgUnit.Kind.BRANCH,
            parent=centre,
        )

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
        extras: "_AssessmentData | None" = None,
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
                case := Case(
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
            if extras is not None:
                extras.shape(rng, case, created, now, agents[team.pk])
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
                        author=case.assignee if extras is None else extras.handler(case),
                        created_at=at if extras is None else extras.reply_time(rng, case, now),
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
        if extras is not None:
            extras.follow_up(rng, made, messages, now, agents)


class _AssessmentData:
    """What the assessment indicators read, shaped onto the generated cases (`--assessment`)."""

    def __init__(
        self,
        admin: User,
        survey_version: SurveyVersion | None,
        qa_version: ScorecardVersion | None,
        reviewer: User,
        clauses: list[StandardClause],
        steps: list[LadderStep],
    ) -> None:
        self.admin = admin
        self.survey_version = survey_version
        self.qa_version = qa_version
        self.reviewer = reviewer
        self.clauses = clauses
        self.steps = steps

    @classmethod
    def load(cls, admin: User) -> "_AssessmentData":
        """Read the demo's published survey, QA scorecard, code of conduct and ladder (load_demo first)."""
        reviewer = User.objects.filter(groups__name=Role.QA_REVIEWER).order_by("pk").first() or admin
        return cls(
            admin,
            SurveyVersion.objects.filter(status="published").order_by("pk").first(),
            ScorecardVersion.objects.filter(status="published").order_by("pk").first(),
            reviewer,
            list(StandardClause.objects.select_related("version").order_by("pk")[:20]),
            list(LadderStep.objects.order_by("position", "pk")[:3]),
        )

    @staticmethod
    def handler(case: Case) -> User | None:
        """The handler the indicators count: the assignee, else the resolver."""
        return case.assignee or case.resolved_by

    def shape(
        self, rng: random.Random, case: Case, created: dt.datetime, now: dt.datetime, team: list[User]
    ) -> None:
        """Date the case at `created`; a closed one gets its first response, resolution and outcome."""
        case.received_at = created
        case.first_responded_at = min(created + dt.timedelta(minutes=rng.randint(5, 2 * 24 * 60)), now)
        if case.status not in CLOSED:
            return
        resolved = min(created + dt.timedelta(minutes=rng.randint(60, 8 * 24 * 60)), now)
        case.first_responded_at = min(case.first_responded_at, resolved)
        case.resolved_at = resolved
        case.resolved_by = case.assignee or rng.choice(team)
        case.first_handler = case.resolved_by
        if case.kind == CaseKind.COMPLAINT:
            case.outcome = rng.choices(
                [CaseOutcome.UPHELD, CaseOutcome.PARTLY_UPHELD, CaseOutcome.NOT_UPHELD], [25, 15, 60]
            )[0]
        elif case.kind == CaseKind.PRAISE:
            case.outcome = CaseOutcome.NOTED
        else:
            case.outcome = rng.choice([CaseOutcome.ANSWERED, CaseOutcome.DONE])
        if case.status == "closed":
            case.closed_at = min(resolved + dt.timedelta(days=7), now)

    @staticmethod
    def reply_time(rng: random.Random, case: Case, now: dt.datetime) -> dt.datetime:
        """A reply somewhere in the case's life: between its arrival and its resolution (or now)."""
        end = case.resolved_at or now
        span = max(int((end - case.received_at).total_seconds()), 1)
        return case.received_at + dt.timedelta(seconds=rng.randint(0, span))

    def follow_up(
        self,
        rng: random.Random,
        made: list[Case],
        messages: list[CaseMessage],
        now: dt.datetime,
        agents: dict[int, list[User]],
    ) -> None:
        """Stopped clocks, reopenings, named staff, survey responses, reply findings and QA reviews."""
        clocks, events, named, invitations, responses, reviews = [], [], [], [], [], []
        for case in made:
            handler = self.handler(case)
            clocks += self._clocks(rng, case)
            if case.resolved_at is None or handler is None:
                continue
            if rng.random() < 0.03:
                events.append(
                    CaseEvent(
                        case=case,
                        kind=CaseEvent.Kind.REOPENED,
                        actor=handler,
                        occurred_at=case.resolved_at - dt.timedelta(minutes=rng.randint(1, 60)),
                    )
                )
            if case.kind == CaseKind.COMPLAINT and rng.random() < 0.3:
                named.append(Case.named_staff.through(case_id=case.pk, user_id=handler.pk))
            if case.kind == CaseKind.PRAISE and rng.random() < 0.4:
                named.append(Case.named_staff.through(case_id=case.pk, user_id=handler.pk))
            answered = case.resolved_at + dt.timedelta(minutes=rng.randint(30, 3 * 24 * 60))
            if self.survey_version is not None and answered < now and rng.random() < 0.2:
                invitation = Invitation(
                    version=self.survey_version,
                    customer_id=case.customer_id,
                    case=case,
                    token_hash=secrets.token_hex(32),
                    status="answered",
                    send_at=case.resolved_at,
                    sent_at=case.resolved_at,
                    expires_at=case.resolved_at + dt.timedelta(days=7),
                    answered_at=answered,
                )
                invitations.append(invitation)
                responses.append(
                    Response(
                        invitation=invitation,
                        version=self.survey_version,
                        case=case,
                        service_id=case.service_id,
                        team_id=case.team_id,
                        handler=handler,
                        channel=case.channel,
                        kind=case.kind,
                        csat=rng.choices([1, 2, 3, 4, 5, None], [5, 7, 13, 30, 42, 3])[0],
                        nps=rng.choices(range(11), [2, 1, 1, 2, 2, 4, 6, 10, 16, 22, 34])[0],
                        submitted_at=answered,
                        **self._exclusion(rng, answered),
                    )
                )
            if self.qa_version is not None and rng.random() < 0.02:
                reviews.append(self._review(rng, case, case.resolved_at, handler, now))
        CaseClock.objects.bulk_create(clocks, batch_size=5000)
        CaseEvent.objects.bulk_create(events, batch_size=5000)
        Case.named_staff.through.objects.bulk_create(named, batch_size=5000)
        Invitation.objects.bulk_create(invitations, batch_size=5000)
        made_responses = Response.objects.bulk_create(responses, batch_size=5000)
        Response.agents.through.objects.bulk_create(
            [
                Response.agents.through(response_id=response.pk, user_id=response.handler_id)
                for response in made_responses
            ],
            batch_size=5000,
        )
        Review.objects.bulk_create(reviews, batch_size=5000)
        Finding.objects.bulk_create(self._findings(rng, messages), batch_size=5000)

    @staticmethod
    def _exclusion(rng: random.Random, answered: dt.datetime) -> dict[str, Any]:
        # About 1 in 100 responses is a bad review ruled not valid (好差评 verification): in no indicator.
        if rng.random() < 0.01:
            return {"assessment_excluded_at": answered, "assessment_exclusion": "not_valid"}
        return {}

    def _clocks(self, rng: random.Random, case: Case) -> list[CaseClock]:
        stops = [("first_response", case.first_responded_at, 4, "working_hours")]
        if case.resolved_at is not None:
            stops.append(("resolution", case.resolved_at, 3, "working_days"))
        clocks = []
        for metric, stopped, amount, unit in stops:
            if stopped is None:
                continue
            due = case.received_at + (dt.timedelta(hours=4) if amount == 4 else dt.timedelta(days=4))
            status = rng.choices(["met", "breached", "cancelled"], [86, 13, 1])[0]
            clocks.append(
                CaseClock(
                    case=case,
                    metric=metric,
                    status=status,
                    target_amount=amount,
                    target_unit=unit,
                    target_basis="working_time",
                    started_at=case.received_at,
                    due_at=due,
                    warn_at=due - dt.timedelta(hours=1),
                    met_at=stopped if status == "met" else None,
                    breached_at=due if status == "breached" else None,
                    stopped_at=stopped,
                )
            )
        return clocks

    def _review(
        self, rng: random.Random, case: Case, resolved: dt.datetime, agent: User, now: dt.datetime
    ) -> Review:
        sampled = min(resolved + dt.timedelta(days=rng.randint(0, 5)), now)
        submitted = min(sampled + dt.timedelta(days=rng.randint(0, 3)), now)
        failed = rng.random() < 0.04
        status = rng.choices(["submitted", "acknowledged", "disputed", "decided"], [30, 60, 3, 7])[0]
        return Review(
            scorecard_version=self.qa_version,
            case=case,
            agent=agent,
            team_id=case.team_id,
            reviewer=self.reviewer,
            reason=rng.choice(["quota", "share", "complaint", "breach", "low_survey"]),
            status=status,
            sampled_at=sampled,
            month=sampled.date().replace(day=1),
            overall_score=Decimal(0) if failed else Decimal(rng.randint(55, 100)),
            is_auto_failed=failed,
            submitted_at=submitted,
            acknowledged_at=submitted if status == "acknowledged" else None,
        )

    def _findings(self, rng: random.Random, messages: list[CaseMessage]) -> list[Finding]:
        findings = []
        for message in messages:
            if message.is_internal or message.author_id is None or rng.random() >= 0.04 or not self.clauses:
                continue
            check = rng.choice(["improper_wording", "impatient_wording", "unexplained_jargon"])
            findings.append(
                Finding(
                    case_id=message.case_id,
                    message=message,
                    agent_id=message.author_id,
                    team_id=message.case.team_id,
                    check_code=check,
                    key=check,
                    clause=rng.choice(self.clauses),
                    excerpt=message.body[:50],
                    replied_at=message.created_at,
                )
            )
        return findings

    def violations(self, rng: random.Random, agents: dict[int, list[User]], now: dt.datetime) -> None:
        """About one violation a year for every second member of staff, decided over the last year; most
        stand, a few overturned on appeal or still awaiting the staff member's response."""
        if not self.clauses or not self.steps:
            return
        made = []
        for team_id, members in agents.items():
            for person in members:
                for _ in range(rng.choices([0, 1, 2], [55, 35, 10])[0]):
                    decided = now - dt.timedelta(minutes=rng.randint(60, 365 * 24 * 60))
                    clause = rng.choice(self.clauses)
                    status = rng.choices(
                        ["in_effect", "closed", "awaiting_response", "appealed"], [40, 50, 5, 5]
                    )[0]
                    made.append(
                        Violation(
                            staff=person,
                            team_id=team_id,
                            clause=clause,
                            version=clause.version,
                            occurred_at=decided - dt.timedelta(days=rng.randint(1, 10)),
                            description="压测：服务规范执行不到位。",
                            severity=rng.choices(["minor", "general", "serious"], [70, 25, 5])[0],
                            recorded_by=self.admin,
                            status=status,
                            step=rng.choice(self.steps),
                            decided_by=self.admin,
                            decided_at=decided,
                            effective_at=decided if status != "awaiting_response" else None,
                            appeal_outcome="overturned" if status == "closed" and rng.random() < 0.05 else "",
                        )
                    )
        Violation.objects.bulk_create(made, batch_size=2000)
