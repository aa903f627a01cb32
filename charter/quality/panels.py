"""What quality shows on other apps' pages: on the desk home, the reviews waiting for the reader's scores and
the disputes waiting for his decision."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.accounts.tiles import DeskTile
from charter.common.pages import may_open
from charter.quality.selectors import review_work_counts


def desk_review_tiles(user: User) -> list[DeskTile]:
    """Reviews to score (reviewers) and disputes to decide (their handlers), each shown to those who may
    open its queue; one query."""
    shows_queue = may_open(user, "quality:review_queue")
    shows_disputes = may_open(user, "quality:dispute_queue")
    if not (shows_queue or shows_disputes):
        return []
    counts = review_work_counts(user=user)
    tiles = []
    if shows_queue:
        tiles.append(
            DeskTile(
                key="qa-reviews",
                label=_("QA reviews to score"),
                count=counts["to_score"],
                url=reverse("quality:review_queue"),
                hint=_("Sampled replies given to you for review."),
            )
        )
    if shows_disputes:
        tiles.append(
            DeskTile(
                key="qa-disputes",
                label=_("Disputed reviews to decide"),
                count=counts["to_decide"],
                url=reverse("quality:dispute_queue"),
                hint=_("Agents who disagree with a review's scores."),
            )
        )
    return tiles
