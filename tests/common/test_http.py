"""`int_param`: only ASCII digits within range are a number; Unicode digits, signs, spaces and overflow are
None (the views that trusted `str.isdigit()` answered 500 on "²")."""

import pytest

from charter.common.http import INT_PARAM_MAX, int_param


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0),
        ("42", 42),
        ("007", 7),
        (str(INT_PARAM_MAX), INT_PARAM_MAX),
        (5, 5),
        ("", None),
        (None, None),
        ("²", None),
        ("1²", None),
        ("١٢", None),
        ("１２", None),
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1.0", None),
        (str(INT_PARAM_MAX + 1), None),
        ("9" * 400, None),
        (-1, None),
        (True, None),
        (["1"], None),
    ],
)
def test_int_param(value: object, expected: int | None) -> None:
    assert int_param(value) == expected


def test_int_param_honours_a_smaller_maximum() -> None:
    assert int_param("100", maximum=100) == 100
    assert int_param("101", maximum=100) is None
