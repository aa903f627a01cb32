"""The desk's case page and queue: grouped actions, deadlines with the working time left, the queue in both
languages, and who sees the customer's name and contact."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from charter.accounts.models import Customer, Team, User
from charter.audit.models import AuditEvent
from charter.cases.models import Case
from charter.sla.services import CalendarContent, business_calendar_create, sla_calendar_assign
from tests.cases.conftest import MONDAY, new_case
from tests.conftest import api_client_for, client_for

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _page(user: User, case: Case, **params: str) -> str:
    response = client_for(user).get(reverse("cases:desk_case", args=[case.number]), params)
    assert response.status_code == 200
    return response.content.decode()


def _not_handling(case: Case, member: User, teammate: User) -> User:
    """The one of the two routed agents who does not handle `case`."""
    return teammate if case.assignee_id == member.pk else member


# The case page's actions --------------------------------------------------------------------------------


def test_the_reply_box_follows_the_conversation_and_rare_actions_are_folded_away(
    routed_team: Team, supervisor: User, customer: Customer
) -> None:
    case = new_case(None, customer)

    page = _page(supervisor, case)

    conversation, reply, timeline = (
        page.index('class="case-conversation"'),
        page.index('id="reply"'),
        page.index('class="case-timeline"'),
    )
    assert conversation < reply < timeline
    assert '<details class="action" name="case-action" id="action-resolve"' in page
    assert '<details class="action" name="case-action" id="action-reassign"' in page
    more = page.index('id="more-actions"')
    for rare in ("action-status", "action-transfer", "action-priority", "action-related", "action-tracking"):
        assert page.index(f'id="{rare}"') > more
    assert 'id="more-actions" data-testid="more-actions" open' not in page


def test_reassigning_keeps_the_case_in_its_team(
    routed_team: Team, supervisor: User, member: User, teammate: User, customer: Customer
) -> None:
    case = new_case(None, customer)
    other = _not_handling(case, member, teammate)

    response = client_for(supervisor).post(
        reverse("cases:desk_case", args=[case.number]),
        {"action": "reassign", "reassign-assignee": other.pk, "reassign-version": case.version},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.assignee == other and case.team == routed_team


def test_a_refused_action_is_shown_open_with_its_errors(
    routed_team: Team, supervisor: User, customer: Customer
) -> None:
    case = new_case(None, customer)

    response = client_for(supervisor).post(
        reverse("cases:desk_case", args=[case.number]),
        {"action": "priority", "priority": "no-such-priority", "version": case.version},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="more-actions" data-testid="more-actions" open' in page
    assert 'id="action-priority" data-testid="action-priority" open' in page
    assert 'id="action-resolve" data-testid="action-resolve" open' not in page


# Deadlines and the working time left --------------------------------------------------------------------


def test_deadlines_show_the_working_time_left_on_the_case_page_and_in_the_queue(
    frozen: Any, routed_team: Team, customer: Customer
) -> None:
    # Monday 10:00; first response within 1 working day: Tuesday 17:30, 6 + 7 working hours away.
    case = new_case(None, customer)
    handler = case.assignee
    assert handler is not None

    page = _page(handler, case)
    queue = client_for(handler).get(reverse("cases:desk_queue"), {"queue": "mine"}).content.decode()

    assert "2026-03-03 17:30" in page and "03-03 17:30" in queue
    assert "剩 1 个工作日 6 小时（工作时间）" in page
    assert "剩 1 个工作日 6 小时（工作时间）" in queue


def test_a_passed_deadline_shows_how_much_working_time_it_is_overdue(
    routed_team: Team, customer: Customer
) -> None:
    with time_machine.travel(MONDAY, tick=False):
        case = new_case(None, customer)
    handler = case.assignee
    assert handler is not None

    # Wednesday 10:00: the evening and the night do not count, Wednesday 09:00-10:00 does.
    with time_machine.travel(MONDAY + dt.timedelta(days=2), tick=False):
        page = _page(handler, case)
        queue = client_for(handler).get(reverse("cases:desk_queue"), {"queue": "mine"}).content.decode()

    assert "超时 1 小时（工作时间）" in page
    assert "超时 1 小时（工作时间）" in queue


def test_time_left_reads_in_english_too(frozen: Any, routed_team: Team, customer: Customer) -> None:
    case = new_case(None, customer)
    handler = case.assignee
    assert handler is not None
    client = client_for(handler)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get(reverse("cases:desk_case", args=[case.number])).content.decode()

    assert "1 working day 6 hours left (working time)" in page


def test_a_whole_working_day_deadline_reads_as_that_days_closing_time_in_the_readers_zone(
    routed_team: Team, customer: Customer, administrator: User
) -> None:
    around_the_clock = business_calendar_create(
        actor=administrator,
        code="24x7",
        content=CalendarContent(name_zh="全天候", name_en="24x7", is_24x7=True),
    )
    sla_calendar_assign(actor=administrator, unit=routed_team.unit, calendar=around_the_clock)
    sunday = dt.datetime(2026, 3, 1, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(sunday, tick=False):
        case = new_case(None, customer)
        handler = case.assignee
        assert handler is not None

        in_shanghai = _page(handler, case)
        handler.time_zone = "UTC"
        handler.save(update_fields=["time_zone"])
        in_utc = _page(handler, case)

    # One working day of a 24x7 team ends when Monday ends: Monday 24:00, not "Tuesday 00:00".
    assert "2026-03-02 24:00" in in_shanghai and "2026-03-03 00:00" not in in_shanghai
    assert "2026-03-02 16:00" in in_utc


# The queue in both languages ----------------------------------------------------------------------------


def test_the_queue_tabs_follow_the_readers_language(routed_team: Team, member: User) -> None:
    chinese_client = client_for(member)
    english_client = client_for(member)
    english_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    chinese = chinese_client.get(reverse("cases:desk_queue")).content.decode()
    english = english_client.get(reverse("cases:desk_queue")).content.decode()

    for label in ("Mine", "My teams", "Unassigned", "Due soon", "Breached", "All I can see"):
        assert f">{label}</a>" in english
    assert "我的班组" in chinese and "我的班组" not in english


# Who sees the customer's name and contact ---------------------------------------------------------------


def test_the_handler_sees_the_customers_name_and_phone_and_the_view_is_audited(
    routed_team: Team, customer: Customer
) -> None:
    case = new_case(None, customer)
    handler = case.assignee
    assert handler is not None

    page = _page(handler, case)

    assert "刘晓梅" in page and customer.phone in page and f'href="tel:{customer.phone}"' in page
    event = AuditEvent.objects.get(action="privacy.view", actor=handler)
    assert event.target_id == str(customer.pk)
    assert event.data == {"fields": ["name", "phone", "email"], "ground": f"handles case {case.number}"}


def test_the_ground_recorded_is_the_case_on_the_page_when_he_handles_several(
    routed_team: Team, supervisor: User, customer: Customer
) -> None:
    older = new_case(None, customer, title="第一件")
    newer = new_case(None, customer, title="第二件")
    handler = older.assignee
    assert handler is not None
    for case in (older, newer):
        client_for(supervisor).post(
            reverse("cases:desk_case", args=[case.number]),
            {"action": "reassign", "reassign-assignee": handler.pk, "reassign-version": case.version},
        )

    page = _page(handler, older)

    assert f"因您正在办理工单 {older.number}" in page
    event = AuditEvent.objects.get(action="privacy.view", actor=handler)
    assert event.data["ground"] == f"handles case {older.number}"


def test_a_teammate_not_handling_the_case_sees_the_mask(
    routed_team: Team, member: User, teammate: User, customer: Customer
) -> None:
    case = new_case(None, customer)
    other = _not_handling(case, member, teammate)

    page = _page(other, case)

    assert "刘**" in page
    assert "刘晓梅" not in page and customer.phone not in page
    assert not AuditEvent.objects.filter(action="privacy.view").exists()


def test_the_handler_of_a_finished_case_sees_the_mask_again(
    routed_team: Team, supervisor: User, customer: Customer
) -> None:
    case = new_case(None, customer)
    handler = case.assignee
    assert handler is not None
    client_for(supervisor).post(
        reverse("cases:desk_case", args=[case.number]),
        {"action": "resolve", "outcome": "upheld", "reasons": "已核实并处理。", "version": case.version},
    )
    case.refresh_from_db()
    assert not case.is_open

    page = _page(handler, case)

    assert "刘**" in page and "刘晓梅" not in page


def test_an_outsider_gets_404_for_a_case_out_of_scope(
    routed_team: Team, outsider: User, customer: Customer
) -> None:
    case = new_case(None, customer)

    response = client_for(outsider).get(reverse("cases:desk_case", args=[case.number]))

    assert response.status_code == 404


def test_the_api_shows_the_contact_by_the_same_rule(
    routed_team: Team, member: User, teammate: User, customer: Customer
) -> None:
    case = new_case(None, customer)
    handler = case.assignee
    assert handler is not None
    other = _not_handling(case, member, teammate)

    mine = api_client_for(handler).get(f"/api/v1/cases/{case.pk}/").json()["customer_contact"]
    theirs = api_client_for(other).get(f"/api/v1/cases/{case.pk}/").json()["customer_contact"]

    assert mine == {
        "id": customer.pk,
        "name": "刘晓梅",
        "phone": customer.phone,
        "email": customer.email,
        "is_masked": False,
    }
    assert theirs["name"] == "刘**" and theirs["is_masked"] is True and theirs["phone"] != customer.phone


def test_the_customer_reading_his_case_through_the_api_gets_no_contact_block(
    routed_team: Team, customer: Customer, customer_user: User
) -> None:
    case = new_case(None, customer)

    body = api_client_for(customer_user).get(f"/api/v1/cases/{case.pk}/").json()

    assert "customer_contact" not in body


def test_the_customer_record_lists_the_cases_the_reader_may_see_newest_first(
    routed_team: Team, member: User, outsider: User, customer: Customer
) -> None:
    with time_machine.travel(MONDAY, tick=False):
        older = new_case(None, customer, title="旧的咨询")
    with time_machine.travel(MONDAY + dt.timedelta(hours=1), tick=False):
        newer = new_case(None, customer, title="新的咨询")
    url = reverse("accounts:customer_detail", args=[customer.pk])

    ours = client_for(member).get(url).content.decode()
    theirs = client_for(outsider).get(url).content.decode()

    listed = ours[ours.index('data-testid="customer-cases"') :]
    link = '<a href="{}">{}</a>'
    assert link.format(reverse("cases:desk_case", args=[newer.number]), newer.number) in listed
    assert listed.index(newer.number) < listed.index(older.number)
    assert 'data-testid="customer-cases"' in theirs
    assert older.number not in theirs and newer.number not in theirs


def test_the_customer_record_shows_the_handler_the_contact_and_others_the_mask(
    routed_team: Team, member: User, teammate: User, customer: Customer
) -> None:
    case = new_case(None, customer)
    handler = case.assignee
    assert handler is not None
    url = reverse("accounts:customer_detail", args=[customer.pk])

    handling = client_for(handler).get(url).content.decode()
    masked = client_for(_not_handling(case, member, teammate)).get(url).content.decode()

    assert "刘晓梅" in handling and customer.phone in handling and case.number in handling
    assert "110***********1234" in handling  # the ID number stays masked: it is not needed to call him
    assert "刘**" in masked and "刘晓梅" not in masked
    assert AuditEvent.objects.filter(action="privacy.view", actor=handler).count() == 1


def test_an_anonymous_visitor_is_sent_to_sign_in_from_the_customer_record(customer: Customer) -> None:
    response = Client().get(reverse("accounts:customer_detail", args=[customer.pk]))

    assert response.status_code == 302
