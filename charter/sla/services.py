"""Every write of the SLA app: calendars, their hours and dated exceptions, assignments, policies, targets.

Each service checks who is acting (an actor of None is the system itself: a management command or the demo
loader), validates before it writes, and records its audit event in the same transaction. A change to a
calendar's hours or days raises its version, so cached copies of it are rebuilt.
"""

import dataclasses
import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import OrgUnit, User
from charter.audit.services import audit_record
from charter.catalog.models import Channel, Service
from charter.common.content import content_from_data, content_of
from charter.common.errors import DomainError
from charter.common.policy import require
from charter.common.text import clean_text
from charter.common.vocabulary import CaseKind, Priority
from charter.sla.deadlines import Calendar
from charter.sla.errors import TEXT_CODES, ErrorCode
from charter.sla.models import (
    BusinessCalendar,
    CalendarDay,
    Metric,
    SlaCalendarAssignment,
    SlaPolicy,
    SlaPolicyTarget,
    TargetUnit,
    TimeBasis,
    WorkingInterval,
)
from charter.sla.permissions import can_edit_sla
from charter.sla.selectors import parse_day_intervals

Actor = User | None
TimePair = tuple[dt.time, dt.time]
CODE_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
GROUP_PATTERN = re.compile(r"^[\w.-]{1,50}$")
MIN_SHARE, MAX_SHARE = Decimal("0.50"), Decimal("0.99")


# Shared checks ------------------------------------------------------------------------------------------


def _require_editor(actor: Actor) -> None:
    """Raise `can_edit_sla`'s refusal unless it allows `actor`; None is the system (imports, the demo)."""
    if actor is not None:
        require(can_edit_sla(actor))


@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _clean_time_zone(time_zone: str) -> str:
    time_zone = time_zone.strip()
    if time_zone not in _time_zones():
        raise DomainError(
            _("Choose a time zone from the list, such as Asia/Shanghai."),
            code=ErrorCode.INVALID_TIME_ZONE,
            field="time_zone",
        )
    return time_zone


def _line(value: str, *, field: str, max_length: int) -> str:
    return clean_text(value, field=field, codes=TEXT_CODES, max_length=max_length, multiline=False)


def _clean_name(name_zh: str, name_en: str) -> tuple[str, str]:
    name_zh = _line(name_zh, field="name_zh", max_length=200)
    name_en = _line(name_en, field="name_en", max_length=200)
    if not name_zh and not name_en:
        raise DomainError(_("Enter a name."), code=ErrorCode.NAME_REQUIRED, field="name_zh")
    return name_zh, name_en


def _check_intervals(intervals: Sequence[TimePair], field: str = "intervals") -> tuple[TimePair, ...]:
    """Validate one day's intervals with the arithmetic's own rules; return them sorted."""
    try:
        calendar = Calendar("UTC", {0: tuple(intervals)})
    except ValueError as error:
        overlap = "overlap" in str(error)
        raise DomainError(
            _("Working intervals of one day must not overlap.")
            if overlap
            else _("An interval must start before it ends (an end of 00:00 means midnight)."),
            code=ErrorCode.OVERLAPPING_INTERVAL if overlap else ErrorCode.INVALID_INTERVAL,
            field=field,
        ) from error
    return calendar.weekly.get(0, ())


def _format_time(moment: dt.time, *, is_end: bool = False) -> str:
    if is_end and moment == dt.time(0):
        return "24:00"
    return moment.strftime("%H:%M:%S" if moment.second or moment.microsecond else "%H:%M")


def _stored_intervals(intervals: Sequence[TimePair]) -> list[list[str]]:
    return [[_format_time(start), _format_time(end, is_end=True)] for start, end in intervals]


def _touch(calendar: BusinessCalendar) -> None:
    """Raise the calendar's version so every cached copy of it is rebuilt."""
    now = timezone.now()
    BusinessCalendar.objects.filter(pk=calendar.pk).update(version=F("version") + 1, updated_at=now)
    calendar.refresh_from_db(fields=["version", "updated_at"])


def _lock(calendar: BusinessCalendar) -> BusinessCalendar:
    """Lock the calendar's row and refresh the caller's instance, which then follows every change."""
    # Serialises changes to one calendar's hours and days, so overlap checks see each other's writes.
    BusinessCalendar.objects.select_for_update().filter(pk=calendar.pk).values_list("pk").get()
    calendar.refresh_from_db()
    return calendar


# Calendars ----------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CalendarContent:
    """What a calendar says besides its fixed code: its names, time zone and whether it runs 24x7."""

    name_zh: str
    name_en: str = ""
    time_zone: str = "Asia/Shanghai"
    is_24x7: bool = False

    @classmethod
    def from_calendar(cls, calendar: BusinessCalendar) -> "CalendarContent":
        """Return the content of an existing calendar, the base for a partial change."""
        return content_of(cls, calendar)

    @classmethod
    def from_data(cls, data: Mapping[str, Any], base: "CalendarContent | None" = None) -> "CalendarContent":
        """Return the content in `data` (a form's or a serializer's cleaned input): each field it leaves out
        is taken from `base`, or has its default without one."""
        return content_from_data(base or cls(name_zh=""), data)


def business_calendar_create(
    *, actor: Actor, code: str, content: CalendarContent, is_default: bool = False
) -> BusinessCalendar:
    """Create a calendar with `content` and without hours; `is_default` makes it the installation's default.

    Raises DomainError for a taken or malformed code, a missing name or an unknown time zone.
    """
    _require_editor(actor)
    code = code.strip()
    if not CODE_PATTERN.match(code) or len(code) > 50:
        raise DomainError(
            _("Use lower-case letters, digits and hyphens for the code."),
            code=ErrorCode.INVALID_CODE,
            field="code",
        )
    name_zh, name_en = _clean_name(content.name_zh, content.name_en)
    time_zone = _clean_time_zone(content.time_zone)
    is_24x7 = content.is_24x7
    with transaction.atomic():
        if BusinessCalendar.objects.filter(code=code).exists():
            raise DomainError(_("This code is already used."), code=ErrorCode.DUPLICATE_CODE, field="code")
        if is_default:
            BusinessCalendar.objects.filter(is_default=True).update(is_default=False)
        calendar = BusinessCalendar.objects.create(
            code=code,
            name_zh=name_zh,
            name_en=name_en,
            time_zone=time_zone,
            is_24x7=is_24x7,
            is_default=is_default,
        )
        audit_record(
            actor=actor,
            action="sla.calendar_create",
            target=calendar,
            data={"code": code, "time_zone": time_zone, "is_24x7": is_24x7, "is_default": is_default},
        )
    return calendar


def business_calendar_update(
    *, actor: Actor, calendar: BusinessCalendar, content: CalendarContent
) -> BusinessCalendar:
    """Change a calendar's names, time zone and 24x7 flag to `content` (its code never changes); the same
    rules as business_calendar_create apply."""
    _require_editor(actor)
    name_zh, name_en = _clean_name(content.name_zh, content.name_en)
    time_zone = _clean_time_zone(content.time_zone)
    is_24x7 = content.is_24x7
    with transaction.atomic():
        calendar = _lock(calendar)
        before = {"time_zone": calendar.time_zone, "is_24x7": calendar.is_24x7}
        calendar.name_zh, calendar.name_en = name_zh, name_en
        calendar.time_zone, calendar.is_24x7 = time_zone, is_24x7
        calendar.save()
        _touch(calendar)
        audit_record(
            actor=actor,
            action="sla.calendar_update",
            target=calendar,
            data={"before": before, "time_zone": time_zone, "is_24x7": is_24x7},
        )
    return calendar


def business_calendar_set_default(*, actor: Actor, calendar: BusinessCalendar) -> BusinessCalendar:
    """Make `calendar` the installation's default, in place of the previous one."""
    _require_editor(actor)
    with transaction.atomic():
        previous = list(
            BusinessCalendar.objects.select_for_update().filter(is_default=True).exclude(pk=calendar.pk)
        )
        BusinessCalendar.objects.filter(pk__in=[c.pk for c in previous]).update(is_default=False)
        BusinessCalendar.objects.filter(pk=calendar.pk).update(is_default=True)
        calendar.refresh_from_db()
        audit_record(
            actor=actor,
            action="sla.calendar_set_default",
            target=calendar,
            data={"previous": [c.pk for c in previous]},
        )
    return calendar


def business_calendar_delete(*, actor: Actor, calendar: BusinessCalendar) -> None:
    """Delete a calendar with its hours and days. Refused for the default calendar or one still in use."""
    _require_editor(actor)
    with transaction.atomic():
        calendar = _lock(calendar)
        if calendar.is_default:
            raise DomainError(
                _("The default calendar cannot be deleted; make another calendar the default first."),
                code=ErrorCode.DEFAULT_CALENDAR_REQUIRED,
            )
        if calendar.assignments.exists() or calendar.policies.exists():
            raise DomainError(
                _("This calendar is assigned to units or used by SLA policies; remove those first."),
                code=ErrorCode.CALENDAR_IN_USE,
            )
        audit_record(actor=actor, action="sla.calendar_delete", target=calendar, data={"code": calendar.code})
        calendar.delete()


# Weekly hours -------------------------------------------------------------------------------------------


def _check_weekday(weekday: int) -> None:
    if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
        raise DomainError(
            _("Choose a weekday from Monday to Sunday."), code=ErrorCode.INVALID_WEEKDAY, field="weekday"
        )


def working_interval_add(
    *, actor: Actor, calendar: BusinessCalendar, weekday: int, start: dt.time, end: dt.time
) -> WorkingInterval:
    """Add working hours to one weekday of `calendar` (an end of 00:00 means midnight).

    Raises DomainError when the interval is empty or overlaps the weekday's other intervals.
    """
    _require_editor(actor)
    _check_weekday(weekday)
    _check_intervals([(start, end)], field="end")
    with transaction.atomic():
        calendar = _lock(calendar)
        existing = [(i.start, i.end) for i in calendar.intervals.filter(weekday=weekday)]
        _check_intervals([*existing, (start, end)], field="start")
        interval = WorkingInterval.objects.create(calendar=calendar, weekday=weekday, start=start, end=end)
        _touch(calendar)
        audit_record(
            actor=actor,
            action="sla.interval_add",
            target=calendar,
            data={"weekday": weekday, "start": _format_time(start), "end": _format_time(end, is_end=True)},
        )
    return interval


def working_interval_remove(*, actor: Actor, interval: WorkingInterval) -> None:
    """Remove one interval of working hours from its calendar."""
    _require_editor(actor)
    with transaction.atomic():
        calendar = _lock(interval.calendar)
        data = {
            "weekday": interval.weekday,
            "start": _format_time(interval.start),
            "end": _format_time(interval.end, is_end=True),
        }
        interval.delete()
        _touch(calendar)
        audit_record(actor=actor, action="sla.interval_remove", target=calendar, data=data)


def working_week_set(
    *, actor: Actor, calendar: BusinessCalendar, weekdays: Iterable[int], intervals: Sequence[TimePair]
) -> BusinessCalendar:
    """Replace the hours of the given weekdays with `intervals` (empty: those days are off)."""
    _require_editor(actor)
    days = sorted(set(weekdays))
    for weekday in days:
        _check_weekday(weekday)
    clean = _check_intervals(intervals)
    with transaction.atomic():
        calendar = _lock(calendar)
        calendar.intervals.filter(weekday__in=days).delete()
        WorkingInterval.objects.bulk_create(
            WorkingInterval(calendar=calendar, weekday=weekday, start=start, end=end)
            for weekday in days
            for start, end in clean
        )
        _touch(calendar)
        audit_record(
            actor=actor,
            action="sla.week_set",
            target=calendar,
            data={"weekdays": days, "intervals": _stored_intervals(clean)},
        )
    return calendar


# Dated exceptions ---------------------------------------------------------------------------------------


def _check_day(kind: str, intervals: Sequence[TimePair]) -> tuple[TimePair, ...]:
    if kind not in CalendarDay.Kind.values:
        raise DomainError(
            _("A day is either a holiday or a make-up working day."),
            code=ErrorCode.INVALID_DAY_KIND,
            field="kind",
        )
    if kind == CalendarDay.Kind.HOLIDAY and intervals:
        raise DomainError(
            _("A holiday has no working hours."), code=ErrorCode.INVALID_INTERVAL, field="intervals"
        )
    return _check_intervals(intervals)


@dataclasses.dataclass(frozen=True)
class DayContent:
    """What a dated exception says besides its fixed date: holiday or make-up working day (`kind`), its
    names, where it comes from, and a working day's hours (none: the calendar's Monday hours)."""

    kind: str
    name_zh: str = ""
    name_en: str = ""
    source: str = ""
    intervals: Sequence[TimePair] = ()

    @classmethod
    def from_day(cls, day: CalendarDay) -> "DayContent":
        """Return the content of an existing day, the base for a partial change."""
        return cls(
            kind=day.kind,
            name_zh=day.name_zh,
            name_en=day.name_en,
            source=day.source,
            intervals=parse_day_intervals(day.intervals or []),
        )

    @classmethod
    def from_data(cls, data: Mapping[str, Any], base: "DayContent | None" = None) -> "DayContent":
        """Return the content in `data` (a form's or a serializer's cleaned input, its intervals as pairs of
        times): each field it leaves out is taken from `base`, or has its default without one."""
        return content_from_data(base or cls(kind=""), data)


def calendar_day_add(
    *, actor: Actor, calendar: BusinessCalendar, date: dt.date, content: DayContent
) -> CalendarDay:
    """Mark a date as a holiday or a make-up working day (调休) with `content`.

    A working day without intervals works the calendar's Monday hours. Raises DomainError when the date
    already has an entry in this calendar.
    """
    _require_editor(actor)
    kind, name_zh, name_en, source = content.kind, content.name_zh, content.name_en, content.source
    clean = _check_day(kind, content.intervals)
    with transaction.atomic():
        calendar = _lock(calendar)
        if calendar.days.filter(date=date).exists():
            raise DomainError(
                _("This date already has an entry; change that one instead."),
                code=ErrorCode.DUPLICATE_DAY,
                field="date",
            )
        day = CalendarDay.objects.create(
            calendar=calendar,
            date=date,
            kind=kind,
            name_zh=_line(name_zh, field="name_zh", max_length=200),
            name_en=_line(name_en, field="name_en", max_length=200),
            source=_line(source, field="source", max_length=300),
            intervals=_stored_intervals(clean),
        )
        _touch(calendar)
        audit_record(
            actor=actor,
            action="sla.day_add",
            target=calendar,
            data={"date": date, "kind": kind, "source": source},
        )
    return day


def calendar_day_update(*, actor: Actor, day: CalendarDay, content: DayContent) -> CalendarDay:
    """Change a dated exception's kind, names, source or hours to `content` (its date never changes)."""
    _require_editor(actor)
    kind, name_zh, name_en, source = content.kind, content.name_zh, content.name_en, content.source
    clean = _check_day(kind, content.intervals)
    with transaction.atomic():
        calendar = _lock(day.calendar)
        before = {"kind": day.kind, "intervals": day.intervals}
        day.kind = kind
        day.name_zh = _line(name_zh, field="name_zh", max_length=200)
        day.name_en = _line(name_en, field="name_en", max_length=200)
        day.source, day.intervals = _line(source, field="source", max_length=300), _stored_intervals(clean)
        day.save()
        _touch(calendar)
        audit_record(
            actor=actor,
            action="sla.day_update",
            target=calendar,
            data={"date": day.date, "before": before, "kind": kind, "intervals": day.intervals},
        )
    return day


def calendar_day_delete(*, actor: Actor, day: CalendarDay) -> None:
    """Remove a dated exception: the date works its weekday's hours again."""
    _require_editor(actor)
    with transaction.atomic():
        calendar = _lock(day.calendar)
        data = {"date": day.date, "kind": day.kind}
        day.delete()
        _touch(calendar)
        audit_record(actor=actor, action="sla.day_delete", target=calendar, data=data)


# Importing a year of holidays ---------------------------------------------------------------------------


class HolidayFileError(DomainError):
    """The holiday file is not valid; `errors` lists every problem found. Nothing was written."""

    def __init__(self, errors: Sequence[str | Promise]) -> None:
        self.errors = [str(error) for error in errors]
        summary = "; ".join(self.errors[:5]) + ("; …" if len(self.errors) > 5 else "")
        super().__init__(
            _("The file is not valid: %(errors)s") % {"errors": summary}, code=ErrorCode.INVALID_IMPORT
        )


@dataclasses.dataclass(frozen=True)
class HolidayEntry:
    date: dt.date
    kind: str
    name_zh: str
    name_en: str
    intervals: tuple[TimePair, ...]
    source: str


@dataclasses.dataclass(frozen=True)
class HolidayFile:
    year: int
    source: str
    days: tuple[HolidayEntry, ...]


@dataclasses.dataclass(frozen=True)
class ImportResult:
    year: int
    created: int
    updated: int
    unchanged: int
    removed: int


def _file_text(entry: dict[str, Any], key: str, errors: list[str | Promise], where: str, limit: int) -> str:
    """Return `entry[key]` cleaned as one line of text, or "" with the problem added to `errors`."""
    try:
        return clean_text(entry.get(key, ""), field=key, codes=TEXT_CODES, max_length=limit, multiline=False)
    except DomainError as error:
        errors.append(
            _("%(where)s: %(key)s: %(problem)s") % {"where": where, "key": key, "problem": error.message}
        )
        return ""


def holiday_file_parse(*, data: object) -> HolidayFile:
    """Check a holiday file (year, source, days: [{date, kind, name_zh, name_en}]) and return its content.

    A day may add `intervals` ([["09:00", "12:00"], …], working days only) and its own `source`. Raises
    HolidayFileError listing every problem.
    """
    errors: list[str | Promise] = []
    if not isinstance(data, dict):
        raise HolidayFileError([_("The file must hold one JSON object with year, source and days.")])
    year = data.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2200:
        errors.append(_("year must be a whole number such as 2026"))
        year = 0
    source = _file_text(data, "source", errors, "file", 300)
    raw_days = data.get("days")
    if not isinstance(raw_days, list) or not raw_days:
        errors.append(_("days must be a non-empty list"))
        raw_days = []
    entries: list[HolidayEntry] = []
    seen: set[dt.date] = set()
    for index, raw in enumerate(raw_days, start=1):
        where = _("day %(number)s") % {"number": index}
        if not isinstance(raw, dict):
            errors.append(_("%(where)s: each day must be an object") % {"where": where})
            continue
        try:
            date = dt.date.fromisoformat(str(raw.get("date", "")))
        except ValueError:
            errors.append(_("%(where)s: date must look like 2026-01-01") % {"where": where})
            continue
        where = str(date)
        if year and date.year != year:
            errors.append(_("%(where)s: the date is not in %(year)s") % {"where": where, "year": year})
        if date in seen:
            errors.append(_("%(where)s: the date appears twice") % {"where": where})
        seen.add(date)
        kind = raw.get("kind")
        if kind not in CalendarDay.Kind.values:
            errors.append(_("%(where)s: kind must be holiday or workday") % {"where": where})
            continue
        try:
            intervals = parse_day_intervals(raw.get("intervals", []))
            clean = _check_day(str(kind), intervals)
        except (ValueError, DomainError):
            errors.append(_("%(where)s: the working hours are not valid") % {"where": where})
            continue
        entries.append(
            HolidayEntry(
                date=date,
                kind=str(kind),
                name_zh=_file_text(raw, "name_zh", errors, where, 200),
                name_en=_file_text(raw, "name_en", errors, where, 200),
                intervals=clean,
                source=_file_text(raw, "source", errors, where, 300) or source,
            )
        )
    if errors:
        raise HolidayFileError(errors)
    return HolidayFile(year=int(year), source=source, days=tuple(entries))


def calendar_days_import(
    *, actor: Actor, calendar: BusinessCalendar, data: object, replace_year: bool = False
) -> ImportResult:
    """Import a year of holidays and make-up working days into `calendar`; safe to run again.

    The whole file is checked before anything is written (HolidayFileError lists the problems). Dates in
    the file are created or brought in line with it; with `replace_year`, the calendar's other entries in
    that year are removed, so the calendar matches the file exactly.
    """
    _require_editor(actor)
    content = holiday_file_parse(data=data)
    created = updated = unchanged = removed = 0
    with transaction.atomic():
        calendar = _lock(calendar)
        existing = {day.date: day for day in calendar.days.filter(date__year=content.year)}
        for entry in content.days:
            values = {
                "kind": entry.kind,
                "name_zh": entry.name_zh,
                "name_en": entry.name_en,
                "source": entry.source,
                "intervals": _stored_intervals(entry.intervals),
            }
            day = existing.pop(entry.date, None)
            if day is None:
                CalendarDay.objects.create(calendar=calendar, date=entry.date, **values)
                created += 1
            elif all(getattr(day, key) == value for key, value in values.items()):
                unchanged += 1
            else:
                for key, value in values.items():
                    setattr(day, key, value)
                day.save()
                updated += 1
        if replace_year and existing:
            removed = CalendarDay.objects.filter(pk__in=[day.pk for day in existing.values()]).delete()[0]
        if created or updated or removed:
            _touch(calendar)
        audit_record(
            actor=actor,
            action="sla.days_import",
            target=calendar,
            data={
                "year": content.year,
                "source": content.source,
                "created": created,
                "updated": updated,
                "unchanged": unchanged,
                "removed": removed,
            },
        )
    return ImportResult(content.year, created, updated, unchanged, removed)


# Assignments --------------------------------------------------------------------------------------------


def sla_calendar_assign(
    *, actor: Actor, unit: OrgUnit, calendar: BusinessCalendar | None
) -> SlaCalendarAssignment | None:
    """Make `calendar` the calendar of `unit` and the units under it without their own; None removes it."""
    _require_editor(actor)
    with transaction.atomic():
        previous = SlaCalendarAssignment.objects.select_for_update().filter(unit=unit).first()
        previous_id = previous.calendar_id if previous is not None else None
        if calendar is None:
            if previous is not None:
                previous.delete()
            assignment = None
        else:
            assignment, _created = SlaCalendarAssignment.objects.update_or_create(
                unit=unit, defaults={"calendar": calendar}
            )
        audit_record(
            actor=actor,
            action="sla.calendar_assign" if calendar is not None else "sla.calendar_unassign",
            target=unit,
            data={"calendar": calendar.pk if calendar is not None else None, "previous": previous_id},
        )
    return assignment


# Policies -----------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PolicyContent:
    """What a policy says: its names, conditions (empty: any), calendar, warning share and breach actions."""

    name_zh: str
    name_en: str = ""
    is_active: bool = True
    case_kinds: Sequence[str] = ()
    priorities: Sequence[str] = ()
    channels: Sequence[str] = ()
    customer_groups: Sequence[str] = ()
    services: Sequence[Service] = ()
    calendar: BusinessCalendar | None = None
    warn_at_share: Decimal = Decimal("0.75")
    notify_assignee: bool = True
    notify_supervisor: bool = True
    raise_priority: bool = False
    reassign_to_team_lead: bool = False

    @classmethod
    def from_policy(cls, policy: SlaPolicy) -> "PolicyContent":
        """Return the content of an existing policy, to change some fields with `dataclasses.replace`."""
        return cls(
            name_zh=policy.name_zh,
            name_en=policy.name_en,
            is_active=policy.is_active,
            case_kinds=tuple(policy.case_kinds),
            priorities=tuple(policy.priorities),
            channels=tuple(policy.channels),
            customer_groups=tuple(policy.customer_groups),
            services=tuple(policy.services.all()),
            calendar=policy.calendar,
            warn_at_share=policy.warn_at_share,
            notify_assignee=policy.notify_assignee,
            notify_supervisor=policy.notify_supervisor,
            raise_priority=policy.raise_priority,
            reassign_to_team_lead=policy.reassign_to_team_lead,
        )

    @classmethod
    def from_data(cls, data: Mapping[str, Any], base: "PolicyContent | None" = None) -> "PolicyContent":
        """Return the policy in `data` (a form's or a serializer's cleaned input): each field it leaves out
        is taken from `base`, or has its default without one; a given None (no calendar) stays None."""
        return content_from_data(base or cls(name_zh=""), data)


@dataclasses.dataclass(frozen=True)
class TargetContent:
    """One target of a policy: a measure, an amount in a unit, counted in working or calendar time."""

    metric: str
    amount: int
    unit: str
    basis: str

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> "TargetContent":
        """Return the target in `data` (a serializer's cleaned input, which holds every field)."""
        return cls(metric=data["metric"], amount=data["amount"], unit=data["unit"], basis=data["basis"])


def _choices(values: Sequence[str], allowed: Sequence[str], field: str) -> list[str]:
    chosen = list(dict.fromkeys(str(value) for value in values))
    if any(value not in allowed for value in chosen):
        raise DomainError(
            _("Choose only values from the list."), code=ErrorCode.INVALID_CONDITION, field=field
        )
    return [value for value in allowed if value in chosen]


def _clean_policy(content: PolicyContent) -> dict[str, Any]:
    name_zh, name_en = _clean_name(content.name_zh, content.name_en)
    groups = list(dict.fromkeys(group.strip() for group in content.customer_groups if group.strip()))
    if any(not GROUP_PATTERN.match(group) for group in groups):
        raise DomainError(
            _("Customer groups are short codes of letters, digits, dots, hyphens and underscores."),
            code=ErrorCode.INVALID_CONDITION,
            field="customer_groups",
        )
    try:
        share = Decimal(str(content.warn_at_share))
    except InvalidOperation as error:
        raise DomainError(
            _("Warn at a share between 0.50 and 0.99."), code=ErrorCode.INVALID_SHARE, field="warn_at_share"
        ) from error
    if (
        not share.is_finite()
        or not MIN_SHARE <= share <= MAX_SHARE
        or share != share.quantize(Decimal("0.01"))
    ):
        raise DomainError(
            _("Warn at a share between 0.50 and 0.99."), code=ErrorCode.INVALID_SHARE, field="warn_at_share"
        )
    return {
        "name_zh": name_zh,
        "name_en": name_en,
        "is_active": bool(content.is_active),
        "case_kinds": _choices(content.case_kinds, CaseKind.values, "case_kinds"),
        "priorities": _choices(content.priorities, Priority.values, "priorities"),
        "channels": _choices(content.channels, Channel.values, "channels"),
        "customer_groups": groups,
        "calendar": content.calendar,
        "warn_at_share": share,
        "notify_assignee": bool(content.notify_assignee),
        "notify_supervisor": bool(content.notify_supervisor),
        "raise_priority": bool(content.raise_priority),
        "reassign_to_team_lead": bool(content.reassign_to_team_lead),
    }


def _clean_target(target: TargetContent) -> TargetContent:
    if target.metric not in Metric.values:
        raise DomainError(_("Choose a measure from the list."), code=ErrorCode.INVALID_METRIC, field="metric")
    if (
        isinstance(target.amount, bool)
        or not isinstance(target.amount, int)
        or not 0 < target.amount <= 100000
    ):
        raise DomainError(
            _("The target is a whole number greater than zero."),
            code=ErrorCode.INVALID_AMOUNT,
            field="amount",
        )
    if target.unit not in TargetUnit.values:
        raise DomainError(_("Choose a unit from the list."), code=ErrorCode.INVALID_UNIT, field="unit")
    if target.basis not in TimeBasis.values:
        raise DomainError(_("Choose how time is counted."), code=ErrorCode.INVALID_BASIS, field="basis")
    return target


def _policy_audit(policy: SlaPolicy, values: dict[str, Any]) -> dict[str, Any]:
    data = {key: value for key, value in values.items() if key != "calendar"}
    data["calendar"] = policy.calendar_id
    data["services"] = sorted(service.pk for service in policy.services.all())
    return data


def sla_policy_create(
    *, actor: Actor, content: PolicyContent, targets: Sequence[TargetContent] = ()
) -> SlaPolicy:
    """Create a policy after the existing ones (it is tried last), with its targets."""
    _require_editor(actor)
    values = _clean_policy(content)
    clean_targets = [_clean_target(target) for target in targets]
    if len({target.metric for target in clean_targets}) != len(clean_targets):
        raise DomainError(_("Set each measure once."), code=ErrorCode.INVALID_METRIC, field="targets")
    with transaction.atomic():
        last = SlaPolicy.objects.select_for_update().aggregate(last=Max("ordering"))["last"]
        policy = SlaPolicy.objects.create(ordering=(last or 0) + 10, **values)
        policy.services.set(content.services)
        SlaPolicyTarget.objects.bulk_create(
            SlaPolicyTarget(policy=policy, **dataclasses.asdict(target)) for target in clean_targets
        )
        data = _policy_audit(policy, values)
        data["targets"] = [dataclasses.asdict(target) for target in clean_targets]
        audit_record(actor=actor, action="sla.policy_create", target=policy, data=data)
    return policy


def sla_policy_update(*, actor: Actor, policy: SlaPolicy, content: PolicyContent) -> SlaPolicy:
    """Change a policy's names, conditions, calendar, warning share, breach actions or active flag."""
    _require_editor(actor)
    values = _clean_policy(content)
    with transaction.atomic():
        policy = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
        for key, value in values.items():
            setattr(policy, key, value)
        policy.save()
        policy.services.set(content.services)
        audit_record(
            actor=actor, action="sla.policy_update", target=policy, data=_policy_audit(policy, values)
        )
    return policy


def sla_policy_delete(*, actor: Actor, policy: SlaPolicy) -> None:
    """Delete a policy and its targets. Cases keep the deadlines already computed from it."""
    _require_editor(actor)
    with transaction.atomic():
        audit_record(actor=actor, action="sla.policy_delete", target=policy, data={"name_zh": policy.name_zh})
        policy.delete()


def sla_policy_reorder(*, actor: Actor, policies: Sequence[SlaPolicy]) -> list[SlaPolicy]:
    """Put the policies in this order (every policy exactly once): the first is tried first."""
    _require_editor(actor)
    with transaction.atomic():
        current = {policy.pk: policy for policy in SlaPolicy.objects.select_for_update().order_by("pk")}
        wanted = [policy.pk for policy in policies]
        if sorted(wanted) != sorted(current) or len(set(wanted)) != len(wanted):
            raise DomainError(
                _("List every policy exactly once."), code=ErrorCode.INVALID_ORDER, field="policies"
            )
        for position, pk in enumerate(wanted, start=1):
            if current[pk].ordering != position * 10:
                SlaPolicy.objects.filter(pk=pk).update(ordering=position * 10)
        audit_record(actor=actor, action="sla.policy_reorder", data={"order": wanted})
    return list(SlaPolicy.objects.filter(pk__in=wanted).order_by("ordering", "pk"))


def sla_policy_move(*, actor: Actor, policy: SlaPolicy, offset: int) -> list[SlaPolicy]:
    """Move a policy `offset` places earlier (negative) or later (positive) in the order."""
    order = list(SlaPolicy.objects.order_by("ordering", "pk"))
    index = next(i for i, p in enumerate(order) if p.pk == policy.pk)
    moved = order.pop(index)
    order.insert(max(0, min(len(order), index + offset)), moved)
    return sla_policy_reorder(actor=actor, policies=order)


def sla_policy_target_set(
    *, actor: Actor, policy: SlaPolicy, metric: str, amount: int, unit: str, basis: str
) -> SlaPolicyTarget:
    """Set the policy's target for one measure, replacing any target it had for that measure."""
    _require_editor(actor)
    target = _clean_target(TargetContent(metric=metric, amount=amount, unit=unit, basis=basis))
    with transaction.atomic():
        row, created = SlaPolicyTarget.objects.update_or_create(
            policy=policy, metric=target.metric, defaults={"amount": amount, "unit": unit, "basis": basis}
        )
        SlaPolicy.objects.filter(pk=policy.pk).update(updated_at=timezone.now())
        audit_record(
            actor=actor,
            action="sla.target_set",
            target=policy,
            data={**dataclasses.asdict(target), "created": created},
        )
    return row


def sla_policy_target_remove(*, actor: Actor, target: SlaPolicyTarget) -> None:
    """Remove one target from its policy: later policies may then supply that measure."""
    _require_editor(actor)
    with transaction.atomic():
        policy = target.policy
        data = {"metric": target.metric, "amount": target.amount, "unit": target.unit, "basis": target.basis}
        target.delete()
        audit_record(actor=actor, action="sla.target_remove", target=policy, data=data)


def sla_policy_targets_replace(
    *, actor: Actor, policy: SlaPolicy, targets: Sequence[TargetContent]
) -> list[SlaPolicyTarget]:
    """Make the policy's targets exactly `targets` (one per measure)."""
    _require_editor(actor)
    clean = [_clean_target(target) for target in targets]
    if len({target.metric for target in clean}) != len(clean):
        raise DomainError(_("Set each measure once."), code=ErrorCode.INVALID_METRIC, field="targets")
    with transaction.atomic():
        policy.targets.all().delete()
        rows = SlaPolicyTarget.objects.bulk_create(
            SlaPolicyTarget(policy=policy, **dataclasses.asdict(target)) for target in clean
        )
        audit_record(
            actor=actor,
            action="sla.targets_replace",
            target=policy,
            data={"targets": [dataclasses.asdict(target) for target in clean]},
        )
    return rows
