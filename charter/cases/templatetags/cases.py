"""Template filters of the cases pages."""

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from charter.cases.clocks import WORKING_TIME, TimeLeft, deadline_text
from charter.mail.parsing import reply_split

register = template.Library()


@register.filter
def reply_parts(text: str) -> tuple[str, str]:
    """`{% with parts=message.body|reply_parts %}`: (the new text, the quoted history) of a message, so the
    page can fold the history of an e-mail reply away."""
    return reply_split(text or "")


@register.filter
def deadline(value: dt.datetime | None, date_pattern: str = "Y-m-d") -> str:
    """`{{ clock.due_at|deadline }}` → "2026-12-07 17:30" in the reader's time zone, midnight as 24:00 of the
    day it ends (see `deadline_text`). The argument is the date part's pattern (`|deadline:"m-d"`)."""
    return deadline_text(value, timezone.get_current_timezone(), date_pattern)


def _span(left: TimeLeft) -> str:
    if left.days:
        unit = (
            ngettext("%(count)d working day", "%(count)d working days", left.days)
            if left.basis == WORKING_TIME
            else ngettext("%(count)d day", "%(count)d days", left.days)
        )
        parts = [unit % {"count": left.days}]
        if left.hours:
            parts.append(ngettext("%(count)d hour", "%(count)d hours", left.hours) % {"count": left.hours})
        return " ".join(parts)
    if left.is_under_a_minute:
        return gettext("less than a minute")
    parts = []
    if left.hours:
        parts.append(ngettext("%(count)d hour", "%(count)d hours", left.hours) % {"count": left.hours})
    if left.minutes:
        minutes = ngettext("%(count)d minute", "%(count)d minutes", left.minutes)
        parts.append(minutes % {"count": left.minutes})
    return " ".join(parts)


@register.filter
def time_left(left: TimeLeft | None) -> str:
    """`{{ row.left|time_left }}` → "3 hours 20 minutes left (working time)" or "overdue by 1 working day
    2 hours (working time)": whole days, then hours (minutes only under a day)."""
    if left is None:
        return ""
    values = {"span": _span(left)}
    if left.basis == WORKING_TIME:
        if left.is_overdue:
            return gettext("overdue by %(span)s (working time)") % values
        return gettext("%(span)s left (working time)") % values
    if left.is_overdue:
        return gettext("overdue by %(span)s (calendar time)") % values
    return gettext("%(span)s left (calendar time)") % values


@register.filter
def item(mapping: Any, key: Any) -> Any:
    """`{{ clock_left|item:clock.pk }}`: the value under `key`, or None (also when there is no mapping)."""
    if not isinstance(mapping, dict):
        return None
    return mapping.get(key)
