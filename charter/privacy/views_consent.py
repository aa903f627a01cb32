"""The customer's consents: the public opt-out page a mail links to, and the portal's change buttons."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from charter.accounts.models import User
from charter.common.errors import DomainError
from charter.privacy.consent import (
    consent_record,
    consent_withdraw_by_link,
    has_withdrawn,
    notice_language,
    notice_text,
    opt_out_read,
    purpose_name,
)
from charter.privacy.models import ConsentPurpose, ConsentRecord


def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """Stop what the link names, without sign-in: GET shows what stops and one button; POST withdraws.

    Opening the link records nothing (mail scanners open every link); a tampered token is a 404 and a
    second press says it is already done.
    """
    found = opt_out_read(token)
    if found is None:
        raise Http404
    context = {
        "token": token,
        "purpose": found.purpose,
        "purpose_name": purpose_name(found.purpose, request.LANGUAGE_CODE),
        "already": has_withdrawn(customer_id=found.customer.pk, purpose_code=found.purpose.code),
    }
    if request.method == "POST":
        _record, already = consent_withdraw_by_link(opt_out=found)
        return render(request, "privacy/opt_out_done.html", {**context, "already": already})
    return render(request, "privacy/opt_out.html", context)


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("cases:portal")


@login_required
@require_POST
def consent_change(request: HttpRequest) -> HttpResponse:
    """Give or withdraw, from the portal, the signed-in customer's own consent to one optional purpose."""
    customer = getattr(request.user, "customer", None)
    if customer is None:
        raise Http404
    purpose = ConsentPurpose.objects.filter(
        code=request.POST.get("purpose", ""), is_active=True, required=False
    ).first()
    action = request.POST.get("action", "")
    if purpose is None or action not in ConsentRecord.Action.values:
        raise Http404
    language = notice_language(request.LANGUAGE_CODE)
    version, text = notice_text(language)
    try:
        consent_record(
            customer=customer,
            purpose_code=purpose.code,
            action=action,
            channel=ConsentRecord.Channel.PORTAL,
            notice_version=version if action == ConsentRecord.Action.GIVEN else "",
            notice_text=text if action == ConsentRecord.Action.GIVEN else "",
            notice_language=language if action == ConsentRecord.Action.GIVEN else "",
            source="portal",
            actor=request.user if isinstance(request.user, User) else None,
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        name = purpose_name(purpose, request.LANGUAGE_CODE)
        if action == ConsentRecord.Action.GIVEN:
            messages.success(request, _("You agreed to: %(purpose)s.") % {"purpose": name})
        else:
            messages.success(request, _("Stopped: %(purpose)s.") % {"purpose": name})
    return redirect(_back(request))
