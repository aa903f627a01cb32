"""The catalogue API shows each service's and category's id next to its slug, so a client can name a service
on a case either way, and reads a service by either."""

import pytest
from rest_framework.test import APIClient

from charter.accounts.models import User
from charter.catalog.models import Service, ServiceCategory
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db


def test_the_service_list_shows_id_slug_and_name_in_the_callers_language(
    published_service: Service, category: ServiceCategory
) -> None:
    chinese = APIClient().get("/api/v1/services/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["results"][0]
    english = APIClient().get("/api/v1/services/", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]

    assert (chinese["id"], chinese["slug"], chinese["name"]) == (
        published_service.pk,
        "water-connection",
        "用水报装",
    )
    assert english["name"] == "Water connection"
    assert chinese["category"]["id"] == category.pk and chinese["category"]["slug"] == "water"
    assert english["category"]["name"] == "Water"


def test_a_service_is_read_by_slug_or_by_id(published_service: Service) -> None:
    by_slug = APIClient().get("/api/v1/services/water-connection/").json()
    by_id = APIClient().get(f"/api/v1/services/{published_service.pk}/").json()
    versions = APIClient().get(f"/api/v1/services/{published_service.pk}/versions/")

    assert by_slug == by_id and by_id["id"] == published_service.pk
    assert versions.status_code == 200 and versions.json()[0]["number"] == 1


def test_an_id_that_names_no_public_service_is_404(published_service: Service) -> None:
    draft_only = Service.objects.create(slug="draft-only", category=published_service.category)

    assert APIClient().get("/api/v1/services/999999/").status_code == 404
    assert APIClient().get(f"/api/v1/services/{draft_only.pk}/").status_code == 404


def test_categories_show_their_id(category: ServiceCategory) -> None:
    rows = APIClient().get("/api/v1/service-categories/").json()

    assert rows[0]["id"] == category.pk and rows[0]["slug"] == "water"


def test_the_editors_view_of_a_service_shows_its_id(administrator: User, draft_service: Service) -> None:
    response = api_client_for(administrator).patch(
        "/api/v1/services/water-connection/", {"ordering": 3}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["id"] == draft_service.pk


def test_the_service_list_refuses_a_typo_and_names_its_parameters(published_service: Service) -> None:
    response = APIClient().get("/api/v1/services/", {"categroy": "water"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["known"] == ["at", "category", "format", "limit", "offset", "q"]
