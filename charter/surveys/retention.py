"""Retention of survey answers: the customer's free text (the comment and every text answer) is replaced by
the marker a configurable time after he answered (default a year); scores, choices and the attribution stay,
so no published figure changes. A legal hold on the customer or on the case the survey was about keeps it.
"""

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from charter.cases.retention import cases_held_ids
from charter.privacy.registry import ERASED_MARKER, RetentionRule, retention_rule_register
from charter.privacy.selectors import held_customer_ids
from charter.surveys.models import Answer, Response

SURVEY_TEXT_DAYS = 365


def _has_text(field: str) -> Q:
    return ~Q(**{field: ""}) & ~Q(**{field: ERASED_MARKER})


def _expired(cutoff: dt.datetime) -> "QuerySet[Response]":
    texts = Answer.objects.filter(_has_text("text"), response=OuterRef("pk"))
    return Response.objects.filter(submitted_at__lt=cutoff).filter(_has_text("comment") | Exists(texts))


def _held_q() -> Q:
    return Q(invitation__customer_id__in=held_customer_ids()) | Q(case_id__in=cases_held_ids())


def survey_text_due(cutoff: dt.datetime, limit: int) -> list[int]:
    """Return up to `limit` responses answered before `cutoff` that still hold free text and are not held,
    oldest first."""
    rows = _expired(cutoff).exclude(_held_q()).order_by("submitted_at", "pk")
    return list(rows.values_list("pk", flat=True)[:limit])


def survey_text_apply(ids: Sequence[int]) -> int:
    """Replace the comment and the text answers of these responses with the marker; return how many."""
    with transaction.atomic():
        # Asked again in the batch's transaction: a hold placed since the batch was chosen keeps its records.
        ids = list(Response.objects.filter(pk__in=ids).exclude(_held_q()).values_list("pk", flat=True))
        Answer.objects.filter(_has_text("text"), response_id__in=ids).update(text=ERASED_MARKER)
        Response.objects.filter(_has_text("comment"), pk__in=ids).update(comment=ERASED_MARKER)
    return len(ids)


def survey_text_held(cutoff: dt.datetime) -> int:
    """Count the expired responses with free text that a legal hold keeps."""
    return _expired(cutoff).filter(_held_q()).count()


def retention_rules_register() -> None:
    """Register the survey free text's retention rule with privacy."""
    retention_rule_register(
        RetentionRule(
            record_type="survey_text",
            label=_("Survey answers: the customer's comments and written answers"),
            default_days=SURVEY_TEXT_DAYS,
            due=survey_text_due,
            apply=survey_text_apply,
            held=survey_text_held,
        )
    )
