"""Customers: an account's plan and API token digest; for a browser account, its password hash too."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from onetime.storage import scripts
from onetime.storage.client import RedisClient, field_map, flat_args, storage_errors
from onetime.storage.keys import customer_name

# Customer field codes (readable: there is one record per account, not per secret).
CREATED, PLAN, TOKEN, PASSWORD, VERIFIED, CONFIRMING = "created", "plan", "token", "password", "verified", "confirm"
# The account's history key (`onetime.accounts.history`): its public half, and its private half
# wrapped under the API token and under the browser password (base64).
HISTORY_PUBLIC, HISTORY_BY_TOKEN, HISTORY_BY_PASSWORD = "hpub", "htok", "hpw"
_DEFAULT_PLAN = "basic"


@dataclass(frozen=True, slots=True)
class Customer:
    """An account as stored."""

    created: int
    plan: str
    token_digest: str
    """The digest of the account's API token (the token itself is never stored)."""
    password_hash: bytes | None = None
    """The bcrypt hash of the browser password; None for an account made by `ots account create`."""
    verified: bool = True
    """False for a browser account that has not confirmed its email address."""
    confirming: str = ""
    """The digest of the pending confirmation link's token, so that deletion can drop it."""
    history: WrappedHistory | None = None
    """The account's history key as stored; None for an account that has none yet."""

    def fields(self) -> dict[str, str]:
        """Return the stored form of a new customer."""
        fields = {CREATED: str(self.created), PLAN: self.plan, TOKEN: self.token_digest}
        if self.history is not None:
            fields |= self.history.fields()
        if self.password_hash is not None:
            fields[PASSWORD] = self.password_hash.decode()
        if not self.verified:
            fields[VERIFIED] = "0"
        if self.confirming:
            fields[CONFIRMING] = self.confirming
        return fields

    @classmethod
    def from_fields(cls, fields: dict[str, str]) -> Customer:
        """Return the customer that stored fields describe."""
        return cls(
            created=int(fields.get(CREATED, "0")),
            plan=fields.get(PLAN, _DEFAULT_PLAN),
            token_digest=fields.get(TOKEN, ""),
            password_hash=fields[PASSWORD].encode() if fields.get(PASSWORD) else None,
            verified=fields.get(VERIFIED) != "0",
            confirming=fields.get(CONFIRMING, ""),
            history=WrappedHistory.from_fields(fields),
        )


@dataclass(frozen=True, slots=True)
class WrappedHistory:
    """An account's history key as stored: the public half, and the private half wrapped per credential."""

    public: bytes
    by_token: bytes | None = None
    """The private half sealed under a key derived from the API token."""
    by_password: bytes | None = None
    """The private half sealed under a key derived from the password (scrypt)."""

    def fields(self) -> dict[str, str]:
        """Return the stored form, without the wrapped forms that are absent."""
        found = {HISTORY_PUBLIC: self.public, HISTORY_BY_TOKEN: self.by_token, HISTORY_BY_PASSWORD: self.by_password}
        return {code: base64.b64encode(value).decode() for code, value in found.items() if value}

    @classmethod
    def from_fields(cls, fields: dict[str, str]) -> WrappedHistory | None:
        """Return the stored history key, or None when the account has none."""
        if not fields.get(HISTORY_PUBLIC):
            return None
        token, password = fields.get(HISTORY_BY_TOKEN), fields.get(HISTORY_BY_PASSWORD)
        return cls(
            public=base64.b64decode(fields[HISTORY_PUBLIC]),
            by_token=base64.b64decode(token) if token else None,
            by_password=base64.b64decode(password) if password else None,
        )


class Customers:
    """Create, read, change and delete customers."""

    def __init__(self, client: RedisClient) -> None:
        self.client = client
        self._set_fields = client.register_script(scripts.SET_FIELDS)
        self._create = client.register_script(scripts.CREATE_CUSTOMER)
        self._confirm = client.register_script(scripts.CONFIRM_CUSTOMER)
        self._keep_at_least = client.register_script(scripts.KEEP_AT_LEAST)
        self._set_history = client.register_script(scripts.SET_HISTORY)

    @storage_errors
    async def get(self, custid: str) -> Customer | None:
        """Return a customer, or None."""
        fields = field_map(await self.client.hgetall(customer_name(custid)))
        return Customer.from_fields(fields) if fields else None

    @storage_errors
    async def create(self, custid: str, customer: Customer, expires_in: int | None = None) -> bool:
        """Store a new customer (for `expires_in` seconds when given); False when one with this id exists."""
        args: list[str | int] = [expires_in or 0, *flat_args(customer.fields())]
        return bool(await self._create(keys=[customer_name(custid)], args=args))

    @storage_errors
    async def set_history(
        self, custid: str, history: WrappedHistory, *, first: bool = False, token_digest: str | None = None
    ) -> bool:
        """Replace an account's history key whole; False when not written.

        `first`: only if the account has none yet. `token_digest`: a new API token's digest, written
        in the same step as the history key wrapped under that token.
        """
        written = history.fields()
        dropped = [] if first else [code for code in (HISTORY_BY_TOKEN, HISTORY_BY_PASSWORD) if code not in written]
        if token_digest is not None:
            written[TOKEN] = token_digest
        args: list[str | int] = [-1 if first else len(dropped), *dropped, *flat_args(written)]
        return bool(await self._set_history(keys=[customer_name(custid)], args=args))

    async def set_confirming(self, custid: str, digest: str) -> bool:
        """Remember the digest of an account's pending confirmation link; False when there is no such account."""
        return await self._update(custid, {CONFIRMING: digest})

    async def set_password(self, custid: str, password_hash: bytes) -> bool:
        """Replace a browser account's password hash; False when there is no such account."""
        return await self._update(custid, {PASSWORD: password_hash.decode()})

    @storage_errors
    async def mark_verified(self, custid: str) -> bool:
        """Mark an account's address confirmed (no link pending, no lifetime); False when there is no such account."""
        return bool(await self._confirm(keys=[customer_name(custid)], args=flat_args({VERIFIED: "1", CONFIRMING: ""})))

    @storage_errors
    async def keep_at_least(self, custid: str, seconds: int) -> None:
        """Let an account that expires (unconfirmed) live at least `seconds` more; others stay as they are."""
        await self._keep_at_least(keys=[customer_name(custid)], args=[seconds])

    @storage_errors
    async def _update(self, custid: str, fields: dict[str, str]) -> bool:
        # One script, so that a change racing the account's deletion cannot bring back a stub of it.
        return bool(await self._set_fields(keys=[customer_name(custid)], args=flat_args(fields)))

    @storage_errors
    async def delete(self, custid: str) -> bool:
        """Delete a customer; False when there was none."""
        return bool(await self.client.delete(customer_name(custid)))
