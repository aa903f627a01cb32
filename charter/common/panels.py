"""Extension points for pages: a lower app's page shows panels that higher apps register.

The page's app owns a `Panels` registry; a higher app registers a function in its AppConfig.ready(), and
the page renders what each returns. The lower app never imports the higher one (DESIGN.md, dependencies).
"""

from collections.abc import Callable
from typing import Generic, TypeVar

from django.http import HttpRequest
from django.utils.safestring import SafeString

T = TypeVar("T")
Panel = Callable[[HttpRequest, T], str]


class Panels(Generic[T]):
    """An ordered set of panel functions for one kind of page about a `T` (a case, a service)."""

    def __init__(self) -> None:
        self._panels: list[Panel[T]] = []

    def register(self, panel: Panel[T]) -> None:
        if panel not in self._panels:
            self._panels.append(panel)

    def render(self, request: HttpRequest, subject: T) -> list[SafeString]:
        """The non-empty panels for `subject`, in registration order (each function returns safe HTML)."""
        rendered = (panel(request, subject) for panel in self._panels)
        return [SafeString(html) for html in rendered if html]
