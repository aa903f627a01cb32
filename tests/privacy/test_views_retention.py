"""The retention and legal-hold desk pages: the officer's forms reach the services; others are refused."""

import datetime as dt

import pytest
from django.utils import timezone

from charter.accounts.models import Customer, User
from charter.accounts.roles import Role
from charter.cases.models import Case, CaseStatus
from charter.privacy.models import LegalHold, RetentionRun, RetentionSchedule
from tests.accounts.factories import CustomerFactory, UserFactory
from tests.cases.conftest import new_case
from tests.conftest import browser_post, client_for

RETENTION = "/desk/privacy/retention/"
HOLDS = "/desk/privacy/holds/"


@pytest.fixture
def officer(db: None) -> User:
    return UserFactory.create(username="dpo", roles=[Role.PRIVACY_OFFICER])


@pytest.fixture
def customer(db: None) -> Customer:
    return CustomerFactory.create(name="王诉讼", phone="13912345678", email="wang@example.com")


@pytest.fixture
def old_case(customer: Customer) -> Case:
    case = new_case(None, customer, title="诉讼中的工单", description="我的电话 13912345678")
    closed = timezone.now() - dt.timedelta(days=1200)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_at=closed)
    return case


def test_the_officer_sees_the_schedules_and_what_the_next_run_would_do(officer: User, old_case: Case) -> None:
    page = client_for(officer).get(RETENTION)

    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-record-type="closed_cases"' in text and "<strong>1</strong>" in text


def test_a_schedule_edit_from_the_page_is_saved(officer: User) -> None:
    client = client_for(officer)

    answer = browser_post(
        client,
        RETENTION,
        {"closed_cases-keep_days": "730", "closed_cases-is_active": "on"},
        action=RETENTION + "closed_cases/",
    )
    refused = browser_post(
        client, RETENTION, {"closed_cases-keep_days": "0"}, action=RETENTION + "closed_cases/"
    )

    assert answer.status_code == 302
    assert RetentionSchedule.objects.get(record_type="closed_cases").keep_days == 730
    assert refused.status_code == 400 and "has-error" in refused.content.decode()


def test_the_dry_run_button_records_a_dry_run(officer: User, old_case: Case) -> None:
    answer = browser_post(client_for(officer), RETENTION, {}, action=RETENTION + "dry-run/")

    assert answer.status_code == 302
    run = RetentionRun.objects.get()
    assert run.dry_run and run.counts["closed_cases"]["due"] == 1
    assert Case.objects.get(pk=old_case.pk).title == "诉讼中的工单"
    # The last runs name each record type as its rule does, not by its code.
    runs = client_for(officer).get(RETENTION).content.decode().split("<tbody>")[-1]
    assert "已关闭工单" in runs and "closed_cases" not in runs


def test_the_officer_holds_a_customer_found_by_phone_and_a_case_by_number(
    officer: User, customer: Customer, old_case: Case
) -> None:
    client = client_for(officer)

    by_phone = browser_post(
        client, HOLDS, {"on": "customer", "phone": "139 1234 5678", "reason": "诉讼"}, action=HOLDS + "new/"
    )
    by_number = browser_post(
        client, HOLDS, {"on": "case", "case_number": old_case.number, "reason": "调查"}, action=HOLDS + "new/"
    )
    unknown = browser_post(
        client, HOLDS, {"on": "case", "case_number": "NOPE-1", "reason": "调查"}, action=HOLDS + "new/"
    )

    assert by_phone.status_code == by_number.status_code == 302
    assert LegalHold.objects.filter(customer=customer).exists()
    assert LegalHold.objects.filter(target_type="cases.case", target_id=str(old_case.pk)).exists()
    assert unknown.status_code == 400
    listed = client.get(HOLDS).content.decode()
    assert old_case.number in listed and "王诉讼" not in listed  # the name is masked


def test_the_officer_releases_a_hold_with_a_reason(officer: User, customer: Customer) -> None:
    hold = LegalHold.objects.create(
        customer=customer, reason="诉讼", placed_by=officer, placed_at=timezone.now()
    )

    answer = browser_post(
        client_for(officer), HOLDS, {"reason": "判决生效"}, action=f"{HOLDS}{hold.pk}/release/"
    )

    assert answer.status_code == 302
    hold.refresh_from_db()
    assert hold.released_by == officer
    # The released holds list says why each hold ended.
    released = client_for(officer).get(f"{HOLDS}?show=released").content.decode()
    assert "判决生效" in released


def test_the_case_page_shows_the_hold_panel_to_holders_of_manage_retention(
    administrator: User, supervisor: User, old_case: Case
) -> None:
    url = f"/desk/cases/{old_case.number}/"
    Case.objects.filter(pk=old_case.pk).update(team=supervisor.teams.first())

    with_panel = client_for(administrator).get(url)
    without = client_for(supervisor).get(url)

    assert with_panel.status_code == 200 and 'data-testid="legal-hold-panel"' in with_panel.content.decode()
    assert without.status_code == 200 and 'data-testid="legal-hold-panel"' not in without.content.decode()


@pytest.mark.parametrize("url", [RETENTION, HOLDS])
def test_an_agent_is_refused_the_pages(member: User, url: str) -> None:
    assert client_for(member).get(url).status_code == 403


def test_a_hold_is_not_found_for_anyone_but_the_officer(
    member: User, officer: User, customer: Customer
) -> None:
    hold = LegalHold.objects.create(
        customer=customer, reason="诉讼", placed_by=officer, placed_at=timezone.now()
    )

    answer = client_for(member).post(f"{HOLDS}{hold.pk}/release/", {"reason": "放掉"})

    assert answer.status_code == 404
    hold.refresh_from_db()
    assert hold.released_at is None


def test_a_phone_of_one_customer_and_the_e_mail_of_another_hold_nobody(
    officer: User, customer: Customer
) -> None:
    other = CustomerFactory.create(name="李别人", phone="13700000000", email="li@example.com")
    client = client_for(officer)

    mixed = browser_post(
        client,
        HOLDS,
        {"on": "customer", "phone": "13912345678", "email": other.email, "reason": "诉讼"},
        action=HOLDS + "new/",
    )
    same = browser_post(
        client,
        HOLDS,
        {"on": "customer", "phone": "13700000000", "email": other.email, "reason": "诉讼"},
        action=HOLDS + "new/",
    )

    assert mixed.status_code == 400
    assert same.status_code == 302
    assert list(LegalHold.objects.values_list("customer_id", flat=True)) == [other.pk]
