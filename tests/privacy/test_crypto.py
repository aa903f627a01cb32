import base64
import os

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from charter.accounts.models import Customer
from charter.accounts.selectors import customer_find_by_email, customer_find_by_phone
from charter.privacy import crypto
from charter.privacy.services import encryption_keys_rotate
from tests.accounts.factories import CustomerFactory

OLD = {"old": os.urandom(32)}
NEW = {"new": os.urandom(32), "old": OLD["old"]}


def _raw(customer: Customer, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM accounts_customer WHERE id = %s", [customer.pk])  # noqa: S608
        value: str = cursor.fetchone()[0]
        return value


@given(st.text())
def test_encryption_round_trips_any_text(text: str) -> None:
    token = crypto.encrypt(text, context="accounts.customer.name")

    assert crypto.decrypt(token, context="accounts.customer.name") == text


def test_same_value_encrypts_differently_each_time() -> None:
    assert crypto.encrypt("13812345678", context="c") != crypto.encrypt("13812345678", context="c")


def test_ciphertext_moved_to_another_column_does_not_decrypt() -> None:
    token = crypto.encrypt("110101199003071234", context="accounts.customer.id_number")

    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, context="accounts.customer.name")


def test_tampered_ciphertext_does_not_decrypt() -> None:
    token = crypto.encrypt("secret", context="c")
    prefix, key_id, body = token.split(".")
    raw = bytearray(base64.b64decode(body))
    raw[-1] ^= 1

    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{prefix}.{key_id}.{base64.b64encode(bytes(raw)).decode()}", context="c")


@pytest.mark.django_db
def test_personal_data_is_stored_encrypted_and_read_back_plain() -> None:
    customer = CustomerFactory.create(name="王小明", phone="13812345678")

    raw_name, raw_phone = _raw(customer, "name"), _raw(customer, "phone")
    reloaded = Customer.objects.get(pk=customer.pk)

    assert "王小明" not in raw_name and raw_name.startswith("v1.")
    assert "13812345678" not in raw_phone
    assert (reloaded.name, reloaded.phone) == ("王小明", "13812345678")


@pytest.mark.django_db
def test_blind_index_finds_a_customer_by_phone_in_any_spelling() -> None:
    wanted = CustomerFactory.create(phone="13812345678")
    CustomerFactory.create(phone="13900000000")

    for spelling in ("13812345678", "138 1234 5678", "+86 138-1234-5678", "１３８１２３４５６７８"):
        assert list(customer_find_by_phone(phone=spelling)) == [wanted]
    assert list(customer_find_by_phone(phone="13812345679")) == []
    assert list(customer_find_by_phone(phone="")) == []


@pytest.mark.django_db
def test_blind_index_finds_a_customer_by_email_ignoring_case() -> None:
    wanted = CustomerFactory.create(email="Zhang.San@Example.com")

    assert list(customer_find_by_email(email="zhang.san@example.com")) == [wanted]


@pytest.mark.django_db
def test_blind_index_is_not_the_plain_value_nor_a_bare_hash() -> None:
    import hashlib

    customer = CustomerFactory.create(phone="13812345678")

    assert customer.phone_index != "13812345678"
    assert customer.phone_index != hashlib.sha256(b"13812345678").hexdigest()


@pytest.mark.django_db
def test_old_values_stay_readable_after_a_new_key_is_put_first(settings: object) -> None:
    settings.CHARTER_DATA_KEYS = OLD  # type: ignore[attr-defined]
    customer = CustomerFactory.create(name="李四", phone="13700001111")
    assert crypto.key_id_of(_raw(customer, "name")) == "old"

    settings.CHARTER_DATA_KEYS = NEW  # type: ignore[attr-defined]

    assert Customer.objects.get(pk=customer.pk).name == "李四"
    assert crypto.key_id_of(_raw(CustomerFactory.create(name="新客户"), "name")) == "new"


@pytest.mark.django_db
def test_rotation_re_encrypts_every_old_value_and_keeps_it_readable(settings: object) -> None:
    settings.CHARTER_DATA_KEYS = OLD  # type: ignore[attr-defined]
    customers = [
        CustomerFactory.create(name=f"客户{i}", phone=f"1370000{i:04d}", id_number="") for i in range(7)
    ]
    settings.CHARTER_DATA_KEYS = NEW  # type: ignore[attr-defined]

    changed = encryption_keys_rotate(batch_size=3)

    assert changed["accounts.customer.name"] == 7
    assert changed["accounts.customer.phone"] == 7
    assert changed["accounts.customer.id_number"] == 0
    for index, customer in enumerate(customers):
        assert crypto.key_id_of(_raw(customer, "name")) == "new"
        assert Customer.objects.get(pk=customer.pk).name == f"客户{index}"
    # Once rotated, the old key can go.
    settings.CHARTER_DATA_KEYS = {"new": NEW["new"]}  # type: ignore[attr-defined]
    assert Customer.objects.get(pk=customers[0].pk).phone == "13700000000"
    assert encryption_keys_rotate()["accounts.customer.name"] == 0


@pytest.mark.django_db
def test_rotate_keys_command_reports_each_column(
    settings: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.core.management import call_command

    settings.CHARTER_DATA_KEYS = OLD  # type: ignore[attr-defined]
    CustomerFactory.create()
    settings.CHARTER_DATA_KEYS = NEW  # type: ignore[attr-defined]

    call_command("rotate_keys")

    out = capsys.readouterr().out
    assert "accounts.customer.name: 1 re-encrypted" in out
    assert "'new'" in out


def test_a_value_under_an_unknown_key_fails_loudly(settings: object) -> None:
    token = crypto.encrypt("x", context="c")
    settings.CHARTER_DATA_KEYS = {"other": os.urandom(32)}  # type: ignore[attr-defined]

    with pytest.raises(crypto.DecryptionError, match="not configured"):
        crypto.decrypt(token, context="c")
