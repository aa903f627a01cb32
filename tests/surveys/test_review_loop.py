"""好差评 on bad reviews: verification, rectification, revisit, the appeal, and the exclusion of a review from
every staff indicator (the tallies the assessment reads)."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from charter.accounts.models import Team, User
from charter.accounts.roles import Role
from charter.audit.models import AuditEvent
from charter.common.errors import (
    ConflictError,
    DomainError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
)
from charter.surveys.models import (
    AssessmentExclusion,
    RecoveryTask,
    Response,
    ReviewAppeal,
    ReviewStatus,
    SurveyVersion,
)
from charter.surveys.responses import response_submit
from charter.surveys.reviews import (
    review_appeal_decide,
    review_appeal_file,
    review_rectify,
    review_revisit,
    review_verify,
)
from charter.surveys.selectors import (
    CsatTally,
    NpsTally,
    response_csat_tally_by_person,
    response_list_attributed,
    response_nps_tally_by_person,
)
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.surveys.factories import (
    InvitationFactory,
    QuestionFactory,
    ResponseFactory,
    SurveyVersionFactory,
)

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
END = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
IN_WINDOW = dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC)


def test_nps_tally_splits_promoters_passives_detractors_and_counts_the_excluded(
    member: User, teammate: User
) -> None:
    for score in (10, 9, 8, 7, 6, 0):
        ResponseFactory.create(handler=member, nps=score, submitted_at=IN_WINDOW)
    ResponseFactory.create(handler=member, csat=5, submitted_at=IN_WINDOW)  # no NPS answer
    ResponseFactory.create(handler=member, nps=10, submitted_at=END)  # outside the window
    ResponseFactory.create(
        handler=member,
        nps=2,
        submitted_at=IN_WINDOW,
        assessment_excluded_at=IN_WINDOW,
        assessment_exclusion=AssessmentExclusion.NOT_VALID,
    )
    # As an agent beside the handler, and once as both handler and agent (counted once).
    ResponseFactory.create(handler=teammate, nps=9, submitted_at=IN_WINDOW, agents=[member, teammate])
    ResponseFactory.create(handler=member, nps=3, submitted_at=IN_WINDOW, agents=[member])

    tallies = response_nps_tally_by_person(start_at=START, end_at=END, people=[member.pk, teammate.pk])

    assert tallies[member.pk] == NpsTally(answered=8, promoters=3, passives=2, detractors=3, excluded=1)
    assert tallies[teammate.pk] == NpsTally(answered=1, promoters=1)


def test_csat_tally_leaves_out_and_counts_an_excluded_review(member: User) -> None:
    ResponseFactory.create(handler=member, csat=5, submitted_at=IN_WINDOW)
    ResponseFactory.create(handler=member, csat=1, submitted_at=IN_WINDOW)
    ResponseFactory.create(handler=member, submitted_at=IN_WINDOW)
    ResponseFactory.create(
        handler=member,
        csat=2,
        submitted_at=IN_WINDOW,
        assessment_excluded_at=IN_WINDOW,
        assessment_exclusion=AssessmentExclusion.APPEAL_UPHELD,
    )

    tallies = response_csat_tally_by_person(start_at=START, end_at=END, people=[member.pk])

    assert tallies[member.pk] == CsatTally(answered=2, satisfied=1, dissatisfied=1, skipped=1, excluded=1)


def test_attributed_list_is_newest_first_with_the_exclusion(member: User, teammate: User) -> None:
    older = ResponseFactory.create(handler=member, csat=1, submitted_at=IN_WINDOW)
    newer = ResponseFactory.create(
        handler=teammate,
        csat=2,
        submitted_at=IN_WINDOW + dt.timedelta(days=1),
        agents=[member],
        assessment_excluded_at=timezone.now(),
        assessment_exclusion=AssessmentExclusion.NOT_VALID,
    )
    ResponseFactory.create(handler=teammate, csat=1, submitted_at=IN_WINDOW)  # not his

    rows = response_list_attributed(start_at=START, end_at=END, person=member.pk)

    assert rows == [newer, older]
    assert [row.is_excluded for row in rows] == [True, False]
    assert response_list_attributed(start_at=START, end_at=END, person=member.pk, limit=1) == [newer]


# The loop ---------------------------------------------------------------------------------------------------

# A Monday morning in Beijing: the working-day windows are counted from here.
VERIFIED_AT = dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _an_hour_after_the_verification() -> Any:
    """The clock stands still an hour after the verification (each step then happens at once)."""
    with time_machine.travel(VERIFIED_AT + dt.timedelta(hours=1), tick=False):
        yield


@pytest.fixture
def bad_review(team: Team, member: User, teammate: User, supervisor: User) -> RecoveryTask:
    """A 非常不满意 review of alice's case (bob wrote to the customer too), followed up by sam, the lead."""
    response = ResponseFactory.create(
        handler=member, team=team, csat=1, nps=2, submitted_at=VERIFIED_AT, agents=[member, teammate]
    )
    return RecoveryTask.objects.create(
        response=response,
        team=team,
        owner=supervisor,
        reason="CSAT 1",
        due_at=VERIFIED_AT + dt.timedelta(days=2),
        review_status=ReviewStatus.TO_VERIFY,
    )


@pytest.fixture
def qa(db: None) -> User:
    """A QA reviewer: decides appeals (surveys.decide_review_appeal, granted by the migration)."""
    return UserFactory.create(username="quinn", roles=[Role.QA_REVIEWER])


def _tally(person: User) -> CsatTally:
    start, end = VERIFIED_AT - dt.timedelta(days=1), VERIFIED_AT + dt.timedelta(days=1)
    return response_csat_tally_by_person(start_at=start, end_at=end, people=[person.pk])[person.pk]


def _verified(task: RecoveryTask, actor: User, outcome: str = "valid") -> RecoveryTask:
    with time_machine.travel(VERIFIED_AT, tick=False):
        return review_verify(
            actor=actor, task=task, expected_version=task.version, outcome=outcome, evidence="录音已核实。"
        )


def test_a_valid_review_is_rectified_within_working_days_then_revisited(
    bad_review: RecoveryTask, supervisor: User, member: User
) -> None:
    task = _verified(bad_review, supervisor, "partly_valid")
    assert task.review_status == ReviewStatus.RECTIFYING and task.verification == "partly_valid"
    assert task.verified_by == supervisor and task.verified_at == VERIFIED_AT
    # 15 working days from Monday 2 March: three weeks later, Monday 23 March, at the end of the day.
    assert task.rectify_due_at is not None
    assert task.rectify_due_at.date() == dt.date(2026, 3, 23)
    assert not task.is_rectification_overdue(VERIFIED_AT)
    assert task.is_rectification_overdue(task.rectify_due_at + dt.timedelta(minutes=1))
    with pytest.raises(InvalidTransitionError):  # the revisit waits for the rectification
        review_revisit(actor=supervisor, task=task, expected_version=task.version, result="satisfied")
    with pytest.raises(DomainError) as blank:
        review_rectify(actor=supervisor, task=task, expected_version=task.version, note="  ")
    assert blank.value.field == "note"
    with pytest.raises(ConflictError):  # a stale form
        review_rectify(actor=supervisor, task=task, expected_version=task.version - 1, note="已整改。")

    task = review_rectify(actor=supervisor, task=task, expected_version=task.version, note="已培训。")
    assert task.review_status == ReviewStatus.REVISITING and task.rectified_at is not None
    with pytest.raises(DomainError) as unreachable:  # unreachable says how they tried
        review_revisit(actor=supervisor, task=task, expected_version=task.version, result="unreachable")
    assert unreachable.value.field == "note"
    with pytest.raises(DomainError) as unknown:
        review_revisit(actor=supervisor, task=task, expected_version=task.version, result="happy")
    assert unknown.value.code == "survey_review_invalid"
    task = review_revisit(
        actor=supervisor, task=task, expected_version=task.version, result="satisfied", note="客户认可。"
    )
    assert task.review_status == ReviewStatus.DONE and task.revisit_result == "satisfied"
    assert task.revisited_at is not None
    actions = set(
        AuditEvent.objects.filter(action__startswith="surveys.review_").values_list("action", flat=True)
    )
    assert actions == {"surveys.review_verify", "surveys.review_rectify", "surveys.review_revisit"}
    assert _tally(member) == CsatTally(answered=1, dissatisfied=1)  # still counted


def test_a_review_ruled_not_valid_needs_evidence_is_excluded_and_goes_to_the_revisit(
    bad_review: RecoveryTask, supervisor: User, member: User, teammate: User
) -> None:
    with pytest.raises(DomainError) as bare:
        review_verify(actor=supervisor, task=bad_review, expected_version=1, outcome="not_valid")
    assert bare.value.code == "survey_review_evidence_required" and bare.value.field == "evidence"
    assert not Response.objects.filter(assessment_excluded_at__isnull=False).exists()  # nothing written
    assert RecoveryTask.objects.get().version == 1

    task = _verified(bad_review, supervisor, "not_valid")

    assert task.review_status == ReviewStatus.REVISITING and task.rectify_due_at is None
    response = Response.objects.get()
    assert response.is_excluded and response.assessment_exclusion == AssessmentExclusion.NOT_VALID
    for person in (member, teammate):  # out of the handler's and the agent's indicators, and counted
        assert _tally(person) == CsatTally(excluded=1)
    end = VERIFIED_AT + dt.timedelta(days=1)
    nps = response_nps_tally_by_person(start_at=VERIFIED_AT, end_at=end, people=[member.pk])
    assert nps[member.pk] == NpsTally(excluded=1)
    with pytest.raises(InvalidTransitionError):  # verified once
        review_verify(actor=supervisor, task=task, expected_version=task.version, outcome="valid")


def test_only_the_unit_verifies_and_never_the_staff_reviewed(
    bad_review: RecoveryTask, member: User, outsider: User, supervisor: User
) -> None:
    with pytest.raises(NotFoundError):
        review_verify(actor=outsider, task=bad_review, expected_version=1, outcome="valid")
    member.user_permissions.add(*supervisor.groups.get().permissions.all())  # even with the rights
    bad_review.owner = member
    bad_review.save()
    with pytest.raises(PermissionDeniedError) as own:
        review_verify(actor=member, task=bad_review, expected_version=1, outcome="not_valid", evidence="x")
    assert own.value.code == "survey_review_denied"
    assert client_for(outsider).get(f"/desk/surveys/recovery/{bad_review.pk}/").status_code in (403, 404)


def test_the_attributed_staff_appeals_once_and_an_independent_reviewer_upholds_it(
    bad_review: RecoveryTask, supervisor: User, member: User, teammate: User, outsider: User, qa: User
) -> None:
    with pytest.raises(DomainError) as early:  # nothing to appeal before the verification
        review_appeal_file(actor=member, task=bad_review, reason="客户误解。")
    assert early.value.code == "survey_appeal_not_allowed"
    task = _verified(bad_review, supervisor)
    with pytest.raises(NotFoundError):  # not attributed to him
        review_appeal_file(actor=outsider, task=task, reason="客户误解。")
    with pytest.raises(DomainError) as blank:
        review_appeal_file(actor=member, task=task, reason="")
    assert blank.value.field == "reason"

    with time_machine.travel(VERIFIED_AT + dt.timedelta(days=1), tick=False):
        appeal = review_appeal_file(actor=member, task=task, reason="客户误解了收费标准，录音为证。")
        with pytest.raises(DomainError) as again:  # one appeal per review, whoever files it
            review_appeal_file(actor=teammate, task=task, reason="再次申诉。")
    assert again.value.code == "survey_appeal_already_filed"
    assert ReviewAppeal.objects.count() == 1 and appeal.status == ReviewAppeal.Status.FILED

    # The appellant, his lead (even holding the right) and the verifier may not decide.
    for conflicted in (member, supervisor):
        conflicted.user_permissions.add(*qa.groups.get().permissions.all())
        conflicted = User.objects.get(pk=conflicted.pk)  # fresh permission cache
        with pytest.raises(PermissionDeniedError) as refused:
            review_appeal_decide(
                actor=conflicted, appeal=appeal, expected_version=1, decision="upheld", reason="同意。"
            )
        assert refused.value.code == "survey_appeal_decide_denied"
    with pytest.raises(NotFoundError):  # an agent who sees nothing of it: hidden
        review_appeal_decide(actor=teammate, appeal=appeal, expected_version=1, decision="upheld", reason="x")
    with pytest.raises(DomainError) as unreasoned:
        review_appeal_decide(actor=qa, appeal=appeal, expected_version=1, decision="upheld", reason="")
    assert unreasoned.value.field == "decision_reason"
    assert _tally(member) == CsatTally(answered=1, dissatisfied=1)

    decided = review_appeal_decide(
        actor=qa, appeal=appeal, expected_version=1, decision="upheld", reason="录音证实为误解。"
    )

    assert decided.status == ReviewAppeal.Status.UPHELD and decided.decided_by == qa
    response = Response.objects.get()
    assert response.assessment_exclusion == AssessmentExclusion.APPEAL_UPHELD
    assert _tally(member) == CsatTally(excluded=1) and _tally(teammate) == CsatTally(excluded=1)
    with pytest.raises(InvalidTransitionError):  # decided once
        review_appeal_decide(actor=qa, appeal=decided, expected_version=2, decision="rejected", reason="x")
    assert AuditEvent.objects.filter(action="surveys.review_appeal_decide").count() == 1


def test_a_rejected_appeal_leaves_the_review_counted(
    bad_review: RecoveryTask, supervisor: User, member: User, qa: User
) -> None:
    task = _verified(bad_review, supervisor)
    appeal = review_appeal_file(actor=member, task=task, reason="不是我的责任。")
    # Appeals are timed against the verification: filed on the day, decided whenever.
    appeal = review_appeal_decide(
        actor=qa, appeal=appeal, expected_version=1, decision="rejected", reason="录音显示答复有误。"
    )
    assert appeal.status == ReviewAppeal.Status.REJECTED
    assert not Response.objects.get().is_excluded
    assert _tally(member) == CsatTally(answered=1, dissatisfied=1)


def test_an_appeal_after_the_window_is_refused(
    bad_review: RecoveryTask, supervisor: User, member: User
) -> None:
    task = _verified(bad_review, supervisor)
    # Five working days from Monday 2 March end with Monday 9 March (Beijing).
    with time_machine.travel(dt.datetime(2026, 3, 10, 2, tzinfo=dt.UTC), tick=False):
        with pytest.raises(DomainError) as late:
            review_appeal_file(actor=member, task=task, reason="客户误解。")
    assert late.value.code == "survey_appeal_too_late"
    assert not ReviewAppeal.objects.exists()


def test_an_appeal_against_a_review_ruled_not_valid_is_refused(
    bad_review: RecoveryTask, supervisor: User, member: User
) -> None:
    task = _verified(bad_review, supervisor, "not_valid")
    with pytest.raises(DomainError) as pointless:
        review_appeal_file(actor=member, task=task, reason="客户误解。")
    assert pointless.value.code == "survey_appeal_not_allowed"


def test_the_verifier_may_not_decide_the_appeal(
    bad_review: RecoveryTask, administrator: User, member: User, qa: User
) -> None:
    task = _verified(bad_review, administrator)  # an administrator also holds the right to decide
    appeal = review_appeal_file(actor=member, task=task, reason="客户误解。")
    with pytest.raises(PermissionDeniedError) as refused:
        review_appeal_decide(
            actor=administrator, appeal=appeal, expected_version=1, decision="upheld", reason="同意。"
        )
    assert refused.value.code == "survey_appeal_decide_denied"
    assert appeal.pk in ReviewAppeal.objects.filter(status="filed").values_list("pk", flat=True)


def test_a_bad_csat_enters_the_loop_and_a_low_nps_alone_does_not(db: None) -> None:
    for answer, status in (("csat", ReviewStatus.TO_VERIFY), ("nps", ReviewStatus.NONE)):
        version = SurveyVersionFactory.create(status=SurveyVersion.Status.DRAFT, published_at=None)
        questions = {kind: QuestionFactory.create(version=version, type=kind) for kind in ("csat", "nps")}
        SurveyVersion.objects.filter(pk=version.pk).update(status=SurveyVersion.Status.PUBLISHED)
        invitation = InvitationFactory.create(version=version)

        response_submit(invitation=invitation, answers={questions[answer].pk: 1})

        assert RecoveryTask.objects.get(response__invitation=invitation).review_status == status


# Pages ------------------------------------------------------------------------------------------------------


def test_the_pages_take_each_step_and_show_the_exclusion(
    bad_review: RecoveryTask, supervisor: User, member: User, outsider: User, qa: User
) -> None:
    url = f"/desk/surveys/recovery/{bad_review.pk}/"
    lead = client_for(supervisor)
    page = lead.get(url)
    assert page.status_code == 200 and set(page.context["review_forms"]) == {"verify"}
    refused = lead.post(url, {"action": "rectify", "rectify-version": 1, "rectify-note": "x"})
    assert refused.status_code == 403  # not the step of the moment
    blank = lead.post(url, {"action": "verify", "verify-version": 1, "verify-outcome": "not_valid"})
    assert blank.status_code == 400 and RecoveryTask.objects.get().verified_at is None

    done = lead.post(
        url,
        {"action": "verify", "verify-version": 1, "verify-outcome": "valid", "verify-evidence": "录音核实。"},
    )
    assert done.status_code == 302 and RecoveryTask.objects.get().review_status == ReviewStatus.RECTIFYING

    # The staff member finds it on his own page and appeals; nobody else appeals through it.
    mine = client_for(member)
    listing = mine.get("/desk/surveys/reviews/mine/")
    assert listing.status_code == 200 and f'data-testid="appeal-{bad_review.pk}"' in listing.content.decode()
    assert (
        client_for(outsider)
        .post("/desk/surveys/reviews/mine/", {"task": bad_review.pk, "reason": "误解。"})
        .status_code
        == 404
    )
    assert mine.post("/desk/surveys/reviews/mine/", {"task": bad_review.pk, "reason": ""}).status_code == 400
    filed = mine.post("/desk/surveys/reviews/mine/", {"task": bad_review.pk, "reason": "客户误解。"})
    assert filed.status_code == 302 and ReviewAppeal.objects.get().appellant == member
    assert (
        f'data-testid="appeal-{bad_review.pk}"'
        not in mine.get("/desk/surveys/reviews/mine/").content.decode()
    )
    assert mine.get(url).status_code == 404  # the follow-up page is not his

    # His lead sees the appeal but may not decide it; the QA reviewer decides.
    assert "decide" not in lead.get(url).context["review_forms"]
    decide = {
        "action": "decide",
        "decide-version": 1,
        "decide-decision": "upheld",
        "decide-decision_reason": "属实。",
    }
    assert lead.post(url, decide).status_code == 403
    reviewer = client_for(qa)
    assert "decide" in reviewer.get(url).context["review_forms"]
    assert reviewer.post(url, decide).status_code == 302
    assert Response.objects.get().assessment_exclusion == AssessmentExclusion.APPEAL_UPHELD
    assert "不计入考核" in lead.get(url).content.decode()
    assert "不计入考核" in mine.get("/desk/surveys/reviews/mine/").content.decode()


def test_the_list_shows_overdue_rectifications(bad_review: RecoveryTask, supervisor: User) -> None:
    task = _verified(bad_review, supervisor)
    lead = client_for(supervisor)
    assert list(lead.get("/desk/surveys/recovery/?show=rectify_overdue").context["page"]) == []
    assert task.rectify_due_at is not None
    with time_machine.travel(task.rectify_due_at + dt.timedelta(hours=1), tick=False):
        page = client_for(supervisor).get("/desk/surveys/recovery/?show=rectify_overdue")  # a new session
    assert list(page.context["page"]) == [task] and "整改逾期" in page.content.decode()


def test_my_reviews_is_for_staff_only(customer_user: User) -> None:
    assert client_for(customer_user).get("/desk/surveys/reviews/mine/").status_code == 403


def test_the_desk_links_the_staff_member_to_his_bad_reviews(
    bad_review: RecoveryTask, member: User, outsider: User
) -> None:
    page = client_for(member).get("/desk/").content.decode()
    assert 'href="/desk/surveys/reviews/mine/"' in page and 'data-testid="tile-my-reviews"' in page
    assert 'data-testid="tile-my-reviews"' not in client_for(outsider).get("/desk/").content.decode()


def test_the_staff_reviewed_never_records_the_rectification_or_the_revisit(
    bad_review: RecoveryTask, member: User, supervisor: User
) -> None:
    task = review_verify(actor=supervisor, task=bad_review, expected_version=1, outcome="valid")
    member.user_permissions.add(*supervisor.groups.get().permissions.all())  # even with the rights
    RecoveryTask.objects.filter(pk=task.pk).update(owner=member)
    task.refresh_from_db()
    with pytest.raises(PermissionDeniedError) as own:
        review_rectify(actor=member, task=task, expected_version=task.version, note="已整改")
    assert own.value.code == "survey_review_denied"
    review_rectify(actor=supervisor, task=task, expected_version=task.version, note="已整改")
    task.refresh_from_db()
    with pytest.raises(PermissionDeniedError):
        review_revisit(actor=member, task=task, expected_version=task.version, result="satisfied")
    assert RecoveryTask.objects.get(pk=task.pk).revisited_at is None
