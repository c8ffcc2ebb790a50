"""The answers of the v2 API: the envelopes around the records of `api.v2.records`.

Each answer is a msgspec Struct in the field order the contract gives, with the function that
fills it from what the secret service hands back.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from msgspec import Meta

from api.v2.records import (
    UNSET,
    ReceiptRecord,
    ReceiptView,
    SecretRecord,
    Unset,
    created_secret_record,
    display_lines,
    receipt_record,
    receipt_view,
    secret_record,
    shows_secret_link,
)
from onetime.receipts import Receipt, SecretStatus


class CreatedRecord(msgspec.Struct, kw_only=True):
    """What a creation stored: `metadata` is the v2 alias of `receipt`."""

    receipt: ReceiptRecord
    metadata: ReceiptRecord
    secret: SecretRecord
    share_domain: str | None


class CreatedDetails(msgspec.Struct, kw_only=True):
    """How the secret was made, and who it was sent to (masked in both lists)."""

    kind: str
    recipient: list[str]
    recipient_safe: list[str]


class Created(msgspec.Struct, kw_only=True):
    """The answer of conceal and generate (a generated password is not in it: the receipt read echoes it once)."""

    success: bool = True
    record: CreatedRecord
    details: CreatedDetails


def created(receipt: Receipt, kind: str) -> Created:
    """Shape a creation's answer."""
    shown = receipt_record(receipt, kind)
    masked = list(receipt.recipients)
    return Created(
        record=CreatedRecord(
            receipt=shown,
            metadata=shown,
            secret=created_secret_record(receipt),
            share_domain=receipt.share_domain or None,
        ),
        details=CreatedDetails(kind=kind, recipient=masked, recipient_safe=list(masked)),
    )


class SecretDetails(msgspec.Struct, kw_only=True):
    """What a secret read or reveal did."""

    continue_: bool = msgspec.field(name="continue")
    is_owner: bool = False
    show_secret: bool
    correct_passphrase: bool
    display_lines: int
    one_liner: bool | None


class SecretAnswer(msgspec.Struct, kw_only=True):
    """The answer of a secret read or reveal."""

    record: SecretRecord
    details: SecretDetails


def secret_answer(record: SecretRecord, *, confirmed: bool) -> SecretAnswer:
    """Shape a secret read (no value) or a reveal (the value, once)."""
    value = record.secret_value if isinstance(record.secret_value, str) else None
    shown = value is not None
    return SecretAnswer(
        record=record,
        details=SecretDetails(
            continue_=confirmed,
            show_secret=shown,
            # Upstream's reveal says false for a secret without a passphrase; nothing was wrong with it.
            correct_passphrase=shown or not record.has_passphrase,
            display_lines=display_lines(value),
            one_liner=None if value is None else "\n" not in value,
        ),
    )


class ExpirationDetails(msgspec.Struct, kw_only=True):
    """How long the secret has left."""

    current_expiration: int


UNKNOWN_SECRET_RECORD = {"state": "unknown"}


class SecretStatusAnswer(msgspec.Struct, kw_only=True):
    """The answer of GET /secret/:identifier/status."""

    record: Annotated[
        dict[str, Any], Meta(description='a secret record, or only `{"state": "unknown"}` for a secret that is gone')
    ]
    details: ExpirationDetails | Unset = UNSET


def secret_status_answer(status: SecretStatus | None) -> SecretStatusAnswer:
    """Shape a status read: `unknown` for a secret that cannot be revealed."""
    if status is None or status.remaining is None:
        return SecretStatusAnswer(record=dict(UNKNOWN_SECRET_RECORD))
    # A plain object: msgspec cannot describe a union of two record Structs without a tag field on the wire.
    record: dict[str, Any] = msgspec.to_builtins(secret_record(status))
    return SecretStatusAnswer(record=record, details=ExpirationDetails(current_expiration=status.remaining))


class SecretList(msgspec.Struct, kw_only=True):
    """The answer of POST /secret/status: the secrets that exist, the others left out."""

    records: list[SecretRecord]
    count: int


class ReceiptDetails(msgspec.Struct, kw_only=True):
    """What a receipt read shows and offers."""

    type: str = "record"
    display_lines: int
    no_cache: bool = True
    secret_realttl: int | None
    view_count: int
    first_access: float | None = None
    last_access: float | None = None
    has_passphrase: bool
    can_decrypt: bool
    secret_value: str | None
    show_secret: bool
    show_secret_link: bool
    show_receipt_link: bool
    show_receipt: bool = True
    show_recipients: bool


class ReceiptAnswer(msgspec.Struct, kw_only=True):
    """The answer of a receipt read."""

    record: ReceiptView
    details: ReceiptDetails


def receipt_answer(receipt: Receipt) -> ReceiptAnswer:
    """Shape a receipt read; a generated password is echoed here once, within its minute."""
    shows = shows_secret_link(receipt)
    return ReceiptAnswer(
        record=receipt_view(receipt),
        details=ReceiptDetails(
            display_lines=display_lines(receipt.value),
            secret_realttl=receipt.secret_ttl,
            view_count=1 if receipt.state == "viewed" else 0,
            has_passphrase=receipt.passphrase_required,
            can_decrypt=shows,
            secret_value=receipt.value,
            show_secret=shows,
            show_secret_link=receipt.secret_exists,
            show_receipt_link=receipt.state in {"new", "viewed"},
            show_recipients=bool(receipt.recipients),
        ),
    )


class MemoAnswer(msgspec.Struct, kw_only=True):
    """The answer of a receipt update."""

    record: ReceiptRecord


class BurnDetails(msgspec.Struct, kw_only=True):
    """What a burn did."""

    type: str = "record"
    title: str
    display_lines: int = 0
    display_feedback: bool = False
    no_cache: bool = True
    view_count: int
    has_passphrase: bool
    can_decrypt: bool = False
    show_secret: bool = False
    show_secret_link: bool = False
    show_receipt_link: bool = False
    show_receipt: bool = True
    show_recipients: bool
    is_orphaned: bool


class BurnAnswer(msgspec.Struct, kw_only=True):
    """The answer of a burn: `success` says whether this request burned the secret; the record is as it is now."""

    success: bool
    record: ReceiptView
    details: BurnDetails


def burn_answer(receipt: Receipt, *, burned: bool) -> BurnAnswer:
    """Shape a burn's answer from the receipt as it stands after the attempt."""
    return BurnAnswer(
        success=burned,
        record=receipt_view(receipt),
        details=BurnDetails(
            title="Secret burned" if burned else "Secret not burned",
            view_count=1 if receipt.state == "viewed" else 0,
            has_passphrase=receipt.passphrase_required,
            show_recipients=bool(receipt.recipients),
            is_orphaned=receipt.state == "orphaned",
        ),
    )


class RecentDetails(msgspec.Struct, kw_only=True):
    """The list's window, and its receipts split by outcome under both names clients read."""

    type: str = "list"
    scope: None = None
    scope_label: None = None
    since: int
    now: float
    has_items: bool
    revealed_receipts: list[ReceiptRecord]
    pending_receipts: list[ReceiptRecord]
    received: list[ReceiptRecord]
    """The name `revealed_receipts` had before 2026-03, still read by Raycast."""
    notreceived: list[ReceiptRecord]
    """The name `pending_receipts` had before 2026-03."""


class RecentAnswer(msgspec.Struct, kw_only=True):
    """The answer of GET /receipt/recent."""

    success: bool = True
    custid: str
    count: int
    records: list[ReceiptRecord]
    details: RecentDetails


def recent_answer(custid: str, receipts: list[Receipt], *, since: int, now: float) -> RecentAnswer:
    """Shape the caller's recent receipts (newest first)."""
    records = [receipt_record(receipt) for receipt in receipts]
    done = [record for record in records if record.is_destroyed]
    pending = [record for record in records if not record.is_destroyed]
    return RecentAnswer(
        custid=custid,
        count=len(records),
        records=records,
        details=RecentDetails(
            since=since,
            now=now,
            has_items=bool(records),
            revealed_receipts=done,
            pending_receipts=pending,
            received=done,
            notreceived=pending,
        ),
    )


class ServiceStatus(msgspec.Struct, kw_only=True):
    """The answer of GET /status."""

    success: bool = True
    status: str = "nominal"
    locale: str = "en"


class Locales(msgspec.Struct, kw_only=True):
    """The answer of GET /supported-locales."""

    success: bool = True
    locales: list[str]
    default_locale: str = "en"
    locale: str = "en"


class Version(msgspec.Struct, kw_only=True):
    """The answer of GET /version: MAJOR, MINOR and PATCH as strings."""

    success: bool = True
    version: list[str]
    locale: str = "en"
