"""Change stamps (charter.common.stamps): a cached configuration is read again exactly when it changed."""

from typing import Any

import pytest

from charter.common.errors import DomainError
from charter.common.models import ChangeStamp
from charter.common.stamps import StampedCache, stamp_read, stamps_pinned
from charter.privacy.consent import CONSENT_PURPOSES, _purposes
from charter.privacy.errors import ErrorCode
from charter.privacy.models import ConsentPurpose

pytestmark = pytest.mark.django_db


class Counting:
    """A load function that says how often it ran."""

    def __init__(self) -> None:
        self.loads = 0

    def __call__(self) -> int:
        self.loads += 1
        return self.loads


def test_a_value_is_built_once_per_stamp_value() -> None:
    ChangeStamp.objects.create(name="test", value="a")
    load = Counting()
    cache = StampedCache("test", load)

    assert (cache.get(), cache.get()) == (1, 1)
    ChangeStamp.objects.filter(name="test").update(value="b")
    assert (cache.get(), cache.get()) == (2, 2)


def test_without_a_stamp_row_nothing_is_cached() -> None:
    load = Counting()
    cache = StampedCache("nowhere", load)

    assert (cache.get(), cache.get()) == (1, 2)


def test_pinned_caches_read_all_their_stamps_in_one_query_and_keep_the_outer_reading(
    django_assert_num_queries: Any,
) -> None:
    ChangeStamp.objects.bulk_create([ChangeStamp(name="one", value="a"), ChangeStamp(name="two", value="a")])
    one, two = StampedCache("one", Counting()), StampedCache("two", Counting())
    one.get(), two.get()

    with django_assert_num_queries(1), stamps_pinned(one, two):  # both stamps in one query
        assert (one.get(), two.get()) == (1, 1)
    with stamps_pinned(one, two):
        ChangeStamp.objects.filter(name="one").update(value="b")
        with django_assert_num_queries(0), stamps_pinned(one):
            assert one.get() == 1  # the outer block's reading, not the new value
    assert one.get() == 2


def test_the_migrations_made_the_stamps_their_caches_use() -> None:
    assert {"sla", "routing", "consent_purposes"} <= set(ChangeStamp.objects.values_list("name", flat=True))


def test_a_purpose_switched_off_in_bulk_is_refused_at_once() -> None:
    assert "surveys" in _purposes(["surveys"])
    before = stamp_read("consent_purposes")
    ConsentPurpose.objects.filter(code="surveys").update(is_active=False)  # no signal: the trigger sees it

    assert stamp_read("consent_purposes") != before
    assert "surveys" not in CONSENT_PURPOSES.get()
    with pytest.raises(DomainError) as refused:
        _purposes(["surveys"])
    assert refused.value.code == ErrorCode.CONSENT_PURPOSE_UNKNOWN
