import pytest

from charter.privacy.masking import mask


@pytest.mark.parametrize(
    ("value", "kind", "masked"),
    [
        ("13812345678", "phone", "138****5678"),
        ("+8613812345678", "phone", "+86*******5678"),
        ("66881234", "phone", "****1234"),
        ("123", "phone", "***"),
        ("zhang.san@example.com", "email", "z***@example.com"),
        ("110101199003071234", "id_number", "110***********1234"),
        ("张三", "name", "张*"),
        ("张三丰", "name", "张**"),
        ("Jane Smith", "name", "J*** S****"),
        ("", "phone", ""),
        (None, "email", ""),
    ],
)
def test_mask_keeps_enough_to_recognise_and_no_more(value: str | None, kind: str, masked: str) -> None:
    assert mask(value, kind) == masked
