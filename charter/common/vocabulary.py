"""The words every layer uses about a case: its kind and its priority.

They are vocabulary, no rule: `sla` chooses policies by them, `mail` routes a mailbox's mail to a kind,
`cases` stores them, `surveys` and the reports filter by them. They live here, below all of those, so that
no lower app has to define what a higher one owns (they were in `sla.models`, where `cases` re-exported
them). The catalogue's commitments keep their own narrower choices (`ServiceCommitment.CaseKind`, with
"any"), which `sla.selectors` maps onto these.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseKind(models.TextChoices):
    """The kinds of case; policies, mailboxes and surveys can be limited to some of them."""

    INQUIRY = "inquiry", _("Inquiry")
    COMPLAINT = "complaint", _("Complaint")
    SERVICE_REQUEST = "service_request", _("Service request")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")


class Priority(models.TextChoices):
    """How urgent a case is; policies can be limited to some priorities, and the queue sorts by them."""

    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")
