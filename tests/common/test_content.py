import dataclasses
from types import SimpleNamespace

from charter.common.content import content_from_data, content_of


@dataclasses.dataclass(frozen=True)
class _Content:
    name: str
    amount: int | None = 1
    is_free: bool = False


def test_content_from_data_replaces_the_fields_given_and_keeps_the_others() -> None:
    base = _Content(name="old", amount=5)

    content = content_from_data(base, {"amount": None, "is_free": True, "code": "not a field"})

    assert content == _Content(name="old", amount=None, is_free=True)
    assert base == _Content(name="old", amount=5)


def test_content_of_reads_each_field_from_the_row() -> None:
    row = SimpleNamespace(name="fee", amount=3, is_free=False, pk=7)

    assert content_of(_Content, row) == _Content(name="fee", amount=3)
