"""The customer's consents for the portal and the consent evidence for the desk's customer page."""

from typing import Any

from django import template

from charter.privacy.consent import ConsentRow, consent_history, consent_rows
from charter.privacy.models import ConsentRecord

register = template.Library()


@register.simple_tag(takes_context=True)
def customer_consents(context: template.Context, customer: Any = None) -> list[ConsentRow]:
    """Return the purposes and current answers of `customer` (default: the signed-in customer)."""
    request = context.get("request")
    if customer is None and request is not None:
        customer = getattr(request.user, "customer", None)
    if customer is None:
        return []
    language = getattr(request, "LANGUAGE_CODE", "zh-hans") if request is not None else "zh-hans"
    return consent_rows(customer, language)


@register.simple_tag
def customer_consent_history(customer: Any) -> list[ConsentRecord]:
    """Return every consent record of `customer`, newest first, with its evidence."""
    return consent_history(customer) if customer is not None else []
