"""Who may do what with cases. Views, the API and services call these same predicates.

Each rule about an action answers a `Decision` (charter/common/policy.py): `ALLOWED`, or a refusal with its
error code and reason. Pages and the API ask it what to show; services raise from the same answer with
`require(...)`, so the desk never offers an action that the service then refuses.

Scope first: staff see the cases of their teams (supervisors: every team under the units they lead,
`accounts.selectors.scope_team_ids`), the cases assigned to them, and nothing else; administrators see all; a
customer sees only his own cases. A case outside the user's scope is refused as hidden: the service answers
404 `not_found`, exactly like a missing case, as the API and the desk do. An agent named in a complaint never
sees, handles or resolves it; an appeal is reconsidered by someone other than the first handler and the one
who resolved it (`can_handle`). Capabilities second: Django permissions on the role groups (migration
0002_roles).
"""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Customer, User
from charter.accounts.selectors import scope_team_ids, team_list_led_by
from charter.cases.errors import ErrorCode
from charter.cases.models import OPEN_STATUSES, Case, CaseStatus
from charter.common.errors import NotFoundError
from charter.common.policy import ALLOWED, Decision, Refusal, first_refusal, holds, refuse

AnyUser = User | AnonymousUser


def _as_user(user: AnyUser) -> User | None:
    return user if isinstance(user, User) and user.is_authenticated and user.is_active else None


def is_case_staff(user: AnyUser) -> bool:
    """True for a member of staff who works cases (holds cases.view_case)."""
    member = _as_user(user)
    return bool(member is not None and member.is_staff_member and holds(member, "cases.view_case"))


def can_see_all_cases(user: AnyUser) -> bool:
    """True for administrators and superusers: every case is in scope."""
    return holds(user, "cases.view_all_cases")


def _out_of_scope() -> Refusal:
    # The shared `not_found` code and the API's words for a missing case: a probe learns nothing.
    return refuse(NotFoundError.default_code, _("No such case."), hidden=True)


def is_named_in(user: AnyUser, case: Case) -> bool:
    """True when `case` is a complaint naming `user`."""
    member = _as_user(user)
    if member is None or not case.is_complaint or case.pk is None:
        return False
    cache = getattr(case, "_prefetched_objects_cache", {})
    if "named_staff" in cache:
        return any(person.pk == member.pk for person in cache["named_staff"])
    return case.named_staff.filter(pk=member.pk).exists()


def is_case_customer(user: AnyUser, case: Case) -> bool:
    """True when `user` is the signed-in customer who raised `case`."""
    member = _as_user(user)
    if member is None:
        return False
    return Customer.objects.filter(pk=case.customer_id, user=member).exists()


def can_view_case(user: AnyUser, case: Case) -> Decision:
    """Decide whether `case` is in the user's scope (see the module docstring).

    Refuses, hidden (404 `not_found`), everyone else: staff of other teams, a person the complaint names
    (unless he sees every case), other customers, the anonymous.
    """
    member = _as_user(user)
    if member is None:
        return _out_of_scope()
    if is_case_staff(member):
        if can_see_all_cases(member):
            return ALLOWED
        in_scope = case.team_id in scope_team_ids(member) or case.assignee_id == member.pk
        return ALLOWED if in_scope and not is_named_in(member, case) else _out_of_scope()
    return ALLOWED if is_case_customer(member, case) else _out_of_scope()


def customer_contact_case(user: AnyUser, customer_id: int, *, looking_at: Case | None = None) -> Case | None:
    """Return the open case of customer `customer_id` that `user` handles, else None: `looking_at` (the case
    on the page) when it is one, else the newest.

    The one rule for a customer's name, phone and e-mail: the handler (assignee) of an open case in his scope
    sees them unmasked while he handles it, on every case page of that customer, the customer record and the
    API, since he must greet and call the customer; each such view is audited (`privacy.view`). Everybody
    else sees them masked, and a holder of privacy.reveal_personal_data may reveal one with a reason.
    """
    member = _as_user(user)
    if member is None or not is_case_staff(member):
        return None
    if (
        looking_at is not None
        and looking_at.customer_id == customer_id
        and looking_at.assignee_id == member.pk
        and looking_at.is_open
        and can_view_case(member, looking_at)
    ):
        return looking_at
    handled = Case.objects.filter(customer_id=customer_id, assignee=member, status__in=OPEN_STATUSES)
    for case in handled.order_by("-created_at", "-pk")[:5]:
        if can_view_case(member, case):
            return case
    return None


def can_see_customer_contact(user: AnyUser, customer_id: int) -> bool:
    """True when `user` sees the customer's contact details unmasked (see `customer_contact_case`)."""
    return customer_contact_case(user, customer_id) is not None


def can_see_internal_notes(user: AnyUser) -> bool:
    """True for staff: internal notes and internal events are never shown to customers."""
    return is_case_staff(user)


def _staff_may(user: AnyUser, case: Case, permission: str, refusal: Refusal) -> Decision:
    """Decide whether `user` is staff holding `permission` with `case` in his scope: out of scope hidden
    (404), else `refusal` unless he holds it."""
    seen = can_view_case(user, case)
    if not seen:
        return seen
    return ALLOWED if is_case_staff(user) and holds(user, permission) else refusal


def _is_shut(case: Case) -> bool:
    """True when `case` takes no more messages or files: cancelled, or merged into another case."""
    return case.status == CaseStatus.CANCELLED or case.merged_into_id is not None


def can_reply(user: AnyUser, case: Case) -> Decision:
    """Decide whether `user` may write a public reply on `case`: staff in scope holding
    cases.add_casemessage (`case_reply_denied`), on a case that is neither cancelled nor merged
    (`case_closed`).

    Customers reply through `case_customer_reply` on their own cases (`can_customer_act`).
    """
    return first_refusal(
        lambda: _staff_may(
            user,
            case,
            "cases.add_casemessage",
            refuse(ErrorCode.REPLY_DENIED, _("You may not reply on this case.")),
        ),
        lambda: (
            refuse(ErrorCode.CASE_CLOSED, _("This case is closed to new messages."))
            if _is_shut(case)
            else ALLOWED
        ),
    )


def can_add_internal_note(user: AnyUser, case: Case) -> Decision:
    """Decide whether `user` may write internal notes on `case` (even a finished one): staff in scope
    holding cases.add_internal_note (`case_note_denied`)."""
    return _staff_may(
        user,
        case,
        "cases.add_internal_note",
        refuse(ErrorCode.NOTE_DENIED, _("You may not write notes on this case.")),
    )


def can_edit_case(user: AnyUser, case: Case) -> Decision:
    """Decide whether `user` may change the details of `case`, its tracking link and its recorded visit:
    staff in scope holding cases.change_case (`case_edit_denied`)."""
    return _staff_may(
        user, case, "cases.change_case", refuse(ErrorCode.EDIT_DENIED, _("You may not change this case."))
    )


def can_transition(user: AnyUser, case: Case) -> Decision:
    """Decide whether `user` may move `case` through the workflow: the same rule as `can_edit_case`.

    Which moves the case's status allows is the workflow's answer (charter/cases/workflow.py), not this one.
    """
    return can_edit_case(user, case)


def can_assign(user: AnyUser, case: Case) -> Decision:
    """Decide whether `user` may assign or transfer `case`: staff in scope holding cases.assign_case
    (`case_assign_denied`). Whom it may go to is `can_handle`'s answer about that person."""
    return _staff_may(
        user, case, "cases.assign_case", refuse(ErrorCode.ASSIGN_DENIED, _("You may not assign this case."))
    )


def _named_ids(case: Case) -> set[int]:
    if not case.is_complaint or case.pk is None:
        return set()
    cache = getattr(case, "_prefetched_objects_cache", {})
    if "named_staff" in cache:
        return {person.pk for person in cache["named_staff"]}
    return set(case.named_staff.values_list("pk", flat=True))


def _earlier_handler_ids(case: Case) -> set[int]:
    return {pk for pk in (case.first_handler_id, case.resolved_by_id) if pk}


def can_handle(user: AnyUser, case: Case) -> Decision:
    """Decide whether `user` may handle `case` (be its handler, resolve it): never a person the complaint
    names (`named_staff_excluded`); in a reconsideration never the first handler nor whoever resolved it
    (`same_handler`), since an appeal is decided by someone else. Says nothing of scope or capability.

    Services refusing a chosen handler raise its code as a form error on the field; `can_resolve` asks it of
    the actor.
    """
    pk = getattr(user, "pk", None)
    if pk is not None and pk in _named_ids(case):
        return refuse(
            ErrorCode.NAMED_STAFF_EXCLUDED, _("This person is named in the complaint and may not handle it.")
        )
    if pk is not None and case.status == CaseStatus.RECONSIDERATION and pk in _earlier_handler_ids(case):
        return refuse(
            ErrorCode.SAME_HANDLER, _("An appeal is decided by someone other than the first handler.")
        )
    return ALLOWED


def handler_excluded_ids(case: Case, *, for_appeal: bool = False) -> set[int]:
    """Return the ids of the people `can_handle` refuses for `case`, for routing to pick among the others.

    `for_appeal`: the case is about to go to reconsideration, so the first handler, whoever resolved it and
    its handler until now are excluded already.
    """
    excluded = _named_ids(case)
    if for_appeal or case.status == CaseStatus.RECONSIDERATION:
        excluded |= _earlier_handler_ids(case)
    if for_appeal and case.assignee_id:
        excluded.add(case.assignee_id)
    return excluded


def can_resolve(user: AnyUser, case: Case) -> Decision:
    """Decide whether `user` may resolve `case`: staff in scope holding cases.resolve_case
    (`case_resolve_denied`) who may handle it (`can_handle`: never a person the complaint names, never the
    first handler nor the resolver when deciding an appeal)."""
    return first_refusal(
        lambda: _staff_may(
            user,
            case,
            "cases.resolve_case",
            refuse(ErrorCode.RESOLVE_DENIED, _("You may not resolve this case.")),
        ),
        lambda: can_handle(user, case),
    )


def can_merge(user: AnyUser, case: Case) -> Decision:
    """Decide whether `user` may merge `case` into another or link it: staff in scope holding
    cases.merge_case (`case_merge_denied`). Merging and linking need it on both cases."""
    return _staff_may(
        user,
        case,
        "cases.merge_case",
        refuse(ErrorCode.MERGE_DENIED, _("You may not merge or link this case.")),
    )


def can_add_attachment(user: AnyUser, case: Case) -> Decision:
    """Decide whether `user` may add files to `case`: staff in scope holding cases.add_caseattachment, or
    the customer on his own case that is neither cancelled nor merged (`can_customer_act`); else
    `case_edit_denied`."""
    staff = _staff_may(
        user,
        case,
        "cases.add_caseattachment",
        refuse(ErrorCode.EDIT_DENIED, _("You may not add files to this case.")),
    )
    if staff or (isinstance(staff, Refusal) and staff.hidden) or is_case_staff(user):
        return staff
    return can_customer_act(user, case)


def can_customer_act(user: AnyUser, case: Case) -> Decision:
    """Decide whether `user` may act as the customer on `case` (write, accept, appeal, add files): the
    signed-in customer who raised it (else `case_edit_denied`, hidden outside his scope), while it is neither
    cancelled nor merged (`case_closed`)."""
    if not is_case_customer(user, case):
        seen = can_view_case(user, case)
        if not seen:
            return seen
        return refuse(ErrorCode.EDIT_DENIED, _("You may not act on this case."))
    if _is_shut(case):
        return refuse(ErrorCode.CASE_CLOSED, _("This case is closed to new messages."))
    return ALLOWED


def can_rotate_tracking_link(user: AnyUser, case: Case) -> Decision:
    """Decide whether `user` may issue a new tracking link for `case`: staff who may change it
    (`can_edit_case`), or the customer who raised it (`can_customer_act`). Revoking one is staff's alone
    (`can_edit_case`)."""
    if is_case_staff(user):
        return can_edit_case(user, case)
    return can_customer_act(user, case)


def can_create_case(user: AnyUser) -> Decision:
    """Decide whether `user` may record cases from any channel for any customer: staff holding
    cases.add_case (`case_create_denied`). Customers raise their own (`can_raise_case`), the public uses the
    web intake."""
    member = _as_user(user)
    if member is not None and is_case_staff(member) and holds(member, "cases.add_case"):
        return ALLOWED
    return refuse(ErrorCode.CREATE_DENIED, _("You may not record cases."))


def can_raise_case(user: AnyUser, customer: Customer | None) -> Decision:
    """Decide whether `user`, signed in but not staff who work cases, may raise a case for `customer`: only
    for himself (`case_create_denied`)."""
    member = _as_user(user)
    if member is not None and customer is not None and customer.user_id == member.pk:
        return ALLOWED
    return refuse(ErrorCode.CREATE_DENIED, _("You may raise cases only for yourself."))


def can_view_case_stats(user: AnyUser) -> Decision:
    """Decide whether `user` may see team load, cases near breach and escalations: supervisors and
    administrators (cases.view_case_stats; `case_stats_denied`)."""
    if holds(user, "cases.view_case_stats"):
        return ALLOWED
    return refuse(ErrorCode.STATS_DENIED, _("You may not see the figures of cases."))


def can_configure_cases(user: AnyUser) -> Decision:
    """Decide whether `user` may configure categories, team routing and canned responses: administrators
    (cases.configure_cases; `case_configure_denied`)."""
    if holds(user, "cases.configure_cases"):
        return ALLOWED
    return refuse(ErrorCode.CONFIGURE_DENIED, _("You may not configure cases."))


def can_see_routing_reasons(user: AnyUser, case: Case) -> bool:
    """True when `user` may read, on `case`, why each colleague is not routed it (whose certificate expired or
    was revoked, and when): that is a training record, so only those who lead its team (or a unit above it)
    and those who may configure routing (`can_configure_cases`). The others read only that nobody available
    holds the qualification."""
    member = _as_user(user)
    if member is None or case.team_id is None:
        return False
    if can_configure_cases(member):
        return True
    return team_list_led_by(user=member).filter(pk=case.team_id).exists()
