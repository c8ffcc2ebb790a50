"""An account's history key: lists its receipts to its own credentials, and to nobody else.

`/private/recent` and the dashboard must give back the account's receipt keys, yet a copy of the
database and the master secret must not. Each account has an X25519 key pair. A new receipt's key
is sealed to the public half (an ephemeral key agreement, so creating needs no credential); the
private half is stored only wrapped: under a key derived from the API token (HKDF: the token has
160 random bits) and, for a browser account, under one derived from the password (scrypt, memory
hard). A browser session carries it sealed under its session id, which Redis never holds.

What cannot be recovered: a credential replaced without the other being shown (a token rotated by
`ots account token`, which knows no password) gets a new key pair; the list sealed to the old one
moves to the earlier index, still handed over when the account is deleted, and the receipts stay
reachable by their links. The other credential then opens nothing until it starts a history of its
own (a sign-in) or the browser rewraps the key under a new token.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from onetime import sealed
from onetime.crypto import DecryptionFailed
from onetime.storage.customers import Customer, Customers, WrappedHistory
from onetime.storage.recent import RecentIndex

log = logging.getLogger(__name__)

KEY_BYTES = 32
_SALT_BYTES = 16
_ENTRY_CONTEXT = b"ots history entry"
_PASSWORD_CONTEXT = b"ots history key by password"


def password_work(bcrypt_cost: int) -> int:
    """Return scrypt's log2(N) for the configured bcrypt cost: 15 (32 MiB) at the default cost 12.

    The password's work factor follows OTS_BCRYPT_COST, so that tests and benches that lower one
    lower both; it is stored with each wrapped key, so changing it later still opens older ones.
    """
    return min(max(bcrypt_cost + 3, 10), 17)


@dataclass(frozen=True, slots=True)
class HistoryKey:
    """An account's history key pair (`private` is None where no credential unwrapped it)."""

    public: bytes
    private: bytes | None = field(default=None, repr=False)

    @classmethod
    def opened(cls, public: bytes, private: bytes | None) -> HistoryKey:
        """Return the key pair, keeping `private` only if it is the private half of `public`."""
        if private is None or X25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw() != public:
            return cls(public)
        return cls(public, private)

    @classmethod
    def generate(cls) -> HistoryKey:
        """Return a fresh key pair."""
        private = X25519PrivateKey.generate()
        public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return cls(public, private.private_bytes_raw())


def seal_receipt_key(public: bytes, metadata_key: str) -> bytes:
    """Seal a receipt key to an account's public key: ephemeral public key | sealed key (79 bytes)."""
    ephemeral = X25519PrivateKey.generate()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public))
    ephemeral_public = ephemeral.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    key = _entry_key(shared, ephemeral_public + public)
    # The key is new for every entry, so a fixed nonce is safe; it is not stored.
    return ephemeral_public + AESGCM(key).encrypt(bytes(sealed.NONCE_BYTES), metadata_key.encode(), None)


def open_receipt_key(history: HistoryKey, entry: bytes) -> str | None:
    """Return the receipt key an entry seals, or None when this key does not open it."""
    if history.private is None or len(entry) <= KEY_BYTES:
        return None
    ephemeral_public = entry[:KEY_BYTES]
    private = X25519PrivateKey.from_private_bytes(history.private)
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
        key = _entry_key(shared, ephemeral_public + history.public)
        return AESGCM(key).decrypt(bytes(sealed.NONCE_BYTES), entry[KEY_BYTES:], None).decode()
    except (ValueError, InvalidTag):
        return None


def _entry_key(shared: bytes, publics: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=publics, info=_ENTRY_CONTEXT).derive(shared)


def wrap_for_token(history: HistoryKey, custid: str, token: str) -> bytes:
    """Return the private half sealed under the API token."""
    assert history.private is not None  # noqa: S101 - only a fresh or unwrapped key is wrapped
    return sealed.seal(sealed.token_key(token, sealed.TOKEN_HISTORY), history.private, custid.encode())


def unwrap_with_token(wrapped: bytes, custid: str, token: str) -> bytes:
    """Return the private half the API token unwraps, or raise DecryptionFailed."""
    return sealed.open_sealed(sealed.token_key(token, sealed.TOKEN_HISTORY), wrapped, custid.encode())


def _password_key(password: str, salt: bytes, work: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=2**work, r=8, p=1, maxmem=256 * 2**work * 8 + 2**20, dklen=32)


async def wrap_for_password(history: HistoryKey, custid: str, password: str, work: int) -> bytes:
    """Return the private half sealed under the password: work (1 byte) | salt | sealed key."""
    assert history.private is not None  # noqa: S101 - only a fresh or unwrapped key is wrapped
    salt = secrets.token_bytes(_SALT_BYTES)
    key = await asyncio.to_thread(_password_key, password, salt, work)
    return bytes([work]) + salt + sealed.seal(key, history.private, _PASSWORD_CONTEXT + custid.encode())


async def unwrap_with_password(wrapped: bytes, custid: str, password: str) -> bytes:
    """Return the private half the password unwraps, or raise DecryptionFailed."""
    if len(wrapped) < 1 + _SALT_BYTES + sealed.SEAL_OVERHEAD:
        raise DecryptionFailed("wrapped key too short")
    work, salt = wrapped[0], wrapped[1 : 1 + _SALT_BYTES]
    key = await asyncio.to_thread(_password_key, password, salt, work)
    return sealed.open_sealed(key, wrapped[1 + _SALT_BYTES :], _PASSWORD_CONTEXT + custid.encode())


class AccountHistory:
    """Give each credential the account's history key, making or replacing the key where it must."""

    def __init__(self, customers: Customers, recent: RecentIndex, bcrypt_cost: int) -> None:
        self.customers = customers
        self.recent = recent
        self.work = password_work(bcrypt_cost)

    async def new_account(self, custid: str, token: str, password: str | None) -> tuple[HistoryKey, WrappedHistory]:
        """Return a fresh key pair for a new account, and its stored form under its credentials."""
        history = HistoryKey.generate()
        by_password = await wrap_for_password(history, custid, password, self.work) if password else None
        return history, WrappedHistory(history.public, wrap_for_token(history, custid, token), by_password)

    async def for_token(self, custid: str, customer: Customer, token: str) -> HistoryKey | None:
        """Return the history key an authenticated API token opens (private half None if it opens none)."""
        stored = customer.history
        if stored is None:
            # An account older than history keys: its first one, under the token in hand.
            history = HistoryKey.generate()
            wrapped = WrappedHistory(history.public, by_token=wrap_for_token(history, custid, token))
            if await self.customers.set_history(custid, wrapped, first=True):
                return history
            fresh = await self.customers.get(custid)  # another request made it first
            stored = fresh.history if fresh is not None else None
            if stored is None:
                return None
        if stored.by_token is None:
            return HistoryKey(stored.public)
        try:
            return HistoryKey(stored.public, unwrap_with_token(stored.by_token, custid, token))
        except DecryptionFailed:
            log.warning("an account's history key does not open with its API token; its list stays closed")
            return HistoryKey(stored.public)

    async def for_password(self, custid: str, customer: Customer, password: str) -> HistoryKey:
        """Return the history key a confirmed password opens, starting a new history if it opens none."""
        stored = customer.history
        if stored is not None and stored.by_password is not None:
            try:
                return HistoryKey(stored.public, await unwrap_with_password(stored.by_password, custid, password))
            except DecryptionFailed:
                log.warning("an account's history key does not open with its password; a new history starts")
        history = HistoryKey.generate()
        by_password = await wrap_for_password(history, custid, password, self.work)
        await self._replace(custid, WrappedHistory(history.public, by_password=by_password), had_one=stored is not None)
        return history

    async def after_password_reset(self, custid: str, customer: Customer, password: str) -> HistoryKey:
        """Return a new history key under a password chosen through a recovery link.

        The old private half is wrapped under the forgotten password and the API token, neither of
        which a recovery link shows, so it cannot be opened: the list starts again (the old one moves
        to the earlier index, handed over on deletion) and the API token opens the new list only
        once it is replaced in the browser.
        """
        history = HistoryKey.generate()
        by_password = await wrap_for_password(history, custid, password, self.work)
        wrapped = WrappedHistory(history.public, by_password=by_password)
        await self._replace(custid, wrapped, had_one=customer.history is not None)
        return history

    async def rotate_token(self, custid: str, token_digest: str, token: str, history: HistoryKey | None) -> bool:
        """Store a new API token's digest with the history key wrapped under it; False: no such account.

        Without the private half in hand (the command line, or a session older than history keys)
        a new history starts, and the password no longer opens it until the next sign-in.
        """
        customer = await self.customers.get(custid)
        if customer is None:
            return False
        stored = customer.history
        opened = history is not None and history.private is not None
        if opened and stored is not None and history is not None and history.public == stored.public:
            wrapped = WrappedHistory(stored.public, wrap_for_token(history, custid, token), stored.by_password)
            return await self.customers.set_history(custid, wrapped, token_digest=token_digest)
        fresh = HistoryKey.generate()
        wrapped = WrappedHistory(fresh.public, by_token=wrap_for_token(fresh, custid, token))
        if not await self.customers.set_history(custid, wrapped, token_digest=token_digest):
            return False
        if stored is not None:
            await self.recent.retire(custid)
        return True

    async def _replace(self, custid: str, wrapped: WrappedHistory, *, had_one: bool) -> None:
        if await self.customers.set_history(custid, wrapped) and had_one:
            await self.recent.retire(custid)
