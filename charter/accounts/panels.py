"""Extension points of the customer record, filled by the apps above accounts.

Accounts owns the customer record (`/desk/customers/<pk>/`) but knows none of the apps above it (DESIGN.md,
dependencies): in its AppConfig.ready() an app registers a panel for the page (cases lists the customer's
cases) and the grounds on which a member of staff sees the customer's contact details unmasked without asking
(cases: he handles an open case of the customer). Everybody else sees them masked, and may reveal one with a
reason if he holds privacy.reveal_personal_data.
"""

import dataclasses
from collections.abc import Callable

from django.utils.functional import Promise

from charter.accounts.models import Customer, User
from charter.common.panels import Panels

customer_panels: Panels[Customer] = Panels()

# What a grant shows unmasked: enough to greet and call the customer (never his ID number).
CONTACT_FIELDS = ("name", "phone", "email")


@dataclasses.dataclass(frozen=True)
class ContactGrant:
    """Why a member of staff sees a customer's contact details (CONTACT_FIELDS) unmasked: `ground` goes to
    the audit trail with each view, `note` tells him on the page."""

    ground: str
    note: str | Promise


ContactGrantRule = Callable[[User, Customer], ContactGrant | None]

_contact_rules: list[ContactGrantRule] = []


def customer_contact_rule_register(rule: ContactGrantRule) -> None:
    """Let `rule` grant the sight of a customer's contact details (once, however often it is registered)."""
    if rule not in _contact_rules:
        _contact_rules.append(rule)


def customer_contact_grant(*, user: User, customer: Customer) -> ContactGrant | None:
    """Return the first grant a registered rule gives `user` for `customer`'s contact details, else None."""
    for rule in _contact_rules:
        grant = rule(user, customer)
        if grant is not None:
            return grant
    return None
