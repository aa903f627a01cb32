"""Last month's demo history: cases handled, promises kept or missed, and the customers' ratings.

The public service pages publish the last full month's figures, so a fresh demo needs a month behind it.
Cases are made, answered, resolved and rated through the real services (clocks, events, attribution and
audit as in real use); then their timestamps, and those of everything they caused, are moved back into last
month by whole days, so the figures are what real use would have produced. Some cases are resolved late,
so not every promise shows as kept.
"""

import datetime as dt
import random

from django.db.models import F
from django.utils import timezone

from charter.accounts.models import User
from charter.accounts.services import customer_create
from charter.cases.models import Case, CaseClock, CaseEvent, CaseMessage, NotificationJob
from charter.cases.services import case_create, case_reply, case_resolve
from charter.catalog.models import Service
from charter.surveys.invitations import invitation_for_case
from charter.surveys.models import Invitation, Question, Response, SurveyVersion
from charter.surveys.responses import response_submit

MARKER = "【示例历史】"
SERVICES = ("bill-inquiry", "fault-repair", "meter-reading-dispute", "water-connection")
TITLES = (
    ("水费账单金额异常", "本月账单比上月高出一倍，请核实。"),
    ("停水后何时恢复", "小区昨天起停水，请告知恢复时间。"),
    ("电表读数与实际不符", "电表显示的读数明显偏大。"),
    ("新装水表办理进度", "上周申请的新装水表，想了解进度。"),
    ("Meter reading looks wrong", "The reading on my bill is far above what the meter shows."),
)


def cases_moved(cases: list[Case], days: int) -> None:
    """Move the cases and everything they caused back by `days` whole days."""
    shift = dt.timedelta(days=days)
    ids = [case.pk for case in cases]
    Case.objects.filter(pk__in=ids).update(
        created_at=F("created_at") - shift,
        received_at=F("received_at") - shift,
        acknowledged_at=F("acknowledged_at") - shift,
        first_responded_at=F("first_responded_at") - shift,
        resolved_at=F("resolved_at") - shift,
        appeal_until=F("appeal_until") - shift,
        next_deadline_at=F("next_deadline_at") - shift,
    )
    clocks = CaseClock.objects.filter(case_id__in=ids)
    for field in ("started_at", "due_at", "warn_at", "met_at", "stopped_at", "warned_at", "breached_at"):
        clocks.filter(**{f"{field}__isnull": False}).update(**{field: F(field) - shift})
    CaseEvent.objects.filter(case_id__in=ids).update(occurred_at=F("occurred_at") - shift)
    CaseMessage.objects.filter(case_id__in=ids).update(created_at=F("created_at") - shift)
    invitations = Invitation.objects.filter(case_id__in=ids)
    for field in ("send_at", "sent_at", "expires_at", "answered_at"):
        invitations.filter(**{f"{field}__isnull": False}).update(**{field: F(field) - shift})
    Invitation.objects.filter(case_id__in=ids).update(created_at=F("created_at") - shift)
    Response.objects.filter(case_id__in=ids).update(submitted_at=F("submitted_at") - shift)


NAMES = (
    "赵磊",
    "钱芳",
    "孙伟",
    "李娜",
    "周杰",
    "吴敏",
    "郑强",
    "王静",
    "冯涛",
    "陈丽",
    "Emma Clark",
    "David Lee",
)


def demo_history_load(*, actor: User) -> int:
    """Make last month's history once (nothing when it exists or the demo is incomplete); return the cases."""
    if Case.objects.filter(title__startswith=MARKER).exists():
        return 0
    staff = list(User.objects.filter(username__in=("li.agent", "zhao.agent", "chen.agent")))
    if not staff:
        return 0
    services = list(Service.objects.filter(slug__in=SERVICES, is_active=True))
    version = SurveyVersion.objects.filter(
        survey__code="after-case", status=SurveyVersion.Status.PUBLISHED
    ).first()
    if not services or version is None:
        return 0
    first_scale = version.questions.filter(type=Question.Type.CSAT).first()
    customers = [
        customer_create(
            actor=actor, name=name, phone=f"1390000{index:04d}", language="en" if " " in name else "zh-hans"
        )
        for index, name in enumerate(NAMES)
    ]
    rng = random.Random(2026)  # noqa: S311 - demo data, reproducible
    today = timezone.localdate()
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    made: list[tuple[Case, int]] = []
    for index in range(36):
        title, description = TITLES[index % len(TITLES)]
        customer = customers[index % len(customers)]
        case = case_create(
            actor=None,
            kind="complaint" if index % 4 == 0 else "inquiry",
            channel="web",
            customer=customer,
            service=services[index % len(services)],
            title=f"{MARKER}{title}",
            description=description,
        )
        handler = case.assignee or staff[index % len(staff)]
        case_reply(actor=handler, case=case, body="您好，已收到，我们正在核实处理。")
        outcome = "upheld" if case.kind == "complaint" else "answered"
        resolved = case_resolve(
            actor=handler,
            case=case,
            outcome=outcome,
            reasons="经核实已处理完毕，并已告知客户。",
            root_cause="process" if case.kind == "complaint" else "",
        )
        invitation = invitation_for_case(case=resolved, at=timezone.now())
        if invitation is not None and first_scale is not None and index % 3 != 2:
            Invitation.objects.filter(pk=invitation.pk).update(
                status=Invitation.Status.SENT, sent_at=timezone.now()
            )
            invitation.refresh_from_db()
            score = rng.choice((5, 5, 5, 4, 4, 4, 3, 2))
            response_submit(invitation=invitation, answers={first_scale.pk: score})
        # Spread over last month: the day of the month the case ran on.
        made.append((resolved, (today - last_month_end).days + rng.randrange(0, last_month_end.day - 1)))
    for case, days in made:
        cases_moved([case], days)
    # A few promises missed: their resolution ran out an hour before the case was resolved.
    for case, _days in made[::5]:
        clock = CaseClock.objects.filter(case=case, metric=CaseClock.Metric.RESOLUTION).first()
        if clock is not None and clock.met_at is not None:
            late = clock.met_at - dt.timedelta(hours=1)
            CaseClock.objects.filter(pk=clock.pk).update(
                status=CaseClock.Status.BREACHED,
                due_at=late,
                breached_at=late,
                stopped_at=clock.met_at,
                met_at=None,
            )
    # History is not news: its unanswered surveys have expired, and its notifications are dropped rather
    # than mailed when the worker starts.
    Invitation.objects.filter(
        case_id__in=[case.pk for case, _days in made], status=Invitation.Status.SCHEDULED
    ).update(status=Invitation.Status.EXPIRED)
    NotificationJob.objects.filter(case_id__in=[case.pk for case, _days in made]).delete()
    return len(made)
