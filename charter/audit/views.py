"""The administrators' viewer of the audit trail."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from charter.audit.forms import AuditFilterForm
from charter.audit.permissions import can_view_audit_trail
from charter.audit.selectors import audit_chain_verify, audit_event_list
from charter.common.pages import page_rule


@page_rule(can_view_audit_trail)
def audit_event_list_view(request: HttpRequest) -> HttpResponse:
    """List events newest first with filters; `?verify=1` also checks the whole chain."""
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = audit_event_list(
        action=filters.get("action") or "",
        actor_id=filters.get("actor"),
        target_type=filters.get("target_type") or "",
        target_id=filters.get("target_id") or "",
        since=filters.get("since"),
        until=filters.get("until"),
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    report = audit_chain_verify() if request.GET.get("verify") else None
    return render(request, "audit/event_list.html", {"form": form, "page": page, "report": report})
