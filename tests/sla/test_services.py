import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from charter.accounts.models import OrgUnit, User
from charter.audit.models import AuditEvent
from charter.catalog.models import Service
from charter.common.errors import DomainError, PermissionDeniedError
from charter.common.vocabulary import CaseKind
from charter.sla.errors import ErrorCode
from charter.sla.models import (
    BusinessCalendar,
    CalendarDay,
    Metric,
    SlaCalendarAssignment,
    SlaPolicy,
    SlaPolicyTarget,
    TargetUnit,
    TimeBasis,
    WorkingInterval,
)
from charter.sla.selectors import calendar_as_pure
from charter.sla.services import (
    CalendarContent,
    DayContent,
    PolicyContent,
    TargetContent,
    business_calendar_create,
    business_calendar_delete,
    business_calendar_set_default,
    business_calendar_update,
    calendar_day_add,
    calendar_day_delete,
    calendar_day_update,
    sla_calendar_assign,
    sla_policy_create,
    sla_policy_delete,
    sla_policy_move,
    sla_policy_reorder,
    sla_policy_target_remove,
    sla_policy_target_set,
    sla_policy_targets_replace,
    sla_policy_update,
    working_interval_add,
    working_interval_remove,
    working_week_set,
)
from tests.sla.conftest import target

pytestmark = pytest.mark.django_db

HOLIDAY = CalendarDay.Kind.HOLIDAY
WORKDAY = CalendarDay.Kind.WORKDAY


def _actions() -> list[str]:
    return list(
        AuditEvent.objects.filter(action__startswith="sla.")
        .order_by("sequence")
        .values_list("action", flat=True)
    )


def _refused(code: ErrorCode, call: object) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()  # type: ignore[operator]
    assert caught.value.code == code
    return caught.value


# Calendars ----------------------------------------------------------------------------------------------


def test_create_a_calendar_and_audit_it(administrator: User) -> None:
    calendar = business_calendar_create(
        actor=administrator,
        code="hall-hours",
        content=CalendarContent(name_zh="营业厅", name_en="Hall", time_zone="Europe/Berlin"),
    )

    assert calendar.time_zone == "Europe/Berlin" and not calendar.is_default and calendar.version == 1
    event = AuditEvent.objects.get(action="sla.calendar_create")
    assert event.actor == administrator and event.target_id == str(calendar.pk)
    assert event.data["time_zone"] == "Europe/Berlin"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"code": "Bad Code"}, ErrorCode.INVALID_CODE),
        ({"time_zone": "Mars/Olympus"}, ErrorCode.INVALID_TIME_ZONE),
        ({"name_zh": " ", "name_en": ""}, ErrorCode.NAME_REQUIRED),
    ],
)
def test_create_refuses_bad_input(administrator: User, kwargs: dict[str, str], code: ErrorCode) -> None:
    values: dict[str, Any] = {"code": "ok", "name_zh": "日历", "name_en": ""} | kwargs
    calendar_code = values.pop("code")

    _refused(
        code,
        lambda: business_calendar_create(
            actor=administrator, code=calendar_code, content=CalendarContent(**values)
        ),
    )

    assert not BusinessCalendar.objects.exists()
    assert _actions() == []


def test_codes_are_unique(administrator: User, standard_calendar: BusinessCalendar) -> None:
    _refused(
        ErrorCode.DUPLICATE_CODE,
        lambda: business_calendar_create(
            actor=administrator, code="cn-standard", content=CalendarContent(name_zh="重复")
        ),
    )


def test_only_administrators_change_calendars(member: User, standard_calendar: BusinessCalendar) -> None:
    with pytest.raises(PermissionDeniedError) as caught:
        business_calendar_create(actor=member, code="mine", content=CalendarContent(name_zh="我的"))
    assert caught.value.code == ErrorCode.EDIT_DENIED
    with pytest.raises(PermissionDeniedError):
        working_interval_add(
            actor=member, calendar=standard_calendar, weekday=5, start=dt.time(9), end=dt.time(10)
        )
    with pytest.raises(PermissionDeniedError):
        sla_policy_create(actor=member, content=PolicyContent(name_zh="x"))
    assert BusinessCalendar.objects.count() == 1 and not SlaPolicy.objects.exists()


def test_one_default_calendar_at_a_time(administrator: User, standard_calendar: BusinessCalendar) -> None:
    other = business_calendar_create(
        actor=administrator, code="other", content=CalendarContent(name_zh="其他"), is_default=True
    )
    assert list(BusinessCalendar.objects.filter(is_default=True)) == [other]

    business_calendar_set_default(actor=administrator, calendar=standard_calendar)

    assert list(BusinessCalendar.objects.filter(is_default=True)) == [standard_calendar]
    assert standard_calendar.is_default
    assert AuditEvent.objects.get(action="sla.calendar_set_default").data == {"previous": [other.pk]}


def test_update_changes_names_zone_and_flag_and_the_version(
    administrator: User, standard_calendar: BusinessCalendar
) -> None:
    version = standard_calendar.version

    business_calendar_update(
        actor=administrator,
        calendar=standard_calendar,
        content=CalendarContent(name_zh="新名", name_en="New", time_zone="Asia/Hong_Kong", is_24x7=True),
    )

    standard_calendar.refresh_from_db()
    assert (standard_calendar.name_zh, standard_calendar.time_zone, standard_calendar.is_24x7) == (
        "新名",
        "Asia/Hong_Kong",
        True,
    )
    assert standard_calendar.version > version
    assert calendar_as_pure(standard_calendar).always_open


def test_delete_refuses_the_default_and_calendars_in_use(
    administrator: User,
    standard_calendar: BusinessCalendar,
    always_calendar: BusinessCalendar,
    organisation: OrgUnit,
) -> None:
    _refused(
        ErrorCode.DEFAULT_CALENDAR_REQUIRED,
        lambda: business_calendar_delete(actor=administrator, calendar=standard_calendar),
    )
    sla_calendar_assign(actor=administrator, unit=organisation, calendar=always_calendar)
    _refused(
        ErrorCode.CALENDAR_IN_USE,
        lambda: business_calendar_delete(actor=administrator, calendar=always_calendar),
    )

    sla_calendar_assign(actor=administrator, unit=organisation, calendar=None)
    business_calendar_delete(actor=administrator, calendar=always_calendar)

    assert list(BusinessCalendar.objects.all()) == [standard_calendar]
    assert "sla.calendar_delete" in _actions()


# Hours --------------------------------------------------------------------------------------------------


def test_add_and_remove_intervals(administrator: User, standard_calendar: BusinessCalendar) -> None:
    version = standard_calendar.version

    evening = working_interval_add(
        actor=administrator, calendar=standard_calendar, weekday=5, start=dt.time(18), end=dt.time(0)
    )

    assert standard_calendar.version == version + 1
    assert calendar_as_pure(standard_calendar).weekly[5] == ((dt.time(18), dt.time(0)),)
    working_interval_remove(actor=administrator, interval=evening)
    assert 5 not in calendar_as_pure(standard_calendar).weekly
    assert _actions()[-2:] == ["sla.interval_add", "sla.interval_remove"]


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (dt.time(12), dt.time(9), ErrorCode.INVALID_INTERVAL),
        (dt.time(9), dt.time(9), ErrorCode.INVALID_INTERVAL),
        (dt.time(11), dt.time(14), ErrorCode.OVERLAPPING_INTERVAL),
        (dt.time(8), dt.time(9, 30), ErrorCode.OVERLAPPING_INTERVAL),
    ],
)
def test_intervals_must_be_valid_and_not_overlap(
    administrator: User, standard_calendar: BusinessCalendar, start: dt.time, end: dt.time, code: ErrorCode
) -> None:
    _refused(
        code,
        lambda: working_interval_add(
            actor=administrator, calendar=standard_calendar, weekday=0, start=start, end=end
        ),
    )
    assert standard_calendar.intervals.filter(weekday=0).count() == 2


def test_touching_intervals_are_fine(administrator: User, standard_calendar: BusinessCalendar) -> None:
    working_interval_add(
        actor=administrator, calendar=standard_calendar, weekday=0, start=dt.time(12), end=dt.time(13, 30)
    )

    assert standard_calendar.intervals.filter(weekday=0).count() == 3


def test_a_weekday_out_of_range_is_refused(administrator: User, standard_calendar: BusinessCalendar) -> None:
    _refused(
        ErrorCode.INVALID_WEEKDAY,
        lambda: working_interval_add(
            actor=administrator, calendar=standard_calendar, weekday=7, start=dt.time(9), end=dt.time(10)
        ),
    )


def test_set_the_hours_of_several_weekdays_at_once(
    administrator: User, standard_calendar: BusinessCalendar
) -> None:
    working_week_set(
        actor=administrator,
        calendar=standard_calendar,
        weekdays=[4, 5],
        intervals=[(dt.time(8), dt.time(14))],
    )

    weekly = calendar_as_pure(standard_calendar).weekly
    assert weekly[4] == weekly[5] == ((dt.time(8), dt.time(14)),)
    assert len(weekly[0]) == 2

    working_week_set(actor=administrator, calendar=standard_calendar, weekdays=[5], intervals=[])
    assert 5 not in calendar_as_pure(standard_calendar).weekly


# Days ---------------------------------------------------------------------------------------------------


def test_add_update_and_delete_a_day(administrator: User, standard_calendar: BusinessCalendar) -> None:
    day = calendar_day_add(
        actor=administrator,
        calendar=standard_calendar,
        date=dt.date(2025, 10, 11),
        content=DayContent(kind=WORKDAY, name_zh="国庆调休上班", source="国办发明电〔2024〕12号"),
    )
    assert day.intervals == []
    assert calendar_as_pure(standard_calendar).extra_workdays[dt.date(2025, 10, 11)][0] == (
        dt.time(9),
        dt.time(12),
    )

    calendar_day_update(
        actor=administrator,
        day=day,
        content=DayContent(
            kind=WORKDAY,
            name_zh="国庆调休上班",
            name_en="Make-up day",
            source="",
            intervals=[(dt.time(13), dt.time(0))],
        ),
    )
    day.refresh_from_db()
    assert day.intervals == [["13:00", "24:00"]]
    assert calendar_as_pure(standard_calendar).extra_workdays[dt.date(2025, 10, 11)] == (
        (dt.time(13), dt.time(0)),
    )

    calendar_day_delete(actor=administrator, day=day)
    standard_calendar.refresh_from_db()  # the cache is keyed on the version the caller's row shows
    assert calendar_as_pure(standard_calendar).extra_workdays == {}
    assert _actions()[-3:] == ["sla.day_add", "sla.day_update", "sla.day_delete"]


def test_a_date_has_one_entry_and_a_holiday_no_hours(
    administrator: User, standard_calendar: BusinessCalendar
) -> None:
    calendar_day_add(
        actor=administrator,
        calendar=standard_calendar,
        date=dt.date(2025, 1, 1),
        content=DayContent(kind=HOLIDAY),
    )

    _refused(
        ErrorCode.DUPLICATE_DAY,
        lambda: calendar_day_add(
            actor=administrator,
            calendar=standard_calendar,
            date=dt.date(2025, 1, 1),
            content=DayContent(kind=WORKDAY),
        ),
    )
    _refused(
        ErrorCode.INVALID_INTERVAL,
        lambda: calendar_day_add(
            actor=administrator,
            calendar=standard_calendar,
            date=dt.date(2025, 1, 2),
            content=DayContent(kind=HOLIDAY, intervals=[(dt.time(9), dt.time(10))]),
        ),
    )
    _refused(
        ErrorCode.INVALID_DAY_KIND,
        lambda: calendar_day_add(
            actor=administrator,
            calendar=standard_calendar,
            date=dt.date(2025, 1, 3),
            content=DayContent(kind="party"),
        ),
    )


def test_the_same_date_may_differ_between_calendars(
    administrator: User, standard_calendar: BusinessCalendar, always_calendar: BusinessCalendar
) -> None:
    calendar_day_add(
        actor=administrator,
        calendar=standard_calendar,
        date=dt.date(2025, 1, 1),
        content=DayContent(kind=HOLIDAY),
    )
    calendar_day_add(
        actor=administrator,
        calendar=always_calendar,
        date=dt.date(2025, 1, 1),
        content=DayContent(kind=HOLIDAY),
    )

    assert CalendarDay.objects.count() == 2


# Assignments --------------------------------------------------------------------------------------------


def test_assign_replace_and_remove_a_units_calendar(
    administrator: User,
    organisation: OrgUnit,
    standard_calendar: BusinessCalendar,
    always_calendar: BusinessCalendar,
) -> None:
    sla_calendar_assign(actor=administrator, unit=organisation, calendar=standard_calendar)
    sla_calendar_assign(actor=administrator, unit=organisation, calendar=always_calendar)

    assert SlaCalendarAssignment.objects.get().calendar == always_calendar

    assert sla_calendar_assign(actor=administrator, unit=organisation, calendar=None) is None
    assert not SlaCalendarAssignment.objects.exists()
    events = AuditEvent.objects.filter(action__in=["sla.calendar_assign", "sla.calendar_unassign"]).order_by(
        "sequence"
    )
    assert [(e.action, e.data["previous"]) for e in events] == [
        ("sla.calendar_assign", None),
        ("sla.calendar_assign", standard_calendar.pk),
        ("sla.calendar_unassign", always_calendar.pk),
    ]


# Policies -----------------------------------------------------------------------------------------------


def test_create_a_policy_with_conditions_targets_and_breach_actions(
    administrator: User, always_calendar: BusinessCalendar
) -> None:
    policy = sla_policy_create(
        actor=administrator,
        content=PolicyContent(
            name_zh="电话投诉",
            case_kinds=["complaint", "inquiry", "complaint"],
            priorities=["urgent", "high"],
            channels=["phone"],
            customer_groups=[" vip ", "vip", "gold"],
            calendar=always_calendar,
            warn_at_share=Decimal("0.6"),
            raise_priority=True,
            reassign_to_team_lead=True,
            notify_supervisor=False,
        ),
        targets=[target(Metric.FIRST_RESPONSE, 30, TargetUnit.MINUTES)],
    )

    policy.refresh_from_db()
    assert policy.case_kinds == ["inquiry", "complaint"]  # in the order of the choices, once each
    assert policy.priorities == ["high", "urgent"]
    assert policy.customer_groups == ["vip", "gold"]
    assert policy.warn_at_share == Decimal("0.60")
    assert (policy.raise_priority, policy.reassign_to_team_lead, policy.notify_supervisor) == (
        True,
        True,
        False,
    )
    assert list(policy.targets.values_list("metric", "amount", "unit")) == [("first_response", 30, "minutes")]
    assert AuditEvent.objects.get(action="sla.policy_create").data["targets"][0]["amount"] == 30


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (PolicyContent(name_zh="x", case_kinds=["riot"]), ErrorCode.INVALID_CONDITION),
        (PolicyContent(name_zh="x", priorities=["asap"]), ErrorCode.INVALID_CONDITION),
        (PolicyContent(name_zh="x", channels=["pigeon"]), ErrorCode.INVALID_CONDITION),
        (PolicyContent(name_zh="x", customer_groups=["not a group!"]), ErrorCode.INVALID_CONDITION),
        (PolicyContent(name_zh="x", warn_at_share=Decimal("0.49")), ErrorCode.INVALID_SHARE),
        (PolicyContent(name_zh="x", warn_at_share=Decimal("1.00")), ErrorCode.INVALID_SHARE),
        (PolicyContent(name_zh="x", warn_at_share=Decimal("0.755")), ErrorCode.INVALID_SHARE),
        (PolicyContent(name_zh=""), ErrorCode.NAME_REQUIRED),
    ],
)
def test_policy_content_is_validated(administrator: User, content: PolicyContent, code: ErrorCode) -> None:
    _refused(code, lambda: sla_policy_create(actor=administrator, content=content))

    assert not SlaPolicy.objects.exists()


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (TargetContent("speed", 1, TargetUnit.HOURS, TimeBasis.WORKING_TIME), ErrorCode.INVALID_METRIC),
        (
            TargetContent(Metric.RESOLUTION, 0, TargetUnit.HOURS, TimeBasis.WORKING_TIME),
            ErrorCode.INVALID_AMOUNT,
        ),
        (TargetContent(Metric.RESOLUTION, 1, "fortnights", TimeBasis.WORKING_TIME), ErrorCode.INVALID_UNIT),
        (TargetContent(Metric.RESOLUTION, 1, TargetUnit.HOURS, "lunar"), ErrorCode.INVALID_BASIS),
    ],
)
def test_targets_are_validated(administrator: User, bad: TargetContent, code: ErrorCode) -> None:
    _refused(
        code,
        lambda: sla_policy_create(actor=administrator, content=PolicyContent(name_zh="x"), targets=[bad]),
    )
    _refused(
        ErrorCode.INVALID_METRIC,
        lambda: sla_policy_create(
            actor=administrator,
            content=PolicyContent(name_zh="x"),
            targets=[target(Metric.RESOLUTION, 1), target(Metric.RESOLUTION, 2)],
        ),
    )


def test_new_policies_go_last_and_can_be_reordered_and_moved(
    administrator: User, complaint_policy: SlaPolicy, default_policy: SlaPolicy
) -> None:
    third = sla_policy_create(actor=administrator, content=PolicyContent(name_zh="第三"))
    assert list(SlaPolicy.objects.all()) == [complaint_policy, default_policy, third]

    sla_policy_reorder(actor=administrator, policies=[third, complaint_policy, default_policy])
    assert list(SlaPolicy.objects.all()) == [third, complaint_policy, default_policy]

    sla_policy_move(actor=administrator, policy=third, offset=1)
    assert list(SlaPolicy.objects.all()) == [complaint_policy, third, default_policy]
    sla_policy_move(actor=administrator, policy=complaint_policy, offset=-1)
    assert list(SlaPolicy.objects.all()) == [complaint_policy, third, default_policy]

    _refused(
        ErrorCode.INVALID_ORDER,
        lambda: sla_policy_reorder(actor=administrator, policies=[third, complaint_policy]),
    )
    _refused(
        ErrorCode.INVALID_ORDER,
        lambda: sla_policy_reorder(
            actor=administrator, policies=[third, third, complaint_policy, default_policy]
        ),
    )


def test_update_a_policy(
    administrator: User, complaint_policy: SlaPolicy, published_service: Service
) -> None:
    sla_policy_update(
        actor=administrator,
        policy=complaint_policy,
        content=PolicyContent(
            name_zh="投诉",
            name_en="Complaints",
            case_kinds=[CaseKind.COMPLAINT],
            services=[published_service],
        ),
    )

    complaint_policy.refresh_from_db()
    assert complaint_policy.priorities == [] and complaint_policy.name_en == "Complaints"
    assert list(complaint_policy.services.all()) == [published_service]
    assert AuditEvent.objects.get(action="sla.policy_update").data["services"] == [published_service.pk]


def test_set_replace_and_remove_targets(administrator: User, complaint_policy: SlaPolicy) -> None:
    sla_policy_target_set(
        actor=administrator,
        policy=complaint_policy,
        metric=Metric.FIRST_RESPONSE,
        amount=1,
        unit="hours",
        basis="calendar_time",
    )
    assert complaint_policy.targets.get(metric=Metric.FIRST_RESPONSE).basis == "calendar_time"
    assert complaint_policy.targets.count() == 2

    sla_policy_targets_replace(
        actor=administrator, policy=complaint_policy, targets=[target(Metric.NEXT_RESPONSE, 4)]
    )
    assert list(complaint_policy.targets.values_list("metric", flat=True)) == ["next_response"]

    sla_policy_target_remove(actor=administrator, target=complaint_policy.targets.get())
    assert not SlaPolicyTarget.objects.filter(policy=complaint_policy).exists()


def test_delete_a_policy_with_its_targets(administrator: User, complaint_policy: SlaPolicy) -> None:
    sla_policy_delete(actor=administrator, policy=complaint_policy)

    assert not SlaPolicy.objects.exists() and not SlaPolicyTarget.objects.exists()
    assert "sla.policy_delete" in _actions()


def test_a_policy_calendar_cannot_be_deleted(administrator: User, always_calendar: BusinessCalendar) -> None:
    sla_policy_create(actor=administrator, content=PolicyContent(name_zh="x", calendar=always_calendar))

    _refused(
        ErrorCode.CALENDAR_IN_USE,
        lambda: business_calendar_delete(actor=administrator, calendar=always_calendar),
    )


def test_the_system_may_act_without_a_user(db: None) -> None:
    calendar = business_calendar_create(actor=None, code="system", content=CalendarContent(name_zh="系统"))

    assert AuditEvent.objects.get(action="sla.calendar_create").actor is None
    assert WorkingInterval.objects.count() == 0
    assert calendar.pk


def test_policy_content_from_data_takes_missing_fields_from_its_base_and_keeps_a_given_none() -> None:
    calendar = BusinessCalendar(code="cn-standard", name_zh="标准")
    base = PolicyContent(name_zh="旧", calendar=calendar, warn_at_share=Decimal("0.80"), raise_priority=True)

    content = PolicyContent.from_data({"name_zh": "新", "calendar": None}, base=base)

    assert content == PolicyContent(name_zh="新", warn_at_share=Decimal("0.80"), raise_priority=True)
    assert PolicyContent.from_data({"name_zh": "新"}) == PolicyContent(name_zh="新")
    assert TargetContent.from_data(
        {"metric": Metric.RESOLUTION, "amount": 2, "unit": TargetUnit.HOURS, "basis": TimeBasis.WORKING_TIME}
    ) == TargetContent(Metric.RESOLUTION, 2, TargetUnit.HOURS, TimeBasis.WORKING_TIME)


def test_day_content_from_data_keeps_the_hours_a_patch_leaves_out() -> None:
    day = CalendarDay(kind=CalendarDay.Kind.WORKDAY, name_zh="调休", intervals=[["10:00", "15:00"]])

    content = DayContent.from_data({"name_zh": "补班"}, base=DayContent.from_day(day))

    assert content == DayContent(
        kind=CalendarDay.Kind.WORKDAY, name_zh="补班", intervals=((dt.time(10), dt.time(15)),)
    )
