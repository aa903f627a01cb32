"""What surveys shows on other apps' pages: on the desk home, the follow-ups of unhappy customers waiting for
the reader."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.accounts.tiles import DeskTile
from charter.common.pages import may_open
from charter.surveys.selectors import recovery_task_list_visible_to


def desk_recovery_tiles(user: User) -> list[DeskTile]:
    """The open follow-ups (a low score or a negative comment) the reader owns or whose team he leads, for
    those who may open the list; one query, counting the rows the list shows."""
    if not may_open(user, "surveys:recovery_list"):
        return []
    return [
        DeskTile(
            key="recovery",
            label=_("Customer follow-ups"),
            count=recovery_task_list_visible_to(user=user, is_open_only=True).count(),
            url=reverse("surveys:recovery_list"),
            hint=_("Unhappy customers to call back after a low score."),
        )
    ]
