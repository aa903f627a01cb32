"""Background work of accounts: the password reset mail, sent by the worker rather than inside the request
(the link's token is made here too, so it never waits in the queue)."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from charter.accounts.models import User
from charter.common.taskqueue import db_task

SUBJECT_TEMPLATE = "accounts/email/password_reset_subject.txt"
BODY_TEMPLATE = "accounts/email/password_reset.txt"


def password_reset_mail_send(*, user_id: int, domain: str, protocol: str, language: str) -> bool:
    """Send the password reset link to the user's address; False when he can no longer reset (gone,
    inactive, no usable password or no address)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password() or not user.email:
        return False
    context = {
        "email": user.email,
        "domain": domain,
        "site_name": domain,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": protocol,
    }
    with translation.override(user.language or language or settings.LANGUAGE_CODE):
        subject = "".join(loader.render_to_string(SUBJECT_TEMPLATE, context).splitlines())
        body = loader.render_to_string(BODY_TEMPLATE, context)
    EmailMultiAlternatives(subject, body, None, [user.email]).send()
    return True


@db_task()
def password_reset_mail_task(user_id: int, domain: str, protocol: str, language: str) -> bool:
    return password_reset_mail_send(user_id=user_id, domain=domain, protocol=protocol, language=language)


@db_task()
def second_factor_notice_task(user_id: int, change: str) -> bool:
    """The mail telling someone his second factor was set up, replaced, renewed or turned off."""
    from charter.accounts.twofactor import second_factor_notice_send

    return second_factor_notice_send(user_id=user_id, change=change)
