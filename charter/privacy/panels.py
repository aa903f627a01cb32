"""Privacy's tile on the desk home: the open data-subject requests, alarming when one is overdue."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.accounts.tiles import DeskTile, Tone
from charter.common.pages import may_open
from charter.privacy.selectors import data_request_open_counts


def desk_privacy_tiles(user: User) -> list[DeskTile]:
    """The open data requests, for those who may open their list (none for anyone else)."""
    if not may_open(user, "privacy:request_list"):
        return []
    counts = data_request_open_counts()
    return [
        DeskTile(
            key="privacy-requests",
            label=_("Open data requests"),
            count=counts["open"],
            url=f"{reverse('privacy:request_list')}?status=open",
            tone=Tone.ALERT if counts["overdue"] else Tone.ACTION,
            hint=_("%(count)d past the deadline") % {"count": counts["overdue"]} if counts["overdue"] else "",
        )
    ]
