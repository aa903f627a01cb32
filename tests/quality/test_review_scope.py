"""Who may be reviewed, by whom and on whose order; whose work a case is; when a month starts; what the
quota draws; and the pages and messages in the reader's language (the fixes of the quality review)."""

import datetime as dt
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from charter.accounts.models import Customer, Team, User
from charter.accounts.roles import Role
from charter.cases.models import Case, CaseMessage
from charter.common.errors import DomainError, NotFoundError, PermissionDeniedError
from charter.quality.models import Criterion, Review, Scorecard, ScorecardVersion
from charter.quality.reports import report_tables
from charter.quality.selectors import criterion_list, review_get_for
from charter.quality.services import (
    ScoreInput,
    calibration_create,
    review_sample,
    review_sample_case,
    review_scores_save,
    sampling_rule_run,
)
from charter.quality.services.reviews import dispute_handler_choose
from charter.quality.services.sampling import case_agent, month_start, quota_allowed, sample_rank
from tests.accounts.factories import TeamMembershipFactory, UserFactory
from tests.cases.conftest import new_case
from tests.conftest import api_client_for, client_for
from tests.quality.conftest import resolve, sampling_rule

pytestmark = pytest.mark.django_db


def _reply(case: Case, author: User, *, internal: bool = False, at: dt.datetime | None = None) -> None:
    CaseMessage.objects.create(
        case=case,
        author=author,
        author_kind=CaseMessage.AuthorKind.STAFF,
        body="您好",
        is_internal=internal,
        created_at=at or timezone.now(),
    )


@pytest.fixture
def lead_b(other_team: Team) -> User:
    """A supervisor of team B."""
    user = UserFactory.create(username="sophie", roles=[Role.SUPERVISOR])
    TeamMembershipFactory.create(team=other_team, user=user, is_lead=True)
    return user


# 1. Scope of a review drawn by hand -----------------------------------------------------------------------


def test_a_supervisor_may_not_draw_a_case_of_a_team_he_does_not_lead(
    case: Case, member: User, lead_b: User, team: Team, scorecard_version: ScorecardVersion
) -> None:
    resolve(case, member)

    with pytest.raises(NotFoundError):  # he does not see the case: not found, like a missing one
        review_sample_case(actor=lead_b, case=case, agent=member)
    TeamMembershipFactory.create(team=team, user=lead_b)  # a member of alice's team, not its lead
    with pytest.raises(PermissionDeniedError) as refused:
        review_sample_case(actor=User.objects.get(pk=lead_b.pk), case=case, agent=member)

    assert refused.value.code == "quality_review_denied"
    assert not Review.objects.exists()


@pytest.mark.parametrize("who", ["customer_user", "outsider", "teammate"])
def test_only_staff_who_worked_on_the_case_may_be_reviewed(
    request: Any, who: str, case: Case, member: User, supervisor: User, scorecard_version: ScorecardVersion
) -> None:
    resolve(case, member)
    agent = request.getfixturevalue(who)

    with pytest.raises(DomainError) as refused:
        review_sample_case(actor=supervisor, case=case, agent=agent)

    assert refused.value.code == "quality_not_case_agent"
    assert not Review.objects.exists()


def test_a_member_who_replied_publicly_or_is_named_may_be_reviewed_one_who_wrote_a_note_may_not(
    case: Case, member: User, teammate: User, supervisor: User, scorecard_version: ScorecardVersion
) -> None:
    resolve(case, member)
    noter = UserFactory.create(username="nora", roles=[Role.AGENT])
    _reply(case, teammate)
    _reply(case, noter, internal=True)

    review = review_sample_case(actor=supervisor, case=case, agent=teammate)
    with pytest.raises(DomainError) as refused:
        review_sample_case(actor=supervisor, case=case, agent=noter)
    case.named_staff.add(noter)
    named = review_sample_case(actor=supervisor, case=case, agent=noter)

    assert review.agent == teammate and named.agent == noter
    assert refused.value.code == "quality_not_case_agent"


def test_an_inactive_member_is_not_reviewed(
    case: Case, member: User, supervisor: User, scorecard_version: ScorecardVersion
) -> None:
    resolve(case, member)
    User.objects.filter(pk=member.pk).update(is_active=False)
    member.refresh_from_db()

    with pytest.raises(DomainError) as refused:
        review_sample(case=case, agent=member, scorecard_version=scorecard_version, reason="manual")

    assert refused.value.code == "quality_not_case_agent"


def test_a_reviewer_outside_the_teams_pool_is_refused(
    case: Case,
    member: User,
    supervisor: User,
    lead_b: User,
    qa_reviewer: User,
    scorecard_version: ScorecardVersion,
) -> None:
    resolve(case, member)

    with pytest.raises(DomainError) as refused:
        review_sample_case(actor=supervisor, case=case, agent=member, reviewer=lead_b)
    assert refused.value.code == "quality_reviewer_out_of_scope"
    assert not Review.objects.exists()

    review = review_sample_case(actor=supervisor, case=case, agent=member, reviewer=qa_reviewer)
    assert review.reviewer == qa_reviewer


def test_a_qa_reviewer_may_draw_any_teams_case_and_review_it_himself(
    case: Case, member: User, qa_reviewer: User, scorecard_version: ScorecardVersion
) -> None:
    resolve(case, member)

    review = review_sample_case(actor=qa_reviewer, case=case, reviewer=qa_reviewer)

    assert review.reviewer == qa_reviewer and review.agent == member


def test_api_refuses_a_customer_an_outsider_or_a_foreign_reviewer_and_writes_nothing(
    case: Case,
    member: User,
    outsider: User,
    customer_user: User,
    supervisor: User,
    lead_b: User,
    scorecard_version: ScorecardVersion,
) -> None:
    resolve(case, member)
    client = api_client_for(supervisor)

    as_customer = client.post(
        "/api/v1/qa-reviews/", {"case": case.pk, "agent": customer_user.pk}, format="json"
    )
    as_outsider = client.post("/api/v1/qa-reviews/", {"case": case.pk, "agent": outsider.pk}, format="json")
    foreign = client.post("/api/v1/qa-reviews/", {"case": case.pk, "reviewer": lead_b.pk}, format="json")
    other_lead = api_client_for(lead_b).post("/api/v1/qa-reviews/", {"case": case.pk}, format="json")

    assert (as_customer.status_code, as_customer.json()["code"]) == (400, "quality_not_case_agent")
    assert (as_outsider.status_code, as_outsider.json()["code"]) == (400, "quality_not_case_agent")
    assert (foreign.status_code, foreign.json()["code"]) == (400, "quality_reviewer_out_of_scope")
    assert other_lead.status_code in (400, 403, 404)
    assert not Review.objects.exists()


# 2. Whose work a case is ----------------------------------------------------------------------------------


def test_the_agent_reviewed_is_the_assignee_not_the_supervisor_who_resolved(
    case: Case, member: User, supervisor: User
) -> None:
    Case.objects.filter(pk=case.pk).update(
        assignee=member, resolved_by=supervisor, resolved_at=timezone.now()
    )
    case.refresh_from_db()

    assert case_agent(case) == member


def test_without_an_assignee_the_agent_is_the_author_of_the_last_public_reply(
    case: Case, member: User, teammate: User, supervisor: User
) -> None:
    now = timezone.now()
    _reply(case, teammate, at=now - dt.timedelta(hours=2))
    _reply(case, member, at=now - dt.timedelta(hours=1))
    _reply(case, supervisor, internal=True, at=now)
    Case.objects.filter(pk=case.pk).update(assignee=None, resolved_by=supervisor, resolved_at=now)
    case.refresh_from_db()

    assert case_agent(case) == member


def test_without_assignee_or_reply_the_agent_is_who_resolved(case: Case, supervisor: User) -> None:
    Case.objects.filter(pk=case.pk).update(assignee=None, resolved_by=supervisor, resolved_at=timezone.now())
    case.refresh_from_db()

    assert case_agent(case) == supervisor


# 3. A supervisor reviewed does not see his review while it is being scored --------------------------------


def test_a_supervisor_does_not_see_his_own_review_while_it_is_assigned(
    case: Case, supervisor: User, qa_reviewer: User, scorecard_version: ScorecardVersion
) -> None:
    resolve(case, supervisor)
    review = review_sample(
        case=case,
        agent=supervisor,
        scorecard_version=scorecard_version,
        reason="manual",
        reviewer=qa_reviewer,
    )
    assert review is not None

    assert review_get_for(user=supervisor, pk=review.pk) is None
    assert review_get_for(user=qa_reviewer, pk=review.pk) == review


# 4. An auto-failed review shows 0 ---------------------------------------------------------------------------


def test_an_auto_failed_review_shows_its_zero_scores_in_the_list(
    case: Case, member: User, qa_reviewer: User, scorecard_version: ScorecardVersion
) -> None:
    resolve(case, member)
    review = review_sample(case=case, agent=member, scorecard_version=scorecard_version, reason="manual")
    assert review is not None
    criteria = list(criterion_list(version=scorecard_version))
    review_scores_save(
        actor=qa_reviewer,
        review=review,
        version=review.version,
        scores=[ScoreInput(criterion_id=c.pk, value=v) for c, v in zip(criteria, [1, 5, 5, 0], strict=True)],
        submit=True,
    )
    review.refresh_from_db()
    assert review.is_auto_failed and review.overall_score == 0

    page = client_for(qa_reviewer).get("/desk/quality/reviews/")

    row = page.content.decode().split(case.number, 1)[1].split("</tr>", 1)[0]
    assert "—" not in row and "0" in row


# 6. Month buckets in the site's time zone ---------------------------------------------------------------


def test_a_month_starts_in_the_sites_time_zone_whatever_the_users(settings: Any) -> None:
    settings.TIME_ZONE = "Asia/Shanghai"
    at = dt.datetime(2026, 3, 31, 20, 0, tzinfo=dt.UTC)  # 1 April 04:00 in Shanghai, 31 March in Los Angeles

    with timezone.override(zoneinfo.ZoneInfo("America/Los_Angeles")):
        start = month_start(at)

    assert start == dt.datetime(2026, 4, 1, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


# 5. Quota sampling ---------------------------------------------------------------------------------------


def test_a_complaint_draw_does_not_eat_the_per_agent_quota(
    case: Case,
    customer: Customer,
    member: User,
    team: Team,
    administrator: User,
    qa_reviewer: User,
    scorecard_version: ScorecardVersion,
) -> None:
    complaint = new_case(None, customer, kind="complaint", title="投诉", description="态度差")
    complaint.named_staff.add(member)
    resolve(complaint, member)
    rule = sampling_rule(
        administrator,
        team,
        scorecard_version,
        per_agent_per_month=1,
        includes_complaints=True,
        includes_breaches=False,
        includes_low_surveys=False,
    )

    sampling_rule_run(rule=rule)  # the complaint is drawn first
    for _ in range(3):
        resolve(new_case(None, customer), member)
    with time_machine.travel(dt.datetime(2026, 3, 31, 12, tzinfo=dt.UTC), tick=False):
        sampling_rule_run(rule=rule)

    reasons = sorted(Review.objects.filter(agent=member).values_list("reason", flat=True))
    assert reasons == ["complaint", "quota"]


@pytest.mark.parametrize(
    ("n", "day", "expected"), [(4, 1, 1), (4, 8, 1), (4, 9, 2), (4, 17, 3), (4, 31, 4), (1, 1, 1), (0, 15, 0)]
)
def test_the_quota_is_spread_over_the_month(n: int, day: int, expected: int) -> None:
    start = dt.datetime(2026, 3, 1, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    now = start + dt.timedelta(days=day - 1, hours=12)

    assert quota_allowed(per_month=n, start=start, now=now) == expected


def test_the_quota_draws_among_all_the_months_cases_by_a_stable_hash_not_the_first_ones(
    frozen: Any,
    case: Case,
    customer: Customer,
    member: User,
    team: Team,
    administrator: User,
    qa_reviewer: User,
    scorecard_version: ScorecardVersion,
) -> None:
    rule = sampling_rule(
        administrator,
        team,
        scorecard_version,
        per_agent_per_month=4,
        includes_complaints=False,
        includes_breaches=False,
        includes_low_surveys=False,
    )
    early = {resolve(new_case(None, customer), member).pk for _ in range(6)}
    frozen.move_to(dt.datetime(2026, 3, 3, tzinfo=dt.UTC))
    sampling_rule_run(rule=rule)
    first = set(Review.objects.values_list("case_id", flat=True))
    frozen.move_to(dt.datetime(2026, 3, 25, tzinfo=dt.UTC))
    late = {resolve(new_case(None, customer), member).pk for _ in range(30)}
    frozen.move_to(dt.datetime(2026, 3, 31, 12, tzinfo=dt.UTC))
    sampling_rule_run(rule=rule)
    drawn = set(Review.objects.values_list("case_id", flat=True))

    assert len(first) == 1  # early in the month only a share of the quota is drawn
    assert first == {min(early, key=lambda pk: (sample_rank(rule.pk, pk), pk))}
    remaining = sorted((early | late) - first, key=lambda pk: (sample_rank(rule.pk, pk), pk))
    assert drawn - first == set(remaining[:3])  # the rest among every case of the month, late ones too
    assert set(Review.objects.values_list("reason", flat=True)) == {"quota"}


# 7. Low survey scores answered this month on cases resolved earlier -------------------------------------


def test_a_low_survey_answered_this_month_draws_a_case_resolved_last_month(
    case: Case,
    customer: Customer,
    member: User,
    team: Team,
    administrator: User,
    qa_reviewer: User,
    scorecard_version: ScorecardVersion,
) -> None:
    from tests.surveys.factories import ResponseFactory

    Case.objects.filter(pk=case.pk).update(
        status="resolved",
        resolved_by=member,
        assignee=member,
        received_at=dt.datetime(2026, 2, 20, tzinfo=dt.UTC),
        resolved_at=dt.datetime(2026, 2, 25, tzinfo=dt.UTC),
    )
    ResponseFactory.create(
        case=case, handler=member, csat=1, invitation__customer=customer, submitted_at=timezone.now()
    )
    rule = sampling_rule(
        administrator, team, scorecard_version, includes_breaches=False, includes_complaints=False
    )

    made = sampling_rule_run(rule=rule)

    assert made == 1 and Review.objects.get().reason == "low_survey"


# 8. Calibration never asks the agent to score his own work ------------------------------------------------


def test_calibration_refuses_the_cases_own_agent_as_a_reviewer(
    case: Case, member: User, supervisor: User, qa_reviewer: User, administrator: User, scorecard_version: Any
) -> None:
    resolve(case, supervisor)
    UserFactory.create(username="rita", roles=[Role.QA_REVIEWER])

    with pytest.raises(DomainError) as refused:
        calibration_create(
            actor=administrator,
            title="校准",
            case=case,
            scorecard_version=scorecard_version,
            reviewers=[supervisor, qa_reviewer],
        )

    assert refused.value.code == "quality_self_review"


# 9. The reader's language --------------------------------------------------------------------------------


def test_scorecards_and_criteria_read_in_english_for_english_readers(
    case: Case, member: User, qa_reviewer: User, scorecard_version: ScorecardVersion
) -> None:
    Scorecard.objects.update(name_en="Default card")
    # Give the published criteria English titles; the base manager goes past the guard that freezes them.
    Criterion._base_manager.filter(version=scorecard_version).update(title_en="Criterion EN")
    resolve(case, member)
    review = review_sample(case=case, agent=member, scorecard_version=scorecard_version, reason="manual")
    assert review is not None
    scorecard = Scorecard.objects.get()

    with translation.override("en"):
        name = str(scorecard)
        with pytest.raises(DomainError) as refused:
            review_scores_save(
                actor=qa_reviewer, review=review, version=review.version, scores=[], submit=True
            )
        message = str(refused.value.message)
        page = client_for(qa_reviewer).get(f"/desk/quality/reviews/{review.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    with translation.override("zh-hans"):
        chinese = str(scorecard)

    review_scores_save(
        actor=qa_reviewer,
        review=review,
        version=review.version,
        scores=[ScoreInput(criterion_id=c.pk, value=1) for c in criterion_list(version=scorecard_version)],
        submit=True,
    )
    with translation.override("en"):
        cells = {str(cell) for table in report_tables(user=qa_reviewer) for row in table.rows for cell in row}

    assert "Criterion EN" in cells and "Patience; no improper words" in cells and "条款1.6" not in cells
    assert name == "Default card" and chinese == "通用质检评分表"
    assert "Criterion EN" in message and "、" not in message and "条款" not in message
    assert "Criterion EN" in page.content.decode() and "条款1.6" not in page.content.decode()


# 10. Choosing a dispute handler does not load every user -----------------------------------------------


def test_choosing_a_dispute_handler_does_not_grow_with_the_number_of_users(
    case: Case, member: User, qa_reviewer: User, scorecard_version: ScorecardVersion
) -> None:
    resolve(case, member)
    review = review_sample(case=case, agent=member, scorecard_version=scorecard_version, reason="manual")
    assert review is not None
    handler = UserFactory.create(username="hal", roles=[Role.QA_REVIEWER])
    with CaptureQueriesContext(connection) as few:
        assert dispute_handler_choose(review=review) == handler
    for index in range(8):
        UserFactory.create(username=f"agent{index}", roles=[Role.AGENT])
    with CaptureQueriesContext(connection) as many:
        assert dispute_handler_choose(review=review) == handler

    assert len(many.captured_queries) == len(few.captured_queries)
