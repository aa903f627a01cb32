"""The desk home's conduct tiles: what waits for whom, each count among the violations he may see and never
one he may not act on (his own, one he decided or approved)."""

import pytest

from charter.accounts.models import User
from charter.accounts.tiles import desk_tiles
from charter.conduct.models import Violation
from charter.conduct.selectors import violation_list_visible_to, violation_work_counts
from charter.conduct.services import violation_appeal, violation_decide, violation_respond
from charter.standards.models import StandardVersion
from tests.conduct.conftest import Recorder, step
from tests.conduct.test_services import in_effect
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_recorded_violation_waits_for_the_supervisors_decision_then_for_the_staff_members_response(
    record: Recorder, supervisor: User, member: User, administrator: User, acknowledged: StandardVersion
) -> None:
    violation = record()

    assert violation_work_counts(user=supervisor)["to_decide"] == 1
    assert violation_work_counts(user=administrator)["to_decide"] == 1
    assert violation_work_counts(user=member) == {
        "to_decide": 0,
        "to_approve": 0,
        "appeals": 0,
        "to_respond": 0,
    }

    violation_decide(actor=supervisor, violation=violation, step=step("education"))

    assert violation_work_counts(user=supervisor)["to_decide"] == 0
    assert violation_work_counts(user=member)["to_respond"] == 1
    tile = {tile.key: tile for tile in desk_tiles.collect(member)}["violations-respond"]
    assert tile.count == 1
    assert tile.url == "/desk/conduct/my-record/?status=awaiting_response"
    assert client_for(member).get(tile.url).status_code == 200


def test_a_step_awaiting_approval_waits_for_the_approver_not_for_the_decider(
    record: Recorder, supervisor: User, member: User, administrator: User, acknowledged: StandardVersion
) -> None:
    violation = record(severity="serious")
    violation_decide(actor=supervisor, violation=violation, step=step("demotion"), reason="严重")
    violation_respond(actor=member, violation=violation, text="……")
    assert Violation.objects.get().status == Violation.Status.AWAITING_APPROVAL

    assert violation_work_counts(user=administrator)["to_approve"] == 1
    assert violation_work_counts(user=supervisor)["to_approve"] == 0
    tiles = {tile.key: tile for tile in desk_tiles.collect(administrator)}
    assert tiles["violations-approve"].count == 1
    assert "violations-approve" not in {tile.key for tile in desk_tiles.collect(supervisor)}


def test_an_appeal_waits_for_those_who_had_no_part_in_the_step(
    record: Recorder, supervisor: User, member: User, administrator: User, acknowledged: StandardVersion
) -> None:
    violation = in_effect(record, supervisor, member, "written-warning")
    violation_appeal(actor=member, violation=violation, text="客户先辱骂我。")
    appealed = Violation.objects.get()
    assert appealed.approved_by_id is None  # no second approval: the count must not lose it to NULL

    assert violation_work_counts(user=administrator)["appeals"] == 1
    assert violation_work_counts(user=supervisor)["appeals"] == 0  # he decided the step
    assert violation_work_counts(user=member)["appeals"] == 0
    listed = violation_list_visible_to(user=administrator).filter(status=Violation.Status.APPEALED)
    assert listed.count() == 1
