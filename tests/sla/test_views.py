import datetime as dt
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from charter.accounts.models import OrgUnit, User
from charter.sla.models import (
    BusinessCalendar,
    CalendarDay,
    SlaCalendarAssignment,
    SlaPolicy,
    WorkingInterval,
)
from charter.sla.services import DayContent, calendar_day_add, calendar_days_import
from tests.conftest import client_for
from tests.sla.conftest import holiday_file

pytestmark = pytest.mark.django_db


def _calendar_url(name: str, calendar: BusinessCalendar, **kwargs: object) -> str:
    return reverse(f"sla:{name}", kwargs={"calendar_id": calendar.pk, **kwargs})


def _policy_url(name: str, policy: SlaPolicy, **kwargs: object) -> str:
    return reverse(f"sla:{name}", kwargs={"policy_id": policy.pk, **kwargs})


# Who may see and change -------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, standard_calendar: BusinessCalendar) -> None:
    response = client.get(reverse("sla:calendar_list"))

    assert response.status_code == 302 and "login" in response["Location"]


def test_customers_get_403(customer_user: User, standard_calendar: BusinessCalendar) -> None:
    client = client_for(customer_user)

    assert client.get(reverse("sla:calendar_list")).status_code == 403
    assert client.get(reverse("sla:policy_list")).status_code == 403


def test_staff_read_every_page_but_change_nothing(
    member: User, standard_calendar: BusinessCalendar, default_policy: SlaPolicy
) -> None:
    client = client_for(member)

    for url in (
        reverse("sla:calendar_list"),
        _calendar_url("calendar_detail", standard_calendar),
        reverse("sla:policy_list"),
        _policy_url("policy_detail", default_policy),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert not re.search(r'"/desk/sla/[^"]*(edit|new|delete|import|assign)/', page), url
    for url in (
        reverse("sla:calendar_create"),
        _calendar_url("calendar_edit", standard_calendar),
        _calendar_url("interval_add", standard_calendar),
        _calendar_url("day_add", standard_calendar),
        _calendar_url("days_import", standard_calendar),
        _calendar_url("calendar_assign", standard_calendar),
        reverse("sla:policy_create"),
        _policy_url("policy_edit", default_policy),
        _policy_url("target_set", default_policy),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(_calendar_url("calendar_set_default", standard_calendar)).status_code == 403
    assert client.post(_policy_url("policy_delete", default_policy)).status_code == 403
    assert SlaPolicy.objects.exists()


def test_unknown_objects_are_404(administrator: User) -> None:
    client = client_for(administrator)

    assert client.get(reverse("sla:calendar_detail", kwargs={"calendar_id": 999})).status_code == 404
    assert client.get(reverse("sla:policy_detail", kwargs={"policy_id": 999})).status_code == 404


# Calendars ----------------------------------------------------------------------------------------------


def test_the_calendar_page_shows_hours_and_a_month_of_holidays_in_chinese(
    administrator: User, standard_calendar: BusinessCalendar
) -> None:
    calendar_days_import(actor=administrator, calendar=standard_calendar, data=holiday_file(2025))

    response = client_for(administrator).get(
        _calendar_url("calendar_detail", standard_calendar), {"month": "2025-10"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "09:00–12:00" in page and "13:30–17:30" in page
    assert page.count("国庆节、中秋节") >= 8
    assert "调休" in page  # the make-up working day's name
    assert "国办发明电〔2024〕12号" in page
    assert "2025-10" in page


def test_the_month_falls_back_to_the_current_one_for_bad_input(
    administrator: User, standard_calendar: BusinessCalendar
) -> None:
    response = client_for(administrator).get(
        _calendar_url("calendar_detail", standard_calendar), {"month": "oops"}
    )

    assert response.status_code == 200


def test_an_administrator_creates_a_calendar_and_sets_its_week(administrator: User) -> None:
    client = client_for(administrator)

    response = client.post(
        reverse("sla:calendar_create"),
        {
            "code": "hall",
            "name_zh": "营业厅",
            "name_en": "Hall",
            "time_zone": "Asia/Shanghai",
            "is_default": "on",
        },
    )

    calendar = BusinessCalendar.objects.get(code="hall")
    assert response.status_code == 302 and calendar.is_default
    response = client.post(
        _calendar_url("week_set", calendar),
        {
            "weekdays": ["0", "1", "2", "3", "4"],
            "start_1": "09:00",
            "end_1": "12:00",
            "start_2": "13:30",
            "end_2": "17:30",
        },
    )
    assert response.status_code == 302
    assert WorkingInterval.objects.filter(calendar=calendar).count() == 10


def test_form_errors_and_service_refusals_show_on_the_form(
    administrator: User, standard_calendar: BusinessCalendar
) -> None:
    client = client_for(administrator)

    duplicate = client.post(
        reverse("sla:calendar_create"),
        {"code": "cn-standard", "name_zh": "重复", "time_zone": "Asia/Shanghai"},
    )
    overlap = client.post(
        _calendar_url("interval_add", standard_calendar), {"weekday": "0", "start": "11:00", "end": "14:00"}
    )
    half = client.post(_calendar_url("week_set", standard_calendar), {"weekdays": ["5"], "start_1": "09:00"})

    assert duplicate.status_code == 200 and "该代码已被使用" in duplicate.content.decode()
    assert overlap.status_code == 200 and "不得重叠" in overlap.content.decode()
    assert half.status_code == 200 and "请同时填写开始和结束时间" in half.content.decode()


def test_edit_default_and_delete(
    administrator: User, standard_calendar: BusinessCalendar, always_calendar: BusinessCalendar
) -> None:
    client = client_for(administrator)

    client.post(
        _calendar_url("calendar_edit", always_calendar),
        {"name_zh": "全天", "name_en": "All day", "time_zone": "Asia/Shanghai", "is_24x7": "on"},
    )
    client.post(_calendar_url("calendar_set_default", always_calendar))
    refused = client.post(_calendar_url("calendar_delete", always_calendar), follow=True)
    deleted = client.post(_calendar_url("calendar_delete", standard_calendar))

    assert BusinessCalendar.objects.get().name_zh == "全天"
    assert "默认日历不能删除" in refused.content.decode()
    assert deleted.status_code == 302
    assert (
        client.get(_calendar_url("calendar_delete", always_calendar)).status_code == 200
    )  # the question page


def test_intervals_days_and_assignments(
    administrator: User, standard_calendar: BusinessCalendar, organisation: OrgUnit
) -> None:
    client = client_for(administrator)

    client.post(
        _calendar_url("interval_add", standard_calendar), {"weekday": "5", "start": "09:00", "end": "00:00"}
    )
    interval = WorkingInterval.objects.get(weekday=5)
    assert interval.end == dt.time(0)
    client.post(_calendar_url("interval_remove", standard_calendar, interval_id=interval.pk))
    assert not WorkingInterval.objects.filter(weekday=5).exists()

    assert client.get(_calendar_url("day_add", standard_calendar), {"date": "2025-10-11"}).status_code == 200
    client.post(
        _calendar_url("day_add", standard_calendar),
        {
            "date": "2025-10-11",
            "kind": "workday",
            "name_zh": "调休上班",
            "start_1": "10:00",
            "end_1": "16:00",
        },
    )
    day = CalendarDay.objects.get()
    assert day.intervals == [["10:00", "16:00"]]
    assert client.get(_calendar_url("day_edit", standard_calendar, day_id=day.pk)).status_code == 200
    client.post(
        _calendar_url("day_edit", standard_calendar, day_id=day.pk),
        {"kind": "holiday", "name_zh": "国庆", "name_en": "", "source": ""},
    )
    day.refresh_from_db()
    assert (day.kind, day.intervals) == ("holiday", [])
    client.post(_calendar_url("day_delete", standard_calendar, day_id=day.pk))
    assert not CalendarDay.objects.exists()

    client.post(_calendar_url("calendar_assign", standard_calendar), {"unit": organisation.pk})
    assert SlaCalendarAssignment.objects.get().unit == organisation
    client.post(_calendar_url("calendar_unassign", standard_calendar, unit_id=organisation.pk))
    assert not SlaCalendarAssignment.objects.exists()


def test_import_a_holiday_file_from_the_desk(
    administrator: User, standard_calendar: BusinessCalendar
) -> None:
    client = client_for(administrator)
    upload = SimpleUploadedFile("cn-2026.json", json.dumps(holiday_file(2026)).encode(), "application/json")

    response = client.post(_calendar_url("days_import", standard_calendar), {"file": upload}, follow=True)

    assert response.status_code == 200
    assert standard_calendar.days.count() == 39
    assert "39" in response.content.decode()


def test_a_bad_holiday_file_lists_its_problems_and_imports_nothing(
    administrator: User, standard_calendar: BusinessCalendar
) -> None:
    client = client_for(administrator)
    bad = {
        "year": 2026,
        "days": [{"date": "2026-01-01", "kind": "holiday"}, {"date": "2025-12-31", "kind": "party"}],
    }

    broken = client.post(
        _calendar_url("days_import", standard_calendar),
        {"file": SimpleUploadedFile("x.json", b"{", "application/json")},
    )
    invalid = client.post(
        _calendar_url("days_import", standard_calendar),
        {"file": SimpleUploadedFile("x.json", json.dumps(bad).encode(), "application/json")},
    )

    assert "不是有效的 JSON" in broken.content.decode()
    page = invalid.content.decode()
    assert invalid.status_code == 200 and "不在 2026 年内" in page
    assert not standard_calendar.days.exists()


# Policies -----------------------------------------------------------------------------------------------


def test_policy_pages_show_order_conditions_and_targets(
    member: User, complaint_policy: SlaPolicy, default_policy: SlaPolicy
) -> None:
    page = client_for(member).get(reverse("sla:policy_list")).content.decode()

    assert page.index("紧急投诉") < page.index("默认")
    assert "投诉" in page and "紧急" in page
    assert "2 小时（工作时间）" in page
    detail = client_for(member).get(_policy_url("policy_detail", complaint_policy)).content.decode()
    assert "3 个工作日" in detail


def test_an_administrator_creates_edits_orders_and_deletes_policies(
    administrator: User, default_policy: SlaPolicy, always_calendar: BusinessCalendar
) -> None:
    client = client_for(administrator)

    response = client.post(
        reverse("sla:policy_create"),
        {
            "name_zh": "贵宾",
            "is_active": "on",
            "case_kinds": ["complaint"],
            "channels": ["phone", "web"],
            "customer_groups": "vip, gold",
            "calendar": always_calendar.pk,
            "warn_at_share": "0.80",
            "notify_assignee": "on",
        },
    )
    policy = SlaPolicy.objects.get(name_zh="贵宾")
    assert response.status_code == 302
    assert (policy.customer_groups, policy.channels, policy.notify_supervisor) == (
        ["vip", "gold"],
        ["web", "phone"],
        False,
    )

    client.post(
        _policy_url("target_set", policy),
        {"metric": "first_response", "amount": "30", "unit": "minutes", "basis": "working_time"},
    )
    assert policy.targets.get().amount == 30
    client.post(_policy_url("target_remove", policy, target_id=policy.targets.get().pk))
    assert not policy.targets.exists()

    assert client.get(_policy_url("policy_edit", policy)).status_code == 200
    client.post(_policy_url("policy_edit", policy), {"name_zh": "贵宾客户", "warn_at_share": "0.70"})
    policy.refresh_from_db()
    assert (policy.name_zh, policy.is_active, policy.case_kinds) == ("贵宾客户", False, [])

    client.post(_policy_url("policy_move", policy), {"direction": "up"})
    assert list(SlaPolicy.objects.all()) == [policy, default_policy]
    client.post(_policy_url("policy_move", policy), {"direction": "down"})
    assert list(SlaPolicy.objects.all()) == [default_policy, policy]

    assert client.get(_policy_url("policy_delete", policy)).status_code == 200
    client.post(_policy_url("policy_delete", policy))
    assert list(SlaPolicy.objects.all()) == [default_policy]


def test_a_bad_share_is_refused_on_the_form(administrator: User) -> None:
    response = client_for(administrator).post(
        reverse("sla:policy_create"), {"name_zh": "x", "warn_at_share": "0.2"}
    )

    assert response.status_code == 200
    assert not SlaPolicy.objects.exists()


def test_pages_speak_english_when_asked(
    member: User, standard_calendar: BusinessCalendar, administrator: User
) -> None:
    calendar_day_add(
        actor=administrator,
        calendar=standard_calendar,
        date=dt.date(2025, 10, 1),
        content=DayContent(kind="holiday", name_en="National Day"),
    )

    page = (
        client_for(member)
        .get(
            _calendar_url("calendar_detail", standard_calendar),
            {"month": "2025-10"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        .content.decode()
    )

    assert "Weekly hours" in page and "Holiday" in page and "National Day" in page


def test_the_django_admin_shows_calendars_and_policies_read_only(
    administrator: User, standard_calendar: BusinessCalendar, complaint_policy: SlaPolicy
) -> None:
    client = client_for(administrator)

    for name in ("businesscalendar", "calendarday", "slacalendarassignment", "slapolicy"):
        assert client.get(reverse(f"admin:sla_{name}_changelist")).status_code == 200, name
    detail = client.get(reverse("admin:sla_businesscalendar_change", args=[standard_calendar.pk]))
    assert detail.status_code == 200
    assert client.get(reverse("admin:sla_slapolicy_change", args=[complaint_policy.pk])).status_code == 200
    assert client.get(reverse("admin:sla_businesscalendar_add")).status_code == 403
