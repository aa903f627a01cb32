"""Who may do what with cases. Views, the API and services call these same predicates.

Scope first: staff see the cases of their teams (supervisors: every team under the units they lead), the
cases assigned to them, and nothing else; administrators see all; a customer sees only his own cases. An
agent named in a complaint never sees, handles or resolves it. Capabilities second: Django permissions on the
role groups (migration 0002_roles).
"""

from django.contrib.auth.models import AnonymousUser

from charter.accounts.models import User
from charter.cases.models import OPEN_STATUSES, Case, CaseStatus

AnyUser = User | AnonymousUser

_SCOPE_CACHE = "_cases_team_ids"


def _as_user(user: AnyUser) -> User | None:
    return user if isinstance(user, User) and user.is_authenticated and user.is_active else None


def is_case_staff(user: AnyUser) -> bool:
    """True for a member of staff who works cases (holds cases.view_case)."""
    member = _as_user(user)
    return bool(member is not None and member.is_staff_member and member.has_perm("cases.view_case"))


def can_see_all_cases(user: AnyUser) -> bool:
    """True for administrators and superusers: every case is in scope."""
    member = _as_user(user)
    return bool(member is not None and member.has_perm("cases.view_all_cases"))


def scope_team_ids(user: User) -> frozenset[int]:
    """Return the ids of the teams whose cases `user` works: his own and those under the units he leads.

    Cached on the user object for the request.
    """
    cached = getattr(user, _SCOPE_CACHE, None)
    if cached is not None:
        return frozenset(cached)
    from charter.accounts.models import TeamMembership
    from charter.accounts.selectors import team_list_led_by

    own = set(TeamMembership.objects.filter(user=user).values_list("team_id", flat=True))
    led = set(team_list_led_by(user=user).values_list("pk", flat=True))
    ids = frozenset(own | led)
    setattr(user, _SCOPE_CACHE, ids)
    return ids


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
    from charter.accounts.models import Customer

    return Customer.objects.filter(pk=case.customer_id, user=member).exists()


def can_view_case(user: AnyUser, case: Case) -> bool:
    """True when `case` is in the user's scope (see the module docstring)."""
    member = _as_user(user)
    if member is None:
        return False
    if is_case_staff(member):
        if can_see_all_cases(member):
            return True
        in_scope = case.team_id in scope_team_ids(member) or case.assignee_id == member.pk
        return in_scope and not is_named_in(member, case)
    return is_case_customer(member, case)


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


def _staff_may(user: AnyUser, case: Case, permission: str) -> bool:
    member = _as_user(user)
    return bool(
        member is not None
        and is_case_staff(member)
        and member.has_perm(permission)
        and can_view_case(member, case)
    )


def can_reply(user: AnyUser, case: Case) -> bool:
    """True for staff in scope who may write public replies; the case must not be cancelled or merged.

    Customers reply through `case_customer_reply` on their own cases (`can_customer_act`).
    """
    if case.status == CaseStatus.CANCELLED or case.merged_into_id is not None:
        return False
    return _staff_may(user, case, "cases.add_casemessage")


def can_add_internal_note(user: AnyUser, case: Case) -> bool:
    """True for staff in scope who may write internal notes (even on finished cases)."""
    return _staff_may(user, case, "cases.add_internal_note")


def can_edit_case(user: AnyUser, case: Case) -> bool:
    """True for staff in scope who may change a case's details and move it through the workflow."""
    return _staff_may(user, case, "cases.change_case")


def can_transition(user: AnyUser, case: Case) -> bool:
    """True for staff in scope who may move the case through the workflow."""
    return can_edit_case(user, case)


def can_assign(user: AnyUser, case: Case) -> bool:
    """True for staff in scope who may assign or transfer the case."""
    return _staff_may(user, case, "cases.assign_case")


def can_resolve(user: AnyUser, case: Case) -> bool:
    """True for staff in scope who may resolve the case: never a person named in the complaint, and never
    the first handler when deciding an appeal."""
    if not _staff_may(user, case, "cases.resolve_case"):
        return False
    if is_named_in(user, case):
        return False
    return not (
        case.status == CaseStatus.RECONSIDERATION and case.first_handler_id == getattr(user, "pk", None)
    )


def can_merge(user: AnyUser, case: Case) -> bool:
    """True for staff in scope who may merge or link the case."""
    return _staff_may(user, case, "cases.merge_case")


def can_add_attachment(user: AnyUser, case: Case) -> bool:
    """True for staff in scope who may add files, or the customer on his own open case."""
    if _staff_may(user, case, "cases.add_caseattachment"):
        return True
    return can_customer_act(user, case)


def can_customer_act(user: AnyUser, case: Case) -> bool:
    """True for the signed-in customer on his own case that is not cancelled or merged."""
    if case.status == CaseStatus.CANCELLED or case.merged_into_id is not None:
        return False
    return is_case_customer(user, case)


def can_create_case(user: AnyUser) -> bool:
    """True for staff who may record cases from any channel; customers and the public use the web intake."""
    member = _as_user(user)
    return bool(member is not None and is_case_staff(member) and member.has_perm("cases.add_case"))


def can_view_case_stats(user: AnyUser) -> bool:
    """True for supervisors and administrators: team load, cases near breach, escalations."""
    member = _as_user(user)
    return bool(member is not None and member.has_perm("cases.view_case_stats"))


def can_configure_cases(user: AnyUser) -> bool:
    """True for administrators: categories, team routing and canned responses."""
    member = _as_user(user)
    return bool(member is not None and member.has_perm("cases.configure_cases"))
