"""The audit trail viewer: who may open it, what it shows, its filters and its pages."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from charter.accounts.models import User
from charter.audit.models import AuditEvent
from charter.audit.services import audit_batch, audit_record
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

URL = "/desk/audit/"


def _client(user: User, language: str) -> Client:
    client = client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def _events(client_response: object) -> list[int]:
    html = client_response.content.decode()  # type: ignore[attr-defined]
    return [int(number) for number in re.findall(r'<tr id="event-(\d+)" data-testid="audit-event">', html)]


def _record(count: int, **kwargs: object) -> list[AuditEvent]:
    with audit_batch():
        events = [audit_record(**{"actor": None, "action": "cases.create", **kwargs}) for _ in range(count)]  # type: ignore[arg-type]
    return events


def test_an_agent_is_refused_and_a_visitor_sent_to_sign_in(member: User, client: object) -> None:
    assert client_for(member).get(URL).status_code == 403
    response = client.get(URL)  # type: ignore[attr-defined]
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_events_show_named_actions_and_labelled_details(administrator: User, member: User) -> None:
    audit_record(
        actor=administrator,
        action="cases.assign",
        target=member,
        data={"assignee": {"from": None, "to": member.pk}, "reason": "<b>休假</b>"},
    )
    audit_record(actor=None, action="nowhere.thing_done", actor_label="system")

    chinese = _client(administrator, "zh-hans").get(URL).content.decode()
    english = _client(administrator, "en").get(URL).content.decode()

    assert 'title="cases.assign" data-action="cases.assign">分派工单</span>' in chinese
    assert 'data-action="cases.assign">Case assigned</span>' in english
    assert 'data-action="nowhere.thing_done">nowhere.thing_done</span>' in english  # unknown: itself
    assert "cases.assign</" not in english  # the code is not shown, only named
    assert "<dt>Assignee › To</dt><dd>Alice</dd>" in english  # the id named
    assert "<dt>原因</dt><dd>&lt;b&gt;休假&lt;/b&gt;</dd>" in chinese  # escaped
    assert "{&#x27;" not in english and "{'" not in english  # no Python dicts
    assert '<span class="audit-type">User</span>' in english


def test_the_filters_offer_what_the_log_holds_with_all_as_the_empty_choice(
    administrator: User, member: User, teammate: User
) -> None:
    audit_record(actor=member, action="cases.reply", target=teammate)

    chinese = _client(administrator, "zh-hans").get(URL).content.decode()
    english = _client(administrator, "en").get(URL).content.decode()

    assert "---------" not in chinese
    assert chinese.count('<option value="" selected>全部</option>') == 3
    assert english.count('<option value="" selected>All</option>') == 3
    actors = re.search(r'<select name="actor".*?</select>', english, re.S)
    assert (
        actors and f'value="{member.pk}"' in actors.group() and f'value="{teammate.pk}"' not in actors.group()
    )
    assert (
        '<optgroup label="Cases">' in english and '<option value="cases.reply">Reply sent</option>' in english
    )
    assert '<option value="accounts.user">User</option>' in english
    assert 'type="date" name="since"' in english and 'type="date" name="until"' in english


def test_filters_narrow_by_person_action_and_object_type(
    administrator: User, member: User, teammate: User
) -> None:
    by_member = audit_record(actor=member, action="cases.reply", target=teammate)
    by_teammate = audit_record(actor=teammate, action="cases.note", target=member)
    other_type = audit_record(actor=teammate, action="cases.reply")
    client = client_for(administrator)

    assert _events(client.get(URL, {"actor": member.pk})) == [by_member.sequence]
    assert _events(client.get(URL, {"action": "cases.note"})) == [by_teammate.sequence]
    assert _events(client.get(URL, {"action": "cases.reply"})) == [other_type.sequence, by_member.sequence]
    assert _events(client.get(URL, {"target_type": "accounts.user", "actor": str(teammate.pk)})) == [
        by_teammate.sequence
    ]
    history = client.get(URL, {"target_type": "accounts.user", "target_id": str(member.pk)})
    assert _events(history) == [by_teammate.sequence]
    assert (
        "The history of one object" in history.content.decode()
        or "单个对象的历史" in history.content.decode()
    )


def test_an_action_filter_is_one_code_not_a_prefix(administrator: User) -> None:
    reply = audit_record(actor=None, action="cases.reply")
    audit_record(actor=None, action="cases.reply_check_override")

    assert _events(client_for(administrator).get(URL, {"action": "cases.reply"})) == [reply.sequence]


def test_days_are_the_readers_days(administrator: User) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 1, 15, 30, tzinfo=dt.UTC), tick=False):
        late_evening_utc = audit_record(actor=None, action="cases.create")  # 23:30 in Shanghai, 1 March
    with time_machine.travel(dt.datetime(2026, 3, 1, 16, 30, tzinfo=dt.UTC), tick=False):
        next_day_shanghai = audit_record(actor=None, action="cases.create")  # 00:30 on 2 March
    client = client_for(administrator)  # the reader's zone: Asia/Shanghai, the default

    first = client.get(URL, {"since": "2026-03-01", "until": "2026-03-01"})
    second = client.get(URL, {"since": "2026-03-02"})

    assert _events(first) == [late_evening_utc.sequence]
    assert _events(second) == [next_day_shanghai.sequence]
    assert "2026-03-02 00:30:00" in second.content.decode()


def test_an_end_before_the_start_is_an_error(administrator: User) -> None:
    response = _client(administrator, "en").get(URL, {"since": "2026-03-02", "until": "2026-03-01"})

    assert "The end comes before the start." in response.content.decode()


def test_pages_hold_fifty_events_and_walk_both_ways(administrator: User) -> None:
    events = _record(120)
    sequences = sorted((event.sequence for event in events), reverse=True)
    client = client_for(administrator)

    first = client.get(URL)
    older = re.search(r'href="\?([^"]*before=\d+[^"]*)" rel="next"', first.content.decode())
    assert _events(first) == sequences[:50] and older
    second = client.get(f"{URL}?{older.group(1).replace('&amp;', '&')}")
    assert _events(second) == sequences[50:100]
    third = client.get(URL, {"before": sequences[99]})
    assert _events(third) == sequences[100:]
    assert 'rel="next"' not in third.content.decode()
    newer = re.search(r'href="\?([^"]*after=\d+[^"]*)" rel="prev"', third.content.decode())
    assert newer
    assert _events(client.get(f"{URL}?{newer.group(1).replace('&amp;', '&')}")) == sequences[50:100]
    assert 'rel="prev"' not in first.content.decode()


def test_pages_keep_the_filters(administrator: User) -> None:
    _record(60, action="cases.reply")
    _record(5, action="cases.note")

    first = client_for(administrator).get(URL, {"action": "cases.reply"}).content.decode()

    assert re.search(r'href="\?action=cases\.reply&amp;before=\d+" rel="next"', first)


def test_a_page_costs_the_same_queries_for_any_chain(administrator: User, member: User) -> None:
    client = client_for(administrator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, {"before": 10**9}).status_code == 200
        return len(captured)

    _record(3, actor=member, data={"assignee": member.pk})
    few = queries()
    _record(150, actor=administrator, data={"assignee": member.pk, "team": {"from": 1, "to": 2}})
    _record(10, action="sla.day_add", actor=member)

    assert queries() == few


def test_the_chain_can_still_be_verified(administrator: User) -> None:
    _record(3)

    response = _client(administrator, "en").get(URL, {"verify": "1"})

    assert "The chain is intact: 3 events verified." in response.content.decode()


def test_a_page_cursor_that_is_not_a_plain_number_is_ignored(administrator: User) -> None:
    _record(3)
    client = client_for(administrator)

    for cursor in ("²", "١٢", "9" * 40, "-1", "abc"):
        assert client.get(URL, {"before": cursor}).status_code == 200
        assert client.get(URL, {"after": cursor}).status_code == 200
