"""REST endpoints of assessment at /api/v1/assessment/: schemes, cycles, scorecards, appeals, the ledger.

Scoped exactly like the desk, through the same predicates and selectors: a member of staff
(`can_view_assessment`) reads the schemes; a scorecard is visible as `scorecard_list_visible_to` says (the
person, his assessor, the leads over his team, those who run cycles, approve or see all, and whoever decides
an appeal against it), a cycle to whoever sees one of its scorecards, an appeal to whoever sees its scorecard,
a ledger entry as the ledger page shows it (`ledger_list_visible_to`). Anything else answers 404 like a
missing row. While the reader is the person and `can_see_result` refuses (before publication) the score
fields and the grade are null.

Every write calls one service of charter/assessment/cycles.py with the `lock_version` the caller read; the
refusals come out as {"code", "detail"}: the predicates' `assessment_…` codes (403), `conflict` (409, a stale
`lock_version`), `invalid_transition` (409, a step the workflow does not allow now) and the services' checks
of input (400, with `fields`).
"""

from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from charter.accounts.models import User
from charter.accounts.requests import request_user
from charter.assessment import cycles
from charter.assessment.evidence import evidence_for_reader
from charter.assessment.exports import LedgerFilter, ledger_filter, ledger_list_visible_to
from charter.assessment.indicators import INDICATORS, Period
from charter.assessment.models import (
    Appeal,
    Cycle,
    LedgerEntry,
    Scheme,
    SchemeAdjustment,
    SchemeItem,
    SchemeVersion,
    Scorecard,
    ScorecardLine,
)
from charter.assessment.permissions import (
    can_see_result,
    can_view_assessment,
    can_view_ledger,
)
from charter.assessment.selectors import cycle_ranking, scheme_version_in_force, scorecard_list_visible_to
from charter.assessment.serializers import (
    AppealStatusField,
    AssessmentAppealDecideInputSerializer,
    AssessmentAppealOutputSerializer,
    AssessmentCalibrateInputSerializer,
    AssessmentCycleCreateInputSerializer,
    AssessmentCycleOutputSerializer,
    AssessmentEvidenceOutputSerializer,
    AssessmentLedgerEntryOutputSerializer,
    AssessmentLockInputSerializer,
    AssessmentReasonInputSerializer,
    AssessmentSchemeDetailOutputSerializer,
    AssessmentSchemeListOutputSerializer,
    AssessmentScorecardDetailOutputSerializer,
    AssessmentScorecardListOutputSerializer,
    AssessmentScoreInputSerializer,
    AssessmentSelfAssessmentInputSerializer,
    CycleStatusField,
    LedgerKindField,
    ScorecardStatusField,
)
from charter.common.api import KnownParametersMixin, list_response
from charter.common.http import id_or_404
from charter.common.models import localized
from charter.common.policy import require

ERROR = OpenApiResponse(description='An error: `{"code": …, "detail": …}` (and `fields` for bad input).')
NOT_FOUND = OpenApiResponse(description="`not_found`: missing, or outside the caller's scope.")
FORBIDDEN = OpenApiResponse(
    description="The refusal of the step's predicate: `assessment_run_denied`, `assessment_approve_denied`, "
    "`assessment_not_yours`, `assessment_not_assessor`, `assessment_self_assessment`, "
    "`assessment_step_closed`, `assessment_appeal_twice`, `assessment_appeal_closed`, "
    "`assessment_appeal_denied`, `assessment_appeal_party` or `assessment_view_denied`."
)
CONFLICT = OpenApiResponse(
    description="`conflict` (the `lock_version` sent is stale: reload and try again) or `invalid_transition` "
    "(the workflow does not allow the step now, e.g. scorecards not scored yet)."
)
STALE_EXAMPLE = OpenApiExample(
    "A stale lock_version",
    response_only=True,
    status_codes=["409"],
    value={"code": "conflict", "detail": "其他人已修改此考核，请刷新后重试。"},
)
WRITES = {400: ERROR, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT}
CODE = OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, description="The line's code.")


def _require_staff(request: Request) -> User:
    """The caller, once `can_view_assessment` lets him into assessment at all (else 403)."""
    user = request_user(request)
    require(can_view_assessment(user))
    return user


def _query(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    """The list's filters from the query string, checked for shape (400 `invalid` with `fields`)."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return {key: value for key, value in serializer.validated_data.items() if value not in (None, "")}


# Schemes ------------------------------------------------------------------------------------------------


class SchemeViewSet(KnownParametersMixin, viewsets.GenericViewSet[Scheme]):
    """Assessment schemes and their published rules, read-only: schemes are written and published on the
    desk pages (/desk/assessment/), where each version is checked whole and acknowledged by the staff."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = AssessmentSchemeListOutputSerializer
    queryset = Scheme.objects.none()

    @extend_schema(
        description="The assessment schemes with the number of the version in force (members of staff). "
        "Read-only: schemes are written and published on the desk pages.",
        responses={200: AssessmentSchemeListOutputSerializer(many=True), 403: ERROR},
    )
    def list(self, request: Request) -> Response:
        """List the schemes."""
        _require_staff(request)
        schemes = Scheme.objects.order_by("code")
        page = self.paginate_queryset(schemes)
        rows = page if page is not None else list(schemes)
        context = {"versions": {scheme.pk: scheme_version_in_force(scheme=scheme) for scheme in rows}}
        data = AssessmentSchemeListOutputSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(
        description="A scheme with the rules of its version in force: items and weights, indicator curves, "
        "bonus and deduction items with their caps, grade bands, quota, final formula, step deadlines and "
        "the outcome of each grade. Read-only: schemes are written and published on the desk pages.",
        responses={200: AssessmentSchemeDetailOutputSerializer, 403: ERROR, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """Return a scheme and its published version."""
        _require_staff(request)
        scheme = Scheme.objects.filter(pk=id_or_404(pk)).first()
        if scheme is None:
            raise Http404
        version = scheme_version_in_force(scheme=scheme)
        if version is not None:
            version = (
                SchemeVersion.objects.filter(pk=version.pk)
                .prefetch_related("items", "adjustments", "outcome_rules")
                .get()
            )
        context = {"versions": {scheme.pk: version}}
        return Response(AssessmentSchemeDetailOutputSerializer(scheme, context=context).data)


# Cycles -------------------------------------------------------------------------------------------------


class CycleQuerySerializer(serializers.Serializer[Any]):
    scheme = serializers.IntegerField(required=False, min_value=1)
    status = CycleStatusField(required=False)


def _cycle_list_visible_to(user: User) -> QuerySet[Cycle]:
    """The cycles with a scorecard `user` may see (every cycle for those who run, approve or see all)."""
    return (
        Cycle.objects.filter(pk__in=scorecard_list_visible_to(user=user).values("cycle_id"))
        .select_related("scheme", "version")
        .order_by("-period_start", "scheme__code")
    )


def _scorecard_counts(user: User, cycle_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per cycle, the scorecards `user` may see by status. One query."""
    counts: dict[int, dict[str, int]] = {}
    rows = (
        scorecard_list_visible_to(user=user)
        .filter(cycle_id__in=cycle_ids)
        .order_by()
        .values("cycle_id", "status")
        .annotate(count=Count("pk"))
    )
    for row in rows:
        counts.setdefault(row["cycle_id"], {})[row["status"]] = row["count"]
    return counts


class CycleViewSet(KnownParametersMixin, viewsets.GenericViewSet[Cycle]):
    """Assessment cycles: list, read, open, and their steps (advance, approve, return, recalculate, close)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = AssessmentCycleOutputSerializer
    queryset = Cycle.objects.none()

    def _cycle(self, request: Request, pk: Any) -> Cycle:
        # Outside the caller's scope (a customer's too) is 404, like a missing row, as the pages answer.
        found = _cycle_list_visible_to(request_user(request)).filter(pk=id_or_404(pk)).first()
        if found is None:
            raise Http404
        return found

    def _detail(self, request: Request, cycle: Cycle, code: int = status.HTTP_200_OK) -> Response:
        user = request_user(request)
        fresh = Cycle.objects.select_related("scheme", "version").get(pk=cycle.pk)
        context = {"counts": _scorecard_counts(user, [fresh.pk])}
        return Response(AssessmentCycleOutputSerializer(fresh, context=context).data, status=code)

    @extend_schema(
        parameters=[CycleQuerySerializer],
        responses={200: AssessmentCycleOutputSerializer(many=True), 403: ERROR},
    )
    def list(self, request: Request) -> Response:
        """List the cycles the caller sees a scorecard of, newest period first, with their scorecards (those
        he sees) counted by status."""
        user = _require_staff(request)
        filters = _query(CycleQuerySerializer, request)
        found = _cycle_list_visible_to(user)
        if "scheme" in filters:
            found = found.filter(scheme_id=filters["scheme"])
        if "status" in filters:
            found = found.filter(status=filters["status"])
        page = self.paginate_queryset(found)
        rows = page if page is not None else list(found)
        context = {"counts": _scorecard_counts(user, [cycle.pk for cycle in rows])}
        data = AssessmentCycleOutputSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(responses={200: AssessmentCycleOutputSerializer, 403: ERROR, 404: NOT_FOUND})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """Return a cycle: its step, period, the step's due date and its scorecards counted by status."""
        return self._detail(request, self._cycle(request, pk))

    @extend_schema(
        request=AssessmentCycleCreateInputSerializer,
        responses={201: AssessmentCycleOutputSerializer, 400: ERROR, 403: FORBIDDEN},
        examples=[
            OpenApiExample("March", request_only=True, value={"scheme": 3, "period_start": "2026-03-01"}),
            OpenApiExample(
                "A period not begun yet",
                response_only=True,
                status_codes=["400"],
                value={
                    "code": "assessment_period_invalid",
                    "detail": "该考核期尚未开始。",
                    "fields": {
                        "period_start": [
                            {"code": "assessment_period_invalid", "detail": "该考核期尚未开始。"}
                        ]
                    },
                },
            ),
        ],
    )
    def create(self, request: Request) -> Response:
        """Open the cycle of a scheme for a period (those who run cycles): every covered person's indicators
        are snapshot into a scorecard at self-assessment."""
        user = _require_staff(request)
        serializer = AssessmentCycleCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        cycle = cycles.cycle_open(actor=user, scheme=data["scheme"], period_start=data["period_start"])
        return self._detail(request, cycle, status.HTTP_201_CREATED)

    @extend_schema(
        request=AssessmentLockInputSerializer,
        responses={200: AssessmentCycleOutputSerializer, **WRITES},
        examples=[OpenApiExample("Advance", request_only=True, value={"lock_version": 3}), STALE_EXAMPLE],
    )
    @action(detail=True, methods=["post"])
    def advance(self, request: Request, pk: str | None = None) -> Response:
        """End the current step (self-assessment, supervisor scoring or calibration) and start the next."""
        cycle = self._cycle(request, pk)
        data = _valid(AssessmentLockInputSerializer, request)
        moved = cycles.cycle_advance(
            actor=request_user(request), cycle=cycle, expected_version=data["lock_version"]
        )
        return self._detail(request, moved)

    @extend_schema(
        request=AssessmentLockInputSerializer,
        responses={200: AssessmentCycleOutputSerializer, **WRITES},
        examples=[OpenApiExample("Approve", request_only=True, value={"lock_version": 5}), STALE_EXAMPLE],
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """The head approves the cycle (never one that assesses him): every scorecard is published."""
        cycle = self._cycle(request, pk)
        data = _valid(AssessmentLockInputSerializer, request)
        moved = cycles.cycle_approve(
            actor=request_user(request), cycle=cycle, expected_version=data["lock_version"]
        )
        return self._detail(request, moved)

    @extend_schema(
        request=AssessmentReasonInputSerializer,
        responses={200: AssessmentCycleOutputSerializer, **WRITES},
        examples=[
            OpenApiExample(
                "Back to calibration",
                request_only=True,
                value={"lock_version": 5, "reason": "二组优秀比例偏高，请重新校准。"},
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request: Request, pk: str | None = None) -> Response:
        """The head sends the cycle back from approval to calibration, saying why."""
        cycle = self._cycle(request, pk)
        data = _valid(AssessmentReasonInputSerializer, request)
        moved = cycles.cycle_return(
            actor=request_user(request),
            cycle=cycle,
            reason=data["reason"],
            expected_version=data["lock_version"],
        )
        return self._detail(request, moved)

    @extend_schema(
        request=AssessmentLockInputSerializer,
        responses={200: AssessmentCycleOutputSerializer, **WRITES},
        examples=[OpenApiExample("Recalculate", request_only=True, value={"lock_version": 2})],
    )
    @action(detail=True, methods=["post"])
    def recalculate(self, request: Request, pk: str | None = None) -> Response:
        """Compute the indicators again (before publication); each difference goes on the scorecard's
        timeline and the scores follow."""
        cycle = self._cycle(request, pk)
        data = _valid(AssessmentLockInputSerializer, request)
        cycles.cycle_recalculate(
            actor=request_user(request), cycle=cycle, expected_version=data["lock_version"]
        )
        return self._detail(request, cycle)

    @extend_schema(
        request=AssessmentLockInputSerializer,
        responses={200: AssessmentCycleOutputSerializer, **WRITES},
        examples=[OpenApiExample("Close", request_only=True, value={"lock_version": 6})],
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Make the published cycle final once no appeal waits and every appeal window has passed; the
        outcomes go to the ledger."""
        cycle = self._cycle(request, pk)
        data = _valid(AssessmentLockInputSerializer, request)
        moved = cycles.cycle_close(
            actor=request_user(request), cycle=cycle, expected_version=data["lock_version"]
        )
        return self._detail(request, moved)


def _valid(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    """The request body checked for shape (400 `invalid` with `fields`)."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# Scorecards ---------------------------------------------------------------------------------------------


class ScorecardQuerySerializer(serializers.Serializer[Any]):
    cycle = serializers.IntegerField(required=False, min_value=1)
    team = serializers.IntegerField(required=False, min_value=1)
    person = serializers.IntegerField(required=False, min_value=1)
    status = ScorecardStatusField(required=False)


def _results_visible(user: User, cards: list[Scorecard]) -> set[int]:
    """The ids of `cards` whose score and grade `user` may see (`can_see_result`)."""
    return {card.pk for card in cards if can_see_result(user, card)}


def _indicator_of(line: ScorecardLine, adjustments: dict[str, SchemeAdjustment]) -> str:
    """The indicator behind a line: its own code for an indicator, the one a bonus or deduction item is
    counted from; blank for a rating or an item awarded by hand."""
    if line.kind == ScorecardLine.Kind.INDICATOR:
        return line.code
    adjustment = adjustments.get(line.code)
    return adjustment.indicator if adjustment is not None else ""


class ScorecardViewSet(KnownParametersMixin, viewsets.GenericViewSet[Scorecard]):
    """Scorecards: list, read with their lines and the evidence behind each number, and the steps of one
    scorecard (self-assessment, scoring, calibration, acknowledgement, the appeal)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = AssessmentScorecardListOutputSerializer
    queryset = Scorecard.objects.none()

    def _card(self, request: Request, pk: Any) -> Scorecard:
        # Outside the caller's scope (a customer's too) is 404, like a missing row, as the pages answer.
        user = request_user(request)
        found = (
            scorecard_list_visible_to(user=user)
            .select_related("cycle__version")
            .filter(pk=id_or_404(pk))
            .first()
        )
        if found is None:
            raise Http404
        return found

    def _detail(self, request: Request, card: Scorecard) -> Response:
        user = request_user(request)
        fresh = (
            Scorecard.objects.select_related("cycle", "cycle__version", "person", "team")
            .prefetch_related("appeal")
            .get(pk=card.pk)
        )
        visible = _results_visible(user, [fresh])
        version = fresh.cycle.version
        items = {item.code: item for item in SchemeItem.objects.filter(version=version)}
        adjustments = {rule.code: rule for rule in SchemeAdjustment.objects.filter(version=version)}
        lines = [self._line(request, fresh, line, items, adjustments, visible) for line in fresh.lines.all()]
        # As on the scorecard pages: the rank goes with the result (for the person, once published).
        rank = cycle_ranking(cycle=fresh.cycle).get(fresh.person_id) if fresh.pk in visible else None
        context = {"results": visible, "lines": lines, "rank": rank}
        return Response(AssessmentScorecardDetailOutputSerializer(fresh, context=context).data)

    def _line(
        self,
        request: Request,
        card: Scorecard,
        line: ScorecardLine,
        items: dict[str, SchemeItem],
        adjustments: dict[str, SchemeAdjustment],
        visible: set[int],
    ) -> dict[str, Any]:
        indicator = INDICATORS.get(_indicator_of(line, adjustments))
        named: SchemeItem | SchemeAdjustment | None = items.get(line.code) or adjustments.get(line.code)
        name = localized(named, "name") if named is not None else ""
        evidence_url = None
        if indicator is not None:
            path = reverse("assessment-scorecard-evidence", kwargs={"pk": card.pk, "code": line.code})
            evidence_url = request.build_absolute_uri(path)
        return {
            "code": line.code,
            "kind": line.kind,
            "name": name or (str(indicator.name) if indicator is not None else line.code),
            "formula_text": str(indicator.formula_text) if indicator is not None else "",
            "exclusions_text": str(indicator.exclusions_text) if indicator is not None else "",
            "unit": str(indicator.unit) if indicator is not None else "",
            # A count awarded by hand (服务之星) is part of the result; an indicator's value is not.
            "value": line.value if indicator is not None or card.pk in visible else None,
            "sample": line.sample if indicator is not None or card.pk in visible else 0,
            "excluded": line.excluded,
            "points": line.points if card.pk in visible else None,
            "weight": line.weight,
            # The supervisor's comments on his ratings are part of the result; the person's own are his.
            "comment": line.comment if card.pk in visible or line.kind == ScorecardLine.Kind.SELF else "",
            "evidence_url": evidence_url,
        }

    @extend_schema(
        parameters=[ScorecardQuerySerializer],
        responses={200: AssessmentScorecardListOutputSerializer(many=True), 400: ERROR, 403: ERROR},
    )
    def list(self, request: Request) -> Response:
        """List the scorecards the caller may see, newest cycle first; score and grade are null on his own
        until it is published."""
        user = _require_staff(request)
        filters = _query(ScorecardQuerySerializer, request)
        found = scorecard_list_visible_to(user=user)
        for key in ("cycle", "team", "person"):
            if key in filters:
                found = found.filter(**{f"{key}_id": filters[key]})
        if "status" in filters:
            found = found.filter(status=filters["status"])
        page = self.paginate_queryset(found)
        rows = page if page is not None else list(found)
        context = {"results": _results_visible(user, rows)}
        data = AssessmentScorecardListOutputSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(responses={200: AssessmentScorecardDetailOutputSerializer, 403: ERROR, 404: NOT_FOUND})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """Return a scorecard with its lines (each indicator with the link to its evidence) and the person's
        rank in his team and the cycle, shown with the result (to the person once published)."""
        return self._detail(request, self._card(request, pk))

    @extend_schema(
        parameters=[CODE],
        responses={200: AssessmentEvidenceOutputSerializer(many=True), 403: ERROR, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], url_path=r"evidence/(?P<code>[a-z][a-z0-9_]*)")
    def evidence(self, request: Request, pk: str | None = None, code: str | None = None) -> Response:
        """The rows behind a line's value over the cycle's period (at most 200, newest first): what was
        counted, and what was left out and why; each with the link to its page on the desk, or null when the
        caller may not see that object."""
        card = self._card(request, pk)
        line = ScorecardLine.objects.filter(scorecard=card, code=code or "").first()
        adjustments = {
            rule.code: rule for rule in SchemeAdjustment.objects.filter(version=card.cycle.version)
        }
        indicator = INDICATORS.get(_indicator_of(line, adjustments)) if line is not None else None
        if indicator is None:
            raise Http404
        rows = indicator.evidence(Period(card.cycle.period_start, card.cycle.period_end), card.person_id)
        shown = evidence_for_reader(rows, request_user(request))
        data = [
            {
                "kind": str(row.kind),
                "object_id": row.object_id,
                "label": row.label,
                "at": row.at,
                "counted": row.counted,
                "reason": str(row.reason),
                "detail": str(row.detail),
                "is_hit": row.is_hit,
                "in_sample": row.in_sample,
                "link": request.build_absolute_uri(link) if link is not None else None,
            }
            for row, link in shown
        ]
        return Response(AssessmentEvidenceOutputSerializer(data, many=True).data)

    @extend_schema(
        request=AssessmentSelfAssessmentInputSerializer,
        responses={200: AssessmentScorecardDetailOutputSerializer, **WRITES},
        examples=[
            OpenApiExample(
                "Self-assessment",
                request_only=True,
                value={
                    "lock_version": 1,
                    "ratings": {"self_review": "85"},
                    "comments": {"self_review": "本月电话接通率有提升。"},
                    "comment": "本月处理了较多停水投诉，回访及时。",
                },
            ),
            STALE_EXAMPLE,
        ],
    )
    @action(detail=True, methods=["post"], url_path="self-assessment")
    def self_assessment(self, request: Request, pk: str | None = None) -> Response:
        """The person rates his self-assessment items and writes his summary (at self-assessment)."""
        card = self._card(request, pk)
        data = _valid(AssessmentSelfAssessmentInputSerializer, request)
        done = cycles.scorecard_self_submit(
            actor=request_user(request),
            scorecard=card,
            ratings=data["ratings"],
            comments=data["comments"],
            comment=data["comment"],
            expected_version=data["lock_version"],
        )
        return self._detail(request, done)

    @extend_schema(
        request=AssessmentScoreInputSerializer,
        responses={200: AssessmentScorecardDetailOutputSerializer, **WRITES},
        examples=[
            OpenApiExample(
                "Scoring",
                request_only=True,
                value={
                    "lock_version": 2,
                    "ratings": {"attitude": "90"},
                    "awards": {"service_star": 1},
                    "comments": {"attitude": "多次获得客户表扬。"},
                    "comment": "工作积极，继续保持。",
                },
            ),
            OpenApiExample(
                "A rating out of range",
                response_only=True,
                status_codes=["400"],
                value={
                    "code": "assessment_points_invalid",
                    "detail": "请填写 0 至 100 分，最多两位小数。",
                    "fields": {
                        "rating_attitude": [
                            {
                                "code": "assessment_points_invalid",
                                "detail": "请填写 0 至 100 分，最多两位小数。",
                            }
                        ]
                    },
                },
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def score(self, request: Request, pk: str | None = None) -> Response:
        """The supervisor rates the items he rates, counts the items he awards and comments (at supervisor
        scoring; never his own scorecard)."""
        card = self._card(request, pk)
        data = _valid(AssessmentScoreInputSerializer, request)
        done = cycles.scorecard_score(
            actor=request_user(request),
            scorecard=card,
            ratings=data["ratings"],
            awards=data["awards"],
            comments=data["comments"],
            comment=data["comment"],
            expected_version=data["lock_version"],
        )
        return self._detail(request, done)

    @extend_schema(
        request=AssessmentCalibrateInputSerializer,
        responses={200: AssessmentScorecardDetailOutputSerializer, **WRITES},
        examples=[
            OpenApiExample(
                "Calibrate",
                request_only=True,
                value={"lock_version": 3, "grade": "good", "reason": "跨班组校准：质检抽样偏少。"},
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def calibrate(self, request: Request, pk: str | None = None) -> Response:
        """At calibration, set another grade with the reason (those who run cycles; never their own)."""
        card = self._card(request, pk)
        data = _valid(AssessmentCalibrateInputSerializer, request)
        done = cycles.scorecard_calibrate(
            actor=request_user(request),
            scorecard=card,
            grade=data["grade"],
            reason=data["reason"],
            expected_version=data["lock_version"],
        )
        return self._detail(request, done)

    @extend_schema(
        request=AssessmentLockInputSerializer,
        responses={200: AssessmentScorecardDetailOutputSerializer, **WRITES},
        examples=[OpenApiExample("Acknowledge", request_only=True, value={"lock_version": 4})],
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        """The person confirms he has seen his published scorecard (he may still appeal in the window)."""
        card = self._card(request, pk)
        data = _valid(AssessmentLockInputSerializer, request)
        done = cycles.scorecard_acknowledge(
            actor=request_user(request), scorecard=card, expected_version=data["lock_version"]
        )
        return self._detail(request, done)

    @extend_schema(
        request=AssessmentReasonInputSerializer,
        responses={201: AssessmentAppealOutputSerializer, **WRITES},
        examples=[
            OpenApiExample(
                "Appeal",
                request_only=True,
                value={"lock_version": 5, "reason": "3 月 12 日的质检评分未考虑系统故障。"},
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def appeal(self, request: Request, pk: str | None = None) -> Response:
        """The person appeals his published scorecard, once, within the appeal window, with his grounds."""
        card = self._card(request, pk)
        data = _valid(AssessmentReasonInputSerializer, request)
        filed = cycles.appeal_file(
            actor=request_user(request),
            scorecard=card,
            reason=data["reason"],
            expected_version=data["lock_version"],
        )
        return Response(
            AssessmentAppealOutputSerializer(_appeal_loaded(filed.pk)).data, status.HTTP_201_CREATED
        )


# Appeals ------------------------------------------------------------------------------------------------


class AppealQuerySerializer(serializers.Serializer[Any]):
    cycle = serializers.IntegerField(required=False, min_value=1)
    status = AppealStatusField(required=False)


def _appeal_list_visible_to(user: User) -> QuerySet[Appeal]:
    """The appeals against the scorecards `user` may see, newest first."""
    return (
        Appeal.objects.filter(scorecard__in=scorecard_list_visible_to(user=user).values("pk"))
        .select_related("scorecard", "scorecard__person")
        .order_by("-filed_at", "pk")
    )


def _appeal_loaded(pk: int) -> Appeal:
    return Appeal.objects.select_related("scorecard", "scorecard__person").get(pk=pk)


class AppealViewSet(KnownParametersMixin, viewsets.GenericViewSet[Appeal]):
    """Appeals against published scorecards: list, read and decide."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = AssessmentAppealOutputSerializer
    queryset = Appeal.objects.none()

    def _appeal(self, request: Request, pk: Any) -> Appeal:
        # Outside the caller's scope (a customer's too) is 404, like a missing row, as the pages answer.
        found = _appeal_list_visible_to(request_user(request)).filter(pk=id_or_404(pk)).first()
        if found is None:
            raise Http404
        return found

    @extend_schema(
        parameters=[AppealQuerySerializer],
        responses={200: AssessmentAppealOutputSerializer(many=True), 400: ERROR, 403: ERROR},
    )
    def list(self, request: Request) -> Response:
        """List the appeals against the scorecards the caller may see, newest first."""
        user = _require_staff(request)
        filters = _query(AppealQuerySerializer, request)
        found = _appeal_list_visible_to(user)
        if "cycle" in filters:
            found = found.filter(scorecard__cycle_id=filters["cycle"])
        if "status" in filters:
            found = found.filter(status=filters["status"])
        return list_response(self, found, AssessmentAppealOutputSerializer)

    @extend_schema(responses={200: AssessmentAppealOutputSerializer, 403: ERROR, 404: NOT_FOUND})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """Return an appeal."""
        return Response(AssessmentAppealOutputSerializer(self._appeal(request, pk)).data)

    @extend_schema(
        request=AssessmentAppealDecideInputSerializer,
        responses={200: AssessmentAppealOutputSerializer, **WRITES},
        examples=[
            OpenApiExample(
                "Partly upheld",
                request_only=True,
                value={
                    "lock_version": 1,
                    "status": "partly",
                    "decision": "系统故障期间的两通电话不计入质检。",
                    "new_grade": "good",
                },
            ),
            OpenApiExample(
                "Rejected",
                request_only=True,
                value={"lock_version": 1, "status": "rejected", "decision": "评分有录音为证。"},
            ),
            OpenApiExample(
                "A party to the result",
                response_only=True,
                status_codes=["403"],
                value={
                    "code": "assessment_appeal_party",
                    "detail": "您曾为该考核表评分、校准或审批，或它是您本人的：申诉由他人裁决。",
                },
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """Decide the appeal (someone who neither scored, calibrated nor approved the scorecard): upheld or
        partly upheld with the new grade, or rejected; the scorecard becomes final."""
        found = self._appeal(request, pk)
        data = _valid(AssessmentAppealDecideInputSerializer, request)
        decided = cycles.appeal_decide(
            actor=request_user(request),
            appeal=found,
            status=data["status"],
            decision=data["decision"],
            new_grade=data["new_grade"],
            expected_version=data["lock_version"],
        )
        return Response(AssessmentAppealOutputSerializer(_appeal_loaded(decided.pk)).data)


# The ledger ---------------------------------------------------------------------------------------------


class LedgerQuerySerializer(serializers.Serializer[Any]):
    cycle = serializers.IntegerField(required=False, min_value=1)
    person = serializers.IntegerField(required=False, min_value=1)
    team = serializers.IntegerField(required=False, min_value=1)
    kind = LedgerKindField(required=False)


class LedgerEntryViewSet(KnownParametersMixin, viewsets.GenericViewSet[LedgerEntry]):
    """The outcome ledger, read-only (the desk's ledger page exports it)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = AssessmentLedgerEntryOutputSerializer
    queryset = LedgerEntry.objects.none()

    @extend_schema(
        parameters=[LedgerQuerySerializer],
        responses={200: AssessmentLedgerEntryOutputSerializer(many=True), 400: ERROR, 403: ERROR},
    )
    def list(self, request: Request) -> Response:
        """List the ledger entries the caller may see: all for HR (export_ledger) and those who see every
        scorecard, those of the teams he leads for a lead; anyone else is refused
        (`assessment_export_denied`)."""
        user = request_user(request)
        require(can_view_ledger(user))
        filters = _query(LedgerQuerySerializer, request)
        entries = ledger_filter(
            ledger_list_visible_to(user=user),
            LedgerFilter(cycle=filters.get("cycle"), team=filters.get("team"), person=filters.get("person")),
        )
        if "kind" in filters:
            entries = entries.filter(kind=filters["kind"])
        return list_response(self, entries, AssessmentLedgerEntryOutputSerializer)


def router_register(router: BaseRouter) -> None:
    """Register this app's API resources."""
    router.register("assessment/schemes", SchemeViewSet, basename="assessment-scheme")
    router.register("assessment/cycles", CycleViewSet, basename="assessment-cycle")
    router.register("assessment/scorecards", ScorecardViewSet, basename="assessment-scorecard")
    router.register("assessment/appeals", AppealViewSet, basename="assessment-appeal")
    router.register("assessment/ledger-entries", LedgerEntryViewSet, basename="assessment-ledger-entry")
