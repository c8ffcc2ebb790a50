"""Recipient addresses: validated when given, stored and shown only obfuscated."""

from __future__ import annotations

import re

from onetime.errors import InvalidRequest
from onetime.translations import N_

MAX_ADDRESS_LENGTH = 254
_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


def validate_address(address: str) -> str:
    """Return the address trimmed, or raise naming it when it cannot receive mail."""
    candidate = address.strip()
    if len(candidate) > MAX_ADDRESS_LENGTH or not _ADDRESS.fullmatch(candidate):
        raise InvalidRequest(N_("Undeliverable email address: %(address)s"), address=candidate[:MAX_ADDRESS_LENGTH])
    return candidate


def obfuscate(address: str) -> str:
    """Mask an address as `to*****@e*****.com`, however short it is."""
    local, _, domain = address.rpartition("@")
    top_level = domain[domain.rfind(".") :] if "." in domain else ""
    return f"{local[:2]}*****@{domain[:1]}*****{top_level}"
