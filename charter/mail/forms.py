"""Forms of the e-mail desk. They check the shape of the input; the services decide the rest."""

from typing import Any

from django import forms
from django.db.models import Model, Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Team
from charter.catalog.models import Service
from charter.common.forms import FilterForm, choices_with_all
from charter.common.vocabulary import CaseKind
from charter.mail.models import (
    InboundMessage,
    Mailbox,
    MailTemplate,
    OutboundMessage,
    WebhookDelivery,
    WebhookEndpoint,
)
from charter.mail.rendering import template_specs
from charter.mail.webhooks import WEBHOOK_EVENTS


def _label(model: type[Model], name: str) -> Any:
    """The model field's verbose name, capitalised (lazily: the language is chosen per request)."""
    return capfirst(model._meta.get_field(name).verbose_name)  # type: ignore[union-attr]


def _help(model: type[Model], name: str) -> Any:
    """The model field's help text (lazy)."""
    return model._meta.get_field(name).help_text  # type: ignore[union-attr]


class MailboxForm(forms.Form):
    """A mailbox's settings. The password is write-only: never shown, and left empty on a change keeps it."""

    name = forms.CharField(label=_label(Mailbox, "name"), max_length=100)
    address = forms.EmailField(label=_label(Mailbox, "address"), help_text=_help(Mailbox, "address"))
    host = forms.CharField(label=_label(Mailbox, "host"), max_length=255)
    port = forms.IntegerField(label=_label(Mailbox, "port"), min_value=1, max_value=65535, initial=993)
    security = forms.ChoiceField(
        label=_label(Mailbox, "security"), choices=Mailbox.Security.choices, initial=Mailbox.Security.SSL
    )
    username = forms.CharField(label=_label(Mailbox, "username"), max_length=320)
    password = forms.CharField(
        label=_label(Mailbox, "password"),
        max_length=1000,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    folder = forms.CharField(label=_label(Mailbox, "folder"), max_length=200, initial="INBOX")
    done_folder = forms.CharField(
        label=_label(Mailbox, "done_folder"),
        max_length=200,
        required=False,
        help_text=_help(Mailbox, "done_folder"),
    )
    team = forms.ModelChoiceField(label=_label(Mailbox, "team"), queryset=Team.objects.none(), required=False)
    service = forms.ModelChoiceField(
        label=_label(Mailbox, "service"), queryset=Service.objects.none(), required=False
    )
    kind = forms.ChoiceField(
        label=_label(Mailbox, "kind"), choices=CaseKind.choices, initial=CaseKind.INQUIRY
    )
    is_active = forms.BooleanField(label=_label(Mailbox, "is_active"), required=False, initial=True)

    def __init__(self, *args: Any, mailbox: Mailbox | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Active teams and services only, plus whatever the mailbox has now (so saving keeps it).
        team_field = self.fields["team"]
        service_field = self.fields["service"]
        assert isinstance(team_field, forms.ModelChoiceField)  # noqa: S101
        assert isinstance(service_field, forms.ModelChoiceField)  # noqa: S101
        team_id = mailbox.team_id if mailbox else None
        service_id = mailbox.service_id if mailbox else None
        team_field.queryset = Team.objects.filter(Q(is_active=True) | Q(pk=team_id)).order_by("code")
        service_field.queryset = Service.objects.filter(Q(is_active=True) | Q(pk=service_id)).order_by("slug")
        if mailbox is not None:
            self.fields["password"].required = False
            self.fields["password"].help_text = _("Leave empty to keep the current password.")

    @staticmethod
    def initial_from(mailbox: Mailbox) -> dict[str, Any]:
        """The mailbox's settings as the form's initial data, without the password."""
        names = (
            "name",
            "address",
            "host",
            "port",
            "security",
            "username",
            "folder",
            "done_folder",
            "team",
            "service",
            "kind",
            "is_active",
        )
        return {name: getattr(mailbox, name) for name in names}


class InboundFilterForm(FilterForm):
    status = forms.ChoiceField(
        label=_label(InboundMessage, "status"),
        choices=choices_with_all(list(InboundMessage.Status.choices)),
        required=False,
    )


class OutboundFilterForm(FilterForm):
    status = forms.ChoiceField(
        label=_label(OutboundMessage, "status"),
        choices=choices_with_all(list(OutboundMessage.Status.choices)),
        required=False,
    )
    template = forms.ChoiceField(label=_label(OutboundMessage, "template"), choices=(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        template_field = self.fields["template"]
        assert isinstance(template_field, forms.ChoiceField)  # noqa: S101
        template_field.choices = choices_with_all([(spec.key, spec.key) for spec in template_specs()])


class DeliveryFilterForm(FilterForm):
    status = forms.ChoiceField(
        label=_label(WebhookDelivery, "status"),
        choices=choices_with_all(list(WebhookDelivery.Status.choices)),
        required=False,
    )


class MailTemplateForm(forms.Form):
    subject = forms.CharField(label=_label(MailTemplate, "subject"), max_length=300)
    body = forms.CharField(
        label=_label(MailTemplate, "body"), widget=forms.Textarea(attrs={"rows": 18}), strip=False
    )


class WebhookForm(forms.Form):
    """A webhook's settings. The secret is write-only; empty on creation means "make one up"."""

    name = forms.CharField(label=_label(WebhookEndpoint, "name"), max_length=100)
    url = forms.URLField(
        label=_label(WebhookEndpoint, "url"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Where the events are posted, e.g. https://example.com/hooks/charter."),
    )
    secret = forms.CharField(
        label=_label(WebhookEndpoint, "secret"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty and a strong secret is made for you and shown once."),
    )
    events = forms.MultipleChoiceField(
        label=_label(WebhookEndpoint, "events"),
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every event."),
    )
    allow_private = forms.BooleanField(
        label=_label(WebhookEndpoint, "allow_private"),
        required=False,
        help_text=_help(WebhookEndpoint, "allow_private"),
    )
    is_active = forms.BooleanField(label=_label(WebhookEndpoint, "is_active"), required=False, initial=True)

    def __init__(self, *args: Any, endpoint: WebhookEndpoint | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        events_field = self.fields["events"]
        assert isinstance(events_field, forms.MultipleChoiceField)  # noqa: S101
        events_field.choices = list(WEBHOOK_EVENTS.items())
        if endpoint is not None:
            self.fields["secret"].help_text = _("Leave empty to keep the current secret.")

    @staticmethod
    def initial_from(endpoint: WebhookEndpoint) -> dict[str, Any]:
        """The webhook's settings as the form's initial data, without the secret."""
        names = ("name", "url", "events", "allow_private", "is_active")
        return {name: getattr(endpoint, name) for name in names}
