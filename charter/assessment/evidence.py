"""The rows behind a scorecard's numbers: what each indicator counted, and what it left out and why.

Every indicator answers `evidence(period, person)` with at most `EVIDENCE_LIMIT` `Evidence` rows, newest
first, read through the same selectors' filters as its `compute`, so the rows agree with the Measure: the
rows `counted` and `in_sample` are the sample, those not counted are the exclusions (each with its reason),
and `is_hit` marks the rows in the value's numerator (a met target, a promoter, an upheld complaint).

A row for a rate per 100 may count in the numerator without being in the sample: an upheld complaint per
100 cases handled, a reply-check finding per 100 replies (`in_sample=False`). Besides the five kinds of the
scorecard (case, clock, response, review, violation) a reply and a finding are kinds of their own, since
their rate counts them one by one; both open on their case's page. Training rows (an assignment, a
certificate) open on their person's training record.

The rows of each indicator are built here (`volume_handled_evidence`, `sla_met_evidence(metric)`, ...), next
to the row type; `indicators.py` names them in its registrations.

A row carries its object's id, never the object: `evidence_links` loads the objects once per kind and asks
the owning app's permission predicate (`can_view_case`, `can_view_review`, the conduct `can_view`), so a
reader who may not see an object gets None and the page shows the label as plain text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.accounts.permissions import AnyUser
from charter.cases.models import Case, CaseClock
from charter.cases.permissions import can_view_case
from charter.cases.selectors import (
    case_clock_list_of_handler,
    case_clock_minutes_list_of_handler,
    case_first_contact_list_of_handler,
    case_praise_list_naming,
    case_reply_list_of_author,
    case_resolved_list_of_handler,
    case_upheld_complaint_list_naming,
)
from charter.common.dates import day_start
from charter.conduct.models import Violation
from charter.conduct.permissions import can_view as can_view_violation
from charter.conduct.selectors import violation_list_of_staff_decided
from charter.quality.models import Review
from charter.quality.permissions import can_view_review
from charter.quality.selectors import finding_list_of_agent_replied, review_list_of_agent_submitted
from charter.surveys.metrics import CSAT_SATISFIED_FROM, NPS_DETRACTOR_UP_TO, NPS_PROMOTER_FROM
from charter.surveys.models import Response
from charter.surveys.selectors import CSAT_DISSATISFIED_UP_TO, response_list_attributed
from charter.training.models import Assignment, Certificate
from charter.training.permissions import can_view_records_of
from charter.training.selectors import assignments_due_in, certificates_required

if TYPE_CHECKING:
    # Only for the annotations: indicators imports this module.
    from charter.assessment.indicators import Period

EVIDENCE_LIMIT = 200
EvidenceOf = Callable[["Period", int], list["Evidence"]]  # (period, person id) -> rows


class EvidenceKind(StrEnum):
    """What an evidence row points at."""

    CASE = "case"
    CLOCK = "clock"
    RESPONSE = "response"
    REVIEW = "review"
    VIOLATION = "violation"
    REPLY = "reply"
    FINDING = "finding"
    ASSIGNMENT = "assignment"
    CERTIFICATE = "certificate"


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


def _training_links(kind: EvidenceKind, ids: set[int], user: AnyUser) -> dict[int, str]:
    """Training rows (assignments, certificates) open on their person's training record, for those who may
    read it (`training.permissions.can_view_records_of`)."""
    if not ids:
        return {}
    model = Assignment if kind == EvidenceKind.ASSIGNMENT else Certificate
    owners = model.objects.filter(pk__in=ids).values_list("pk", "person_id")
    return {
        pk: reverse("training:person_record", args=[person_id])
        for pk, person_id in owners
        if can_view_records_of(user, person_id)
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
    training_links = {
        kind: _training_links(kind, {row.object_id for row in rows if row.kind == kind}, user)
        for kind in (EvidenceKind.ASSIGNMENT, EvidenceKind.CERTIFICATE)
    }
    links: list[str | None] = []
    for row in rows:
        if row.kind in _ON_A_CASE:
            links.append(case_links.get(row.case_id) if row.case_id is not None else None)
        elif row.kind == EvidenceKind.REVIEW:
            links.append(review_links.get(row.object_id))
        elif row.kind in training_links:
            links.append(training_links[row.kind].get(row.object_id))
        else:
            links.append(violation_links.get(row.object_id))
    return links


def evidence_for_reader(rows: Sequence[Evidence], user: AnyUser) -> list[tuple[Evidence, str | None]]:
    """Return each of `rows` with its link (`evidence_links`); a row whose object `user` may not open is
    masked: no number, no detail, no id, only that such a row exists and whether it counted. So a drill-down
    never tells what its object's own page would refuse (a complaint that names the reader is hidden from
    him like a missing case)."""
    links = evidence_links(rows, user)
    shown: list[tuple[Evidence, str | None]] = []
    for row, link in zip(rows, links, strict=True):
        if link is None:
            row = replace(row, object_id=0, case_id=None, label=str(_("(not shown to you)")), detail="")
        shown.append((row, link))
    return shown


def evidence_link(evidence: Evidence, user: AnyUser) -> str | None:
    """Return the desk address of `evidence`'s object when `user` may see it, else None (shown as plain
    text). For a whole list, `evidence_links` loads each kind once."""
    return evidence_links([evidence], user)[0]


def fcr_repeat_days() -> int:
    """Return ASSESSMENT_FCR_REPEAT_DAYS (default 7): the days after a resolution in which a new case of the
    same customer on the same service makes it a repeat."""
    return int(getattr(settings, "ASSESSMENT_FCR_REPEAT_DAYS", 7))


# The rows of each indicator ----------------------------------------------------------------------------

MERGED = _("Merged into another case; the surviving case counts.")
CLOCK_CANCELLED = _("Cancelled: the case was withdrawn or merged, so the target no longer applied.")
NO_CSAT = _("No satisfaction answer.")
REVIEW_DISPUTED = _("The dispute waits for a decision.")
OVERTURNED = _("Overturned on appeal.")
NOT_IN_EFFECT = _("Not in effect yet (awaiting the staff member's response or HR approval).")
CANCELLED = _("Cancelled.")
FCR_PENDING = _("The days after the resolution in which a repeat case counts are not over yet.")
_EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)


def _newest(rows: Iterable[Evidence]) -> list[Evidence]:
    """Return `rows` newest first, at most EVIDENCE_LIMIT."""
    ordered = sorted(rows, key=lambda row: (row.at or _EARLIEST, row.object_id), reverse=True)
    return ordered[:EVIDENCE_LIMIT]


def _case_row(
    case: Case,
    at: dt.datetime | None,
    *,
    counted: bool,
    reason: str | Promise = "",
    detail: str | Promise = "",
    is_hit: bool = False,
    in_sample: bool = True,
) -> Evidence:
    return Evidence(
        kind=EvidenceKind.CASE,
        object_id=case.pk,
        label=case.number,
        at=at,
        case_id=case.pk,
        counted=counted,
        reason=reason,
        detail=detail,
        is_hit=is_hit,
        in_sample=in_sample,
    )


def volume_handled_evidence(period: Period, person: int) -> list[Evidence]:
    """The cases behind “Cases handled”: each resolved case the person handled, the merged ones left out."""
    start_at, end_at = period.bounds()
    cases = case_resolved_list_of_handler(start_at=start_at, end_at=end_at, person=person)
    return [
        _case_row(case, case.resolved_at, counted=True, is_hit=True)
        if case.merged_into_id is None
        else _case_row(case, case.resolved_at, counted=False, reason=MERGED)
        for case in cases
    ]


def _clock_row(
    clock: CaseClock,
    *,
    counted: bool,
    reason: str | Promise = "",
    detail: str | Promise = "",
    is_hit: bool = False,
    in_sample: bool = True,
) -> Evidence:
    return Evidence(
        kind=EvidenceKind.CLOCK,
        object_id=clock.pk,
        label=clock.case.number,
        at=clock.stopped_at,
        case_id=clock.case_id,
        counted=counted,
        reason=reason,
        detail=detail,
        is_hit=is_hit,
        in_sample=in_sample,
    )


def sla_met_evidence(metric: str) -> EvidenceOf:
    """The clocks of `metric` behind an SLA share: met (a hit) or breached, the cancelled ones left out."""

    def evidence(period: Period, person: int) -> list[Evidence]:
        start_at, end_at = period.bounds()
        clocks = case_clock_list_of_handler(metric=metric, start_at=start_at, end_at=end_at, person=person)
        return [
            _clock_row(clock, counted=False, reason=CLOCK_CANCELLED)
            if clock.status == CaseClock.Status.CANCELLED
            else _clock_row(
                clock,
                counted=True,
                is_hit=clock.status == CaseClock.Status.MET,
                detail=clock.get_status_display(),
            )
            for clock in clocks
        ]

    return evidence


def clock_minutes_evidence(metric: str) -> EvidenceOf:
    """The clocks of `metric` behind an average time, each with its minutes; the cancelled ones left out."""

    def evidence(period: Period, person: int) -> list[Evidence]:
        start_at, end_at = period.bounds()
        clocks = case_clock_minutes_list_of_handler(
            metric=metric, start_at=start_at, end_at=end_at, person=person
        )
        return [
            _clock_row(clock, counted=False, reason=CLOCK_CANCELLED)
            if clock.status == CaseClock.Status.CANCELLED
            else _clock_row(
                clock, counted=True, is_hit=True, detail=_("%(minutes)s minutes") % {"minutes": minutes}
            )
            for clock, minutes in clocks
        ]

    return evidence


def _response_row(
    response: Response,
    *,
    counted: bool,
    reason: str | Promise = "",
    detail: str | Promise = "",
    is_hit: bool = False,
    in_sample: bool = True,
) -> Evidence:
    return Evidence(
        kind=EvidenceKind.RESPONSE,
        object_id=response.pk,
        label=response.case.number if response.case is not None else f"#{response.pk}",
        at=response.submitted_at,
        case_id=response.case_id,
        counted=counted,
        reason=reason,
        detail=detail,
        is_hit=is_hit,
        in_sample=in_sample,
    )


def csat_evidence(*, is_dissatisfied: bool) -> EvidenceOf:
    """The responses behind CSAT (hits: 4-5) or the bad-review share (hits: 1-2); those without an answer
    or excluded from assessment left out."""

    def evidence(period: Period, person: int) -> list[Evidence]:
        start_at, end_at = period.bounds()
        rows = []
        for response in response_list_attributed(start_at=start_at, end_at=end_at, person=person):
            if response.is_excluded:
                rows.append(
                    _response_row(response, counted=False, reason=response.get_assessment_exclusion_display())
                )
            elif response.csat is None:
                rows.append(_response_row(response, counted=False, reason=NO_CSAT))
            else:
                hit = (
                    response.csat <= CSAT_DISSATISFIED_UP_TO
                    if is_dissatisfied
                    else response.csat >= CSAT_SATISFIED_FROM
                )
                rows.append(_response_row(response, counted=True, is_hit=hit, detail=f"CSAT {response.csat}"))
        return rows

    return evidence


def nps_evidence(period: Period, person: int) -> list[Evidence]:
    """The responses with a recommendation answer behind NPS (hits: promoters), each with its group; those
    excluded from assessment left out."""
    start_at, end_at = period.bounds()
    rows = []
    for response in response_list_attributed(start_at=start_at, end_at=end_at, person=person):
        # A response without a recommendation answer is no part of this indicator.
        if response.nps is None:
            continue
        if response.is_excluded:
            rows.append(
                _response_row(response, counted=False, reason=response.get_assessment_exclusion_display())
            )
            continue
        if response.nps >= NPS_PROMOTER_FROM:
            group = _("promoter")
        elif response.nps <= NPS_DETRACTOR_UP_TO:
            group = _("detractor")
        else:
            group = _("passive")
        rows.append(
            _response_row(
                response,
                counted=True,
                is_hit=response.nps >= NPS_PROMOTER_FROM,
                detail=f"NPS {response.nps} · {group}",
            )
        )
    return rows


_SETTLED = (Review.Status.SUBMITTED, Review.Status.ACKNOWLEDGED, Review.Status.DECIDED)


def qa_evidence(*, is_compliance: bool) -> EvidenceOf:
    """The reviews behind the QA average or compliance (hits: no auto-fail); disputed ones left out."""

    def evidence(period: Period, person: int) -> list[Evidence]:
        start_at, end_at = period.bounds()
        rows = []
        for review in review_list_of_agent_submitted(start_at=start_at, end_at=end_at, person=person):
            reason: str | Promise
            if review.status == Review.Status.DISPUTED:
                counted, hit, reason, detail = False, False, REVIEW_DISPUTED, ""
            elif review.status in _SETTLED and review.overall_score is not None:
                counted, reason, detail = True, "", f"{review.overall_score}"
                hit = not review.is_auto_failed if is_compliance else True
                if review.is_auto_failed:
                    detail = f"{detail} · {_('auto-fail')}"
            else:
                # Neither counted nor left out by the rule: no part of the number.
                continue
            rows.append(
                Evidence(
                    kind=EvidenceKind.REVIEW,
                    object_id=review.pk,
                    label=review.case.number,
                    at=review.submitted_at,
                    counted=counted,
                    reason=reason,
                    detail=detail,
                    is_hit=hit,
                    case_id=review.case_id,
                )
            )
        return rows

    return evidence


def upheld_complaints_evidence(period: Period, person: int) -> list[Evidence]:
    """The cases handled (the sample) and the upheld complaints naming the person (the numerator)."""
    start_at, end_at = period.bounds()
    handled = case_resolved_list_of_handler(start_at=start_at, end_at=end_at, person=person)
    complaints = case_upheld_complaint_list_naming(start_at=start_at, end_at=end_at, person=person)
    rows = [
        _case_row(case, case.resolved_at, counted=True) for case in handled if case.merged_into_id is None
    ]
    for complaint in complaints:
        if complaint.merged_into_id is not None:
            rows.append(
                _case_row(complaint, complaint.resolved_at, counted=False, in_sample=False, reason=MERGED)
            )
        else:
            rows.append(
                _case_row(
                    complaint,
                    at=complaint.resolved_at,
                    counted=True,
                    in_sample=False,
                    is_hit=True,
                    detail=complaint.get_outcome_display(),
                )
            )
    return _newest(rows)


def violations_evidence(severity: str) -> EvidenceOf:
    """The violations of `severity` decided in the period: standing ones counted, the others left out."""

    def evidence(period: Period, person: int) -> list[Evidence]:
        start_at, end_at = period.bounds()
        rows = []
        for violation in violation_list_of_staff_decided(
            start_at=start_at, end_at=end_at, person=person, severity=severity
        ):
            standing = violation.is_standing  # type: ignore[attr-defined]
            overturned = violation.appeal_outcome == Violation.AppealOutcome.OVERTURNED
            rows.append(
                Evidence(
                    kind=EvidenceKind.VIOLATION,
                    object_id=violation.pk,
                    label=str(violation),
                    at=violation.decided_at,
                    counted=standing,
                    is_hit=standing,
                    reason="" if standing else OVERTURNED if overturned else NOT_IN_EFFECT,
                    detail=violation.get_status_display(),
                )
            )
        return rows

    return evidence


def first_contact_evidence(period: Period, person: int) -> list[Evidence]:
    """The cases behind first-contact resolution, each saying whether it was reopened or repeated."""
    start_at, end_at = period.bounds()
    days = fcr_repeat_days()
    cases = case_first_contact_list_of_handler(
        start_at=start_at, end_at=end_at, person=person, repeat_days=days, now=timezone.now()
    )
    rows = []
    for case in cases:
        if case.merged_into_id is not None:
            rows.append(_case_row(case, case.resolved_at, counted=False, reason=MERGED))
        elif case.is_pending:  # type: ignore[attr-defined]
            rows.append(_case_row(case, case.resolved_at, counted=False, reason=FCR_PENDING))
        elif case.is_reopened:  # type: ignore[attr-defined]
            rows.append(_case_row(case, case.resolved_at, counted=True, detail=_("reopened")))
        elif case.has_repeat:  # type: ignore[attr-defined]
            detail = _("the customer came back within %(days)s days") % {"days": days}
            rows.append(_case_row(case, case.resolved_at, counted=True, detail=detail))
        else:
            rows.append(
                _case_row(
                    case, case.resolved_at, counted=True, is_hit=True, detail=_("resolved at first contact")
                )
            )
    return rows


def reply_findings_evidence(period: Period, person: int) -> list[Evidence]:
    """The public replies (the sample) and the reply-check findings on them (the numerator)."""
    start_at, end_at = period.bounds()
    replies = case_reply_list_of_author(start_at=start_at, end_at=end_at, person=person)
    findings = finding_list_of_agent_replied(start_at=start_at, end_at=end_at, person=person)
    rows = [
        Evidence(
            kind=EvidenceKind.REPLY,
            object_id=reply.pk,
            label=reply.case.number,
            at=reply.created_at,
            counted=True,
            case_id=reply.case_id,
        )
        for reply in replies
    ]
    rows += [
        Evidence(
            kind=EvidenceKind.FINDING,
            object_id=finding.pk,
            label=finding.case.number,
            at=finding.replied_at,
            counted=True,
            in_sample=False,
            is_hit=True,
            detail=finding.get_check_code_display(),
            case_id=finding.case_id,
        )
        for finding in findings
    ]
    return _newest(rows)


def commendations_evidence(period: Period, person: int) -> list[Evidence]:
    """The praise cases naming the person: merged or cancelled ones left out."""
    start_at, end_at = period.bounds()
    rows = []
    for case in case_praise_list_naming(start_at=start_at, end_at=end_at, person=person):
        if case.is_counted:  # type: ignore[attr-defined]
            rows.append(_case_row(case, case.received_at, counted=True, is_hit=True))
        else:
            reason = MERGED if case.merged_into_id is not None else CANCELLED
            rows.append(_case_row(case, case.received_at, counted=False, reason=reason))
    return rows


WAIVED = _("Waived.")
NOT_DUE_YET = _("Still open and not due yet.")


def training_on_time_evidence(period: Period, person: int) -> list[Evidence]:
    """The assignments due in the period behind “Training completed on time”: each completed by its due
    day (a hit), completed late or not completed; waived ones and those still open and not yet due left
    out."""
    rows = []
    for due in assignments_due_in(start=period.start, end=period.end, people=[person]):
        reason: str | Promise
        detail: str | Promise
        if due.status == "waived":
            counted, reason, detail = False, WAIVED, ""
        elif due.not_due_yet:
            counted, reason, detail = False, NOT_DUE_YET, ""
        else:
            counted, reason = True, ""
            detail = (
                pgettext_lazy("training evidence", "completed on time")
                if due.on_time
                else pgettext_lazy("training evidence", "completed late")
                if due.completed_at
                else pgettext_lazy("training evidence", "not completed")
            )
        rows.append(
            Evidence(
                kind=EvidenceKind.ASSIGNMENT,
                object_id=due.pk,
                label=due.course,
                at=due.completed_at or day_start(due.due_on, timezone.get_default_timezone()),
                counted=counted,
                reason=reason,
                detail=detail,
                is_hit=counted and due.on_time,
            )
        )
    return _newest(rows)


def valid_certificates_evidence(period: Period, person: int) -> list[Evidence]:
    """The qualification-granting courses assigned to the person behind “Valid certificates”: each with the
    certificate valid at the period's end (a hit), or the assignment when he holds none."""
    at = day_start(period.end, timezone.get_default_timezone())
    rows = []
    for required in certificates_required(on=period.end, people=[person]):
        held = required.certificate_id is not None
        rows.append(
            Evidence(
                kind=EvidenceKind.CERTIFICATE if held else EvidenceKind.ASSIGNMENT,
                object_id=required.certificate_id
                if required.certificate_id is not None
                else required.assignment_id,
                label=required.course,
                at=at,
                counted=True,
                detail=required.certificate_number
                if held
                else pgettext_lazy("training evidence", "no valid certificate"),
                is_hit=held,
            )
        )
    return rows
