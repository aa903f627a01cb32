import datetime as dt
from decimal import Decimal

import pytest

from charter.accounts.models import OrgUnit, Team, User
from charter.catalog import services as catalog_services
from charter.catalog.models import Channel, Service, ServiceCategory, ServiceCommitment
from charter.common.vocabulary import CaseKind, Priority
from charter.sla.deadlines import add_business_time, deadline_for
from charter.sla.models import BusinessCalendar, CalendarDay, Metric, SlaPolicy
from charter.sla.selectors import (
    BUILT_IN_CALENDAR,
    BreachActions,
    Target,
    business_calendar_for_team,
    calendar_as_pure,
    calendar_for_target,
    calendar_for_team,
    sla_breach_actions,
    sla_targets_for,
)
from charter.sla.services import (
    DayContent,
    PolicyContent,
    calendar_day_add,
    sla_calendar_assign,
    sla_policy_create,
    sla_policy_reorder,
    sla_policy_target_remove,
    sla_policy_update,
    working_interval_add,
)
from tests.accounts.factories import OrgUnitFactory, TeamFactory
from tests.sla.conftest import target

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _targets(**kwargs: object) -> dict[str, Target]:
    values: dict[str, object] = {
        "kind": CaseKind.COMPLAINT,
        "priority": Priority.NORMAL,
        "service": None,
        "channel": Channel.WEB,
        "at": NOW,
    }
    values.update(kwargs)
    return {t.metric: t for t in sla_targets_for(**values)}  # type: ignore[arg-type]


# Calendars ----------------------------------------------------------------------------------------------


def test_without_any_calendar_the_built_in_one_applies(team: Team) -> None:
    assert calendar_for_team(team=team) is BUILT_IN_CALENDAR
    assert calendar_for_team(team=None) is BUILT_IN_CALENDAR
    assert BUILT_IN_CALENDAR.time_zone == "Asia/Shanghai"
    assert BUILT_IN_CALENDAR.weekly[0] == ((dt.time(9), dt.time(12)), (dt.time(13, 30), dt.time(17, 30)))
    assert 5 not in BUILT_IN_CALENDAR.weekly


def test_the_default_calendar_applies_to_teams_without_their_own(
    team: Team, standard_calendar: BusinessCalendar
) -> None:
    assert business_calendar_for_team(team=team) == standard_calendar
    assert calendar_for_team(team=team) == calendar_as_pure(standard_calendar)
    assert calendar_for_team(team=None).weekly[4] == calendar_as_pure(standard_calendar).weekly[4]


def test_the_nearest_assigned_ancestor_wins(
    administrator: User,
    organisation: OrgUnit,
    standard_calendar: BusinessCalendar,
    always_calendar: BusinessCalendar,
) -> None:
    branch = OrgUnitFactory.create(parent=organisation)
    department = OrgUnitFactory.create(parent=branch)
    deep_team = TeamFactory.create(unit=OrgUnitFactory.create(parent=department))
    sla_calendar_assign(actor=administrator, unit=organisation, calendar=standard_calendar)
    sla_calendar_assign(actor=administrator, unit=branch, calendar=always_calendar)

    assert business_calendar_for_team(team=deep_team) == always_calendar
    assert calendar_for_team(team=deep_team).always_open

    sla_calendar_assign(actor=administrator, unit=department, calendar=standard_calendar)
    assert business_calendar_for_team(team=deep_team) == standard_calendar

    sla_calendar_assign(actor=administrator, unit=department, calendar=None)
    assert business_calendar_for_team(team=deep_team) == always_calendar


def test_a_sibling_units_assignment_does_not_leak(
    administrator: User,
    team: Team,
    other_team: Team,
    standard_calendar: BusinessCalendar,
    always_calendar: BusinessCalendar,
) -> None:
    sla_calendar_assign(actor=administrator, unit=other_team.unit, calendar=always_calendar)

    assert business_calendar_for_team(team=team) == standard_calendar
    assert business_calendar_for_team(team=other_team) == always_calendar


def test_the_pure_calendar_holds_intervals_holidays_and_make_up_days(
    administrator: User, standard_calendar: BusinessCalendar
) -> None:
    calendar_day_add(
        actor=administrator,
        calendar=standard_calendar,
        date=dt.date(2025, 10, 1),
        content=DayContent(kind=CalendarDay.Kind.HOLIDAY),
    )
    calendar_day_add(
        actor=administrator,
        calendar=standard_calendar,
        date=dt.date(2025, 10, 11),
        content=DayContent(kind=CalendarDay.Kind.WORKDAY),
    )
    calendar_day_add(
        actor=administrator,
        calendar=standard_calendar,
        date=dt.date(2025, 9, 28),
        content=DayContent(kind=CalendarDay.Kind.WORKDAY, intervals=[(dt.time(10), dt.time(15))]),
    )

    pure = calendar_as_pure(standard_calendar)

    assert pure.time_zone == "Asia/Shanghai"
    assert pure.holidays == frozenset({dt.date(2025, 10, 1)})
    assert pure.extra_workdays[dt.date(2025, 10, 11)] == pure.weekly[0]  # Monday's hours by default
    assert pure.extra_workdays[dt.date(2025, 9, 28)] == ((dt.time(10), dt.time(15)),)


def test_a_cached_calendar_is_rebuilt_after_a_change(
    administrator: User, standard_calendar: BusinessCalendar
) -> None:
    first = calendar_as_pure(standard_calendar)
    assert calendar_as_pure(BusinessCalendar.objects.get(pk=standard_calendar.pk)) is first

    working_interval_add(
        actor=administrator, calendar=standard_calendar, weekday=5, start=dt.time(9), end=dt.time(12)
    )

    second = calendar_as_pure(BusinessCalendar.objects.get(pk=standard_calendar.pk))
    assert second is not first
    assert second.weekly[5] == ((dt.time(9), dt.time(12)),)


def test_a_cache_hit_costs_no_query(
    standard_calendar: BusinessCalendar, team: Team, django_assert_max_num_queries: object
) -> None:
    calendar_for_team(team=team)

    with django_assert_max_num_queries(2):  # type: ignore[operator]
        calendar_for_team(team=team)


def test_the_default_calendar_with_china_holidays_gives_the_right_deadline(
    administrator: User, standard_calendar: BusinessCalendar, team: Team
) -> None:
    from charter.sla.services import calendar_days_import
    from tests.sla.conftest import holiday_file

    calendar_days_import(actor=administrator, calendar=standard_calendar, data=holiday_file(2025))
    calendar = calendar_for_team(team=team)
    received = dt.datetime(2025, 9, 30, 10, 0, tzinfo=SHANGHAI)  # the day before the National Day week

    deadline = deadline_for(calendar, received, amount=1, unit="working_days", basis="working_time")

    assert deadline == dt.datetime(2025, 10, 9, 17, 30, tzinfo=SHANGHAI)
    assert add_business_time(
        calendar, dt.datetime(2025, 9, 26, 17, 0, tzinfo=SHANGHAI), dt.timedelta(hours=1)
    ) == (
        dt.datetime(2025, 9, 28, 9, 30, tzinfo=SHANGHAI)  # Sunday 28 September is a make-up working day
    )


# Targets ------------------------------------------------------------------------------------------------


def test_policies_are_tried_in_order_and_the_first_match_wins(
    complaint_policy: SlaPolicy, default_policy: SlaPolicy
) -> None:
    urgent = _targets(priority=Priority.URGENT)
    normal = _targets(priority=Priority.NORMAL)

    assert urgent["first_response"] == Target(
        metric="first_response",
        amount=2,
        unit="hours",
        basis="working_time",
        source=f"policy:{complaint_policy.pk}",
        warn_at_share=Decimal("0.75"),
        policy_id=complaint_policy.pk,
    )
    assert urgent["resolution"].amount == 3 and urgent["resolution"].unit == "working_days"
    # A metric the first policy does not set comes from the next matching one.
    assert urgent["next_response"].source == f"policy:{default_policy.pk}"
    assert {t.source for t in normal.values()} == {f"policy:{default_policy.pk}"}
    assert "on_site_arrival" not in urgent


def test_reordering_changes_which_policy_wins(
    administrator: User, complaint_policy: SlaPolicy, default_policy: SlaPolicy
) -> None:
    sla_policy_reorder(actor=administrator, policies=[default_policy, complaint_policy])

    assert _targets(priority=Priority.URGENT)["first_response"].source == f"policy:{default_policy.pk}"


def test_inactive_policies_and_removed_targets_are_skipped(
    administrator: User, complaint_policy: SlaPolicy, default_policy: SlaPolicy
) -> None:
    sla_policy_target_remove(
        actor=administrator, target=complaint_policy.targets.get(metric=Metric.FIRST_RESPONSE)
    )
    assert _targets(priority=Priority.URGENT)["first_response"].source == f"policy:{default_policy.pk}"
    assert _targets(priority=Priority.URGENT)["resolution"].source == f"policy:{complaint_policy.pk}"

    sla_policy_update(
        actor=administrator,
        policy=complaint_policy,
        content=PolicyContent(name_zh="紧急投诉", is_active=False, case_kinds=[CaseKind.COMPLAINT]),
    )
    assert _targets(priority=Priority.URGENT)["resolution"].source == f"policy:{default_policy.pk}"


def test_conditions_on_channel_group_and_service(
    administrator: User, default_policy: SlaPolicy, published_service: Service, category: ServiceCategory
) -> None:
    other = catalog_services.service_create(
        actor=administrator, slug="other", category=category, name_zh="其他"
    )
    vip = sla_policy_create(
        actor=administrator,
        content=PolicyContent(
            name_zh="贵宾电话", channels=[Channel.PHONE], customer_groups=["vip"], services=[other]
        ),
        targets=[target(Metric.FIRST_RESPONSE, 1)],
    )
    sla_policy_reorder(actor=administrator, policies=[vip, default_policy])

    def source(**kwargs: object) -> str:
        return _targets(kind=CaseKind.INQUIRY, **kwargs)["first_response"].source

    assert source(channel=Channel.PHONE, customer_group="vip", service=other) == f"policy:{vip.pk}"
    assert source(channel=Channel.WEB, customer_group="vip", service=other) == f"policy:{default_policy.pk}"
    assert source(channel=Channel.PHONE, customer_group="", service=other) == f"policy:{default_policy.pk}"
    assert source(channel=Channel.PHONE, customer_group="vip", service=None) == f"policy:{default_policy.pk}"


def test_the_charters_commitment_wins_over_any_policy(
    complaint_policy: SlaPolicy, default_policy: SlaPolicy, published_service: Service
) -> None:
    targets = _targets(priority=Priority.URGENT, service=published_service)

    first_response = published_service.versions.get().commitments.get(metric=Metric.FIRST_RESPONSE)
    assert targets["first_response"] == Target(
        metric="first_response",
        amount=4,
        unit="hours",
        basis="working_time",
        source=f"commitment:{first_response.pk}",
        warn_at_share=Decimal("0.75"),
        policy_id=complaint_policy.pk,
    )
    assert targets["resolution"].source.startswith("commitment:")
    assert targets["resolution"].amount == 2
    # The commitment says nothing of the next update: the policies still supply it.
    assert targets["next_response"].source == f"policy:{default_policy.pk}"


def test_commitments_apply_only_while_in_force(default_policy: SlaPolicy, published_service: Service) -> None:
    before_publication = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)

    targets = _targets(service=published_service, at=before_publication)

    assert {t.source for t in targets.values()} == {f"policy:{default_policy.pk}"}


def _publish_with(actor: User, category: ServiceCategory, slug: str, **commitment: object) -> Service:
    service = catalog_services.service_create(
        actor=actor, slug=slug, category=category, name_zh="上门维修", summary_zh="维修。"
    )
    version = service.versions.get()
    catalog_services.service_version_draft_update(
        actor=actor, version=version, content=catalog_services.VersionContent(channels=[Channel.PHONE])
    )
    values: dict[str, object] = {
        "metric": ServiceCommitment.Metric.ON_SITE_ARRIVAL,
        "target_amount": 45,
        "target_unit": ServiceCommitment.Unit.MINUTES,
        "time_basis": ServiceCommitment.TimeBasis.CALENDAR_TIME,
        "wording_zh": "45分钟内到达现场",
    }
    values.update(commitment)
    catalog_services.service_commitment_add(
        actor=actor,
        version=version,
        content=catalog_services.CommitmentContent(**values),  # type: ignore[arg-type]
    )
    catalog_services.service_version_publish(
        actor=actor, version=version, effective_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    )
    return service


def test_on_site_arrival_comes_from_the_charter_only(administrator: User, category: ServiceCategory) -> None:
    service = _publish_with(administrator, category, "repairs")

    targets = _targets(kind=CaseKind.SERVICE_REQUEST, service=service)

    assert targets["on_site_arrival"].amount == 45
    assert targets["on_site_arrival"].basis == "calendar_time"
    assert targets["on_site_arrival"].policy_id is None
    assert targets["on_site_arrival"].warn_at_share == Decimal("0.75")


def test_a_service_request_matches_the_catalogues_request_commitments(
    administrator: User, category: ServiceCategory
) -> None:
    service = _publish_with(
        administrator,
        category,
        "meter",
        metric=ServiceCommitment.Metric.RESOLUTION,
        target_amount=3,
        target_unit=ServiceCommitment.Unit.WORKING_DAYS,
        time_basis=ServiceCommitment.TimeBasis.WORKING_TIME,
        case_kind=ServiceCommitment.CaseKind.REQUEST,
    )

    assert _targets(kind=CaseKind.SERVICE_REQUEST, service=service)["resolution"].amount == 3
    assert "resolution" not in _targets(kind=CaseKind.INQUIRY, service=service)


def test_no_policy_and_no_commitment_gives_no_targets(db: None) -> None:
    assert sla_targets_for(kind="praise", priority="low", service=None, channel="web", at=NOW) == []


def test_a_policy_calendar_and_breach_actions_reach_the_cases_app(
    administrator: User, team: Team, standard_calendar: BusinessCalendar, always_calendar: BusinessCalendar
) -> None:
    policy = sla_policy_create(
        actor=administrator,
        content=PolicyContent(
            name_zh="全天候", calendar=always_calendar, raise_priority=True, notify_supervisor=False
        ),
        targets=[target(Metric.RESOLUTION, 8)],
    )

    resolution = _targets()["resolution"]

    assert resolution.calendar_id == always_calendar.pk
    assert calendar_for_target(team=team, target=resolution).always_open
    assert sla_breach_actions(target=resolution) == BreachActions(
        notify_assignee=True, notify_supervisor=False, raise_priority=True, reassign_to_team_lead=False
    )
    assert sla_breach_actions(
        target=Target("resolution", 1, "hours", "working_time", "commitment:1", Decimal("0.75"))
    ) == (BreachActions())
    assert not calendar_for_target(
        team=team, target=Target("x", 1, "hours", "working_time", "", Decimal("0.75"))
    ).always_open
    assert policy.calendar == always_calendar


def test_targets_cost_a_bounded_number_of_queries(
    complaint_policy: SlaPolicy,
    default_policy: SlaPolicy,
    published_service: Service,
    django_assert_max_num_queries: object,
) -> None:
    with django_assert_max_num_queries(16):  # type: ignore[operator]
        _targets(service=published_service)
