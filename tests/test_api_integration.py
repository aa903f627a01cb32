"""Issue 17's "done when" for the API: a client that knows nothing but the OpenAPI schema at /api/schema/
(operations found by operationId, paths and methods read from it, no URL written here) registers a webhook,
creates a case by its service's slug, receives the signed webhook and verifies its signature as the README
says, searches cases with ?q=, and reads survey results, with a token from the token page (`Authorization:
Token <key>`)."""

import hashlib
import hmac
import http.server
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from charter.accounts.models import Team, User
from charter.accounts.tokens import api_token_create
from charter.cases.webhooks import case_events_publish
from tests.cases.conftest import routed_team  # noqa: F401 - cases are routed to a team with agents
from tests.surveys.factories import published_service

pytestmark = pytest.mark.django_db


class Receiver(http.server.ThreadingHTTPServer):
    """The integrator's endpoint: keeps what it was sent."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[dict[str, str], bytes]] = []


class _Handler(http.server.BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def verify_signature(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """The README's receiver check, written as an integrator would, without Charter's code."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    timestamp = int(parts.get("t", "0"))
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))


class SchemaClient:
    """Calls operations by their operationId, with the method and path the schema gives them."""

    def __init__(self, client: APIClient) -> None:
        self.client = client
        response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        assert response.status_code == 200
        schema = json.loads(response.content)
        self.operations: dict[str, tuple[str, str, dict[str, Any]]] = {
            operation["operationId"]: (method, path, operation)
            for path, item in schema["paths"].items()
            for method, operation in item.items()
            if isinstance(operation, dict) and "operationId" in operation
        }

    def parameters(self, operation_id: str) -> set[str]:
        _method, _path, operation = self.operations[operation_id]
        return {parameter["name"] for parameter in operation.get("parameters", [])}

    def call(self, operation_id: str, *, body: Any = None, query: Any = None, **path: Any) -> Any:
        method, template, _operation = self.operations[operation_id]
        url = template.format(**path)
        if method == "get":
            return self.client.get(url, query or {})
        return getattr(self.client, method)(url, body, format="json")


@pytest.fixture
def integrator(administrator: User, settings: Any) -> SchemaClient:
    settings.CHARTER_WEBHOOK_LAG_SECONDS = 0
    _token, key = api_token_create(user=administrator, name="integration")
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return SchemaClient(client)


def test_an_integrator_works_from_the_schema_alone(
    integrator: SchemaClient,
    receiver: Receiver,
    routed_team: Team,  # noqa: F811 - the fixture imported above
    django_capture_on_commit_callbacks: Any,
) -> None:
    published_service("water-bill", "水费账单", "Water bills")
    case_events_publish()  # the publisher starts here: what came before is history

    # Register a webhook for case creations; its secret is in the answer, once.
    hook = integrator.call(
        "v1_webhooks_create",
        body={
            "name": "工单同步",
            "url": f"http://127.0.0.1:{receiver.server_address[1]}/charter",
            "events": ["case.created"],
            "allow_private": True,  # this receiver is on the test machine's loopback
        },
    )
    assert hook.status_code == 201, hook.json()
    secret = hook.json()["secret"]

    # Find the service by its slug in the published services, and create a case with the slug.
    services = integrator.call("v1_services_list").json()
    rows = services["results"] if isinstance(services, dict) else services
    assert "water-bill" in [row["slug"] for row in rows]
    customer = integrator.call("v1_customers_create", body={"name": "王小明", "phone": "13800000000"})
    assert customer.status_code == 201, customer.json()
    created = integrator.call(
        "v1_cases_create",
        body={
            "kind": "complaint",
            "customer": customer.json()["id"],
            "service": "water-bill",
            "title": "水费账单金额异常",
            "description": "本月水费比上月高出三倍，请核实抄表读数。",
        },
    )
    assert created.status_code == 201, created.json()
    number = created.json()["number"]

    # The worker posts the event; the receiver checks the signature with the secret it was given.
    with django_capture_on_commit_callbacks(execute=True):
        case_events_publish()
    [(headers, body)] = receiver.requests
    assert headers["X-Charter-Event"] == "case.created"
    assert verify_signature(secret, headers["X-Charter-Signature"], body)
    assert not verify_signature("not-the-secret", headers["X-Charter-Signature"], body)
    assert json.loads(body)["data"]["case"]["number"] == number
    assert json.loads(body)["data"]["case"]["service"] == "water-bill"

    # Search cases as the desk does.
    assert "q" in integrator.parameters("v1_cases_list")
    found = integrator.call("v1_cases_list", query={"q": "抄表读数"}).json()
    assert number in [row["number"] for row in found["results"]]
    nothing = integrator.call("v1_cases_list", query={"q": "停电抢修"}).json()
    assert number not in [row["number"] for row in nothing["results"]]

    # Read the survey results (none answered yet: no value, no interval).
    assert {"date_from", "date_to", "service", "period"} <= integrator.parameters("v1_survey_results_list")
    results = integrator.call("v1_survey_results_list", query={"period": "month"})
    assert results.status_code == 200, results.json()
    assert results.json()["scores"]["csat"]["value"] is None
    assert results.json()["scores"]["responses"] == 0
