"""Where a webhook may be delivered: over https, to public addresses only.

Without this check an admin (or a stolen admin token) could point a subscription at
the machine's own services, the cloud metadata endpoint (169.254.169.254) or the
bank's internal network, and the dispatcher would POST signed requests there from
inside (server-side request forgery, OWASP ASVS 12.6.1). Hosts an operator names in
WEBHOOK_ALLOWED_HOSTS (`host` or `host:port`) are exempt from both rules: a receiver
on the internal network, the test suite's receiver on 127.0.0.1.

The check runs when a subscription is saved (early, with a message naming the url)
and again before every delivery, because a name's DNS answer can change after it was
checked (DNS rebinding). The delivery then connects to the very address it checked,
not to a second lookup of the name.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

DEFAULT_PORTS = {"http": 80, "https": 443}


class DestinationRefused(Exception):
    """The URL may not receive webhooks; the message says why (shown to the admin
    and written to the delivery's last_error)."""


class DestinationUnresolved(DestinationRefused):
    """The host name does not resolve now: nothing to reach, nothing to refuse yet."""


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str
    port: int
    # The checked addresses to connect to; empty for an allow-listed host (then the
    # connection resolves the name itself, as the operator asked).
    addresses: tuple[str, ...]


def allowed_host_parse(entry: str) -> tuple[str, int | None]:
    """("host", port or None) of a WEBHOOK_ALLOWED_HOSTS entry: `host`, `host:port`,
    `[v6]` or `[v6]:port`. ValueError for a bad port."""
    entry = entry.strip().lower()
    if entry.startswith("["):
        host, _sep, rest = entry[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    elif entry.count(":") == 1:
        host, port = entry.split(":")
    else:
        host, port = entry, ""
    if port and not (port.isdigit() and 0 < int(port) < 65536):
        raise ValueError(f"{entry!r}: the port must be a number from 1 to 65535")
    return host, int(port) if port else None


def _allow_listed(host: str, port: int) -> bool:
    for entry in settings.WEBHOOK_ALLOWED_HOSTS:
        allowed, allowed_port = allowed_host_parse(entry)
        if allowed == host and allowed_port in (None, port):
            return True
    return False


def address_is_public(address: str) -> bool:
    """Whether `address` is one the internet routes to: not private, loopback,
    link-local, reserved, multicast, unspecified or otherwise not global (shared
    carrier space, documentation ranges). An IPv4 address mapped into IPv6 is judged
    as the IPv4 address it is."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


def _resolve(host: str, port: int) -> list[str]:
    try:
        return [ipaddress.ip_address(host).compressed]
    except ValueError:
        pass
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise DestinationUnresolved(
            _("%(host)s does not resolve to an address.") % {"host": host}
        ) from None
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in answers:
        if sockaddr[0] not in addresses:
            addresses.append(sockaddr[0])
    return addresses


def destination_check(url: str) -> Destination:
    """The destination of `url` with the addresses it may be delivered to, or
    DestinationRefused saying why not (DestinationUnresolved: the name does not
    resolve now). Every address the name resolves to must be public: an answer
    mixing a public and a private address is refused, since either may be used."""
    parts = urlsplit(url or "")
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in DEFAULT_PORTS or not host:
        raise DestinationRefused(_("Give an http:// or https:// URL."))
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        raise DestinationRefused(
            _("The port must be a number from 1 to 65535.")
        ) from None
    if _allow_listed(host, port):
        return Destination(scheme=scheme, host=host, port=port, addresses=())
    if scheme != "https":
        raise DestinationRefused(
            _(
                "Use an https:// URL: plain http is allowed only to hosts named in "
                "WEBHOOK_ALLOWED_HOSTS."
            )
        )
    addresses = _resolve(host, port)
    for address in addresses:
        if not address_is_public(address):
            raise DestinationRefused(
                _(
                    "%(host)s resolves to %(address)s, which is not a public "
                    "address (private, loopback, link-local or reserved); webhooks "
                    "go to public addresses only, or to hosts named in "
                    "WEBHOOK_ALLOWED_HOSTS."
                )
                % {"host": host, "address": address}
            )
    return Destination(scheme=scheme, host=host, port=port, addresses=tuple(addresses))


def url_problem(url: str) -> str | None:
    """Why `url` may not be subscribed, or None. A name that does not resolve yet is
    accepted (a bank may publish it after configuring the subscription): the check
    before every delivery refuses it if it then resolves to a private address."""
    try:
        destination_check(url)
    except DestinationUnresolved:
        return None
    except DestinationRefused as exc:
        return str(exc)
    return None


def connect_pinned(addresses: tuple[str, ...]):
    """A replacement for http.client's socket factory that connects to the checked
    addresses (in order), whatever name the connection was made for: the name stays
    in the Host header and in TLS (SNI and certificate check), but no second DNS
    lookup can swap in another address between the check and the connection."""

    def create_connection(address, timeout=None, source_address=None):
        _host, port = address[0], address[1]
        error: OSError | None = None
        for ip in addresses:
            try:
                return socket.create_connection((ip, port), timeout, source_address)
            except OSError as exc:
                error = exc
        raise error or OSError("no address to connect to")

    return create_connection
