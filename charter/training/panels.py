"""What training shows on the desk home: the reader's own training due (overdue first in the count's words)
and, for a supervisor, the overdue training of the people of his teams; each links to the training home.

The desk home is opened all day by everyone, so the tiles cost two counts (one for a person who leads no
team).
"""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.accounts.selectors import led_team_ids
from charter.accounts.tiles import DeskTile, Tone
from charter.common.pages import may_open
from charter.training.models import Assignment
from charter.training.selectors import overdue_for_supervisor


def desk_training_tiles(user: User) -> list[DeskTile]:
    """The reader's training due and, for a supervisor, his teams' overdue training, each only when some
    waits (none for someone who may not open the training home)."""
    if not may_open(user, "training:home"):
        return []
    today = timezone.localdate()
    counts = Assignment.objects.filter(person=user, status=Assignment.Status.OPEN).aggregate(
        due=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today))
    )
    home = reverse("training:home")
    tiles = []
    if counts["due"]:
        tiles.append(
            DeskTile(
                key="training-due",
                label=_("Training due"),
                count=counts["due"],
                url=home,
                tone=Tone.ALERT if counts["overdue"] else Tone.ACTION,
                hint=_("Courses assigned to you; overdue ones first.") if counts["overdue"] else "",
            )
        )
    if led_team_ids(user):
        overdue = overdue_for_supervisor(user=user).count()
        if overdue:
            tiles.append(
                DeskTile(
                    key="training-team-overdue",
                    label=_("Overdue training in my teams"),
                    count=overdue,
                    url=home,
                    tone=Tone.ALERT,
                )
            )
    return tiles
