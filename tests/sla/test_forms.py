"""Date inputs render ISO dates in every language: a browser's date picker reads only YYYY-MM-DD."""

import datetime as dt

from django.utils import translation

from charter.audit.forms import AuditFilterForm
from charter.catalog.forms import PublishForm
from charter.sla.forms import DayForm


def test_date_and_time_inputs_render_iso_values_in_chinese() -> None:
    with translation.override("zh-hans"):
        day = DayForm(initial={"date": dt.date(2026, 11, 27)}).as_p()
        audit = AuditFilterForm(initial={"since": dt.date(2026, 11, 27)}).as_p()
        publish = PublishForm(
            initial={"effective_at": dt.datetime(2026, 11, 27, 1, 30, tzinfo=dt.UTC)}
        ).as_p()
    assert 'value="2026-11-27"' in day
    assert 'value="2026-11-27"' in audit
    assert 'value="2026-11-27T09:30"' in publish  # shown in the installation's time zone (Asia/Shanghai)
