"""The records of the v2 API: the secret and receipt records (§3.1, §3.2 of the contract).

The envelopes around them are in `api.v2.answers`.

Native JSON types, and the field names clients read.

States are v2's: `viewed` (the recipient opened the link) reads as `new` with `is_previewed`,
`received` reads as `revealed`. A record never carries a secret's value; only a reveal's answer
does, in `secret_value`. The receipt's `custid` and `owner_id` stay null: a receipt link may be
passed around, and an account's email is not the link holder's business.
"""

from __future__ import annotations

from typing import Any

import msgspec

from onetime.receipts import Receipt, SecretStatus

UNSET = msgspec.UNSET
Unset = msgspec.UnsetType
MAX_DISPLAY_LINES = 30
_V2_STATES = {"viewed": "new", "received": "revealed"}
_DESTROYED = frozenset({"received", "burned", "expired", "orphaned"})
_UNITS = (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))


def v2_state(state: str) -> str:
    """Return the v2 name of a stored state."""
    return _V2_STATES.get(state, state)


def natural_duration(seconds: int) -> str:
    """Return a duration as people say it, in its largest whole unit: "1 hour", "7 days"."""
    for unit, size in _UNITS:
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return "0 seconds"


def display_lines(value: str | None) -> int:
    """Return how many lines a client should give a value, as upstream computes it."""
    text = value or ""
    return min(MAX_DISPLAY_LINES, (80 + len(text)) // 80 + text.count("\n") + 3)


class SecretRecord(msgspec.Struct, kw_only=True):
    """A secret as its link's holder sees it."""

    identifier: str
    key: str
    shortid: str
    state: str
    lifespan: int
    secret_ttl: int
    has_passphrase: bool
    verification: bool = False
    created: float
    updated: float
    is_previewed: bool
    is_revealed: bool
    is_viewed: bool
    is_received: bool
    secret_value: str | Unset = UNSET


class ReceiptRecord(msgspec.Struct, kw_only=True):
    """A receipt: what the creator may know about a secret."""

    identifier: str
    key: str
    shortid: str
    custid: None = None
    owner_id: None = None
    state: str
    secret_shortid: str
    secret_identifier: str | Unset = UNSET
    """The secret's key while it exists, "" once gone; a receipt read leaves it out when a passphrase guards it."""
    secret_ttl: int
    metadata_ttl: int
    receipt_ttl: int
    lifespan: int
    share_domain: str | None
    created: float
    updated: float
    shared: None = None
    previewed: int | None
    revealed: int | None
    burned: int | None
    viewed: int | None
    received: int | None
    recipients: str
    recipient_name: None = None
    memo: None = None
    show_recipients: bool
    is_previewed: bool
    is_viewed: bool
    is_received: bool
    is_revealed: bool
    is_burned: bool
    is_expired: bool
    is_orphaned: bool
    is_destroyed: bool
    has_passphrase: bool
    kind: str | None
    """`conceal` or `generate` when the answer creates the secret; null on later reads, which do not keep it."""
    source: str = "standard"


class ReceiptView(ReceiptRecord, kw_only=True):
    """A receipt with the links and times of the receipt read and the burn."""

    secret_state: str | None
    natural_expiration: str
    expiration: int
    expiration_in_seconds: int
    share_path: str
    burn_path: str
    receipt_path: str
    metadata_path: str
    share_url: str
    receipt_url: str
    metadata_url: str
    burn_url: str


def secret_record(status: SecretStatus, *, state: str | None = None, value: str | None = None) -> SecretRecord:
    """Shape a secret's status (with the state after a reveal, and the value it revealed)."""
    shown_state = state or v2_state(status.state)
    return SecretRecord(
        identifier=status.secret_key,
        key=status.secret_key,
        shortid=status.secret_key[:8],
        state=shown_state,
        lifespan=status.ttl,
        secret_ttl=status.ttl,
        has_passphrase=status.passphrase_required,
        created=float(status.created),
        updated=float(status.updated),
        # Only the stored `viewed` state is a preview; no v2 read records one (a HEAD could not be told apart).
        is_previewed=status.state == "viewed",
        is_viewed=status.state == "viewed",
        is_revealed=shown_state == "revealed",
        is_received=shown_state == "revealed",
        secret_value=UNSET if value is None else value,
    )


def created_secret_record(receipt: Receipt) -> SecretRecord:
    """Shape the secret a creation just stored."""
    assert receipt.secret_key is not None  # noqa: S101 - a fresh receipt always has its secret
    status = SecretStatus(
        secret_key=receipt.secret_key,
        state=receipt.state,
        ttl=receipt.ttl,
        remaining=receipt.secret_ttl,
        created=receipt.created,
        updated=receipt.updated,
        passphrase_required=receipt.passphrase_required,
    )
    return secret_record(status)


def _receipt_fields(receipt: Receipt, kind: str | None) -> dict[str, Any]:
    state = receipt.state
    viewed_at = receipt.updated if state == "viewed" else None
    recipients = ", ".join(receipt.recipients)
    return {
        "identifier": receipt.metadata_key,
        "key": receipt.metadata_key,
        "shortid": receipt.metadata_key[:8],
        "state": v2_state(state),
        "secret_shortid": (receipt.secret_key or "")[:8],
        "secret_identifier": receipt.secret_key or "",
        "secret_ttl": receipt.ttl,
        "metadata_ttl": receipt.ttl,
        "receipt_ttl": receipt.ttl,
        "lifespan": receipt.ttl,
        "share_domain": receipt.share_domain or None,
        "created": float(receipt.created),
        "updated": float(receipt.updated),
        "previewed": viewed_at,
        "viewed": viewed_at,
        "revealed": receipt.received,
        "received": receipt.received,
        "burned": receipt.burned,
        "recipients": recipients,
        "show_recipients": bool(recipients),
        "is_previewed": state == "viewed",
        "is_viewed": state == "viewed",
        "is_received": state == "received",
        "is_revealed": state == "received",
        "is_burned": state == "burned",
        "is_expired": state == "expired",
        "is_orphaned": state == "orphaned",
        "is_destroyed": state in _DESTROYED,
        "has_passphrase": receipt.passphrase_required,
        "kind": kind,
    }


def receipt_record(receipt: Receipt, kind: str | None = None) -> ReceiptRecord:
    """Shape a receipt for a creation's answer or a list."""
    return ReceiptRecord(**_receipt_fields(receipt, kind))


def shows_secret_link(receipt: Receipt) -> bool:
    """Tell whether a receipt read hands out the secret's key: while it exists and no passphrase guards it."""
    return receipt.secret_exists and not receipt.passphrase_required


def receipt_view(receipt: Receipt) -> ReceiptView:
    """Shape a receipt for a receipt read or a burn, with its links (web pages, not API paths)."""
    fields = _receipt_fields(receipt, None)
    if not shows_secret_link(receipt):
        fields["secret_identifier"] = UNSET
    share_path = f"secret/{receipt.secret_key or ''}"
    receipt_path = f"private/{receipt.metadata_key}"
    origin = receipt.link_origin
    return ReceiptView(
        **fields,
        secret_state="new" if receipt.secret_exists else None,
        natural_expiration=natural_duration(receipt.ttl),
        expiration=receipt.created + receipt.ttl,
        expiration_in_seconds=receipt.ttl,
        share_path=share_path,
        burn_path=f"{receipt_path}/burn",
        receipt_path=receipt_path,
        metadata_path=receipt_path,
        share_url=f"{origin}/{share_path}",
        receipt_url=f"{origin}/{receipt_path}",
        metadata_url=f"{origin}/{receipt_path}",
        burn_url=f"{origin}/{receipt_path}/burn",
    )


# Envelopes.
