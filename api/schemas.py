"""Wire types of the v1 API: field order and omissions as the compatibility contract says."""

from __future__ import annotations

import msgspec

from onetime.receipts import Burned, Receipt, Revealed

UNSET = msgspec.UNSET
Unset = msgspec.UnsetType


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
