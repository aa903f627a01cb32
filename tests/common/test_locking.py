"""The optimistic lock (`row_claim`): a current version is claimed (incremented, the row returned fresh), a
stale one is refused with 409 and changes nothing, a row that is gone is 404; None skips the comparison.
And the hot paths' row lock (`row_lock_values`, `row_set`): one statement each."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from charter.accounts.models import User
from charter.assessment.models import ImprovementPlan
from charter.audit.models import AuditChainHead
from charter.common.errors import ConflictError, NotFoundError
from charter.common.locking import row_claim, row_lock_values, row_set
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


@pytest.mark.django_db
def test_a_row_is_read_locked_and_written_by_one_statement_each() -> None:
    head = AuditChainHead.objects.create(pk=7, last_sequence=41, last_hash="a" * 64)

    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        values = row_lock_values(AuditChainHead, ("last_sequence", "last_hash"), id=7)
        row_set(AuditChainHead, 7, last_sequence=42, last_hash="b" * 64)
    statements = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("SELECT", "UPDATE"))]

    assert values == (41, "a" * 64)
    assert row_lock_values(AuditChainHead, ("last_sequence",), id=8) is None
    assert len(statements) == 2
    assert statements[0].endswith("FOR UPDATE") == connection.features.has_select_for_update
    head.refresh_from_db()
    assert (head.last_sequence, head.last_hash) == (42, "b" * 64)
