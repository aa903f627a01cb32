"""A customer's contact details as a member of staff sees them on the case pages, the API and the customer
record: unmasked, and audited, for the handler of an open case of the customer; masked for everybody else.

The rule itself is `permissions.customer_contact_case`; this module shows what it allows and records it.
"""

import dataclasses

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext

from charter.accounts.models import Customer, User
from charter.accounts.panels import CONTACT_FIELDS, ContactGrant
from charter.cases.models import Case
from charter.cases.permissions import customer_contact_case
from charter.privacy.masking import mask
from charter.privacy.services import personal_data_view


def _ground(number: str) -> str:
    """What the audit trail records as the reason the handler saw the details."""
    return f"handles case {number}"


@dataclasses.dataclass(frozen=True)
class CustomerContact:
    """A customer's name, phone and e-mail as one reader may see them; `handled_case` is the number of the
    open case he handles, which lets him see them unmasked ("" when they are masked)."""

    customer_id: int
    name: str
    phone: str
    email: str
    is_masked: bool
    handled_case: str = ""


def customer_contact_grant(user: User, customer: Customer) -> ContactGrant | None:
    """Grant the handler of an open case of `customer` the sight of his contact details (for the customer
    record, which asks through `accounts.panels`); None for anybody else."""
    case = customer_contact_case(user, customer.pk)
    if case is None:
        return None
    return ContactGrant(
        ground=_ground(case.number),
        note=gettext("Shown unmasked because you handle case %(number)s; each view is recorded.")
        % {"number": case.number},
    )


def customer_contact_view(
    *,
    user: User | AnonymousUser,
    customer: Customer,
    looking_at: Case | None = None,
    request: HttpRequest | None = None,
) -> CustomerContact:
    """Return `customer`'s name, phone and e-mail as `user` may see them (on the page of `looking_at`).

    Unmasked while `user` handles an open case of the customer (`customer_contact_case`); the view is then
    audited as `privacy.view` with the case as its ground. Masked otherwise, and nothing is written.
    """
    case = customer_contact_case(user, customer.pk, looking_at=looking_at) if isinstance(user, User) else None
    if case is None:
        return CustomerContact(
            customer_id=customer.pk,
            name=mask(customer.name, "name"),
            phone=mask(customer.phone, "phone"),
            email=mask(customer.email, "email"),
            is_masked=True,
        )
    values = personal_data_view(
        user=user, obj=customer, fields=CONTACT_FIELDS, ground=_ground(case.number), request=request
    )
    return CustomerContact(
        customer_id=customer.pk,
        name=values["name"],
        phone=values["phone"],
        email=values["email"],
        is_masked=False,
        handled_case=case.number,
    )
