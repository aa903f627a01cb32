"""Template filters of the catalogue: `{% load catalog_tags %}`."""

from django import template

register = template.Library()


@register.filter
def lines(text: str | None) -> list[str]:
    """Split a text kept one item per line into its non-blank lines: `{% for step in steps|lines %}`."""
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]
