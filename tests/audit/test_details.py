"""An event's details as labelled fields: translated keys, readable values, nesting flattened, text cut."""

import zoneinfo

from django.utils import timezone, translation

from charter.audit.details import SHORT, event_details, person_ids, value_text
from charter.cases.models import Case


def _pairs(data: object, **options: object) -> list[tuple[str, str]]:
    return [(detail.label, detail.value) for detail in event_details(data, **options)]  # type: ignore[arg-type]


def test_common_keys_are_named_in_the_readers_language_and_unknown_ones_shown_plainly() -> None:
    data = {"reason": "客户要求", "window_days": 90, "brand_new_key": "x"}

    with translation.override("en"):
        english = _pairs(data)
    with translation.override("zh-hans"):
        chinese = _pairs(data)

    assert english == [("Reason", "客户要求"), ("Window (days)", "90"), ("brand new key", "x")]
    assert chinese == [("原因", "客户要求"), ("观察期（天）", "90"), ("brand new key", "x")]


def test_values_read_as_words() -> None:
    with translation.override("en"):
        assert value_text(None) == "—"
        assert value_text("") == "—"
        assert value_text(True) == "yes"
        assert value_text(False) == "no"
        assert value_text(["web", "phone"]) == "web, phone"
        assert value_text([]) == "—"
        assert (
            value_text([{"amount": 30, "unit": "minute"}, {"amount": 2}])
            == "Amount: 30, Unit: minute; Amount: 2"
        )
    with translation.override("zh-hans"):
        assert value_text(["web", "phone"]) == "web、phone"
        assert value_text(True) == "是"


def test_times_are_shown_in_the_readers_time_zone() -> None:
    recorded = "2026-03-01T23:30:00Z"  # what DjangoJSONEncoder writes for an aware UTC datetime

    with timezone.override(zoneinfo.ZoneInfo("Asia/Shanghai")):
        shanghai = value_text(recorded)
    with timezone.override(zoneinfo.ZoneInfo("Europe/London")):
        london = value_text(recorded)

    assert shanghai == "2026-03-02 07:30"
    assert london == "2026-03-01 23:30"
    assert value_text("2026-03-01") == "2026-03-01"  # a date stays a date


def test_nested_objects_are_flattened_into_labelled_fields() -> None:
    data = {"team": {"from": 3, "to": 4}, "before": {"name_zh": "旧", "fees": [1, 2]}}

    with translation.override("en"):
        pairs = _pairs(data)

    assert pairs == [
        ("Team › From", "3"),
        ("Team › To", "4"),
        ("Before › Name (Chinese)", "旧"),
        ("Before › Fees", "1, 2"),
    ]


def test_long_text_is_cut_and_kept_whole() -> None:
    text = "很长的说明。" * 40

    (detail,) = event_details({"note": text})

    assert detail.is_cut
    assert len(detail.value) == SHORT and detail.value.endswith("…")
    assert detail.full == text
    (short,) = event_details({"note": "短"})
    assert not short.is_cut and short.full == ""


def test_people_are_named_and_coded_values_read_by_the_objects_choices() -> None:
    data = {"assignee": {"from": None, "to": 7}, "staff": 9, "to": "in_progress", "channel": "phone"}

    with translation.override("en"):
        pairs = _pairs(data, people={7: "Li (li.agent)"}, model=Case)

    assert person_ids(data) == {7, 9}
    assert ("Assignee › To", "Li (li.agent)") in pairs
    assert ("Staff member", "9") in pairs  # not found: the id stays
    assert ("To", "In progress") in pairs  # a bare from / to is a status
    assert ("Channel", "Phone") in pairs


def test_data_that_is_not_an_object_is_one_field() -> None:
    assert event_details({}) == []
    assert event_details(None) == []
    with translation.override("en"):
        assert _pairs(["a", "b"]) == [("Details", "a, b")]
