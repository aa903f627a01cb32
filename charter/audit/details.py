"""An audit event's details for people: its JSON data as labelled fields with readable values.

Keys that many services record get a translated label (an unknown key is shown with its underscores as
spaces); nested objects are flattened into "Parent › child" fields; lists are joined; true and false read as
yes and no; times recorded in UTC (ISO 8601 text, as DjangoJSONEncoder writes them) are shown in the reader's
time zone; and long text is cut, the whole of it kept for the page to show on demand.
"""

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

SHORT = 120  # characters of a value shown before it is cut
DEPTH = 3  # levels of nesting flattened into fields; deeper objects are shown as one value
PEOPLE_KEYS = frozenset({"agent", "assignee", "handler", "owner", "reviewer", "staff", "user"})  # user ids

KEY_LABELS: dict[str, Promise] = {
    "actions": pgettext_lazy("audit detail", "Actions"),
    "added": pgettext_lazy("audit detail", "Added"),
    "after": pgettext_lazy("audit detail", "After"),
    "agent": pgettext_lazy("audit detail", "Agent"),
    "amount": pgettext_lazy("audit detail", "Amount"),
    "appeal_days": pgettext_lazy("audit detail", "Days to appeal"),
    "appeal_due_at": pgettext_lazy("audit detail", "Appeal due at"),
    "arrived_at": pgettext_lazy("audit detail", "Arrived at"),
    "assignee": pgettext_lazy("audit detail", "Assignee"),
    "attachment": pgettext_lazy("audit detail", "Attachment"),
    "before": pgettext_lazy("audit detail", "Before"),
    "calendar": pgettext_lazy("audit detail", "Calendar"),
    "case": pgettext_lazy("audit detail", "Case"),
    "case_kind": pgettext_lazy("audit detail", "Kind of case"),
    "case_kinds": pgettext_lazy("audit detail", "Kinds of case"),
    "cases": pgettext_lazy("audit detail", "Cases"),
    "category": pgettext_lazy("audit detail", "Category"),
    "changed": pgettext_lazy("audit detail", "Changed"),
    "channel": pgettext_lazy("audit detail", "Channel"),
    "channels": pgettext_lazy("audit detail", "Channels"),
    "clause": pgettext_lazy("audit detail", "Clause"),
    "clauses": pgettext_lazy("audit detail", "Clauses"),
    "clock": pgettext_lazy("audit detail", "Clock"),
    "code": pgettext_lazy("audit detail", "Code"),
    "comment": pgettext_lazy("audit detail", "Comment"),
    "commitment": pgettext_lazy("audit detail", "Commitment"),
    "commitments": pgettext_lazy("audit detail", "Commitments"),
    "compliance": pgettext_lazy("audit detail", "Compliance score"),
    "content_type": pgettext_lazy("audit detail", "File type"),
    "copied_from": pgettext_lazy("audit detail", "Copied from"),
    "count": pgettext_lazy("audit detail", "Count"),
    "created": pgettext_lazy("audit detail", "Created"),
    "credited_seconds": pgettext_lazy("audit detail", "Time credited (seconds)"),
    "criteria": pgettext_lazy("audit detail", "Criteria"),
    "customer_groups": pgettext_lazy("audit detail", "Customer groups"),
    "date": pgettext_lazy("audit detail", "Date"),
    "decision": pgettext_lazy("audit detail", "Decision"),
    "description": pgettext_lazy("audit detail", "Description"),
    "description_en": pgettext_lazy("audit detail", "Description (English)"),
    "description_zh": pgettext_lazy("audit detail", "Description (Chinese)"),
    "display_name": pgettext_lazy("audit detail", "Display name"),
    "document": pgettext_lazy("audit detail", "Document"),
    "draft": pgettext_lazy("audit detail", "Draft"),
    "due_at": pgettext_lazy("audit detail", "Due at"),
    "due_on": pgettext_lazy("audit detail", "Due on"),
    "effective_at": pgettext_lazy("audit detail", "Effective from"),
    "email": pgettext_lazy("audit detail", "E-mail"),
    "end": pgettext_lazy("audit detail", "End"),
    "evidence": pgettext_lazy("audit detail", "Evidence"),
    "expires_at": pgettext_lazy("audit detail", "Expires at"),
    "fee": pgettext_lazy("audit detail", "Fee"),
    "fees": pgettext_lazy("audit detail", "Fees"),
    "field": pgettext_lazy("audit detail", "Field"),
    "fields": pgettext_lazy("audit detail", "Fields"),
    "files": pgettext_lazy("audit detail", "Files"),
    "fine_amount": pgettext_lazy("audit detail", "Fine"),
    "first_name": pgettext_lazy("audit detail", "First name"),
    "from": pgettext_lazy("audit detail", "From"),
    "general_floor": pgettext_lazy("audit detail", "Threshold: general"),
    "ground": pgettext_lazy("audit detail", "Ground"),
    "handler": pgettext_lazy("audit detail", "Handler"),
    "harm_floor": pgettext_lazy("audit detail", "Threshold: harm"),
    "intervals": pgettext_lazy("audit detail", "Working hours"),
    "into": pgettext_lazy("audit detail", "Merged into"),
    "invitation": pgettext_lazy("audit detail", "Invitation"),
    "is_24x7": pgettext_lazy("audit detail", "Around the clock"),
    "is_active": pgettext_lazy("audit detail", "Active"),
    "is_auto_fail": pgettext_lazy("audit detail", "Fails the review"),
    "is_compliance": pgettext_lazy("audit detail", "Compliance item"),
    "is_default": pgettext_lazy("audit detail", "Default"),
    "is_disciplinary": pgettext_lazy("audit detail", "Disciplinary"),
    "is_enabled": pgettext_lazy("audit detail", "Enabled"),
    "is_free": pgettext_lazy("audit detail", "Free of charge"),
    "is_lead": pgettext_lazy("audit detail", "Team lead"),
    "is_staff": pgettext_lazy("audit detail", "Admin site access"),
    "is_superuser": pgettext_lazy("audit detail", "Superuser"),
    "item": pgettext_lazy("audit detail", "Item"),
    "kind": pgettext_lazy("audit detail", "Kind"),
    "label_en": pgettext_lazy("audit detail", "Label (English)"),
    "label_zh": pgettext_lazy("audit detail", "Label (Chinese)"),
    "language": pgettext_lazy("audit detail", "Language"),
    "last_name": pgettext_lazy("audit detail", "Last name"),
    "leads": pgettext_lazy("audit detail", "Leads"),
    "members": pgettext_lazy("audit detail", "Members"),
    "message": pgettext_lazy("audit detail", "Message"),
    "met": pgettext_lazy("audit detail", "Met"),
    "metric": pgettext_lazy("audit detail", "Measure"),
    "minimum_sample": pgettext_lazy("audit detail", "Minimum sample"),
    "mode": pgettext_lazy("audit detail", "Mode"),
    "name": pgettext_lazy("audit detail", "Name"),
    "name_en": pgettext_lazy("audit detail", "Name (English)"),
    "name_zh": pgettext_lazy("audit detail", "Name (Chinese)"),
    "new_score": pgettext_lazy("audit detail", "New score"),
    "note": pgettext_lazy("audit detail", "Note"),
    "notified": pgettext_lazy("audit detail", "Notified"),
    "notify_assignee": pgettext_lazy("audit detail", "Notify the assignee"),
    "notify_supervisor": pgettext_lazy("audit detail", "Notify the supervisor"),
    "number": pgettext_lazy("audit detail", "Number"),
    "order": pgettext_lazy("audit detail", "Order"),
    "org_unit": pgettext_lazy("audit detail", "Organisational unit"),
    "organisation": pgettext_lazy("audit detail", "Organisation"),
    "other": pgettext_lazy("audit detail", "Other case"),
    "outcome": pgettext_lazy("audit detail", "Outcome"),
    "overall": pgettext_lazy("audit detail", "Overall score"),
    "owner": pgettext_lazy("audit detail", "Owner"),
    "parent": pgettext_lazy("audit detail", "Parent"),
    "per_agent_per_month": pgettext_lazy("audit detail", "Per agent per month"),
    "permissions": pgettext_lazy("audit detail", "Permissions"),
    "phrase": pgettext_lazy("audit detail", "Phrase"),
    "previous": pgettext_lazy("audit detail", "Previous"),
    "previous_number": pgettext_lazy("audit detail", "Previous number"),
    "priorities": pgettext_lazy("audit detail", "Priorities"),
    "priority": pgettext_lazy("audit detail", "Priority"),
    "promises": pgettext_lazy("audit detail", "Promises"),
    "proposed_step": pgettext_lazy("audit detail", "Proposed step"),
    "question": pgettext_lazy("audit detail", "Question"),
    "raise_priority": pgettext_lazy("audit detail", "Raise the priority"),
    "reason": pgettext_lazy("audit detail", "Reason"),
    "reasons": pgettext_lazy("audit detail", "Reasons"),
    "reassign_to_team_lead": pgettext_lazy("audit detail", "Reassign to the team lead"),
    "received_at": pgettext_lazy("audit detail", "Received at"),
    "reconsideration": pgettext_lazy("audit detail", "Reconsideration"),
    "recovery": pgettext_lazy("audit detail", "Follow-up"),
    "remedy_amount": pgettext_lazy("audit detail", "Remedy amount"),
    "remedy_sought": pgettext_lazy("audit detail", "Remedy sought"),
    "removed": pgettext_lazy("audit detail", "Removed"),
    "requires_second_approver": pgettext_lazy("audit detail", "Needs a second approver"),
    "response_days": pgettext_lazy("audit detail", "Days to respond"),
    "response_due_at": pgettext_lazy("audit detail", "Response due at"),
    "reviewer": pgettext_lazy("audit detail", "Reviewer"),
    "reviewers": pgettext_lazy("audit detail", "Reviewers"),
    "roles": pgettext_lazy("audit detail", "Roles"),
    "root_cause": pgettext_lazy("audit detail", "Root cause"),
    "scale": pgettext_lazy("audit detail", "Scale"),
    "scorecard": pgettext_lazy("audit detail", "Scorecard"),
    "scores": pgettext_lazy("audit detail", "Scores"),
    "section": pgettext_lazy("audit detail", "Section"),
    "sender": pgettext_lazy("audit detail", "Sender"),
    "serious_floor": pgettext_lazy("audit detail", "Threshold: serious"),
    "service": pgettext_lazy("audit detail", "Service"),
    "services": pgettext_lazy("audit detail", "Services"),
    "severity": pgettext_lazy("audit detail", "Severity"),
    "share_percent": pgettext_lazy("audit detail", "Share (%)"),
    "show_cases_handled": pgettext_lazy("audit detail", "Show cases handled"),
    "show_commitments": pgettext_lazy("audit detail", "Show promises kept"),
    "show_satisfaction": pgettext_lazy("audit detail", "Show satisfaction"),
    "size": pgettext_lazy("audit detail", "Size"),
    "slug": pgettext_lazy("audit detail", "Slug"),
    "source": pgettext_lazy("audit detail", "Source"),
    "source_kind": pgettext_lazy("audit detail", "Found through"),
    "staff": pgettext_lazy("audit detail", "Staff member"),
    "start": pgettext_lazy("audit detail", "Start"),
    "status": pgettext_lazy("audit detail", "Status"),
    "step": pgettext_lazy("audit detail", "Step"),
    "subject": pgettext_lazy("audit detail", "Subject"),
    "summary_en": pgettext_lazy("audit detail", "Summary (English)"),
    "summary_zh": pgettext_lazy("audit detail", "Summary (Chinese)"),
    "superseded": pgettext_lazy("audit detail", "Superseded"),
    "supersedes": pgettext_lazy("audit detail", "Supersedes"),
    "tags": pgettext_lazy("audit detail", "Tags"),
    "target_amount": pgettext_lazy("audit detail", "Time limit"),
    "target_unit": pgettext_lazy("audit detail", "Unit of the time limit"),
    "targets": pgettext_lazy("audit detail", "Time limits"),
    "team": pgettext_lazy("audit detail", "Team"),
    "time_basis": pgettext_lazy("audit detail", "Counted in"),
    "time_zone": pgettext_lazy("audit detail", "Time zone"),
    "title": pgettext_lazy("audit detail", "Title"),
    "to": pgettext_lazy("audit detail", "To"),
    "total": pgettext_lazy("audit detail", "Total"),
    "transfer": pgettext_lazy("audit detail", "Transfer"),
    "unchanged": pgettext_lazy("audit detail", "Unchanged"),
    "unit": pgettext_lazy("audit detail", "Unit"),
    "unit_zh": pgettext_lazy("audit detail", "Unit (Chinese)"),
    "updated": pgettext_lazy("audit detail", "Updated"),
    "usable": pgettext_lazy("audit detail", "Password usable"),
    "user": pgettext_lazy("audit detail", "User"),
    "username": pgettext_lazy("audit detail", "Username"),
    "verdict": pgettext_lazy("audit detail", "Verdict"),
    "version": pgettext_lazy("audit detail", "Version"),
    "violation": pgettext_lazy("audit detail", "Violation"),
    "warn_at_share": pgettext_lazy("audit detail", "Warn at (share of the time)"),
    "warnings": pgettext_lazy("audit detail", "Warnings"),
    "weekday": pgettext_lazy("audit detail", "Weekday"),
    "weekdays": pgettext_lazy("audit detail", "Weekdays"),
    "weight": pgettext_lazy("audit detail", "Weight"),
    "window_days": pgettext_lazy("audit detail", "Window (days)"),
    "wording_en": pgettext_lazy("audit detail", "Wording (English)"),
    "wording_zh": pgettext_lazy("audit detail", "Wording (Chinese)"),
    "year": pgettext_lazy("audit detail", "Year"),
}

_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@dataclass(frozen=True)
class Detail:
    """One labelled field: `value` as shown, and `full` the whole text when `value` was cut (else "")."""

    key: str
    label: str
    value: str
    full: str = ""

    @property
    def is_cut(self) -> bool:
        return bool(self.full)


def key_label(key: str) -> str:
    """Return the name of a details key in the active language; an unknown key with spaces for underscores."""
    label = KEY_LABELS.get(key)
    return str(label) if label is not None else key.replace("_", " ")


def _text(value: str) -> str:
    if _TIMESTAMP.match(value):
        moment = parse_datetime(value)
        if moment is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, dt.UTC)
            return formats.date_format(timezone.localtime(moment), "Y-m-d H:i")
    return value


def value_text(value: Any) -> str:
    """Return a details value as text: none as a dash, booleans as yes or no, times in the reader's zone,
    lists joined, objects as "key: value" pairs."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, list):
        if not value:
            return "—"
        separator = pgettext("audit list", "; ") if any(isinstance(item, dict) for item in value) else None
        return (separator or pgettext("audit list", ", ")).join(value_text(item) for item in value)
    if isinstance(value, dict):
        if not value:
            return "—"
        return pgettext("audit list", ", ").join(
            pgettext("audit field", "%(label)s: %(value)s")
            % {"label": key_label(str(key)), "value": value_text(item)}
            for key, item in value.items()
        )
    return str(value)


def _is_person(path: tuple[str, ...], value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and any(key in PEOPLE_KEYS for key in path)


def person_ids(data: Any, path: tuple[str, ...] = ()) -> set[int]:
    """Return the user ids recorded under the people keys of `data` (e.g. assignee, or assignee › to)."""
    found: set[int] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            found |= person_ids(value, (*path, str(key)))
    elif _is_person(path, data):
        found.add(data)
    return found


def _choices(model: type[models.Model] | None, path: tuple[str, ...]) -> dict[str, str]:
    """The names of the coded values a field of `model` takes, for the field the key path points at: the key
    itself (channel), its parent (priority › from) or, for a bare from / to, the status."""
    if model is None:
        return {}
    names = [path[-1], *path[-2:-1]] + (["status"] if path[-1] in ("from", "to") else [])
    for name in names:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        choices = getattr(field, "flatchoices", None)
        if choices:
            return {str(code): str(label) for code, label in choices}
    return {}


def _fields(
    data: dict[str, Any],
    path: tuple[str, ...],
    labels: tuple[str, ...],
    people: Mapping[int, str],
    model: type[models.Model] | None,
) -> Iterator[Detail]:
    for key, value in data.items():
        here, names = (*path, str(key)), (*labels, key_label(str(key)))
        if isinstance(value, dict) and value and len(here) < DEPTH:
            yield from _fields(value, here, names, people, model)
            continue
        if _is_person(here, value):
            text = people.get(value, value_text(value))
        elif isinstance(value, str) and (named := _choices(model, here).get(value)):
            text = named
        else:
            text = value_text(value)
        cut = text if len(text) <= SHORT else text[: SHORT - 1].rstrip() + "…"
        yield Detail(".".join(here), " › ".join(names), cut, text if cut != text else "")


def event_details(
    data: Any, *, people: Mapping[int, str] | None = None, model: type[models.Model] | None = None
) -> list[Detail]:
    """Return an event's `data` as labelled fields, in the order it was recorded; nested objects flattened.

    `people` names the user ids found by `person_ids` (e.g. {5: "li.agent"}); an id it lacks stays a number.
    `model`, the event's object type, names coded values (a status, a channel) by its fields' choices.
    """
    if not isinstance(data, dict):
        return [] if data in (None, "", [], {}) else [Detail("", _("Details"), value_text(data))]
    return list(_fields(data, (), (), people or {}, model))
