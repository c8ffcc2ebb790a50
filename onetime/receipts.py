"""What the secret service hands back: receipts, a revealed value, a burn, a preview."""

from __future__ import annotations

from dataclasses import dataclass

from onetime.mail.outgoing import Delivery


@dataclass(frozen=True, slots=True)
class Receipt:
    """What the creator may know about a secret. `secret_key` is None once it is gone."""

    custid: str
    metadata_key: str
    secret_key: str | None
    ttl: int
    metadata_ttl: int
    secret_ttl: int | None
    state: str
    created: int
    updated: int
    received: int | None
    burned: int | None
    recipients: tuple[str, ...]
    share_domain: str
    passphrase_required: bool
    link_origin: str
    value: str | None = None
    delivery: Delivery | None = None
    """Where the email to the first recipient stands; None when no recipient was given."""
    end_to_end: int = 0
    """Bytes of the ciphertext of a secret encrypted end to end in the sender's browser; 0 otherwise."""

    @property
    def secret_exists(self) -> bool:
        """Tell whether the secret can still be revealed."""
        return self.secret_key is not None

    @property
    def metadata_url(self) -> str:
        """Return the creator's private receipt link."""
        return f"{self.link_origin}/private/{self.metadata_key}"

    @property
    def secret_url(self) -> str | None:
        """Return the share link while the secret exists."""
        return f"{self.link_origin}/secret/{self.secret_key}" if self.secret_key else None


@dataclass(frozen=True, slots=True)
class Revealed:
    """A secret's value, handed out once."""

    value: str
    secret_key: str
    link_origin: str


@dataclass(frozen=True, slots=True)
class Burned:
    """The receipt of a secret that was just burned."""

    receipt: Receipt
    secret_shortkey: str


@dataclass(frozen=True, slots=True)
class SecretPreview:
    """What the reveal page may know before the recipient asks to reveal."""

    secret_key: str
    passphrase_required: bool
    end_to_end: bool = False
    """Whether only the link's fragment opens it (the page must decrypt it in the browser)."""


@dataclass(frozen=True, slots=True)
class SecretStatus:
    """What a secret's link tells about it without consuming it: never the value, owner or recipients."""

    secret_key: str
    state: str
    """The receipt's state: `new` or `viewed` while the secret can be revealed."""
    ttl: int
    """The lifespan the secret was given, in seconds."""
    remaining: int | None
    """Seconds the secret has left; None once it is gone."""
    created: int
    updated: int
    passphrase_required: bool

    @property
    def secret_exists(self) -> bool:
        """Tell whether the secret can still be revealed."""
        return self.remaining is not None
