"""The yearly counters behind readable numbers (cases, corrective actions): one number at a time, and the
year turns at the organisation's midnight, whoever is signed in."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from charter.cases.models import CaseNumberCounter
from charter.cases.services._common import number_next
from charter.common.services import year_counter_next
from charter.improvement.models import CorrectiveActionCounter

pytestmark = pytest.mark.django_db

# 00:30 on 1 January 2027 in Shanghai (the site's zone); still 31 December 2026 in New York.
NEW_YEAR = dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC)


def test_numbers_follow_each_other_per_counter_and_year() -> None:
    with transaction.atomic():
        first = year_counter_next(counter=CaseNumberCounter, at=NEW_YEAR)
        second = year_counter_next(counter=CaseNumberCounter, at=NEW_YEAR)
        other = year_counter_next(counter=CorrectiveActionCounter, at=NEW_YEAR)
        earlier = year_counter_next(counter=CaseNumberCounter, at=NEW_YEAR - dt.timedelta(hours=1))

    assert (first, second, other, earlier) == ((2027, 1), (2027, 2), (2027, 1), (2026, 1))


def test_the_year_is_the_sites_not_the_readers() -> None:
    with timezone.override("America/New_York"), transaction.atomic():
        number = number_next(NEW_YEAR)

    assert number.endswith("-2027-000001")
