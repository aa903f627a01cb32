"""Erasure by anonymisation and restriction of processing (a data-subject's rights).

`customer_erase` anonymises one customer in place: every app that holds something about him (registered in
`charter.privacy.registry`) replaces his words with the marker and deletes the files he sent, then his own
record loses name, phone, e-mail, ID number and their blind indexes, and his user account is closed. Case
numbers, clocks, scores and counts stay, so published figures never change.
"""

from typing import Any

from charter.accounts.models import Customer


def customer_erase(*, customer: Customer, actor: Any, reason: str, request: Any = None) -> dict[str, int]:
    """Anonymise `customer` everywhere; return how many rows each table changed."""
    raise NotImplementedError


def customer_restrict(*, customer: Customer, actor: Any, restricted: bool, reason: str, request: Any = None) -> None:
    """Restrict (or lift the restriction of) the processing of `customer`'s data."""
    raise NotImplementedError
