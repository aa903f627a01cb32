"""The rows behind a scorecard's numbers: what each indicator counted, and what it left out and why.

Every indicator answers `evidence(period, person)` with at most `EVIDENCE_LIMIT` `Evidence` rows, newest
first, read through the same selectors' filters as its `compute`, so the rows agree with the Measure: the
rows `counted` and `in_sample` are the sample, those not counted are the exclusions (each with its reason),
and `is_hit` marks the rows in the value's numerator (a met target, a promoter, an upheld complaint).

A row for a rate per 100 may count in the numerator without being in the sample: an upheld complaint per
100 cases handled, a reply-check finding per 100 replies (`in_sample=False`). Besides the five kinds of the
scorecard (case, clock, response, review, violation) a reply and a finding are kinds of their own, since
their rate counts them one by one; both open on their case's page.

A row carries its object's id, never the object: `evidence_links` loads the objects once per kind and asks
the owning app's permission predicate (`can_view_case`, `can_view_review`, the conduct `can_view`), so a
reader who may not see an object gets None and the page shows the label as plain text.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.urls import reverse
from django.utils.functional import Promise

from charter.accounts.permissions import AnyUser
from charter.cases.models import Case
from charter.cases.permissions import can_view_case
from charter.conduct.models import Violation
from charter.conduct.permissions import can_view as can_view_violation
from charter.quality.models import Review
from charter.quality.permissions import can_view_review

EVIDENCE_LIMIT = 200


class EvidenceKind(StrEnum):
    """What an evidence row points at."""

    CASE = "case"
    CLOCK = "clock"
    RESPONSE = "response"
    REVIEW = "review"
    VIOLATION = "violation"
    REPLY = "reply"
    FINDING = "finding"


# The kinds whose page is their case's.
_ON_A_CASE = frozenset(
    {EvidenceKind.CASE, EvidenceKind.CLOCK, EvidenceKind.RESPONSE, EvidenceKind.REPLY, EvidenceKind.FINDING}
)


@dataclass(frozen=True)
class Evidence:
    """One row under a scorecard's number.

    `kind` and `object_id` name the object, `label` is what the reader sees (a case number, a review's
    number), `at` the instant that put it in the period, `detail` what it says about the row ("met",
    "42.50 minutes"). `counted` rows are in the measure; a row not counted gives its `reason`. `is_hit`:
    in the value's numerator; `in_sample`: one of the `sample` rows (False for a numerator row drawn from
    other objects). `case_id` is the case the object belongs to, for its link.
    """

    kind: EvidenceKind
    object_id: int
    label: str
    at: dt.datetime | None
    counted: bool
    reason: str | Promise = ""
    detail: str | Promise = ""
    is_hit: bool = False
    in_sample: bool = True
    case_id: int | None = None


def _case_links(ids: set[int], user: AnyUser) -> dict[int, str]:
    if not ids:
        return {}
    cases = Case.objects.filter(pk__in=ids).prefetch_related("named_staff")
    return {
        case.pk: reverse("cases:desk_case", args=[case.number]) for case in cases if can_view_case(user, case)
    }


def _review_links(ids: set[int], user: AnyUser) -> dict[int, str]:
    if not ids:
        return {}
    reviews = Review.objects.filter(pk__in=ids)
    return {
        review.pk: reverse("quality:review_detail", args=[review.pk])
        for review in reviews
        if can_view_review(user, review)
    }


def _violation_links(ids: set[int], user: AnyUser) -> dict[int, str]:
    if not ids:
        return {}
    violations = Violation.objects.filter(pk__in=ids).select_related("staff")
    return {
        violation.pk: reverse("conduct:violation_detail", args=[violation.pk])
        for violation in violations
        if can_view_violation(user, violation)
    }


def evidence_links(rows: Sequence[Evidence], user: AnyUser) -> list[str | None]:
    """Return, for each of `rows` in order, the desk address of its object when `user` may see it, else None.

    Cases (and the clocks, responses, replies and findings, which open on their case's page) follow
    `cases.permissions.can_view_case` (a complaint never opens for the person it names); reviews
    `quality.permissions.can_view_review`; violations `conduct.permissions.can_view`. One query per kind
    present, whatever the number of rows (plus what the predicates read: the reader's scope, once cached).
    """
    case_ids = {row.case_id for row in rows if row.kind in _ON_A_CASE and row.case_id is not None}
    review_ids = {row.object_id for row in rows if row.kind == EvidenceKind.REVIEW}
    violation_ids = {row.object_id for row in rows if row.kind == EvidenceKind.VIOLATION}
    case_links = _case_links(case_ids, user)
    review_links = _review_links(review_ids, user)
    violation_links = _violation_links(violation_ids, user)
    links: list[str | None] = []
    for row in rows:
        if row.kind in _ON_A_CASE:
            links.append(case_links.get(row.case_id) if row.case_id is not None else None)
        elif row.kind == EvidenceKind.REVIEW:
            links.append(review_links.get(row.object_id))
        else:
            links.append(violation_links.get(row.object_id))
    return links


def evidence_link(evidence: Evidence, user: AnyUser) -> str | None:
    """Return the desk address of `evidence`'s object when `user` may see it, else None (shown as plain
    text). For a whole list, `evidence_links` loads each kind once."""
    return evidence_links([evidence], user)[0]
