import dataclasses
import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from charter.accounts.models import User
from charter.audit.models import AuditEvent
from charter.audit.selectors import audit_chain_verify
from charter.common.errors import DomainError, PermissionDeniedError
from charter.standards import services
from charter.standards.demo import CONDUCT_CODE, PROMISES_CODE, demo_load
from charter.standards.errors import ErrorCode
from charter.standards.models import (
    StandardAcknowledgement,
    StandardClause,
    StandardDocument,
    StandardVersion,
    clause_sort_key,
)
from charter.standards.selectors import standard_version_in_force
from charter.standards.services import (
    ClauseContent,
    standard_clause_add,
    standard_clause_delete,
    standard_clause_update,
    standard_document_create,
    standard_document_update,
    standard_version_acknowledge,
    standard_version_draft_create,
    standard_version_draft_discard,
    standard_version_draft_update,
    standard_version_publish,
)
from tests.standards.conftest import PAST, Publisher, conduct_content, promise_content

pytestmark = pytest.mark.django_db


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("sequence"))


def _code(error: pytest.ExceptionInfo[DomainError]) -> str:
    return error.value.code


# Documents ----------------------------------------------------------------------------------------------


def test_document_create_records_the_document_and_its_audit_event(administrator: User) -> None:
    document = standard_document_create(
        actor=administrator,
        code="promises",
        kind=StandardDocument.Kind.CUSTOMER_PROMISES,
        title_zh=" 承诺 ",
        title_en="Promises",
    )

    assert document.title_zh == "承诺"
    [event] = _events("standards.document_create")
    assert event.actor == administrator
    assert event.target_id == str(document.pk)
    assert event.data == {"kind": "customer_promises"}


@pytest.mark.parametrize(
    ("code", "kind", "title_zh", "expected"),
    [
        ("Bad Code", "code_of_conduct", "规范", ErrorCode.INVALID_CODE),
        ("ok-code", "handbook", "规范", ErrorCode.INVALID_KIND),
        ("ok-code", "code_of_conduct", "  ", ErrorCode.TITLE_REQUIRED),
    ],
)
def test_document_create_refuses_bad_input(
    administrator: User, code: str, kind: str, title_zh: str, expected: str
) -> None:
    with pytest.raises(DomainError) as error:
        standard_document_create(actor=administrator, code=code, kind=kind, title_zh=title_zh)

    assert _code(error) == expected
    assert not StandardDocument.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="standards.").exists()


def test_document_create_refuses_a_taken_code(conduct: StandardDocument, administrator: User) -> None:
    with pytest.raises(DomainError) as error:
        standard_document_create(actor=administrator, code=conduct.code, kind=conduct.kind, title_zh="另一个")

    assert _code(error) == ErrorCode.DUPLICATE_CODE


@pytest.mark.parametrize("persona", ["member", "supervisor", "customer_user"])
def test_only_administrators_create_documents(persona: str, request: pytest.FixtureRequest) -> None:
    user = request.getfixturevalue(persona)

    with pytest.raises(PermissionDeniedError) as error:
        standard_document_create(actor=user, code="x", kind="code_of_conduct", title_zh="规范")

    assert _code(error) == ErrorCode.EDIT_DENIED


def test_document_update_changes_titles_and_is_audited(
    conduct: StandardDocument, administrator: User
) -> None:
    standard_document_update(actor=administrator, document=conduct, title_zh="新标题", title_en="New title")

    conduct.refresh_from_db()
    assert (conduct.title_zh, conduct.title_en) == ("新标题", "New title")
    assert len(_events("standards.document_update")) == 1


# Drafts -------------------------------------------------------------------------------------------------


def test_first_draft_is_version_one_and_empty(conduct: StandardDocument, administrator: User) -> None:
    draft = standard_version_draft_create(actor=administrator, document=conduct)

    assert draft.number == 1
    assert draft.is_draft
    assert draft.created_by == administrator
    assert not draft.clauses.exists()
    [event] = _events("standards.draft_create")
    assert event.data["copied_from"] is None


def test_only_one_draft_per_document(conduct_draft: StandardVersion, administrator: User) -> None:
    with pytest.raises(DomainError) as error:
        standard_version_draft_create(actor=administrator, document=conduct_draft.document)

    assert _code(error) == ErrorCode.DRAFT_EXISTS
    assert StandardVersion.objects.filter(document=conduct_draft.document).count() == 1


def test_the_database_also_refuses_a_second_draft(conduct_draft: StandardVersion) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        StandardVersion.objects.create(document=conduct_draft.document, number=2)


def test_new_draft_copies_clauses_preamble_and_citations_of_the_latest_version(
    promises_v1: StandardVersion, conduct: StandardDocument, administrator: User, publish: Publisher
) -> None:
    promise = promises_v1.clauses.get(number="2")
    v1 = publish(conduct, [conduct_content("1.1", promises=(promise,)), conduct_content("2.1")])

    draft = standard_version_draft_create(actor=administrator, document=conduct)

    assert draft.number == 2
    copied = list(draft.clauses.order_by("sort_key"))
    assert [c.number for c in copied] == ["1.1", "2.1"]
    assert {c.pk for c in copied}.isdisjoint(set(v1.clauses.values_list("pk", flat=True)))
    assert list(copied[0].promises.all()) == [promise]
    assert copied[0].text_en == "Staff treat customers courteously (1.1)."
    assert copied[0].is_disciplinary is True
    assert _events("standards.draft_create")[-1].data == {
        "document": "code-of-conduct",
        "number": 2,
        "copied_from": 1,
        "clauses": 2,
    }


def test_draft_copies_the_preamble(conduct_draft: StandardVersion, administrator: User) -> None:
    standard_version_draft_update(
        actor=administrator, version=conduct_draft, preamble_zh="序言", preamble_en="Preamble"
    )
    standard_clause_add(actor=administrator, version=conduct_draft, content=conduct_content())
    standard_version_publish(actor=administrator, version=conduct_draft, effective_at=PAST)

    draft = standard_version_draft_create(actor=administrator, document=conduct_draft.document)

    assert (draft.preamble_zh, draft.preamble_en) == ("序言", "Preamble")
    assert draft.change_summary_zh == ""


def test_version_numbers_are_sequential(conduct: StandardDocument, publish: Publisher) -> None:
    v1 = publish(conduct, [conduct_content()])
    v2 = publish(conduct)
    v3 = publish(conduct)

    assert [v1.number, v2.number, v3.number] == [1, 2, 3]


def test_discarding_a_draft_deletes_it_and_frees_its_number(
    conduct_v1: StandardVersion, administrator: User
) -> None:
    draft = standard_version_draft_create(actor=administrator, document=conduct_v1.document)

    standard_version_draft_discard(actor=administrator, version=draft)

    assert not StandardVersion.objects.filter(pk=draft.pk).exists()
    assert not StandardClause.objects.filter(version_id=draft.pk).exists()
    assert conduct_v1.clauses.count() == 2
    assert standard_version_draft_create(actor=administrator, document=conduct_v1.document).number == 2
    assert len(_events("standards.draft_discard")) == 1


def test_a_published_version_cannot_be_discarded(conduct_v1: StandardVersion, administrator: User) -> None:
    with pytest.raises(DomainError) as error:
        standard_version_draft_discard(actor=administrator, version=conduct_v1)

    assert _code(error) == ErrorCode.VERSION_NOT_DRAFT
    assert StandardVersion.objects.filter(pk=conduct_v1.pk).exists()


def test_only_administrators_open_drafts(conduct: StandardDocument, member: User, supervisor: User) -> None:
    for user in (member, supervisor):
        with pytest.raises(PermissionDeniedError):
            standard_version_draft_create(actor=user, document=conduct)

    assert not StandardVersion.objects.exists()


# Clauses ------------------------------------------------------------------------------------------------


def test_clause_add_stores_a_promise_and_audits_it(promises: StandardDocument, administrator: User) -> None:
    draft = standard_version_draft_create(actor=administrator, document=promises)

    clause = standard_clause_add(
        actor=administrator, version=draft, content=promise_content("3", text_zh=" 文本 ")
    )

    assert clause.text_zh == "文本"
    assert clause.measure_en == "Share of answers on time."
    assert clause.sort_key == clause_sort_key("3")
    [event] = _events("standards.clause_add")
    assert event.data["number"] == "3"


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"number": "1..2"}, ErrorCode.INVALID_NUMBER, "number"),
        ({"number": "一"}, ErrorCode.INVALID_NUMBER, "number"),
        ({"text_zh": " "}, ErrorCode.TEXT_REQUIRED, "text_zh"),
        ({"complaint_route_zh": ""}, ErrorCode.COMPLAINT_ROUTE_REQUIRED, "complaint_route_zh"),
        ({"measure_zh": ""}, ErrorCode.MEASURE_REQUIRED, "measure_zh"),
        ({"category": "attitude"}, ErrorCode.FIELD_NOT_APPLICABLE, "category"),
        ({"is_disciplinary": True}, ErrorCode.FIELD_NOT_APPLICABLE, "is_disciplinary"),
    ],
)
def test_promise_clauses_are_validated(
    promises: StandardDocument, administrator: User, overrides: dict[str, Any], code: str, field: str
) -> None:
    draft = standard_version_draft_create(actor=administrator, document=promises)

    with pytest.raises(DomainError) as error:
        standard_clause_add(actor=administrator, version=draft, content=promise_content(**overrides))

    assert (_code(error), error.value.field) == (code, field)
    assert not draft.clauses.exists()
    assert not _events("standards.clause_add")


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"category": ""}, ErrorCode.CATEGORY_REQUIRED, "category"),
        ({"category": "hygiene"}, ErrorCode.INVALID_CATEGORY, "category"),
        ({"measure_zh": "比例"}, ErrorCode.FIELD_NOT_APPLICABLE, "measure_zh"),
        ({"conditions_en": "when"}, ErrorCode.FIELD_NOT_APPLICABLE, "conditions_en"),
    ],
)
def test_conduct_clauses_are_validated(
    conduct_draft: StandardVersion, administrator: User, overrides: dict[str, Any], code: str, field: str
) -> None:
    with pytest.raises(DomainError) as error:
        standard_clause_add(actor=administrator, version=conduct_draft, content=conduct_content(**overrides))

    assert (_code(error), error.value.field) == (code, field)


def test_text_with_a_nul_or_longer_than_its_column_is_refused_and_nothing_written(
    conduct_draft: StandardVersion, administrator: User
) -> None:
    with pytest.raises(DomainError) as nul:
        standard_clause_add(
            actor=administrator, version=conduct_draft, content=conduct_content(text_zh="以礼\x00待人")
        )
    with pytest.raises(DomainError) as too_long:
        standard_document_create(
            actor=administrator, code="long-title", kind="code_of_conduct", title_zh="规" * 201
        )

    assert (_code(nul), nul.value.field) == (ErrorCode.INVALID_TEXT, "text_zh")
    assert (_code(too_long), too_long.value.field) == (ErrorCode.TEXT_TOO_LONG, "title_zh")
    assert "200" in str(too_long.value.message)
    assert not conduct_draft.clauses.exists()
    assert not StandardDocument.objects.filter(code="long-title").exists()
    assert not _events("standards.clause_add")
    assert [event.target_id for event in _events("standards.document_create")] == [
        str(conduct_draft.document_id)
    ]


def test_clause_numbers_are_unique_within_a_version(
    conduct_draft: StandardVersion, administrator: User
) -> None:
    standard_clause_add(actor=administrator, version=conduct_draft, content=conduct_content("1.1"))

    with pytest.raises(DomainError) as error:
        standard_clause_add(actor=administrator, version=conduct_draft, content=conduct_content("1.1"))

    assert _code(error) == ErrorCode.DUPLICATE_NUMBER


def test_a_conduct_clause_may_cite_only_published_promises(
    promises: StandardDocument, conduct_draft: StandardVersion, administrator: User, publish: Publisher
) -> None:
    promise_draft = standard_version_draft_create(actor=administrator, document=promises)
    draft_promise = standard_clause_add(actor=administrator, version=promise_draft, content=promise_content())
    other_conduct = standard_clause_add(
        actor=administrator, version=conduct_draft, content=conduct_content("9")
    )

    for cited in (draft_promise, other_conduct):
        with pytest.raises(DomainError) as error:
            standard_clause_add(
                actor=administrator, version=conduct_draft, content=conduct_content("1.1", promises=(cited,))
            )
        assert (_code(error), error.value.field) == (ErrorCode.INVALID_CITATION, "promises")

    standard_version_publish(actor=administrator, version=promise_draft, effective_at=PAST)
    clause = standard_clause_add(
        actor=administrator, version=conduct_draft, content=conduct_content("1.1", promises=(draft_promise,))
    )
    assert list(clause.promises.all()) == [draft_promise]
    assert list(draft_promise.cited_by.all()) == [clause]


def test_promises_cannot_cite_promises(promises_v1: StandardVersion, administrator: User) -> None:
    draft = standard_version_draft_create(actor=administrator, document=promises_v1.document)
    cited = promises_v1.clauses.first()

    with pytest.raises(DomainError) as error:
        standard_clause_add(
            actor=administrator, version=draft, content=promise_content("9", promises=(cited,))
        )

    assert _code(error) == ErrorCode.FIELD_NOT_APPLICABLE


def test_clause_update_replaces_the_content_and_keeps_numbers_unique(
    conduct_draft: StandardVersion, administrator: User
) -> None:
    first = standard_clause_add(actor=administrator, version=conduct_draft, content=conduct_content("1.1"))
    standard_clause_add(actor=administrator, version=conduct_draft, content=conduct_content("1.2"))

    changed = dataclasses.replace(ClauseContent.from_clause(first), number="1.10", text_en="Changed.")
    standard_clause_update(actor=administrator, clause=first, content=changed)

    first.refresh_from_db()
    assert (first.number, first.text_en, first.sort_key) == ("1.10", "Changed.", clause_sort_key("1.10"))
    assert _events("standards.clause_update")[-1].data["previous_number"] == "1.1"
    with pytest.raises(DomainError) as error:
        standard_clause_update(
            actor=administrator, clause=first, content=dataclasses.replace(changed, number="1.2")
        )
    assert _code(error) == ErrorCode.DUPLICATE_NUMBER


def test_clause_delete_removes_it_from_the_draft(conduct_draft: StandardVersion, administrator: User) -> None:
    clause = standard_clause_add(actor=administrator, version=conduct_draft, content=conduct_content())

    standard_clause_delete(actor=administrator, clause=clause)

    assert not conduct_draft.clauses.exists()
    assert _events("standards.clause_delete")[-1].data == {"version": 1, "number": "1.1"}


def test_only_administrators_write_clauses(
    conduct_draft: StandardVersion, administrator: User, member: User
) -> None:
    clause = standard_clause_add(actor=administrator, version=conduct_draft, content=conduct_content())

    with pytest.raises(PermissionDeniedError):
        standard_clause_add(actor=member, version=conduct_draft, content=conduct_content("2"))
    with pytest.raises(PermissionDeniedError):
        standard_clause_update(actor=member, clause=clause, content=conduct_content("3"))
    with pytest.raises(PermissionDeniedError):
        standard_clause_delete(actor=member, clause=clause)
    assert [c.number for c in conduct_draft.clauses.all()] == ["1.1"]


def test_clauses_sort_in_natural_number_order(conduct_draft: StandardVersion, administrator: User) -> None:
    for number in ["1.10", "10", "1.2", "2", "1.1", "0.8"]:
        standard_clause_add(actor=administrator, version=conduct_draft, content=conduct_content(number))

    assert list(conduct_draft.clauses.values_list("number", flat=True)) == [
        "0.8",
        "1.1",
        "1.2",
        "1.10",
        "2",
        "10",
    ]


# Publication and immutability ---------------------------------------------------------------------------


def test_publish_sets_the_dates_and_is_audited(conduct_draft: StandardVersion, administrator: User) -> None:
    standard_clause_add(actor=administrator, version=conduct_draft, content=conduct_content())
    effective = dt.datetime(2026, 3, 1, 8, tzinfo=dt.timezone(dt.timedelta(hours=8)))

    version = standard_version_publish(actor=administrator, version=conduct_draft, effective_at=effective)

    version.refresh_from_db()
    assert version.is_published
    assert version.effective_at == effective
    assert version.effective_at.utcoffset() == dt.timedelta(0)
    assert version.published_by == administrator
    assert version.published_at is not None
    assert version.supersedes is None
    [event] = _events("standards.publish")
    assert event.data == {
        "document": "code-of-conduct",
        "number": 1,
        "effective_at": "2026-03-01T00:00:00+00:00",
        "supersedes": None,
        "clauses": 1,
    }


def test_an_empty_draft_cannot_be_published(conduct_draft: StandardVersion, administrator: User) -> None:
    with pytest.raises(DomainError) as error:
        standard_version_publish(actor=administrator, version=conduct_draft, effective_at=PAST)

    assert _code(error) == ErrorCode.VERSION_EMPTY
    conduct_draft.refresh_from_db()
    assert conduct_draft.is_draft


def test_publish_needs_an_aware_effective_date(conduct_draft: StandardVersion, administrator: User) -> None:
    standard_clause_add(actor=administrator, version=conduct_draft, content=conduct_content())

    with pytest.raises(DomainError) as error:
        standard_version_publish(
            actor=administrator,
            version=conduct_draft,
            effective_at=dt.datetime(2025, 1, 1),  # noqa: DTZ001
        )

    assert (_code(error), error.value.field) == (ErrorCode.EFFECTIVE_AT_REQUIRED, "effective_at")


def test_a_version_is_published_only_once(conduct_v1: StandardVersion, administrator: User) -> None:
    with pytest.raises(DomainError) as error:
        standard_version_publish(actor=administrator, version=conduct_v1, effective_at=PAST)

    assert _code(error) == ErrorCode.VERSION_NOT_DRAFT
    assert len(_events("standards.publish")) == 1


def test_only_administrators_publish(
    conduct_draft: StandardVersion, administrator: User, supervisor: User
) -> None:
    standard_clause_add(actor=administrator, version=conduct_draft, content=conduct_content())

    with pytest.raises(PermissionDeniedError):
        standard_version_publish(actor=supervisor, version=conduct_draft, effective_at=PAST)

    conduct_draft.refresh_from_db()
    assert conduct_draft.is_draft


def test_services_refuse_to_change_a_published_version(
    conduct_v1: StandardVersion, administrator: User
) -> None:
    clause = conduct_v1.clauses.get(number="1.1")

    attempts = [
        lambda: standard_clause_add(actor=administrator, version=conduct_v1, content=conduct_content("9")),
        lambda: standard_clause_update(actor=administrator, clause=clause, content=conduct_content("1.1")),
        lambda: standard_clause_delete(actor=administrator, clause=clause),
        lambda: standard_version_draft_update(actor=administrator, version=conduct_v1, preamble_zh="改"),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError) as error:
            attempt()
        assert _code(error) == ErrorCode.VERSION_NOT_DRAFT

    clause.refresh_from_db()
    assert clause.text_zh == "员工需以礼待人(1.1)。"
    assert conduct_v1.clauses.count() == 2


def test_model_guards_refuse_to_change_a_published_version(conduct_v1: StandardVersion) -> None:
    clause = conduct_v1.clauses.get(number="1.1")
    version = StandardVersion.objects.get(pk=conduct_v1.pk)

    clause.text_zh = "篡改"
    version.preamble_zh = "篡改"
    attempts: list[Callable[[], object]] = [
        clause.save,
        clause.delete,
        version.save,
        version.delete,
        lambda: StandardClause.objects.filter(pk=clause.pk).update(text_zh="篡改"),
        lambda: StandardClause.objects.filter(version=conduct_v1).delete(),
        lambda: StandardVersion.objects.filter(pk=version.pk).update(preamble_zh="篡改"),
        lambda: StandardVersion.objects.filter(pk=version.pk).delete(),
        lambda: StandardClause.objects.create(version=conduct_v1, number="9", text_zh="新增"),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError) as error:
            attempt()
        assert _code(error) == ErrorCode.VERSION_NOT_DRAFT

    assert StandardClause.objects.get(pk=clause.pk).text_zh == "员工需以礼待人(1.1)。"
    assert StandardVersion.objects.get(pk=version.pk).preamble_zh == ""
    assert conduct_v1.clauses.count() == 2


def test_draft_clauses_can_still_be_changed_through_the_orm(
    conduct_draft: StandardVersion, administrator: User
) -> None:
    clause = standard_clause_add(actor=administrator, version=conduct_draft, content=conduct_content())

    StandardClause.objects.filter(pk=clause.pk).update(title_en="Edited")

    assert StandardClause.objects.get(pk=clause.pk).title_en == "Edited"


# Supersession and the version in force -------------------------------------------------------------------


def test_publishing_supersedes_the_previous_version_from_its_effective_date(
    conduct: StandardDocument, publish: Publisher
) -> None:
    v1 = publish(conduct, [conduct_content()], effective_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    v2 = publish(conduct, effective_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC))

    assert v2.supersedes == v1
    assert (
        standard_version_in_force(document=conduct, at=dt.datetime(2025, 5, 31, 23, 59, tzinfo=dt.UTC)) == v1
    )
    assert standard_version_in_force(document=conduct, at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC)) == v2
    assert standard_version_in_force(document=conduct, at=dt.datetime(2024, 12, 31, tzinfo=dt.UTC)) is None


def test_a_version_published_for_the_future_leaves_the_old_one_in_force_until_then(
    conduct: StandardDocument, publish: Publisher
) -> None:
    with time_machine.travel(dt.datetime(2026, 1, 10, tzinfo=dt.UTC), tick=False):
        v1 = publish(conduct, [conduct_content()], effective_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        v2 = publish(conduct, effective_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC))

        assert standard_version_in_force(document=conduct, at=timezone.now()) == v1

    with time_machine.travel(dt.datetime(2026, 2, 1, 0, 0, 1, tzinfo=dt.UTC), tick=False):
        assert standard_version_in_force(document=conduct, at=timezone.now()) == v2


def test_effective_dates_never_go_backwards(
    conduct: StandardDocument, publish: Publisher, administrator: User
) -> None:
    publish(conduct, [conduct_content()], effective_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    draft = standard_version_draft_create(actor=administrator, document=conduct)

    with pytest.raises(DomainError) as error:
        standard_version_publish(
            actor=administrator, version=draft, effective_at=dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
        )

    assert (_code(error), error.value.field) == (ErrorCode.EFFECTIVE_BEFORE_PREVIOUS, "effective_at")
    draft.refresh_from_db()
    assert draft.is_draft


def test_of_two_versions_effective_at_the_same_time_the_later_one_is_in_force(
    conduct: StandardDocument, publish: Publisher
) -> None:
    publish(conduct, [conduct_content()], effective_at=PAST)
    v2 = publish(conduct, effective_at=PAST)

    assert standard_version_in_force(document=conduct, at=PAST) == v2


def test_a_draft_is_never_in_force(conduct_v1: StandardVersion, administrator: User) -> None:
    standard_version_draft_create(actor=administrator, document=conduct_v1.document)

    assert standard_version_in_force(document=conduct_v1.document, at=timezone.now()) == conduct_v1


# Acknowledgement ----------------------------------------------------------------------------------------


def test_staff_acknowledge_a_published_code_of_conduct(conduct_v1: StandardVersion, member: User) -> None:
    with time_machine.travel(dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC), tick=False):
        acknowledgement = standard_version_acknowledge(user=member, version=conduct_v1)

    assert acknowledgement.user == member
    assert acknowledgement.version == conduct_v1
    assert acknowledgement.acknowledged_at == dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC)
    [event] = _events("standards.acknowledge")
    assert (event.actor, event.target_id) == (member, str(conduct_v1.pk))


@pytest.mark.parametrize("persona", ["member", "supervisor", "administrator"])
def test_every_staff_role_may_acknowledge(
    conduct_v1: StandardVersion, persona: str, request: pytest.FixtureRequest
) -> None:
    standard_version_acknowledge(user=request.getfixturevalue(persona), version=conduct_v1)

    assert StandardAcknowledgement.objects.count() == 1


def test_acknowledging_twice_is_refused(conduct_v1: StandardVersion, member: User) -> None:
    standard_version_acknowledge(user=member, version=conduct_v1)

    with pytest.raises(DomainError) as error:
        standard_version_acknowledge(user=member, version=conduct_v1)

    assert _code(error) == ErrorCode.ALREADY_ACKNOWLEDGED
    with translation.override("en"):
        assert str(error.value.message) == "You have already acknowledged this version."
    assert str(error.value.message) == "您已经确认过此版本。"
    assert StandardAcknowledgement.objects.count() == 1
    assert len(_events("standards.acknowledge")) == 1


def test_a_draft_cannot_be_acknowledged(conduct_draft: StandardVersion, member: User) -> None:
    with pytest.raises(DomainError) as error:
        standard_version_acknowledge(user=member, version=conduct_draft)

    assert _code(error) == ErrorCode.NOT_ACKNOWLEDGEABLE
    assert not StandardAcknowledgement.objects.exists()


def test_customer_promises_are_not_acknowledged(promises_v1: StandardVersion, member: User) -> None:
    with pytest.raises(DomainError) as error:
        standard_version_acknowledge(user=member, version=promises_v1)

    assert _code(error) == ErrorCode.NOT_ACKNOWLEDGEABLE


def test_customers_do_not_acknowledge(conduct_v1: StandardVersion, customer_user: User) -> None:
    with pytest.raises(PermissionDeniedError) as error:
        standard_version_acknowledge(user=customer_user, version=conduct_v1)

    assert _code(error) == ErrorCode.ACKNOWLEDGE_DENIED


def test_acknowledgement_is_per_version(conduct: StandardDocument, publish: Publisher, member: User) -> None:
    v1 = publish(conduct, [conduct_content()])
    v2 = publish(conduct)

    standard_version_acknowledge(user=member, version=v1)
    standard_version_acknowledge(user=member, version=v2)

    assert StandardAcknowledgement.objects.filter(user=member).count() == 2


# Atomicity ----------------------------------------------------------------------------------------------


class Boom(Exception):
    pass


def _audit_fails(**kwargs: object) -> None:
    raise Boom


@pytest.fixture
def failing_audit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "audit_record", _audit_fails)


def test_a_failed_draft_copy_leaves_no_version_or_clause(
    conduct_v1: StandardVersion, administrator: User, failing_audit: None
) -> None:
    clauses_before = StandardClause.objects.count()

    with pytest.raises(Boom):
        standard_version_draft_create(actor=administrator, document=conduct_v1.document)

    assert StandardVersion.objects.filter(document=conduct_v1.document).count() == 1
    assert StandardClause.objects.count() == clauses_before


def test_a_failed_publication_leaves_the_draft_a_draft(
    conduct_draft: StandardVersion, administrator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    standard_clause_add(actor=administrator, version=conduct_draft, content=conduct_content())
    monkeypatch.setattr(services, "audit_record", _audit_fails)

    with pytest.raises(Boom):
        standard_version_publish(actor=administrator, version=conduct_draft, effective_at=PAST)

    conduct_draft.refresh_from_db()
    assert conduct_draft.is_draft
    assert conduct_draft.effective_at is None
    assert conduct_draft.published_at is None


def test_a_failed_clause_add_or_acknowledgement_writes_nothing(
    conduct_v1: StandardVersion, administrator: User, member: User, failing_audit: None
) -> None:
    with pytest.raises(Boom):
        standard_version_acknowledge(user=member, version=conduct_v1)
    assert not StandardAcknowledgement.objects.exists()

    draft = StandardVersion.objects.create(document=conduct_v1.document, number=2)
    with pytest.raises(Boom):
        standard_clause_add(actor=administrator, version=draft, content=conduct_content("5.1"))
    assert not draft.clauses.exists()


def test_the_audit_chain_stays_intact(conduct: StandardDocument, publish: Publisher, member: User) -> None:
    version = publish(conduct, [conduct_content()])
    standard_version_acknowledge(user=member, version=version)

    assert audit_chain_verify().ok
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "standards.document_create",
        "standards.draft_create",
        "standards.clause_add",
        "standards.publish",
        "standards.acknowledge",
    } <= actions


# Demo data ----------------------------------------------------------------------------------------------


def test_demo_load_publishes_both_registries_in_force_today(administrator: User) -> None:
    demo_load(actor=administrator)

    promises = StandardDocument.objects.get(code=PROMISES_CODE)
    conduct = StandardDocument.objects.get(code=CONDUCT_CODE)
    promises_in_force = standard_version_in_force(document=promises, at=timezone.now())
    conduct_in_force = standard_version_in_force(document=conduct, at=timezone.now())
    assert promises_in_force is not None and conduct_in_force is not None
    promise_clauses = list(promises_in_force.clauses.all())
    assert 8 <= len(promise_clauses) <= 10
    assert all(c.conditions_zh and c.conditions_en and c.measure_zh and c.measure_en for c in promise_clauses)
    assert all(c.complaint_route_zh and c.complaint_route_en for c in promise_clauses)
    numbers = set(conduct_in_force.clauses.values_list("number", flat=True))
    seed_part_two = {f"{chapter}.{n}" for chapter in range(1, 6) for n in range(1, 4)}
    assert seed_part_two <= numbers
    assert {f"0.{n}" for n in range(1, 9)} <= numbers
    assert {"7.1", "7.2"} <= numbers
    assert set(conduct_in_force.clauses.values_list("category", flat=True)) == set(
        StandardClause.Category.values
    )
    assert conduct_in_force.clauses.filter(is_disciplinary=True).exists()
    assert conduct_in_force.clauses.get(number="5.1").promises.filter(number="5").exists()
    assert all(c.text_en for c in conduct_in_force.clauses.all())
    assert audit_chain_verify().ok


def test_demo_load_twice_neither_fails_nor_duplicates(administrator: User) -> None:
    demo_load(actor=administrator)
    counts = (
        StandardDocument.objects.count(),
        StandardVersion.objects.count(),
        StandardClause.objects.count(),
    )

    demo_load(actor=administrator)

    assert counts == (
        StandardDocument.objects.count(),
        StandardVersion.objects.count(),
        StandardClause.objects.count(),
    )
    assert counts[:2] == (2, 2)


# Concurrency (PostgreSQL: SQLite serialises writers, so a race cannot happen there) -----------------------


def _race(*calls: Callable[[], object]) -> list[object]:
    """Run `calls` in threads released together; return each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # the test inspects what each thread got
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_drafts_opened_at_once_give_one_draft(conduct: StandardDocument, administrator: User) -> None:
    results = _race(
        lambda: standard_version_draft_create(actor=administrator, document=conduct),
        lambda: standard_version_draft_create(actor=administrator, document=conduct),
    )

    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1 and refused[0].code == ErrorCode.DRAFT_EXISTS
    assert StandardVersion.objects.filter(document=conduct).count() == 1


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_acknowledgements_at_once_give_one_row(conduct_v1: StandardVersion, member: User) -> None:
    results = _race(
        lambda: standard_version_acknowledge(user=member, version=conduct_v1),
        lambda: standard_version_acknowledge(user=member, version=conduct_v1),
    )

    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1 and refused[0].code == ErrorCode.ALREADY_ACKNOWLEDGED
    assert StandardAcknowledgement.objects.count() == 1
    assert len(_events("standards.acknowledge")) == 1


@given(st.lists(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=5), min_size=1))
def test_clause_sort_key_orders_numbers_like_tuples_of_integers(numbers: list[list[int]]) -> None:
    dotted = [".".join(str(part) for part in number) for number in numbers]

    by_key = sorted(dotted, key=clause_sort_key)

    assert [tuple(int(p) for p in n.split(".")) for n in by_key] == sorted(tuple(n) for n in numbers)
