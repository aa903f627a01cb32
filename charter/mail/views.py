"""HTML views of the e-mail desk at /desk/mail/: mailboxes, the quarantine of inbound messages, the delivery
log, notification templates and webhooks. Administrators only (mail.manage_mail); everyone else gets 403."""

import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.db.models.functions import Length
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from charter.accounts.models import User
from charter.audit.list_exports import list_export
from charter.common.errors import DomainError
from charter.common.forms import form_add_domain_error
from charter.common.list_exports import Column, export_extension, form_filters
from charter.common.pages import page_rule
from charter.mail.fetch import mailbox_poll
from charter.mail.forms import (
    DeliveryFilterForm,
    InboundFilterForm,
    MailboxForm,
    MailTemplateForm,
    OutboundFilterForm,
    WebhookForm,
)
from charter.mail.inbound import inbound_discard, inbound_retry
from charter.mail.models import (
    InboundMessage,
    Mailbox,
    MailTemplate,
    OutboundMessage,
    WebhookDelivery,
    WebhookEndpoint,
)
from charter.mail.outbound import outbound_retry
from charter.mail.permissions import can_manage_mail
from charter.mail.rendering import (
    RenderedMail,
    TemplateSpec,
    template_preview,
    template_source,
    template_spec,
    template_specs,
)
from charter.mail.services import mail_template_reset, mail_template_save, mailbox_save, webhook_save
from charter.mail.webhooks import WEBHOOK_EVENTS, secret_new, webhook_delivery_retry
from charter.privacy.masking import mask

PAGE_SIZE = 50
RECENT_DELIVERIES = 50
# A customer's tracking link is his key to the case: the log shows where it pointed, never the token.
TRACKING_TOKEN = re.compile(r"/track/[^/\s]+")
# The secret made up for a new webhook, kept in the session only until the next page has shown it once.
SHOW_ONCE_SESSION = "mail_webhook_show_once"
# Neither list needs the (encrypted) credentials of the mailbox it names.
MAILBOX_CREDENTIALS = ("mailbox__username", "mailbox__password")


def _manager(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not can_manage_mail(user):
        raise PermissionDenied
    return user


def _page(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _back(request: HttpRequest, default: str) -> str:
    """The `next` address of a POST when it is on this site, else `default`."""
    back = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return default


def tracking_masked(text: str) -> str:
    """`text` with the token of every tracking link replaced by an ellipsis."""
    return TRACKING_TOKEN.sub("/track/…", text)


# Overview and mailboxes -----------------------------------------------------------------------------------


@page_rule(can_manage_mail)
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """The mailboxes with their last poll, and how many messages and deliveries need an administrator."""
    _manager(request)
    context = {
        "mailboxes": Mailbox.objects.select_related("team", "service").defer("username", "password"),
        "quarantined": InboundMessage.objects.filter(status=InboundMessage.Status.QUARANTINED).count(),
        "failed_outbound": OutboundMessage.objects.filter(status=OutboundMessage.Status.FAILED).count(),
        "failed_deliveries": WebhookDelivery.objects.filter(status=WebhookDelivery.Status.FAILED).count(),
    }
    return render(request, "mail/overview.html", context)


def _mailbox_save(user: User, data: dict[str, Any], mailbox: Mailbox | None = None) -> Mailbox:
    return mailbox_save(
        actor=user,
        mailbox=mailbox,
        name=data["name"],
        address=data["address"],
        host=data["host"],
        port=data["port"],
        security=data["security"],
        username=data["username"],
        password=data["password"],
        folder=data["folder"],
        done_folder=data["done_folder"],
        team=data["team"],
        service=data["service"],
        kind=data["kind"],
        is_active=data["is_active"],
    )


def _mailbox_page(request: HttpRequest, form: MailboxForm, mailbox: Mailbox | None) -> HttpResponse:
    title = _("New mailbox") if mailbox is None else _("Mailbox %(name)s") % {"name": mailbox.name}
    return render(request, "mail/mailbox_form.html", {"form": form, "mailbox": mailbox, "title": title})


@login_required
def mailbox_create(request: HttpRequest) -> HttpResponse:
    """Let an administrator add a mailbox for the worker to poll."""
    user = _manager(request)
    form = MailboxForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mailbox = _mailbox_save(user, form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The mailbox was saved. Check it now to test the settings."))
            return redirect("mail:mailbox_edit", mailbox_id=mailbox.pk)
    return _mailbox_page(request, form, None)


@login_required
def mailbox_edit(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    """Change a mailbox's settings; an empty password keeps the one it has."""
    user = _manager(request)
    mailbox = get_object_or_404(Mailbox.objects.select_related("team", "service"), pk=mailbox_id)
    form = MailboxForm(request.POST or None, initial=MailboxForm.initial_from(mailbox), mailbox=mailbox)
    if request.method == "POST" and form.is_valid():
        try:
            _mailbox_save(user, form.cleaned_data, mailbox)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The mailbox was saved."))
            return redirect("mail:mailbox_edit", mailbox_id=mailbox.pk)
    return _mailbox_page(request, form, mailbox)


@login_required
@require_POST
def mailbox_check(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    """Poll a mailbox now and say what came of it."""
    _manager(request)
    mailbox = get_object_or_404(Mailbox, pk=mailbox_id)
    result = mailbox_poll(mailbox=mailbox)
    if result.error:
        messages.error(request, _("The mailbox could not be checked: %(error)s") % {"error": result.error})
    else:
        messages.success(
            request,
            _(
                "The mailbox was checked: %(fetched)d fetched, %(new)d new, %(quarantined)d quarantined, "
                "%(ignored)d ignored as automatic messages."
            )
            % {
                "fetched": result.fetched,
                "new": result.new,
                "quarantined": result.quarantined,
                "ignored": result.ignored,
            },
        )
    return redirect("mail:mailbox_edit", mailbox_id=mailbox.pk)


# Inbound messages -----------------------------------------------------------------------------------------


INBOUND_COLUMNS: list[Column[InboundMessage]] = [
    Column(gettext_lazy("Fetched at"), lambda inbound: inbound.received_at),
    Column(gettext_lazy("Mailbox"), lambda inbound: inbound.mailbox.name),
    # Customers' addresses masked as the customers export masks them: a file is not a page.
    Column(gettext_lazy("Sender"), lambda inbound: mask(inbound.sender, "email")),
    Column(gettext_lazy("Subject"), lambda inbound: inbound.subject),
    Column(gettext_lazy("Status"), lambda inbound: inbound.get_status_display()),
    Column(gettext_lazy("Reason"), lambda inbound: inbound.reason),
]
OUTBOUND_COLUMNS: list[Column[OutboundMessage]] = [
    Column(gettext_lazy("Queued at"), lambda message: message.created_at),
    Column(gettext_lazy("Recipient"), lambda message: mask(message.recipient, "email")),
    Column(gettext_lazy("Template"), lambda message: message.template),
    # As on the page: a tracking link in the subject without its token.
    Column(gettext_lazy("Subject"), lambda message: tracking_masked(message.subject)),
    Column(gettext_lazy("Status"), lambda message: message.get_status_display()),
    Column(gettext_lazy("Attempts"), lambda message: message.attempts),
    Column(gettext_lazy("Next attempt"), lambda message: message.next_attempt_at),
]
DELIVERY_COLUMNS: list[Column[WebhookDelivery]] = [
    Column(gettext_lazy("Queued at"), lambda delivery: delivery.created_at),
    Column(gettext_lazy("Webhook"), lambda delivery: delivery.endpoint.name),
    Column(gettext_lazy("Event"), lambda delivery: delivery.event),
    Column(gettext_lazy("Status"), lambda delivery: delivery.get_status_display()),
    Column(gettext_lazy("Attempts"), lambda delivery: delivery.attempts),
    Column(gettext_lazy("Response status"), lambda delivery: delivery.response_status),
    Column(gettext_lazy("Last error"), lambda delivery: delivery.last_error),
]


@login_required
@require_GET
def inbound_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Inbound messages by status, the quarantine first (the default), newest first; `?format=csv|xlsx`
    exports them (audited)."""
    _manager(request)
    data = request.GET.copy()
    data.setdefault("status", InboundMessage.Status.QUARANTINED)
    form = InboundFilterForm(data)
    rows = InboundMessage.objects.select_related("mailbox").defer("raw", *MAILBOX_CREDENTIALS)
    if form.is_valid() and form.cleaned_data["status"]:
        rows = rows.filter(status=form.cleaned_data["status"])
    extension = export_extension(request)
    if extension:
        return list_export(
            request,
            name="mail.inbound",
            title=_("Inbound messages"),
            rows=rows.order_by("-received_at", "-pk"),
            columns=INBOUND_COLUMNS,
            filters=form_filters(form),
            extension=extension,
        )
    context = {"form": form, "page": _page(request, rows.order_by("-received_at", "-pk"))}
    return render(request, "mail/inbound_list.html", context)


@login_required
@require_GET
def inbound_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    """One inbound message: what it was, what became of it and why; retry or discard a quarantined one."""
    _manager(request)
    rows = (
        InboundMessage.objects.select_related("mailbox")
        .defer("raw", *MAILBOX_CREDENTIALS)
        .annotate(raw_size=Length("raw"))
    )
    inbound = get_object_or_404(rows, pk=message_id)
    context = {"inbound": inbound, "is_quarantined": inbound.status == InboundMessage.Status.QUARANTINED}
    return render(request, "mail/inbound_detail.html", context)


def _inbound_outcome(request: HttpRequest, row: InboundMessage) -> None:
    Status = InboundMessage.Status
    if row.status == Status.HANDLED:
        messages.success(request, _("The message was handled: %(ref)s.") % {"ref": row.thread_ref or "—"})
    elif row.status == Status.IGNORED:
        messages.info(request, _("The message is an automatic message and was ignored."))
    elif row.status == Status.DISCARDED:
        messages.info(request, _("The same message was handled in the meantime; this copy was discarded."))
    else:
        messages.warning(
            request,
            _("The message failed again and stays in the quarantine: %(reason)s") % {"reason": row.reason},
        )


@login_required
@require_POST
def inbound_message_retry(request: HttpRequest, message_id: int) -> HttpResponse:
    """Hand a quarantined message to its handler again."""
    user = _manager(request)
    inbound = get_object_or_404(InboundMessage.objects.select_related("mailbox"), pk=message_id)
    try:
        row = inbound_retry(actor=user, inbound=inbound)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        _inbound_outcome(request, row)
    return redirect("mail:inbound_detail", message_id=inbound.pk)


@login_required
@require_POST
def inbound_message_discard(request: HttpRequest, message_id: int) -> HttpResponse:
    """Give up on a quarantined message (it stays recorded, without its raw bytes)."""
    user = _manager(request)
    inbound = get_object_or_404(InboundMessage.objects.defer("raw"), pk=message_id)
    try:
        inbound_discard(actor=user, inbound=inbound)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The message was discarded."))
    return redirect("mail:inbound_detail", message_id=inbound.pk)


@login_required
@require_GET
def inbound_raw(request: HttpRequest, message_id: int) -> HttpResponse:
    """The raw message as a download, never shown inline (it is whatever a stranger sent)."""
    _manager(request)
    raw = InboundMessage.objects.filter(pk=message_id).values_list("raw", flat=True).first()
    if raw is None:
        raise Http404
    response = HttpResponse(bytes(raw), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="message-{message_id}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    add_never_cache_headers(response)
    return response


# Outbound messages: the delivery log ----------------------------------------------------------------------


@login_required
@require_GET
def outbound_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The delivery log, newest first, by status and template; `?format=csv|xlsx` exports it (audited)."""
    _manager(request)
    form = OutboundFilterForm(request.GET)
    rows = OutboundMessage.objects.defer("body", "headers")
    if form.is_valid():
        if form.cleaned_data["status"]:
            rows = rows.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["template"]:
            rows = rows.filter(template=form.cleaned_data["template"])
    extension = export_extension(request)
    if extension:
        return list_export(
            request,
            name="mail.outbound",
            title=_("Delivery log"),
            rows=rows.order_by("-created_at", "-pk"),
            columns=OUTBOUND_COLUMNS,
            filters=form_filters(form),
            extension=extension,
        )
    page = _page(request, rows.order_by("-created_at", "-pk"))
    for message in page:
        # An administrator's template may put the tracking link in the subject too; shown, never saved.
        message.subject = tracking_masked(message.subject)
    return render(request, "mail/outbound_list.html", {"form": form, "page": page})


@login_required
@require_GET
def outbound_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    """One outbound message and how its delivery went; tracking links are shown without their token."""
    _manager(request)
    message = get_object_or_404(OutboundMessage, pk=message_id)
    message.subject = tracking_masked(message.subject)  # shown, never saved
    context = {
        "message": message,
        "body": tracking_masked(message.body),
        "headers": sorted((name, tracking_masked(str(value))) for name, value in message.headers.items()),
        "is_failed": message.status == OutboundMessage.Status.FAILED,
    }
    return render(request, "mail/outbound_detail.html", context)


@login_required
@require_POST
def outbound_message_retry(request: HttpRequest, message_id: int) -> HttpResponse:
    """Queue a failed message again."""
    user = _manager(request)
    message = get_object_or_404(OutboundMessage.objects.defer("body"), pk=message_id)
    try:
        outbound_retry(actor=user, message=message)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The message is queued to be sent again."))
    return redirect("mail:outbound_detail", message_id=message.pk)


# Templates ------------------------------------------------------------------------------------------------


@login_required
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    """Every registered notification with, per language, whether the default or an own version is used."""
    _manager(request)
    custom = {(row.key, row.language): row for row in MailTemplate.objects.select_related("updated_by")}
    rows = [
        (spec, [(code, name, custom.get((spec.key, code))) for code, name in settings.LANGUAGES])
        for spec in template_specs()
    ]
    return render(request, "mail/template_list.html", {"rows": rows})


def _spec_or_404(key: str, language: str) -> TemplateSpec:
    if language not in dict(settings.LANGUAGES):
        raise Http404
    try:
        return template_spec(key)
    except DomainError:
        raise Http404 from None


@login_required
def template_edit(request: HttpRequest, key: str, language: str) -> HttpResponse:
    """Edit one notification in one language: preview it with the example, save it, or go back to the
    default."""
    user = _manager(request)
    spec = _spec_or_404(key, language)
    preview: RenderedMail | None = None
    if request.method == "POST":
        form = MailTemplateForm(request.POST)
        if form.is_valid():
            subject, body = form.cleaned_data["subject"], form.cleaned_data["body"]
            try:
                if "preview" in request.POST:
                    preview = template_preview(spec.key, subject, body)
                else:
                    mail_template_save(actor=user, key=key, language=language, subject=subject, body=body)
            except DomainError as error:
                form_add_domain_error(form, error)
            else:
                if preview is None:
                    messages.success(request, _("The template was saved; it is used from now on."))
                    return redirect("mail:template_edit", key=key, language=language)
    else:
        try:
            subject, body = template_source(key, language)
        except TemplateDoesNotExist:
            subject, body = "", ""
        form = MailTemplateForm(initial={"subject": subject, "body": body})
    context = {
        "spec": spec,
        "language": language,
        "language_name": dict(settings.LANGUAGES)[language],
        "custom": MailTemplate.objects.filter(key=key, language=language)
        .select_related("updated_by")
        .first(),
        "form": form,
        "preview": preview,
    }
    return render(request, "mail/template_edit.html", context)


@login_required
@require_POST
def template_reset(request: HttpRequest, key: str, language: str) -> HttpResponse:
    """Drop the administrators' version of a notification: the shipped default is used again."""
    user = _manager(request)
    _spec_or_404(key, language)
    mail_template_reset(actor=user, key=key, language=language)
    messages.success(request, _("The template is back to the default."))
    return redirect("mail:template_edit", key=key, language=language)


# Webhooks -------------------------------------------------------------------------------------------------


def _event_labels(events: list[str]) -> list[str]:
    return [str(WEBHOOK_EVENTS.get(event, event)) for event in events]


@login_required
@require_GET
def webhook_list(request: HttpRequest) -> HttpResponse:
    """The webhooks with their events and how many deliveries failed."""
    _manager(request)
    failed = Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.FAILED))
    endpoints = WebhookEndpoint.objects.defer("secret").annotate(failed=failed).order_by("name", "pk")
    rows = [(endpoint, _event_labels(endpoint.events)) for endpoint in endpoints]
    return render(request, "mail/webhook_list.html", {"rows": rows})


def _webhook_save(
    user: User, data: dict[str, Any], *, secret: str, endpoint: WebhookEndpoint | None = None
) -> WebhookEndpoint:
    return webhook_save(
        actor=user,
        endpoint=endpoint,
        name=data["name"],
        url=data["url"],
        secret=secret,
        events=data["events"],
        allow_private=data["allow_private"],
        is_active=data["is_active"],
    )


def _webhook_page(request: HttpRequest, form: WebhookForm, endpoint: WebhookEndpoint | None) -> HttpResponse:
    title = _("New webhook") if endpoint is None else _("Edit webhook %(name)s") % {"name": endpoint.name}
    return render(request, "mail/webhook_form.html", {"form": form, "endpoint": endpoint, "title": title})


@login_required
def webhook_create(request: HttpRequest) -> HttpResponse:
    """Add a webhook; without a secret entered, one is made up and shown once on the next page."""
    user = _manager(request)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        secret = form.cleaned_data["secret"]
        is_generated = not secret
        if is_generated:
            secret = secret_new()
        try:
            endpoint = _webhook_save(user, form.cleaned_data, secret=secret)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            if is_generated:
                request.session[SHOW_ONCE_SESSION] = {"endpoint": endpoint.pk, "secret": secret}
            messages.success(request, _("The webhook was saved."))
            return redirect("mail:webhook_detail", endpoint_id=endpoint.pk)
    return _webhook_page(request, form, None)


@login_required
def webhook_edit(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    """Change a webhook; an empty secret keeps the one it has."""
    user = _manager(request)
    endpoint = get_object_or_404(WebhookEndpoint.objects.defer("secret"), pk=endpoint_id)
    form = WebhookForm(request.POST or None, initial=WebhookForm.initial_from(endpoint), endpoint=endpoint)
    if request.method == "POST" and form.is_valid():
        try:
            _webhook_save(user, form.cleaned_data, secret=form.cleaned_data["secret"], endpoint=endpoint)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The webhook was saved."))
            return redirect("mail:webhook_detail", endpoint_id=endpoint.pk)
    return _webhook_page(request, form, endpoint)


@login_required
@require_GET
def webhook_detail(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    """A webhook and its recent deliveries; right after its creation, the secret made up for it (once)."""
    _manager(request)
    endpoint = get_object_or_404(WebhookEndpoint.objects.defer("secret"), pk=endpoint_id)
    new_secret = ""
    kept = request.session.get(SHOW_ONCE_SESSION)
    if isinstance(kept, dict) and kept.get("endpoint") == endpoint.pk:
        new_secret = str(kept.get("secret", ""))
        del request.session[SHOW_ONCE_SESSION]
    deliveries = endpoint.deliveries.defer("payload").order_by("-created_at", "-pk")[:RECENT_DELIVERIES]
    context = {
        "endpoint": endpoint,
        "event_labels": _event_labels(endpoint.events),
        "deliveries": deliveries,
        "new_secret": new_secret,
    }
    response = render(request, "mail/webhook_detail.html", context)
    if new_secret:
        add_never_cache_headers(response)
    return response


@login_required
@require_GET
def delivery_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Every webhook delivery, newest first, by status; `?format=csv|xlsx` exports them (audited)."""
    _manager(request)
    form = DeliveryFilterForm(request.GET)
    rows = WebhookDelivery.objects.select_related("endpoint").defer("payload", "endpoint__secret")
    if form.is_valid() and form.cleaned_data["status"]:
        rows = rows.filter(status=form.cleaned_data["status"])
    extension = export_extension(request)
    if extension:
        return list_export(
            request,
            name="mail.webhook_deliveries",
            title=_("Webhook deliveries"),
            rows=rows.order_by("-created_at", "-pk"),
            columns=DELIVERY_COLUMNS,
            filters=form_filters(form),
            extension=extension,
        )
    context = {"form": form, "page": _page(request, rows.order_by("-created_at", "-pk"))}
    return render(request, "mail/delivery_list.html", context)


@login_required
@require_POST
def delivery_retry(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """Queue a failed webhook delivery again."""
    user = _manager(request)
    delivery = get_object_or_404(WebhookDelivery.objects.defer("payload"), pk=delivery_id)
    try:
        webhook_delivery_retry(actor=user, delivery=delivery)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The delivery is queued to be sent again."))
    return redirect(
        _back(request, reverse("mail:webhook_detail", kwargs={"endpoint_id": delivery.endpoint_id}))
    )
