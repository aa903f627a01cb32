"""A page's rule is said once, on its view: the view refuses by it and the menus ask it."""

import pytest
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.views.decorators.http import require_GET

from charter.accounts.models import User
from charter.accounts.permissions import is_staff_member
from charter.cases.permissions import can_view_case_stats, is_case_staff
from charter.common.pages import may_open, page_predicates, page_rule
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("opened")


def test_the_rule_survives_the_decorators_around_it_and_refuses_whom_it_does_not_hold_for(
    member: User, customer_user: User
) -> None:
    view = login_required(require_GET(page_rule(is_staff_member)(_page)))
    request = RequestFactory().get("/x/")

    assert page_predicates(view) == (is_staff_member,)
    request.user = member
    assert view(request).content == b"opened"
    request.user = customer_user
    with pytest.raises(PermissionDenied):
        view(request)


def test_an_anonymous_visitor_is_sent_to_sign_in_not_refused() -> None:
    view = page_rule(is_staff_member)(_page)
    request = RequestFactory().get("/desk/somewhere/?a=1")
    request.user = AnonymousUser()

    response = view(request)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/desk/somewhere/%3Fa%3D1"


def test_every_predicate_must_hold(member: User, supervisor: User) -> None:
    assert may_open(supervisor, "cases:desk_supervisor")
    assert is_case_staff(member) and not can_view_case_stats(member)
    assert not may_open(member, "cases:desk_supervisor")
    assert client_for(member).get("/desk/cases/supervisor/").status_code == 403


def test_a_menu_may_not_link_a_page_without_a_rule(member: User) -> None:
    assert page_predicates(_page) is None
    with pytest.raises(ImproperlyConfigured):
        may_open(member, "cases:intake")


def test_nobody_signed_out_may_open_anything() -> None:
    assert not may_open(AnonymousUser(), "accounts:desk")
    assert not may_open(None, "accounts:desk")
