"""A secret and the records that share its hash tag.

Its receipt and a generated password's echo live under the secret id's tag, so one script can
change them together; the index from the receipt's id to the secret lives under the receipt id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redis.asyncio.cluster import RedisCluster

from onetime.keys import RECORD_ID_LENGTH
from onetime.mail.outgoing import Delivery
from onetime.storage import scripts
from onetime.storage.client import RedisClient, flat_args, flat_field_map, state_change_errors, storage_errors, text
from onetime.storage.keys import generated_name, metadata_name, receipt_name, secret_name

# Receipt field codes, kept short because every stored secret carries them. An absent field
# means empty, which saves memory.
OWNER, TTL, CREATED, UPDATED, STATE = "o", "t", "c", "u", "s"
RECEIVED, BURNED, RECIPIENTS, SHARE_DOMAIN, HAS_PASSPHRASE = "r", "b", "rc", "d", "p"
DELIVERY, DELIVERY_ATTEMPTS, GENERATED = "dl", "da", "g"
END_TO_END = "e"
"""Bytes of an end-to-end ciphertext (encrypted in the sender's browser); absent for server-side secrets."""
# Read notifications (onetime.notifications): what to tell the owner, the history label, the webhook's state.
NOTIFY, LABEL, WEBHOOK, WEBHOOK_ATTEMPTS = "nw", "nl", "wh", "wa"
_RECIPIENT_SEPARATOR = "\n"


@dataclass(frozen=True, slots=True)
class ReceiptRecord:
    """A receipt as stored: what the creator may know about a secret."""

    owner: str
    ttl: int
    created: int
    updated: int
    state: str
    received: int | None = None
    burned: int | None = None
    recipients: tuple[str, ...] = ()
    """Obfuscated recipient addresses."""
    share_domain: str = ""
    has_passphrase: bool = False
    generated: bool = False
    """Whether the value is a generated password (its echo may be waiting)."""
    delivery: Delivery | None = None
    end_to_end: int = 0
    """Bytes of the ciphertext when the value was encrypted end to end (0: encrypted by this server)."""
    notify: str = ""
    """How the owner asked to be told of the outcome: "", "email", "webhook" or "email,webhook"."""
    label: str = ""
    """The short form of the receipt key naming the secret in its owner's history ("" for none)."""
    webhook: Delivery | None = None
    """Where the webhook announcing the outcome stands; None when none was queued."""

    def fields(self) -> dict[str, str]:
        """Return the stored form of the receipt, without empty fields."""
        stamps = {RECEIVED: self.received, BURNED: self.burned}
        fields = {
            OWNER: self.owner,
            TTL: str(self.ttl),
            CREATED: str(self.created),
            UPDATED: str(self.updated),
            STATE: self.state,
            **{code: str(stamp) for code, stamp in stamps.items() if stamp is not None},
            RECIPIENTS: _RECIPIENT_SEPARATOR.join(self.recipients),
            SHARE_DOMAIN: self.share_domain,
            HAS_PASSPHRASE: "1" if self.has_passphrase else "",
            GENERATED: "1" if self.generated else "",
            END_TO_END: str(self.end_to_end) if self.end_to_end else "",
            NOTIFY: self.notify,
            LABEL: self.label,
        }
        fields = {code: value for code, value in fields.items() if value}
        if self.delivery is not None:
            fields |= {DELIVERY: self.delivery.state, DELIVERY_ATTEMPTS: str(self.delivery.attempts)}
        if self.webhook is not None:
            fields |= {WEBHOOK: self.webhook.state, WEBHOOK_ATTEMPTS: str(self.webhook.attempts)}
        return fields

    @classmethod
    def from_fields(cls, fields: dict[str, str]) -> ReceiptRecord:
        """Return the receipt that stored fields describe."""
        shown = fields.get(RECIPIENTS, "")
        return cls(
            owner=fields[OWNER],
            ttl=int(fields[TTL]),
            created=int(fields[CREATED]),
            updated=int(fields[UPDATED]),
            state=fields[STATE],
            received=int(fields[RECEIVED]) if RECEIVED in fields else None,
            burned=int(fields[BURNED]) if BURNED in fields else None,
            recipients=tuple(shown.split(_RECIPIENT_SEPARATOR)) if shown else (),
            share_domain=fields.get(SHARE_DOMAIN, ""),
            has_passphrase=bool(fields.get(HAS_PASSPHRASE)),
            generated=bool(fields.get(GENERATED)),
            delivery=Delivery(fields[DELIVERY], int(fields.get(DELIVERY_ATTEMPTS, "0")))
            if DELIVERY in fields
            else None,
            end_to_end=int(fields.get(END_TO_END, "0")),
            notify=fields.get(NOTIFY, ""),
            label=fields.get(LABEL, ""),
            webhook=Delivery(fields[WEBHOOK], int(fields.get(WEBHOOK_ATTEMPTS, "0"))) if WEBHOOK in fields else None,
        )


@dataclass(frozen=True, slots=True)
class StoredReceipt:
    """A receipt as read from Redis, with the remaining lifetimes."""

    record: ReceiptRecord
    receipt_ttl: int
    secret_ttl: int | None
    """None once the secret is gone."""


@dataclass(frozen=True, slots=True)
class Link:
    """What the receipt index keeps of a secret: its id, and its key sealed under the receipt key."""

    secret_id: str
    sealed_secret_key: bytes


@dataclass(frozen=True, slots=True)
class Taken:
    """A consumed secret: the envelope for the one caller that won it."""

    envelope: bytes
    share_domain: str
    watched: Watched | None = None
    """What the receipt's owner asked for, read in the same script (None when it names no owner or label)."""


@dataclass(frozen=True, slots=True)
class Guarded:
    """A secret left untouched because its passphrase must be verified first."""

    passphrase_hash: bytes


@dataclass(frozen=True, slots=True)
class Watched:
    """What the owner of a secret asked for: its account, the history label, the notices."""

    owner: str
    label: str
    notify: str


@dataclass(frozen=True, slots=True)
class Preview:
    """What the reveal page may know of a secret without consuming it."""

    passphrase_required: bool
    end_to_end: bool
    first_opened: bool = False
    """Whether this call moved the receipt from new to viewed (the recipient's first look)."""
    watched: Watched | None = None
    """On a first look, what the receipt's owner asked for (None when it names no owner or label)."""


def watched_from(fields: list[Any]) -> Watched | None:
    """Return what an owner asked for, from a receipt's owner, label and notify fields (None without the first two)."""
    if len(fields) < 3 or fields[0] is None or fields[1] is None:  # noqa: PLR2004 - owner, label, notify
        return None
    return Watched(text(fields[0]), text(fields[1]), text(fields[2]) if fields[2] is not None else "")


def _pack_secret(envelope: bytes, passphrase_hash: bytes | None) -> bytes:
    """Lay out a secret record: the hash length in one byte, the bcrypt hash, the envelope."""
    hashed = passphrase_hash or b""
    return bytes([len(hashed)]) + hashed + envelope


def _seconds(pttl: int) -> int | None:
    return None if pttl < 0 else (pttl + 999) // 1000


class SecretRecords:
    """Store, read, consume and settle secrets and their receipts, named by their ids.

    Every method takes ids (`keys.secret_id`, `keys.receipt_id`), never a link's key: what is
    stored here names no secret that anyone without the link could open.
    """

    def __init__(self, client: RedisClient) -> None:
        self.client = client
        self._pipelines = not isinstance(client, RedisCluster)
        self._create = client.register_script(scripts.CREATE)
        self._take = client.register_script(scripts.TAKE)
        self._read_receipt = client.register_script(scripts.READ_RECEIPT)
        self._preview = client.register_script(scripts.PREVIEW)
        self._set_fields = client.register_script(scripts.SET_FIELDS)
        self._disown = client.register_script(scripts.DISOWN_RECEIPT)

    @storage_errors
    async def save(  # noqa: PLR0913 - one write carries the whole record
        self,
        *,
        secret_id: str,
        receipt_id: str,
        sealed_secret_key: bytes,
        envelope: bytes,
        passphrase_hash: bytes | None,
        generated_envelope: bytes | None,
        receipt: ReceiptRecord,
    ) -> None:
        """Store a secret (living `receipt.ttl` seconds), its receipt and index, all with their TTLs."""
        ttl = receipt.ttl
        keys = [secret_name(secret_id), receipt_name(secret_id), generated_name(secret_id)]
        args: list[Any] = [ttl, _pack_secret(envelope, passphrase_hash), generated_envelope or b""]
        args += flat_args(receipt.fields())
        link = secret_id.encode() + sealed_secret_key
        if self._pipelines:
            pipe = self.client.pipeline(transaction=False)
            await self._create(keys=keys, args=args, client=pipe)  # type: ignore[arg-type]
            pipe.set(metadata_name(receipt_id), link, ex=2 * ttl)
            await pipe.execute()
        else:
            await self._create(keys=keys, args=args)
            await self.client.set(metadata_name(receipt_id), link, ex=2 * ttl)

    @storage_errors
    async def link_of(self, receipt_id: str) -> Link | None:
        """Return what the receipt index keeps of a receipt's secret, if the receipt still exists."""
        value = await self.client.get(metadata_name(receipt_id))
        if not isinstance(value, bytes) or len(value) <= RECORD_ID_LENGTH:
            return None
        return Link(value[:RECORD_ID_LENGTH].decode(), value[RECORD_ID_LENGTH:])

    @storage_errors
    async def read_receipt(self, secret_id: str, now: int) -> StoredReceipt | None:
        """Read a receipt, settling expired/orphaned first; None when it is gone."""
        reply = await self._read_receipt(keys=[receipt_name(secret_id), secret_name(secret_id)], args=[now])
        if not reply:
            return None
        flat, receipt_pttl, secret_pttl = reply
        record = ReceiptRecord.from_fields(flat_field_map(flat))
        return StoredReceipt(record, _seconds(int(receipt_pttl)) or 0, _seconds(int(secret_pttl)))

    @storage_errors
    async def preview(self, secret_id: str, now: int, *, mark_viewed: bool) -> Preview | None:
        """Return what the reveal page shows of a secret (None when it is gone), consuming nothing.

        With `mark_viewed`, its receipt moves from new to viewed in the same script.
        """
        keys = [secret_name(secret_id), receipt_name(secret_id)]
        args = [now, "1" if mark_viewed else "0", END_TO_END, OWNER, LABEL, NOTIFY]
        reply = await self._preview(keys=keys, args=args)
        if reply is None:
            return None
        hash_length, end_to_end_size, first, *owner = reply
        return Preview(
            passphrase_required=int(hash_length) > 0,
            end_to_end=bool(int(text(end_to_end_size) or "0")),
            first_opened=bool(int(first)),
            watched=watched_from(owner),
        )

    @storage_errors
    async def is_end_to_end(self, secret_id: str) -> bool:
        """Tell whether a secret was encrypted in the sender's browser: one read (it passes a write pause)."""
        size = await self.client.hget(receipt_name(secret_id), END_TO_END)
        return size is not None and int(text(size) or "0") > 0

    @state_change_errors  # a fault after the script was sent: OutcomeUnknown, never a retry
    async def take(self, secret_id: str, now: int, *, burn: bool, verified: bool = False) -> Taken | Guarded | None:
        """Delete the secret and mark its receipt, unless it has a passphrase not yet `verified`.

        Returns what the one winner may decrypt (Taken), the passphrase hash to verify first
        (Guarded, nothing changed), or None when the secret is gone.
        """
        state, stamp = ("burned", BURNED) if burn else ("received", RECEIVED)
        keys = [secret_name(secret_id), receipt_name(secret_id), generated_name(secret_id)]
        args: list[str | int] = [now, state, stamp, "1" if verified else "0", OWNER, LABEL, NOTIFY]
        reply = await self._take(keys=keys, args=args)
        if not reply:
            return None
        if int(reply[0]) == 0:
            return Guarded(passphrase_hash=bytes(reply[1]))
        return Taken(envelope=bytes(reply[1]), share_domain=text(reply[2]), watched=watched_from(reply[3:]))

    @storage_errors
    async def take_generated(self, secret_id: str) -> bytes | None:
        """Return and forget the one-time echo of a generated password."""
        value = await self.client.getdel(generated_name(secret_id))
        return value.encode() if isinstance(value, str) else value

    @storage_errors
    async def set_delivery(self, secret_id: str, state: str, attempts: int | None = None) -> None:
        """Record the delivery state on a secret's receipt, if the receipt still exists."""
        args = [DELIVERY, state] if attempts is None else [DELIVERY, state, DELIVERY_ATTEMPTS, str(attempts)]
        await self._set_fields(keys=[receipt_name(secret_id)], args=args)

    @storage_errors
    async def share_domain_of(self, secret_id: str) -> str | None:
        """Return the share domain of a secret's receipt ("" for none), or None when it is gone."""
        value = await self.client.hget(receipt_name(secret_id), SHARE_DOMAIN)
        if value is None:
            return None if not await self.client.exists(receipt_name(secret_id)) else ""
        return text(value)

    @storage_errors
    async def disown(self, secret_id: str, owner: str, new_owner: str) -> None:
        """Hand a receipt of `owner` to `new_owner` (an account being deleted leaves its receipts)."""
        await self._disown(keys=[receipt_name(secret_id)], args=[owner, new_owner])
