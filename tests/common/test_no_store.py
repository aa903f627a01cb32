"""Pages with personal data are never stored by a browser or a proxy: `Cache-Control: no-store` on every
answer to a signed-in user under the desk, the portal, the account pages, the API and the admin site, and on
the tracking pages."""

import pytest
from django.http.response import HttpResponseBase
from django.test import Client

from charter.accounts.models import User

pytestmark = pytest.mark.django_db


def _no_store(response: HttpResponseBase) -> bool:
    cache_control = response.get("Cache-Control", "")
    pragma = response.get("Pragma", "")
    return "no-store" in cache_control and "private" in cache_control and pragma == "no-cache"


@pytest.mark.parametrize(
    "path", ["/desk/", "/desk/cases/", "/accounts/password/", "/api/v1/cases/", "/admin/"]
)
def test_staff_pages_are_not_stored(client: Client, administrator: User, path: str) -> None:
    client.force_login(administrator)

    response = client.get(path)

    assert _no_store(response), (path, response.status_code, response.get("Cache-Control"))


def test_the_portal_is_not_stored(client: Client, customer_user: User) -> None:
    client.force_login(customer_user)

    response = client.get("/portal/")

    assert _no_store(response)


def test_an_api_request_with_a_token_header_is_not_stored(client: Client) -> None:
    response = client.get("/api/v1/cases/", HTTP_AUTHORIZATION="Token nonsense")

    assert _no_store(response)


def test_a_missing_page_for_a_signed_in_user_is_not_stored_either(
    client: Client, administrator: User
) -> None:
    client.force_login(administrator)

    assert _no_store(client.get("/desk/cases/TS-1999-000001/"))


def test_tracking_pages_are_not_stored_even_without_signing_in(client: Client) -> None:
    assert _no_store(client.get("/track/not-a-token/"))


def test_public_pages_of_anonymous_visitors_may_be_cached(client: Client) -> None:
    response = client.get("/")

    assert not _no_store(response)
