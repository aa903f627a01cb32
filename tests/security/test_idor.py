"""IDOR: another customer's, another team's or another user's object, asked for by id, number or token,
answers 404 exactly like a missing one, on every route that names an object."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.security.conftest import World, _verified_client

pytestmark = pytest.mark.django_db


def _api(world: World, who: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.users[who])
    return client


def _file(world: World, which: str = "other_case") -> int:
    case = world.other_case if which == "other_case" else world.case
    attachment = case.attachments.order_by("pk").first()
    assert attachment is not None
    return attachment.pk


def test_a_customer_cannot_open_another_customers_case_in_the_portal(
    world: World, clients: dict[str, Client]
) -> None:
    carol = clients["customer"]
    other = world.other_case

    assert carol.get(f"/portal/cases/{world.case.number}/").status_code == 200
    assert carol.get(f"/portal/cases/{other.number}/").status_code == 404
    assert carol.get(f"/portal/cases/{other.number}/files/{_file(world)}/").status_code == 404
    # His own case's number with the other case's file.
    assert carol.get(f"/portal/cases/{world.case.number}/files/{_file(world)}/").status_code == 404
    assert carol.get(f"/portal/cases/{world.case.number}/files/{_file(world, 'case')}/").status_code == 200


def test_a_tracking_link_opens_only_its_own_case_and_files(world: World) -> None:
    anyone = Client()
    token = world.tokens["case"]

    assert anyone.get(f"/track/{token}/files/{_file(world, 'case')}/").status_code == 200
    assert anyone.get(f"/track/{token}/files/{_file(world)}/").status_code == 404
    assert anyone.get(f"/track/{token[:-1]}x/").status_code == 404
    assert anyone.get(f"/track/{'A' * 43}/").status_code == 404
    assert anyone.get(f"/track/{world.case.number}/").status_code == 404


def test_an_agent_cannot_open_another_teams_case_on_the_desk(world: World) -> None:
    agent = _verified_client(world.users["outsider"])
    case = world.case

    assert agent.get(f"/desk/cases/{case.number}/").status_code == 404
    assert agent.get(f"/desk/cases/{case.number}/files/{_file(world, 'case')}/").status_code == 404
    mine = _verified_client(world.users["agent"])
    assert mine.get(f"/desk/cases/{case.number}/").status_code == 200
    assert mine.get(f"/desk/cases/{case.number}/files/{_file(world)}/").status_code == 404


def test_the_api_answers_404_for_another_customers_case_and_its_parts(world: World) -> None:
    carol = _api(world, "customer")
    other = world.other_case.pk

    assert carol.get(f"/api/v1/cases/{world.case.pk}/").status_code == 200
    for path in (
        f"/api/v1/cases/{other}/",
        f"/api/v1/cases/{other}/messages/",
        f"/api/v1/cases/{other}/attachments/",
        f"/api/v1/cases/{other}/attachments/{_file(world)}/download/",
        f"/api/v1/cases/{world.case.pk}/attachments/{_file(world)}/download/",
    ):
        assert carol.get(path).status_code == 404, path
    for action in ("transitions", "accept", "appeal", "tracking-link"):
        path = f"/api/v1/cases/{other}/{action}/"
        answer = carol.post(path, {"to": "closed", "version": 1, "reason": "x"}, format="json")
        assert answer.status_code == 404, (path, answer.status_code)
    assert world.other_case.number not in carol.get("/api/v1/cases/").content.decode()


def test_the_api_answers_404_for_another_teams_case(world: World) -> None:
    outsider = _api(world, "outsider")

    assert outsider.get(f"/api/v1/cases/{world.case.pk}/").status_code == 404
    assert outsider.post(f"/api/v1/cases/{world.case.pk}/messages/", {"body": "x"}).status_code == 404
    assert outsider.get(f"/api/v1/cases/{world.other_case.pk}/").status_code == 200


def test_a_customer_cannot_read_other_customers_records_through_the_api(world: World) -> None:
    carol = _api(world, "customer")

    for path in (
        f"/api/v1/customers/{world.other_customer.pk}/",
        f"/api/v1/customers/{world.other_customer.pk}/reveal/",
    ):
        assert carol.get(path).status_code in (403, 404), path
    assert "另一位客户" not in carol.get("/api/v1/customers/").content.decode()


def test_a_posted_reply_to_another_customers_case_changes_nothing(world: World) -> None:
    carol = _api(world, "customer")
    before = world.other_case.messages.count()

    response = carol.post(f"/api/v1/cases/{world.other_case.pk}/messages/", {"body": "我来插一句"})

    assert response.status_code == 404
    assert world.other_case.messages.count() == before
