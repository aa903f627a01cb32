"""`{% legal_hold_panel case %}`: on a desk page about one record, the legal holds that keep it and the
buttons to place or release one, for holders of privacy.manage_retention (nothing for anyone else).

A tag rather than a panel registry: privacy cannot import the page's app, and the page only names itself.
"""

from django import template
from django.db import models
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from charter.privacy.models import LegalHold
from charter.privacy.permissions import can_manage_retention

register = template.Library()


@register.simple_tag(takes_context=True)
def legal_hold_panel(context: template.Context, record: models.Model) -> SafeString:
    """Render the hold panel of `record` (and of its customer, when the record has one)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not can_manage_retention(user):
        return SafeString("")
    target_type, target_id = record._meta.label_lower, str(record.pk)
    customer_id = getattr(record, "customer_id", None)
    active = LegalHold.objects.filter(released_at__isnull=True)
    on_record = list(active.filter(target_type=target_type, target_id=target_id))
    on_customer = list(active.filter(customer_id=customer_id)) if customer_id is not None else []
    html = render_to_string(
        "privacy/hold_panel.html",
        {
            "record": record,
            "target_type": target_type,
            "on_record": on_record,
            "on_customer": on_customer,
        },
        request=request,
    )
    return mark_safe(html)  # noqa: S308 (rendered by the template engine, escaped there)
