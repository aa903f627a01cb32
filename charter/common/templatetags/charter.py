"""Template filters every page may use (loaded as a builtin)."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from charter.common.models import localized

register = template.Library()


@register.filter
def loc(obj: object, field: str) -> str:
    """`{{ service|loc:"name" }}`: the Chinese or English value for the active language."""
    return localized(obj, field)


@register.filter
def cny(amount: Decimal | None) -> str:
    """Format a Decimal amount as CNY with two places: ¥1,234.50."""
    if amount is None:
        return ""
    return "¥" + number_format(amount, decimal_pos=2, force_grouping=True)
