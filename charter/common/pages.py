"""Who may open a page, said once: on the view, where the menus read it too.

A view declares its rule with `@page_rule(predicate, ...)`: an anonymous visitor is sent to sign in, and a
signed-in user is refused (403) unless every predicate holds for him. The predicates stay on the view, so a
menu asks `may_open(user, "app:url_name")` and offers exactly the links whose pages would open, never one
that answers 403. The predicates are each app's own (its permissions.py); this module knows none of them
(DESIGN.md, dependencies).

Use it with argument-free pages (lists, queues, settings); a page about one object still answers 404 for an
object outside the user's scope inside the view.
"""

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest
from django.urls import get_resolver, resolve, reverse

from charter.common.policy import Decision

# A yes/no answer or a Decision (charter.common.policy): only its truth is asked here.
Predicate = Callable[[Any], "bool | Decision"]
View = TypeVar("View", bound=Callable[..., Any])

_ATTRIBUTE = "page_rule"


def page_rule(*predicates: Predicate) -> Callable[[View], View]:
    """Guard a view with `predicates` (all must hold for `request.user`) and keep them on it for `may_open`.

    Anonymous visitors are sent to the sign-in page first, as `login_required` does; a signed-in user for
    whom a predicate fails gets PermissionDenied (403).
    """
    if not predicates:
        raise ImproperlyConfigured("page_rule needs at least one predicate.")

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not all(predicate(request.user) for predicate in predicates):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        setattr(guarded, _ATTRIBUTE, predicates)
        return guarded  # type: ignore[return-value]

    return decorate


def page_predicates(view: Callable[..., Any]) -> tuple[Predicate, ...] | None:
    """Return the predicates `view` was guarded with by `page_rule` (through any decorators that use
    functools.wraps, such as login_required), or None for a view without a page rule."""
    predicates = getattr(view, _ATTRIBUTE, None)
    return tuple(predicates) if predicates is not None else None


@functools.cache
def _predicates_of(resolver_id: int, url_name: str, args: tuple[str, ...]) -> tuple[Predicate, ...]:
    view = resolve(reverse(url_name, args=args)).func
    predicates = page_predicates(view)
    if predicates is None:
        raise ImproperlyConfigured(f"The view of {url_name!r} declares no page_rule, so no menu may link it.")
    return predicates


def may_open(user: Any, url_name: str, *args: object) -> bool:
    """True when `user` may open the page named `url_name`: every predicate of its view's `page_rule` holds.

    Raises ImproperlyConfigured for a page whose view declares no rule (a menu must not guess).
    """
    if user is None or not user.is_authenticated:
        return False
    predicates = _predicates_of(id(get_resolver()), url_name, tuple(str(arg) for arg in args))
    return all(predicate(user) for predicate in predicates)
