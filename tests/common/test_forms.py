"""Form helpers (charter.common.forms): a service's refusal shown on a form, and the filters' "All" and ISO
dates."""

import datetime as dt
import re
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.utils import translation

from charter.accounts.models import Team
from charter.common.errors import DomainError
from charter.common.forms import (
    ALL,
    FilterForm,
    IsoDateInput,
    IsoDateTimeInput,
    choices_with_all,
    form_add_domain_error,
)


class _Form(forms.Form):
    title = forms.CharField()
    version = forms.IntegerField(widget=forms.HiddenInput)


def test_a_refusal_goes_on_its_visible_field_else_above_the_form() -> None:
    form = _Form({"title": "x", "version": "1"})
    assert form.is_valid()

    form_add_domain_error(form, DomainError("标题太长", code="too_long", field="title"))
    form_add_domain_error(form, DomainError("版本已变", code="conflict", field="version"))
    form_add_domain_error(form, DomainError("无此字段", code="invalid_field", field="unknown"))

    assert form.has_error("title", "too_long")
    assert form.non_field_errors() == ["版本已变", "无此字段"]  # a hidden field shows no errors


# Filters ------------------------------------------------------------------------------------------------


class _Filter(FilterForm):
    specific_empty_labels = ("scope",)

    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False)
    status = forms.ChoiceField(choices=[("", "—"), ("open", "Open")], required=False)
    scope = forms.ChoiceField(choices=[("", "Mine"), ("all", "Everyone's")], required=False)
    order = forms.ChoiceField(choices=[("new", "Newest"), ("old", "Oldest")], required=False)
    kind = forms.ChoiceField(choices=[("a", "A")])
    since = forms.DateField(required=False, widget=IsoDateInput())


def _choices(form: forms.Form, name: str) -> Any:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field.choices


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "everything"), [("zh-hans", "全部"), ("en", "All")])
def test_a_filter_offers_all_first_and_leaves_other_choices_alone(
    team: Team, language: str, everything: str
) -> None:
    with translation.override(language):
        form = _Filter()
        html = form.as_p()
        team_select = str(form["team"])
        first_status = str(_choices(form, "status")[0][1])

    assert f'<option value="" selected>{everything}</option>' in team_select
    assert first_status == everything
    assert _choices(form, "scope")[0] == ("", "Mine")
    assert _choices(form, "order") == [("new", "Newest"), ("old", "Oldest")]
    assert _choices(form, "kind") == [("a", "A")]
    assert "---------" not in html and "—" not in html


def test_a_date_input_is_iso_in_every_language() -> None:
    for language in ("zh-hans", "en"):
        with translation.override(language):
            unbound = _Filter(initial={"since": dt.date(2025, 12, 1)})
            bound = _Filter({"since": dt.date(2025, 12, 1)})

            assert 'type="date"' in str(unbound["since"])
            assert 'value="2025-12-01"' in str(unbound["since"]) and 'value="2025-12-01"' in str(
                bound["since"]
            )


def test_a_date_and_time_input_is_iso_in_every_language_and_in_every_form_that_asks_for_one() -> None:
    from charter.conduct.forms import ViolationRecordForm

    class _When(forms.Form):
        at = forms.DateTimeField(widget=IsoDateTimeInput())

    moment = dt.datetime(2025, 12, 1, 9, 30)  # noqa: DTZ001 - a naive value as a form holds it
    for language in ("zh-hans", "en"):
        with translation.override(language):
            rendered = str(_When(initial={"at": moment})["at"])
            refused = ViolationRecordForm.base_fields["occurred_at"].widget.render("occurred_at", moment)

            assert 'type="datetime-local"' in rendered and 'value="2025-12-01T09:30"' in rendered
            assert 'value="2025-12-01T09:30"' in refused


def test_choices_with_all_puts_all_first_once() -> None:
    assert choices_with_all([("", "—"), ("a", "A")]) == [("", ALL), ("a", "A")]
    assert choices_with_all(iter([("b", "B")])) == [("", ALL), ("b", "B")]


def _filter_forms() -> list[forms.Form]:
    from charter.accounts.models import User
    from charter.audit.forms import AuditFilterForm
    from charter.cases.forms import QueueFilterForm
    from charter.catalog.forms import ServiceFilterForm
    from charter.conduct.forms import ReportForm as ViolationReportForm
    from charter.conduct.forms import ViolationFilterForm
    from charter.improvement.forms import ActionFilterForm
    from charter.improvement.forms import ReportForm as ActionReportForm
    from charter.mail.forms import DeliveryFilterForm, InboundFilterForm, OutboundFilterForm
    from charter.quality.forms import FindingFilterForm
    from charter.quality.forms import ReportFilterForm as QualityReportForm
    from charter.standards.forms import ReportFilterForm as AcknowledgementReportForm
    from charter.standards.models import StandardVersion

    dates = {"since": dt.date(2025, 12, 1), "until": dt.date(2025, 12, 31)}
    users, teams = User.objects.all(), Team.objects.all()
    return [
        AuditFilterForm(dates, actors=list(users), target_types=[("case", "Case")], actions=["cases.create"]),
        QueueFilterForm(),
        ServiceFilterForm(),
        ViolationFilterForm(dates, staff=users, teams=teams),
        ViolationReportForm(dates),
        ActionFilterForm(),
        ActionReportForm(dates),
        InboundFilterForm(),
        OutboundFilterForm(),
        DeliveryFilterForm(),
        FindingFilterForm(dates, agents=users, teams=teams),
        QualityReportForm(dates),
        AcknowledgementReportForm(versions=StandardVersion.objects.all(), teams=teams),
    ]


@pytest.mark.django_db
def test_every_filter_of_the_desk_says_all_and_shows_its_dates_in_chinese(member: object, team: Team) -> None:
    with translation.override("zh-hans"):
        rendered = [(type(form).__name__, form.as_p()) for form in _filter_forms()]

    for name, html in rendered:
        assert "---------" not in html and ">—<" not in html, name
        assert "2025/12/01" not in html, name
        if 'type="date"' in html:
            assert 'value="2025-12-01"' in html, name
        empty = re.findall(r'<option value=""[^>]*>([^<]*)</option>', html)
        # The open cases only, the version in force and all of one's teams say what they narrow to.
        assert all(label in ("全部", "所有未办结", "现行有效", "我的全部班组") for label in empty), (
            name,
            empty,
        )
    assert sum(html.count(">全部</option>") for _name, html in rendered) >= 15


def test_the_product_says_filter_as_shaixuan_even_where_django_says_guolvqi() -> None:
    with translation.override("zh-hans"):
        assert translation.gettext("Filter") == "筛选"
        assert translation.gettext("Add") == "添加"
    catalogues = Path(settings.BASE_DIR, "charter").glob("**/locale/zh_Hans/LC_MESSAGES/django.po")
    assert not [path for path in catalogues if "过滤器" in path.read_text(encoding="utf-8")]


class _UserFilter(FilterForm):
    username = forms.CharField(required=False)
    since = forms.DateField(required=False, widget=IsoDateInput())
    until = forms.DateField(required=False, widget=IsoDateInput())

    exact_lookups = {"username": "username"}
    period_lookup = "date_joined"


@pytest.mark.django_db
def test_a_filter_narrows_rows_by_its_values_and_whole_days_in_the_current_time_zone() -> None:
    from django.utils import timezone

    from charter.accounts.models import User
    from tests.accounts.factories import UserFactory

    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    # 00:30 on 2 December in Shanghai is still 1 December in UTC: the day is the reader's.
    early = UserFactory.create(username="early", date_joined=dt.datetime(2025, 12, 2, 0, 30, tzinfo=shanghai))
    late = UserFactory.create(username="late", date_joined=dt.datetime(2025, 12, 2, 23, 59, tzinfo=shanghai))
    UserFactory.create(username="next", date_joined=dt.datetime(2025, 12, 3, 0, 0, tzinfo=shanghai))
    users = User.objects.filter(username__in=["early", "late", "next"]).order_by("username")

    with timezone.override(shanghai):
        one_day = _UserFilter({"since": "2025-12-02", "until": "2025-12-02"}).filtered(users)
        by_name = _UserFilter({"username": "late"}).filtered(users)
        everything = _UserFilter({}).filtered(users)
        mistyped = _UserFilter({"since": "2025-13-40"}).filtered(users)

    assert list(one_day) == [early, late]
    assert list(by_name) == [late]
    assert everything.count() == 3
    assert not mistyped.exists()
