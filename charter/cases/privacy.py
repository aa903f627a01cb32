"""What cases holds about a customer: export and erasure, and the anonymisation of closed cases' text."""

from collections.abc import Iterable


def case_text_anonymise(*, case_ids: Iterable[int]) -> int:
    """Replace the customer's words in these cases with the marker; return how many cases changed."""
    raise NotImplementedError
