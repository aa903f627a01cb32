"""Retention of cases: a closed (or cancelled) case's customer-entered text and personal data are anonymised
a configurable time after it closed (default three years); the case's number, clocks, outcome and counts stay.

Which cases a legal hold keeps is decided here, because privacy cannot read cases: a case is held when a
hold names it ("cases.case" and its pk) or names its customer. Mail and surveys ask the same question
through `cases_held_ids` / `held_thread_refs`.
"""

import datetime as dt
from collections.abc import Sequence

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from charter.cases.models import Case, CaseStatus
from charter.privacy.registry import ERASED_MARKER, RetentionRule
from charter.privacy.selectors import held_customer_ids, held_target_ids

CASE_TARGET = "cases.case"
CLOSED_CASES_DAYS = 1095


def _held_q() -> Q:
    case_ids = [int(each) for each in held_target_ids(CASE_TARGET) if each.isdigit()]
    return Q(pk__in=case_ids) | Q(customer_id__in=held_customer_ids())


def cases_held_ids() -> set[int]:
    """Return the pks of cases a legal hold keeps: held themselves or raised by a held customer."""
    return set(Case.objects.filter(_held_q()).values_list("pk", flat=True))


def held_thread_refs() -> set[str]:
    """Return the mail thread references ("case:<pk>" and its staff thread) of held cases."""
    return {ref for pk in cases_held_ids() for ref in (f"case:{pk}", f"case:{pk}:staff")}


def _expired(cutoff: dt.datetime) -> "QuerySet[Case]":
    # Anonymised cases carry the marker as their title (charter.cases.privacy.case_text_anonymise).
    return Case.objects.filter(
        status__in=(CaseStatus.CLOSED, CaseStatus.CANCELLED), closed_at__lt=cutoff
    ).exclude(title=ERASED_MARKER)


def closed_cases_due(cutoff: dt.datetime, limit: int) -> list[int]:
    """Return up to `limit` pks of cases closed before `cutoff`, not anonymised and not held, oldest first."""
    rows = _expired(cutoff).exclude(_held_q()).order_by("closed_at", "pk")
    return list(rows.values_list("pk", flat=True)[:limit])


def closed_cases_apply(ids: Sequence[int]) -> int:
    """Anonymise the customer's text and personal data in these cases; return how many changed."""
    from charter.accounts.models import Customer
    from charter.cases.privacy import case_text_anonymise

    # Lock the customers' rows (as a hold being placed does) and ask about holds again in this transaction:
    # a hold placed since the batch was chosen keeps its cases.
    customers = Case.objects.filter(pk__in=list(ids)).values_list("customer_id", flat=True)
    list(Customer.objects.select_for_update().filter(pk__in=customers).order_by("pk").values_list("pk"))
    kept = Case.objects.filter(pk__in=list(ids)).exclude(_held_q()).values_list("pk", flat=True)
    return case_text_anonymise(case_ids=list(kept))


def closed_cases_held(cutoff: dt.datetime) -> int:
    """Count the cases closed before `cutoff`, not anonymised, that a legal hold keeps."""
    return _expired(cutoff).filter(_held_q()).count()


CLOSED_CASES_RULE = RetentionRule(
    record_type="closed_cases",
    label=_("Closed cases: the customer's words and personal data in them"),
    default_days=CLOSED_CASES_DAYS,
    due=closed_cases_due,
    apply=closed_cases_apply,
    held=closed_cases_held,
)


def _case_find(number: str) -> str | None:
    pk = Case.objects.filter(number=number.strip().upper()).values_list("pk", flat=True).first()
    return str(pk) if pk is not None else None


def _case_describe(target_id: str) -> tuple[str, str] | None:
    from django.urls import reverse

    if not target_id.isdigit():
        return None
    number = Case.objects.filter(pk=int(target_id)).values_list("number", flat=True).first()
    return (number, reverse("cases:desk_case", args=[number])) if number else None


def _case_customer(target_id: str) -> int | None:
    if not target_id.isdigit():
        return None
    customer_id: int | None = (
        Case.objects.filter(pk=int(target_id)).values_list("customer_id", flat=True).first()
    )
    return customer_id


def retention_rules_register() -> None:
    """Register the cases' retention rule with privacy, tell mail which threads are held, and let staff
    place legal holds on a case by its number."""
    from charter.mail.retention import held_thread_refs_register
    from charter.privacy.holds import HoldTarget, hold_target_register
    from charter.privacy.registry import retention_rule_register

    retention_rule_register(CLOSED_CASES_RULE)
    held_thread_refs_register(held_thread_refs)
    hold_target_register(
        HoldTarget(
            target_type=CASE_TARGET, find=_case_find, describe=_case_describe, customer_of=_case_customer
        )
    )
