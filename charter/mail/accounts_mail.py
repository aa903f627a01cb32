"""The notice telling someone that his second factor changed, rendered and queued for accounts.

Accounts sits below mail and decides when the notice is sent (`charter.accounts.twofactor`, through the
worker after the commit of the change); this module registers the template (editable by administrators like
every other) and the function that renders it in the person's language and queues it.
"""

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from charter.accounts.models import User
from charter.accounts.twofactor import SecondFactorChange, second_factor_mailer_register
from charter.catalog.selectors import organisation_name
from charter.common.errors import DomainError
from charter.mail.outbound import mail_queue
from charter.mail.rendering import TemplateSpec, language_for, mail_render, site_url, template_register

KEY = "accounts.second_factor_changed"


def _what(change: SecondFactorChange) -> str:
    return {
        SecondFactorChange.ENROLLED: pgettext("second factor notice", "Two-factor sign-in was set up"),
        SecondFactorChange.REPLACED: pgettext(
            "second factor notice", "A new authenticator app replaced the one used for two-factor sign-in"
        ),
        SecondFactorChange.RECOVERY_RENEWED: pgettext(
            "second factor notice", "New recovery codes were made (the old ones no longer work)"
        ),
        SecondFactorChange.DISABLED: pgettext("second factor notice", "Two-factor sign-in was turned off"),
    }[change]


def _templates_register() -> None:
    template_register(
        TemplateSpec(
            key=KEY,
            description=_("To a member of staff: his two-factor sign-in was set up, replaced or turned off."),
            default="accounts/mail/second_factor_changed.{language}.txt",
            variables={
                "organisation": _("the organisation's name"),
                "recipient_name": _("the recipient's name"),
                "username": _("the recipient's username"),
                "what": _("what changed"),
                "when": _("when it changed"),
                "url": _("the two-factor page"),
            },
            example={
                "organisation": "示范公用事业公司",
                "recipient_name": "王芳",
                "username": "wang.supervisor",
                "what": "已设置两步验证",
                "when": "2026-04-01 09:30",
                "url": "https://charter.example.cn/accounts/2fa/",
            },
        )
    )


def second_factor_mail(user: User, change: SecondFactorChange) -> bool:
    """Render and queue the notice of `change` to `user` in his language; False for an address the
    outbound mail refuses."""
    language = language_for(user.language)
    with translation.override(language), timezone.override(settings.TIME_ZONE):
        context: dict[str, Any] = {
            "organisation": organisation_name(),
            "recipient_name": user.get_full_name() or user.get_username(),
            "username": user.get_username(),
            "what": _what(change),
            "when": formats.date_format(timezone.localtime(), "Y-m-d H:i"),
            "url": site_url(reverse("accounts:twofactor")),
        }
        rendered = mail_render(KEY, language, context)
    try:
        mail_queue(
            to=user.email,
            subject=rendered.subject,
            body=rendered.body,
            language=language,
            template=KEY,
            recipient_user=user,
            thread_ref=f"accounts.user:{user.pk}",
        )
    except DomainError:
        return False
    return True


def second_factor_mail_register() -> None:
    """Register the template and the mailer with accounts (called once from the app's `ready`)."""
    _templates_register()
    second_factor_mailer_register(second_factor_mail)
