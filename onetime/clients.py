"""Who is the client: the peer address, or what a trusted proxy says it forwarded for."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Sequence

from onetime.settings import IPNetwork

UNKNOWN_CLIENT = "unknown"
DEFAULT_IPV6_PREFIX = 64
"""IPv6 clients are counted by network: one host usually holds a whole /64 (SLAAC, privacy addresses)."""


def is_trusted_proxy(address: str, trusted: Sequence[IPNetwork]) -> bool:
    """Tell whether an address is one of the trusted proxies."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


@functools.lru_cache(maxsize=4096)  # asked on every request, mostly for the same few addresses
def client_bucket(address: str, ipv6_prefix: int = DEFAULT_IPV6_PREFIX) -> str:
    """Return what per-address limits count for an address: an IPv4 address, or its IPv6 network.

    A host with a /64 can use any of its 2^64 addresses, so counting full IPv6 addresses would
    give it unlimited allowances; the network (`2001:db8:1:2::/64`) is one client. An IPv4
    address mapped into IPv6 counts as the IPv4 address. Anything that is not an address is
    returned as it is.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    if isinstance(ip, ipaddress.IPv4Address) or ipv6_prefix >= ip.max_prefixlen:
        return str(ip)
    return str(ipaddress.IPv6Network((ip, ipv6_prefix), strict=False))


def client_address(
    peer: str | None,
    forwarded_for: str | None,
    trusted: Sequence[IPNetwork],
    ipv6_prefix: int = DEFAULT_IPV6_PREFIX,
) -> str:
    """Return the client as every per-address limit counts it, believing X-Forwarded-For only from trusted proxies.

    The header is read right to left, skipping trusted hops, so a client cannot choose its own
    address by sending the header itself. An IPv6 client is its network of `ipv6_prefix` bits
    (see `client_bucket`), so every limit and lockout counts one host's /64 once.
    """
    return client_bucket(_forwarded_client(peer, forwarded_for, trusted), ipv6_prefix)


def client_ip(peer: str | None, forwarded_for: str | None, trusted: Sequence[IPNetwork]) -> str:
    """Return the client's own address (not its limit bucket), believing X-Forwarded-For only from trusted proxies."""
    return _forwarded_client(peer, forwarded_for, trusted)


def _forwarded_client(peer: str | None, forwarded_for: str | None, trusted: Sequence[IPNetwork]) -> str:
    if not peer:
        return UNKNOWN_CLIENT
    if not forwarded_for or not is_trusted_proxy(peer, trusted):
        return peer
    for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
        try:
            address = str(ipaddress.ip_address(hop))
        except ValueError:
            return peer
        if not is_trusted_proxy(address, trusted):
            return address
    return peer
