import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from charter.accounts.models import Team, User
from charter.standards.models import StandardDocument, StandardVersion
from charter.standards.selectors import (
    acknowledgement_report_team_list,
    acknowledgement_report_user_list,
    standard_clause_citable_list,
    standard_clause_in_force,
    standard_clause_list,
    standard_document_list,
    standard_public_list,
    standard_version_in_force,
    standard_version_list_awaiting_acknowledgement,
    standard_version_list_visible_to,
    standard_version_scheduled_list,
)
from charter.standards.services import standard_version_acknowledge, standard_version_draft_create
from tests.standards.conftest import Publisher, conduct_content, promise_content

pytestmark = pytest.mark.django_db

FUTURE = dt.datetime(2999, 1, 1, tzinfo=dt.UTC)


def test_documents_list_the_customer_promises_first(
    conduct: StandardDocument, promises: StandardDocument
) -> None:
    assert list(standard_document_list()) == [promises, conduct]


def test_version_in_force_is_the_latest_published_one_already_effective(
    conduct: StandardDocument, publish: Publisher, administrator: User
) -> None:
    jan, mar, may = (dt.datetime(2025, month, 1, tzinfo=dt.UTC) for month in (1, 3, 5))
    v1 = publish(conduct, [conduct_content()], effective_at=jan)
    v2 = publish(conduct, effective_at=mar)
    v3 = publish(conduct, effective_at=FUTURE)
    standard_version_draft_create(actor=administrator, document=conduct)

    assert standard_version_in_force(document=conduct, at=jan - dt.timedelta(seconds=1)) is None
    assert standard_version_in_force(document=conduct, at=jan) == v1
    assert standard_version_in_force(document=conduct, at=may) == v2
    assert standard_version_in_force(document=conduct, at=FUTURE) == v3
    assert list(standard_version_scheduled_list(document=conduct, at=may)) == [v3]


def test_version_in_force_is_per_document(
    conduct_v1: StandardVersion, promises: StandardDocument, publish: Publisher
) -> None:
    promises_v1 = publish(promises, [promise_content()])

    assert standard_version_in_force(document=promises, at=timezone.now()) == promises_v1
    assert standard_version_in_force(document=conduct_v1.document, at=timezone.now()) == conduct_v1


def test_drafts_are_visible_only_to_editors(
    conduct_v1: StandardVersion, administrator: User, member: User, supervisor: User
) -> None:
    draft = standard_version_draft_create(actor=administrator, document=conduct_v1.document)

    assert list(standard_version_list_visible_to(user=administrator, document=conduct_v1.document)) == [
        draft,
        conduct_v1,
    ]
    for user in (member, supervisor, AnonymousUser()):
        assert list(standard_version_list_visible_to(user=user, document=conduct_v1.document)) == [conduct_v1]


def test_clause_list_follows_natural_number_order(conduct: StandardDocument, publish: Publisher) -> None:
    version = publish(conduct, [conduct_content(n) for n in ("2.10", "2.9", "10.1", "1")])

    assert [c.number for c in standard_clause_list(version=version)] == ["1", "2.9", "2.10", "10.1"]


def test_citable_clauses_are_those_of_the_latest_published_promises(
    promises: StandardDocument, conduct_v1: StandardVersion, publish: Publisher, administrator: User
) -> None:
    publish(promises, [promise_content("1")])
    v2 = publish(promises, [promise_content("2")])
    standard_version_draft_create(actor=administrator, document=promises)

    citable = list(standard_clause_citable_list())

    assert [(c.version_id, c.number) for c in citable] == [(v2.pk, "1"), (v2.pk, "2")]


def test_public_list_shows_only_what_is_in_force(
    promises: StandardDocument, conduct: StandardDocument, publish: Publisher
) -> None:
    publish(promises, [promise_content()])
    publish(conduct, [conduct_content()], effective_at=FUTURE)

    [item] = standard_public_list()

    assert item.document == promises
    assert [c.number for c in item.clauses] == ["1"]


def test_awaiting_lists_the_version_in_force_and_the_scheduled_ones_not_yet_acknowledged(
    conduct: StandardDocument, promises_v1: StandardVersion, publish: Publisher, member: User
) -> None:
    v1 = publish(conduct, [conduct_content()], effective_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    v2 = publish(conduct, effective_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC))
    v3 = publish(conduct, effective_at=FUTURE)

    assert standard_version_list_awaiting_acknowledgement(user=member) == [v2, v3]
    assert v1 not in standard_version_list_awaiting_acknowledgement(user=member)

    standard_version_acknowledge(user=member, version=v2)

    assert standard_version_list_awaiting_acknowledgement(user=member) == [v3]
    assert standard_version_list_awaiting_acknowledgement(user=AnonymousUser()) == []


def test_report_scope_of_a_supervisor_is_his_teams(
    conduct_v1: StandardVersion,
    supervisor: User,
    member: User,
    teammate: User,
    outsider: User,
    team: Team,
    other_team: Team,
) -> None:
    standard_version_acknowledge(user=member, version=conduct_v1)

    people = {
        u.username: u.acknowledged_at  # type: ignore[attr-defined]  # the selector's annotation, not in its type
        for u in acknowledgement_report_user_list(user=supervisor, version=conduct_v1)
    }

    assert set(people) == {"alice", "bob", "sam"}
    assert people["alice"] is not None
    assert people["bob"] is None
    assert list(acknowledgement_report_team_list(user=supervisor)) == [team]
    pending = acknowledgement_report_user_list(user=supervisor, version=conduct_v1, is_pending_only=True)
    assert {u.username for u in pending} == {"bob", "sam"}
    assert not acknowledgement_report_user_list(user=supervisor, version=conduct_v1, team=other_team).exists()


def test_report_scope_of_an_administrator_is_all_staff(
    conduct_v1: StandardVersion,
    administrator: User,
    member: User,
    outsider: User,
    supervisor: User,
    customer_user: User,
    other_team: Team,
) -> None:
    people = {u.username for u in acknowledgement_report_user_list(user=administrator, version=conduct_v1)}

    assert people == {"admin", "alice", "charlie", "sam"}
    only_other = acknowledgement_report_user_list(user=administrator, version=conduct_v1, team=other_team)
    assert {u.username for u in only_other} == {"charlie"}


def test_an_outsider_supervisor_does_not_see_another_team(
    conduct_v1: StandardVersion, outsider_supervisor: User, member: User, outsider: User, team: Team
) -> None:
    people = {
        u.username for u in acknowledgement_report_user_list(user=outsider_supervisor, version=conduct_v1)
    }

    assert people == {"charlie", "olga"}
    assert not acknowledgement_report_user_list(
        user=outsider_supervisor, version=conduct_v1, team=team
    ).exists()


def test_people_without_the_report_see_nobody(conduct_v1: StandardVersion, member: User) -> None:
    assert not acknowledgement_report_user_list(user=member, version=conduct_v1).exists()
    assert not acknowledgement_report_user_list(user=AnonymousUser(), version=conduct_v1).exists()
    assert not acknowledgement_report_team_list(user=member).exists()


def test_clause_in_force_is_the_clause_as_it_stood_on_that_date(
    conduct: StandardDocument, publish: Publisher, administrator: User
) -> None:
    jan, jun = dt.datetime(2025, 1, 1, tzinfo=dt.UTC), dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    v1 = publish(conduct, [conduct_content("1.1", text_en="Old.")], effective_at=jan)
    v2 = publish(conduct, effective_at=jun)

    before = standard_clause_in_force(document=conduct, number="1.1", at=jun - dt.timedelta(days=1))
    after = standard_clause_in_force(document=conduct, number="1.1", at=jun)

    assert before is not None and before.version == v1
    assert after is not None and after.version == v2
    assert standard_clause_in_force(document=conduct, number="9.9", at=jun) is None
    assert standard_clause_in_force(document=conduct, number="1.1", at=jan - dt.timedelta(days=1)) is None
