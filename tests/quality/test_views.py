"""The desk: a warned reply is held until sent anyway with a reason; findings pages by permission."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from charter.accounts.models import Team, User
from charter.accounts.roles import Role
from charter.cases.models import Case, CaseMessage
from charter.cases.services import case_reply
from charter.quality.models import Finding, PhraseRule, ReplyOverride
from charter.quality.services import findings_from_replies, reply_warnings
from tests.accounts.factories import TeamMembershipFactory, UserFactory
from tests.cases.conftest import new_case
from tests.conftest import client_for
from tests.quality.conftest import OTHER_PHONE

pytestmark = pytest.mark.django_db

FINDINGS = "/desk/quality/findings/"
MY_FINDINGS = "/desk/quality/my-findings/"


def _post_reply(client: Any, case: Case, body: str, **extra: str) -> Any:
    case.refresh_from_db()
    return client.post(
        reverse("cases:desk_case", args=[case.number]),
        {"action": "reply", "body": body, "version": case.version, **extra},
    )


# The reply box ------------------------------------------------------------------------------------------


def test_a_warned_reply_is_shown_back_with_its_warnings_and_not_sent(case: Case, member: User) -> None:
    response = _post_reply(client_for(member), case, "这事不归我管。")

    html = response.content.decode()
    assert response.status_code == 200
    assert not CaseMessage.objects.filter(case=case).exists()
    assert "不归我管" in html and "2.3" in html and 'name="send_anyway"' in html
    assert "这事不归我管。" in html  # what the agent typed is kept


def test_ticking_send_anyway_without_a_reason_still_holds_the_reply(case: Case, member: User) -> None:
    client = client_for(member)
    first = _post_reply(client, case, "这事不归我管。")
    fingerprint = first.context["forms"]["reply"].reply_check

    response = _post_reply(client, case, "这事不归我管。", send_anyway="1", reply_check=fingerprint)

    assert response.status_code == 200
    assert not CaseMessage.objects.filter(case=case).exists()


def test_a_reason_without_ticking_send_anyway_still_holds_the_reply(case: Case, member: User) -> None:
    client = client_for(member)
    fingerprint = _post_reply(client, case, "这事不归我管。").context["forms"]["reply"].reply_check

    _post_reply(client, case, "这事不归我管。", override_reason="理由", reply_check=fingerprint)

    assert not CaseMessage.objects.filter(case=case).exists()


def test_send_anyway_with_a_reason_sends_and_keeps_the_reason(case: Case, member: User) -> None:
    client = client_for(member)
    fingerprint = _post_reply(client, case, "您好，这事不归我管。").context["forms"]["reply"].reply_check

    response = _post_reply(
        client,
        case,
        "您好，这事不归我管。",
        send_anyway="1",
        override_reason="客户要求原话转告",
        reply_check=fingerprint,
    )

    assert response.status_code == 302
    message = CaseMessage.objects.get(case=case)
    assert ReplyOverride.objects.get(message=message).reason == "客户要求原话转告"


def test_changing_the_text_to_new_warnings_shows_them_again(case: Case, member: User) -> None:
    client = client_for(member)
    fingerprint = _post_reply(client, case, "您好，这事不归我管。").context["forms"]["reply"].reply_check

    response = _post_reply(
        client, case, "您好，急什么。", send_anyway="1", override_reason="理由", reply_check=fingerprint
    )

    assert response.status_code == 200 and not CaseMessage.objects.filter(case=case).exists()


def test_a_clean_reply_and_a_note_are_sent_at_once(case: Case, member: User) -> None:
    client = client_for(member)

    reply = _post_reply(client, case, "您好，已为您安排师傅上门。")
    note = _post_reply(client, case, "不归我管，急什么", is_internal="on")

    assert (reply.status_code, note.status_code) == (302, 302)
    assert CaseMessage.objects.filter(case=case).count() == 2


# Findings pages -----------------------------------------------------------------------------------------


@pytest.fixture
def findings(
    case: Case, member: User, teammate: User, outsider: User, other_team: Team, customer: Any
) -> Case:
    """One finding about alice, one about bob (same team) and one about charlie in the other team."""
    findings_from_replies()
    case_reply(actor=member, case=case, body="您好，这事不归我管。")
    case_reply(actor=teammate, case=case, body="您好，急什么。")
    elsewhere = new_case(None, customer)
    elsewhere.team = other_team
    elsewhere.save(update_fields=["team"])
    case_reply(actor=outsider, case=elsewhere, body="Hello, calm down.")
    findings_from_replies()
    assert Finding.objects.count() == 3
    return case


def _agents_on(response: Any) -> set[str]:
    return {finding.agent.username for finding in response.context["page"]}


def test_an_agent_may_not_open_the_findings_of_others(findings: Case, member: User) -> None:
    response = client_for(member).get(FINDINGS)

    assert response.status_code == 403


def test_an_agent_sees_only_his_own_findings(findings: Case, member: User, teammate: User) -> None:
    response = client_for(member).get(MY_FINDINGS, {"agent": teammate.pk})

    assert response.status_code == 200
    assert _agents_on(response) == {"alice"}
    assert "急什么" not in response.content.decode()


def test_a_qa_reviewer_sees_every_teams_findings_and_filters_them(
    findings: Case, qa_reviewer: User, teammate: User, other_team: Team
) -> None:
    client = client_for(qa_reviewer)

    everything = client.get(FINDINGS)
    by_agent = client.get(FINDINGS, {"agent": teammate.pk})
    by_team = client.get(FINDINGS, {"team": other_team.pk})
    by_check = client.get(FINDINGS, {"check_code": "improper_wording"})
    by_period = client.get(FINDINGS, {"since": "2026-03-03"})
    in_period = client.get(FINDINGS, {"since": "2026-03-02", "until": "2026-03-02"})

    assert _agents_on(everything) == {"alice", "bob", "charlie"}
    assert _agents_on(by_agent) == {"bob"}
    assert _agents_on(by_team) == {"charlie"}
    assert _agents_on(by_check) == {"alice"}
    assert _agents_on(by_period) == set()
    assert _agents_on(in_period) == {"alice", "bob", "charlie"}


def test_a_supervisor_sees_the_findings_of_the_teams_he_leads(findings: Case, supervisor: User) -> None:
    response = client_for(supervisor).get(FINDINGS)

    assert response.status_code == 200
    assert _agents_on(response) == {"alice", "bob"}


def test_the_findings_list_costs_the_same_queries_however_many_findings(
    findings: Case, qa_reviewer: User, member: User
) -> None:
    client = client_for(qa_reviewer)
    client.get(FINDINGS)

    with CaptureQueriesContext(connection) as few:
        client.get(FINDINGS)
    for _ in range(5):
        case_reply(actor=member, case=findings, body="说了多少遍，急什么，不归我管。")
    findings_from_replies()
    assert Finding.objects.count() > 15

    with CaptureQueriesContext(connection) as many:
        client.get(FINDINGS)

    assert len(many) == len(few)


# Configuration ------------------------------------------------------------------------------------------


def test_only_administrators_configure_the_checks(
    case: Case, administrator: User, supervisor: User, qa_reviewer: User
) -> None:
    assert client_for(administrator).get("/desk/quality/checks/").status_code == 200
    assert client_for(supervisor).get("/desk/quality/checks/").status_code == 403
    assert client_for(qa_reviewer).get("/desk/quality/checks/").status_code == 403


def test_an_administrator_adds_a_phrase_and_the_next_reply_is_checked_against_it(
    case: Case, administrator: User, member: User
) -> None:
    response = client_for(administrator).post(
        "/desk/quality/checks/rules/new/",
        {
            "language": "zh-hans",
            "category": "impatient",
            "phrase": "快点说",
            "document_code": "",
            "clause_number": "",
            "is_active": "on",
        },
    )
    duplicate = client_for(administrator).post(
        "/desk/quality/checks/rules/new/",
        {"language": "zh-hans", "category": "impatient", "phrase": "快点说", "is_active": "on"},
    )

    assert response.status_code == 302
    assert duplicate.status_code == 200 and PhraseRule.objects.filter(phrase="快点说").count() == 1
    held = _post_reply(client_for(member), case, "您好，快点说。")
    assert held.status_code == 200 and not CaseMessage.objects.filter(case=case).exists()


def test_an_administrator_points_a_check_at_another_clause(case: Case, administrator: User) -> None:
    response = client_for(administrator).post(
        "/desk/quality/checks/personal_data/",
        {"is_enabled": "on", "document_code": "code-of-conduct", "clause_number": "2.3"},
    )

    assert response.status_code == 302
    warnings = reply_warnings(case, administrator, f"您好，请联系 {OTHER_PHONE}。", False)
    assert [(w.code, w.clause.number if w.clause else "") for w in warnings] == [("personal_data", "2.3")]


def test_the_pages_answer_in_english_too(findings: Case, qa_reviewer: User) -> None:
    qa_reviewer.language = "en"
    qa_reviewer.save()
    page = client_for(qa_reviewer).get(FINDINGS, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Improper wording" in page or "Impatient wording" in page


def test_the_roles_grant_the_findings_permissions(supervisor: User, qa_reviewer: User, member: User) -> None:
    assert supervisor.has_perm("quality.view_findings")
    assert not supervisor.has_perm("quality.view_all_findings")
    assert qa_reviewer.has_perm("quality.view_all_findings")
    assert not member.has_perm("quality.view_findings")


def test_a_supervisor_of_another_team_sees_none_of_alices_findings(findings: Case, other_team: Team) -> None:
    olga = UserFactory.create(username="olga", roles=[Role.SUPERVISOR])
    TeamMembershipFactory.create(team=other_team, user=olga, is_lead=True)

    response = client_for(olga).get(FINDINGS)

    assert _agents_on(response) == {"charlie"}


def test_customers_have_no_findings_pages(findings: Case, customer_user: User) -> None:
    client = client_for(customer_user)

    assert (client.get(FINDINGS).status_code, client.get(MY_FINDINGS).status_code) == (403, 403)
