"""Scorecards, sampling, reviews, disputes and calibration through the services."""

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from charter.accounts.models import Customer, Team, User
from charter.accounts.roles import Role
from charter.cases.models import Case, CaseClock
from charter.common.errors import ConflictError, DomainError, NotFoundError, PermissionDeniedError
from charter.mail.models import OutboundMessage
from charter.quality.models import (
    CalibrationScore,
    Criterion,
    Review,
    SamplingRule,
    Scale,
    ScorecardVersion,
    Section,
)
from charter.quality.selectors import (
    calibration_score_list_for,
    criterion_list,
    dispute_queue_of,
    review_get_for,
    review_queue_of,
)
from charter.quality.services import (
    ScoreInput,
    calibration_agree,
    calibration_close,
    calibration_create,
    calibration_score_save,
    calibration_spread,
    criterion_save,
    review_acknowledge,
    review_dispute,
    review_dispute_decide,
    review_sample,
    review_sample_case,
    review_scores_save,
    sampling_rule_run,
    sampling_run_due,
    scorecard_create,
    scorecard_version_draft_create,
    scorecard_version_publish,
)
from charter.quality.services.sampling import fairest
from charter.standards.models import StandardVersion
from charter.standards.services import standard_version_draft_create
from tests.accounts.factories import UserFactory
from tests.cases.conftest import new_case
from tests.quality.conftest import resolve, sampling_rule
from tests.standards.conftest import conduct_content

pytestmark = pytest.mark.django_db


def _criteria(version: ScorecardVersion) -> list[Criterion]:
    return list(criterion_list(version=version))


def _all_scores(version: ScorecardVersion, values: list[int | None]) -> list[ScoreInput]:
    return [
        ScoreInput(criterion_id=c.pk, value=value, comment=f"评语{c.ordering}")
        for c, value in zip(_criteria(version), values, strict=True)
    ]


@pytest.fixture
def review(case: Case, member: User, qa_reviewer: User, scorecard_version: ScorecardVersion) -> Review:
    resolve(case, member)
    made = review_sample(case=case, agent=member, scorecard_version=scorecard_version, reason="manual")
    assert made is not None
    return made


# Scorecards ---------------------------------------------------------------------------------------------


def test_publishing_refuses_weights_that_do_not_add_up_to_100_and_names_the_sum(
    administrator: User, code_v1: StandardVersion
) -> None:
    scorecard = scorecard_create(actor=administrator, code="short", name_zh="不足")
    draft = scorecard.versions.get()
    criterion_save(
        actor=administrator,
        criterion=Criterion(
            version=draft,
            section=Section.OPENING,
            title_zh="问候",
            clause=code_v1.clauses.get(number="1.6"),
            weight=70,
        ),
    )

    with pytest.raises(DomainError) as refused:
        scorecard_version_publish(actor=administrator, version=draft)

    assert refused.value.code == "quality_weights_not_100" and "70" in str(refused.value.message)
    draft.refresh_from_db()
    assert draft.status == ScorecardVersion.Status.DRAFT


def test_a_criterion_citing_a_clause_of_an_unpublished_version_is_refused(
    administrator: User, code_v1: StandardVersion
) -> None:
    standard_draft = standard_version_draft_create(actor=administrator, document=code_v1.document)
    unpublished = standard_draft.clauses.first() or None
    if unpublished is None:
        from charter.standards.services import standard_clause_add

        unpublished = standard_clause_add(
            actor=administrator, version=standard_draft, content=conduct_content("9.9")
        )
    scorecard = scorecard_create(actor=administrator, code="draft-cite", name_zh="引用草稿")

    with pytest.raises(DomainError) as refused:
        criterion_save(
            actor=administrator,
            criterion=Criterion(
                version=scorecard.versions.get(),
                section=Section.OPENING,
                title_zh="x",
                clause=unpublished,
                weight=100,
            ),
        )

    assert refused.value.code == "quality_unpublished_clause"


def test_a_published_version_never_changes_and_a_new_version_supersedes_it(
    administrator: User, scorecard_version: ScorecardVersion
) -> None:
    criterion = _criteria(scorecard_version)[0]
    criterion.weight = 10

    with pytest.raises(DomainError) as refused:
        criterion_save(actor=administrator, criterion=criterion)
    draft = scorecard_version_draft_create(actor=administrator, scorecard=scorecard_version.scorecard)
    published = scorecard_version_publish(actor=administrator, version=draft)

    scorecard_version.refresh_from_db()
    assert refused.value.code == "quality_version_not_draft"
    assert (draft.number, len(_criteria(draft))) == (2, 4)
    assert published.status == ScorecardVersion.Status.PUBLISHED
    assert scorecard_version.status == ScorecardVersion.Status.SUPERSEDED


def test_only_administrators_edit_scorecards(qa_reviewer: User, supervisor: User) -> None:
    for user in (qa_reviewer, supervisor):
        with pytest.raises(PermissionDeniedError):
            scorecard_create(actor=user, code="x", name_zh="x")


def test_an_auto_fail_criterion_is_answered_yes_or_no(administrator: User, code_v1: StandardVersion) -> None:
    scorecard = scorecard_create(actor=administrator, code="af", name_zh="x")

    with pytest.raises(DomainError, match="yes or no|是"):
        criterion_save(
            actor=administrator,
            criterion=Criterion(
                version=scorecard.versions.get(),
                section=Section.COMPLIANCE,
                title_zh="保密",
                clause=code_v1.clauses.get(number="5.1"),
                scale=Scale.ONE_TO_FIVE,
                is_auto_fail=True,
            ),
        )


# Sampling -----------------------------------------------------------------------------------------------


@given(
    st.lists(st.integers(1, 30), min_size=1, max_size=8, unique=True),
    st.dictionaries(st.integers(1, 30), st.integers(0, 20)),
    st.integers(1, 30),
)
def test_the_fairest_reviewer_is_never_the_agent_and_has_the_fewest_waiting(
    candidates: list[int], waiting: dict[int, int], agent: int
) -> None:
    chosen = fairest(candidate_ids=candidates, waiting=waiting, excluded={agent})

    others = [pk for pk in candidates if pk != agent]
    if not others:
        assert chosen is None
    else:
        assert chosen != agent and chosen in others
        assert waiting.get(chosen, 0) == min(waiting.get(pk, 0) for pk in others)


def test_sampling_a_case_twice_makes_one_review(
    case: Case, member: User, qa_reviewer: User, scorecard_version: ScorecardVersion
) -> None:
    resolve(case, member)

    first = review_sample(case=case, agent=member, scorecard_version=scorecard_version, reason="manual")
    second = review_sample(case=case, agent=member, scorecard_version=scorecard_version, reason="quota")

    assert first is not None and first == second
    assert Review.objects.count() == 1 and first.reviewer == qa_reviewer


def test_a_supervisor_is_never_given_his_own_case_to_review(
    case: Case, supervisor: User, scorecard_version: ScorecardVersion
) -> None:
    resolve(case, supervisor)

    with pytest.raises(DomainError) as refused:
        review_sample(
            case=case,
            agent=supervisor,
            scorecard_version=scorecard_version,
            reason="manual",
            reviewer=supervisor,
        )
    drawn = review_sample(case=case, agent=supervisor, scorecard_version=scorecard_version, reason="manual")

    assert refused.value.code == "quality_self_review"
    assert drawn is None  # the only other reviewer would be himself: nothing is drawn


def test_a_case_drawn_by_hand_goes_to_a_reviewer_of_the_teams_scope(
    case: Case, member: User, supervisor: User, scorecard_version: ScorecardVersion
) -> None:
    resolve(case, member)

    review = review_sample_case(actor=supervisor, case=case)

    assert review is not None and review.reviewer == supervisor and review.agent == member


def test_a_rule_draws_n_reviews_per_agent_and_a_rerun_draws_nothing_new(
    case: Case,
    customer: Customer,
    member: User,
    teammate: User,
    team: Team,
    administrator: User,
    qa_reviewer: User,
    scorecard_version: ScorecardVersion,
) -> None:
    second_reviewer = UserFactory.create(username="rita", roles=[Role.QA_REVIEWER])
    for agent, count in ((member, 4), (teammate, 3)):
        for _ in range(count):
            resolve(new_case(None, customer), agent)
    rule = sampling_rule(
        administrator,
        team,
        scorecard_version,
        per_agent_per_month=2,
        includes_complaints=False,
        includes_breaches=False,
        includes_low_surveys=False,
    )

    month_end = dt.datetime(
        2026, 3, 31, 12, tzinfo=dt.UTC
    )  # the quota is spread: all of it by the month's end
    made = sampling_rule_run(rule=rule, now=month_end)
    again = sampling_rule_run(rule=rule, now=month_end)

    reviews = Review.objects.filter(scorecard_version=scorecard_version)
    assert (made, again) == (4, 0)
    assert sorted(reviews.values_list("agent__username", flat=True)) == ["alice", "alice", "bob", "bob"]
    loads = [reviews.filter(reviewer=user).count() for user in (qa_reviewer, second_reviewer)]
    assert loads == [2, 2]  # spread fairly
    assert not reviews.filter(reviewer_id__in=[member.pk, teammate.pk]).exists()


def test_a_rule_always_draws_complaints_naming_staff_and_breaches(
    case: Case,
    customer: Customer,
    member: User,
    teammate: User,
    team: Team,
    administrator: User,
    qa_reviewer: User,
    scorecard_version: ScorecardVersion,
) -> None:
    complaint = new_case(None, customer, kind="complaint", named_staff=[teammate], team=team)
    resolve(case, member)
    CaseClock.objects.filter(case=case).update(status=CaseClock.Status.BREACHED)
    rule = sampling_rule(administrator, team, scorecard_version)

    made = sampling_run_due()
    rule.refresh_from_db()
    again = sampling_run_due()

    reasons = set(Review.objects.values_list("case_id", "agent_id", "reason"))
    assert made == 2 and again == 0 and rule.next_run_at is not None
    assert (complaint.pk, teammate.pk, "complaint") in reasons
    assert (case.pk, member.pk, "breach") in reasons


def test_a_rule_must_draw_something(
    administrator: User, team: Team, scorecard_version: ScorecardVersion
) -> None:
    with pytest.raises(DomainError) as refused:
        sampling_rule(
            administrator,
            team,
            scorecard_version,
            includes_complaints=False,
            includes_breaches=False,
            includes_low_surveys=False,
        )

    assert refused.value.code == "quality_invalid_rule"


# Reviews ------------------------------------------------------------------------------------------------


def test_submitting_scores_computes_the_overall_and_compliance_scores_and_tells_the_agent(
    review: Review, qa_reviewer: User, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    member.email = "alice@example.cn"
    member.save()

    with django_capture_on_commit_callbacks(execute=True):
        review_scores_save(
            actor=qa_reviewer,
            review=review,
            version=review.version,
            scores=_all_scores(review.scorecard_version, [1, 4, None, 1]),
            submit=True,
        )

    review.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED
    # 20 * 1 + 40 * 0.75 over the 60 that apply.
    assert review.overall_score == Decimal("83.33") and review.compliance_score == Decimal("100.00")
    mail = OutboundMessage.objects.get(template="quality.review_submitted")
    assert mail.recipient == "alice@example.cn" and "83.33" in mail.body


def test_a_confidentiality_breach_zeroes_the_review(review: Review, qa_reviewer: User) -> None:
    review_scores_save(
        actor=qa_reviewer,
        review=review,
        version=review.version,
        scores=_all_scores(review.scorecard_version, [1, 5, 5, 0]),
        submit=True,
    )

    review.refresh_from_db()
    assert review.is_auto_failed and review.overall_score == Decimal("0.00")


def test_the_agent_may_not_score_his_own_review_nor_may_anyone_else(
    review: Review, member: User, teammate: User, supervisor: User
) -> None:
    scores = _all_scores(review.scorecard_version, [1, 5, 5, 1])

    # The agent does not see his review while it is scored, nor does a teammate: not found, as on the page.
    for stranger in (member, teammate):
        with pytest.raises(NotFoundError):
            review_scores_save(actor=stranger, review=review, version=review.version, scores=scores)
    with pytest.raises(PermissionDeniedError) as other:
        review_scores_save(actor=supervisor, review=review, version=review.version, scores=scores)
    Review.objects.filter(pk=review.pk).update(reviewer=member)  # even were it given to him
    review.refresh_from_db()
    with pytest.raises(PermissionDeniedError) as self_review:
        review_scores_save(actor=member, review=review, version=review.version, scores=scores)

    assert other.value.code == "quality_review_denied"
    assert self_review.value.code == "quality_self_review"


def test_two_saves_of_the_same_version_the_second_is_refused(review: Review, qa_reviewer: User) -> None:
    read_version = review.version
    review_scores_save(
        actor=qa_reviewer,
        review=review,
        version=read_version,
        scores=_all_scores(review.scorecard_version, [1, 3, 3, 1]),
    )

    with pytest.raises(ConflictError) as refused:
        review_scores_save(
            actor=qa_reviewer,
            review=review,
            version=read_version,
            scores=_all_scores(review.scorecard_version, [0, 1, 1, 1]),
        )

    assert refused.value.code == "quality_review_changed"
    assert review.scores.get(criterion__ordering=0).value == 1


def test_submitting_needs_every_criterion_and_values_on_the_scale(review: Review, qa_reviewer: User) -> None:
    partial = _all_scores(review.scorecard_version, [1, 3, 3, 1])[:2]
    off_scale = _all_scores(review.scorecard_version, [1, 7, 3, 1])
    not_applicable = _all_scores(review.scorecard_version, [None, 3, 3, 1])

    for scores in (partial, off_scale, not_applicable):
        with pytest.raises(DomainError) as refused:
            review_scores_save(
                actor=qa_reviewer, review=review, version=review.version, scores=scores, submit=True
            )
        assert refused.value.code == "quality_invalid_score"


def _submitted(review: Review, reviewer: User, values: list[int | None]) -> Review:
    return review_scores_save(
        actor=reviewer,
        review=review,
        version=review.version,
        scores=_all_scores(review.scorecard_version, values),
        submit=True,
    )


def test_the_agent_disputes_once_and_the_supervisor_decides(
    review: Review,
    qa_reviewer: User,
    member: User,
    supervisor: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    member.email = "alice@example.cn"
    member.save()
    _submitted(review, qa_reviewer, [0, 2, 3, 1])

    disputed = review_dispute(actor=member, review=review, reason="客户先骂人，我已致歉。")
    with pytest.raises(ConflictError) as twice:
        review_dispute(actor=member, review=disputed, reason="再次申诉")
    with pytest.raises(PermissionDeniedError):
        review_dispute_decide(actor=qa_reviewer, review=disputed, decision="upheld", reason="x")
    with django_capture_on_commit_callbacks(execute=True):
        decided = review_dispute_decide(
            actor=supervisor,
            review=disputed,
            decision=Review.Decision.AMENDED,
            reason="录音显示已问候。",
            scores=[ScoreInput(criterion_id=_criteria(review.scorecard_version)[0].pk, value=1)],
        )

    assert disputed.dispute_handler == supervisor
    assert twice.value.code == "quality_already_disputed"
    assert decided.status == Review.Status.DECIDED and decided.score_before_dispute == Decimal("30.00")
    assert decided.overall_score == Decimal("50.00")
    assert list(dispute_queue_of(user=supervisor)) == []
    mail = OutboundMessage.objects.get(template="quality.dispute_decided")
    assert mail.recipient == "alice@example.cn" and "50.00" in mail.body


def test_a_dispute_never_goes_to_the_original_reviewer(
    case: Case, member: User, supervisor: User, qa_reviewer: User, scorecard_version: ScorecardVersion
) -> None:
    resolve(case, member)
    review = review_sample(
        case=case, agent=member, scorecard_version=scorecard_version, reason="manual", reviewer=supervisor
    )
    assert review is not None
    _submitted(review, supervisor, [1, 5, 5, 1])

    disputed = review_dispute(actor=member, review=review, reason="理由")

    assert disputed.dispute_handler == qa_reviewer


def test_an_acknowledged_review_cannot_be_disputed(review: Review, qa_reviewer: User, member: User) -> None:
    _submitted(review, qa_reviewer, [1, 5, 5, 1])

    review_acknowledge(actor=member, review=review)
    with pytest.raises(DomainError) as refused:
        review_dispute(actor=member, review=review, reason="晚了")

    assert refused.value.code == "invalid_transition" and refused.value.status == 409


def test_a_dispute_needs_a_reason_and_only_the_agent_disputes(
    review: Review, qa_reviewer: User, member: User, teammate: User
) -> None:
    _submitted(review, qa_reviewer, [1, 5, 5, 1])

    with pytest.raises(DomainError) as blank:
        review_dispute(actor=member, review=review, reason="  ")
    with pytest.raises(PermissionDeniedError) as other:
        review_dispute(actor=qa_reviewer, review=review, reason="我替他申诉")
    with pytest.raises(NotFoundError):  # a teammate does not see the review at all
        review_dispute(actor=teammate, review=review, reason="我替他申诉")

    assert blank.value.code == "quality_reason_required"
    assert other.value.code == "quality_review_denied"


def test_who_sees_a_review(
    review: Review, qa_reviewer: User, member: User, teammate: User, supervisor: User, outsider: User
) -> None:
    assert review_get_for(user=member, pk=review.pk) is None  # not before it is submitted
    _submitted(review, qa_reviewer, [1, 5, 5, 1])

    seen = {
        user.username: review_get_for(user=user, pk=review.pk) is not None
        for user in (qa_reviewer, member, teammate, supervisor, outsider)
    }

    assert seen == {"quinn": True, "alice": True, "bob": False, "sam": True, "charlie": False}
    assert list(review_queue_of(user=qa_reviewer)) == []


# Calibration --------------------------------------------------------------------------------------------


def test_calibration_is_blind_until_closed_then_shows_the_spread_and_the_agreed_score(
    case: Case, qa_reviewer: User, supervisor: User, scorecard_version: ScorecardVersion
) -> None:
    second = UserFactory.create(username="rita", roles=[Role.QA_REVIEWER])
    session = calibration_create(
        actor=qa_reviewer,
        title="三月校准",
        case=case,
        scorecard_version=scorecard_version,
        reviewers=[supervisor, second],
    )
    criteria = _criteria(scorecard_version)
    calibration_score_save(actor=supervisor, session=session, scores=[ScoreInput(criteria[1].pk, 2)])
    calibration_score_save(actor=second, session=session, scores=[ScoreInput(criteria[1].pk, 5)])

    blind = list(calibration_score_list_for(user=supervisor, session=session))
    with pytest.raises(PermissionDeniedError):
        calibration_score_save(actor=qa_reviewer, session=session, scores=[ScoreInput(criteria[1].pk, 3)])
    calibration_close(actor=qa_reviewer, session=session)
    calibration_agree(actor=qa_reviewer, session=session, values={criteria[1].pk: 4})
    spread = {row.criterion.pk: row for row in calibration_spread(session=session)}

    assert [score.value for score in blind] == [2]
    assert calibration_score_list_for(user=supervisor, session=session).count() == 3
    row = spread[criteria[1].pk]
    assert (row.minimum, row.maximum, row.range, row.deviation, row.agreed) == (2, 5, 3, 1.5, 4)
    assert CalibrationScore.objects.filter(session=session, reviewer__isnull=True).count() == 1
    with pytest.raises(DomainError):
        calibration_score_save(actor=second, session=session, scores=[ScoreInput(criteria[1].pk, 1)])


def test_calibration_needs_two_reviewers(
    case: Case, qa_reviewer: User, scorecard_version: ScorecardVersion
) -> None:
    with pytest.raises(DomainError):
        calibration_create(
            actor=qa_reviewer,
            title="x",
            case=case,
            scorecard_version=scorecard_version,
            reviewers=[qa_reviewer],
        )


def test_a_rule_always_draws_a_case_with_a_low_survey_score(
    case: Case,
    customer: Customer,
    member: User,
    team: Team,
    administrator: User,
    qa_reviewer: User,
    scorecard_version: ScorecardVersion,
) -> None:
    from tests.surveys.factories import ResponseFactory

    happy = resolve(new_case(None, customer), member)
    resolve(case, member)
    ResponseFactory.create(case=case, handler=member, csat=1, invitation__customer=customer)
    ResponseFactory.create(case=happy, handler=member, csat=5, invitation__customer=customer)
    rule = sampling_rule(administrator, team, scorecard_version, includes_breaches=False)

    made = sampling_rule_run(rule=rule)

    assert made == 1
    assert Review.objects.get().case == case and Review.objects.get().reason == "low_survey"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers anyway")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_sampling_at_once_draw_each_pair_once(
    case: Case,
    customer: Customer,
    member: User,
    teammate: User,
    team: Team,
    administrator: User,
    qa_reviewer: User,
    scorecard_version: ScorecardVersion,
) -> None:
    for agent in (member, teammate, member, teammate):
        resolve(new_case(None, customer), agent)
    rule = sampling_rule(administrator, team, scorecard_version, share_percent=100, includes_breaches=False)
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = sampling_rule_run(rule=SamplingRule.objects.get(pk=rule.pk))
        except Exception as error:  # the test inspects it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    pairs = list(Review.objects.values_list("case_id", "agent_id"))
    assert all(isinstance(result, int) for result in results), results
    assert len(pairs) == len(set(pairs)) == 4
    assert sum(int(result) for result in results if isinstance(result, int)) == 4


def test_failed_criteria_are_evidence_with_their_clause_in_the_readers_scope(
    review: Review, qa_reviewer: User, member: User, outsider: User
) -> None:
    from charter.quality.selectors import review_failed_score_list_for

    _submitted(review, qa_reviewer, [1, 1, 5, 1])

    seen = [
        score.criterion.clause.number
        for score in review_failed_score_list_for(user=qa_reviewer, agent=member)
    ]
    hidden = list(review_failed_score_list_for(user=outsider))

    assert seen == ["2.3"] and hidden == []


def test_a_rule_for_one_channel_draws_only_that_channels_cases(
    case: Case,
    customer: Customer,
    member: User,
    team: Team,
    administrator: User,
    qa_reviewer: User,
    scorecard_version: ScorecardVersion,
) -> None:
    phone = resolve(new_case(None, customer), member)
    Case.objects.filter(pk=phone.pk).update(channel="phone")
    resolve(case, member)  # from the web
    rule = sampling_rule(
        administrator,
        team,
        scorecard_version,
        channel="phone",
        share_percent=100,
        includes_complaints=False,
        includes_breaches=False,
        includes_low_surveys=False,
    )

    made = sampling_rule_run(rule=rule)

    assert made == 1 and Review.objects.get().case == phone
