from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from charter.common.money import parse_amount


@pytest.mark.parametrize(
    ("raw", "expected"), [("12.5", "12.50"), ("0", "0.00"), (Decimal("3.10"), "3.10"), (7, "7.00")]
)
def test_amounts_parse_to_two_places(raw: object, expected: str) -> None:
    assert parse_amount(raw) == Decimal(expected)


@pytest.mark.parametrize("raw", [12.5, True, "-1", "1.005", "abc", "", "NaN", "Infinity", "1e20"])
def test_bad_amounts_are_refused_with_one_code(raw: object) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_amount(raw)
    assert caught.value.code == "invalid_amount"


@given(st.decimals(min_value=0, max_value=Decimal("9999999999.99"), places=2, allow_nan=False))
def test_any_valid_amount_round_trips_through_its_text(amount: Decimal) -> None:
    assert parse_amount(str(amount)) == amount
