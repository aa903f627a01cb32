"""The public intake form's one-time token: a form sent twice makes one case, and the second answer shows it.

Before the token, a customer whose connection dropped after the commit (or whose worker was stopped before
the answer) sent the form again and got a second case, a second acknowledgement and a second number.
"""

import datetime as dt
import re
import threading
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client

from charter.accounts.models import Customer, Team
from charter.cases.models import Case, IntakeSubmission
from charter.cases.services.intake_once import SESSION_KEY, intake_submissions_prune

pytestmark = pytest.mark.django_db

FORM = {
    "kind": "inquiry",
    "title": "停水咨询",
    "description": "我家从早上开始停水，请问什么时候恢复？",
    "name": "赵一次",
    "phone": "13900000077",
    "consent": "on",
}


def _form_token(client: Client) -> str:
    page = client.get("/cases/new/")
    assert page.status_code == 200
    found = re.search(r'name="form_token" value="([^"]+)"', page.content.decode())
    assert found, "the form carries its one-time token"
    return found.group(1)


def test_the_form_carries_a_random_token_remembered_in_the_session(client: Client) -> None:
    first, second = _form_token(client), _form_token(client)

    assert first != second and len(first) >= 40
    assert client.session[SESSION_KEY][-2:] == [first, second]


def test_a_form_sent_twice_makes_one_case_and_the_second_answer_shows_it(
    routed_team: Team, client: Client
) -> None:
    token = _form_token(client)

    first = client.post("/cases/new/", {**FORM, "form_token": token})
    # The worker was stopped after the commit: the customer never saw the answer and sends the form again.
    second = client.post("/cases/new/", {**FORM, "form_token": token})

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == 1
    assert Customer.objects.count() == 1
    page = client.get(second["Location"])
    assert page.status_code == 200
    assert Case.objects.get().number in page.content.decode()
    assert IntakeSubmission.objects.get(token=token).case == Case.objects.get()


def test_the_resubmission_is_answered_before_the_hourly_limit_counts_it(
    routed_team: Team, client: Client, settings: Any
) -> None:
    settings.CHARTER_INTAKE_MAX_PER_HOUR = 1
    token = _form_token(client)
    client.post("/cases/new/", {**FORM, "form_token": token})

    again = client.post("/cases/new/", {**FORM, "form_token": token})

    assert again.status_code == 302 and Case.objects.count() == 1


def test_another_browser_with_the_same_token_learns_nothing_of_the_case(
    routed_team: Team, client: Client
) -> None:
    token = _form_token(client)
    client.post("/cases/new/", {**FORM, "form_token": token})
    number = Case.objects.get().number

    stranger = Client().post("/cases/new/", {**FORM, "form_token": token})

    assert stranger.status_code == 200
    assert Case.objects.count() == 1
    text = stranger.content.decode()
    assert 'data-testid="intake-received"' in text and number not in text


def test_a_day_later_the_resubmission_names_the_case_without_its_link(
    routed_team: Team, client: Client
) -> None:
    token = _form_token(client)
    client.post("/cases/new/", {**FORM, "form_token": token})
    case = Case.objects.get()

    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(hours=25)):
        later = client.post("/cases/new/", {**FORM, "form_token": token})
        intake_submissions_prune()

    assert later.status_code == 200 and case.number in later.content.decode()
    assert "/track/" in later.content.decode()  # the lost-link page, not the case's link
    assert Case.objects.count() == 1
    assert IntakeSubmission.objects.get(token=token).tracking_token == ""


def test_a_form_refused_for_an_error_keeps_its_token_and_makes_one_case_once_fixed(
    routed_team: Team, client: Client
) -> None:
    token = _form_token(client)

    refused = client.post("/cases/new/", {**FORM, "title": "", "form_token": token})
    assert refused.status_code == 200 and f'value="{token}"' in refused.content.decode()
    assert not IntakeSubmission.objects.exists()

    client.post("/cases/new/", {**FORM, "form_token": token})
    client.post("/cases/new/", {**FORM, "form_token": token})
    assert Case.objects.count() == 1


def test_a_form_without_a_token_still_makes_its_case(routed_team: Team, client: Client) -> None:
    response = client.post("/cases/new/", FORM)

    assert response.status_code == 302 and Case.objects.count() == 1
    assert IntakeSubmission.objects.filter(case=Case.objects.get()).count() == 1


def test_a_forged_token_is_replaced_by_a_fresh_one(routed_team: Team, client: Client) -> None:
    response = client.post("/cases/new/", {**FORM, "form_token": "../../etc"})

    assert response.status_code == 302
    assert IntakeSubmission.objects.get().token != "../../etc"


needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_submissions_of_one_form_racing_make_one_case(routed_team: Team) -> None:
    browser = Client()
    token = _form_token(browser)
    cookies = browser.cookies
    barrier = threading.Barrier(2)
    answers: list[Any] = [None, None]

    def send(index: int) -> None:
        client = Client()
        client.cookies = cookies
        try:
            barrier.wait()
            answers[index] = client.post("/cases/new/", {**FORM, "form_token": token})
        except Exception as error:  # the test inspects it
            answers[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [getattr(a, "status_code", a) for a in answers] == [302, 302]
    assert answers[0]["Location"] == answers[1]["Location"]
    assert Case.objects.count() == 1
