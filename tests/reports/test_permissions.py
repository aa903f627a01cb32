"""Only administrators choose which performance figures are published."""

import pytest
from django.contrib.auth.models import AnonymousUser

from charter.accounts.models import User
from charter.reports.permissions import can_manage_disclosure

pytestmark = pytest.mark.django_db


def test_administrators_manage_the_disclosure(administrator: User) -> None:
    assert can_manage_disclosure(administrator)


def test_nobody_else_does(member: User, supervisor: User, customer_user: User) -> None:
    assert not any(
        can_manage_disclosure(user) for user in (member, supervisor, customer_user, AnonymousUser())
    )


def test_an_inactive_administrator_does_not(administrator: User) -> None:
    administrator.is_active = False

    assert not can_manage_disclosure(administrator)
