"""Who is the client: the peer address, or what a trusted proxy says it forwarded for."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from onetime.settings import IPNetwork

UNKNOWN_CLIENT = "unknown"


def is_trusted_proxy(address: str, trusted: Sequence[IPNetwork]) -> bool:
    """Tell whether an address is one of the trusted proxies."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(peer: str | None, forwarded_for: str | None, trusted: Sequence[IPNetwork]) -> str:
    """Return the client's address, believing X-Forwarded-For only from trusted proxies.

    The header is read right to left, skipping trusted hops, so a client cannot choose its own
    address by sending the header itself.
    """
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
