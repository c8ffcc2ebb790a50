"""A request to create a secret, and the rules its value and passphrase must meet before storage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from onetime.domains.names import normalize_domain
from onetime.errors import NothingToShare, OnlyWhitespace, PassphraseRejected, TooLarge
from onetime.settings import Settings
from onetime.translations import DEFAULT_LOCALE, N_


@dataclass(frozen=True, slots=True)
class NewSecret:
    """A request to create a secret, as received from either face (raw TTL included)."""

    value: str | None = None
    ttl: object = None
    passphrase: str | None = None
    recipients: Sequence[str] = ()
    share_domain: str | None = None
    site_domain: str | None = None
    """The verified custom domain whose public page creates the secret; links then use it."""
    end_to_end: bool = False
    """Whether `value` is a ciphertext of `onetime.e2e_format`, encrypted by the sender's browser."""
    notify: Sequence[str] = ()  # how the creator asks to be told of the outcome (onetime.notifications)
    locale: str = DEFAULT_LOCALE
    """The creator's language: the language of the email that carries the link, if any."""

    @property
    def link_domain(self) -> str:
        """Return the custom domain the secret's links use ("" for the canonical host)."""
        chosen = self.share_domain or self.site_domain
        return normalize_domain(chosen) if chosen else ""


def check_value(value: str | None, plan_size: int, largest_size: int) -> str:
    """Return a typed secret that may be stored, or refuse it: empty, blank or over the plan's size.

    `largest_size` is the largest any plan allows: the refusal names it when it would have fitted.
    """
    if not value:
        raise NothingToShare
    if not value.strip():
        raise OnlyWhitespace
    size = len(value.encode())
    if size > plan_size:
        raise TooLarge(size, plan_size, largest_size if largest_size > plan_size else None)
    return value


def check_passphrase(settings: Settings, passphrase: str | None) -> None:
    """Refuse a passphrase outside the configured lengths, or a missing one where one is required."""
    low, high = settings.passphrase_min_length, settings.passphrase_max_length
    if not passphrase:
        if settings.passphrase_required:
            raise PassphraseRejected(N_("A passphrase is required for all secrets"))
        return
    if len(passphrase) < low:
        raise PassphraseRejected(N_("Passphrase must be at least %(count)s characters long"), count=low)
    if len(passphrase) > high:
        raise PassphraseRejected(N_("Passphrase must be no more than %(count)s characters long"), count=high)
