"""The permission decision kernel: a predicate's answer is both the page's yes/no and the service's error."""

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from charter.accounts.models import User
from charter.common.errors import NotFoundError, PermissionDeniedError
from charter.common.policy import (
    ALLOWED,
    Decision,
    Refusal,
    allow_if,
    first_refusal,
    holds,
    page_require,
    refuse,
    require,
)


def test_allowed_is_true_and_a_refusal_is_false() -> None:
    assert ALLOWED
    assert not refuse("case_resolve_denied", "no")


def test_require_raises_the_refusals_own_code_and_message() -> None:
    with pytest.raises(PermissionDeniedError) as caught:
        require(refuse("case_resolve_denied", "You may not resolve this case."))
    assert caught.value.code == "case_resolve_denied"
    assert caught.value.status == 403
    assert str(caught.value.message) == "You may not resolve this case."


def test_a_hidden_refusal_answers_like_a_missing_object() -> None:
    with pytest.raises(NotFoundError) as caught:
        require(refuse("case_view_denied", "Not found.", hidden=True))
    assert caught.value.status == 404


def test_require_lets_an_allowed_decision_through() -> None:
    require(ALLOWED)
    require(allow_if(True, "x_denied", "no"))


def test_first_refusal_stops_at_the_first_no_and_skips_the_rest() -> None:
    asked: list[str] = []

    def check(name: str, answer: bool) -> Callable[[], Decision]:
        def run() -> Decision:
            asked.append(name)
            return allow_if(answer, f"{name}_denied", name)

        return run

    decision = first_refusal(check("a", True), check("b", False), check("c", False))
    assert isinstance(decision, Refusal)
    assert decision.code == "b_denied"
    assert asked == ["a", "b"]


@pytest.mark.django_db
def test_holds_asks_django_permissions_of_active_signed_in_users_only(django_user_model: type[User]) -> None:
    from django.contrib.auth.models import AnonymousUser

    boss = django_user_model.objects.create_superuser(username="boss", password="x-long-password-1")
    assert holds(boss, "cases.resolve_case")
    boss.is_active = False
    assert not holds(boss, "cases.resolve_case")
    assert not holds(AnonymousUser(), "cases.resolve_case")
    assert not holds(None, "cases.resolve_case")


def test_a_page_answers_a_hidden_refusal_with_404_and_a_plain_one_with_403() -> None:
    with pytest.raises(Http404):
        page_require(refuse("x_denied", "not yours", hidden=True))
    with pytest.raises(PermissionDenied) as denied:
        page_require(refuse("x_denied", "not yours"))
    assert str(denied.value) == "not yours"
    page_require(ALLOWED)
