"""The one check of where Charter may connect: webhook receivers and IMAP servers.

An address is refused when it is not globally reachable (loopback, private, link-local, shared, reserved,
benchmarking, documentation… : `ipaddress`' `is_global`) and also when it is an IPv6 address that carries
an IPv4 one and leads to it through a translator or a tunnel: NAT64 (64:ff9b::/96, 64:ff9b:1::/48), 6to4
(2002::/16), Teredo (2001::/32), IPv4-mapped (::ffff:0:0/96) and IPv4-compatible (::/96). Those are refused
whatever IPv4 address they embed (a public one is reached by its own IPv4 address); the message names the
embedded address when there is one, since `http://[64:ff9b::7f00:1]/` is loopback in disguise.

Every address a host name resolves to is checked, each time a connection is made (DNS may change between
the check at saving and the connection: rebinding), and the caller connects to a checked address.
"""

import ipaddress
import socket

from django.utils.translation import gettext as _

from charter.mail.conf import mail_setting

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")
_TEREDO = ipaddress.IPv6Network("2001::/32")
_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")
_COMPATIBLE = ipaddress.IPv6Network("::/96")
# Special-purpose ranges that older Pythons' `is_global` still takes for global (IANA registries).
_SPECIAL = (
    ipaddress.IPv4Network("192.0.0.0/24"),  # IETF protocol assignments
    ipaddress.IPv4Network("192.88.99.0/24"),  # 6to4 relay anycast (deprecated)
    ipaddress.IPv6Network("fec0::/10"),  # site-local (deprecated)
    ipaddress.IPv6Network("2001::/23"),  # IETF protocol assignments
)


class AddressRefused(Exception):
    """The host may not be connected to; the message says why (translated)."""


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 translation or tunnel address leads to, if it is one."""
    if any(ip in network for network in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _SIX_TO_FOUR:
        return ip.sixtofour
    if ip in _TEREDO:
        teredo = ip.teredo
        return teredo[1] if teredo else None
    if ip in _MAPPED:
        return ip.ipv4_mapped
    if ip in _COMPATIBLE and int(ip) > 1:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _parse(address: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return None


def ip_refusal(address: str, *, allow_private: bool = False) -> str | None:
    """Why Charter must not connect to the IP `address`, or None when it may.

    `allow_private` (an administrator's explicit choice for a receiver on the intranet) lets through private
    and translated addresses, never the multicast, broadcast and unspecified ones.
    """
    ip = _parse(address)
    if ip is None:
        return _("%(address)s is not an IP address.") % {"address": address}
    if ip.is_multicast or ip.is_unspecified or ip == ipaddress.IPv4Address("255.255.255.255"):
        return _("%(address)s cannot be connected to.") % {"address": address}
    if allow_private:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and (ip in _COMPATIBLE or _embedded_ipv4(ip) is not None):
        embedded = _embedded_ipv4(ip)
        return _(
            "%(address)s is an IPv6 translation of the IPv4 address %(ipv4)s (NAT64, 6to4, Teredo or "
            "IPv4-mapped); give the receiver's own address."
        ) % {"address": address, "ipv4": embedded or "?"}
    if not ip.is_global or any(ip.version == net.version and ip in net for net in _SPECIAL):
        return _("%(address)s is a loopback, private or special-purpose address.") % {"address": address}
    return None


def host_addresses(host: str, port: int, *, allow_private: bool = False) -> list[str]:
    """Resolve `host` and return its addresses, each one checked; AddressRefused names the first refused
    (or says the host could not be resolved). Connect to one of the addresses returned, not to `host`."""
    bare = host.strip()
    if bare.startswith("[") and bare.endswith("]"):
        bare = bare[1:-1]
    try:
        infos = socket.getaddrinfo(bare, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise AddressRefused(
            _("The host name could not be resolved: %(error)s") % {"error": error}
        ) from error
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        reason = ip_refusal(address, allow_private=allow_private)
        if reason is not None:
            raise AddressRefused(reason)
    return addresses


def mail_host_allowed(host: str) -> bool:
    """True when `host` is listed in CHARTER_MAIL_ALLOWED_HOSTS (an intranet mail server the operator named):
    its addresses are then not checked."""
    allowed = {str(name).strip().lower().strip("[]") for name in mail_setting("CHARTER_MAIL_ALLOWED_HOSTS")}
    return host.strip().lower().strip("[]") in allowed


def mail_host_check(host: str, port: int, *, resolve_required: bool = True) -> list[str]:
    """The addresses of IMAP server `host` Charter may connect to (every one is checked unless the host is
    listed in CHARTER_MAIL_ALLOWED_HOSTS); AddressRefused otherwise. With `resolve_required` False a name that
    does not resolve now passes (a mailbox may be configured before its server's name is in the DNS; the
    poll checks again)."""
    if mail_host_allowed(host):
        return []
    bare = host.strip().strip("[]")
    if not resolve_required and _parse(bare) is None:
        try:
            socket.getaddrinfo(bare, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            return []
    return host_addresses(host, port)
