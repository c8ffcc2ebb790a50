"""The webhook target guard: which URLs and addresses a webhook may reach.

The host is resolved once, every address it resolves to is checked, and the delivery connects to
the checked address itself (sending the name only as Host and for TLS), so a DNS answer that
changes between the check and the connection (DNS rebinding) cannot steer it elsewhere.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from onetime.errors import InvalidRequest
from onetime.translations import N_

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]
MAX_URL_LENGTH = 2048


class TargetRefused(InvalidRequest):
    """A webhook URL or the address it resolves to is not allowed; the message says why, never the URL."""


@dataclass(frozen=True, slots=True)
class TargetPolicy:
    """What the operator allows beyond public https targets."""

    allow_http_loopback: bool = False
    """Plain http (and loopback targets) for a receiver on this machine (OTS_WEBHOOK_ALLOW_HTTP_LOOPBACK)."""
    allow_private: bool = False
    """Private and loopback addresses (OTS_WEBHOOK_ALLOW_PRIVATE)."""


@dataclass(frozen=True, slots=True)
class WebhookUrl:
    """A webhook URL, checked for its form."""

    scheme: str
    host: str
    port: int
    target: str
    """The path and query to request."""

    @property
    def host_header(self) -> str:
        """Return the Host header: the name, with the port when it is not the scheme's own."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    """A checked URL and the checked address to connect to."""

    url: WebhookUrl
    address: str


def parse_webhook_url(raw: str, policy: TargetPolicy) -> WebhookUrl:
    """Check a webhook URL's form: https (or http when loopback http is allowed), a host, no credentials."""
    raw = raw.strip()
    if len(raw) > MAX_URL_LENGTH or any(ord(c) < 0x21 or ord(c) == 0x7F for c in raw):  # noqa: PLR2004
        raise TargetRefused(
            N_("The webhook URL must be at most %(count)s characters, without spaces"), count=MAX_URL_LENGTH
        )
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise TargetRefused(N_("The webhook URL is not a valid URL")) from None
    allowed = ("https", "http") if policy.allow_http_loopback else ("https",)
    if parts.scheme not in allowed:
        raise TargetRefused(N_("The webhook URL must start with https://"))
    if not parts.hostname:
        raise TargetRefused(N_("The webhook URL needs a host"))
    if not parts.hostname.isascii():
        raise TargetRefused(N_("The webhook URL's host must be written in ASCII (the xn-- form of a name)"))
    if parts.username is not None or parts.password is not None:
        raise TargetRefused(N_("The webhook URL must not carry a user name or password"))
    if parts.fragment:
        raise TargetRefused(N_("The webhook URL must not have a #fragment"))
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return WebhookUrl(parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), target)


def refusal(address: IPAddress, scheme: str, policy: TargetPolicy) -> str | None:
    """Return why a webhook may not connect to `address` over `scheme`, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:  # before is_reserved, which ::1 also is
        if not (policy.allow_http_loopback or policy.allow_private):
            return "a loopback address"
        return None
    if address.is_unspecified or address.is_multicast or address.is_link_local or address.is_reserved:
        return "a link-local, multicast or reserved address"
    if scheme != "https":
        return "plain http to an address other than loopback"
    if not address.is_global and not policy.allow_private:
        return "a private address"
    return None


async def system_resolver(host: str, port: int) -> list[str]:
    """Return the addresses the system resolver gives for `host`."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


async def resolve_target(raw: str, policy: TargetPolicy, resolver: Resolver = system_resolver) -> WebhookTarget:
    """Check a URL, resolve its host and check every address; return the first to connect to.

    Any refused address refuses the URL, so a name cannot mix a public address with a private one.
    """
    url = parse_webhook_url(raw, policy)
    try:
        literal: IPAddress | None = ipaddress.ip_address(url.host)
    except ValueError:
        literal = None
    try:
        found = [str(literal)] if literal is not None else await resolver(url.host, url.port)
    except OSError:
        raise TargetRefused(N_("The webhook's host name does not resolve")) from None
    addresses = [ipaddress.ip_address(entry.split("%")[0]) for entry in found]
    if not addresses:
        raise TargetRefused(N_("The webhook's host name does not resolve"))
    for address in addresses:
        reason = refusal(address, url.scheme, policy)
        if reason is not None:
            raise TargetRefused(
                N_("The webhook URL leads to %(reason)s, which this server does not call"), reason=reason
            )
    return WebhookTarget(url, str(addresses[0]))
