"""The optimistic lock (`row_claim`): a current version is claimed (incremented, the row returned fresh), a
stale one is refused with 409 and changes nothing, a row that is gone is 404; None skips the comparison."""

import datetime as dt

import pytest

from charter.accounts.models import User
from charter.assessment.models import ImprovementPlan
from charter.common.errors import ConflictError, NotFoundError
from charter.common.locking import row_claim
from tests.accounts.factories import UserFactory


@pytest.fixture
def plan(db: None) -> ImprovementPlan:
    person: User = UserFactory.create()
    return ImprovementPlan.objects.create(
        person=person, trigger="manual", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 3, 31)
    )


def test_the_current_version_is_claimed_and_returned_fresh(plan: ImprovementPlan) -> None:
    before = plan.updated_at
    ImprovementPlan.objects.filter(pk=plan.pk).update(summary="written elsewhere")
    claimed = row_claim(plan, 1, field="lock_version")
    assert claimed.lock_version == 2
    assert claimed.summary == "written elsewhere"
    assert claimed.updated_at >= before


def test_a_stale_version_is_refused_and_changes_nothing(plan: ImprovementPlan) -> None:
    with pytest.raises(ConflictError) as refused:
        row_claim(plan, 7, field="lock_version", stale="reload")
    assert (refused.value.status, str(refused.value.message)) == (409, "reload")
    assert ImprovementPlan.objects.get(pk=plan.pk).lock_version == 1


def test_none_skips_the_comparison_but_still_claims(plan: ImprovementPlan) -> None:
    assert row_claim(plan, None, field="lock_version").lock_version == 2


def test_a_row_that_is_gone_is_not_found(plan: ImprovementPlan) -> None:
    ImprovementPlan.objects.filter(pk=plan.pk).delete()
    with pytest.raises(NotFoundError):
        row_claim(plan, 1, field="lock_version")
