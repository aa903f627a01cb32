"""Intake and details of a case: receiving it, changing its details, its tracking link.

Each service checks who is acting, validates, and writes in one transaction together with its timeline event
and its audit record (`cases.<verb>`); notifications are scheduled for after the commit.
"""

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Customer, Team, User
from charter.accounts.services import PreparedCustomer
from charter.audit.services import audit_batch
from charter.cases.clocks import targets_for
from charter.cases.conf import cases_setting
from charter.cases.errors import ErrorCode
from charter.cases.models import Case, CaseCategory, CaseChannel, CaseClock, CaseEvent
from charter.cases.notifications import (
    Audience,
    CaseNotification,
    notify_many_prepare,
    notify_on_commit,
    notify_prepared_on_commit,
)
from charter.cases.permissions import (
    can_create_case,
    can_edit_case,
    can_raise_case,
    can_rotate_tracking_link,
    is_case_staff,
)
from charter.cases.services import clocks
from charter.cases.services._common import (
    Actor,
    _reindex,
    audit,
    case_lock,
    event_build,
    event_record,
    now,
    number_next,
    staff_actor,
    text_clean,
    token_hash,
    token_new,
)
from charter.cases.services.attachments import attachment_store
from charter.cases.services.lifecycle import Metric, S, _choice, _move_prepare
from charter.cases.services.routing import (
    ROUTING_CONFIG,
    can_be_routed,
    eligible_handler_ids,
    handler_turn,
    team_route,
)
from charter.catalog.models import Service
from charter.common.errors import DomainError
from charter.common.inserts import PreparedInsert
from charter.common.policy import Refusal, require
from charter.common.stamps import stamps_pinned
from charter.common.unset import UNSET, Unset, given
from charter.common.vocabulary import CaseKind, Priority
from charter.privacy.consent import (
    CONSENT_PURPOSES,
    ConsentAnswers,
    PreparedConsent,
    consent_answers_prepare,
    consent_answers_prepared_save,
)
from charter.privacy.models import ConsentPurpose
from charter.sla.selectors import SLA_CONFIG


def _named_staff_clean(named_staff: Iterable[User]) -> list[User]:
    people = list(dict.fromkeys(named_staff))
    for person in people:
        if not isinstance(person, User) or not person.is_staff_member:
            raise DomainError(
                _("Only members of staff can be named."),
                code=ErrorCode.INVALID_NAMED_STAFF,
                field="named_staff",
            )
    return people


def _tags_clean(tags: object) -> list[str]:
    if not isinstance(tags, list | tuple):
        raise DomainError(_("Give the tags as a list."), code=ErrorCode.INVALID_FIELD, field="tags")
    cleaned: list[str] = []
    for tag in tags:
        text = text_clean(tag, field="tags", max_length=50, multiline=False)
        if text and text not in cleaned:
            cleaned.append(text)
    if len(cleaned) > 20:
        raise DomainError(_("At most 20 tags."), code=ErrorCode.TOO_LONG, field="tags")
    return cleaned


def _received_clean(
    received_at: dt.datetime | None, *, actor: User | None, now_at: dt.datetime
) -> dt.datetime:
    if received_at is None:
        return now_at
    if actor is None or not is_case_staff(actor):
        raise DomainError(
            _("Only staff record when a case was received."),
            code=ErrorCode.INVALID_FIELD,
            field="received_at",
        )
    if received_at.tzinfo is None:
        raise DomainError(
            _("Give the time with its time zone."), code=ErrorCode.INVALID_FIELD, field="received_at"
        )
    earliest = now_at - dt.timedelta(days=int(cases_setting("CHARTER_CASES_BACKDATE_DAYS")))
    if not earliest <= received_at <= now_at:
        raise DomainError(
            _("The time received must be in the past, at most %(days)d days ago.")
            % {"days": int(cases_setting("CHARTER_CASES_BACKDATE_DAYS"))},
            code=ErrorCode.INVALID_FIELD,
            field="received_at",
        )
    return received_at


def _staff_assessment_refuse(
    *,
    priority: str,
    named_staff: Sequence[User],
    tags: Sequence[str],
    category: CaseCategory | None,
    received_at: dt.datetime | None,
) -> None:
    """Refuse (`invalid_field`, naming the first) what a customer recording his own case may not set.

    Priority, the staff named, tags, category and a past receipt time are staff's assessment of a case, not
    the customer's: a customer cannot jump the queue or keep chosen staff away from his case. (The public web
    form offers none of them; None is the system, e.g. the intake of another channel.)
    """
    staff_fields = {
        "priority": priority != Priority.NORMAL,
        "named_staff": bool(named_staff),
        "tags": bool(tags),
        "category": category is not None,
        "received_at": received_at is not None,
    }
    for field, is_set in staff_fields.items():
        if is_set:
            raise DomainError(
                _("Only staff can set this when recording a case."), code=ErrorCode.INVALID_FIELD, field=field
            )


def _intake_notifications_prepare(
    case: Case, *, token: str, created: CaseEvent
) -> PreparedInsert[Any] | None:
    """Build the notifications of a case being created, for after the commit: the acknowledgement to the
    customer (with the tracking link, `token` in clear) and, when it is routed to a team, the assignment to
    its handler or team. Who handles it is known only once the case is saved (`handler_turn`): the
    assignment's audience and recipient are filled in then, and it names the creation event (staff who
    record a case routed to themselves are not told of it)."""
    notifications = [
        CaseNotification(
            kind=CaseEvent.Kind.ACKNOWLEDGED,
            case_id=0,
            audience=Audience.CUSTOMER,
            tracking_token=token,
        )
    ]
    if case.team_id is not None:
        notifications.append(
            CaseNotification(
                kind=CaseEvent.Kind.ASSIGNED, case_id=0, audience=Audience.TEAM, is_internal=True
            )
        )

    def assignment(job: Any, value: object) -> object:
        return value if job.kind == CaseEvent.Kind.ASSIGNED else None

    # One insert and, after the commit, one task for both.
    return notify_many_prepare(
        notifications,
        case=case,
        late={
            "event_id": lambda job: assignment(job, created.pk),
            "recipient_id": lambda job: assignment(job, case.assignee_id),
            "audience": lambda job: (
                (Audience.HANDLER if case.assignee_id else Audience.TEAM)
                if job.kind == CaseEvent.Kind.ASSIGNED
                else job.audience
            ),
        },
    )


@dataclasses.dataclass
class PreparedCase:
    """A case checked and built by `case_prepare`, its rows compiled, to be saved by `case_prepared_save`.

    Only what must happen in the transaction is left for it: the handler's turn, the number, the statements,
    the audit events and the search row.
    """

    case: Case
    actor: Actor
    token: str
    at: dt.datetime
    candidates: list[int]
    people: list[User]
    events: list[CaseEvent]
    attachments: Sequence[File[bytes]]
    case_insert: PreparedInsert[Case]
    events_insert: PreparedInsert[CaseEvent]
    clocks_insert: PreparedInsert[CaseClock] | None
    consent: PreparedConsent | None
    notifications: PreparedInsert[Any] | None


def case_create(
    *,
    actor: Actor,
    kind: str,
    channel: str,
    customer: Customer,
    title: str,
    description: str,
    service: Service | None = None,
    category: CaseCategory | None = None,
    priority: str = Priority.NORMAL,
    remedy_sought: str = "",
    named_staff: Iterable[User] = (),
    consent_version: str = "",
    consent: ConsentAnswers | None = None,
    attachments: Sequence[File[bytes]] = (),
    tags: Sequence[str] = (),
    received_at: dt.datetime | None = None,
    team: Team | None = None,
) -> Case:
    """Receive a case and acknowledge it at once: number it, route it, assign it, start its clocks.

    `actor` is staff recording a case from any channel (cases.add_case), a signed-in customer for himself
    (web only), or None for the public web intake (the caller found or recorded `customer`). A complaint is
    never assigned to a person it names. `received_at` lets staff log a phone call or a visit after the fact
    (at most CHARTER_CASES_BACKDATE_DAYS ago): the clocks run from it. `team` overrides the routing by
    service (a mailbox's own team). Returns the case with
    `tracking_token` set (the only time the token exists in clear; it is also handed to the acknowledgement
    notification). Audited as `cases.create`. `consent` (the customer's answers per purpose on the notice
    in force) is recorded as evidence with the case as its source (privacy.consent_answers_record, in the
    same transaction); it also fills `consent_version`/`consent_at`, kept for older readers.

    It is `case_prepare` (every check, and every row built, before the transaction) and then
    `case_prepared_save` in a transaction of its own, or of the caller's.
    """
    prepared = case_prepare(
        actor=actor,
        kind=kind,
        channel=channel,
        customer=customer,
        title=title,
        description=description,
        service=service,
        category=category,
        priority=priority,
        remedy_sought=remedy_sought,
        named_staff=named_staff,
        consent_version=consent_version,
        consent=consent,
        attachments=attachments,
        tags=tags,
        received_at=received_at,
        team=team,
    )
    with transaction.atomic(), audit_batch():
        return case_prepared_save(prepared)


def case_prepare(
    *,
    actor: Actor,
    kind: str,
    channel: str,
    customer: Customer | PreparedCustomer,
    title: str,
    description: str,
    service: Service | None = None,
    category: CaseCategory | None = None,
    priority: str = Priority.NORMAL,
    remedy_sought: str = "",
    named_staff: Iterable[User] = (),
    consent_version: str = "",
    consent: ConsentAnswers | None = None,
    attachments: Sequence[File[bytes]] = (),
    tags: Sequence[str] = (),
    received_at: dt.datetime | None = None,
    team: Team | None = None,
) -> PreparedCase:
    """Check a case as `case_create` takes it and build it, its timeline, its clocks, its consent and its
    notifications, with their INSERTs compiled; nothing is written. Raises what `case_create` raises.

    The transaction that saves it (`case_prepared_save`) then holds its locks (on SQLite the database's)
    for the statements only. `customer` may be a PreparedCustomer, saved in that transaction first.
    """
    user = staff_actor(actor)
    # A customer being recorded in the same transaction is checked as the one he will be.
    new_customer = customer.customer if isinstance(customer, PreparedCustomer) else None
    if new_customer is not None:
        customer = new_customer
    if user is not None and is_case_staff(user):
        require(can_create_case(user))
    elif user is not None:
        require(can_raise_case(user, customer if isinstance(customer, Customer) else None))
        if channel != CaseChannel.WEB:
            raise DomainError(_("Choose the channel."), code=ErrorCode.INVALID_CHANNEL, field="channel")
    elif channel not in (CaseChannel.WEB, CaseChannel.EMAIL):
        # Without a signed-in actor a case comes from the public web form or from a mailbox.
        raise DomainError(_("Choose the channel."), code=ErrorCode.INVALID_CHANNEL, field="channel")
    named_staff = list(named_staff)
    if user is not None and not is_case_staff(user):
        _staff_assessment_refuse(
            priority=priority, named_staff=named_staff, tags=tags, category=category, received_at=received_at
        )
    if not isinstance(customer, Customer) or (customer.pk is None and customer is not new_customer):
        raise DomainError(_("Say who raises the case."), code=ErrorCode.CUSTOMER_REQUIRED, field="customer")
    _choice(kind, CaseKind.values, ErrorCode.INVALID_KIND, "kind", _("Choose the kind of case."))
    _choice(channel, CaseChannel.values, ErrorCode.INVALID_CHANNEL, "channel", _("Choose the channel."))
    _choice(priority, Priority.values, ErrorCode.INVALID_PRIORITY, "priority", _("Choose the priority."))
    title = text_clean(
        title,
        field="title",
        required=True,
        max_length=cases_setting("CHARTER_CASES_TITLE_MAX_LENGTH"),
        multiline=False,
    )
    description = text_clean(description, field="description", required=True)
    remedy_sought = text_clean(remedy_sought, field="remedy_sought")
    consent_version = text_clean(consent_version, field="consent_version", max_length=50, multiline=False)
    if consent is not None and consent.purposes.get(ConsentPurpose.CASE_HANDLING):
        consent_version = consent.version
    _service_clean(service)
    _category_clean(category)
    people = _named_staff_clean(named_staff)
    tag_list = _tags_clean(list(tags))

    at = now()
    received = _received_clean(received_at, actor=user, now_at=at)
    token = token_new()
    # The routing, the SLA configuration and the consent purposes are read once for the intake (their change
    # stamps in one query), before anything is locked.
    with stamps_pinned(ROUTING_CONFIG, SLA_CONFIG, CONSENT_PURPOSES):
        case = Case(
            kind=kind,
            channel=channel,
            status=S.NEW,
            priority=priority,
            title=title,
            description=description,
            customer=customer,
            service=service,
            category=category,
            remedy_sought=remedy_sought,
            tags=tag_list,
            tracking_token_hash=token_hash(token),
            tracking_token_rotated_at=at,
            consent_version=consent_version,
            consent_at=at if consent_version else None,
            received_at=received,
        )
        case.tracking_token = token
        team = team if team is not None and team.is_active else team_route(service=service)
        case.team = team
        targets = targets_for(case, at=received)
        new_clocks, clock_events = clocks.clocks_plan_new(
            case,
            (Metric.FIRST_RESPONSE, Metric.RESOLUTION, Metric.ON_SITE_ARRIVAL),
            at=received,
            targets=targets,
        )
        candidates = (
            eligible_handler_ids(
                team=team,
                excluded={p.pk for p in people} if kind == CaseKind.COMPLAINT else set(),
                service=service,
                kind=kind,
            )
            if team
            else []
        )
        # The number and the handler are known only in the transaction: the events naming them are filled
        # in there (`case_prepared_save`).
        events = [
            event_build(
                case,
                CaseEvent.Kind.CREATED,
                actor=actor,
                data={"number": None, "kind": kind, "channel": channel},
                is_internal=False,
                at=received,
            )
        ]
        if team is not None:
            events.append(
                event_build(
                    case,
                    CaseEvent.Kind.ASSIGNED,
                    data={"team": team.pk, "assignee": None, "routed": True},
                    at=at,
                )
            )
        events.append(_move_prepare(actor=actor, case=case, to_status=S.ACKNOWLEDGED, at=at))
        return PreparedCase(
            case=case,
            actor=actor,
            token=token,
            at=at,
            candidates=list(candidates),
            people=people,
            events=events,
            attachments=attachments,
            case_insert=PreparedInsert(
                [case], late={"number": lambda row: row.number, "assignee_id": lambda row: row.assignee_id}
            ),
            events_insert=PreparedInsert([*events, *clock_events], late={"data": lambda row: row.data}),
            clocks_insert=PreparedInsert(new_clocks) if new_clocks else None,
            consent=(
                consent_answers_prepare(
                    customer=customer, answers=consent, source=lambda: f"cases.case:{case.pk}"
                )
                if consent is not None
                else None
            ),
            notifications=_intake_notifications_prepare(case, token=token, created=events[0]),
        )


def case_prepared_save(prepared: PreparedCase) -> Case:
    """Save the case `case_prepare` built, in the caller's transaction (inside `audit_batch`): take the
    team's turn for its handler, number it, insert its rows, and record its audit events, consent and search
    row; its notifications go after the commit. Returns the case, `tracking_token` set.

    The rows that serialise intakes (the team's routing row, the year's number counter, the audit chain
    head) are locked in that order, each held for a few statements until the commit.
    """
    case, actor = prepared.case, prepared.actor
    team = case.team
    case.assignee_id = handler_turn(team=team, candidates=prepared.candidates) if team is not None else None
    case.number = number_next(prepared.at)
    created = prepared.events[0]
    created.data["number"] = case.number
    for event in prepared.events[1:]:
        if event.kind == CaseEvent.Kind.ASSIGNED:
            event.data["assignee"] = case.assignee_id
        elif event.kind == CaseEvent.Kind.ACKNOWLEDGED:
            event.data["number"] = case.number
    prepared.case_insert.run()
    if prepared.people:
        case.named_staff.set(prepared.people)
    prepared.events_insert.run()
    if prepared.clocks_insert is not None:
        prepared.clocks_insert.run()
    for file in prepared.attachments:
        attachment_store(actor=actor, case=case, file=file)
    audit(
        actor,
        "create",
        case,
        {
            "kind": case.kind,
            "channel": case.channel,
            "team": team.pk if team else None,
            "assignee": case.assignee_id,
        },
    )
    if prepared.consent is not None:
        consent_answers_prepared_save(prepared.consent)
    _reindex(case, has_messages=False)
    notify_prepared_on_commit(prepared.notifications)
    # Every column was set here (the rows were inserted as built), so the case needs no re-reading.
    return case


def _service_clean(service: object) -> Service | None:
    """Return `service` if it is None or an offered service; else refuse it (`case_invalid_service`)."""
    if service is None or (isinstance(service, Service) and service.is_active):
        return service
    raise DomainError(_("Choose an offered service."), code=ErrorCode.INVALID_SERVICE, field="service")


def _category_clean(category: object) -> CaseCategory | None:
    """Return `category` if it is None or an active category; else refuse it (`case_invalid_category`)."""
    if category is None or (isinstance(category, CaseCategory) and category.is_active):
        return category
    raise DomainError(_("Choose an active category."), code=ErrorCode.INVALID_CATEGORY, field="category")


# How `case_update` cleans each detail it may change, in the order it checks them.
_DETAIL_CLEANERS: dict[str, Callable[[Any], object]] = {
    "title": lambda value: text_clean(
        value,
        field="title",
        required=True,
        max_length=cases_setting("CHARTER_CASES_TITLE_MAX_LENGTH"),
        multiline=False,
    ),
    "description": lambda value: text_clean(value, field="description", required=True),
    "priority": lambda value: _choice(
        value, Priority.values, ErrorCode.INVALID_PRIORITY, "priority", _("Choose the priority.")
    ),
    "kind": lambda value: _choice(
        value, CaseKind.values, ErrorCode.INVALID_KIND, "kind", _("Choose the kind of case.")
    ),
    "channel": lambda value: _choice(
        value, CaseChannel.values, ErrorCode.INVALID_CHANNEL, "channel", _("Choose the channel.")
    ),
    "service": _service_clean,
    "category": _category_clean,
    "remedy_sought": lambda value: text_clean(value, field="remedy_sought"),
    "tags": _tags_clean,
    "named_staff": _named_staff_clean,
}


_RECOMPUTE_ON = frozenset({"priority", "kind", "channel", "service"})


def _named_staff_apply(case: Case, values: dict[str, Any]) -> dict[str, object]:
    """Name in the locked `case` the staff in `values`, if given and different; return the change, if any.

    Refuses (NAMED_STAFF_EXCLUDED) to name the handler of a complaint, and to make a complaint of a case
    that names its handler: a complaint is never handled by a person it names.
    """
    kind = values.get("kind", case.kind)
    if "named_staff" not in values:
        if (
            kind == CaseKind.COMPLAINT
            and case.kind != CaseKind.COMPLAINT
            and case.assignee_id
            and case.named_staff.filter(pk=case.assignee_id).exists()
        ):
            raise DomainError(
                _("The handler is named in this complaint; assign it to someone else first."),
                code=ErrorCode.NAMED_STAFF_EXCLUDED,
                field="kind",
            )
        return {}
    named_ids = {person.pk for person in values["named_staff"]}
    if kind == CaseKind.COMPLAINT and case.assignee_id in named_ids:
        raise DomainError(
            _("The handler is named in this complaint; assign it to someone else first."),
            code=ErrorCode.NAMED_STAFF_EXCLUDED,
            field="named_staff",
        )
    if set(case.named_staff.values_list("pk", flat=True)) == named_ids:
        return {}
    case.named_staff.set(values["named_staff"])
    return {"named_staff": sorted(named_ids)}


def _details_set(case: Case, values: dict[str, Any]) -> dict[str, object]:
    """Set on `case` (unsaved) the details in `values` other than the staff named that differ from its own;
    return them, a row by its id."""
    changed: dict[str, object] = {}
    for name, value in values.items():
        if name != "named_staff" and getattr(case, name) != value:
            setattr(case, name, value)
            changed[name] = value.pk if hasattr(value, "pk") else value
    return changed


def _update_record(actor: User, case: Case, changed: dict[str, object]) -> None:
    """Record the saved changes of `case_update`: its timeline events, the recomputed clocks, the audit
    record and the search index."""
    at = now()
    if "priority" in changed:
        event_record(
            case, CaseEvent.Kind.PRIORITY_CHANGED, actor=actor, data={"to": changed["priority"]}, at=at
        )
    others = sorted(set(changed) - {"priority"})
    if others:
        event_record(case, CaseEvent.Kind.UPDATED, actor=actor, data={"fields": others}, at=at)
    if changed.keys() & _RECOMPUTE_ON:
        clocks.clocks_recompute(case, at=at)
    audit(actor, "update", case, {"fields": sorted(changed)})
    _reindex(case)


def case_update(
    *,
    actor: User,
    case: Case,
    expected_version: int | None,
    title: str | Unset = UNSET,
    description: str | Unset = UNSET,
    priority: str | Unset = UNSET,
    kind: str | Unset = UNSET,
    channel: str | Unset = UNSET,
    service: Service | None | Unset = UNSET,
    category: CaseCategory | None | Unset = UNSET,
    remedy_sought: str | Unset = UNSET,
    tags: Sequence[str] | Unset = UNSET,
    named_staff: Iterable[User] | Unset = UNSET,
) -> Case:
    """Change the details given (the others default to UNSET and stay): title, description, priority, kind,
    channel, service, category (None clears them), remedy_sought, tags, named_staff.

    A change of priority, kind, channel or service recomputes the open clocks for the new targets, keeping
    each clock's start and the time already paused; a finished case refuses it (`case_closed`). Naming the
    current handler in a complaint is refused. A change of kind or service that asks a qualification the
    handler lacks puts the case back in its team's queue, recorded as an unassignment saying why. Records
    `priority_changed` / `updated` (internal). Audited as `cases.update`.
    """
    fields = given(
        title=title,
        description=description,
        priority=priority,
        kind=kind,
        channel=channel,
        service=service,
        category=category,
        remedy_sought=remedy_sought,
        tags=tags,
        named_staff=named_staff,
    )
    values = {name: _DETAIL_CLEANERS[name](value) for name, value in fields.items()}
    with transaction.atomic():
        case = case_lock(case, expected_version)
        require(can_edit_case(actor, case))
        if not case.is_open and values.keys() & _RECOMPUTE_ON:
            raise DomainError(
                _("This case is finished; its targets no longer change."), code=ErrorCode.CASE_CLOSED
            )
        changed = _named_staff_apply(case, values)
        changed.update(_details_set(case, values))
        if not changed:
            return case
        unqualified = _handler_unqualified_by(case, changed)
        case.save()
        _update_record(actor, case, changed)
        if unqualified is not None:
            _unassign_unqualified(actor, case, *unqualified)
    return case


def _handler_unqualified_by(case: Case, changed: dict[str, object]) -> tuple[int, Refusal] | None:
    """When a change of kind or service asks a qualification the handler lacks (`can_be_routed`), take him off
    the case (it goes back to its team's queue) and return why; else None. Routing would never have given
    him the case as it now is, so he may not keep it either. Returns (his id, why)."""
    if case.assignee is None or not changed.keys() & {"kind", "service"}:
        return None
    routed = can_be_routed(case.assignee, case)
    if isinstance(routed, Refusal):
        previous = case.assignee.pk
        case.assignee = None
        return previous, routed
    return None


def _unassign_unqualified(actor: User, case: Case, previous: int, refusal: Refusal) -> None:
    """Record the unassignment `_handler_unqualified_by` made, as an assignment records it: the `assigned`
    event (internal) with the reason, the `cases.assign` audit record, and the team told of a case to take."""
    data = {
        "team": {"from": case.team_id, "to": case.team_id},
        "assignee": {"from": previous, "to": None},
        "transfer": False,
        "reason": str(refusal.message),
        "code": refusal.code,
    }
    event = event_record(case, CaseEvent.Kind.ASSIGNED, actor=actor, data=data)
    audit(actor, "assign", case, data)
    notify_on_commit(
        CaseNotification(
            kind=CaseEvent.Kind.ASSIGNED,
            case_id=case.pk,
            audience=Audience.TEAM,
            event_id=event.pk,
            recipient_id=None,
            is_internal=True,
        )
    )


def case_tracking_token_rotate(*, actor: Actor, case: Case) -> str:
    """Issue a new tracking link for `case` and return its token; the old link stops working.

    Staff who may edit the case, the signed-in customer, or (actor None) the holder of the current link,
    whom the calling view verified, or the lost-link task for a requester who named the case's number and
    contact (the new link goes only to the e-mail on record). The new token goes to the customer by
    notification. Audited as `cases.token_rotate`.
    """
    user = staff_actor(actor)
    if user is not None:
        require(can_rotate_tracking_link(user, case))
    token = token_new()
    with transaction.atomic():
        case = case_lock(case, None)
        case.tracking_token_hash = token_hash(token)
        case.tracking_token_rotated_at = now()
        case.save(update_fields=["tracking_token_hash", "tracking_token_rotated_at"])
        event_record(case, CaseEvent.Kind.TOKEN_ROTATED, actor=actor)
        audit(actor, "token_rotate", case)
        notify_on_commit(
            CaseNotification(
                kind=CaseEvent.Kind.TOKEN_ROTATED,
                case_id=case.pk,
                audience=Audience.CUSTOMER,
                tracking_token=token,
            )
        )
    return token


def case_tracking_token_revoke(*, actor: User, case: Case) -> Case:
    """Revoke the tracking link of `case` (staff who may edit it); a new one is issued by rotation.
    Audited as `cases.token_revoke`."""
    require(can_edit_case(actor, case))
    with transaction.atomic():
        case = case_lock(case, None)
        case.tracking_token_hash = None
        case.save(update_fields=["tracking_token_hash"])
        event_record(case, CaseEvent.Kind.TOKEN_ROTATED, actor=actor, data={"revoked": True})
        audit(actor, "token_revoke", case)
    return case
