"""Who may configure mail: mailboxes, templates, webhooks, the quarantine and the delivery log."""

from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.accounts.permissions import AnyUser
from charter.common.errors import PermissionDeniedError
from charter.mail.errors import ErrorCode


def can_manage_mail(user: AnyUser) -> bool:
    """True for administrators (mail.manage_mail)."""
    return isinstance(user, User) and user.is_active and user.has_perm("mail.manage_mail")


def require_manage(user: AnyUser) -> None:
    if not can_manage_mail(user):
        raise PermissionDeniedError(_("You may not configure e-mail."), code=ErrorCode.MANAGE_DENIED)
