"""The public verification page shows what the certificate prints and whether it is valid, expired or revoked,
and nothing else; an unknown code is not found; lookups are throttled per address. In the desk, a person's
certificates and their PDFs open for him, his supervisors and record holders, and are not found for others."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from charter.accounts.models import User
from charter.training.models import Certificate, CourseVersion
from tests.conftest import client_for
from tests.training.factories import published_course, staff_member, supervisor_of, team_make, trainer_user
from tests.training.test_certificates import START, certify

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(db: None) -> CourseVersion:
    return published_course(
        lessons=1,
        issues_certificate=True,
        certificate_valid_days=365,
        title_zh="投诉处理规范",
        title_en="Handling complaints",
    )


@pytest.fixture
def team(db: None) -> Any:
    return team_make(code="hotline-x")


@pytest.fixture
def holder(team: Any) -> User:
    return staff_member(team=team, username="liming.agent", display_name="李明")


@pytest.fixture
def certificate(version: CourseVersion, holder: User) -> Certificate:
    with time_machine.travel(START, tick=False):
        return certify(holder, version)


def _verify(client: Client, code: str) -> Any:
    return client.get(reverse("training:verify", args=[code]))


def test_the_page_is_public_outside_the_desk(certificate: Certificate) -> None:
    url = reverse("training:verify", args=[certificate.verification_code])
    assert url == f"/verify/{certificate.verification_code}/"

    response = Client().get(url)

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_it_shows_only_what_the_certificate_prints(certificate: Certificate, holder: User) -> None:
    with time_machine.travel(START + dt.timedelta(days=10), tick=False):
        response = _verify(Client(), certificate.verification_code)

    page = response.content.decode()
    assert 'data-testid="certificate-state"' in page and "有效" in page
    for shown in ("李明", "投诉处理规范", certificate.number, "2026-03-02", "2027-03-02"):
        assert shown in page
    for hidden in (holder.email, holder.username, "hotline-x", f"/people/{holder.pk}/"):
        assert hidden not in page


def test_expired_and_revoked_certificates_say_so(certificate: Certificate) -> None:
    with time_machine.travel(START + dt.timedelta(days=400), tick=False):
        expired = _verify(Client(), certificate.verification_code).content.decode()
    Certificate.objects.filter(pk=certificate.pk).update(revoked_at=START + dt.timedelta(days=1))
    revoked = _verify(Client(), certificate.verification_code).content.decode()

    assert "已过期" in expired and "已撤销" not in expired
    assert "已撤销" in revoked


def test_an_unknown_code_is_not_found(certificate: Certificate) -> None:
    assert _verify(Client(), "not-a-real-code-1234567890").status_code == 404
    assert _verify(Client(), certificate.verification_code[:-1]).status_code == 404


def test_lookups_are_throttled_per_address(certificate: Certificate, settings: Any) -> None:
    settings.CHARTER_VERIFY_MAX_PER_HOUR = 3
    client = Client()
    statuses = [_verify(client, f"guess-{n}").status_code for n in range(3)]
    statuses.append(_verify(client, certificate.verification_code).status_code)

    assert statuses == [404, 404, 404, 429]


def test_the_desk_list_and_pdf_open_for_the_holder_and_his_supervisor(
    certificate: Certificate, holder: User, team: Any
) -> None:
    boss = supervisor_of(team)
    for reader in (holder, boss, trainer_user()):
        client = client_for(reader)
        listing = client.get(reverse("training:certificate_list", args=[holder.pk]))
        assert listing.status_code == 200 and certificate.number in listing.content.decode()
        pdf = client.get(reverse("training:certificate_pdf", args=[certificate.pk]))
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")


def test_others_get_not_found(certificate: Certificate, holder: User) -> None:
    stranger = staff_member()
    client = client_for(stranger)

    assert client.get(reverse("training:certificate_list", args=[holder.pk])).status_code == 404
    assert client.get(reverse("training:certificate_pdf", args=[certificate.pk])).status_code == 404
    assert client.get(reverse("training:certificate_revoke", args=[certificate.pk])).status_code == 404


def test_a_trainer_revokes_from_the_desk(certificate: Certificate, holder: User) -> None:
    client = client_for(trainer_user())
    url = reverse("training:certificate_revoke", args=[certificate.pk])

    blank = client.post(url, {"reason": ""})
    assert blank.status_code == 200
    response = client.post(url, {"reason": "证书信息有误"})

    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_reason == "证书信息有误"
    assert (
        client_for(holder).get(reverse("training:certificate_revoke", args=[certificate.pk])).status_code
        == 403
    )
