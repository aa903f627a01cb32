"""A marker for an argument that was not given, where None already means something.

A partial update (`case_update`, `corrective_action_update`, a PATCH) must tell "leave the service as it
is" from "clear the service" (None). Its parameters default to `UNSET` and are typed `X | Unset`, so mypy
checks every name and type a caller passes, and `value is not UNSET` narrows to `X`.
"""

import enum
from typing import Final


class Unset(enum.Enum):
    """The type of `UNSET`: an enum of one member, so mypy narrows on `is UNSET` / `is not UNSET`."""

    UNSET = "unset"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET


def given(**values: object) -> dict[str, object]:
    """Return the values that were given (not `UNSET`), in the order they were passed."""
    return {name: value for name, value in values.items() if value is not UNSET}
