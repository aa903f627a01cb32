"""The customer's side: public intake, the private tracking page, the lost-link page, and the portal."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from charter.accounts.models import Customer, User
from charter.accounts.services import PreparedCustomer, customer_prepare, customer_prepared_save
from charter.audit.services import audit_batch
from charter.cases.forms import (
    ACCEPT_BUTTON,
    APPEAL_BUTTON,
    AppealForm,
    CustomerReplyForm,
    IntakeForm,
    TrackingLookupForm,
)
from charter.cases.models import Case
from charter.cases.panels import customer_case_panels
from charter.cases.selectors import (
    case_attachment_list,
    case_clock_list,
    case_customer_list,
    case_find_for_link_request,
    case_get_for_tracking,
    case_get_visible,
    case_message_list,
    case_number_normalise,
    case_timeline,
)
from charter.cases.services import (
    case_accept,
    case_appeal,
    case_customer_reply,
    case_prepare,
    case_prepared_save,
)
from charter.cases.services.intake_once import (
    intake_link_usable,
    intake_submission_find,
    intake_token_claim_prepare,
    intake_token_claimed,
    intake_token_issue,
    intake_token_issued_to,
    intake_token_valid,
)
from charter.cases.tasks import case_tracking_link_resend_task
from charter.cases.throttle import intake_hit
from charter.catalog.models import Service
from charter.catalog.selectors import service_name
from charter.common.errors import DomainError
from charter.common.files import stored_file_response
from charter.common.forms import form_add_domain_error
from charter.common.http import client_ip, private_page
from charter.common.throttle import throttle_hit
from charter.common.vocabulary import CaseKind
from charter.privacy.consent import NOTICE_VERSION, ConsentAnswers
from charter.privacy.masking import mask_email
from charter.privacy.models import ConsentPurpose, ConsentRecord

# The notice is privacy's (its version and text are what a consent proves); kept here for older imports.
PRIVACY_NOTICE_VERSION = NOTICE_VERSION
HOUR = 3600
# The session remembers, for the one page the intake redirects to, where the acknowledgement went.
ACKNOWLEDGEMENT_KEY = "cases.acknowledgement"


def _within_hourly_limit(key: str, limit: int) -> bool:
    """Count one request against `key`; False once it passed `limit` in the hour."""
    return throttle_hit(key, window_seconds=HOUR) <= limit


def _intake_allowed(request: HttpRequest) -> bool:
    """Count one submission against the address (the counter the API's case creation shares); False once
    it passed the hourly limit."""
    return intake_hit(request=request)


def _intake_form(request: HttpRequest, *, signed_in: bool) -> tuple[IntakeForm, str]:
    """The intake form, bound to a POST, and its one-time token: the one it was sent with, or a new one
    (every form shown carries a token of its own, also one shown again with errors)."""
    posted: QueryDict | None = request.POST if request.method == "POST" else None
    form_token = str(request.POST.get("form_token", "")) if posted is not None else ""
    if not intake_token_valid(form_token):
        form_token = intake_token_issue(session=request.session)
        if posted is not None:
            posted = posted.copy()
            posted["form_token"] = form_token
    form = IntakeForm(
        posted,
        request.FILES or None,
        signed_in=signed_in,
        initial={
            "kind": request.GET.get("kind", CaseKind.INQUIRY),
            "service": request.GET.get("service", ""),
            "form_token": form_token,
        },
    )
    return form, form_token


def intake(request: HttpRequest) -> HttpResponse:
    """Take an inquiry or complaint from anyone; acknowledge at once with its number and tracking link."""
    # A signed-in customer raises cases for himself; staff record cases for others in the desk or the API.
    account = request.user if isinstance(request.user, User) and not request.user.is_staff_member else None
    customer = getattr(account, "customer", None)
    signed_in = customer is not None
    form, form_token = _intake_form(request, signed_in=signed_in)
    if request.method == "POST":
        # A token issued just now (the form came without a valid one) has made no case: no look-up.
        already = (
            _intake_already_received(request, form_token)
            if request.POST.get("form_token") == form_token
            else None
        )
        if already is not None:
            return already
        if request.POST.get("website"):
            form.add_error(None, _("Your submission could not be accepted. Please call us instead."))
        elif form.is_valid():
            # Only submissions that would be accepted count: a visitor fixing typos is not throttled.
            if not _intake_allowed(request):
                return render(request, "cases/intake_limited.html", status=429)
            data = form.cleaned_data
            service = (
                Service.objects.filter(pk=data["service"], is_active=True).first()
                if data["service"]
                else None
            )
            try:
                # Everything is checked and built first (the customer's data encrypted, the case routed, its
                # rows compiled); the transaction then holds its locks for the statements only, with one
                # audit append for the customer and the case at its end (see audit_batch).
                new_customer: PreparedCustomer | None = None
                raised_by: Customer | PreparedCustomer
                if customer is None:
                    raised_by = new_customer = customer_prepare(
                        actor=None,
                        user=account,
                        name=data["name"],
                        phone=data.get("phone", ""),
                        email=data.get("email", ""),
                        language=request.LANGUAGE_CODE
                        if request.LANGUAGE_CODE in ("zh-hans", "en")
                        else "zh-hans",
                    )
                else:
                    raised_by = customer
                prepared = case_prepare(
                    actor=account,
                    kind=data["kind"],
                    channel="web",
                    customer=raised_by,
                    service=service,
                    title=data["title"],
                    description=data["description"],
                    remedy_sought=data.get("remedy_sought", ""),
                    consent=ConsentAnswers(
                        purposes={
                            ConsentPurpose.CASE_HANDLING: True,
                            ConsentPurpose.SURVEYS: bool(data.get("surveys")),
                        },
                        channel=ConsentRecord.Channel.WEB,
                        language=request.LANGUAGE_CODE,
                    ),
                    attachments=data["attachments"],
                )
                claim = intake_token_claim_prepare(token=form_token, case=prepared.case)
                with transaction.atomic(), audit_batch():
                    if new_customer is not None:
                        customer_prepared_save(new_customer)
                    case = case_prepared_save(prepared)
                    # Last, before the audit append: a second submission of this form racing this one
                    # fails here (after waiting for this transaction) and rolls back whole.
                    intake_token_claimed(claim)
            except IntegrityError:
                # The same form was sent twice at once and the other submission made the case.
                already = _intake_already_received(request, form_token)
                if already is None:
                    raise
                return already
            except DomainError as error:
                form_add_domain_error(form, error)
            else:
                # The acknowledgement e-mail (queued by case_create) goes to the customer's address, if any.
                request.session[ACKNOWLEDGEMENT_KEY] = {
                    "case": case.pk,
                    "sent_to": mask_email(case.customer.email) if case.customer.email else "",
                }
                return redirect("cases:track", token=case.tracking_token)
    return render(request, "cases/intake.html", {"form": form, "notice_version": PRIVACY_NOTICE_VERSION})


def _intake_already_received(request: HttpRequest, form_token: str) -> HttpResponse | None:
    """The answer to a form sent again after it made a case (its one-time token is claimed), else None.

    The browser the form was given to is taken to the case's tracking page, as after the first submission,
    while the link kept for it lasts (a day); otherwise, or to anyone else holding the token, a page says
    the form was received and where the link went, without the case.
    """
    submission = intake_submission_find(token=form_token)
    if submission is None or submission.case is None:
        return None
    case = submission.case
    own = intake_token_issued_to(session=request.session, token=form_token)
    tracked = case_get_for_tracking(token=submission.tracking_token) if submission.tracking_token else None
    if own and intake_link_usable(submission) and tracked is not None and tracked.pk == case.pk:
        email = case.customer.email
        request.session[ACKNOWLEDGEMENT_KEY] = {
            "case": case.pk,
            "sent_to": mask_email(email) if email else "",
        }
        return redirect("cases:track", token=submission.tracking_token)
    return render(request, "cases/intake_received.html", {"number": case.number if own else ""})


def privacy_notice(request: HttpRequest) -> HttpResponse:
    """The personal-data notice the intake form asks consent to."""
    return render(request, "cases/privacy_notice.html", {"notice_version": PRIVACY_NOTICE_VERSION})


def _customer_page(
    request: HttpRequest,
    case: Case,
    *,
    base_url: str,
    actor: User | None,
    acknowledgement: dict[str, Any] | None = None,
    link_expires_at: dt.datetime | None = None,
) -> HttpResponse:
    """The case as its customer sees it: no internal notes, events, files or handler details.

    `acknowledgement` (the page the intake leads to) says where the link was sent and offers to copy it.
    """
    reply_form = CustomerReplyForm()
    appeal_form = AppealForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "reply":
                reply_form = CustomerReplyForm(request.POST, request.FILES)
                if reply_form.is_valid():
                    case_customer_reply(
                        case=case,
                        body=reply_form.cleaned_data["body"],
                        attachments=reply_form.cleaned_data["attachments"],
                        actor=actor,
                    )
                    messages.success(request, _("Your message was added to the case."))
                    return redirect(base_url)
            elif action == "accept":
                case_accept(case=case, actor=actor)
                messages.success(request, _("Thank you: the case is closed."))
                return redirect(base_url)
            elif action == "appeal":
                appeal_form = AppealForm(request.POST)
                if appeal_form.is_valid():
                    case_appeal(case=case, reason=appeal_form.cleaned_data["reason"], actor=actor)
                    messages.success(
                        request, _("Your appeal was received; someone else will reconsider the case.")
                    )
                    return redirect(base_url)
        except DomainError as error:
            messages.error(request, str(error.message))
        case.refresh_from_db()
    context = {
        "case": case,
        "timeline": case_timeline(case=case, include_internal=False),
        "messages_list": case_message_list(case=case, include_internal=False),
        "clocks": case_clock_list(case=case),
        "reply_form": reply_form,
        "appeal_form": appeal_form,
        "appeal_open": case.is_appeal_open(timezone.now()),
        "panels": customer_case_panels.render(request, case),
        "base_url": base_url,
        "service_name": service_name(service=case.service) if case.service else "",
        "accept_button": ACCEPT_BUTTON,
        "appeal_button": APPEAL_BUTTON,
        "acknowledgement": acknowledgement,
        # The tracking page says how long its link works (the portal needs no link).
        "tracking_link": base_url.startswith("/track/"),
        "link_expires_at": link_expires_at,
        "link_days": settings.CHARTER_TRACKING_LINK_DAYS,
    }
    return render(request, "cases/customer_case.html", context)


def _acknowledgement(request: HttpRequest, case: Case, base_url: str) -> dict[str, Any] | None:
    """Once, on the page the intake redirected to: where the acknowledgement went, and the link to copy."""
    remembered = request.session.get(ACKNOWLEDGEMENT_KEY)
    if request.method != "GET" or not isinstance(remembered, dict) or remembered.get("case") != case.pk:
        return None
    del request.session[ACKNOWLEDGEMENT_KEY]
    return {"sent_to": str(remembered.get("sent_to") or ""), "link": request.build_absolute_uri(base_url)}


def track(request: HttpRequest, token: str) -> HttpResponse:
    """The private tracking page: whoever holds the link sees and answers the case. An unknown or retired
    link answers 404 with the way to a new one."""
    case = case_get_for_tracking(token=token)
    if case is None:
        return private_page(render(request, "cases/track_unknown.html", status=404))
    expires_at = case.tracking_link_expires_at(settings.CHARTER_TRACKING_LINK_DAYS)
    if expires_at is not None and expires_at <= timezone.now():
        return private_page(
            render(request, "cases/track_expired.html", {"expired_at": expires_at}, status=410)
        )
    base_url = reverse("cases:track", args=[token])
    response = _customer_page(
        request,
        case,
        base_url=base_url,
        actor=None,
        acknowledgement=_acknowledgement(request, case, base_url),
        link_expires_at=expires_at,
    )
    return private_page(response)


def track_lookup(request: HttpRequest) -> HttpResponse:
    """The lost-link page: given a case number and the phone or e-mail given with it, e-mail a new link.

    The answer is the same whether or not the details match, so nothing can be learnt from it: the new
    link goes only to the e-mail address the case has on record, and the matching case (or nothing) is
    handed to a task, so a match takes no longer to answer. Limited per client address (the public forms'
    CHARTER_INTAKE_MAX_PER_HOUR); the mails one case receives are limited by the task
    (CHARTER_CASES_LINK_REQUESTS_PER_HOUR), so wrong guesses at a number never lock its customer out.
    """
    form = TrackingLookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        number = case_number_normalise(form.cleaned_data["number"])
        if not _within_hourly_limit(
            f"track-lookup:addr:{client_ip(request)}", settings.CHARTER_INTAKE_MAX_PER_HOUR
        ):
            return render(request, "cases/track_lookup.html", {"form": form, "limited": True}, status=429)
        case = case_find_for_link_request(number=number, contact=form.cleaned_data["contact"])
        case_tracking_link_resend_task(case.pk if case is not None else None)
        return redirect(reverse("cases:track_lookup") + "?sent=1")
    sent = request.method == "GET" and request.GET.get("sent") == "1"
    return render(request, "cases/track_lookup.html", {"form": form, "sent": sent})


def track_file(request: HttpRequest, token: str, pk: int) -> FileResponse:
    case = case_get_for_tracking(token=token)
    if case is None:
        raise Http404
    expires_at = case.tracking_link_expires_at(settings.CHARTER_TRACKING_LINK_DAYS)
    if expires_at is not None and expires_at <= timezone.now():
        raise Http404
    attachment = case_attachment_list(case=case, include_internal=False).filter(pk=pk).first()
    if attachment is None:
        raise Http404
    return stored_file_response(attachment)


@login_required
def portal(request: HttpRequest) -> HttpResponse:
    """A signed-in customer's own cases."""
    assert isinstance(request.user, User)  # noqa: S101
    cases = case_customer_list(user=request.user)[:200]
    return render(request, "cases/portal.html", {"cases": cases})


def _portal_case(request: HttpRequest, number: str) -> Case:
    case = Case.objects.filter(number=number).values_list("pk", flat=True).first()
    visible = case_get_visible(user=request.user, pk=case) if case else None
    if visible is None or not isinstance(request.user, User) or visible.customer.user_id != request.user.pk:
        raise Http404
    return visible


@login_required
def portal_case(request: HttpRequest, number: str) -> HttpResponse:
    case = _portal_case(request, number)
    assert isinstance(request.user, User)  # noqa: S101
    return _customer_page(
        request, case, base_url=reverse("cases:portal_case", args=[number]), actor=request.user
    )


@login_required
def portal_file(request: HttpRequest, number: str, pk: int) -> FileResponse:
    case = _portal_case(request, number)
    attachment = case_attachment_list(case=case, include_internal=False).filter(pk=pk).first()
    if attachment is None:
        raise Http404
    return stored_file_response(attachment)
