"""Fixtures of the privacy tests: the data protection officer, a customer with a portal account and another
customer (data-subject requests; a test module's own fixture of the same name wins)."""

import pytest

from charter.accounts.models import Customer, User
from charter.accounts.roles import Role
from tests.accounts.factories import CustomerFactory, UserFactory


@pytest.fixture
def officer(db: None) -> User:
    return UserFactory.create(
        username="qian", roles=[Role.PRIVACY_OFFICER], email="qian@charter.example", language="zh-hans"
    )


@pytest.fixture
def customer(customer_user: User) -> Customer:
    customer: Customer = CustomerFactory.create(
        user=customer_user, name="李明", phone="13800001111", email="liming@example.com", language="zh-hans"
    )
    return customer


@pytest.fixture
def other_customer(db: None) -> Customer:
    user = UserFactory.create(username="dave", roles=[Role.CUSTOMER])
    other: Customer = CustomerFactory.create(
        user=user, name="赵六", phone="13900002222", email="zhaoliu@example.com", language="en"
    )
    return other
