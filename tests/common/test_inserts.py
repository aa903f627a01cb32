"""Prepared inserts (charter.common.inserts): compiled before the transaction, only executed in it."""

from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from charter.accounts.models import Customer
from charter.common.inserts import PreparedInsert
from charter.privacy.fields import EncryptedTextField
from charter.privacy.models import ConsentPurpose, ConsentRecord

pytestmark = pytest.mark.django_db


def _consent(customer: Customer, source: str = "") -> ConsentRecord:
    return ConsentRecord(
        customer=customer,
        purpose=ConsentPurpose.objects.get(code=ConsentPurpose.SURVEYS),
        action=ConsentRecord.Action.GIVEN,
        at=timezone.now(),
        channel=ConsentRecord.Channel.WEB,
        source=source,
    )


def test_rows_are_stored_as_django_stores_them() -> None:
    prepared = PreparedInsert(
        [Customer(name="刘晓梅", phone="139 0000 1111"), Customer(name="Jane Smith", email="jane@example.cn")]
    )
    django_row = Customer.objects.create(name="刘晓梅", phone="139 0000 1111")

    with transaction.atomic():
        first, second = prepared.run()

    assert first.pk is not None and second.pk == first.pk + 1
    assert not first._state.adding
    stored = Customer.objects.get(pk=first.pk)
    assert (stored.name, stored.phone, stored.language) == ("刘晓梅", "139 0000 1111", "zh-hans")
    # Encrypted at rest, with the same blind index Django's own save computes.
    assert stored.phone_index == django_row.phone_index != ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM accounts_customer WHERE id = %s", [first.pk])
        assert "刘晓梅" not in cursor.fetchone()[0]
    assert Customer.objects.get(pk=second.pk).email == "jane@example.cn"


def test_values_are_prepared_before_and_only_the_statement_runs_later(monkeypatch: Any) -> None:
    with CaptureQueriesContext(connection) as preparing:
        prepared = PreparedInsert([Customer(name="刘晓梅", phone="13900001111")])
    encrypted: list[object] = []
    original = EncryptedTextField.get_db_prep_value

    def counting(self: Any, value: Any, *args: Any, **kwargs: Any) -> Any:
        encrypted.append(value)
        return original(self, value, *args, **kwargs)

    monkeypatch.setattr(EncryptedTextField, "get_db_prep_value", counting)
    with CaptureQueriesContext(connection) as running, transaction.atomic():
        prepared.run()

    assert len(preparing.captured_queries) == 0
    statements = [
        query["sql"]
        for query in running.captured_queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    assert len(statements) == 1 and statements[0].startswith("INSERT INTO")
    assert encrypted == []


def test_a_key_to_a_row_saved_in_the_same_transaction_is_taken_from_it() -> None:
    customer_insert = PreparedInsert([Customer(name="刘晓梅")])
    customer = customer_insert.rows[0]
    consent_insert = PreparedInsert(
        [_consent(customer)], late={"source": lambda record: f"cases.case:{record.customer.pk}"}
    )

    with transaction.atomic():
        customer_insert.run()
        (record,) = consent_insert.run()

    stored = ConsentRecord.objects.get(pk=record.pk)
    assert stored.customer_id == customer.pk == record.customer_id
    assert stored.source == f"cases.case:{customer.pk}"
    assert record.customer is customer


def test_a_row_whose_key_is_not_saved_yet_is_refused_and_nothing_is_written() -> None:
    unsaved = Customer(name="刘晓梅")
    consent_insert = PreparedInsert([_consent(unsaved)])

    with pytest.raises(ValueError, match="not saved yet"), transaction.atomic():
        consent_insert.run()

    assert ConsentRecord.objects.count() == 0


def test_a_key_given_as_an_id_is_kept() -> None:
    customer = Customer.objects.create(name="刘晓梅")
    record = _consent(customer)

    with transaction.atomic():
        (saved,) = PreparedInsert([record]).run()

    assert ConsentRecord.objects.get(pk=saved.pk).customer_id == customer.pk


def test_saved_rows_mixed_models_and_unknown_columns_are_refused() -> None:
    saved = Customer.objects.create(name="刘晓梅")

    with pytest.raises(ValueError, match="unsaved rows of one model"):
        PreparedInsert([saved])
    with pytest.raises(ValueError, match="unsaved rows of one model"):
        PreparedInsert([Customer(name="a"), _consent(saved)])
    with pytest.raises(ValueError, match="no such columns"):
        PreparedInsert([Customer(name="a")], late={"nickname": lambda row: "x"})
    with pytest.raises(ValueError, match="at least one row"):
        PreparedInsert([])
