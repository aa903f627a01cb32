"""What surveys shows on other apps' pages: on the desk home, the follow-ups of unhappy customers waiting for
the reader, and the bad reviews (好差评) of his own work still in progress."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.accounts.tiles import DeskTile
from charter.common.pages import may_open
from charter.surveys.selectors import recovery_task_list_visible_to, review_list_attributed_to


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


def desk_review_tiles(user: User) -> list[DeskTile]:
    """The bad reviews (好差评) of the reader's own work whose loop is not closed (he may appeal one verified
    as valid), for staff who have any; one query, counting the rows of "My bad reviews" in progress."""
    if not may_open(user, "surveys:my_reviews"):
        return []
    count = review_list_attributed_to(user=user, is_open_only=True).count()
    if not count:
        return []
    return [
        DeskTile(
            key="my-reviews",
            label=_("My bad reviews"),
            count=count,
            url=f"{reverse('surveys:my_reviews')}?show=open",
            hint=_("Dissatisfied reviews of your work being verified; you may appeal one."),
        )
    ]
