"""The shared lifecycle of versioned documents (charter.common.versioning), shown on a survey's versions and
their questions, and on a standard (which keeps every published version published)."""

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import time_machine

from charter.accounts.models import User
from charter.common.errors import DomainError
from charter.common.versioning import (
    VersionStatus,
    version_draft_lock,
    version_number_next,
    version_publish,
)
from charter.standards.errors import ErrorCode as StandardsErrorCode
from charter.standards.models import StandardDocument, StandardVersion
from charter.surveys.errors import ErrorCode
from charter.surveys.models import Question, Survey, SurveyVersion

NOW = dt.datetime(2026, 5, 4, 9, 30, tzinfo=dt.UTC)


@contextmanager
def refused(code: str = ErrorCode.NOT_DRAFT) -> Iterator[None]:
    """Expect the model's own refusal: its app's error code, whichever layer refused."""
    with pytest.raises(DomainError) as raised:
        yield
    assert raised.value.code == code


@pytest.fixture
def survey(db: None) -> Survey:
    return Survey.objects.create(code="after-case", name_zh="满意度调查")


def _draft(survey: Survey) -> SurveyVersion:
    draft = SurveyVersion.objects.create(survey=survey, number=version_number_next(survey.versions.all()))
    Question.objects.create(version=draft, type=Question.Type.CSAT, text_zh="满意吗？")
    return draft


def _publish(version: SurveyVersion, actor: User) -> SurveyVersion:
    return version_publish(
        version=version, actor=actor, supersede=SurveyVersion.objects.filter(survey=version.survey)
    )


@pytest.fixture
def published(survey: Survey, administrator: User) -> SurveyVersion:
    return _publish(_draft(survey), administrator)


# Publishing --------------------------------------------------------------------------------------------


def test_publishing_a_draft_stamps_when_and_by_whom(survey: Survey, administrator: User) -> None:
    draft = _draft(survey)

    with time_machine.travel(NOW, tick=False):
        version = _publish(draft, administrator)

    stored = SurveyVersion.objects.get(pk=draft.pk)
    assert version.is_published and stored.is_published and not stored.is_draft
    assert stored.published_at == NOW
    assert stored.published_by == administrator


def test_publishing_supersedes_the_published_version_of_the_same_document_only(
    survey: Survey, published: SurveyVersion, administrator: User
) -> None:
    other = Survey.objects.create(code="annual", name_zh="年度调查")
    other_published = _publish(_draft(other), administrator)
    draft = _draft(survey)

    _publish(draft, administrator)

    assert dict(survey.versions.values_list("number", "status")) == {
        1: VersionStatus.SUPERSEDED,
        2: VersionStatus.PUBLISHED,
    }
    assert SurveyVersion.objects.get(pk=other_published.pk).status == VersionStatus.PUBLISHED


def test_a_document_that_keeps_its_versions_in_force_is_published_without_superseding(
    administrator: User,
) -> None:
    document = StandardDocument.objects.create(
        code="conduct", kind=StandardDocument.Kind.CODE_OF_CONDUCT, title_zh="行为规范"
    )
    first = StandardVersion.objects.create(document=document, number=1, effective_at=NOW)
    version_publish(version=first, actor=administrator)
    second = StandardVersion.objects.create(document=document, number=2, effective_at=NOW)

    version_publish(version=second, actor=administrator)

    assert set(document.versions.values_list("status", flat=True)) == {VersionStatus.PUBLISHED}
    assert not StandardVersion.is_supersedable()
    with refused(StandardsErrorCode.VERSION_NOT_DRAFT):
        StandardVersion.objects.filter(pk=first.pk).update(status=VersionStatus.SUPERSEDED)


def test_a_published_version_cannot_be_published_again(published: SurveyVersion, administrator: User) -> None:
    published_at = published.published_at

    with refused():
        _publish(SurveyVersion.objects.get(pk=published.pk), administrator)
    with refused():
        version_draft_lock(published)

    assert SurveyVersion.objects.get(pk=published.pk).published_at == published_at


def test_a_superseded_version_cannot_be_published_again(
    survey: Survey, published: SurveyVersion, administrator: User
) -> None:
    _publish(_draft(survey), administrator)

    with refused():
        _publish(SurveyVersion.objects.get(pk=published.pk), administrator)

    assert SurveyVersion.objects.get(pk=published.pk).status == VersionStatus.SUPERSEDED


def test_a_discarded_draft_is_refused_like_a_published_one(survey: Survey) -> None:
    draft = _draft(survey)
    SurveyVersion.objects.filter(pk=draft.pk).delete()

    with refused():
        version_draft_lock(draft)


def test_version_numbers_count_per_document(survey: Survey, administrator: User) -> None:
    assert version_number_next(survey.versions.all()) == 1
    _publish(_draft(survey), administrator)
    _draft(survey)

    assert version_number_next(survey.versions.all()) == 3
    assert version_number_next(SurveyVersion.objects.filter(survey__code="none")) == 1


# The guard -------------------------------------------------------------------------------------------


def test_a_published_version_refuses_every_write_through_the_orm(published: SurveyVersion) -> None:
    version = SurveyVersion.objects.get(pk=published.pk)
    version.intro_zh = "改了"
    attempts: list[Callable[[], object]] = [
        version.save,
        version.delete,
        lambda: SurveyVersion.objects.filter(pk=version.pk).update(intro_zh="改了"),
        lambda: SurveyVersion.objects.filter(survey=version.survey).delete(),
        lambda: SurveyVersion.objects.all().update(status=VersionStatus.DRAFT),
    ]

    for attempt in attempts:
        with refused():
            attempt()

    stored = SurveyVersion.objects.get(pk=published.pk)
    assert stored.intro_zh == "" and stored.status == VersionStatus.PUBLISHED


def test_the_only_change_a_published_version_takes_is_being_superseded(published: SurveyVersion) -> None:
    version = SurveyVersion.objects.get(pk=published.pk)

    version.status = VersionStatus.DRAFT
    with refused():
        version.save(update_fields=["status"])
    version.status = VersionStatus.SUPERSEDED
    with refused():
        version.save()  # every field: more than the status
    version.save(update_fields=["status"])
    version.status = VersionStatus.PUBLISHED
    with refused():
        version.save(update_fields=["status"])

    assert SurveyVersion.objects.get(pk=published.pk).status == VersionStatus.SUPERSEDED


def test_a_draft_is_never_superseded_in_bulk(survey: Survey, published: SurveyVersion) -> None:
    draft = _draft(survey)

    with refused():
        SurveyVersion.objects.filter(survey=survey).update(status=VersionStatus.SUPERSEDED)

    assert SurveyVersion.objects.get(pk=draft.pk).status == VersionStatus.DRAFT
    assert SurveyVersion.objects.get(pk=published.pk).status == VersionStatus.PUBLISHED


def test_the_parts_of_a_published_version_refuse_every_write(
    survey: Survey, published: SurveyVersion
) -> None:
    question = Question.objects.get(version=published)
    question.text_zh = "改了"
    draft = _draft(survey)
    attempts: list[Callable[[], object]] = [
        question.save,
        question.delete,
        lambda: Question.objects.filter(pk=question.pk).update(text_zh="改了"),
        lambda: Question.objects.filter(version=published).delete(),
        lambda: Question.objects.create(version=published, type=Question.Type.TEXT, text_zh="新"),
        lambda: Question.objects.bulk_create([Question(version=published, type="text", text_zh="新")]),
    ]

    for attempt in attempts:
        with refused():
            attempt()
    # Nor does a question leave a published version for a draft.
    moved = Question.objects.get(pk=question.pk)
    moved.version = draft
    with refused():
        moved.save()

    assert list(Question.objects.filter(version=published).values_list("text_zh", flat=True)) == ["满意吗？"]


def test_a_draft_and_its_parts_change_freely(survey: Survey) -> None:
    draft = _draft(survey)
    question = Question.objects.get(version=draft)

    SurveyVersion.objects.filter(pk=draft.pk).update(intro_zh="欢迎")
    Question.objects.filter(pk=question.pk).update(text_zh="满意吗？(改)")
    Question.objects.bulk_create([Question(version=draft, type="text", text_zh="还有什么？")])
    question.delete()
    draft.refresh_from_db()
    draft.intro_en = "Welcome"
    draft.save()

    assert draft.questions.count() == 1
    draft.delete()
    assert not SurveyVersion.objects.filter(pk=draft.pk).exists()
