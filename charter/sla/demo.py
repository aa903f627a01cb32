"""The demo calendars and SLA policies, loaded through the services. Idempotent.

The default calendar "cn-standard" works Monday to Friday, 09:00-12:00 and 13:30-17:30 in Asia/Shanghai, with
China's 2025 and 2026 public holidays and make-up working days; the repairs team's unit ("property") works
24x7. Four policies cover urgent complaints, complaints, inquiries and everything else.
"""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from charter.accounts.models import OrgUnit, User
from charter.common.vocabulary import CaseKind, Priority
from charter.sla.models import (
    BusinessCalendar,
    Metric,
    SlaCalendarAssignment,
    SlaPolicy,
    TargetUnit,
    TimeBasis,
)
from charter.sla.services import (
    CalendarContent,
    PolicyContent,
    TargetContent,
    business_calendar_create,
    calendar_days_import,
    sla_calendar_assign,
    sla_policy_create,
    working_week_set,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
SHIPPED_HOLIDAY_FILES = (DATA_DIR / "cn-2025.json", DATA_DIR / "cn-2026.json")
OFFICE_HOURS = ((dt.time(9), dt.time(12)), (dt.time(13, 30), dt.time(17, 30)))
WORK = TimeBasis.WORKING_TIME


def _target(metric: str, amount: int, unit: str) -> TargetContent:
    return TargetContent(metric=metric, amount=amount, unit=unit, basis=WORK)


POLICIES = (
    (
        PolicyContent(
            name_zh="紧急投诉",
            name_en="Urgent complaints",
            case_kinds=(CaseKind.COMPLAINT,),
            priorities=(Priority.URGENT,),
            warn_at_share=Decimal("0.50"),
            reassign_to_team_lead=True,
        ),
        (
            _target(Metric.FIRST_RESPONSE, 2, TargetUnit.HOURS),
            _target(Metric.NEXT_RESPONSE, 4, TargetUnit.HOURS),
            _target(Metric.RESOLUTION, 3, TargetUnit.WORKING_DAYS),
        ),
    ),
    (
        PolicyContent(
            name_zh="投诉", name_en="Complaints", case_kinds=(CaseKind.COMPLAINT,), raise_priority=True
        ),
        (
            _target(Metric.FIRST_RESPONSE, 4, TargetUnit.HOURS),
            _target(Metric.NEXT_RESPONSE, 1, TargetUnit.WORKING_DAYS),
            _target(Metric.RESOLUTION, 5, TargetUnit.WORKING_DAYS),
        ),
    ),
    (
        PolicyContent(name_zh="咨询", name_en="Inquiries", case_kinds=(CaseKind.INQUIRY,)),
        (
            _target(Metric.FIRST_RESPONSE, 4, TargetUnit.HOURS),
            _target(Metric.RESOLUTION, 2, TargetUnit.WORKING_DAYS),
        ),
    ),
    (
        PolicyContent(name_zh="默认", name_en="Default", warn_at_share=Decimal("0.80")),
        (
            _target(Metric.FIRST_RESPONSE, 1, TargetUnit.WORKING_DAYS),
            _target(Metric.NEXT_RESPONSE, 3, TargetUnit.WORKING_DAYS),
            _target(Metric.RESOLUTION, 10, TargetUnit.WORKING_DAYS),
        ),
    ),
)


def demo_load(*, actor: User) -> None:
    """Create the demo calendars, import the shipped holidays, assign 24x7 to "property", add the policies.

    Whatever exists already is left alone, so running it twice changes nothing.
    """
    standard = BusinessCalendar.objects.filter(code="cn-standard").first()
    if standard is None:
        standard = business_calendar_create(
            actor=actor,
            code="cn-standard",
            content=CalendarContent(
                name_zh="标准工作日历", name_en="Standard working calendar", time_zone="Asia/Shanghai"
            ),
            is_default=not BusinessCalendar.objects.filter(is_default=True).exists(),
        )
        working_week_set(actor=actor, calendar=standard, weekdays=range(5), intervals=OFFICE_HOURS)
    for path in SHIPPED_HOLIDAY_FILES:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not standard.days.filter(date__year=data["year"]).exists():
            calendar_days_import(actor=actor, calendar=standard, data=data)

    always = BusinessCalendar.objects.filter(code="24x7").first()
    if always is None:
        always = business_calendar_create(
            actor=actor,
            code="24x7",
            content=CalendarContent(
                name_zh="全天候（7×24小时）",
                name_en="Around the clock (24x7)",
                time_zone="Asia/Shanghai",
                is_24x7=True,
            ),
        )
    property_unit = OrgUnit.objects.filter(code="property").first()
    if property_unit is not None and not SlaCalendarAssignment.objects.filter(unit=property_unit).exists():
        sla_calendar_assign(actor=actor, unit=property_unit, calendar=always)

    if not SlaPolicy.objects.exists():
        for content, targets in POLICIES:
            sla_policy_create(actor=actor, content=content, targets=targets)
