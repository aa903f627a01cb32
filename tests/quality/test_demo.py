"""The quality demo: the default scorecard from the demo code, sampling rules per team, and the story's
steps (draw the flagged case, score it against the clause, dispute, decide) through the services."""

import pytest

from charter.accounts import demo as accounts_demo
from charter.accounts.models import Customer, Team, User
from charter.cases.models import Case
from charter.quality.demo import demo_scores, quality_demo_load
from charter.quality.models import Review, SamplingRule, ScorecardVersion
from charter.quality.services import (
    review_dispute,
    review_dispute_decide,
    review_sample_case,
    review_scores_save,
)
from charter.standards import demo as standards_demo
from tests.cases.conftest import new_case
from tests.quality.conftest import resolve

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_admin(settings: object, tmp_path: object) -> User:
    admin = accounts_demo.demo_load()
    standards_demo.demo_load(actor=admin)
    return admin


def test_the_demo_scorecard_is_published_once_with_weights_of_100_and_a_rule_per_team(
    demo_admin: User,
) -> None:
    first = quality_demo_load()
    second = quality_demo_load()

    version = ScorecardVersion.objects.get(scorecard=first)
    assert first == second and version.status == "published"
    assert sum(c.weight for c in version.criteria.all() if not c.is_compliance) == 100
    assert version.criteria.get(clause__number="5.1").is_auto_fail
    assert SamplingRule.objects.count() == Team.objects.count() > 0


def test_the_demo_story_draws_scores_disputes_and_decides(demo_admin: User) -> None:
    quality_demo_load()
    agent = User.objects.get(username="li.agent")
    qa = User.objects.get(username="sun.qa")
    supervisor = User.objects.get(username="wang.supervisor")
    customer = Customer.objects.first()
    assert customer is not None
    case: Case = resolve(new_case(None, customer, team=Team.objects.get(code="hotline")), agent)

    review = review_sample_case(actor=qa, case=case, reviewer=qa)
    review = review_scores_save(
        actor=qa,
        review=review,
        version=review.version,
        scores=demo_scores(review, {"2.3": 2}, {"2.3": "“这事不归我管”"}),
        submit=True,
    )
    review = review_dispute(actor=agent, review=review, reason="客户先出言不逊。")
    review = review_dispute_decide(
        actor=supervisor, review=review, decision="upheld", reason="不当用语属实。"
    )

    assert review.status == Review.Status.DECIDED and review.dispute_handler == supervisor
    assert str(review.overall_score) == "85.00"  # a 2 of 5 on patience (weight 20) keeps a quarter
