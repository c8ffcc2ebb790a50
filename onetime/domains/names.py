"""Host names: a domain as stored (normalised), and the hosts that are this deployment's own."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from onetime.errors import InvalidRequest
from onetime.settings import Settings
from onetime.translations import N_

_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def normalize_domain(text: str) -> str:
    """Return a host name as stored: lowercase ASCII (IDNA), no trailing dot, or raise."""
    name = text.strip().rstrip(".").lower()
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidRequest(N_("Not a valid domain name: %(name)s"), name=text.strip()[:253]) from None
    labels = name.split(".")
    valid = (
        len(name) <= 253  # noqa: PLR2004
        and len(labels) >= 2  # noqa: PLR2004
        and all(_LABEL.fullmatch(label) for label in labels)
        and not labels[-1].isdigit()  # an IP address is not a domain
    )
    if not valid:
        raise InvalidRequest(N_("Not a valid domain name: %(name)s"), name=text.strip()[:253])
    return name


def is_loopback_name(host: str) -> bool:
    """Tell whether a host name or address names this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def canonical_host(settings: Settings) -> str:
    """Return the host name of this deployment's canonical origin."""
    return (urlsplit(settings.base_url).hostname or "").lower()
