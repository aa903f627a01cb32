"""Who may see personal data unmasked."""

from django.contrib.auth.models import AbstractUser, AnonymousUser


def can_reveal_personal_data(user: AbstractUser | AnonymousUser) -> bool:
    """True for a signed-in user holding privacy.reveal_personal_data."""
    return bool(user.is_authenticated and user.has_perm("privacy.reveal_personal_data"))
