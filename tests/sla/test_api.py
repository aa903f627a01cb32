import datetime as dt

import pytest
from rest_framework.test import APIClient

from charter.accounts.models import OrgUnit, User
from charter.audit.models import AuditEvent
from charter.sla.errors import ErrorCode
from charter.sla.models import BusinessCalendar, CalendarDay, SlaCalendarAssignment, SlaPolicy
from charter.sla.services import DayContent, calendar_day_add
from tests.conftest import api_client_for
from tests.sla.conftest import holiday_file

pytestmark = pytest.mark.django_db

CALENDARS = "/api/v1/calendars/"
POLICIES = "/api/v1/sla-policies/"


# Permissions --------------------------------------------------------------------------------------------


def test_anonymous_callers_are_refused(api_client: APIClient, standard_calendar: BusinessCalendar) -> None:
    assert api_client.get(CALENDARS).status_code in (401, 403)
    assert api_client.get(POLICIES).status_code in (401, 403)
    assert api_client.get(f"{CALENDARS}{standard_calendar.pk}/deadline/").status_code in (401, 403)


def test_customers_are_refused(customer_user: User, standard_calendar: BusinessCalendar) -> None:
    response = api_client_for(customer_user).get(CALENDARS)

    assert response.status_code == 403
    assert response.json()["code"] == ErrorCode.VIEW_DENIED  # the refusal of can_view_sla


def test_staff_read_but_do_not_write(
    member: User, standard_calendar: BusinessCalendar, default_policy: SlaPolicy
) -> None:
    client = api_client_for(member)

    assert client.get(CALENDARS).status_code == 200
    assert client.get(f"{CALENDARS}{standard_calendar.pk}/").status_code == 200
    assert client.get(f"{CALENDARS}{standard_calendar.pk}/days/").status_code == 200
    assert client.get(POLICIES).status_code == 200
    assert client.post(CALENDARS, {"code": "x", "name_zh": "x"}, format="json").status_code == 403
    assert (
        client.patch(f"{CALENDARS}{standard_calendar.pk}/", {"name_zh": "x"}, format="json").status_code
        == 403
    )
    assert client.post(POLICIES, {"name_zh": "x"}, format="json").status_code == 403
    assert client.delete(f"{POLICIES}{default_policy.pk}/").status_code == 403
    assert BusinessCalendar.objects.get().name_zh == "标准日历"


def test_unknown_objects_are_404(administrator: User) -> None:
    client = api_client_for(administrator)

    assert client.get(f"{CALENDARS}999/").status_code == 404
    assert client.get(f"{POLICIES}999/").json()["code"] == "not_found"


# Calendars ----------------------------------------------------------------------------------------------


def test_list_and_read_calendars_with_hours_and_units(
    administrator: User,
    member: User,
    standard_calendar: BusinessCalendar,
    always_calendar: BusinessCalendar,
    organisation: OrgUnit,
) -> None:
    SlaCalendarAssignment.objects.create(unit=organisation, calendar=always_calendar)

    results = api_client_for(member).get(CALENDARS).json()["results"]

    assert [c["code"] for c in results] == ["cn-standard", "24x7"]
    assert results[0]["is_default"] is True
    assert results[0]["intervals"][:2] == [
        {"id": results[0]["intervals"][0]["id"], "weekday": 0, "start": "09:00", "end": "12:00"},
        {"id": results[0]["intervals"][1]["id"], "weekday": 0, "start": "13:30", "end": "17:30"},
    ]
    assert results[1]["units"] == [
        {"id": organisation.pk, "code": "org", "name_zh": "示范公用事业公司", "name_en": "Demo Utilities"}
    ]


def test_administrators_create_update_and_delete_a_calendar(
    administrator: User, standard_calendar: BusinessCalendar
) -> None:
    client = api_client_for(administrator)

    created = client.post(
        CALENDARS, {"code": "hall", "name_zh": "营业厅", "time_zone": "Asia/Urumqi"}, format="json"
    )
    assert created.status_code == 201, created.json()
    calendar_id = created.json()["id"]
    assert created.json()["time_zone"] == "Asia/Urumqi"

    updated = client.patch(f"{CALENDARS}{calendar_id}/", {"name_en": "Hall", "is_24x7": True}, format="json")
    assert updated.status_code == 200
    assert (updated.json()["name_en"], updated.json()["is_24x7"], updated.json()["name_zh"]) == (
        "Hall",
        True,
        "营业厅",
    )

    assert client.post(f"{CALENDARS}{calendar_id}/set-default/").json()["is_default"] is True
    assert client.delete(f"{CALENDARS}{standard_calendar.pk}/").status_code == 204
    assert list(BusinessCalendar.objects.values_list("code", flat=True)) == ["hall"]


def test_service_refusals_come_back_as_code_and_detail(
    administrator: User, standard_calendar: BusinessCalendar
) -> None:
    client = api_client_for(administrator, language="en")

    duplicate = client.post(CALENDARS, {"code": "cn-standard", "name_zh": "x"}, format="json")
    zone = client.post(CALENDARS, {"code": "x", "name_zh": "x", "time_zone": "Moon/Base"}, format="json")
    default = client.delete(f"{CALENDARS}{standard_calendar.pk}/")

    assert duplicate.status_code == 400 and duplicate.json()["code"] == "sla_duplicate_code"
    assert duplicate.json()["fields"]["code"][0]["code"] == "sla_duplicate_code"
    assert zone.json()["code"] == "sla_invalid_time_zone"
    assert default.json() == {
        "code": "sla_default_calendar_required",
        "detail": "The default calendar cannot be deleted; make another calendar the default first.",
    }


def test_intervals_and_the_week(administrator: User, standard_calendar: BusinessCalendar) -> None:
    client = api_client_for(administrator)
    base = f"{CALENDARS}{standard_calendar.pk}/"

    added = client.post(f"{base}intervals/", {"weekday": 5, "start": "18:00", "end": "24:00"}, format="json")
    assert added.status_code == 201, added.json()
    assert added.json() | {"id": 0} == {"id": 0, "weekday": 5, "start": "18:00", "end": "00:00"}
    overlap = client.post(
        f"{base}intervals/", {"weekday": 5, "start": "17:00", "end": "19:00"}, format="json"
    )
    assert overlap.json()["code"] == "sla_overlapping_interval"
    assert client.delete(f"{base}intervals/{added.json()['id']}/").status_code == 204

    week = client.put(
        f"{base}week/",
        {"weekdays": [5, 6], "intervals": [{"start": "10:00", "end": "14:00"}]},
        format="json",
    )
    assert week.status_code == 200
    assert [(i["weekday"], i["start"]) for i in week.json()["intervals"] if i["weekday"] >= 5] == [
        (5, "10:00"),
        (6, "10:00"),
    ]


def test_days_list_add_update_delete(
    administrator: User, member: User, standard_calendar: BusinessCalendar
) -> None:
    client = api_client_for(administrator)
    base = f"{CALENDARS}{standard_calendar.pk}/days/"

    added = client.post(
        base,
        {
            "date": "2026-01-04",
            "kind": "workday",
            "name_zh": "元旦调休上班",
            "intervals": [{"start": "09:00", "end": "12:00"}],
        },
        format="json",
    )
    assert added.status_code == 201, added.json()
    day_id = added.json()["id"]
    assert added.json()["intervals"] == [{"start": "09:00", "end": "12:00"}]
    assert (
        client.post(base, {"date": "2026-01-04", "kind": "holiday"}, format="json").json()["code"]
        == "sla_duplicate_day"
    )
    calendar_day_add(
        actor=administrator,
        calendar=standard_calendar,
        date=dt.date(2025, 1, 1),
        content=DayContent(kind="holiday"),
    )

    assert [d["date"] for d in api_client_for(member).get(base, {"year": 2026}).json()["results"]] == [
        "2026-01-04"
    ]
    assert len(api_client_for(member).get(base).json()["results"]) == 2
    assert client.get(base, {"year": "abc"}).status_code == 400

    patched = client.patch(f"{base}{day_id}/", {"name_en": "Make-up day"}, format="json")
    assert patched.json()["name_en"] == "Make-up day" and patched.json()["intervals"] == [
        {"start": "09:00", "end": "12:00"}
    ]
    assert (
        client.patch(f"{base}{day_id}/", {"kind": "holiday"}, format="json").json()["code"]
        == "sla_invalid_interval"
    )
    assert (
        client.patch(f"{base}{day_id}/", {"kind": "holiday", "intervals": []}, format="json").json()["kind"]
        == "holiday"
    )
    assert client.delete(f"{base}{day_id}/").status_code == 204
    assert not CalendarDay.objects.filter(pk=day_id).exists()


def test_import_a_holiday_file(administrator: User, standard_calendar: BusinessCalendar) -> None:
    client = api_client_for(administrator)
    url = f"{CALENDARS}{standard_calendar.pk}/import/"

    first = client.post(url, holiday_file(2025), format="json")
    again = client.post(url, holiday_file(2025), format="json")

    assert first.json() == {"year": 2025, "created": 33, "updated": 0, "unchanged": 0, "removed": 0}
    assert again.json()["unchanged"] == 33
    bad = client.post(url, {"year": 2025, "days": [{"date": "2025-13-01", "kind": "holiday"}]}, format="json")
    assert bad.status_code == 400
    assert bad.json()["code"] == "sla_invalid_import"
    assert "2026-01-01" in bad.json()["fields"]["days"][0]["detail"]


def test_assign_and_unassign_units(
    administrator: User, always_calendar: BusinessCalendar, organisation: OrgUnit
) -> None:
    client = api_client_for(administrator)
    base = f"{CALENDARS}{always_calendar.pk}/units/"

    assigned = client.post(base, {"unit": organisation.pk}, format="json")
    assert [u["id"] for u in assigned.json()["units"]] == [organisation.pk]
    assert client.post(base, {"unit": 999}, format="json").status_code == 400
    assert client.delete(f"{base}{organisation.pk}/").status_code == 204
    assert client.delete(f"{base}{organisation.pk}/").status_code == 404
    assert not SlaCalendarAssignment.objects.exists()


def test_deadline_endpoint_computes_in_the_calendar(
    member: User, administrator: User, standard_calendar: BusinessCalendar
) -> None:
    client = api_client_for(administrator)
    client.post(f"{CALENDARS}{standard_calendar.pk}/import/", holiday_file(2025), format="json")
    url = f"{CALENDARS}{standard_calendar.pk}/deadline/"

    working_days = api_client_for(member).get(
        url, {"start": "2025-09-30T10:00:00+08:00", "amount": "1", "unit": "working_days"}
    )
    hours = api_client_for(member).get(
        url, {"start": "2025-09-26T17:00:00+08:00", "amount": "1", "unit": "hours", "basis": "working_time"}
    )

    assert working_days.status_code == 200, working_days.json()
    assert working_days.json()["deadline"] == "2025-10-09T09:30:00Z"
    assert working_days.json()["deadline_local"] == "2025-10-09T17:30:00+08:00"
    assert working_days.json()["calendar"] == "cn-standard"
    assert hours.json()["deadline_local"] == "2025-09-28T09:30:00+08:00"
    naive = client.get(url, {"start": "2025-09-26T17:00:00", "amount": "1", "unit": "hours"})
    assert naive.status_code == 400 and "start" in naive.json()["fields"]
    assert (
        client.get(url, {"start": "2025-09-26T17:00:00Z", "amount": "1", "unit": "weeks"}).status_code == 400
    )


# Policies -----------------------------------------------------------------------------------------------


def test_create_read_update_and_delete_a_policy(
    administrator: User, always_calendar: BusinessCalendar, published_service: object
) -> None:
    client = api_client_for(administrator)

    created = client.post(
        POLICIES,
        {
            "name_zh": "紧急投诉",
            "case_kinds": ["complaint"],
            "priorities": ["urgent"],
            "channels": ["phone"],
            "customer_groups": ["vip"],
            "services": [published_service.pk],  # type: ignore[attr-defined]
            "calendar": always_calendar.pk,
            "warn_at_share": "0.60",
            "reassign_to_team_lead": True,
            "targets": [
                {"metric": "first_response", "amount": 2, "unit": "hours", "basis": "working_time"},
                {"metric": "resolution", "amount": 3, "unit": "working_days", "basis": "working_time"},
            ],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["warn_at_share"] == "0.60" and body["calendar"] == always_calendar.pk
    assert [t["metric"] for t in body["targets"]] == ["first_response", "resolution"]
    url = f"{POLICIES}{body['id']}/"

    patched = client.patch(
        url,
        {
            "priorities": [],
            "targets": [{"metric": "next_response", "amount": 4, "unit": "hours", "basis": "calendar_time"}],
        },
        format="json",
    )
    assert patched.status_code == 200
    assert patched.json()["priorities"] == [] and patched.json()["case_kinds"] == ["complaint"]
    assert [t["metric"] for t in patched.json()["targets"]] == ["next_response"]
    assert patched.json()["services"] == [published_service.pk]  # type: ignore[attr-defined]

    assert client.patch(url, {"warn_at_share": "0.30"}, format="json").json()["code"] == "sla_invalid_share"
    assert client.patch(url, {"case_kinds": ["riot"]}, format="json").json()["code"] == "invalid"
    assert client.delete(url).status_code == 204
    assert not SlaPolicy.objects.exists()
    assert AuditEvent.objects.filter(action__startswith="sla.policy").count() == 3


def test_reorder_policies(
    administrator: User, complaint_policy: SlaPolicy, default_policy: SlaPolicy
) -> None:
    client = api_client_for(administrator)

    response = client.post(
        f"{POLICIES}reorder/", {"order": [default_policy.pk, complaint_policy.pk]}, format="json"
    )

    assert [p["id"] for p in response.json()] == [default_policy.pk, complaint_policy.pk]
    assert [p["id"] for p in client.get(POLICIES).json()["results"]] == [
        default_policy.pk,
        complaint_policy.pk,
    ]
    assert (
        client.post(f"{POLICIES}reorder/", {"order": [default_policy.pk]}, format="json").json()["code"]
        == "sla_invalid_order"
    )
    assert (
        client.post(f"{POLICIES}reorder/", {"order": [default_policy.pk, 999]}, format="json").status_code
        == 400
    )
