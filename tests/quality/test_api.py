"""The API reply endpoint: a warned reply answers 409 with the warnings unless an override reason is given."""

import pytest

from charter.accounts.models import User
from charter.cases.models import Case, CaseMessage
from charter.quality.models import ReplyOverride
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db


def _url(case: Case) -> str:
    return f"/api/v1/cases/{case.pk}/messages/"


def test_a_warned_reply_answers_409_with_the_warnings_and_their_clauses(case: Case, member: User) -> None:
    response = api_client_for(member).post(_url(case), {"body": "这事不归我管。"}, format="json")

    body = response.json()
    assert response.status_code == 409
    assert body["code"] == "reply_check_warning" and body["detail"]
    assert sorted(w["code"] for w in body["warnings"]) == ["improper_wording", "missing_greeting"]
    improper = next(w for w in body["warnings"] if w["code"] == "improper_wording")
    assert improper["clause"] == {
        "document": "code-of-conduct",
        "version": 1,
        "number": "2.3",
        "title": "2.3 友好耐心、禁用不当言辞",
    }
    assert improper["excerpt"] == "这事不归我管。" and "不归我管" in improper["message"]
    assert not CaseMessage.objects.filter(case=case).exists()


def test_the_warnings_answer_in_english_for_an_english_client(case: Case, member: User) -> None:
    response = api_client_for(member, "en").post(_url(case), {"body": "Calm down."}, format="json")

    messages = [w["message"] for w in response.json()["warnings"]]
    assert response.status_code == 409
    assert any(message.startswith("Impatient wording") for message in messages)


def test_an_override_reason_sends_the_reply_and_keeps_the_reason(case: Case, member: User) -> None:
    response = api_client_for(member).post(
        _url(case), {"body": "这事不归我管。", "override_reason": "  转述客户原话  "}, format="json"
    )

    assert response.status_code == 201
    override = ReplyOverride.objects.get(message_id=response.json()["id"])
    assert override.reason == "转述客户原话"
    assert override.check_codes == ["improper_wording", "missing_greeting"]


def test_a_blank_override_reason_is_no_reason(case: Case, member: User) -> None:
    response = api_client_for(member).post(
        _url(case), {"body": "这事不归我管。", "override_reason": "   "}, format="json"
    )

    assert response.status_code == 409


def test_internal_notes_and_clean_replies_are_not_held(case: Case, member: User) -> None:
    client = api_client_for(member)

    note = client.post(_url(case), {"body": "不归我管", "is_internal": True}, format="json")
    reply = client.post(_url(case), {"body": "您好，已为您安排师傅上门。"}, format="json")

    assert (note.status_code, reply.status_code) == (201, 201)


def test_an_agent_outside_the_case_gets_404_not_the_warnings(case: Case, outsider: User) -> None:
    response = api_client_for(outsider).post(_url(case), {"body": "这事不归我管。"}, format="json")

    assert response.status_code == 404
