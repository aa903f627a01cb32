"""Panels other apps add to the public service page (/services/<slug>/), e.g. the published performance.

A higher app registers a function taking (request, service) and returning safe HTML, or "" for nothing, in
its AppConfig.ready(); the catalogue renders them in registration order without importing that app
(DESIGN.md, dependencies).
"""

from charter.catalog.models import Service
from charter.common.panels import Panel, Panels

service_panels: Panels[Service] = Panels()


def service_panel_register(panel: Panel[Service]) -> None:
    """Show `panel` on the public service page, after the panels registered before it (once, however often
    called)."""
    service_panels.register(panel)
