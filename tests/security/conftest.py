"""The security suite's people and objects: one signed-in client per role, and the objects the URL matrix and
the IDOR tests fill routes with (a customer's case with a file and a message, another customer's case in
another team)."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from charter.accounts.models import Customer, Team, User
from charter.accounts.roles import Role
from charter.cases.models import Case, TeamRouting
from charter.cases.services import case_customer_reply
from tests.accounts.factories import CustomerFactory, TeamMembershipFactory, UserFactory
from tests.cases.conftest import new_case

ROLES = (
    "anonymous",
    "customer",
    "agent",
    "supervisor",
    "qa_reviewer",
    "trainer",
    "administrator",
    "privacy_officer",
)


@dataclass
class World:
    """The objects routes are filled with, and who owns them."""

    users: dict[str, User]
    team: Team
    other_team: Team
    customer: Customer
    case: Case
    other_customer: Customer
    other_case: Case
    tokens: dict[str, str]


def _verified_client(user: User) -> Client:
    """A client signed in as `user`, with a confirmed authenticator whose code this session passed (the
    people who must have a second factor are otherwise sent to enrol on every page)."""
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def world(team: Team, other_team: Team, organisation: Any) -> World:
    users: dict[str, User] = {}
    for role in ROLES[1:]:
        user = UserFactory.create(
            username=f"sec-{role}",
            roles=[role],
            is_staff=role == Role.ADMINISTRATOR,
        )
        users[role] = user
        if role in ("agent", "supervisor", "qa_reviewer"):
            TeamMembershipFactory.create(team=team, user=user, is_lead=role == "supervisor")
    outsider = UserFactory.create(username="sec-outsider", roles=[Role.AGENT])
    TeamMembershipFactory.create(team=other_team, user=outsider)
    users["outsider"] = outsider
    other_user = UserFactory.create(username="sec-other-customer", roles=[Role.CUSTOMER])
    users["other_customer"] = other_user
    TeamRouting.objects.create(team=team, mode=TeamRouting.Mode.ROUND_ROBIN, is_default=True)
    customer = CustomerFactory.create(user=users["customer"], name="安全测试客户")
    case = new_case(
        None,
        customer,
        attachments=[SimpleUploadedFile("bill.txt", b"water bill", content_type="text/plain")],
    )
    case_customer_reply(case=case, body="补充说明", attachments=[], actor=None)
    other_customer = CustomerFactory.create(user=other_user, name="另一位客户")
    TeamRouting.objects.filter(team=team).update(is_default=False)
    TeamRouting.objects.create(team=other_team, mode=TeamRouting.Mode.ROUND_ROBIN, is_default=True)
    other_case = new_case(
        None,
        other_customer,
        attachments=[SimpleUploadedFile("other.txt", b"other bill", content_type="text/plain")],
    )
    return World(
        users=users,
        team=team,
        other_team=other_team,
        customer=customer,
        case=case,
        other_customer=other_customer,
        other_case=other_case,
        tokens={"case": case.tracking_token, "other_case": other_case.tracking_token},
    )


@pytest.fixture
def clients(world: World) -> Iterator[dict[str, Client]]:
    made = {"anonymous": Client()}
    for role in ROLES[1:]:
        made[role] = _verified_client(world.users[role])
    yield made


# Routes ----------------------------------------------------------------------------------------------

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
FORMAT_SUFFIX = "(?P<format>"


@dataclass(frozen=True)
class Route:
    """One URL pattern: its text (the policy table's key), its name and the names of its arguments."""

    pattern: str
    name: str
    kwargs: tuple[str, ...]


def _text(pattern: Any) -> str:
    return str(pattern.pattern)


def _walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[Route]:
    for item in patterns:
        if isinstance(item, URLResolver):
            inner = ":".join(part for part in (namespace, item.namespace or "") if part)
            yield from _walk(item.url_patterns, prefix + _text(item), inner)
        elif isinstance(item, URLPattern):
            text = prefix + _text(item)
            names = tuple(m.group(1) for m in _REGEX_GROUP.finditer(text)) + tuple(
                m.group(2) for m in _CONVERTER.finditer(_REGEX_GROUP.sub("", text))
            )
            name = f"{namespace}:{item.name}" if namespace and item.name else str(item.name or "")
            yield Route(pattern=text, name=name, kwargs=names)


def routes() -> list[Route]:
    """Every route of the project, from the resolver, without the API's `.json` twins of a route (DRF's
    format suffixes answer with the same view as the route they copy)."""
    seen: dict[str, Route] = {}
    for route in _walk(list(get_resolver().url_patterns), "", ""):
        if FORMAT_SUFFIX in route.pattern or route.pattern in seen:
            continue
        seen[route.pattern] = route
    return list(seen.values())


def _admin_object_sample(pattern: str) -> str | None:
    """The id of an existing row for an admin site's object route (`admin/<app>/<model>/<id>/…`): the
    database's sequences are not reset between tests on PostgreSQL, so a fixed id may name no row there."""
    parts = pattern.split("/")
    if len(parts) < 4 or parts[0] != "admin":
        return None
    try:
        model = apps.get_model(parts[1], parts[2])
    except LookupError:
        return None
    row = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
    return str(row) if row is not None else None


def _int_sample(name: str, pattern: str, world: World) -> str:
    if name in ("object_id", "id"):
        admin_row = _admin_object_sample(pattern)
        if admin_row is not None:
            return admin_row
    if "otp_totp/totpdevice/<int:pk>" in pattern:
        # django-otp's admin reads the device before any check: a missing one is a 500, not a 404.
        device = TOTPDevice.objects.order_by("pk").first()
        return str(device.pk if device is not None else 1)
    if name == "pk" and "^cases/(?P<pk>" in pattern:  # the API's case routes name the case by its id
        return str(world.case.pk)
    if name in ("pk", "file_pk", "file_id", "attachment_id") and (
        "files" in pattern or "attachments" in pattern
    ):
        return str(world.case.attachments.order_by("pk").first().pk)  # type: ignore[union-attr]
    if name == "pk" and "customers" in pattern:
        return str(world.customer.pk)
    if name == "pk" and "cases" in pattern:
        return str(world.case.pk)
    if name == "team_id":
        return str(world.team.pk)
    if name in ("person_id",) or (name == "pk" and ("users" in pattern or "people" in pattern)):
        return str(world.users["agent"].pk)
    return "1"


def sample_value(name: str, pattern: str, world: World) -> str:
    """The value a route's argument is filled with: the world's objects where the route names one of them,
    else a value of the right shape (routes whose objects the world does not make answer 404)."""
    if name == "number":
        if "privacy" in pattern:
            return "PR-2026-000001"
        if "cases" in pattern or pattern.startswith("api/v1/^cases"):
            return world.case.number
        return "1"
    if name == "token":
        return world.tokens["case"] if pattern.startswith("track/") else "0" * 43
    if name == "uidb64":
        return "MQ"
    if name in ("language",):
        return "en"
    if name in ("slug", "record_type", "code", "key", "check_code"):
        return "sample"
    if name == "path":
        return "sample"
    return _int_sample(name, pattern, world)


def route_url(route: Route, world: World) -> str:
    """The route's address with each argument filled by `sample_value`."""
    text = route.pattern
    # Regular-expression groups first: `(?P<pk>…)` holds what looks like a `<pk>` converter.
    text = _REGEX_GROUP.sub(lambda m: sample_value(m.group(1), route.pattern, world), text)
    text = _CONVERTER.sub(lambda m: sample_value(m.group(2), route.pattern, world), text)
    text = text.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "/")
    return "/" + text
