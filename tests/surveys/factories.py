"""Factories for surveys: a published version with its questions, invitations, and responses."""

import datetime as dt

import factory
from django.utils import timezone

from charter.accounts.models import User
from charter.catalog.models import Service, ServiceCategory, ServiceVersion
from charter.surveys.models import Invitation, Question, Response, Survey, SurveyVersion
from tests.accounts.factories import CustomerFactory


def _response_agents_set(
    response: Response, create: bool, extracted: list[User] | None, **kwargs: object
) -> None:
    """Attribute the response to `extracted` (a function of the response: factory_boy passes it first)."""
    if create and extracted:
        response.agents.set(extracted)


class SurveyFactory(factory.django.DjangoModelFactory[Survey]):
    class Meta:
        model = Survey
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"survey-{n}")
    name_zh = factory.Sequence(lambda n: f"满意度调查{n}")
    name_en = factory.Sequence(lambda n: f"Satisfaction survey {n}")


class SurveyVersionFactory(factory.django.DjangoModelFactory[SurveyVersion]):
    """A published version (one per survey: each gets its own survey unless one is given)."""

    class Meta:
        model = SurveyVersion

    survey = factory.SubFactory(SurveyFactory)
    number = 1
    status = SurveyVersion.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class QuestionFactory(factory.django.DjangoModelFactory[Question]):
    class Meta:
        model = Question

    version = factory.SubFactory(SurveyVersionFactory)
    ordering = factory.Sequence(lambda n: n)
    type = Question.Type.CSAT
    text_zh = "您对本次服务满意吗？"
    text_en = "How satisfied are you with our service?"


class InvitationFactory(factory.django.DjangoModelFactory[Invitation]):
    """A sent invitation; its link token is a unique placeholder hash."""

    class Meta:
        model = Invitation

    version = factory.SubFactory(SurveyVersionFactory)
    customer = factory.SubFactory(CustomerFactory)
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    status = Invitation.Status.SENT
    send_at = factory.LazyFunction(timezone.now)
    sent_at = factory.LazyAttribute(lambda o: o.send_at)
    expires_at = factory.LazyAttribute(lambda o: o.send_at + dt.timedelta(days=14))


class ResponseFactory(factory.django.DjangoModelFactory[Response]):
    """An answered invitation's response; pass `agents=[…]` to attribute it to members of staff."""

    class Meta:
        model = Response
        skip_postgeneration_save = True

    invitation = factory.SubFactory(
        InvitationFactory,
        status=Invitation.Status.ANSWERED,
        answered_at=factory.SelfAttribute("..submitted_at"),
    )
    version = factory.LazyAttribute(lambda o: o.invitation.version)
    submitted_at = factory.LazyFunction(timezone.now)
    agents = factory.post_generation(_response_agents_set)


def published_service(slug: str, name_zh: str, name_en: str = "") -> Service:
    """A service of the charter with one published version naming it."""
    category, _ = ServiceCategory.objects.get_or_create(slug="results", defaults={"name_zh": "结果"})
    service = Service.objects.create(slug=slug, category=category)
    at = timezone.now()
    ServiceVersion.objects.create(
        service=service,
        number=1,
        status=ServiceVersion.Status.PUBLISHED,
        name_zh=name_zh,
        name_en=name_en,
        effective_at=at,
        published_at=at,
    )
    return service
