"""Limits every request meets: no NUL in an address or a filter, at most 200 rows in an API page."""

from typing import Any, cast

import pytest
from django.test import Client
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from charter.common.pagination import PagePagination

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/desk/cases/TS%00/", "/services/%00/", "/verify/a%00b/"])
def test_a_nul_in_a_path_is_refused_before_any_view(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


@pytest.mark.parametrize("query", ["status=a%00b", "q=%00", "x%00=1"])
def test_a_nul_in_an_api_filter_is_refused_in_the_api_shape(query: str) -> None:
    response = Client().get(f"/api/v1/cases/?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_an_ordinary_query_still_reaches_the_view() -> None:
    assert Client().get("/services/?q=%E6%B0%B4").status_code in {200, 301, 302}


def test_a_page_of_the_api_holds_at_most_200_rows_whatever_limit_is_asked() -> None:
    paginator = PagePagination()
    request = Request(APIRequestFactory().get("/api/v1/cases/", {"limit": "100000"}))
    page = paginator.paginate_queryset(cast(Any, list(range(1000))), request)
    assert page is not None and len(page) == 200
    assert paginator.get_next_link() is not None
    default = Request(APIRequestFactory().get("/api/v1/cases/"))
    assert len(PagePagination().paginate_queryset(cast(Any, list(range(1000))), default) or []) == 50
