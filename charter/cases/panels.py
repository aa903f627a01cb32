"""Panels of cases: the registry other apps fill on the customer's case page (tracking link and portal), e.g.
the survey link; the panel cases adds to the catalogue's public service page; and its tiles on the desk
home."""

from urllib.parse import urlencode

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import User
from charter.accounts.tiles import DeskTile, Tone
from charter.cases.models import Case, CaseStatus
from charter.cases.selectors import case_queue_counts
from charter.catalog.models import Service
from charter.common.pages import may_open
from charter.common.panels import Panels

customer_case_panels: Panels[Case] = Panels()


def service_contact_panel(request: HttpRequest, service: Service) -> str:
    """On the public service page: ask, request or complain about this service, with it chosen already."""
    return render_to_string("cases/_service_contact_panel.html", {"service": service}, request=request)


# On the desk home: each count is the length of the queue it opens (`case_queue_counts`). The appeals are the
# mine queue filtered by status, as the queue's own filter form does it.
CASE_TILES = (
    ("cases-mine", _("My open cases"), {"queue": "mine"}, "mine", Tone.INFO, _("Assigned to you.")),
    (
        "cases-my-teams",
        _("My teams' open cases"),
        {"queue": "my_teams"},
        "my_teams",
        Tone.INFO,
        _("Every open case of your teams and of the teams under you."),
    ),
    (
        "cases-unassigned",
        _("Unassigned cases"),
        {"queue": "unassigned"},
        "unassigned",
        Tone.ACTION,
        _("Open cases nobody handles yet."),
    ),
    (
        "cases-due-today",
        _("Due today"),
        {"queue": "due_today"},
        "due_today",
        Tone.ACTION,
        _("A promised time falls before midnight."),
    ),
    (
        "cases-breached",
        _("Breached"),
        {"queue": "breached"},
        "breached",
        Tone.ALERT,
        _("Open cases that missed a promised time."),
    ),
    (
        "cases-appeals",
        _("Appeals to reconsider"),
        {"queue": "mine", "status": CaseStatus.RECONSIDERATION},
        "appeals",
        Tone.ACTION,
        _("Customers appealed a decision; you decide again."),
    ),
)


def desk_case_tiles(user: User) -> list[DeskTile]:
    """The reader's work queues with their counts (one query), for those who may open the queue."""
    if not may_open(user, "cases:desk_queue"):
        return []
    counts = case_queue_counts(user=user)
    queue = reverse("cases:desk_queue")
    return [
        DeskTile(
            key=key, label=label, count=counts[count], url=f"{queue}?{urlencode(query)}", tone=tone, hint=hint
        )
        for key, label, query, count, tone, hint in CASE_TILES
    ]
