"""Reads of privacy's rows that other services (erasure, retention, the higher apps' rules) depend on."""

from charter.privacy.models import LegalHold

# --- legal holds -------------------------------------------------------------------------------------------
# A hold on a customer keeps everything about him (his profile and every case he raised); a hold on a record
# (target_type "cases.case", target_id its pk) keeps that record. Privacy cannot read cases, so the rule
# "a case is held when it or its customer is" is combined in the cases app's retention rule from the two
# selectors below.


def held_customer_ids() -> set[int]:
    """Return the ids of customers under an active legal hold."""
    return set(
        LegalHold.objects.filter(released_at__isnull=True, customer__isnull=False).values_list(
            "customer_id", flat=True
        )
    )


def is_customer_held(customer_id: int) -> bool:
    """Answer whether an active legal hold covers the customer himself (not only one of his records)."""
    return LegalHold.objects.filter(released_at__isnull=True, customer_id=customer_id).exists()


def held_target_ids(target_type: str) -> set[str]:
    """Return the ids (as strings) of records of `target_type` (e.g. "cases.case") under an active hold."""
    return set(
        LegalHold.objects.filter(released_at__isnull=True, target_type=target_type).values_list(
            "target_id", flat=True
        )
    )
