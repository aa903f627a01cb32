"""REST endpoints of the SLA app.

- `calendars/`: business calendars with their weekly hours and assigned units; `days/` (holidays and make-up
  working days), `intervals/`, `week/`, `import/` (a year's holiday file), `units/` (assignments),
  `set-default/`, and `deadline/`, which computes a deadline in the calendar for integrators.
- `sla-policies/`: the policies in the order they are tried, with their targets; `reorder/`.

Every member of staff reads; administrators write. Every write goes through the services, whose refusals
come out as {"code", "detail"}.
"""

import dataclasses
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.db.models import Model
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from charter.accounts.models import User
from charter.common.api import KnownParametersMixin, list_response
from charter.common.http import int_param
from charter.common.policy import Decision, require
from charter.sla import services
from charter.sla.deadlines import deadline_for
from charter.sla.models import BusinessCalendar, CalendarDay, SlaPolicy, WorkingInterval
from charter.sla.permissions import can_edit_sla, can_view_sla
from charter.sla.selectors import (
    business_calendar_get,
    business_calendar_list,
    calendar_as_pure,
    calendar_day_list,
    sla_policy_get,
    sla_policy_list,
)
from charter.sla.serializers import (
    SlaAssignInputSerializer,
    SlaCalendarCreateInputSerializer,
    SlaCalendarOutputSerializer,
    SlaCalendarUpdateInputSerializer,
    SlaDayInputSerializer,
    SlaDayOutputSerializer,
    SlaDayUpdateInputSerializer,
    SlaDeadlineOutputSerializer,
    SlaDeadlineQuerySerializer,
    SlaHolidayFileInputSerializer,
    SlaImportOutputSerializer,
    SlaIntervalInputSerializer,
    SlaIntervalOutputSerializer,
    SlaPolicyInputSerializer,
    SlaPolicyOutputSerializer,
    SlaReorderInputSerializer,
    SlaWeekInputSerializer,
    time_pairs,
)

DAY_ID = OpenApiParameter("day_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Day id")
INTERVAL_ID = OpenApiParameter(
    "interval_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Interval id"
)
UNIT_ID = OpenApiParameter("unit_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Unit id")
YEAR = OpenApiParameter("year", OpenApiTypes.INT, description="Only this year's days")
REPLACE = OpenApiParameter(
    "replace", OpenApiTypes.BOOL, description="Also remove the calendar's other entries of that year"
)

CALENDAR_EXAMPLE = OpenApiExample(
    "A calendar for a service hall",
    value={"code": "hall", "name_zh": "营业厅日历", "name_en": "Service hall", "time_zone": "Asia/Shanghai"},
    request_only=True,
)
HOLIDAY_FILE_EXAMPLE = OpenApiExample(
    "Part of the 2026 arrangement",
    value={
        "year": 2026,
        "source": "国务院办公厅关于2026年部分节假日安排的通知",
        "days": [
            {"date": "2026-01-01", "kind": "holiday", "name_zh": "元旦", "name_en": "New Year's Day"},
            {
                "date": "2026-01-04",
                "kind": "workday",
                "name_zh": "元旦调休上班",
                "name_en": "Make-up working day",
            },
        ],
    },
    request_only=True,
)
POLICY_EXAMPLE = OpenApiExample(
    "Urgent complaints",
    value={
        "name_zh": "紧急投诉",
        "name_en": "Urgent complaints",
        "case_kinds": ["complaint"],
        "priorities": ["urgent"],
        "warn_at_share": "0.50",
        "reassign_to_team_lead": True,
        "targets": [
            {"metric": "first_response", "amount": 2, "unit": "hours", "basis": "working_time"},
            {"metric": "resolution", "amount": 3, "unit": "working_days", "basis": "working_time"},
        ],
    },
    request_only=True,
)
DEADLINE_EXAMPLE = OpenApiExample(
    "Three working days from a Friday afternoon",
    value={
        "calendar": "cn-standard",
        "start": "2026-03-06T16:00:00+08:00",
        "amount": 3,
        "unit": "working_days",
        "basis": "working_time",
        "deadline": "2026-03-11T09:30:00Z",
        "deadline_local": "2026-03-11T17:30:00+08:00",
    },
    response_only=True,
)


_M = TypeVar("_M", bound=Model)


class _SlaViewSet(KnownParametersMixin, viewsets.GenericViewSet[_M]):
    """Staff read, administrators write; each action checks the SLA predicates before loading anything."""

    permission_classes = [permissions.AllowAny]

    def _require(self, request: Request, decision: Decision) -> None:
        """Refuse unless `decision` allows: an anonymous caller is asked to sign in, anyone else gets the
        predicate's refusal and its code (403)."""
        if not request.user.is_authenticated:
            self.permission_denied(request)
        require(decision)

    def _viewer(self, request: Request) -> None:
        self._require(request, can_view_sla(request.user))

    def _editor(self, request: Request) -> User:
        self._require(request, can_edit_sla(request.user))
        assert isinstance(request.user, User)  # noqa: S101 (checked above)
        return request.user


class CalendarViewSet(_SlaViewSet[BusinessCalendar]):
    """Business calendars: weekly hours, holidays and make-up working days, and the units that use them."""

    queryset = BusinessCalendar.objects.all()  # names the model for the schema; reads go through selectors
    serializer_class = SlaCalendarOutputSerializer

    def _calendar(self, pk: str | None) -> BusinessCalendar:
        number = int_param(pk)
        calendar = business_calendar_get(pk=number) if number is not None else None
        if calendar is None:
            raise Http404
        return calendar

    def _output(self, calendar: BusinessCalendar, code: int = status.HTTP_200_OK) -> Response:
        fresh = business_calendar_get(pk=calendar.pk)
        return Response(SlaCalendarOutputSerializer(fresh).data, status=code)

    @extend_schema(responses=SlaCalendarOutputSerializer(many=True))
    def list(self, request: Request) -> Response:
        """Every calendar, the default first (staff)."""
        self._viewer(request)
        return list_response(self, business_calendar_list(), SlaCalendarOutputSerializer)

    @extend_schema(responses=SlaCalendarOutputSerializer)
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """One calendar with its weekly hours and assigned units (staff)."""
        self._viewer(request)
        return Response(SlaCalendarOutputSerializer(self._calendar(pk)).data)

    @extend_schema(
        request=SlaCalendarCreateInputSerializer,
        responses={201: SlaCalendarOutputSerializer},
        examples=[CALENDAR_EXAMPLE],
    )
    def create(self, request: Request) -> Response:
        """Create a calendar without hours (administrators)."""
        user = self._editor(request)
        serializer = SlaCalendarCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        calendar = services.business_calendar_create(
            actor=user,
            code=data["code"],
            content=services.CalendarContent.from_data(data),
            is_default=data["is_default"],
        )
        return self._output(calendar, status.HTTP_201_CREATED)

    @extend_schema(request=SlaCalendarUpdateInputSerializer, responses=SlaCalendarOutputSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Change names, time zone or the 24x7 flag (administrators); the code never changes."""
        user = self._editor(request)
        calendar = self._calendar(pk)
        serializer = SlaCalendarUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        calendar = services.business_calendar_update(
            actor=user,
            calendar=calendar,
            content=services.CalendarContent.from_data(
                data, base=services.CalendarContent.from_calendar(calendar)
            ),
        )
        return self._output(calendar)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        """Delete a calendar that is neither the default nor in use (administrators)."""
        user = self._editor(request)
        services.business_calendar_delete(actor=user, calendar=self._calendar(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=SlaCalendarOutputSerializer)
    @action(detail=True, methods=["post"], url_path="set-default")
    def set_default(self, request: Request, pk: str | None = None) -> Response:
        """Make this the installation's default calendar (administrators)."""
        user = self._editor(request)
        calendar = services.business_calendar_set_default(actor=user, calendar=self._calendar(pk))
        return self._output(calendar)

    @extend_schema(request=SlaIntervalInputSerializer, responses={201: SlaIntervalOutputSerializer})
    @action(detail=True, methods=["post"], url_path="intervals")
    def interval_add(self, request: Request, pk: str | None = None) -> Response:
        """Add working hours to one weekday (administrators)."""
        user = self._editor(request)
        calendar = self._calendar(pk)
        serializer = SlaIntervalInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        interval = services.working_interval_add(
            actor=user, calendar=calendar, weekday=data["weekday"], start=data["start"], end=data["end"]
        )
        return Response(SlaIntervalOutputSerializer(interval).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[INTERVAL_ID], request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"intervals/(?P<interval_id>[0-9]+)")
    def interval_remove(self, request: Request, pk: str | None = None, interval_id: str = "") -> Response:
        """Remove one interval of working hours (administrators)."""
        user = self._editor(request)
        interval = get_object_or_404(WorkingInterval, pk=interval_id, calendar=self._calendar(pk))
        services.working_interval_remove(actor=user, interval=interval)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=SlaWeekInputSerializer, responses=SlaCalendarOutputSerializer)
    @action(detail=True, methods=["put"], url_path="week")
    def week(self, request: Request, pk: str | None = None) -> Response:
        """Replace the hours of the given weekdays (administrators); no intervals makes them days off."""
        user = self._editor(request)
        serializer = SlaWeekInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        calendar = services.working_week_set(
            actor=user,
            calendar=self._calendar(pk),
            weekdays=serializer.validated_data["weekdays"],
            intervals=time_pairs(serializer.validated_data["intervals"]),
        )
        return self._output(calendar)

    @extend_schema(parameters=[YEAR], responses=SlaDayOutputSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="days")
    def days(self, request: Request, pk: str | None = None) -> Response:
        """The calendar's holidays and make-up working days in date order (staff)."""
        self._viewer(request)
        year = request.query_params.get("year", "")
        year_number = int_param(year, maximum=9999)
        if year and year_number is None:
            raise serializers.ValidationError({"year": [_("Give the year as four digits.")]})
        days = calendar_day_list(calendar=self._calendar(pk), year=year_number)
        return list_response(self, days, SlaDayOutputSerializer)

    @extend_schema(request=SlaDayInputSerializer, responses={201: SlaDayOutputSerializer})
    @days.mapping.post
    def day_add(self, request: Request, pk: str | None = None) -> Response:
        """Mark a date as a holiday or a make-up working day (administrators)."""
        user = self._editor(request)
        calendar = self._calendar(pk)
        serializer = SlaDayInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        content = services.DayContent.from_data({**data, "intervals": time_pairs(data["intervals"])})
        day = services.calendar_day_add(actor=user, calendar=calendar, date=data["date"], content=content)
        return Response(SlaDayOutputSerializer(day).data, status=status.HTTP_201_CREATED)

    def _day(self, pk: str | None, day_id: str) -> CalendarDay:
        return get_object_or_404(
            CalendarDay.objects.select_related("calendar"), pk=day_id, calendar=self._calendar(pk)
        )

    @extend_schema(parameters=[DAY_ID], request=SlaDayUpdateInputSerializer, responses=SlaDayOutputSerializer)
    @action(detail=True, methods=["patch"], url_path=r"days/(?P<day_id>[0-9]+)")
    def day_update(self, request: Request, pk: str | None = None, day_id: str = "") -> Response:
        """Change a day's kind, names, source or hours (administrators); its date never changes."""
        user = self._editor(request)
        day = self._day(pk, day_id)
        serializer = SlaDayUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # A PATCH leaves out what it does not change, the hours included.
        patch = {**data, "intervals": time_pairs(data["intervals"])} if "intervals" in data else data
        content = services.DayContent.from_data(patch, base=services.DayContent.from_day(day))
        day = services.calendar_day_update(actor=user, day=day, content=content)
        return Response(SlaDayOutputSerializer(day).data)

    @extend_schema(parameters=[DAY_ID], request=None, responses={204: None})
    @day_update.mapping.delete
    def day_delete(self, request: Request, pk: str | None = None, day_id: str = "") -> Response:
        """Remove a holiday or make-up working day (administrators)."""
        user = self._editor(request)
        services.calendar_day_delete(actor=user, day=self._day(pk, day_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[REPLACE],
        request=SlaHolidayFileInputSerializer,
        responses=SlaImportOutputSerializer,
        examples=[HOLIDAY_FILE_EXAMPLE],
    )
    @action(detail=True, methods=["post"], url_path="import")
    def import_days(self, request: Request, pk: str | None = None) -> Response:
        """Import a year of holidays and make-up working days (administrators). Safe to repeat; a file with
        any error is refused whole, listing every problem in `fields.days`."""
        user = self._editor(request)
        calendar = self._calendar(pk)
        replace = request.query_params.get("replace", "").lower() in {"1", "true", "yes"}
        try:
            result = services.calendar_days_import(
                actor=user, calendar=calendar, data=request.data, replace_year=replace
            )
        except services.HolidayFileError as error:
            body = {
                "code": error.code,
                "detail": str(error.message),
                "fields": {"days": [{"code": error.code, "detail": problem} for problem in error.errors]},
            }
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return Response(SlaImportOutputSerializer(dataclasses.asdict(result)).data)

    @extend_schema(request=SlaAssignInputSerializer, responses=SlaCalendarOutputSerializer)
    @action(detail=True, methods=["post"], url_path="units")
    def unit_assign(self, request: Request, pk: str | None = None) -> Response:
        """Assign the calendar to a unit and, by inheritance, to the units under it (administrators)."""
        user = self._editor(request)
        calendar = self._calendar(pk)
        serializer = SlaAssignInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.sla_calendar_assign(actor=user, unit=serializer.validated_data["unit"], calendar=calendar)
        return self._output(calendar)

    @extend_schema(parameters=[UNIT_ID], request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"units/(?P<unit_id>[0-9]+)")
    def unit_unassign(self, request: Request, pk: str | None = None, unit_id: str = "") -> Response:
        """Remove the calendar from a unit, which then inherits from above (administrators)."""
        user = self._editor(request)
        calendar = self._calendar(pk)
        assignment = get_object_or_404(calendar.assignments.select_related("unit"), unit_id=unit_id)
        services.sla_calendar_assign(actor=user, unit=assignment.unit, calendar=None)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[SlaDeadlineQuerySerializer],
        responses=SlaDeadlineOutputSerializer,
        examples=[DEADLINE_EXAMPLE],
    )
    @action(detail=True, methods=["get"], url_path="deadline")
    def deadline(self, request: Request, pk: str | None = None) -> Response:
        """Compute a deadline in this calendar: `amount` `unit`s counted in `basis` from `start` (staff).

        Working days do not count the day of `start` and end when that day's last working hours end.
        """
        self._viewer(request)
        calendar = self._calendar(pk)
        query = SlaDeadlineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        pure = calendar_as_pure(calendar)
        try:
            moment = deadline_for(
                pure, values["start"], amount=values["amount"], unit=values["unit"], basis=values["basis"]
            )
        except ValueError as error:
            raise serializers.ValidationError({"amount": [str(error)]}) from error
        body = {
            "calendar": calendar.code,
            "start": values["start"],
            "amount": values["amount"],
            "unit": values["unit"],
            "basis": values["basis"],
            "deadline": moment,
            "deadline_local": moment.astimezone(ZoneInfo(pure.time_zone)).isoformat(),
        }
        return Response(SlaDeadlineOutputSerializer(body).data)


class SlaPolicyViewSet(_SlaViewSet[SlaPolicy]):
    """SLA policies, in the order they are tried: for each measure the first matching policy sets the target,
    unless the charter publishes a commitment for the case's service."""

    queryset = SlaPolicy.objects.all()  # names the model for the schema; reads go through selectors
    serializer_class = SlaPolicyOutputSerializer

    def _policy(self, pk: str | None) -> SlaPolicy:
        number = int_param(pk)
        policy = sla_policy_get(pk=number) if number is not None else None
        if policy is None:
            raise Http404
        return policy

    def _output(self, policy: SlaPolicy, code: int = status.HTTP_200_OK) -> Response:
        return Response(SlaPolicyOutputSerializer(sla_policy_get(pk=policy.pk)).data, status=code)

    @extend_schema(responses=SlaPolicyOutputSerializer(many=True))
    def list(self, request: Request) -> Response:
        """Every policy in the order they are tried (staff)."""
        self._viewer(request)
        return list_response(self, sla_policy_list(), SlaPolicyOutputSerializer)

    @extend_schema(responses=SlaPolicyOutputSerializer)
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """One policy with its targets (staff)."""
        self._viewer(request)
        return Response(SlaPolicyOutputSerializer(self._policy(pk)).data)

    @extend_schema(
        request=SlaPolicyInputSerializer,
        responses={201: SlaPolicyOutputSerializer},
        examples=[POLICY_EXAMPLE],
    )
    def create(self, request: Request) -> Response:
        """Create a policy, tried after the existing ones (administrators)."""
        user = self._editor(request)
        serializer = SlaPolicyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        policy = services.sla_policy_create(
            actor=user,
            content=services.PolicyContent.from_data(data),
            targets=[services.TargetContent.from_data(target) for target in data.get("targets", [])],
        )
        return self._output(policy, status.HTTP_201_CREATED)

    @extend_schema(
        request=SlaPolicyInputSerializer, responses=SlaPolicyOutputSerializer, examples=[POLICY_EXAMPLE]
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Change some fields of a policy (administrators); `targets`, if given, replaces all its targets."""
        user = self._editor(request)
        policy = self._policy(pk)
        serializer = SlaPolicyInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        content = services.PolicyContent.from_data(data, base=services.PolicyContent.from_policy(policy))
        policy = services.sla_policy_update(actor=user, policy=policy, content=content)
        if "targets" in data:
            services.sla_policy_targets_replace(
                actor=user,
                policy=policy,
                targets=[services.TargetContent.from_data(target) for target in data["targets"]],
            )
        return self._output(policy)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        """Delete a policy and its targets (administrators)."""
        user = self._editor(request)
        services.sla_policy_delete(actor=user, policy=self._policy(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=SlaReorderInputSerializer, responses=SlaPolicyOutputSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="reorder")
    def reorder(self, request: Request) -> Response:
        """Put the policies in the given order, every id exactly once (administrators)."""
        user = self._editor(request)
        serializer = SlaReorderInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        wanted = serializer.validated_data["order"]
        found = {policy.pk: policy for policy in SlaPolicy.objects.filter(pk__in=wanted)}
        policies = [found[pk] for pk in wanted if pk in found]
        if len(policies) != len(wanted):
            raise serializers.ValidationError({"order": [_("The list names a policy that does not exist.")]})
        services.sla_policy_reorder(actor=user, policies=policies)
        return Response(SlaPolicyOutputSerializer(sla_policy_list(), many=True).data)


def router_register(router: BaseRouter) -> None:
    """Register this app's API resources."""
    router.register("calendars", CalendarViewSet, basename="calendar")
    router.register("sla-policies", SlaPolicyViewSet, basename="sla-policy")
