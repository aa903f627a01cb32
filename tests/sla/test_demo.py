import datetime as dt

import pytest

from charter.accounts import demo as accounts_demo
from charter.accounts.models import Team
from charter.audit.models import AuditEvent
from charter.sla import demo
from charter.sla.models import BusinessCalendar, CalendarDay, SlaCalendarAssignment, SlaPolicy
from charter.sla.selectors import calendar_for_team, sla_targets_for

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_and_twice_changes_nothing() -> None:
    admin = accounts_demo.demo_load()

    demo.demo_load(actor=admin)
    events = AuditEvent.objects.count()
    demo.demo_load(actor=admin)

    assert AuditEvent.objects.count() == events
    standard = BusinessCalendar.objects.get(code="cn-standard")
    assert standard.is_default
    assert standard.days.filter(date__year=2025).count() == 33
    assert standard.days.filter(date__year=2026, kind=CalendarDay.Kind.WORKDAY).count() == 6
    assert SlaCalendarAssignment.objects.get().unit.code == "property"
    assert calendar_for_team(team=Team.objects.get(code="repairs")).always_open
    hotline = calendar_for_team(team=Team.objects.get(code="hotline"))
    assert hotline.time_zone == "Asia/Shanghai" and dt.date(2025, 10, 1) in hotline.holidays
    assert [p.name_en for p in SlaPolicy.objects.all()] == [
        "Urgent complaints",
        "Complaints",
        "Inquiries",
        "Default",
    ]
    urgent = {
        t.metric: t
        for t in sla_targets_for(
            kind="complaint", priority="urgent", service=None, channel="phone", at=dt.datetime.now(dt.UTC)
        )
    }
    assert (urgent["first_response"].amount, urgent["first_response"].unit) == (2, "hours")
    assert (urgent["resolution"].amount, urgent["resolution"].unit) == (3, "working_days")
