"""The header's case lookup: staff open a case by its number from any page."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from charter.cases.permissions import is_case_staff
from charter.cases.selectors import case_get_visible_by_number, case_number_parse
from charter.common.pages import page_rule

SEARCH_MAX = 200  # the queue's search box takes no more


@page_rule(is_case_staff)
@require_GET
def case_lookup(request: HttpRequest) -> HttpResponse:
    """Open the case whose number was typed (`?q=`, in any common spelling) when the user may see it.

    A number he may not see, and one that does not exist, get the same answer: the queue with one "not
    found" message, so nobody learns which numbers exist outside his scope. Text that is not a case number
    searches the queue (all cases he may see).
    """
    text = request.GET.get("q", "").strip()[:SEARCH_MAX]
    queue = reverse("cases:desk_queue")
    if not text:
        return redirect(queue)
    number = case_number_parse(text)
    if number is None:
        return redirect(f"{queue}?{urlencode({'queue': 'all', 'q': text})}")
    case = case_get_visible_by_number(user=request.user, number=number)
    if case is None:
        messages.error(
            request, _("No case %(number)s was found among the cases you may open.") % {"number": number}
        )
        return redirect(queue)
    return redirect("cases:desk_case", case.number)
