"""Who may see personal data unmasked. The rule answers a `Decision` (charter/common/policy.py)."""

from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.utils.translation import gettext_lazy as _

from charter.common.policy import ALLOWED, Decision, holds, refuse
from charter.privacy.errors import ErrorCode


def can_reveal_personal_data(user: AbstractUser | AnonymousUser) -> Decision:
    """Decide whether `user` may show a field of personal data unmasked, with a reason: holders of
    privacy.reveal_personal_data (else `privacy_reveal_denied`)."""
    if holds(user, "privacy.reveal_personal_data"):
        return ALLOWED
    return refuse(ErrorCode.REVEAL_DENIED, _("You may not see this personal data unmasked."))


def can_manage_retention(user: AbstractUser | AnonymousUser) -> Decision:
    """Decide whether `user` may change retention schedules, run them and place or release legal holds:
    holders of privacy.manage_retention (else `privacy_retention_denied`)."""
    if holds(user, "privacy.manage_retention"):
        return ALLOWED
    return refuse(ErrorCode.RETENTION_DENIED, _("You may not manage retention or legal holds."))
