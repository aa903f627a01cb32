"""Helpers of the data-subject request tests."""

from typing import Any

from charter.accounts.models import Customer
from charter.privacy.models import DataSubjectRequest
from charter.privacy.requests import data_request_create


def portal_request(customer: Customer, kind: str = "access", **kwargs: Any) -> DataSubjectRequest:
    """A request the customer makes himself in the portal."""
    assert customer.user is not None
    return data_request_create(actor=customer.user, customer=customer, kind=kind, **kwargs)
