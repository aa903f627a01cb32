"""A corrective action found through a violation links it: the service checks the reader may see it, the
violation's page lists the actions opened from it, and the API takes its id."""

from typing import Any

import pytest

from charter.accounts.models import User
from charter.audit.models import AuditEvent
from charter.common.errors import DomainError
from charter.conduct.models import Violation
from charter.improvement.models import CorrectiveAction
from charter.improvement.services import corrective_action_open
from tests.conduct.conftest import Recorder, clause, code_v1, record  # noqa: F401
from tests.conftest import api_client_for, client_for
from tests.standards.conftest import conduct, publish  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def violation(record: Recorder) -> Violation:  # noqa: F811
    return record()


def _open(actor: User, owner: User, **overrides: Any) -> CorrectiveAction:
    values: dict[str, Any] = {
        "title": "加强文明用语培训",
        "source_kind": "violation",
        "problem": "坐席对客户使用不当用语。",
        "owner": owner,
    }
    values.update(overrides)
    return corrective_action_open(actor=actor, **values)


def test_an_action_opened_from_a_violation_links_it_and_names_it(
    violation: Violation, supervisor: User
) -> None:
    action = _open(supervisor, supervisor, violation=violation)

    assert action.violation == violation
    assert action.source_reference == str(violation)
    event = AuditEvent.objects.get(action="improvement.corrective_action_open")
    assert event.data["violation"] == violation.pk


def test_only_an_action_found_through_a_violation_links_one(violation: Violation, supervisor: User) -> None:
    with pytest.raises(DomainError) as error:
        _open(supervisor, supervisor, violation=violation, source_kind="qa_trend", source_reference="Q3")

    assert error.value.field == "violation"
    assert not CorrectiveAction.objects.exists()


def test_a_violation_the_opener_may_not_see_is_refused(violation: Violation, other_supervisor: User) -> None:
    with pytest.raises(DomainError) as error:
        _open(other_supervisor, other_supervisor, violation=violation)

    assert error.value.field == "violation"
    assert not CorrectiveAction.objects.exists()


def test_the_violation_page_lists_its_actions_and_offers_to_open_one(
    violation: Violation, supervisor: User, member: User
) -> None:
    action = _open(supervisor, supervisor, violation=violation)
    url = f"/desk/conduct/violations/{violation.pk}/"

    page = client_for(supervisor).get(url).content.decode()
    own = client_for(member).get(url).content.decode()

    assert action.number in page
    assert f"/desk/improvement/actions/new/?violation={violation.pk}" in page
    # The staff member sees his record, but neither the team's action nor a way to open one.
    assert action.number not in own and "?violation=" not in own


def test_the_create_form_is_prefilled_from_the_violation(violation: Violation, supervisor: User) -> None:
    page = client_for(supervisor).get(f"/desk/improvement/actions/new/?violation={violation.pk}")

    form = page.context["form"]
    assert form.initial["source_kind"] == "violation"
    assert form.initial["violation"] == violation.pk
    assert form.initial["problem"] == violation.description


def test_the_api_links_a_violation_and_refuses_one_out_of_sight(
    violation: Violation, supervisor: User, other_supervisor: User
) -> None:
    body = {
        "title": "加强培训",
        "source_kind": "violation",
        "problem": "不当用语。",
        "violation": violation.pk,
    }

    created = api_client_for(supervisor).post(
        "/api/v1/corrective-actions/", {**body, "owner": supervisor.pk}, format="json"
    )
    refused = api_client_for(other_supervisor).post(
        "/api/v1/corrective-actions/", {**body, "owner": other_supervisor.pk}, format="json"
    )

    assert created.status_code == 201 and created.json()["violation"] == violation.pk
    assert refused.status_code == 400 and "violation" in refused.json()["fields"]
    assert CorrectiveAction.objects.count() == 1
