"""Who may configure mail: mailboxes, templates, webhooks, the quarantine and the delivery log.

The rule answers a `Decision` (charter/common/policy.py): the services raise from it with `require`, the
pages ask it.
"""

from django.utils.translation import gettext_lazy as _

from charter.accounts.permissions import AnyUser
from charter.common.policy import ALLOWED, Decision, holds, refuse
from charter.mail.errors import ErrorCode


def can_manage_mail(user: AnyUser) -> Decision:
    """Decide whether `user` may configure mail: holders of mail.manage_mail (administrators; else
    `mail_manage_denied`)."""
    if holds(user, "mail.manage_mail"):
        return ALLOWED
    return refuse(ErrorCode.MANAGE_DENIED, _("You may not configure e-mail."))
