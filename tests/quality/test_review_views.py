"""The review desk pages: who may open them, the review page's conversation and actions, the report."""

from typing import Any

import pytest

from charter.accounts.models import User
from charter.cases.models import Case
from charter.cases.services import case_reply
from charter.quality.models import Criterion, Finding, Review, SamplingRule, ScorecardVersion
from charter.quality.selectors import criterion_list
from charter.quality.services import ScoreInput, findings_from_replies, review_sample, review_scores_save
from tests.cases.conftest import new_case
from tests.conftest import client_for
from tests.quality.conftest import resolve

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(case: Case, member: User, qa_reviewer: User, scorecard_version: ScorecardVersion) -> Review:
    findings_from_replies()  # the cursor starts here
    case_reply(actor=member, case=case, body="您好，这事不归我管。")
    case_reply(actor=member, case=case, body="内部：客户情绪激动", is_internal=True)
    findings_from_replies()
    resolve(case, member)
    made = review_sample(case=case, agent=member, scorecard_version=scorecard_version, reason="manual")
    assert made is not None
    return made


def _criteria(review: Review) -> list[Criterion]:
    return list(criterion_list(version=review.scorecard_version))


def _submit(review: Review, values: list[int | None]) -> None:
    review_scores_save(
        actor=review.reviewer,
        review=review,
        version=review.version,
        scores=[ScoreInput(c.pk, v, "评语") for c, v in zip(_criteria(review), values, strict=True)],
        submit=True,
    )
    review.refresh_from_db()


def _url(review: Review) -> str:
    return f"/desk/quality/reviews/{review.pk}/"


def test_the_review_page_shows_the_whole_conversation_and_the_findings_to_the_reviewer(
    review: Review, qa_reviewer: User
) -> None:
    response = client_for(qa_reviewer).get(_url(review))

    html = response.content.decode()
    assert response.status_code == 200
    assert "这事不归我管" in html and "内部：客户情绪激动" in html
    finding = Finding.objects.get(case=review.case)
    assert str(finding.get_check_code_display()) in html and f"#message-{finding.message_id}" in html
    assert 'name="action" value="submit"' in html


def test_the_reviewer_scores_and_submits_on_the_page(review: Review, qa_reviewer: User) -> None:
    data: dict[str, Any] = {"action": "submit", "version": review.version, "summary": "整体良好"}
    for criterion, value in zip(_criteria(review), ["1", "3", "na", "1"], strict=True):
        data[f"value_{criterion.pk}"] = value
        data[f"comment_{criterion.pk}"] = "好"

    response = client_for(qa_reviewer).post(_url(review), data)

    review.refresh_from_db()
    assert response.status_code == 302
    assert review.status == Review.Status.SUBMITTED and str(review.overall_score) == "66.67"
    assert review.summary == "整体良好"


def test_a_stale_save_on_the_page_shows_the_conflict(review: Review, qa_reviewer: User) -> None:
    stale = {"action": "save", "version": review.version + 5}

    response = client_for(qa_reviewer).post(_url(review), stale)

    assert response.status_code == 200
    assert response.context["score_form"].non_field_errors()
    assert Review.objects.get(pk=review.pk).version == review.version


def test_the_agent_sees_his_review_only_once_submitted_and_disputes_it(
    review: Review, member: User, supervisor: User
) -> None:
    before = client_for(member).get(_url(review))
    _submit(review, [0, 3, 3, 1])

    page = client_for(member).get(_url(review))
    disputed = client_for(member).post(_url(review), {"action": "dispute", "reason": "客户先出言不逊"})

    review.refresh_from_db()
    assert before.status_code == 404
    assert page.status_code == 200 and 'value="dispute"' in page.content.decode()
    assert disputed.status_code == 302 and review.status == Review.Status.DISPUTED
    assert review.dispute_handler == supervisor
    assert "/desk/quality/reviews/" in client_for(supervisor).get("/desk/quality/disputes/").content.decode()


def test_a_blank_dispute_reason_shows_a_field_error(review: Review, member: User) -> None:
    _submit(review, [1, 3, 3, 1])

    response = client_for(member).post(_url(review), {"action": "dispute", "reason": ""})

    assert response.status_code == 200 and "has-error" in response.content.decode()


def test_the_supervisor_decides_the_dispute_on_the_page(
    review: Review, member: User, supervisor: User
) -> None:
    _submit(review, [0, 3, 3, 1])
    client_for(member).post(_url(review), {"action": "dispute", "reason": "理由"})
    first = _criteria(review)[0]

    response = client_for(supervisor).post(
        _url(review),
        {
            "action": "decide",
            "decision": "amended",
            "reason": "录音已问候",
            "version": 1,
            f"value_{first.pk}": "1",
        },
    )

    review.refresh_from_db()
    assert response.status_code == 302
    assert review.status == Review.Status.DECIDED and review.decision == "amended"
    assert review.overall_score == 60  # 20 + 40 * 0.5 + 40 * 0.5


def test_others_get_404_or_403(review: Review, teammate: User, outsider: User) -> None:
    assert client_for(teammate).get(_url(review)).status_code == 404
    assert client_for(outsider).get(_url(review)).status_code == 404
    assert client_for(outsider).get("/desk/quality/reviews/queue/").status_code == 403
    assert client_for(outsider).get("/desk/quality/scorecards/").status_code == 403
    assert client_for(outsider).get("/desk/quality/sampling/").status_code == 403
    assert client_for(outsider).get("/desk/quality/disputes/").status_code == 403


def test_the_queue_lists_the_reviews_waiting(review: Review, qa_reviewer: User) -> None:
    response = client_for(qa_reviewer).get("/desk/quality/reviews/queue/")

    assert review.case.number in response.content.decode()


def test_my_reviews_lists_only_the_agents_submitted_reviews(
    review: Review, member: User, teammate: User
) -> None:
    empty = client_for(member).get("/desk/quality/my-reviews/").content.decode()
    _submit(review, [1, 5, 5, 1])

    mine = client_for(member).get("/desk/quality/my-reviews/").content.decode()
    others = client_for(teammate).get("/desk/quality/my-reviews/").content.decode()

    assert review.case.number not in empty
    assert review.case.number in mine and review.case.number not in others


# Scorecards and sampling rules --------------------------------------------------------------------------


def test_publishing_a_draft_whose_weights_are_off_shows_the_sum(
    administrator: User, scorecard_version: ScorecardVersion
) -> None:
    client = client_for(administrator)
    client.post(f"/desk/quality/scorecards/versions/{scorecard_version.pk}/", {"action": "new_version"})
    draft = ScorecardVersion.objects.get(scorecard=scorecard_version.scorecard, status="draft")
    criterion = draft.criteria.get(ordering=0)
    client.post(
        f"/desk/quality/scorecards/versions/{draft.pk}/criteria/{criterion.pk}/",
        {
            "section": criterion.section,
            "ordering": 0,
            "title_zh": criterion.title_zh,
            "clause": criterion.clause_id,
            "weight": 25,
            "scale": criterion.scale,
        },
    )

    response = client.post(
        f"/desk/quality/scorecards/versions/{draft.pk}/", {"action": "publish"}, follow=True
    )

    draft.refresh_from_db()
    assert draft.status == "draft"
    assert "105" in response.content.decode()


def test_the_administrator_adds_a_sampling_rule(
    administrator: User, scorecard_version: ScorecardVersion, team: Any
) -> None:
    response = client_for(administrator).post(
        "/desk/quality/sampling/new/",
        {
            "team": team.pk,
            "channel": "",
            "scorecard": scorecard_version.scorecard_id,
            "per_agent_per_month": 3,
            "includes_complaints": "on",
            "low_survey_score": 2,
            "is_active": "on",
        },
    )

    rule = SamplingRule.objects.get()
    assert response.status_code == 302
    assert (rule.team, rule.per_agent_per_month, rule.includes_breaches) == (team, 3, False)


# Calibration --------------------------------------------------------------------------------------------


def test_calibration_scores_are_blind_on_the_page(
    case: Case, qa_reviewer: User, supervisor: User, scorecard_version: ScorecardVersion
) -> None:
    from charter.accounts.roles import Role
    from tests.accounts.factories import UserFactory

    rita = UserFactory.create(username="rita", roles=[Role.QA_REVIEWER])
    create = client_for(qa_reviewer).post(
        "/desk/quality/calibration/",
        {
            "title": "校准一",
            "case_number": case.number,
            "scorecard_version": scorecard_version.pk,
            "reviewers": [supervisor.pk, rita.pk],
        },
    )
    url = create["Location"]
    second = list(criterion_list(version=scorecard_version))[1]
    client_for(supervisor).post(
        url, {"action": "score", "version": 0, f"value_{second.pk}": "2", f"comment_{second.pk}": "太冲"}
    )

    blind = client_for(rita).get(url).content.decode()
    client_for(qa_reviewer).post(url, {"action": "close"})
    open_book = client_for(rita).get(url).content.decode()

    assert create.status_code == 302
    assert "太冲" not in blind
    assert "标准差" in open_book or "Standard deviation" in open_book


# Reports ------------------------------------------------------------------------------------------------


def test_the_report_is_scoped_and_exports(
    review: Review, member: User, teammate: User, supervisor: User, administrator: User
) -> None:
    _submit(review, [0, 3, 3, 1])

    own = client_for(member).get("/desk/quality/reports/").content.decode()
    other = client_for(teammate).get("/desk/quality/reports/").content.decode()
    csv = client_for(supervisor).get("/desk/quality/reports/?export=csv")
    xlsx = client_for(administrator).get("/desk/quality/reports/?export=xlsx")

    assert str(member) in own and str(member) not in other
    assert csv.status_code == 200 and str(member) in csv.content.decode("utf-8-sig")
    assert "1.6" in csv.content.decode("utf-8-sig")  # the failed greeting criterion's clause
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_report_and_the_review_list_do_not_query_more_with_more_rows(
    review: Review,
    customer: Any,
    member: User,
    qa_reviewer: User,
    administrator: User,
    scorecard_version: ScorecardVersion,
    django_assert_max_num_queries: Any,
) -> None:
    _submit(review, [1, 4, 4, 1])
    client = client_for(administrator)
    with django_assert_max_num_queries(40) as few:
        client.get("/desk/quality/reports/")
        client.get("/desk/quality/reviews/")
    baseline = len(few.captured_queries)
    for _ in range(4):
        extra = resolve(new_case(None, customer), member)
        made = review_sample(case=extra, agent=member, scorecard_version=scorecard_version, reason="manual")
        assert made is not None
        _submit(made, [0, 2, 3, 1])

    with django_assert_max_num_queries(baseline):
        client.get("/desk/quality/reports/")
        client.get("/desk/quality/reviews/")


def test_a_qa_reviewer_draws_a_case_by_its_number(
    case: Case, member: User, qa_reviewer: User, scorecard_version: ScorecardVersion
) -> None:
    resolve(case, member)

    response = client_for(qa_reviewer).post("/desk/quality/reviews/", {"case_number": case.number})
    unknown = client_for(qa_reviewer).post("/desk/quality/reviews/", {"case_number": "NOPE-1"})

    review = Review.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/desk/quality/reviews/{review.pk}/"
    assert (review.agent, review.reviewer, review.reason) == (member, qa_reviewer, "manual")
    assert unknown.status_code == 200 and "has-error" in unknown.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/desk/quality/scorecards/",
        "/desk/quality/scorecards/versions/{version}/",
        "/desk/quality/scorecards/versions/{version}/criteria/new/",
        "/desk/quality/sampling/",
        "/desk/quality/sampling/new/",
        "/desk/quality/reviews/",
        "/desk/quality/calibration/",
        "/desk/quality/reports/",
    ],
)
def test_the_administrators_pages_open(
    path: str, administrator: User, scorecard_version: ScorecardVersion
) -> None:
    response = client_for(administrator).get(path.format(version=scorecard_version.pk))

    assert response.status_code == 200


def test_the_scorecard_list_does_not_query_more_with_more_scorecards(
    administrator: User, scorecard_version: ScorecardVersion, django_assert_max_num_queries: Any
) -> None:
    from charter.quality.services import scorecard_create

    client = client_for(administrator)
    with django_assert_max_num_queries(40) as few:
        client.get("/desk/quality/scorecards/")
    for index in range(3):
        scorecard_create(actor=administrator, code=f"extra-{index}", name_zh=f"评分表{index}")

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/desk/quality/scorecards/")


def test_an_english_speaking_agent_gets_the_review_mail_in_english(
    review: Review, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    from charter.mail.models import OutboundMessage

    member.email, member.language = "alice@example.com", "en"
    member.save()

    with django_capture_on_commit_callbacks(execute=True):
        _submit(review, [1, 5, 5, 1])

    mail = OutboundMessage.objects.get(template="quality.review_submitted")
    assert "Your QA review is ready" in mail.subject and f"/desk/quality/reviews/{review.pk}/" in mail.body


def test_a_comment_pinned_to_a_message_shows_under_it(review: Review, member: User) -> None:
    message = review.case.messages.get(is_internal=False)
    patience = _criteria(review)[1]
    scores = [ScoreInput(c.pk, v, "") for c, v in zip(_criteria(review), [1, 2, 3, 1], strict=True)]
    scores[1] = ScoreInput(patience.pk, 2, "推诿用语", message.pk)
    review_scores_save(
        actor=review.reviewer, review=review, version=review.version, scores=scores, submit=True
    )

    html = client_for(member).get(_url(review)).content.decode()

    after_message = html[html.index(f'id="message-{message.pk}"') :]
    assert after_message.index("推诿用语") < after_message.index("</li>")


def test_the_review_page_shows_the_customers_description_above_the_conversation(
    review: Review, qa_reviewer: User
) -> None:
    html = client_for(qa_reviewer).get(_url(review)).content.decode()

    description = html.index('data-testid="case-description"')
    assert "三月账单金额比平时高很多。" in html[description : html.index("</div>", description) + 6]
    assert description < html.index('data-testid="review-conversation"')


def test_each_criterion_is_a_card_and_the_message_choices_are_short_numbered_labels(
    review: Review, qa_reviewer: User, member: User
) -> None:
    long_reply = "您好，" + "我们已经安排维修师傅明天上午上门检查您家的水表和管道，" * 3
    case_reply(actor=member, case=review.case, body=long_reply)

    response = client_for(qa_reviewer).get(_url(review))

    html = response.content.decode()
    form = response.context["score_form"]
    criterion = _criteria(review)[0]
    labels = [str(label) for _value, label in form.fields[f"message_{criterion.pk}"].choices]
    assert "<table" not in html[html.index('data-testid="review-form"') :]
    assert html.count('class="criterion"') == len(_criteria(review))
    assert f'data-testid="criterion-{criterion.pk}"' in html
    assert labels[1].startswith("#1 ") and "您好，这事不归我管。" in labels[1]
    assert labels[2].startswith("#2 ") and "内部：客户情绪激动" in labels[2]
    assert labels[3].startswith("#3 ") and labels[3].endswith("…") and len(labels[3]) < 40
    assert "<strong>#3</strong>" in html


def test_a_submitted_score_links_to_its_message_by_number(review: Review, member: User) -> None:
    message = review.case.messages.get(is_internal=False)
    scores = [ScoreInput(c.pk, v, "") for c, v in zip(_criteria(review), [1, 2, 3, 1], strict=True)]
    scores[1] = ScoreInput(_criteria(review)[1].pk, 2, "推诿用语", message.pk)
    review_scores_save(
        actor=review.reviewer, review=review, version=review.version, scores=scores, submit=True
    )

    html = client_for(member).get(_url(review)).content.decode()

    scores_html = html[html.index('data-testid="review-scores"') :]
    assert f'<a href="#message-{message.pk}">#1</a>' in scores_html
