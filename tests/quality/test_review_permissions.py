"""The roles get the review permissions the data migration grants."""

import pytest

from charter.accounts.models import User
from charter.quality.permissions import (
    can_decide_disputes,
    can_manage_scorecards,
    can_review,
    can_run_calibration,
    can_view_all_reviews,
    can_view_team_reviews,
)

pytestmark = pytest.mark.django_db

PREDICATES = (
    can_manage_scorecards,
    can_review,
    can_view_all_reviews,
    can_view_team_reviews,
    can_decide_disputes,
    can_run_calibration,
)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("member", (False, False, False, False, False, False)),
        ("supervisor", (False, True, False, True, True, False)),
        ("qa_reviewer", (False, True, True, True, True, True)),
        ("administrator", (True, False, True, True, False, True)),
    ],
)
def test_each_role_may_do_what_its_grant_says(
    persona: str, expected: tuple[bool, ...], request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)

    assert tuple(bool(predicate(user)) for predicate in PREDICATES) == expected


def test_an_inactive_qa_reviewer_may_do_nothing(qa_reviewer: User) -> None:
    qa_reviewer.is_active = False
    qa_reviewer.save()

    assert not any(predicate(qa_reviewer) for predicate in PREDICATES)
