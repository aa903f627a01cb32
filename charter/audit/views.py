"""The administrators' viewer of the audit trail."""

import json
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.audit.actions import action_label
from charter.audit.details import Detail, event_details, person_ids
from charter.audit.forms import AuditFilterForm
from charter.audit.list_exports import list_export
from charter.audit.models import AuditEvent
from charter.audit.permissions import can_view_audit_trail
from charter.audit.selectors import (
    audit_action_code_list,
    audit_actor_list,
    audit_chain_verify,
    audit_event_list,
    audit_event_page,
    audit_target_type_list,
)
from charter.common.dates import day_end, day_start
from charter.common.list_exports import Column, export_extension, form_filters
from charter.common.pages import page_rule

DETAILS_SHOWN = 6  # fields shown at once; the rest behind "all fields"


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent
    action: str
    target_type: str
    details: list[Detail]

    @property
    def first_details(self) -> list[Detail]:
        return self.details[:DETAILS_SHOWN]

    @property
    def more_details(self) -> list[Detail]:
        return self.details[DETAILS_SHOWN:]


def _cursor(value: str | None) -> int | None:
    """A page cursor from the query string: a sequence number, or None for anything else (isdigit() alone
    admits "²", which int() refuses)."""
    if not value or not (value.isascii() and value.isdecimal()) or len(value) > 18:
        return None
    return int(value)


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label) if label else None
    except (LookupError, ValueError):
        return None


def _rows(events: list[AuditEvent], type_names: dict[str, str]) -> list[EventRow]:
    """The page's events with their names and details; the people named in details looked up at once."""
    ids = set().union(*(person_ids(event.data) for event in events)) if events else set()
    people = {user.pk: str(user) for user in get_user_model()._default_manager.filter(pk__in=ids)}
    return [
        EventRow(
            event=event,
            action=action_label(event.action),
            target_type=type_names.get(event.target_type, event.target_type),
            details=event_details(event.data, people=people, model=_model(event.target_type)),
        )
        for event in events
    ]


def _query(request: HttpRequest, **changes: str | None) -> str:
    """The current query string without the page cursors and `verify`, with `changes` applied."""
    query: QueryDict = request.GET.copy()
    for name in ("before", "after", "verify"):
        query.pop(name, None)
    for name, value in changes.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    return query.urlencode()


def _event_columns(type_names: dict[str, str]) -> list[Column[AuditEvent]]:
    """The columns of the trail's export: what the page shows, the recorded data as JSON."""
    return [
        Column(gettext_lazy("Sequence"), lambda event: event.sequence),
        Column(gettext_lazy("Time"), lambda event: event.occurred_at),
        Column(gettext_lazy("Person"), lambda event: event.actor_label),
        Column(gettext_lazy("IP address"), lambda event: event.ip_address or ""),
        Column(gettext_lazy("Action"), lambda event: str(action_label(event.action))),
        Column(gettext_lazy("Action code"), lambda event: event.action),
        Column(
            gettext_lazy("Object type"), lambda event: type_names.get(event.target_type, event.target_type)
        ),
        Column(gettext_lazy("Object id"), lambda event: event.target_id),
        Column(gettext_lazy("Object"), lambda event: event.target_repr),
        Column(
            gettext_lazy("Details"),
            lambda event: json.dumps(event.data, ensure_ascii=False, sort_keys=True) if event.data else "",
        ),
    ]


@page_rule(can_view_audit_trail)
def audit_event_list_view(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """List events newest first, 50 a page (?before= / ?after= a sequence), filtered by person, object
    type, action and days in the reader's time zone; `?verify=1` also checks the whole chain;
    `?format=csv|xlsx` exports every event the filters select (audited)."""
    target_types = audit_target_type_list()
    form = AuditFilterForm(
        request.GET or None,
        actors=audit_actor_list(),
        target_types=target_types,
        actions=audit_action_code_list(),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    since, until = filters.get("since"), filters.get("until")
    events = audit_event_list(
        action=filters.get("action") or "",
        actor_id=filters.get("actor"),
        target_type=filters.get("target_type") or "",
        target_id=filters.get("target_id") or "",
        since=day_start(since) if since else None,
        until=day_end(until) if until else None,
    )
    extension = export_extension(request)
    if extension:
        return list_export(
            request,
            name="audit.events",
            title=_("Audit trail"),
            rows=events,
            columns=_event_columns(dict(target_types)),
            filters=form_filters(form),
            extension=extension,
        )
    page = audit_event_page(
        events, before=_cursor(request.GET.get("before")), after=_cursor(request.GET.get("after"))
    )
    report = audit_chain_verify() if request.GET.get("verify") else None
    type_names = dict(target_types)
    return render(
        request,
        "audit/event_list.html",
        {
            "form": form,
            "page": page,
            "rows": _rows(page.events, type_names),
            "report": report,
            "newer_query": _query(request, after=str(page.newer)) if page.newer is not None else "",
            "older_query": _query(request, before=str(page.older)) if page.older is not None else "",
            "newest_query": _query(request),
            "filtered_type": type_names.get(filters.get("target_type") or "", ""),
            "filtered_id": filters.get("target_id") or "",
            "all_of_type_query": _query(request, target_id=None),
        },
    )
