"""Password reset (issue 16): limited per target account and per client address, the same answer whatever
happens, and the mail sent by the worker after the commit rather than inside the request."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from charter.accounts.models import User
from tests.accounts.factories import UserFactory

Capture = Callable[..., Any]


@pytest.fixture
def alice(db: None) -> User:
    return UserFactory.create(username="alice", email="alice@example.com")


def reset(client: Client, email: str, address: str = "127.0.0.1") -> Any:
    return client.post("/accounts/password-reset/", {"email": email}, REMOTE_ADDR=address)


def test_twenty_five_resets_reach_one_account_at_most_three_times(
    alice: User, django_capture_on_commit_callbacks: Capture
) -> None:
    client = Client()
    for attempt in range(25):
        with django_capture_on_commit_callbacks(execute=True):
            response = reset(client, "alice@example.com", address=f"10.1.{attempt}.1")
        assert response.status_code == 302
    assert len([message for message in mail.outbox if message.to == ["alice@example.com"]]) == 3


def test_one_address_asks_for_at_most_ten_resets_an_hour(
    db: None, django_capture_on_commit_callbacks: Capture
) -> None:
    for index in range(12):
        UserFactory.create(username=f"person{index}", email=f"person{index}@example.com")
    client = Client()
    for index in range(12):
        with django_capture_on_commit_callbacks(execute=True):
            reset(client, f"person{index}@example.com")
    assert len(mail.outbox) == 10


def test_the_answer_is_the_same_whatever_happens(
    alice: User, django_capture_on_commit_callbacks: Capture
) -> None:
    client = Client()
    answers = set()
    for email in ("alice@example.com", "nobody@example.com", "alice@example.com", "alice@example.com"):
        with django_capture_on_commit_callbacks(execute=True):
            response = reset(client, email)
        answers.add((response.status_code, response["Location"]))
    assert answers == {(302, "/accounts/password-reset/sent/")}


def test_the_mail_leaves_after_the_commit_through_the_worker_and_its_link_works(
    alice: User, django_capture_on_commit_callbacks: Capture
) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reset(client, "alice@example.com")
    assert mail.outbox == []  # nothing sent inside the request
    assert len(callbacks) == 1
    callbacks[0]()  # the commit enqueues the task; the test worker runs it at once
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", str(mail.outbox[0].body))
    assert link is not None
    response = client.get(link.group(1))
    assert response.status_code == 302 and response["Location"].endswith("/set-password/")


def test_an_inactive_account_gets_no_mail(alice: User, django_capture_on_commit_callbacks: Capture) -> None:
    alice.is_active = False
    alice.save()
    with django_capture_on_commit_callbacks(execute=True):
        reset(Client(), "alice@example.com")
    assert mail.outbox == []
