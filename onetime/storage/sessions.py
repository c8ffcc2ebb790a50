"""Browser sessions, named by the digest of their id, and each account's set of them."""

from __future__ import annotations

from dataclasses import dataclass

from onetime.storage.client import RedisClient, field_map, storage_errors, text
from onetime.storage.keys import account_sessions_name, session_name

# Session field codes.
ACCOUNT, CREATED, HISTORY = "a", "c", "h"


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A browser session as stored: the account it signs in, when it began, its sealed history key."""

    account: str
    created: int
    sealed_history: bytes = b""
    """The account's private history key sealed under the session id (empty: none)."""


class SessionRecords:
    """Save, touch and delete browser sessions."""

    def __init__(self, client: RedisClient) -> None:
        self.client = client

    @storage_errors
    async def save(self, digest: str, session: SessionRecord, *, idle: int, lifetime: int) -> None:
        """Store a new browser session, expiring after `idle` seconds unless used, and index it."""
        index = account_sessions_name(session.account)
        fields: dict[str | bytes, str | bytes | int] = {ACCOUNT: session.account, CREATED: session.created}
        if session.sealed_history:
            fields[HISTORY] = session.sealed_history
        await self.client.hset(session_name(digest), mapping=fields)  # type: ignore[arg-type]
        await self.client.expire(session_name(digest), idle)
        await self.client.sadd(index, digest)
        await self.client.expire(index, lifetime)
        # Drop digests of sessions that have expired meanwhile, so the index stays small.
        members = [text(member) for member in await self.client.smembers(index)]
        gone = [member for member in members if not await self.client.exists(session_name(member))]
        if gone:
            await self.client.srem(index, *gone)

    @storage_errors
    async def touch(self, digest: str, idle: int) -> SessionRecord | None:
        """Return a session and push its idle expiry back; None when it has expired."""
        pipe = self.client.pipeline(transaction=False)
        pipe.hgetall(session_name(digest))
        pipe.expire(session_name(digest), idle)
        raw, _ = await pipe.execute()
        if not raw:
            return None
        sealed_history = raw.get(HISTORY.encode(), b"")
        fields = field_map({name: value for name, value in raw.items() if name != HISTORY.encode()})
        return SessionRecord(fields.get(ACCOUNT, ""), int(fields.get(CREATED, "0")), sealed_history)

    @storage_errors
    async def delete(self, digest: str, custid: str | None) -> None:
        """Forget one session (and its place in the account's index, when the account is known)."""
        await self.client.delete(session_name(digest))
        if custid is not None:
            await self.client.srem(account_sessions_name(custid), digest)

    @storage_errors
    async def delete_all(self, custid: str) -> None:
        """Forget every session of an account, and its index."""
        index = account_sessions_name(custid)
        for digest in await self.client.smembers(index):
            await self.client.delete(session_name(text(digest)))
        await self.client.delete(index)
