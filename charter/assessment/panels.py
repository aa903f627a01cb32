"""What assessment shows on the desk home: the reader's own scorecard waiting for him, the scorecards he is
to score and the appeals he is to decide, each linking to the assessment home."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.accounts.tiles import DeskTile
from charter.assessment.views_cycles import assessment_work_for
from charter.common.pages import may_open


def desk_assessment_tiles(user: User) -> list[DeskTile]:
    """The reader's assessment work as desk tiles, each only when something waits (none for someone who may
    not open the assessment home)."""
    if not may_open(user, "assessment:home"):
        return []
    work = assessment_work_for(user=user)
    home = reverse("assessment:home")
    tiles = []
    own = len(work.self_assess) + len(work.acknowledge)
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
    if work.score_count:
        tiles.append(
            DeskTile(
                key="assessment-score",
                label=_("Scorecards to score"),
                count=work.score_count,
                url=home,
                hint=_("The people you supervise, waiting for your rating."),
            )
        )
    if work.appeals:
        tiles.append(
            DeskTile(
                key="assessment-appeals",
                label=_("Assessment appeals to decide"),
                count=len(work.appeals),
                url=reverse("assessment:appeal_list"),
            )
        )
    return tiles
