"""REST resources of quality: `qa-reviews` and `scorecards` at /api/v1/.

Each request loads and authorises the row once: a review outside the caller's scope answers 404, like a
missing one (an agent sees his own submitted reviews; a supervisor those of the teams he leads; QA reviewers
and administrators all). Then one service runs, and its refusals come out as {"code", "detail"}: 400 for
bad input (weights not adding up to 100, a self-review), 403 for someone not allowed, 409 for a stale
version, a second dispute, or a step the review is past (`invalid_transition`).
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from charter.accounts.models import User
from charter.accounts.requests import request_user
from charter.cases.models import Case
from charter.cases.selectors import case_get_visible
from charter.common.api import KnownParametersMixin, list_response
from charter.common.idempotency import idempotent
from charter.common.policy import require
from charter.quality.models import Criterion, Review, Scorecard
from charter.quality.permissions import can_draw, can_draw_every_team, can_manage_scorecards
from charter.quality.selectors import (
    dispute_queue_of,
    review_get_for,
    review_list_of_agent,
    review_list_visible_to,
    review_queue_of,
    scorecard_list,
    scorecard_version_draft_of,
)
from charter.quality.serializers import (
    CriterionInputSerializer,
    DecisionInputSerializer,
    ReasonInputSerializer,
    ReviewCreateInputSerializer,
    ReviewDetailOutputSerializer,
    ReviewListOutputSerializer,
    ReviewScoresInputSerializer,
    ScorecardInputSerializer,
    ScorecardOutputSerializer,
)
from charter.quality.services import (
    ScoreInput,
    criterion_save,
    review_acknowledge,
    review_dispute,
    review_dispute_decide,
    review_sample_case,
    review_scores_save,
    scorecard_create,
    scorecard_version_draft_create,
    scorecard_version_publish,
)
from charter.standards.models import StandardClause

ERROR = OpenApiResponse(description='An error: `{"code": …, "detail": …}` (and `fields` for bad input).')
REVIEW_CONFLICT = OpenApiResponse(
    description="`quality_review_changed` (a stale `version`), `quality_already_disputed` (a second "
    "dispute) or `invalid_transition` (the review is past this step)."
)
# What each step of a review (score, acknowledge, dispute, decide) may answer.
REVIEW_STEP_RESPONSES = {
    200: ReviewDetailOutputSerializer,
    400: ERROR,
    403: ERROR,
    404: ERROR,
    409: REVIEW_CONFLICT,
}
QUEUE = OpenApiParameter(
    "queue",
    OpenApiTypes.STR,
    enum=["all", "to_score", "to_decide", "own"],
    description="all (default: every review in scope), to_score (given to me), to_decide (disputes for me), "
    "own (my own reviews as the agent)",
)


def _scores(rows: list[dict[str, Any]]) -> list[ScoreInput]:
    return [
        ScoreInput(
            criterion_id=row["criterion"],
            value=row["value"],
            comment=row["comment"],
            message_id=row["message"],
        )
        for row in rows
    ]


class QaReviewViewSet(KnownParametersMixin, viewsets.GenericViewSet[Review]):
    """QA reviews: list and read in scope, draw a case by hand, score, acknowledge, dispute, decide."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ReviewListOutputSerializer
    queryset = Review.objects.none()

    def _review(self, request: Request, pk: Any) -> Review:
        review = review_get_for(user=request.user, pk=pk)
        if review is None:
            raise Http404
        return review

    def _detail(self, review: Review, code: int = status.HTTP_200_OK) -> Response:
        fresh = (
            Review.objects.select_related(
                "case", "agent", "reviewer", "dispute_handler", "scorecard_version__scorecard"
            )
            .prefetch_related("scores")
            .get(pk=review.pk)
        )
        return Response(ReviewDetailOutputSerializer(fresh).data, status=code)

    @extend_schema(parameters=[QUEUE], responses=ReviewListOutputSerializer(many=True))
    def list(self, request: Request) -> Response:
        """List the reviews in the caller's scope, or one of his queues."""
        user = request.user
        queue = request.query_params.get("queue", "all")
        reviews = {
            "all": review_list_visible_to,
            "to_score": review_queue_of,
            "to_decide": dispute_queue_of,
            "own": review_list_of_agent,
        }.get(queue)
        if reviews is None:
            raise ValidationError({"queue": [_("Unknown queue.")]})
        rows = reviews(user=user)
        return list_response(self, rows, ReviewListOutputSerializer)

    @extend_schema(responses={200: ReviewDetailOutputSerializer, 404: ERROR})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """Return a review with its scores and any dispute."""
        return self._detail(self._review(request, pk))

    @extend_schema(
        request=ReviewCreateInputSerializer,
        responses={201: ReviewDetailOutputSerializer, 400: ERROR, 403: ERROR},
        examples=[OpenApiExample("Draw a case for review", request_only=True, value={"case": 12})],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        """Draw a case for review by hand (administrators, QA reviewers, supervisors for the teams they lead:
        else 403 `quality_review_denied`). The agent must be active staff who worked on the case (resolved
        it, holds it, replied publicly or is named in it), else 400 `quality_not_case_agent`; a reviewer must
        be of the team's pool, else 400 `quality_reviewer_out_of_scope`, and not the agent himself, else 400
        `quality_self_review`. Nothing is written when refused."""
        user = request_user(request)
        serializer = ReviewCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        require(can_draw(user))
        # QA reviewers and administrators review every team's cases, whether or not they work cases; anyone
        # else names a case he sees, and one he does not is not found, exactly like a missing one.
        if can_draw_every_team(user):
            case = Case.objects.filter(pk=data["case"]).first()
        else:
            case = case_get_visible(user=user, pk=data["case"])
        if case is None:
            raise Http404
        people = {u.pk: u for u in User.objects.filter(pk__in=[data.get("agent"), data.get("reviewer")])}
        for name in ("agent", "reviewer"):
            if data.get(name) is not None and data[name] not in people:
                raise ValidationError({name: [_("No such person.")]})
        review = review_sample_case(
            actor=user,
            case=case,
            agent=people.get(data.get("agent", -1)),
            reviewer=people.get(data.get("reviewer", -1)),
        )
        return self._detail(review, status.HTTP_201_CREATED)

    @extend_schema(
        request=ReviewScoresInputSerializer,
        responses=REVIEW_STEP_RESPONSES,
        examples=[
            OpenApiExample(
                "Score and submit",
                request_only=True,
                value={
                    "version": 1,
                    "submit": True,
                    "summary": "回复中出现不当用语。",
                    "scores": [
                        {"criterion": 1, "value": 1, "comment": "", "message": None},
                        {"criterion": 2, "value": 2, "comment": "“这事不归我管”", "message": 31},
                    ],
                },
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="scores")
    def scores(self, request: Request, pk: str | None = None) -> Response:
        """Save the reviewer's scores; with `submit`, compute the overall and compliance scores."""
        review = self._review(request, pk)
        serializer = ReviewScoresInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        review = review_scores_save(
            actor=request_user(request),
            review=review,
            version=data["version"],
            scores=_scores(data["scores"]),
            summary=data.get("summary"),
            submit=data["submit"],
        )
        return self._detail(review)

    @extend_schema(request=None, responses=REVIEW_STEP_RESPONSES)
    @action(detail=True, methods=["post"], url_path="acknowledge")
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        """The agent accepts his review."""
        return self._detail(review_acknowledge(actor=request_user(request), review=self._review(request, pk)))

    @extend_schema(
        request=ReasonInputSerializer,
        responses=REVIEW_STEP_RESPONSES,
        examples=[
            OpenApiExample("Dispute", request_only=True, value={"reason": "客户先出言不逊，我已道歉。"})
        ],
    )
    @action(detail=True, methods=["post"], url_path="dispute")
    def dispute(self, request: Request, pk: str | None = None) -> Response:
        """The agent disputes his review, once, with a reason."""
        review = self._review(request, pk)
        serializer = ReasonInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._detail(
            review_dispute(
                actor=request_user(request), review=review, reason=serializer.validated_data["reason"]
            )
        )

    @extend_schema(
        request=DecisionInputSerializer,
        responses=REVIEW_STEP_RESPONSES,
        examples=[
            OpenApiExample(
                "Amend one score",
                request_only=True,
                value={
                    "decision": "amended",
                    "reason": "录音显示已问候。",
                    "scores": [{"criterion": 1, "value": 1}],
                },
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="decision")
    def decision(self, request: Request, pk: str | None = None) -> Response:
        """Decide a dispute given to the caller: uphold, or amend the scores."""
        review = self._review(request, pk)
        serializer = DecisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        review = review_dispute_decide(
            actor=request_user(request),
            review=review,
            decision=data["decision"],
            reason=data["reason"],
            scores=_scores(data["scores"]),
        )
        return self._detail(review)


class ScorecardViewSet(KnownParametersMixin, viewsets.GenericViewSet[Scorecard]):
    """Scorecards with their versions and criteria; administrators create, add criteria and publish."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ScorecardOutputSerializer
    queryset = Scorecard.objects.none()

    def _rows(self) -> QuerySet[Scorecard]:
        return scorecard_list().prefetch_related("versions__criteria__clause__version__document")

    def _scorecard(self, request: Request, pk: Any) -> Scorecard:
        user = request.user
        if not isinstance(user, User) or not user.is_staff_member:
            raise Http404
        try:
            key = int(str(pk))
        except (TypeError, ValueError):
            raise Http404 from None
        scorecard = self._rows().filter(pk=key).first()
        if scorecard is None:
            raise Http404
        return scorecard

    def _require_manager(self, request: Request) -> User:
        user = request_user(request)
        require(can_manage_scorecards(user))
        return user

    def _detail(self, scorecard: Scorecard, code: int = status.HTTP_200_OK) -> Response:
        fresh = self._rows().get(pk=scorecard.pk)
        return Response(ScorecardOutputSerializer(fresh).data, status=code)

    @extend_schema(responses=ScorecardOutputSerializer(many=True))
    def list(self, request: Request) -> Response:
        """List the scorecards with their versions and criteria (staff)."""
        user = request.user
        rows = self._rows() if isinstance(user, User) and user.is_staff_member else Scorecard.objects.none()
        return list_response(self, rows, ScorecardOutputSerializer)

    @extend_schema(responses={200: ScorecardOutputSerializer, 404: ERROR})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """Return a scorecard with its versions and criteria."""
        return self._detail(self._scorecard(request, pk))

    @extend_schema(
        request=ScorecardInputSerializer,
        responses={201: ScorecardOutputSerializer, 400: ERROR, 403: ERROR},
        examples=[
            OpenApiExample(
                "A scorecard",
                request_only=True,
                value={"code": "phone", "name_zh": "电话服务质检", "name_en": ""},
            )
        ],
    )
    def create(self, request: Request) -> Response:
        """Create a scorecard with an empty draft version 1 (administrators)."""
        user = self._require_manager(request)
        serializer = ScorecardInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        scorecard = scorecard_create(
            actor=user, code=data["code"], name_zh=data["name_zh"], name_en=data["name_en"]
        )
        return self._detail(scorecard, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: ScorecardOutputSerializer, 403: ERROR, 404: ERROR})
    @action(detail=True, methods=["post"], url_path="versions")
    def versions(self, request: Request, pk: str | None = None) -> Response:
        """Start the next version as a draft holding a copy of the current criteria (administrators)."""
        user = self._require_manager(request)
        scorecard = self._scorecard(request, pk)
        scorecard_version_draft_create(actor=user, scorecard=scorecard)
        return self._detail(scorecard, status.HTTP_201_CREATED)

    @extend_schema(
        request=CriterionInputSerializer,
        responses={201: ScorecardOutputSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
        examples=[
            OpenApiExample(
                "A criterion",
                request_only=True,
                value={
                    "section": "communication",
                    "title_zh": "语气友好耐心，无不当用语",
                    "clause": 17,
                    "weight": 30,
                    "scale": "one_to_five",
                },
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="criteria")
    def criteria(self, request: Request, pk: str | None = None) -> Response:
        """Add a criterion to the draft version (administrators). A clause outside a published code of
        conduct is refused with `quality_unpublished_clause`."""
        user = self._require_manager(request)
        scorecard = self._scorecard(request, pk)
        serializer = CriterionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        draft = scorecard_version_draft_of(scorecard=scorecard)
        if draft is None:
            raise ValidationError({"detail": [_("Start a new version first.")]})
        clause = StandardClause.objects.select_related("version__document").filter(pk=data["clause"]).first()
        if clause is None:
            raise ValidationError({"clause": [_("No such clause.")]})
        criterion = Criterion(
            version=draft,
            clause=clause,
            section=data["section"],
            ordering=data["ordering"],
            title_zh=data["title_zh"],
            title_en=data["title_en"],
            guidance=data["guidance"],
            weight=data["weight"],
            scale=data["scale"],
            is_auto_fail=data["is_auto_fail"],
            is_compliance=data["is_compliance"],
            allows_not_applicable=data["allows_not_applicable"],
        )
        criterion_save(actor=user, criterion=criterion)
        return self._detail(scorecard, status.HTTP_201_CREATED)

    @extend_schema(
        request=None, responses={200: ScorecardOutputSerializer, 400: ERROR, 403: ERROR, 404: ERROR}
    )
    @action(detail=True, methods=["post"], url_path="publish")
    def publish(self, request: Request, pk: str | None = None) -> Response:
        """Publish the draft version (administrators). Weights of the scored criteria that do not add up to
        100 are refused with `quality_weights_not_100`."""
        user = self._require_manager(request)
        scorecard = self._scorecard(request, pk)
        draft = scorecard_version_draft_of(scorecard=scorecard)
        if draft is None:
            raise ValidationError({"detail": [_("There is no draft to publish.")]})
        scorecard_version_publish(actor=user, version=draft)
        return self._detail(scorecard)


def router_register(router: BaseRouter) -> None:
    """Register this app's API resources."""
    router.register("qa-reviews", QaReviewViewSet, basename="qa-review")
    router.register("scorecards", ScorecardViewSet, basename="scorecard")
