"""Reads of accounts: scopes in the organisation tree, customers found by their personal data."""

from django.db.models import Q, QuerySet

from charter.accounts.models import Customer, OrgUnit, Team, User


def org_unit_subtree(*, unit: OrgUnit) -> QuerySet[OrgUnit]:
    """Return `unit` and every unit under it, at any depth."""
    return OrgUnit.objects.filter(path__startswith=unit.path)


def team_list_led_by(*, user: User) -> QuerySet[Team]:
    """Return the teams `user` leads, and every team in a unit under a unit whose team he leads."""
    led_paths = list(
        OrgUnit.objects.filter(teams__memberships__user=user, teams__memberships__is_lead=True)
        .values_list("path", flat=True)
        .distinct()
    )
    if not led_paths:
        return Team.objects.none()
    scope = Q()
    for path in led_paths:
        scope |= Q(unit__path__startswith=path)
    return Team.objects.filter(scope)


def customer_find_by_phone(*, phone: str) -> QuerySet[Customer]:
    """Return the customers with exactly this phone number (in any common spelling of it)."""
    index = Customer._meta.get_field("phone_index").index_for(phone)
    return Customer.objects.filter(phone_index=index) if index else Customer.objects.none()


def customer_find_by_email(*, email: str) -> QuerySet[Customer]:
    """Return the customers with exactly this e-mail address (case-insensitive)."""
    index = Customer._meta.get_field("email_index").index_for(email)
    return Customer.objects.filter(email_index=index) if index else Customer.objects.none()


def customer_list_visible_to(*, user: User) -> QuerySet[Customer]:
    """Return the customers `user` may see: all of them for staff, his own record for a customer."""
    if not user.is_authenticated:
        return Customer.objects.none()
    if user.is_staff_member:
        return Customer.objects.select_related("organisation")
    return Customer.objects.filter(user=user)
