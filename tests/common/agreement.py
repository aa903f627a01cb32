"""Helpers of the permission agreement tests (tests/<app>/test_permission_agreement.py).

Each rule is asked through every channel from the same state: its predicate, the page, the API and the
service. Each channel's answer becomes a verdict, `OK`, `HIDDEN` (404, exactly like a missing object) or the
refusal's code, and the tests hold all of them to one expected table per role. A channel that writes runs
in a savepoint that is rolled back (`undone`), so every channel and every role meets the same state.
"""

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import transaction
from django.http import HttpResponse

from charter.accounts.models import OrgUnit, Team, User
from charter.accounts.roles import Role
from charter.common.errors import DomainError, NotFoundError, PermissionDeniedError
from charter.common.policy import Decision, Refusal
from tests.accounts.factories import TeamFactory, TeamMembershipFactory, UserFactory

OK = "ok"
HIDDEN = "hidden"
REFUSED = "refused"  # a page says no without a code: 403, or the form again with the refusal


# Who is asked, around alice (`member`, an agent of `team`, in a unit under the organisation): the roles
# of DESIGN.md, and for supervisors the three places a team can sit in his scope.
PERSONAS = (
    "subject",  # alice herself: the agent reviewed, the staff member of the violation…
    "teammate",  # bob, another agent of her team
    "agent",  # charlie, an agent of a team in a sibling unit
    "supervisor",  # sam, who leads her team
    "supervisor_above",  # the lead of a team in the organisation's own unit: her team is under him
    "supervisor_elsewhere",  # the lead of the team in the sibling unit
    "qa_reviewer",
    "administrator",
    "customer",
)


def persona_users(request: pytest.FixtureRequest) -> dict[str, User]:
    """Return the users of PERSONAS, made from the shared fixtures (tests/conftest.py) plus three more."""
    organisation: OrgUnit = request.getfixturevalue("organisation")
    other_team: Team = request.getfixturevalue("other_team")
    above = UserFactory.create(username="una", roles=[Role.SUPERVISOR])
    TeamMembershipFactory.create(
        team=TeamFactory.create(unit=organisation, code="hq"), user=above, is_lead=True
    )
    elsewhere = _fixture_or(request, "other_supervisor", partial(_lead_of, other_team))
    return {
        "subject": request.getfixturevalue("member"),
        "teammate": request.getfixturevalue("teammate"),
        "agent": request.getfixturevalue("outsider"),
        "supervisor": request.getfixturevalue("supervisor"),
        "supervisor_above": above,
        "supervisor_elsewhere": elsewhere,
        "qa_reviewer": _fixture_or(
            request, "qa_reviewer", lambda: UserFactory.create(roles=[Role.QA_REVIEWER])
        ),
        "administrator": request.getfixturevalue("administrator"),
        "customer": request.getfixturevalue("customer_user"),
    }


def _lead_of(team: Team) -> User:
    lead: User = UserFactory.create(username="olga", roles=[Role.SUPERVISOR])
    TeamMembershipFactory.create(team=team, user=lead, is_lead=True)
    return lead


def _fixture_or(request: pytest.FixtureRequest, name: str, make: Callable[[], User]) -> User:
    """The app's own fixture `name` when its tests have one (the same user the other fixtures know), else
    a new user."""
    try:
        user: User = request.getfixturevalue(name)
    except pytest.FixtureLookupError:
        return make()
    return user


class _Undo(Exception):
    """Raised inside the savepoint to roll back what a channel wrote."""


def undone(action: Callable[[], Any]) -> Any:
    """Run `action` and roll back whatever it wrote; return its result, or the DomainError it raised."""
    outcome: list[Any] = []
    try:
        with transaction.atomic():
            try:
                outcome.append(action())
            except DomainError as error:
                outcome.append(error)
            raise _Undo
    except _Undo:
        pass
    return outcome[0]


def decision_verdict(decision: Decision) -> str:
    """The verdict of a predicate's answer."""
    if isinstance(decision, Refusal):
        return HIDDEN if decision.hidden else decision.code
    return OK


def service_verdict(outcome: Any) -> str:
    """The verdict of a service call run through `undone`: a hidden refusal is NotFoundError with the shared
    `not_found` code, a refusal PermissionDeniedError with its code; any other error names itself."""
    if isinstance(outcome, NotFoundError):
        assert outcome.code == "not_found", outcome.code
        return HIDDEN
    if isinstance(outcome, PermissionDeniedError):
        return str(outcome.code)
    if isinstance(outcome, DomainError):
        return f"error {outcome.code}"
    return OK


def api_verdict(response: Any) -> str:
    """The verdict of an API answer: 404 `not_found`, 403 with its code, or a success."""
    if response.status_code == 404:
        assert response.json()["code"] == "not_found", response.json()
        return HIDDEN
    if response.status_code == 403:
        return str(response.json()["code"])
    if response.status_code < 300:
        return OK
    return f"error {response.status_code} {response.json().get('code')}"


def page_verdict(*, shown: bool | None, posted: HttpResponse) -> str:
    """The verdict of a page: `shown` is whether the page offers the action (None: the page itself was
    not found), `posted` the answer to sending its form. Offered and done (a redirect) is OK; not offered and
    refused is REFUSED; not found both ways is HIDDEN; anything else is a disagreement."""
    if shown is None and posted.status_code == 404:
        return HIDDEN
    if shown and posted.status_code == 302:
        return OK
    if shown is False and posted.status_code in (200, 400, 403):
        return REFUSED
    return f"disagree: shown={shown} posted={posted.status_code}"


def page_expected(verdict: str) -> str:
    """What a page answers for `verdict`: pages carry no code, so every refusal is REFUSED."""
    return verdict if verdict in (OK, HIDDEN) else REFUSED
