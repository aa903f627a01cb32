"""The REST resources of quality."""

from rest_framework.routers import BaseRouter


def router_register(router: BaseRouter) -> None:
    """Register this app's API resources."""
