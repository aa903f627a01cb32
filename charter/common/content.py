"""Content dataclasses: what a part of a document says, read from a stored row or from cleaned input.

A service takes a part's content whole as a frozen dataclass (`catalog.FeeContent`, `sla.CalendarContent`,
…), so mypy checks every field a caller names. The page and the API build it from their cleaned input with
`content_from_data`, a PATCH on top of the stored row's `content_of`, so neither spells the fields out again
and a field added to the dataclass reaches both.
"""

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    ContentT = TypeVar("ContentT", bound=DataclassInstance)
else:
    ContentT = TypeVar("ContentT")


def content_from_data(base: ContentT, data: Mapping[str, Any]) -> ContentT:
    """Return `base` with each of its fields that `data` (a form's or a serializer's cleaned input) holds
    replaced by that value, a given None included; keys of `data` that are not fields are ignored."""
    names = {field.name for field in dataclasses.fields(base)}
    return dataclasses.replace(base, **{name: value for name, value in data.items() if name in names})


def content_of(content_class: type[ContentT], row: object) -> ContentT:
    """Return the content of a stored `row` whose attributes bear the dataclass's field names."""
    return content_class(
        **{field.name: getattr(row, field.name) for field in dataclasses.fields(content_class)}
    )
