"""The desk page on which staff record a case taken by phone, at the counter or from an e-mail."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from charter.accounts.models import User
from charter.accounts.services import customer_create
from charter.audit.services import audit_batch
from charter.cases.forms_desk import StaffCaseForm
from charter.cases.models import Case
from charter.cases.permissions import can_create_case, can_view_case
from charter.cases.services import case_create
from charter.catalog.models import Service
from charter.common.errors import DomainError
from charter.common.forms import form_add_domain_error
from charter.common.pages import page_rule
from charter.privacy.consent import NOTICE_VERSION, ConsentAnswers
from charter.privacy.models import ConsentPurpose, ConsentRecord

# The consent's channel follows the case's: a call, a visit, or an e-mail.
CONSENT_CHANNELS = {
    "phone": ConsentRecord.Channel.PHONE,
    "walk_in": ConsentRecord.Channel.COUNTER,
    "email": ConsentRecord.Channel.EMAIL,
}


def _recorder(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not can_create_case(user):
        raise PermissionDenied
    return user


def _record(user: User, form: StaffCaseForm) -> Case:
    """Record the customer when he is new, and the case, in one transaction: a refusal leaves neither."""
    data = form.cleaned_data
    service = Service.objects.filter(pk=data["service"], is_active=True).first() if data["service"] else None
    # One audit append for the customer and the case, at the end (see audit_batch).
    with transaction.atomic(), audit_batch():
        customer = form.found_customer or customer_create(
            actor=user,
            name=data["name"],
            phone=data["phone"],
            email=data["email"],
            language=data["language"],
        )
        return case_create(
            actor=user,
            kind=data["kind"],
            channel=data["channel"],
            customer=customer,
            service=service,
            priority=data["priority"],
            title=data["title"],
            description=data["description"],
            remedy_sought=data["remedy_sought"],
            named_staff=data["named_staff"],
            consent=ConsentAnswers(
                purposes={ConsentPurpose.CASE_HANDLING: True, ConsentPurpose.SURVEYS: data["surveys"]},
                channel=CONSENT_CHANNELS.get(data["channel"], ConsentRecord.Channel.OTHER),
                language=customer.language,
                how_informed=form.how_informed_text(),
                recorded_by=user,
            ),
            attachments=data["attachments"],
            received_at=data["received_at"],
        )


@page_rule(can_create_case)
def case_new(request: HttpRequest) -> HttpResponse:
    """Record a case for a customer on the phone or at the counter, and give the agent its tracking link.

    The customer is chosen from the customer list (`?customer=<id>`), found by phone or e-mail, or recorded
    here. On any error the form comes back with everything the agent typed.
    """
    user = _recorder(request)
    form = StaffCaseForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        user=user,
        initial={"customer": request.GET.get("customer", "")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = _record(user, form)
        except DomainError as error:
            form_add_domain_error(form, error)
        except ValidationError as error:
            # The customer's record refused a value the form let through.
            for message in error.messages:
                form.add_error(None, message)
        else:
            link = request.build_absolute_uri(reverse("cases:track", args=[case.tracking_token]))
            messages.success(
                request,
                _("Case %(number)s recorded. The customer's private tracking link: %(url)s")
                % {"number": case.number, "url": link},
            )
            # Routed to a team outside the agent's scope, the case page would be a 404: back to the queue.
            if can_view_case(user, case):
                return redirect("cases:desk_case", case.number)
            return redirect("cases:desk_queue")
    chosen = form.chosen_customer() if form.chosen_customer_id else None
    context: dict[str, Any] = {"form": form, "chosen": chosen, "notice_version": NOTICE_VERSION}
    return render(request, "cases/desk_case_new.html", context)
