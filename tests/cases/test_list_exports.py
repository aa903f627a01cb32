"""The desk queue as a file: the page's cases for the same queue, filters and search, in the user's scope,
formula-safe, audited, and refused past the row cap with a message."""

import datetime as dt

from django.test import override_settings
from django.urls import reverse

from charter.accounts.models import Customer, Team, User
from tests.cases.conftest import new_case
from tests.common.list_export_helpers import csv_rows, export_events, xlsx_rows
from tests.conftest import client_for


def test_export_has_the_pages_cases_for_the_same_filters_and_no_others(
    routed_team: Team, member: User, outsider: User, other_customer: Customer
) -> None:
    complaint = new_case(None, other_customer, kind="complaint", title='=HYPERLINK("http://x")')
    inquiry = new_case(None, other_customer, kind="inquiry", title="水表读数异常")
    client = client_for(member)
    filters = {"queue": "all", "kind": "complaint"}

    page = client.get(reverse("cases:desk_queue"), filters).content.decode()
    rows = csv_rows(client.get(reverse("cases:desk_queue"), {**filters, "format": "csv"}))

    assert complaint.number in page and inquiry.number not in page
    assert rows[0][:2] == ["编号", "主题"] or rows[0][0] != "Number"
    assert [row[0] for row in rows[1:]] == [complaint.number]
    assert rows[1][1] == '\'=HYPERLINK("http://x")'
    # The agent of another team exports none of them.
    theirs = csv_rows(
        client_for(outsider).get(reverse("cases:desk_queue"), {"queue": "all", "format": "csv"})
    )
    assert theirs[1:] == []


def test_export_follows_the_search_and_writes_local_times_in_xlsx(
    routed_team: Team, member: User, other_customer: Customer
) -> None:
    water = new_case(None, other_customer, title="水表读数异常", description="读数偏高")
    new_case(None, other_customer, title="Lift out of order", description="The lift stopped")
    client = client_for(member)

    rows = xlsx_rows(client.get(reverse("cases:desk_queue"), {"queue": "all", "q": "水表", "format": "xlsx"}))

    assert [row[0] for row in rows[1:]] == [water.number]
    received = rows[1][-1]
    assert isinstance(received, dt.datetime)
    shanghai = water.received_at.astimezone(dt.timezone(dt.timedelta(hours=8))).replace(tzinfo=None)
    assert abs(received - shanghai) < dt.timedelta(seconds=1)


def test_export_is_audited_with_filters_but_not_the_search_text(
    routed_team: Team, member: User, other_customer: Customer
) -> None:
    new_case(None, other_customer, title="水表读数异常")
    client = client_for(member)

    client.get(reverse("cases:desk_queue"), {"queue": "all", "q": "水表", "kind": "inquiry", "format": "csv"})

    [event] = export_events("cases.queue")
    assert event.actor == member
    assert event.data == {
        "list": "cases.queue",
        "filters": {"queue": "all", "q": True, "kind": "inquiry"},
        "format": "csv",
        "rows": 1,
    }
    assert "水表" not in str(event.data)


@override_settings(CHARTER_EXPORT_MAX_ROWS=1)
def test_export_past_the_cap_asks_to_narrow_the_filters_and_writes_nothing(
    routed_team: Team, member: User, other_customer: Customer
) -> None:
    new_case(None, other_customer)
    new_case(None, other_customer)
    client = client_for(member)

    response = client.get(reverse("cases:desk_queue"), {"queue": "all", "format": "xlsx"}, follow=True)

    assert response.redirect_chain[0][0] == reverse("cases:desk_queue") + "?queue=all"
    assert "缩小筛选范围" in response.content.decode()
    assert export_events("cases.queue") == []
