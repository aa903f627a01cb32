"""Surveys end to end: resolution, invitation by e-mail (real SMTP), answering once, attribution, recovery."""

import datetime as dt
import email
import email.policy
import re
import threading
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from charter.accounts.models import Customer, Team, User
from charter.accounts.roles import Role
from charter.cases.models import Case
from charter.common.errors import ConflictError, DomainError, InvalidTransitionError, NotFoundError
from charter.mail.models import OutboundMessage
from charter.surveys.invitations import (
    _sampled,
    invitation_for_case,
    invitations_expire,
    invitations_from_resolved_cases,
    invitations_remind_due,
    invitations_send_due,
)
from charter.surveys.models import Invitation, RecoveryTask, Response, SurveyRule
from charter.surveys.responses import recovery_update, response_submit
from charter.surveys.services import survey_rule_save
from tests.accounts.factories import CustomerFactory, TeamMembershipFactory, UserFactory
from tests.conftest import browser_post, client_for, not_none
from tests.mail.servers import SmtpServer
from tests.surveys.conftest import link_of, resolved_case

pytestmark = pytest.mark.django_db


def _survey_mails(smtp: SmtpServer, to: str) -> list[Any]:
    found = []
    for envelope in smtp.envelopes:
        if to in envelope.rcpt_tos:
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            if "/s/" in message.get_content():
                found.append(message)
    return found


def _send(capture: Any) -> None:
    with capture(execute=True):
        invitations_from_resolved_cases()
        invitations_send_due()


def _questions(invitation: Invitation) -> dict[str, int]:
    return {question.type: question.pk for question in invitation.version.questions.all()}


def test_resolving_a_case_sends_a_survey_whose_link_records_one_answer_and_refuses_a_second_politely(
    rule: SurveyRule,
    customer: Customer,
    smtp: SmtpServer,
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = resolved_case(customer)
    _send(django_capture_on_commit_callbacks)

    (mail,) = _survey_mails(smtp, "wang@example.com")
    assert "请您评价我们的服务" in mail["Subject"] and case.number in mail["Subject"]
    body = mail.get_content()
    assert "?score=5" in body and "?score=1" in body  # one click per score of the first question
    path = link_of(body)
    invitation = Invitation.objects.get(case=case)
    ids = _questions(invitation)

    opened = client.get(f"{path}?score=4")  # opening (what a link scanner does) records nothing
    assert opened.status_code == 200 and re.search(r'value="4"[^>]*checked', opened.content.decode())
    assert Response.objects.count() == 0

    sent = client.post(path, {f"q{ids['csat']}": "4", f"q{ids['multiple']}": ["speed", "attitude"]})
    assert sent.status_code == 200 and "您的回答已记录" in sent.content.decode()
    response = Response.objects.get()
    assert response.csat == 4 and response.nps is None
    assert response.answers.get(question_id=ids["multiple"]).choices == ["speed", "attitude"]

    again = client.post(path, {f"q{ids['csat']}": "1"})
    assert again.status_code == 409 and "已经" in again.content.decode()
    assert client.get(path).status_code == 409
    assert Response.objects.count() == 1 and Response.objects.get().csat == 4


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_invitation_names_the_button_in_the_words_of_the_survey_page(
    language: str,
    rule: SurveyRule,
    customer: Customer,
    smtp: SmtpServer,
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    customer.language = language
    customer.save()
    resolved_case(customer)
    _send(django_capture_on_commit_callbacks)

    (mail,) = _survey_mails(smtp, "wang@example.com")
    body = mail.get_content()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(link_of(body)).content.decode()
    button = re.search(r'<button type="submit" class="button primary">([^<]+)</button>', page)

    assert button is not None
    assert f"“{button.group(1)}”" in body or f'"{button.group(1)}"' in body
    assert button.group(1) == ("发送" if language == "zh-hans" else "Send")
    assert "提交" not in body


def test_a_browser_can_answer_from_the_survey_link(
    rule: SurveyRule, customer: Customer, django_capture_on_commit_callbacks: Any
) -> None:
    """Regression: under `no-referrer` Chromium posts with `Origin: null`, which the CSRF check refuses."""
    resolved_case(customer)
    _send(django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get()
    browser = Client(enforce_csrf_checks=True)

    sent = browser_post(browser, f"/s/{invitation.token}/", {f"q{_questions(invitation)['csat']}": "5"})

    assert sent.status_code == 200
    assert Response.objects.get().csat == 5


def test_the_tracking_page_offers_the_same_survey(
    rule: SurveyRule, customer: Customer, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    case = resolved_case(customer)
    _send(django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(case=case)
    from charter.cases.services import case_tracking_token_rotate

    token = case_tracking_token_rotate(actor=None, case=case)
    page = client.get(f"/track/{token}/").content.decode()
    assert f"/s/{invitation.token}/" in page


def test_a_score_of_one_opens_a_recovery_task_for_the_teams_supervisor(
    rule: SurveyRule,
    customer: Customer,
    supervisor: User,
    smtp: SmtpServer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    supervisor.email = "sam@example.com"
    supervisor.save()
    case = resolved_case(customer)
    _send(django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(case=case)

    with django_capture_on_commit_callbacks(execute=True):
        response = response_submit(invitation=invitation, answers={_questions(invitation)["csat"]: 1})

    task = RecoveryTask.objects.get()
    assert task.response == response and task.owner == supervisor and task.team == case.team
    assert task.reason == "CSAT 1" and task.due_at > response.submitted_at
    assert any(
        "客户不满意" in envelope.content.decode("utf-8", "replace") or "sam@example.com" in envelope.rcpt_tos
        for envelope in smtp.envelopes
    )
    assert OutboundMessage.objects.filter(template="surveys.recovery", recipient_user=supervisor).exists()


def test_a_negative_comment_opens_a_recovery_task_and_a_good_score_does_not(
    rule: SurveyRule, routed_team: Team, django_capture_on_commit_callbacks: Any
) -> None:
    happy, unhappy = (
        CustomerFactory.create(email="a@example.com"),
        CustomerFactory.create(email="b@example.com"),
    )
    for customer in (happy, unhappy):
        resolved_case(customer)
    _send(django_capture_on_commit_callbacks)
    first, second = Invitation.objects.order_by("pk")
    ids = _questions(first)
    response_submit(invitation=first, answers={ids["csat"]: 5, ids["nps"]: 10})
    response_submit(invitation=second, answers={ids["csat"]: 4, ids["text"]: "工作人员态度差，很失望"})

    task = RecoveryTask.objects.get()
    assert task.response.invitation == second and "态度差" in task.reason and "失望" in task.reason


def test_answers_are_checked_and_a_refused_answer_records_nothing(
    rule: SurveyRule, customer: Customer, django_capture_on_commit_callbacks: Any
) -> None:
    resolved_case(customer)
    _send(django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get()
    ids = _questions(invitation)
    cases: list[tuple[dict[int, object], str]] = [
        ({ids["nps"]: 9}, f"q{ids['csat']}"),  # the required question unanswered
        ({ids["csat"]: 6}, f"q{ids['csat']}"),  # off the 1-5 scale
        ({ids["csat"]: "x"}, f"q{ids['csat']}"),
        ({ids["csat"]: 3, ids["nps"]: 11}, f"q{ids['nps']}"),
        ({ids["csat"]: 3, ids["multiple"]: ["price"]}, f"q{ids['multiple']}"),
        ({ids["csat"]: 3, ids["text"]: "a\x00b"}, f"q{ids['text']}"),
    ]
    for answers, field in cases:
        with pytest.raises(DomainError) as refused:
            response_submit(invitation=invitation, answers=answers)
        assert refused.value.field == field
    assert Response.objects.count() == 0
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT


def test_an_expired_link_is_refused_politely_and_expiry_is_swept(
    rule: SurveyRule,
    customer: Customer,
    client: Client,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.CHARTER_SURVEYS_LINK_DAYS = 14
    resolved_case(customer)
    _send(django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get()
    later = invitation.expires_at + dt.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        page = client.get(f"/s/{invitation.token}/")
        assert page.status_code == 410 and "已过期" in page.content.decode()
        with pytest.raises(DomainError):
            response_submit(invitation=invitation, answers={_questions(invitation)["csat"]: 5})
        assert invitations_expire() == 1
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.EXPIRED


def test_an_unknown_link_is_not_found(client: Client, db: None) -> None:
    assert client.get("/s/not-a-real-token/").status_code == 404


def test_nobody_is_asked_twice_within_the_cool_down(
    rule: SurveyRule, customer: Customer, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.CHARTER_SURVEYS_COOLDOWN_DAYS = 30
    resolved_case(customer)
    resolved_case(customer)
    _send(django_capture_on_commit_callbacks)

    sent, skipped = Invitation.objects.order_by("pk")
    assert sent.status == Invitation.Status.SENT
    assert skipped.status == Invitation.Status.SKIPPED and skipped.skip_reason == "cool-down"

    settings.CHARTER_SURVEYS_COOLDOWN_DAYS = 0
    resolved_case(customer)
    _send(django_capture_on_commit_callbacks)
    assert Invitation.objects.filter(status=Invitation.Status.SENT).count() == 2


def test_sampling_takes_the_rules_share_and_is_stable_per_case(
    survey: Any, administrator: User, routed_team: Team, settings: Any
) -> None:
    settings.CHARTER_SURVEYS_COOLDOWN_DAYS = 0
    rule = survey_rule_save(actor=administrator, survey=survey, name="三成", sample_percent=30)
    # Sampling looks only at the rule and the case's id: unsaved cases will do.
    cases = [Case(pk=1000 + index, kind="inquiry") for index in range(200)]
    chosen = [case for case in cases if _sampled(rule, case)]
    assert 40 <= len(chosen) <= 80  # 30% of 200, give or take
    assert [case for case in cases if _sampled(rule, case)] == chosen
    rule.sample_percent = 0
    assert not any(_sampled(rule, case) for case in cases)
    rule.sample_percent = 100
    assert all(_sampled(rule, case) for case in cases)


def test_rules_match_by_kind_and_the_first_match_wins(
    survey: Any, administrator: User, customer: Customer, routed_team: Team
) -> None:
    survey_rule_save(
        actor=administrator, survey=survey, name="投诉", kinds=["complaint"], ordering=1, sample_percent=0
    )
    survey_rule_save(actor=administrator, survey=survey, name="其他", ordering=2)
    complaint = resolved_case(customer, kind="complaint")
    invitation = invitation_for_case(case=complaint, at=not_none(complaint.resolved_at))
    assert (
        invitation is not None
        and not_none(invitation.rule).name == "投诉"
        and invitation.skip_reason == "sampling"
    )


def test_a_case_resolved_again_is_not_surveyed_twice(
    rule: SurveyRule, customer: Customer, django_capture_on_commit_callbacks: Any
) -> None:
    case = resolved_case(customer)
    assert invitation_for_case(case=case, at=not_none(case.resolved_at)) is not None
    assert invitation_for_case(case=case, at=not_none(case.resolved_at)) is None
    assert Invitation.objects.filter(case=case).count() == 1


def test_the_answer_is_attributed_when_it_arrives_and_stays_put(
    rule: SurveyRule,
    customer: Customer,
    teammate: User,
    other_team: Team,
    outsider: User,
    administrator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = resolved_case(customer, reply_by=teammate)
    _send(django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get()
    response = response_submit(invitation=invitation, answers={_questions(invitation)["csat"]: 5})
    handler = case.assignee
    assert handler is not None
    assert (response.service_id, response.team_id, response.handler_id) == (
        case.service_id,
        case.team_id,
        handler.pk,
    )
    assert set(response.agents.values_list("pk", flat=True)) == {handler.pk, teammate.pk}
    assert (response.channel, response.kind) == ("web", "inquiry")

    Case.objects.filter(pk=case.pk).update(team=other_team, assignee=outsider)
    response.refresh_from_db()
    assert response.team_id == case.team_id and response.handler_id == handler.pk


def test_one_reminder_at_most(
    rule: SurveyRule,
    customer: Customer,
    smtp: SmtpServer,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.CHARTER_SURVEYS_REMIND_AFTER_HOURS = 72
    resolved_case(customer)
    _send(django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get()
    later = not_none(invitation.sent_at) + dt.timedelta(hours=73)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert invitations_remind_due() == 1
        assert invitations_remind_due() == 0
    mails = _survey_mails(smtp, "wang@example.com")
    assert len(mails) == 2 and "提醒" in mails[1]["Subject"]
    assert link_of(mails[0].get_content()) == link_of(mails[1].get_content())


def test_survey_results_have_their_own_permission(
    rule: SurveyRule, customer: Customer, member: User, supervisor: User
) -> None:
    from charter.surveys.permissions import can_view_results

    case = resolved_case(customer)
    assert case.team is not None
    assert not can_view_results(member)  # the agent sees the case, not its rating
    assert can_view_results(supervisor)


def test_only_the_owner_or_a_lead_of_the_team_works_a_recovery_task(
    rule: SurveyRule,
    customer: Customer,
    supervisor: User,
    member: User,
    outsider: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    resolved_case(customer)
    _send(django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get()
    response_submit(invitation=invitation, answers={_questions(invitation)["csat"]: 1})
    task = RecoveryTask.objects.get()

    other_lead = UserFactory.create(username="olga", roles=[Role.SUPERVISOR])
    TeamMembershipFactory.create(team=outsider.memberships.get().team, user=other_lead, is_lead=True)
    for stranger in (member, other_lead):  # neither sees the task: refused as not found, like the page
        with pytest.raises(NotFoundError):
            recovery_update(actor=stranger, task=task, expected_version=task.version, status="contacted")
        assert client_for(stranger).get(f"/desk/surveys/recovery/{task.pk}/").status_code == 404

    done = recovery_update(
        actor=supervisor,
        task=task,
        expected_version=task.version,
        status="resolved",
        outcome="已电话致歉并退费。",
        new_score=8,
    )
    assert done.status == "resolved" and done.new_score == 8 and done.contacted_at and done.closed_at
    with pytest.raises(ConflictError):
        recovery_update(
            actor=supervisor, task=task, expected_version=task.version, status="closed", outcome="x"
        )
    with pytest.raises(InvalidTransitionError) as final:  # resolved does not reopen: its closing time stands
        recovery_update(actor=supervisor, task=done, expected_version=done.version, status="contacted")
    assert final.value.status == 409 and final.value.code == "invalid_transition"
    with pytest.raises(DomainError) as unknown:
        recovery_update(actor=supervisor, task=done, expected_version=done.version, status="reopened")
    assert unknown.value.status == 400 and unknown.value.field == "status"
    amended = recovery_update(  # the customer's new score arrives a day later: amended, still closed then
        actor=supervisor, task=done, expected_version=done.version, status="resolved", new_score=9
    )
    assert amended.new_score == 9 and amended.outcome == "已电话致歉并退费。"
    assert amended.closed_at == done.closed_at
    page = client_for(supervisor).get(f"/desk/surveys/recovery/{task.pk}/")
    assert page.status_code == 200 and "已电话致歉并退费" in page.content.decode()
    assert page.context["may_record"]
    listing = client_for(supervisor).get("/desk/surveys/recovery/?show=all")
    assert listing.status_code == 200 and str(task.due_at.year) in listing.content.decode()
    assert client_for(member).get("/desk/surveys/recovery/").status_code == 403


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers anyway")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sends_of_the_same_survey_at_once_record_one_answer(rule: SurveyRule, customer: Customer) -> None:
    resolved_case(customer)
    invitations_from_resolved_cases()
    invitations_send_due()
    invitation = Invitation.objects.get()
    question = _questions(invitation)["csat"]
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def send(index: int) -> None:
        try:
            barrier.wait()
            results[index] = response_submit(invitation=invitation, answers={question: 5 - index})
        except Exception as error:  # the test inspects it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(isinstance(result, Response) for result in results) == 1, results
    assert sum(isinstance(result, ConflictError) for result in results) == 1, results
    assert Response.objects.count() == 1


def test_a_campaign_invites_a_sample_of_the_customers_served_once_per_period(
    survey: Any, administrator: User, routed_team: Team, settings: Any
) -> None:
    from charter.surveys.invitations import campaigns_run_due
    from charter.surveys.services import campaign_save

    settings.CHARTER_SURVEYS_COOLDOWN_DAYS = 30
    served = [CustomerFactory.create(email=f"c{index}@example.com") for index in range(6)]
    for customer in served:
        resolved_case(customer)
    recently_asked = served[0]
    invitation_for_case(case=Case.objects.filter(customer=recently_asked).get(), at=timezone.now())
    start = timezone.now() + dt.timedelta(minutes=1)
    campaign = campaign_save(
        actor=administrator, survey=survey, name="季度 NPS", every_days=90, sample_size=3, next_run_at=start
    )
    Case.objects.update(resolved_at=timezone.now() - dt.timedelta(days=1))

    assert campaigns_run_due(at=start - dt.timedelta(seconds=1)) == 0  # not yet
    assert campaigns_run_due(at=start) == 3
    assert campaigns_run_due(at=start) == 0  # claimed: a second worker runs nothing
    invited = Invitation.objects.filter(campaign=campaign)
    assert invited.count() == 3 and not invited.filter(customer=recently_asked).exists()
    campaign.refresh_from_db()
    assert campaign.next_run_at == start + dt.timedelta(days=90) and campaign.last_run_at == start


def test_an_invitation_whose_link_would_already_have_expired_is_not_sent(
    rule: SurveyRule, customer: Customer, smtp: SmtpServer, django_capture_on_commit_callbacks: Any
) -> None:
    resolved_case(customer)
    with django_capture_on_commit_callbacks(execute=True):
        invitations_from_resolved_cases()
    invitation = Invitation.objects.get()
    later = invitation.expires_at + dt.timedelta(minutes=1)  # the worker was down all that time
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert invitations_send_due() == 0
        assert invitations_expire() == 1
    assert _survey_mails(smtp, "wang@example.com") == []


def test_a_rule_or_campaign_stays_with_its_survey_and_codes_are_slugs(
    survey: Any, administrator: User
) -> None:
    from charter.surveys.services import campaign_save, survey_create

    other = survey_create(actor=administrator, code="annual-nps", name_zh="年度调查")
    rule = survey_rule_save(actor=administrator, survey=survey, name="全部")
    campaign = campaign_save(actor=administrator, survey=survey, name="季度")
    with pytest.raises(DomainError):
        survey_rule_save(actor=administrator, survey=other, rule=rule, name="搬家")
    with pytest.raises(DomainError):
        campaign_save(actor=administrator, survey=other, campaign=campaign, name="搬家")
    with pytest.raises(DomainError) as bad_code:
        survey_create(actor=administrator, code="有 空格", name_zh="x")
    assert bad_code.value.field == "code"
    rule.refresh_from_db()
    campaign.refresh_from_db()
    assert rule.survey == survey and campaign.survey == survey
