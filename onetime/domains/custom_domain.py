"""A custom share domain as stored: its owner, where its DNS verification stands, and its brand.

A domain moves from `unverified` (added, never checked) to `pending` (checked, something is
missing) to `verified` (the challenge TXT record holds the domain's token and the name resolves).
Every check runs again on demand and sets the state from what DNS says now.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from onetime.domains.branding import Branding
from onetime.domains.dns import challenge_name
from onetime.errors import InvalidRequest, OnetimeError, RateLimited
from onetime.translations import N_

UNVERIFIED, PENDING, VERIFIED = "unverified", "pending", "verified"


class UnknownDomain(InvalidRequest):
    """The domain is not one the caller holds (or not a usable one)."""

    def __init__(self, domain: str) -> None:
        super().__init__(N_("Unknown domain: %(domain)s"), domain=domain[:253])


class DomainTaken(OnetimeError):
    """Another account holds this domain, verified."""

    def __init__(self, domain: str) -> None:
        super().__init__(N_("%(domain)s is already registered by another account"), domain=domain)


class DomainNotVerified(InvalidRequest):
    """Only a verified domain can be branded."""

    def __init__(self, domain: str) -> None:
        super().__init__(
            N_("Verify %(domain)s before branding it: create its TXT record and address, then check DNS again"),
            domain=domain,
        )


class LogoUploadsLimited(RateLimited):
    """The account uploaded as many logos as its window allows."""

    def __init__(self, count: int, minutes: int, wait_seconds: int) -> None:
        wait = max(1, -(-wait_seconds // 60))
        super().__init__(
            f"Too many logo uploads: at most {count} every {minutes} minutes. "
            f"Please try again in {wait} minute{'' if wait == 1 else 's'}."
        )


@dataclass(frozen=True, slots=True)
class Domain:
    """A custom share domain as stored."""

    name: str
    owner: str
    state: str = UNVERIFIED
    token: str = ""
    """The value the challenge TXT record must hold."""
    created: int = 0
    checked: int | None = None
    """When DNS was last asked; None before the first check."""
    verified: int | None = None
    """Since when the domain is verified; None while it is not."""
    missing: tuple[str, ...] = ()
    """What the last check found missing, one line each."""
    branding: Branding = field(default_factory=Branding)
    expires: int | None = None
    """When an unverified claim lapses; None for a domain the account won by verification."""

    @property
    def is_claim(self) -> bool:
        """Tell whether this is an unverified claim, which lapses unless verified first."""
        return self.expires is not None

    @property
    def is_verified(self) -> bool:
        """Tell whether the domain may carry links and be served."""
        return self.state == VERIFIED

    @property
    def challenge_name(self) -> str:
        """Return the name of the TXT record to create."""
        return challenge_name(self.name)
