"""Administrators' changes to mail: mailboxes, templates, webhooks. Each is audited as `mail.<verb>`.

The quarantine and the delivery log have their own services beside the machinery they act on:
`inbound_retry` / `inbound_discard` (charter.mail.inbound), `outbound_retry` (charter.mail.outbound),
`webhook_delivery_retry` (charter.mail.webhooks).
"""

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Team, User
from charter.audit.services import audit_record
from charter.catalog.models import Service
from charter.common.errors import DomainError
from charter.common.policy import require
from charter.common.text import clean_column_text
from charter.common.unset import UNSET, Unset, given
from charter.common.vocabulary import CaseKind
from charter.mail.errors import TEXT_CODES, ErrorCode
from charter.mail.models import Mailbox, MailTemplate, WebhookEndpoint
from charter.mail.permissions import can_manage_mail
from charter.mail.rendering import template_check, template_spec


def _full_clean(instance: Any) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(
            messages[0], code=ErrorCode.INVALID_FIELD, field=None if field == "__all__" else field
        ) from error


def _text(value: object, model: type[models.Model], field: str, *, multiline: bool = False) -> str:
    """Return `value` cleaned by the common rule (`clean_text`) with the mail codes, at most as long as the
    column `field` of `model`. Raises DomainError on `field`; writes nothing."""
    return clean_column_text(value, model=model, column=field, codes=TEXT_CODES, multiline=multiline)


def _texts_clean(model: type[models.Model], fields: dict[str, object], names: Iterable[str]) -> None:
    """Clean in place each of `names` that `fields` holds: one line of text, at most its column's length.
    Raises DomainError on the first refused."""
    for name in names:
        if name in fields:
            fields[name] = _text(fields[name], model, name)


def _apply(instance: Any, fields: dict[str, object]) -> list[str]:
    changed = []
    for name, value in fields.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return sorted(changed)


def _mail_host_check(host: str, port: int) -> None:
    """Refuse (field `host`) an IMAP host on a loopback, private or translated address unless it is listed
    in CHARTER_MAIL_ALLOWED_HOSTS. Resolved before any lock: DNS may be slow."""
    from charter.mail.addresses import AddressRefused, mail_host_check

    if not host:
        return
    try:
        mail_host_check(host, port, resolve_required=False)
    except AddressRefused as error:
        raise DomainError(
            _("%(reason)s An intranet mail server must be listed in CHARTER_MAIL_ALLOWED_HOSTS.")
            % {"reason": error},
            code=ErrorCode.MAIL_HOST_REFUSED,
            field="host",
        ) from error


def mailbox_save(
    *,
    actor: User,
    mailbox: Mailbox | None = None,
    name: str | Unset = UNSET,
    address: str | Unset = UNSET,
    host: str | Unset = UNSET,
    port: int | Unset = UNSET,
    security: str | Unset = UNSET,
    username: str | Unset = UNSET,
    password: str | Unset = UNSET,
    folder: str | Unset = UNSET,
    done_folder: str | Unset = UNSET,
    team: Team | None | Unset = UNSET,
    service: Service | None | Unset = UNSET,
    kind: str | Unset = UNSET,
    is_active: bool | Unset = UNSET,
) -> Mailbox:
    """Create a mailbox (`mailbox` None) or change the settings given (the others default to UNSET: a new
    mailbox takes the model's defaults, a changed one keeps them). An empty `password` on a change keeps the
    old one. Its texts but the password are cleaned by the common rule (`clean_text`: one line, at most the
    column's length). Refused (field errors) when a text holds a control character or is too long, or the
    mailbox would not validate. Audited as `mail.mailbox_save` (never with the credentials)."""
    require(can_manage_mail(actor))
    fields = given(
        name=name,
        address=address,
        host=host,
        port=port,
        security=security,
        username=username,
        password=password,
        folder=folder,
        done_folder=done_folder,
        team=team,
        service=service,
        kind=kind,
        is_active=is_active,
    )
    # The password is taken as typed: it is the server's, spaces and all.
    _texts_clean(Mailbox, fields, ("name", "address", "host", "username", "folder", "done_folder"))
    if "kind" in fields and fields["kind"] not in CaseKind.values:
        raise DomainError(_("Choose the kind of case."), code=ErrorCode.INVALID_FIELD, field="kind")
    if mailbox is not None and not fields.get("password"):
        fields.pop("password", None)
    if "host" in fields or "port" in fields:
        port_given = fields.get("port", mailbox.port if mailbox else None)
        # The port is validated with the rest below; a wrong one only changes what getaddrinfo is asked.
        _mail_host_check(
            str(fields.get("host", mailbox.host if mailbox else "")),
            port_given if isinstance(port_given, int) else 993,
        )
    with transaction.atomic():
        target = Mailbox() if mailbox is None else Mailbox.objects.select_for_update().get(pk=mailbox.pk)
        changed = _apply(target, fields)
        _full_clean(target)
        target.save()
        audit_record(
            actor=actor,
            action="mail.mailbox_save",
            target=target,
            data={"created": mailbox is None, "fields": [name for name in changed if name != "password"]},
        )
    return target


def mail_template_save(*, actor: User, key: str, language: str, subject: str, body: str) -> MailTemplate:
    """Replace the default of template `key` in `language`. Refused (field errors) when the subject or body is
    blank, holds a control character or is longer than its column (`clean_text`; the subject on one line),
    or when it does not compile or render with the template's example. Audited as `mail.template_save`."""
    require(can_manage_mail(actor))
    template_spec(key)
    subject = _text(subject, MailTemplate, "subject")
    body = _text(body, MailTemplate, "body", multiline=True)
    if not subject:
        raise DomainError(_("This field is required."), code=ErrorCode.INVALID_TEMPLATE, field="subject")
    if not body:
        raise DomainError(_("This field is required."), code=ErrorCode.INVALID_TEMPLATE, field="body")
    template_check(subject, body, key=key)
    with transaction.atomic():
        row, created = MailTemplate.objects.update_or_create(
            key=key,
            language=language,
            defaults={"subject": subject, "body": body, "updated_by": actor},
        )
        _full_clean(row)
        audit_record(actor=actor, action="mail.template_save", target=row, data={"created": created})
    return row


def mail_template_reset(*, actor: User, key: str, language: str) -> None:
    """Go back to the shipped default of template `key` in `language`. Audited as `mail.template_reset`."""
    require(can_manage_mail(actor))
    template_spec(key)
    with transaction.atomic():
        row = MailTemplate.objects.filter(key=key, language=language).first()
        if row is None:
            return
        audit_record(actor=actor, action="mail.template_reset", target=row)
        row.delete()


def webhook_save(
    *,
    actor: User,
    endpoint: WebhookEndpoint | None = None,
    name: str | Unset = UNSET,
    url: str | Unset = UNSET,
    secret: str | Unset = UNSET,
    events: list[str] | Unset = UNSET,
    allow_private: bool | Unset = UNSET,
    is_active: bool | Unset = UNSET,
) -> WebhookEndpoint:
    """Create a webhook (`endpoint` None) or change the settings given (the others default to UNSET: a new
    webhook takes the model's defaults, a changed one keeps them); an empty `secret` on a change keeps the
    old one. The name and URL are cleaned by the common rule (`clean_text`: one line, at most the column's
    length). The URL must be http(s) and, unless `allow_private`, resolve only to public addresses. Audited
    as `mail.webhook_save` (never with the secret)."""
    from charter.mail.webhooks import WEBHOOK_EVENTS, url_check

    require(can_manage_mail(actor))
    fields = given(
        name=name, url=url, secret=secret, events=events, allow_private=allow_private, is_active=is_active
    )
    _texts_clean(WebhookEndpoint, fields, ("name", "url"))
    if endpoint is not None and not fields.get("secret"):
        fields.pop("secret", None)
    if "events" in fields and (not isinstance(events, list) or set(events) - set(WEBHOOK_EVENTS)):
        raise DomainError(_("Choose events from the list."), code=ErrorCode.INVALID_FIELD, field="events")
    if "url" in fields or "allow_private" in fields:
        # Resolve the host before taking any lock: DNS may be slow.
        url_check(
            str(fields.get("url", endpoint.url if endpoint else "")),
            allow_private=bool(fields.get("allow_private", endpoint.allow_private if endpoint else False)),
        )
    with transaction.atomic():
        target = (
            WebhookEndpoint()
            if endpoint is None
            else WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        )
        changed = _apply(target, fields)
        _full_clean(target)
        target.save()
        audit_record(
            actor=actor,
            action="mail.webhook_save",
            target=target,
            data={"created": endpoint is None, "fields": [name for name in changed if name != "secret"]},
        )
    return target


def webhook_url_for_audit(url: str) -> str:
    """The webhook URL as the audit chain keeps it: scheme://host[:port]/path, without the user name and
    password, query and fragment, where robot webhooks (WeCom, DingTalk, Feishu) carry their key."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = f"{host}:{port}" if port is not None else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def webhook_delete(*, actor: User, endpoint: WebhookEndpoint) -> None:
    """Delete a webhook and its delivery log: nothing more is sent to it. Audited as `mail.webhook_delete`
    (with its name and its URL without credentials, query or fragment, never the secret)."""
    require(can_manage_mail(actor))
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().defer("secret").filter(pk=endpoint.pk).first()
        if locked is None:
            return
        audit_record(
            actor=actor,
            action="mail.webhook_delete",
            target=locked,
            data={"name": locked.name, "url": webhook_url_for_audit(locked.url)},
        )
        locked.delete()
