"""Panels other apps add to a violation's page, e.g. the corrective actions opened from it.

A higher app registers a function taking (request, violation) and returning safe HTML, or "" for nothing, in
its AppConfig.ready(); conduct renders them in registration order without importing that app (DESIGN.md,
dependencies).
"""

from charter.common.panels import Panel, Panels
from charter.conduct.models import Violation

violation_panels: Panels[Violation] = Panels()


def violation_panel_register(panel: Panel[Violation]) -> None:
    """Show `panel` on the violation page, after the panels registered before it (once, however often
    called)."""
    violation_panels.register(panel)
