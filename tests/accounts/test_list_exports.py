"""The customer list as a file: masked as on the page, whoever asks (an export never unmasks), the exact
phone search applied, and the phone searched for kept out of the audit event."""

from django.urls import reverse

from charter.accounts.models import User
from tests.accounts.factories import CustomerFactory
from tests.common.list_export_helpers import csv_rows, export_events, xlsx_rows
from tests.conftest import client_for


def test_customer_export_is_masked_and_follows_the_search(member: User, administrator: User) -> None:
    CustomerFactory.create(name="张三丰", phone="13812345678", email="zhang@example.com")
    CustomerFactory.create(name="李四", phone="13900000000")

    rows = csv_rows(client_for(member).get(reverse("accounts:customer_list"), {"format": "csv"}))
    found = xlsx_rows(
        client_for(administrator).get(
            reverse("accounts:customer_list"), {"phone": "138 1234 5678", "format": "xlsx"}
        )
    )

    text = str(rows) + str(found)
    assert "13812345678" not in text and "张三丰" not in text and "zhang@example.com" not in text
    assert len(rows) == 3
    assert found[1][1:4] == ["张**", "138****5678", "z***@example.com"]
    assert len(found) == 2
    [_, searched] = export_events("accounts.customers")
    assert searched.data["filters"] == {"phone": True}
    assert "1234" not in str(searched.data)


def test_customers_cannot_export_the_customer_list(customer_user: User) -> None:
    assert (
        client_for(customer_user).get(reverse("accounts:customer_list"), {"format": "csv"}).status_code == 403
    )
