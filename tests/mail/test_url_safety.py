"""One address check for webhooks and IMAP hosts: no address that leads into loopback or a private network,
however it is written (NAT64, 6to4, Teredo, IPv4-mapped or -compatible IPv6, special-purpose ranges)."""

import pytest

from charter.accounts.models import User
from charter.common.errors import DomainError
from charter.mail.addresses import AddressRefused, host_addresses, ip_refusal
from charter.mail.errors import ErrorCode
from charter.mail.fetch import mailbox_poll
from charter.mail.models import Mailbox, WebhookDelivery, WebhookEndpoint
from charter.mail.services import mailbox_save, webhook_save
from charter.mail.webhooks import webhook_emit, webhook_send

pytestmark = pytest.mark.django_db
SECRET = "s" * 32

REFUSED = [
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1: the finding
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b::808:808",  # NAT64 of a public address: still a translator we do not control
    "64:ff9b:1::a00:1",  # local-use NAT64 (RFC 8215)
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2002:c0a8:101::1",  # 6to4 of 192.168.1.1
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:8.8.8.8",  # IPv4-mapped, public: refused too (the host is reachable by its IPv4 address)
    "::127.0.0.1",  # IPv4-compatible (deprecated)
    "::1",
    "fe80::1",
    "fc00::1",
    "100.64.0.1",  # shared address space (carrier-grade NAT)
    "192.0.0.8",
    "198.18.0.1",  # benchmarking
    "240.0.0.1",  # reserved
    "255.255.255.255",
    "0.0.0.0",  # noqa: S104 - an address under test, nothing listens
    "224.0.0.1",
    "169.254.169.254",
]


@pytest.mark.parametrize("address", REFUSED)
def test_special_purpose_and_translated_addresses_are_refused(address: str) -> None:
    assert ip_refusal(address) is not None


@pytest.mark.parametrize("address", ["8.8.8.8", "2a00:1450:4001:80b::200e", "1.1.1.1"])
def test_public_addresses_are_accepted(address: str) -> None:
    assert ip_refusal(address) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://[64:ff9b::7f00:1]/",
        "http://[64:ff9b:1::7f00:1]/hook",
        "http://[2002:7f00:1::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://[::127.0.0.1]/",
        "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
        "http://100.64.0.1/",
    ],
)
def test_webhooks_refuse_translated_loopback_and_special_addresses(administrator: User, url: str) -> None:
    with pytest.raises(DomainError) as refused:
        webhook_save(actor=administrator, name="x", url=url, secret=SECRET, events=[], allow_private=False)

    assert refused.value.field == "url"
    assert refused.value.code == ErrorCode.WEBHOOK_URL_REFUSED
    assert not WebhookEndpoint.objects.exists()


def test_a_delivery_to_an_address_changed_to_nat64_is_refused_when_sent() -> None:
    endpoint = WebhookEndpoint.objects.create(
        name="x", url="https://example.com/", secret=SECRET, events=[], allow_private=False
    )
    webhook_emit(event="case.created", key="k1", data={})
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url="http://[64:ff9b::7f00:1]:9/")
    delivery = WebhookDelivery.objects.get()

    webhook_send(pk=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status != WebhookDelivery.Status.DELIVERED
    assert "64:ff9b::7f00:1" in delivery.last_error


def test_every_resolved_address_is_checked() -> None:
    # localhost resolves to 127.0.0.1 (and ::1): one refused address is enough to refuse the host.
    with pytest.raises(AddressRefused):
        host_addresses("localhost", 80)


def test_an_imap_host_on_a_private_address_is_refused_unless_allowed(
    administrator: User, settings: object
) -> None:
    with pytest.raises(DomainError) as refused:
        mailbox_save(
            actor=administrator,
            name="邮箱",
            address="service@example.com",
            host="[64:ff9b::7f00:1]",
            username="u",
            password="p",
        )
    assert refused.value.field == "host"
    with pytest.raises(DomainError):
        mailbox_save(
            actor=administrator,
            name="邮箱",
            address="s@example.com",
            host="10.0.0.5",
            username="u",
            password="p",
        )

    settings.CHARTER_MAIL_ALLOWED_HOSTS = ["10.0.0.5", "mail.intranet.example"]  # type: ignore[attr-defined]
    mailbox = mailbox_save(
        actor=administrator, name="邮箱", address="s@example.com", host="10.0.0.5", username="u", password="p"
    )
    assert mailbox.host == "10.0.0.5"


def test_polling_a_mailbox_whose_host_is_not_allowed_connects_nowhere(settings: object) -> None:
    settings.CHARTER_MAIL_ALLOWED_HOSTS = []  # type: ignore[attr-defined]
    mailbox = Mailbox.objects.create(
        name="邮箱", address="s@example.com", host="127.0.0.1", port=9, username="u", password="p"
    )

    result = mailbox_poll(mailbox=mailbox)

    assert "127.0.0.1" in result.error
    mailbox.refresh_from_db()
    assert "127.0.0.1" in mailbox.poll_error
