"""What assessment shows on the desk home: the reader's own scorecard waiting for him, the scorecards waiting
for his rating and the appeals he is to decide, each linking to the page where he does it.

The desk home is opened all day by everyone, so the tiles cost a fixed number of queries: one for the
scorecards (his own and those he assesses, the predicates then asked of the rows in memory) and, for those
who decide appeals, one count.
"""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.accounts.tiles import DeskTile
from charter.assessment.models import Cycle, Scorecard
from charter.assessment.permissions import can_acknowledge, can_score, can_self_assess
from charter.assessment.selectors import appeal_list_decidable_by
from charter.common.pages import may_open

S = Scorecard.Status


def desk_assessment_tiles(user: User) -> list[DeskTile]:
    """The reader's assessment work as desk tiles, each only when something waits (none for someone who may
    not open the assessment home)."""
    if not may_open(user, "assessment:home"):
        return []
    cards = list(
        Scorecard.objects.filter(
            Q(person=user, status__in=(S.SELF, S.PUBLISHED))
            | Q(assessor=user, status=S.SUPERVISOR, cycle__status=Cycle.Status.SUPERVISOR)
        ).select_related("cycle")
    )
    own = sum(
        1
        for card in cards
        if card.person_id == user.pk and (can_self_assess(user, card) or can_acknowledge(user, card))
    )
    to_score = sum(1 for card in cards if card.assessor_id == user.pk and can_score(user, card))
    appeals = appeal_list_decidable_by(user=user).count()
    home = reverse("assessment:home")
    tiles = []
    if own:
        tiles.append(
            DeskTile(
                key="assessment-own",
                label=_("My scorecard awaits my self-assessment or acknowledgement"),
                count=own,
                url=home,
                hint=_("Write your self-assessment, or read and acknowledge your published result."),
            )
        )
    if to_score:
        tiles.append(
            DeskTile(
                key="assessment-score",
                label=_("Scorecards to score"),
                count=to_score,
                url=home,
                hint=_("The people you supervise, waiting for your rating."),
            )
        )
    if appeals:
        tiles.append(
            DeskTile(
                key="assessment-appeals",
                label=_("Assessment appeals to decide"),
                count=appeals,
                url=reverse("assessment:appeal_list"),
            )
        )
    return tiles
