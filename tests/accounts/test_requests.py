"""The signed-in user of a request (charter.accounts.requests)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from rest_framework.request import Request

from charter.accounts.models import User
from charter.accounts.requests import request_user


def test_the_signed_in_user_is_returned_typed_from_a_page_or_an_api_request(member: User) -> None:
    page = RequestFactory().get("/")
    page.user = member
    api = Request(RequestFactory().get("/"))
    api.user = member

    assert request_user(page) is member and request_user(api) is member


def test_an_anonymous_visitor_is_refused() -> None:
    page = RequestFactory().get("/")
    page.user = AnonymousUser()

    with pytest.raises(PermissionDenied):
        request_user(page)
