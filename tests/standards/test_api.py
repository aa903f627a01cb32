import pytest
from rest_framework.test import APIClient

from charter.accounts.models import Team, User
from charter.standards.models import StandardAcknowledgement, StandardDocument, StandardVersion
from charter.standards.services import standard_version_acknowledge, standard_version_draft_create
from tests.conftest import api_client_for
from tests.standards.conftest import conduct_content

pytestmark = pytest.mark.django_db

BASE = "/api/v1/standards/"


def _version_url(document: StandardDocument, number: int, suffix: str = "") -> str:
    return f"{BASE}{document.pk}/versions/{number}/{suffix}"


# Reading ------------------------------------------------------------------------------------------------


def test_anyone_lists_the_standards_with_the_version_in_force_and_its_clauses(
    api_client: APIClient, promises_v1: StandardVersion, conduct_v1: StandardVersion
) -> None:
    response = api_client.get(BASE)

    assert response.status_code == 200
    documents = response.json()["results"]
    assert [d["code"] for d in documents] == ["customer-promises", "code-of-conduct"]
    in_force = documents[0]["version_in_force"]
    assert in_force["number"] == 1
    assert in_force["status"] == "published"
    assert [c["number"] for c in in_force["clauses"]] == ["1", "2"]
    assert in_force["clauses"][0]["measure_en"] == "Share of answers on time."
    assert documents[1]["version_in_force"]["clauses"][0]["is_disciplinary"] is True


def test_anyone_retrieves_one_standard(api_client: APIClient, conduct: StandardDocument) -> None:
    response = api_client.get(f"{BASE}{conduct.pk}/")

    assert response.status_code == 200
    assert response.json()["version_in_force"] is None


def test_drafts_are_hidden_from_everyone_but_administrators(
    api_client: APIClient, conduct_v1: StandardVersion, administrator: User, member: User
) -> None:
    document = conduct_v1.document
    standard_version_draft_create(actor=administrator, document=document)

    for client in (api_client, api_client_for(member)):
        assert [v["number"] for v in client.get(f"{BASE}{document.pk}/versions/").json()["results"]] == [1]
        assert client.get(_version_url(document, 2)).status_code == 404
        assert client.get(_version_url(document, 1)).status_code == 200
    admin_versions = api_client_for(administrator).get(f"{BASE}{document.pk}/versions/").json()["results"]
    assert [(v["number"], v["status"]) for v in admin_versions] == [(2, "draft"), (1, "published")]


def test_an_unknown_standard_is_404(api_client: APIClient, db: None) -> None:
    response = api_client.get(f"{BASE}999/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# Writing ------------------------------------------------------------------------------------------------


def test_agent_cannot_write_and_anonymous_must_sign_in(
    api_client: APIClient, conduct_v1: StandardVersion, member: User
) -> None:
    document = conduct_v1.document
    client = api_client_for(member)

    assert client.post(BASE, {"code": "x", "kind": "code_of_conduct", "title_zh": "规范"}).status_code == 403
    assert client.post(f"{BASE}{document.pk}/versions/").status_code == 403
    assert (
        client.post(_version_url(document, 1, "publish/"), {"effective_at": "2030-01-01T00:00Z"}).status_code
        == 403
    )
    assert api_client.post(f"{BASE}{document.pk}/versions/").status_code in (401, 403)
    assert StandardVersion.objects.filter(document=document).count() == 1


def test_administrator_writes_a_draft_and_publishes_it(
    administrator: User, promises_v1: StandardVersion, conduct_v1: StandardVersion
) -> None:
    client = api_client_for(administrator)
    document = conduct_v1.document
    promise = promises_v1.clauses.get(number="1")

    created = client.post(f"{BASE}{document.pk}/versions/")
    assert created.status_code == 201
    assert created.json()["number"] == 2
    assert [c["number"] for c in created.json()["clauses"]] == ["1.1", "1.2"]

    patched = client.patch(_version_url(document, 2), {"change_summary_en": "Adds 3.1."}, format="json")
    assert patched.status_code == 200
    assert patched.json()["change_summary_en"] == "Adds 3.1."

    added = client.post(
        _version_url(document, 2, "clauses/"),
        {
            "number": "3.1",
            "text_zh": "及时回应。",
            "text_en": "Answer promptly.",
            "category": "response",
            "is_disciplinary": True,
            "promises": [promise.pk],
        },
        format="json",
    )
    assert added.status_code == 201, added.json()
    clause_id = added.json()["id"]
    assert added.json()["promises"] == [promise.pk]

    updated = client.patch(
        _version_url(document, 2, f"clauses/{clause_id}/"), {"title_en": "Promptness"}, format="json"
    )
    assert updated.status_code == 200
    assert updated.json()["title_en"] == "Promptness"
    assert updated.json()["text_en"] == "Answer promptly."

    old_clause = created.json()["clauses"][1]["id"]
    assert client.delete(_version_url(document, 2, f"clauses/{old_clause}/")).status_code == 204

    published = client.post(
        _version_url(document, 2, "publish/"), {"effective_at": "2030-01-01T08:00:00+08:00"}
    )
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert published.json()["effective_at"].startswith("2030-01-01T08:00:00+08:00")
    assert published.json()["supersedes"] == 1
    assert [c["number"] for c in published.json()["clauses"]] == ["1.1", "3.1"]


def test_administrator_creates_and_discards(administrator: User) -> None:
    client = api_client_for(administrator)

    created = client.post(BASE, {"code": "handbook", "kind": "code_of_conduct", "title_zh": "员工手册"})
    assert created.status_code == 201
    document_id = created.json()["id"]
    assert client.post(f"{BASE}{document_id}/versions/").status_code == 201
    assert client.delete(f"{BASE}{document_id}/versions/1/").status_code == 204
    assert not StandardVersion.objects.filter(document_id=document_id).exists()


def test_published_versions_cannot_be_changed_through_the_api(
    administrator: User, conduct_v1: StandardVersion
) -> None:
    client = api_client_for(administrator, language="en")
    document = conduct_v1.document
    clause = conduct_v1.clauses.first()
    assert clause is not None

    responses = [
        client.post(_version_url(document, 1, "publish/"), {"effective_at": "2030-01-01T00:00Z"}),
        client.patch(_version_url(document, 1), {"preamble_zh": "改"}, format="json"),
        client.delete(_version_url(document, 1)),
        client.post(
            _version_url(document, 1, "clauses/"), {"number": "9", "text_zh": "新", "category": "image"}
        ),
        client.patch(_version_url(document, 1, f"clauses/{clause.pk}/"), {"text_zh": "改"}, format="json"),
        client.delete(_version_url(document, 1, f"clauses/{clause.pk}/")),
    ]

    for response in responses:
        assert response.status_code == 400
        assert response.json()["code"] == "standard_version_not_draft"
        assert "published versions never change" in response.json()["detail"]


def test_errors_come_out_with_code_and_detail_in_the_callers_language(
    administrator: User, conduct_draft: StandardVersion
) -> None:
    url = _version_url(conduct_draft.document, 1, "clauses/")
    body = {"number": "1", "text_zh": "文本"}

    english = api_client_for(administrator, language="en").post(url, body)
    chinese = api_client_for(administrator, language="zh-hans").post(url, body)

    assert english.status_code == chinese.status_code == 400
    assert english.json()["code"] == "standard_category_required"
    assert english.json()["detail"] == "Choose the clause's category."
    assert english.json()["fields"]["category"][0]["code"] == "standard_category_required"
    assert chinese.json()["detail"] == "请选择条款的类别。"


def test_malformed_input_is_a_field_error(administrator: User, conduct_draft: StandardVersion) -> None:
    response = api_client_for(administrator).post(
        _version_url(conduct_draft.document, 1, "publish/"), {"effective_at": "soon"}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "effective_at" in response.json()["fields"]


# Acknowledging and the report ---------------------------------------------------------------------------


def test_staff_acknowledge_once(member: User, conduct_v1: StandardVersion) -> None:
    client = api_client_for(member, language="en")
    url = _version_url(conduct_v1.document, 1, "acknowledge/")

    first = client.post(url)
    second = client.post(url)

    assert first.status_code == 201
    assert first.json()["version"] == 1
    assert second.status_code == 400
    assert second.json() == {
        "code": "standard_already_acknowledged",
        "detail": "You have already acknowledged this version.",
    }
    assert StandardAcknowledgement.objects.filter(user=member).count() == 1


def test_a_draft_cannot_be_acknowledged_and_is_404_to_staff(
    member: User, administrator: User, conduct_v1: StandardVersion
) -> None:
    standard_version_draft_create(actor=administrator, document=conduct_v1.document)

    assert (
        api_client_for(member).post(_version_url(conduct_v1.document, 2, "acknowledge/")).status_code == 404
    )
    response = api_client_for(administrator).post(_version_url(conduct_v1.document, 2, "acknowledge/"))
    assert response.status_code == 400
    assert response.json()["code"] == "standard_not_acknowledgeable"


def test_customers_and_visitors_cannot_acknowledge(
    api_client: APIClient, customer_user: User, conduct_v1: StandardVersion
) -> None:
    url = _version_url(conduct_v1.document, 1, "acknowledge/")

    assert api_client_for(customer_user).post(url).status_code == 403
    assert api_client.post(url).status_code in (401, 403)
    assert not StandardAcknowledgement.objects.exists()


def test_awaiting_acknowledgement_lists_what_the_caller_has_yet_to_acknowledge(
    member: User, conduct_v1: StandardVersion, customer_user: User
) -> None:
    client = api_client_for(member)

    assert [v["number"] for v in client.get(f"{BASE}awaiting-acknowledgement/").json()["results"]] == [1]
    standard_version_acknowledge(user=member, version=conduct_v1)
    assert client.get(f"{BASE}awaiting-acknowledgement/").json()["results"] == []
    assert api_client_for(customer_user).get(f"{BASE}awaiting-acknowledgement/").status_code == 403


def test_report_is_scoped_to_the_supervisors_teams(
    supervisor: User,
    outsider_supervisor: User,
    member: User,
    teammate: User,
    outsider: User,
    team: Team,
    conduct_v1: StandardVersion,
) -> None:
    standard_version_acknowledge(user=member, version=conduct_v1)
    url = _version_url(conduct_v1.document, 1, "acknowledgements/")

    mine = api_client_for(supervisor).get(url)
    theirs = api_client_for(outsider_supervisor).get(url)

    assert mine.status_code == 200
    rows = {row["username"]: row["acknowledged_at"] for row in mine.json()["results"]}
    assert set(rows) == {"alice", "bob", "sam"}
    assert rows["alice"] is not None and rows["bob"] is None
    assert {row["username"] for row in theirs.json()["results"]} == {"charlie", "olga"}
    assert api_client_for(outsider_supervisor).get(url, {"team": team.pk}).status_code == 404
    pending = api_client_for(supervisor).get(url, {"team": str(team.pk), "pending": "1"})
    assert {row["username"] for row in pending.json()["results"]} == {"bob", "sam"}


def test_agents_do_not_see_the_report_and_administrators_see_everyone(
    member: User, administrator: User, outsider: User, conduct_v1: StandardVersion
) -> None:
    url = _version_url(conduct_v1.document, 1, "acknowledgements/")

    assert api_client_for(member).get(url).status_code == 403
    everyone = api_client_for(administrator).get(url).json()["results"]
    assert {row["username"] for row in everyone} == {"admin", "alice", "charlie"}


def test_the_schema_stays_valid(api_client: APIClient, db: None) -> None:
    response = api_client.get("/api/schema/")

    assert response.status_code == 200
    assert b"/api/v1/standards/{id}/versions/{number}/acknowledge/" in response.content


def test_clause_payload_gives_both_languages(
    api_client: APIClient, conduct: StandardDocument, publish: object
) -> None:
    publish(conduct, [conduct_content("1.1", text_zh="中文<b>", text_en="English<b>")])  # type: ignore[operator]

    clause = api_client.get(f"{BASE}{conduct.pk}/").json()["version_in_force"]["clauses"][0]

    assert (clause["text_zh"], clause["text_en"]) == ("中文<b>", "English<b>")
