"""Every write of the cases app. Import services from here: `from charter.cases.services import case_create`.

Split by concept: `intake` (receiving a case, its details, its tracking link), `lifecycle` (the workflow,
resolution, acceptance, appeal, expiry), `messages` (replies, notes, customer messages, canned responses),
`assignment` (assign, transfer, merge, link), `clocks` (the SLA clocks and their sweep), `attachments`,
`routing`, `config`.
"""

from charter.cases.services.assignment import case_assign, case_assign_bulk, case_link, case_merge
from charter.cases.services.attachments import attachment_add, attachment_orphans_delete
from charter.cases.services.clocks import SweepResult, case_clocks_sweep
from charter.cases.services.config import canned_response_create, case_category_create, team_routing_set
from charter.cases.services.intake import (
    case_create,
    case_prepare,
    case_prepared_save,
    case_tracking_token_revoke,
    case_tracking_token_rotate,
    case_update,
)
from charter.cases.services.lifecycle import (
    case_accept,
    case_appeal,
    case_arrival_record,
    case_close_expired,
    case_resolve,
    case_transition,
)
from charter.cases.services.messages import canned_response_render, case_customer_reply, case_reply

__all__ = [
    "SweepResult",
    "attachment_add",
    "attachment_orphans_delete",
    "canned_response_create",
    "canned_response_render",
    "case_accept",
    "case_appeal",
    "case_arrival_record",
    "case_assign",
    "case_assign_bulk",
    "case_category_create",
    "case_clocks_sweep",
    "case_close_expired",
    "case_create",
    "case_customer_reply",
    "case_link",
    "case_merge",
    "case_prepare",
    "case_prepared_save",
    "case_reply",
    "case_resolve",
    "case_tracking_token_revoke",
    "case_tracking_token_rotate",
    "case_transition",
    "case_update",
    "team_routing_set",
]
