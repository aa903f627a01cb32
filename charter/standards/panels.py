"""What standards shows on other apps' pages: on the desk home, the versions of the code of conduct the reader
has yet to acknowledge."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.accounts.tiles import DeskTile
from charter.common.pages import may_open
from charter.standards.selectors import standard_version_list_awaiting_acknowledgement


def desk_acknowledgement_tiles(user: User) -> list[DeskTile]:
    """The published versions of the code of conduct awaiting the reader's acknowledgement (a few queries per
    code of conduct, of which there is normally one)."""
    if not may_open(user, "standards:my_acknowledgements"):
        return []
    return [
        DeskTile(
            key="standards-acknowledge",
            label=_("Standards to acknowledge"),
            count=len(standard_version_list_awaiting_acknowledgement(user=user)),
            url=reverse("standards:my_acknowledgements"),
            hint=_("Read and confirm each published version of the code of conduct."),
        )
    ]
