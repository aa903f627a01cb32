"""Routing honours qualifications: a member whose grant expired is skipped by round robin and least-open load,
a new grant puts him back, a team may require its qualification for complaints only, and when nobody is
qualified the case waits in the team queue while `routing_exclusions` says why."""

import datetime as dt
from typing import Any

import pytest

from charter.accounts.models import Customer, Qualification, QualificationGrant, Team, User
from charter.accounts.services import qualification_create
from charter.cases.models import TeamRouting
from charter.cases.services.routing import eligible_handler_ids, eligible_handlers, routing_exclusions
from charter.catalog.models import Service, ServiceCategory
from tests.cases.conftest import MONDAY, new_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def qualification(db: None) -> Qualification:
    return qualification_create(actor=None, code="complaints", name_zh="投诉处理资格", name_en="Complaints")


def _grant(user: User, qualification: Qualification, *, until: dt.datetime | None, source: str) -> None:
    QualificationGrant.objects.create(
        user=user,
        qualification=qualification,
        valid_from=MONDAY - dt.timedelta(days=400),
        valid_until=until,
        source=source,
    )


@pytest.fixture
def required(routed_team: Team, qualification: Qualification) -> TeamRouting:
    routing = TeamRouting.objects.get(team=routed_team)
    routing.required_qualification = qualification
    routing.save()
    return routing


@pytest.fixture
def alice_expired(member: User, teammate: User, qualification: Qualification) -> None:
    """Bob holds a valid grant; alice's ended yesterday."""
    _grant(member, qualification, until=MONDAY - dt.timedelta(days=1), source="TC-2025-000001")
    _grant(teammate, qualification, until=MONDAY + dt.timedelta(days=300), source="TC-2025-000002")


def test_round_robin_skips_a_member_whose_grant_expired(
    frozen: Any, required: TeamRouting, alice_expired: None, teammate: User, customer: Customer
) -> None:
    handlers = [new_case(None, customer).assignee for _ in range(3)]

    assert handlers == [teammate, teammate, teammate]


def test_least_open_skips_a_member_whose_grant_expired(
    frozen: Any, required: TeamRouting, alice_expired: None, teammate: User, customer: Customer
) -> None:
    TeamRouting.objects.filter(pk=required.pk).update(mode=TeamRouting.Mode.LEAST_OPEN)

    # Bob gets every case although alice has none open.
    assert [new_case(None, customer).assignee for _ in range(2)] == [teammate, teammate]


def test_a_renewed_grant_puts_him_back_in_the_rotation(
    frozen: Any,
    required: TeamRouting,
    alice_expired: None,
    member: User,
    teammate: User,
    qualification: Qualification,
    customer: Customer,
) -> None:
    _grant(member, qualification, until=MONDAY + dt.timedelta(days=365), source="TC-2026-000001")

    assert {new_case(None, customer).assignee for _ in range(2)} == {member, teammate}


def test_a_revoked_grant_does_not_count(
    frozen: Any, required: TeamRouting, member: User, teammate: User, qualification: Qualification
) -> None:
    _grant(member, qualification, until=None, source="TC-2026-000001")
    QualificationGrant.objects.filter(user=member).update(revoked_at=MONDAY - dt.timedelta(hours=1))
    _grant(teammate, qualification, until=None, source="TC-2026-000002")

    assert eligible_handlers(team=required.team) == [teammate]


def test_complaints_only_routes_an_inquiry_to_him_but_not_a_complaint(
    frozen: Any,
    required: TeamRouting,
    member: User,
    teammate: User,
    qualification: Qualification,
    customer: Customer,
) -> None:
    TeamRouting.objects.filter(pk=required.pk).update(qualification_for_complaints_only=True)
    _grant(teammate, qualification, until=None, source="TC-2026-000002")  # only bob holds it

    inquiries = [new_case(None, customer).assignee for _ in range(2)]
    complaints = [new_case(None, customer, kind="complaint").assignee for _ in range(2)]

    assert member in inquiries
    assert complaints == [teammate, teammate]


def test_the_service_s_qualification_is_required_too(
    frozen: Any, routed_team: Team, member: User, teammate: User, qualification: Qualification
) -> None:
    category = ServiceCategory.objects.create(slug="water")
    service = Service.objects.create(slug="bills", category=category, required_qualification=qualification)
    _grant(member, qualification, until=None, source="TC-2026-000001")

    assert eligible_handlers(team=routed_team, service=service) == [member]
    assert eligible_handlers(team=routed_team) == [member, teammate]


def test_nobody_qualified_leaves_the_case_in_the_queue_and_says_why(
    frozen: Any,
    required: TeamRouting,
    member: User,
    teammate: User,
    qualification: Qualification,
    customer: Customer,
) -> None:
    _grant(member, qualification, until=MONDAY - dt.timedelta(days=3), source="TC-2025-000001")

    case = new_case(None, customer)

    assert case.team == required.team and case.assignee is None
    why = routing_exclusions(team=required.team, service=None, kind="inquiry")
    assert [(user, q) for user, q, _last in why] == [(member, qualification), (teammate, qualification)]
    assert why[0][2] is not None and why[0][2].valid_until == MONDAY - dt.timedelta(days=3)
    assert why[1][2] is None  # bob never held it


def test_the_qualified_set_is_one_query_whatever_the_team_size(
    frozen: Any,
    required: TeamRouting,
    alice_expired: None,
    teammate: User,
    django_assert_num_queries: Any,
) -> None:
    team = required.team
    assert eligible_handlers(team=team, kind="complaint") == [teammate]  # reads the routing once
    with django_assert_num_queries(2):  # the routing's change stamp, and the qualified set
        assert eligible_handler_ids(team=team, kind="complaint") == [teammate.pk]
    with django_assert_num_queries(3):  # and the people, by id
        assert eligible_handlers(team=team, kind="complaint") == [teammate]


def test_the_case_page_and_the_agent_s_queue_say_why(
    frozen: Any,
    required: TeamRouting,
    member: User,
    teammate: User,
    qualification: Qualification,
    customer: Customer,
) -> None:
    from django.urls import reverse

    from tests.conftest import client_for

    _grant(member, qualification, until=MONDAY - dt.timedelta(days=3), source="TC-2025-000001")
    case = new_case(None, customer)
    assert case.assignee is None

    page = client_for(member).get(reverse("cases:desk_case", args=[case.number])).content.decode()
    assert 'data-testid="routing-why"' in page
    assert "2026-02-27" in page  # the day his grant ended, in Shanghai

    queue = client_for(member).get(reverse("cases:desk_queue")).content.decode()
    assert 'data-testid="not-routed"' in queue and "2026-02-27" in queue


def test_the_team_routing_page_sets_the_qualification_and_says_who_is_left_out(
    frozen: Any,
    routed_team: Team,
    member: User,
    teammate: User,
    qualification: Qualification,
    administrator: User,
) -> None:
    from django.urls import reverse

    from tests.conftest import client_for

    _grant(member, qualification, until=MONDAY - dt.timedelta(days=3), source="TC-2025-000001")
    _grant(teammate, qualification, until=None, source="TC-2025-000002")
    url = reverse("cases:team_routing", args=[routed_team.pk])
    admin = client_for(administrator)

    response = admin.post(
        url,
        {
            "mode": "least_open",
            "required_qualification": qualification.pk,
            "qualification_for_complaints_only": "on",
        },
    )

    assert response.status_code == 302
    routing = TeamRouting.objects.get(team=routed_team)
    assert routing.required_qualification == qualification and routing.qualification_for_complaints_only
    assert routing.mode == TeamRouting.Mode.LEAST_OPEN
    page = admin.get(url).content.decode()
    assert 'data-testid="routing-exclusions"' in page and "alice" in page.lower() and "2026-02-27" in page
    assert "bob" not in page.lower().split('data-testid="routing-exclusions"')[1]
    assert client_for(member).get(url).status_code == 403


def test_the_service_settings_page_sets_the_qualification_it_requires(
    administrator: User, qualification: Qualification
) -> None:
    from django.urls import reverse

    from charter.audit.models import AuditEvent
    from tests.conftest import client_for

    category = ServiceCategory.objects.create(slug="water", name_zh="供水")
    service = Service.objects.create(slug="bills", category=category)
    url = reverse("catalog:desk_service_settings", args=[service.slug])

    response = client_for(administrator).post(
        url,
        {
            "category": category.pk,
            "ordering": 0,
            "is_active": "on",
            "required_qualification": qualification.pk,
        },
    )

    assert response.status_code == 302
    service.refresh_from_db()
    assert service.required_qualification == qualification
    event = AuditEvent.objects.filter(action="catalog.service_update").latest("pk")
    assert event.data["required_qualification"] == [None, qualification.pk]


def test_an_explicit_assignment_to_a_member_whose_certificate_expired_is_refused_with_why(
    frozen: Any,
    required: TeamRouting,
    alice_expired: None,
    member: User,
    teammate: User,
    supervisor: User,
    qualification: Qualification,
    customer: Customer,
) -> None:
    from charter.cases.errors import ErrorCode
    from charter.cases.services import case_assign
    from charter.common.errors import DomainError

    case = new_case(None, customer)
    assert case.assignee == teammate

    with pytest.raises(DomainError) as refused:
        case_assign(actor=supervisor, case=case, assignee=member)

    assert refused.value.code == ErrorCode.UNQUALIFIED and refused.value.field == "assignee"
    message = str(refused.value.message)
    assert str(member) in message and str(qualification) in message and "2026-03-01" in message
    case.refresh_from_db()
    assert case.assignee == teammate
    # Bob, who holds it, may still be chosen by hand.
    assert case_assign(actor=supervisor, case=case, assignee=teammate).assignee == teammate


def test_a_bulk_assignment_to_an_unqualified_member_is_refused_whole(
    frozen: Any,
    required: TeamRouting,
    alice_expired: None,
    member: User,
    teammate: User,
    supervisor: User,
    customer: Customer,
) -> None:
    from django.urls import reverse

    from charter.cases.models import Case
    from tests.conftest import client_for

    cases = [new_case(None, customer) for _ in range(2)]

    response = client_for(supervisor).post(
        reverse("cases:desk_bulk_assign"), {"case": [c.pk for c in cases], "assignee": member.pk}, follow=True
    )

    assert set(Case.objects.values_list("assignee_id", flat=True)) == {teammate.pk}
    assert "2026-03-01" in response.content.decode()


def test_the_sla_hands_a_late_case_to_a_qualified_lead_skipping_one_who_is_not(
    frozen: Any,
    required: TeamRouting,
    alice_expired: None,
    teammate: User,
    supervisor: User,
    qualification: Qualification,
    customer: Customer,
) -> None:
    from charter.accounts.roles import Role
    from charter.cases.services import case_clocks_sweep
    from charter.sla.models import SlaPolicy, SlaPolicyTarget
    from tests.accounts.factories import TeamMembershipFactory, UserFactory

    # Sam leads the team without the qualification; Dora leads it too and holds it.
    dora = UserFactory.create(username="dora", roles=[Role.SUPERVISOR])
    TeamMembershipFactory.create(team=required.team, user=dora, is_lead=True)
    _grant(dora, qualification, until=None, source="TC-2026-000003")
    policy = SlaPolicy.objects.create(name_zh="升级", ordering=1, reassign_to_team_lead=True)
    SlaPolicyTarget.objects.create(
        policy=policy, metric="first_response", amount=2, unit="hours", basis="working_time"
    )
    case = new_case(None, customer)
    assert case.assignee == teammate

    frozen.shift(dt.timedelta(hours=5))
    assert case_clocks_sweep().breached == 1

    case.refresh_from_db()
    assert case.assignee == dora


def test_without_a_qualified_lead_the_sla_leaves_the_handler_in_place(
    frozen: Any,
    required: TeamRouting,
    alice_expired: None,
    teammate: User,
    supervisor: User,
    customer: Customer,
) -> None:
    from charter.cases.services import case_clocks_sweep
    from charter.sla.models import SlaPolicy, SlaPolicyTarget

    policy = SlaPolicy.objects.create(name_zh="升级", ordering=1, reassign_to_team_lead=True)
    SlaPolicyTarget.objects.create(
        policy=policy, metric="first_response", amount=2, unit="hours", basis="working_time"
    )
    case = new_case(None, customer)

    frozen.shift(dt.timedelta(hours=5))
    assert case_clocks_sweep().breached == 1

    case.refresh_from_db()
    assert case.assignee == teammate


def test_an_appeal_skips_an_unqualified_lead_for_a_qualified_member(
    frozen: Any,
    required: TeamRouting,
    member: User,
    teammate: User,
    supervisor: User,
    qualification: Qualification,
    customer: Customer,
) -> None:
    from charter.cases.services import case_appeal, case_resolve
    from tests.conftest import not_none

    _grant(member, qualification, until=None, source="TC-2026-000001")
    _grant(teammate, qualification, until=None, source="TC-2026-000002")
    case = new_case(None, customer, kind="complaint")
    first_handler = not_none(case.assignee)
    case = case_resolve(actor=first_handler, case=case, outcome="not_upheld", reasons="按规定收费")

    case = case_appeal(case=case, reason="收费标准没有公示")

    assert case.assignee in {member, teammate} - {first_handler}


def test_making_a_complaint_of_the_case_takes_it_from_a_handler_without_the_qualification(
    frozen: Any,
    required: TeamRouting,
    member: User,
    teammate: User,
    supervisor: User,
    qualification: Qualification,
    customer: Customer,
) -> None:
    from charter.audit.models import AuditEvent
    from charter.cases.models import CaseEvent
    from charter.cases.services import case_assign, case_update

    TeamRouting.objects.filter(pk=required.pk).update(qualification_for_complaints_only=True)
    _grant(member, qualification, until=MONDAY - dt.timedelta(days=3), source="TC-2025-000001")
    case = case_assign(
        actor=supervisor, case=new_case(None, customer), assignee=member
    )  # an inquiry: allowed

    case = case_update(actor=supervisor, case=case, expected_version=case.version, kind="complaint")

    case.refresh_from_db()
    assert case.kind == "complaint" and case.assignee is None and case.team == required.team
    event = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ASSIGNED).latest("pk")
    assert event.data["assignee"] == {"from": member.pk, "to": None}
    assert str(qualification) in event.data["reason"] and "2026-02-27" in event.data["reason"]
    assert AuditEvent.objects.filter(action="cases.assign").latest("pk").data["assignee"]["to"] is None


def test_a_change_the_handler_is_qualified_for_keeps_him(
    frozen: Any,
    required: TeamRouting,
    member: User,
    supervisor: User,
    qualification: Qualification,
    customer: Customer,
) -> None:
    from charter.cases.services import case_assign, case_update

    TeamRouting.objects.filter(pk=required.pk).update(qualification_for_complaints_only=True)
    _grant(member, qualification, until=None, source="TC-2026-000001")
    case = case_assign(actor=supervisor, case=new_case(None, customer), assignee=member)

    case = case_update(actor=supervisor, case=case, expected_version=case.version, kind="complaint")

    case.refresh_from_db()
    assert case.assignee == member


def test_colleagues_certificate_dates_are_shown_to_the_lead_not_to_an_agent(
    frozen: Any,
    required: TeamRouting,
    member: User,
    teammate: User,
    supervisor: User,
    qualification: Qualification,
    customer: Customer,
) -> None:
    from django.urls import reverse

    from tests.conftest import client_for

    _grant(member, qualification, until=MONDAY - dt.timedelta(days=3), source="TC-2025-000001")
    case = new_case(None, customer)
    assert case.assignee is None
    url = reverse("cases:desk_case", args=[case.number])

    agent_page = client_for(teammate).get(url).content.decode()
    why = agent_page.split('data-testid="routing-why"')[1].split("</ul>")[0]
    assert "2026-02-27" not in why and "alice" not in why.lower()
    assert str(qualification) in why  # nobody available holds it

    lead_page = client_for(supervisor).get(url).content.decode()
    why = lead_page.split('data-testid="routing-why"')[1].split("</ul>")[0]
    assert "2026-02-27" in why and "alice" in why.lower()


def test_administrators_reach_each_team_s_routing_from_the_desk_menu(
    routed_team: Team, member: User, qualification: Qualification, administrator: User
) -> None:
    from django.urls import reverse

    from tests.conftest import client_for

    TeamRouting.objects.filter(team=routed_team).update(required_qualification=qualification)
    admin = client_for(administrator)
    listing = reverse("cases:team_routing_list")

    home = admin.get(reverse("cases:desk_queue")).content.decode()
    assert f'href="{listing}"' in home
    page = admin.get(listing).content.decode()
    assert reverse("cases:team_routing", args=[routed_team.pk]) in page and str(qualification) in page
    assert client_for(member).get(listing).status_code == 403
    assert f'href="{listing}"' not in client_for(member).get(reverse("cases:desk_queue")).content.decode()
