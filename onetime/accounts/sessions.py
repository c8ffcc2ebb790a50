"""Browser sessions: kept in Redis, named by a random id that only the browser's cookie holds.

Redis stores the digest of the id (`keys.token_digest`), never the id, so a copy of Redis cannot
be replayed as a cookie. The account's private history key, opened by the password at sign-in,
travels in the session sealed under a key derived from the id (`onetime.sealed`). A session ends
when it is not used for `idle` seconds, `lifetime` seconds after it began whatever happens, on
sign-out, and with its account.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from onetime import sealed
from onetime.crypto import DecryptionFailed
from onetime.keys import token_digest
from onetime.storage.sessions import SessionRecord, SessionRecords

SESSION_IDLE_SECONDS = 2 * 3600
"""A session not used for this long has ended."""
SESSION_LIFETIME_SECONDS = 24 * 3600
"""No session lasts longer than this, used or not: sign in again the next day."""
_ID_BYTES = 32
_ID_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in browser: the session id (for the cookie only) and the account it belongs to."""

    session_id: str
    custid: str
    created: int
    history_private: bytes | None = field(default=None, repr=False)
    """The account's private history key, when the sign-in opened it."""

    def __repr__(self) -> str:
        # The id is a credential: keep it out of logs and tracebacks.
        return f"Session(custid={self.custid!r}, created={self.created})"


class SessionService:
    """Start, resume and end browser sessions."""

    def __init__(
        self,
        records: SessionRecords,
        *,
        idle: int = SESSION_IDLE_SECONDS,
        lifetime: int = SESSION_LIFETIME_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.records = records
        self.idle = idle
        self.lifetime = lifetime
        self.clock = clock

    async def start(self, custid: str, history_private: bytes | None = None) -> Session:
        """Begin a session for an account under a fresh id, carrying its private history key when given."""
        session_id = secrets.token_urlsafe(_ID_BYTES)
        session = Session(session_id, custid, int(self.clock()), history_private)
        carried = b""
        if history_private is not None:
            carried = sealed.seal(_history_key(session_id), history_private, custid.encode())
        record = SessionRecord(custid, session.created, carried)
        await self.records.save(token_digest(session_id), record, idle=self.idle, lifetime=self.lifetime)
        return session

    async def resume(self, session_id: str | None) -> Session | None:
        """Return the live session this id names, pushing its idle expiry back; None otherwise."""
        if not session_id or not _ID_SHAPE.fullmatch(session_id):
            return None
        digest = token_digest(session_id)
        record = await self.records.touch(digest, self.idle)
        if record is None:
            return None
        if self.clock() - record.created >= self.lifetime:
            await self.records.delete(digest, record.account or None)
            return None
        return Session(session_id, record.account, record.created, _open_history(session_id, record))

    async def end(self, session: Session) -> None:
        """End one session (sign-out, or the old session replaced at sign-in)."""
        await self.records.delete(token_digest(session.session_id), session.custid)

    async def end_all(self, custid: str) -> None:
        """End every session of an account (it is being deleted)."""
        await self.records.delete_all(custid)


def _history_key(session_id: str) -> bytes:
    return sealed.token_key(session_id, sealed.SESSION_HISTORY)


def _open_history(session_id: str, record: SessionRecord) -> bytes | None:
    if not record.sealed_history:
        return None
    try:
        return sealed.open_sealed(_history_key(session_id), record.sealed_history, record.account.encode())
    except DecryptionFailed:
        return None
