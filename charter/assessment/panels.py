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
from charter.assessment.models import Appeal, Cycle, Scorecard, ScorecardEvent
from charter.assessment.permissions import PARTY_ACTIONS, can_acknowledge, can_score, can_self_assess
from charter.common.pages import may_open
from charter.common.policy import holds

S = Scorecard.Status


def _appeals_to_decide_count(user: User) -> int:
    """Pending appeals `user` may decide: those of scorecards he is no party to (`scorecard_parties`: not
    his own, not assessed, scored, calibrated or approved by him), as one count."""
    if not holds(user, "assessment.decide_appeal"):
        return 0
    parties = ScorecardEvent.objects.filter(actor=user, action__in=PARTY_ACTIONS).values("scorecard_id")
    return (
        Appeal.objects.filter(status=Appeal.Status.PENDING)
        .exclude(scorecard__person=user)
        .exclude(scorecard__assessor=user)
        .exclude(scorecard__cycle__approved_by=user)
        .exclude(scorecard__in=parties)
        .count()
    )


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
    appeals = _appeals_to_decide_count(user)
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
