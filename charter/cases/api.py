"""REST endpoints of cases at /api/v1/cases/.

Staff work the cases in their scope; a signed-in customer reads and writes his own. Each request loads and
authorises the case once (outside the caller's scope it answers 404, like a missing case), then calls one
service, whose refusals come out as {"code", "detail"}: 409 for an invalid transition or a stale version.
"""

import builtins
from collections.abc import Sequence
from typing import Any

from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from charter.accounts.models import Customer
from charter.accounts.requests import request_user
from charter.cases import selectors
from charter.cases.checks import ReplyCheckWarningError, case_reply_checked
from charter.cases.conf import cases_setting
from charter.cases.errors import ErrorCode
from charter.cases.models import Case, CaseAttachment, CaseCategory, CaseChannel, CaseMessage
from charter.cases.permissions import (
    can_add_internal_note,
    can_customer_act,
    can_see_internal_notes,
    is_case_staff,
)
from charter.cases.search import case_search_filter
from charter.cases.serializers import (
    AppealInputSerializer,
    ArrivalInputSerializer,
    AssignInputSerializer,
    AttachmentInputSerializer,
    AttachmentOutputSerializer,
    CaseCreateInputSerializer,
    CaseDetailOutputSerializer,
    CaseListOutputSerializer,
    CaseReferenceInputSerializer,
    CaseUpdateInputSerializer,
    LinkedCaseOutputSerializer,
    MessageInputSerializer,
    MessageOutputSerializer,
    ResolveInputSerializer,
    TrackingLinkInputSerializer,
    TrackingLinkOutputSerializer,
    TransitionInputSerializer,
)
from charter.cases.services import (
    attachment_add,
    case_accept,
    case_appeal,
    case_arrival_record,
    case_assign,
    case_create,
    case_customer_reply,
    case_link,
    case_merge,
    case_resolve,
    case_tracking_token_revoke,
    case_tracking_token_rotate,
    case_transition,
    case_update,
)
from charter.cases.services.contact import customer_contact_view
from charter.cases.throttle import intake_require
from charter.catalog.models import Service
from charter.common.api import (
    IF_MATCH,
    VERSION_REQUIRED,
    KnownParametersMixin,
    expected_version,
    list_response,
)
from charter.common.errors import DomainError
from charter.common.files import stored_file_response
from charter.common.http import int_param
from charter.common.idempotency import idempotent
from charter.common.pagination import CursorOrPagePagination, cursor_ordering_for
from charter.common.policy import require
from charter.common.unset import UNSET
from charter.privacy.consent import NOTICE_VERSION, ConsentAnswers
from charter.privacy.models import ConsentPurpose, ConsentRecord

ERROR = OpenApiResponse(description='An error: `{"code": …, "detail": …}` (and `fields` for bad input).')
CONFLICT = OpenApiResponse(
    description="`invalid_transition` (the workflow does not allow it) or `conflict` (a stale `version`)."
)
REPLY_CONFLICT = OpenApiResponse(
    description="`conflict` (a stale `version`), or `reply_check_warning`: the reply was held because checks "
    "warned (`warnings`: code, message, excerpt and the clause each cites); send it again with an "
    "`override_reason` to send it anyway."
)
QUEUE = OpenApiParameter(
    "queue",
    OpenApiTypes.STR,
    enum=list(selectors.QUEUES),
    description="all (default), mine, my_teams, unassigned, due_soon, breached",
)
# Cursor pages need an order by a column that never changes and is indexed: the number (unique), which rises
# as cases arrive, so -number is newest first. At 1,000,000 cases on PostgreSQL a page ordered by number
# reads 51 index entries (0.1 ms); by created_at (no index) it sorts the table (0.7 s).
CURSOR_ORDERS: dict[str, Sequence[str]] = {"-number": ("-number",), "number": ("number",)}
ORDER = OpenApiParameter(
    "order",
    OpenApiTypes.STR,
    enum=list(selectors.ORDERS),
    description="Default: deadline (earliest first). With `?cursor=` only -number (the default there: newest "
    "first) or number: a deadline or an update time moves while a client pages.",
)
FILTER_DESCRIPTIONS = {
    "status": "Only cases with this status (comma-separated: any).",
    "kind": "Only cases of this kind (comma-separated: any).",
    "priority": "Only cases with this priority (comma-separated: any).",
    "channel": "Only cases from this channel (comma-separated: any).",
    "team": "Only cases of this team, by id (comma-separated: any).",
    "assignee": "Only cases handled by this person, by id, or `none` (comma-separated: any).",
    "service": "Only cases of this service, by id or slug (comma-separated: any).",
    "category": "Only cases of this case category, by id or code (comma-separated: any).",
}
FILTER_PARAMETERS = [
    OpenApiParameter(name, OpenApiTypes.STR, description=description)
    for name, description in FILTER_DESCRIPTIONS.items()
] + [OpenApiParameter("open", OpenApiTypes.BOOL, description="Only open (true) or finished (false) cases")]
SEARCH = OpenApiParameter(
    "q",
    OpenApiTypes.STR,
    description="Keywords, as the desk's search box takes them (Chinese or English; text in double quotes "
    "as one phrase): only cases matching all of them, within the queue and the other filters.",
    examples=[
        OpenApiExample("A Chinese keyword", value="态度"),
        OpenApiExample("A phrase", value='"三个小时"'),
    ],
)
_SEARCH_MAX = 200
ATTACHMENT_ID = OpenApiParameter("attachment_id", OpenApiTypes.INT, OpenApiParameter.PATH)
_JSON_BODY_LIMIT = 256 * 1024


def _consent_invalid(detail: str | Promise) -> DomainError:
    return DomainError(detail, code=ErrorCode.CONSENT_INVALID, field="consent")


def consent_answers_parse(
    data: dict[str, Any], *, user: Any, customer: Customer, staff: bool
) -> ConsentAnswers | None:
    """Return the consent a case creation carries, checked for shape: `consent` as {version, purposes,
    how_informed} on the notice in force, with case_handling among the purposes and how_informed from staff;
    or the deprecated bare `consent_version` string, only from a customer and only the version in force.
    None when neither was sent. Anything else raises DomainError case_consent_invalid (writes nothing)."""
    channel = ConsentRecord.Channel.API if staff else ConsentRecord.Channel.WEB
    language = customer.language
    if "consent" in data:
        value = data["consent"]
        if not isinstance(value, dict) or set(value) - {"version", "purposes", "how_informed"}:
            raise _consent_invalid(_("Give consent as an object with version, purposes and how_informed."))
        purposes = value.get("purposes")
        if value.get("version") != NOTICE_VERSION:
            raise _consent_invalid(
                _("The consent must name the personal-data notice in force (version %(version)s).")
                % {"version": NOTICE_VERSION}
            )
        if not isinstance(purposes, list) or not all(isinstance(code, str) for code in purposes):
            raise _consent_invalid(_("List the purposes the customer agreed to."))
        active = set(ConsentPurpose.objects.filter(is_active=True).values_list("code", flat=True))
        if set(purposes) - active or ConsentPurpose.CASE_HANDLING not in purposes:
            raise _consent_invalid(_("The purposes must be known ones and include case_handling."))
        how_informed = value.get("how_informed", "")
        if not isinstance(how_informed, str) or (staff and not how_informed.strip()):
            raise _consent_invalid(_("Say how the customer was told of the personal-data notice."))
        return ConsentAnswers(
            # As on the web form: handling and surveys are always answered (surveys unlisted is a no),
            # another purpose only when listed.
            purposes={
                code: code in purposes
                for code in sorted({ConsentPurpose.CASE_HANDLING, ConsentPurpose.SURVEYS, *purposes})
            },
            channel=channel,
            language=language,
            how_informed=how_informed.strip() if staff else "",
            recorded_by=user if staff else None,
        )
    if "consent_version" in data and data["consent_version"] not in ("", None):
        if staff or data["consent_version"] != NOTICE_VERSION:
            raise _consent_invalid(_("Give consent as an object with version, purposes and how_informed."))
        return ConsentAnswers(
            purposes={ConsentPurpose.CASE_HANDLING: True}, channel=channel, language=language
        )
    return None


class CaseViewSet(KnownParametersMixin, viewsets.GenericViewSet[Case]):
    """Cases: list by queue, read with clocks and timeline, create, change, and work through the workflow."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = CaseListOutputSerializer
    pagination_class = CursorOrPagePagination
    queryset = Case.objects.none()

    def cursor_ordering(self, request: Request) -> Sequence[str]:
        """The order of cursor pages: `?order=` among CURSOR_ORDERS (newest first unless asked)."""
        return cursor_ordering_for(request, choices=CURSOR_ORDERS, default="-number")

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # Refuse an oversized body before parsing it: files up to the attachment limit, JSON far less.
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        is_upload = str(request.content_type or "").startswith("multipart/")
        limit = (
            int(cases_setting("CHARTER_CASES_ATTACHMENT_MAX_BYTES")) + 64 * 1024
            if is_upload
            else _JSON_BODY_LIMIT
        )
        if length > limit:
            raise DomainError(_("The request is too large."), code=ErrorCode.FILE_TOO_LARGE)

    # Helpers ----------------------------------------------------------------------------------------------

    def _case(self, request: Request, pk: Any) -> Case:
        case = selectors.case_get_visible(user=request.user, pk=pk)
        if case is None:
            raise Http404
        return case

    def _other_case(self, request: Request, data: dict[str, Any]) -> Case:
        serializer = CaseReferenceInputSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        other = selectors.case_get_visible(user=request.user, pk=serializer.validated_data["case"])
        if other is None:
            raise ValidationError({"case": [_("No such case.")]})
        return other

    def _detail(self, request: Request, case: Case, code: int = status.HTTP_200_OK) -> Response:
        is_staff = can_see_internal_notes(request.user)
        fresh = (
            Case.objects.select_related(
                "customer", "team", "assignee", "service", "category", "merged_into", "first_handler"
            )
            .prefetch_related("named_staff")
            .get(pk=case.pk)
        )
        context = {
            "is_staff": is_staff,
            "clocks": list(selectors.case_clock_list(case=case)),
            "timeline": list(selectors.case_timeline(case=case, include_internal=is_staff)),
            "links": selectors.case_link_list(case=case, user=request.user) if is_staff else [],
            "customer_contact": (
                customer_contact_view(
                    user=request.user, customer=fresh.customer, looking_at=fresh, request=request._request
                )
                if is_staff
                else None
            ),
        }
        return Response(CaseDetailOutputSerializer(fresh, context=context).data, status=code)

    # Collection -------------------------------------------------------------------------------------------

    @extend_schema(
        parameters=[QUEUE, ORDER, SEARCH, *FILTER_PARAMETERS],
        responses={200: CaseListOutputSerializer(many=True), 400: ERROR},
        examples=[
            OpenApiExample(
                "My teams' open complaints about attitude",
                response_only=True,
                value={
                    "count": 1,
                    "next": None,
                    "previous": None,
                    "results": [
                        {
                            "id": 4182,
                            "number": "TS-2026-004182",
                            "kind": "complaint",
                            "channel": "web",
                            "status": "in_progress",
                            "priority": "high",
                            "title": "窗口工作人员态度生硬",
                            "customer": 3120,
                            "service": "water-connection",
                            "service_id": 7,
                            "category": {"id": 2, "code": "attitude", "name": "服务态度"},
                            "team": {"id": 3, "name": "客服一组"},
                            "assignee": {"id": 15, "name": "王敏"},
                            "received_at": "2026-11-27T09:12:00+08:00",
                            "next_deadline_at": "2026-11-28T09:12:00+08:00",
                            "escalation_level": 0,
                            "version": 3,
                            "created_at": "2026-11-27T09:12:04+08:00",
                            "updated_at": "2026-11-27T10:02:41+08:00",
                        }
                    ],
                },
            ),
            OpenApiExample(
                "A typo'd filter",
                response_only=True,
                status_codes=["400"],
                value={
                    "code": "unknown_parameter",
                    "detail": "Unknown query parameter: stauts. This list knows: assignee, category, …",
                    "unknown": ["stauts"],
                    "known": ["assignee", "category", "channel", "cursor", "format", "kind", "limit", "…"],
                },
            ),
        ],
    )
    def list(self, request: Request) -> Response:
        """List the cases in the caller's scope: one queue, filtered, searched (`q`, the desk's search),
        ordered by the next deadline unless asked otherwise. `?cursor=` pages without a count."""
        params = request.query_params
        filters: dict[str, Any] = {}
        for name in (*FILTER_DESCRIPTIONS, "open"):
            raw = params.get(name, "")
            if raw:
                values = [value for value in raw.split(",") if value]
                if name in ("service", "category"):
                    values = self._ids(name, values)
                elif name in ("team", "assignee") and not all(
                    int_param(value) is not None or (name == "assignee" and value == "none")
                    for value in values
                ):
                    raise ValidationError({name: [_("Give ids.")]})
                filters[name] = values if len(values) > 1 else values[0]
        query = params.get("q", "").strip()
        if len(query) > _SEARCH_MAX:
            raise ValidationError({"q": [_("Search with at most 200 characters.")]})
        cases = selectors.case_queue(
            user=request.user,
            queue=params.get("queue", "all"),
            filters=filters,
            order=params.get("order", "deadline"),
        )
        if query:
            cases = case_search_filter(cases, query)
        context = {"is_staff": can_see_internal_notes(request.user)}
        return list_response(self, cases, CaseListOutputSerializer, context)

    @staticmethod
    def _ids(name: str, values: "builtins.list[str]") -> "builtins.list[str]":
        """The ids of the services (by slug or id) or categories (by code or id) a filter names: each value
        is looked up as a slug or code first, then (digits only) as an id, as the API's fields and the
        catalogue's paths are; a value that names none answers 400, as a typo should."""
        model: Any = Service if name == "service" else CaseCategory
        field = "slug" if name == "service" else "code"
        found = dict(model.objects.filter(**{f"{field}__in": values}).values_list(field, "pk"))
        ids = [str(found[value]) if value in found else value for value in values]
        missing = [value for value in values if value not in found and int_param(value) is None]
        if missing:
            raise ValidationError(
                {name: [_("There is none with the id or slug %(value)s.") % {"value": ", ".join(missing)}]}
            )
        return ids

    @extend_schema(
        request=CaseCreateInputSerializer,
        responses={201: CaseDetailOutputSerializer, 400: ERROR, 403: ERROR, 429: ERROR},
        examples=[
            OpenApiExample(
                "A complaint taken on the phone",
                request_only=True,
                value={
                    "kind": "complaint",
                    "channel": "phone",
                    "customer": 1,
                    "title": "维修人员未按约定时间上门",
                    "description": "约好上午十点维修，等到中午也没有人来，电话也打不通。",
                    "priority": "high",
                    "remedy_sought": "尽快上门维修并说明原因",
                    "named_staff": [5],
                },
            ),
            OpenApiExample(
                "A customer's inquiry about a service, named by its slug",
                request_only=True,
                value={
                    "kind": "inquiry",
                    "channel": "api",
                    "customer": 1,
                    "service": "water-connection",
                    "category": "billing",
                    "title": "报装需要准备哪些材料？",
                    "description": "新房需要开通自来水，请问需要带哪些证件？",
                },
            ),
        ],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        """Record a case. Staff give the customer and the channel; a customer raises his own case (web)."""
        user = request_user(request)
        serializer = CaseCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if is_case_staff(user):
            if "customer" not in data:
                raise ValidationError({"customer": [_("Say who raises the case.")]})
            customer, channel = data["customer"], data.get("channel", CaseChannel.API)
        else:
            own = Customer.objects.filter(user=user).first()
            if own is None:
                raise Http404
            # The web form's limit, on the same per-address counter, and one per customer.
            intake_require(request=request._request, user_id=user.pk)
            customer, channel = own, CaseChannel.WEB
        case = case_create(
            actor=user,
            kind=data["kind"],
            channel=channel,
            customer=customer,
            title=data["title"],
            description=data["description"],
            service=data.get("service"),
            category=data.get("category"),
            priority=data["priority"],
            remedy_sought=data["remedy_sought"],
            named_staff=data.get("named_staff", ()),
            consent=consent_answers_parse(data, user=user, customer=customer, staff=is_case_staff(user)),
            tags=data.get("tags", ()),
            received_at=data.get("received_at"),
        )
        return self._detail(request, case, status.HTTP_201_CREATED)

    # One case ---------------------------------------------------------------------------------------------

    @extend_schema(responses={200: CaseDetailOutputSerializer, 404: ERROR})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """Return a case with its clocks and timeline (customers: public events only)."""
        return self._detail(request, self._case(request, pk))

    @extend_schema(
        parameters=[IF_MATCH],
        request=CaseUpdateInputSerializer,
        responses={
            200: CaseDetailOutputSerializer,
            400: ERROR,
            404: ERROR,
            409: CONFLICT,
            428: VERSION_REQUIRED,
        },
        examples=[
            OpenApiExample(
                "Raise the priority", request_only=True, value={"version": 3, "priority": "urgent"}
            )
        ],
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Change some details (staff); a new priority, kind, channel or service recomputes the clocks."""
        case = self._case(request, pk)
        serializer = CaseUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = case_update(
            actor=request_user(request),
            case=case,
            expected_version=expected_version(request, data.get("version"), code=ErrorCode.VERSION_REQUIRED),
            title=data.get("title", UNSET),
            description=data.get("description", UNSET),
            priority=data.get("priority", UNSET),
            kind=data.get("kind", UNSET),
            channel=data.get("channel", UNSET),
            service=data.get("service", UNSET),
            category=data.get("category", UNSET),
            remedy_sought=data.get("remedy_sought", UNSET),
            tags=data.get("tags", UNSET),
            named_staff=data.get("named_staff", UNSET),
        )
        return self._detail(request, case)

    @extend_schema(responses=MessageOutputSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="messages")
    def messages(self, request: Request, pk: str | None = None) -> Response:
        """List the messages of a case; internal notes only for staff."""
        case = self._case(request, pk)
        is_staff = can_see_internal_notes(request.user)
        messages = selectors.case_message_list(case=case, include_internal=is_staff)
        return list_response(self, messages, MessageOutputSerializer, {"is_staff": is_staff})

    @extend_schema(
        request=MessageInputSerializer,
        responses={201: MessageOutputSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: REPLY_CONFLICT},
        examples=[
            OpenApiExample(
                "A public reply", request_only=True, value={"body": "您好，我们已安排师傅明天上门。"}
            ),
            OpenApiExample(
                "An internal note",
                request_only=True,
                value={"body": "已联系维修班组核实。", "is_internal": True},
            ),
            OpenApiExample(
                "A reply sent despite the checks' warnings",
                request_only=True,
                value={
                    "body": "您好，按阶梯水价计费。",
                    "override_reason": "客户本人使用该术语，已电话解释。",
                },
            ),
        ],
    )
    @messages.mapping.post
    @idempotent
    def message_create(self, request: Request, pk: str | None = None) -> Response:
        """Write on a case: staff reply or add an internal note; the customer writes to staff."""
        case = self._case(request, pk)
        user = request_user(request)
        serializer = MessageInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        message: CaseMessage
        if is_case_staff(user):
            try:
                message = case_reply_checked(
                    actor=user,
                    case=case,
                    body=data["body"],
                    is_internal=data["is_internal"],
                    expected_version=data.get("version"),
                    override_reason=str(request.data.get("override_reason") or ""),
                )
            except ReplyCheckWarningError as held:
                return Response(
                    {
                        "code": held.code,
                        "detail": str(held.message),
                        "warnings": [warning.as_dict() for warning in held.warnings],
                    },
                    status=status.HTTP_409_CONFLICT,
                )
        else:
            if data["is_internal"]:
                require(can_add_internal_note(user, case))
            message = case_customer_reply(case=case, body=data["body"], actor=user)
        output = MessageOutputSerializer(message, context={"is_staff": can_see_internal_notes(user)})
        return Response(output.data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=AttachmentOutputSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="attachments")
    def attachments(self, request: Request, pk: str | None = None) -> Response:
        """List the files of a case; internal ones only for staff."""
        case = self._case(request, pk)
        files = selectors.case_attachment_list(
            case=case, include_internal=can_see_internal_notes(request.user)
        )
        return Response(AttachmentOutputSerializer(files, many=True).data)

    @extend_schema(
        request={"multipart/form-data": AttachmentInputSerializer},
        responses={201: AttachmentOutputSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    @attachments.mapping.post
    @idempotent
    def attachment_create(self, request: Request, pk: str | None = None) -> Response:
        """Upload a file (multipart, field `file`); its type is read from its content, not its name."""
        case = self._case(request, pk)
        serializer = AttachmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        message = None
        if data.get("message"):
            message = CaseMessage.objects.filter(case=case, pk=data["message"]).first()
            if message is None or (message.is_internal and not can_see_internal_notes(request.user)):
                raise ValidationError({"message": [_("No such message on this case.")]})
        attachment = attachment_add(
            actor=request_user(request),
            case=case,
            file=data["file"],
            message=message,
            is_internal=data["is_internal"],
        )
        return Response(AttachmentOutputSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[ATTACHMENT_ID],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: ERROR},
    )
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>[0-9]+)/download")
    def attachment_download(
        self, request: Request, pk: str | None = None, attachment_id: str = ""
    ) -> FileResponse:
        """Download a file. Active content (HTML, SVG, XML, JavaScript) always comes as an attachment."""
        case = self._case(request, pk)
        files = selectors.case_attachment_list(
            case=case, include_internal=can_see_internal_notes(request.user)
        )
        attachment: CaseAttachment | None = files.filter(pk=attachment_id).first()
        if attachment is None:
            raise Http404
        return stored_file_response(attachment)

    @extend_schema(
        parameters=[IF_MATCH],
        request=TransitionInputSerializer,
        responses={
            200: CaseDetailOutputSerializer,
            400: ERROR,
            403: ERROR,
            404: ERROR,
            409: CONFLICT,
            428: VERSION_REQUIRED,
        },
        examples=[
            OpenApiExample(
                "Wait for the customer", request_only=True, value={"to": "waiting_customer", "version": 4}
            ),
            OpenApiExample(
                "Refused step",
                response_only=True,
                status_codes=["409"],
                value={
                    "code": "invalid_transition",
                    "detail": "A case that is Closed cannot become Escalated.",
                },
            ),
        ],
    )
    @action(detail=True, methods=["post"], url_path="transitions")
    def transitions(self, request: Request, pk: str | None = None) -> Response:
        """Move a case to another status, as the workflow allows (staff)."""
        case = self._case(request, pk)
        serializer = TransitionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = case_transition(
            actor=request_user(request),
            case=case,
            to_status=data["to"],
            reason=data["reason"],
            expected_version=expected_version(request, data.get("version"), code=ErrorCode.VERSION_REQUIRED),
        )
        return self._detail(request, case)

    @extend_schema(
        parameters=[IF_MATCH],
        request=AssignInputSerializer,
        responses={
            200: CaseDetailOutputSerializer,
            400: ERROR,
            403: ERROR,
            404: ERROR,
            409: CONFLICT,
            428: VERSION_REQUIRED,
        },
        examples=[
            OpenApiExample(
                "Transfer to another team",
                request_only=True,
                value={"team": 3, "reason": "属于维修班组职责", "version": 5},
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="assign")
    def assign(self, request: Request, pk: str | None = None) -> Response:
        """Assign a case to a member of its team, or transfer it to another team with a reason."""
        case = self._case(request, pk)
        serializer = AssignInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = case_assign(
            actor=request_user(request),
            case=case,
            team=data.get("team"),
            assignee=data.get("assignee"),
            reason=data["reason"],
            expected_version=expected_version(request, data.get("version"), code=ErrorCode.VERSION_REQUIRED),
        )
        return self._detail(request, case)

    @extend_schema(
        parameters=[IF_MATCH],
        request=ResolveInputSerializer,
        responses={
            200: CaseDetailOutputSerializer,
            400: ERROR,
            403: ERROR,
            404: ERROR,
            409: CONFLICT,
            428: VERSION_REQUIRED,
        },
        examples=[
            OpenApiExample(
                "Uphold a complaint",
                request_only=True,
                value={
                    "outcome": "upheld",
                    "reasons": "经核实，维修人员未按约定时间上门，已重新安排并致歉。",
                    "root_cause": "staff_conduct",
                    "remedy_amount": "50.00",
                    "version": 6,
                },
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="resolve")
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        """Resolve a case with the outcome and the reasons the customer is told (never by staff it names)."""
        case = self._case(request, pk)
        serializer = ResolveInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = case_resolve(
            actor=request_user(request),
            case=case,
            outcome=data["outcome"],
            reasons=data["reasons"],
            root_cause=data["root_cause"],
            remedy_amount=data.get("remedy_amount"),
            expected_version=expected_version(request, data.get("version"), code=ErrorCode.VERSION_REQUIRED),
        )
        return self._detail(request, case)

    @extend_schema(
        request=CaseReferenceInputSerializer,
        responses={200: CaseDetailOutputSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    @action(detail=True, methods=["post"], url_path="merge")
    def merge(self, request: Request, pk: str | None = None) -> Response:
        """Merge this case into `case` (the same customer's); answers the case merged into."""
        source = self._case(request, pk)
        target = case_merge(
            actor=request_user(request), source=source, target=self._other_case(request, request.data)
        )
        return self._detail(request, target)

    @extend_schema(
        request=CaseReferenceInputSerializer,
        responses={201: LinkedCaseOutputSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    @action(detail=True, methods=["post"], url_path="link")
    def link(self, request: Request, pk: str | None = None) -> Response:
        """Link this case to another one in the caller's scope."""
        case = self._case(request, pk)
        other = self._other_case(request, request.data)
        case_link(actor=request_user(request), case=case, other=other)
        return Response(LinkedCaseOutputSerializer(other).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: CaseDetailOutputSerializer, 400: ERROR, 404: ERROR})
    @action(detail=True, methods=["post"], url_path="accept")
    def accept(self, request: Request, pk: str | None = None) -> Response:
        """Accept the resolution (the customer); the case closes."""
        case = self._case(request, pk)
        require(can_customer_act(request.user, case))
        return self._detail(request, case_accept(case=case, actor=request_user(request)))

    @extend_schema(
        request=AppealInputSerializer, responses={200: CaseDetailOutputSerializer, 400: ERROR, 404: ERROR}
    )
    @action(detail=True, methods=["post"], url_path="appeal")
    def appeal(self, request: Request, pk: str | None = None) -> Response:
        """Appeal the resolution (the customer, within the appeal window): someone else reconsiders it."""
        case = self._case(request, pk)
        require(can_customer_act(request.user, case))
        serializer = AppealInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = case_appeal(case=case, reason=serializer.validated_data["reason"], actor=request_user(request))
        return self._detail(request, case)

    @extend_schema(
        parameters=[IF_MATCH],
        request=ArrivalInputSerializer,
        responses={
            200: CaseDetailOutputSerializer,
            400: ERROR,
            403: ERROR,
            404: ERROR,
            409: CONFLICT,
            428: VERSION_REQUIRED,
        },
        examples=[
            OpenApiExample(
                "Logged after the visit",
                request_only=True,
                value={"arrived_at": "2026-11-27T10:40:00+08:00", "version": 4},
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="arrival")
    def arrival(self, request: Request, pk: str | None = None) -> Response:
        """Record that staff arrived on site: stops the on-site arrival clock the service's charter started
        (met when on time). The customer sees the visit on his timeline."""
        case = self._case(request, pk)
        serializer = ArrivalInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = case_arrival_record(
            actor=request_user(request),
            case=case,
            arrived_at=data.get("arrived_at"),
            expected_version=expected_version(request, data.get("version"), code=ErrorCode.VERSION_REQUIRED),
        )
        return self._detail(request, case)

    @extend_schema(
        request=TrackingLinkInputSerializer,
        responses={200: TrackingLinkOutputSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
        examples=[
            OpenApiExample("Issue a new link", request_only=True, value={"action": "rotate"}),
            OpenApiExample(
                "The new link",
                response_only=True,
                value={
                    "tracking_url": "https://fw.example.cn/track/v1.k3…/",
                    "issued_at": "2026-11-27T09:30:00+08:00",
                },
            ),
        ],
    )
    @action(detail=True, methods=["post"], url_path="tracking-link")
    def tracking_link(self, request: Request, pk: str | None = None) -> Response:
        """Issue the customer a new private tracking link (the old one stops working, the new one is sent to
        him and returned here, e.g. to pass on by text message), or revoke it (staff who may edit the case).
        A signed-in customer may issue himself a new one."""
        case = self._case(request, pk)
        serializer = TrackingLinkInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        url = None
        if serializer.validated_data["action"] == "rotate":
            token = case_tracking_token_rotate(actor=request_user(request), case=case)
            url = request.build_absolute_uri(reverse("cases:track", args=[token]))
        else:
            case_tracking_token_revoke(actor=request_user(request), case=case)
        case.refresh_from_db(fields=["tracking_token_hash", "tracking_token_rotated_at"])
        issued = case.tracking_token_rotated_at if case.tracking_token_hash else None
        return Response(TrackingLinkOutputSerializer({"tracking_url": url, "issued_at": issued}).data)


def router_register(router: BaseRouter) -> None:
    """Register this app's API resources."""
    router.register("cases", CaseViewSet, basename="case")
