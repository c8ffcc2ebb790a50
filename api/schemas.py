"""Wire types of the v1 API: field order and omissions as the compatibility contract says."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from onetime.new_secret import NewSecret
from onetime.passwords import DEFAULT_LENGTH, MAX_LENGTH
from onetime.plans import MIN_TTL
from onetime.receipts import Burned, Receipt, Revealed

UNSET = msgspec.UNSET
Unset = msgspec.UnsetType

# Parameters. Each is read as text (v1 clients send numbers as strings; the domain reads them
# leniently), so a number's type admits `str`; a parameter that may repeat is a list; None means
# not given. api/params.py reads them and api/openapi.py documents them from these declarations.


class PassphraseParams(msgspec.Struct, frozen=True, kw_only=True):
    """The parameters of reveal and burn."""

    passphrase: Annotated[
        str | None, Meta(description="the secret's passphrase: protects it on create; asked for on reveal and burn")
    ] = None


class CreateParams(PassphraseParams, frozen=True, kw_only=True):
    """The parameters every creation takes (kw_only, so an operation's own field comes first)."""

    ttl: Annotated[int | str | None, Meta(description=f"seconds; clamped into [{MIN_TTL}, the plan's maximum]")] = None
    recipient: Annotated[list[str], Meta(description="email the link to the first address")] = msgspec.field(
        default_factory=list
    )
    share_domain: Annotated[str | None, Meta(description="one of the caller's verified custom domains")] = None
    notify: Annotated[
        list[str],
        Meta(description="additive: email, webhook or both (email,webhook): be told when revealed, burned or expired"),
    ] = msgspec.field(default_factory=list)

    def new_secret(self, value: str | None = None) -> NewSecret:
        """Return the creation request these parameters describe."""
        return NewSecret(
            value=value,
            ttl=self.ttl,
            passphrase=self.passphrase,
            recipients=self.recipient,
            share_domain=(self.share_domain or "").strip() or None,
            notify=self.notify,
        )


class ShareParams(CreateParams, frozen=True):
    """The parameters of /share and /create."""

    secret: Annotated[str | None, Meta(description="the value to share")]
    """Required, so without a default; still None when missing, which the domain refuses in the contract's order."""


class GenerateParams(CreateParams, frozen=True):
    """The parameters of /generate (a value to share is ignored)."""

    length: Annotated[
        Annotated[int, Meta(le=MAX_LENGTH)] | str | None, Meta(description=f"default {DEFAULT_LENGTH}")
    ] = None


# Answers.


class Status(msgspec.Struct, kw_only=True):
    """The answer of /status and /authcheck."""

    status: str = "nominal"
    locale: str = "en"
    region: str | Unset = UNSET


class Delivery(msgspec.Struct, kw_only=True):
    """Where the email of the secret link stands: queued, sent or failed, after `attempts` tries."""

    state: str
    attempts: int


class Metadata(msgspec.Struct, kw_only=True):
    """A receipt; fields that do not apply to a state are left out.

    `delivery` is additive (not in v1), present only when a recipient was given.
    """

    custid: str
    metadata_key: str
    secret_key: str | Unset = UNSET
    ttl: int
    metadata_ttl: int
    secret_ttl: int | Unset | None = UNSET
    metadata_url: str
    secret_url: str | Unset = UNSET
    state: str
    updated: int
    created: int
    received: int | Unset = UNSET
    recipient: list[str]
    share_domain: str
    delivery: Delivery | Unset = UNSET
    value: str | Unset = UNSET
    passphrase_required: bool | Unset = UNSET


class Secret(msgspec.Struct, kw_only=True):
    """A revealed secret."""

    value: str
    secret_key: str
    share_domain: str


class BurnResult(msgspec.Struct, kw_only=True):
    """The answer to a burn."""

    state: Metadata
    secret_shortkey: str


class Error(msgspec.Struct, kw_only=True):
    """Every v1 error body."""

    message: str
    secret_key: str | Unset = UNSET


def metadata(receipt: Receipt, *, listed: bool = False) -> Metadata:
    """Shape a receipt for the wire; `listed` leaves out what a recent list must not carry."""
    received = receipt.state == "received"
    if received or listed:
        secret_key: str | Unset = UNSET
    else:
        secret_key = receipt.secret_key or ""
    show_passphrase = receipt.secret_exists and not listed
    return Metadata(
        custid=receipt.custid,
        metadata_key=receipt.metadata_key,
        secret_key=secret_key,
        ttl=receipt.ttl,
        metadata_ttl=receipt.metadata_ttl,
        secret_ttl=UNSET if received else receipt.secret_ttl,
        metadata_url=receipt.metadata_url,
        # The link embeds the secret key, so a listed receipt leaves it out with the key.
        secret_url=UNSET if listed else receipt.secret_url or UNSET,
        state=receipt.state,
        updated=receipt.updated,
        created=receipt.created,
        received=receipt.received if received and receipt.received is not None else UNSET,
        recipient=list(receipt.recipients),
        share_domain=receipt.share_domain,
        delivery=UNSET
        if receipt.delivery is None
        else Delivery(state=receipt.delivery.state, attempts=receipt.delivery.attempts),
        value=UNSET if receipt.value is None else receipt.value,
        passphrase_required=receipt.passphrase_required if show_passphrase else UNSET,
    )


def secret(revealed: Revealed) -> Secret:
    """Shape a revealed secret for the wire."""
    return Secret(value=revealed.value, secret_key=revealed.secret_key, share_domain=revealed.link_origin)


def burn_result(burned: Burned) -> BurnResult:
    """Shape a burn for the wire."""
    return BurnResult(state=metadata(burned.receipt), secret_shortkey=burned.secret_shortkey)
