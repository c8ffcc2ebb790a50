"""Browser sessions: kept in Redis, named by a random id that only the browser's cookie holds.

Redis stores the SHA-256 digest of the id, never the id, so a copy of Redis cannot be replayed as
a cookie. A session ends when it is not used for `idle` seconds, `lifetime` seconds after it
began whatever happens, on sign-out, and with its account.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from onetime.store import SESSION_ACCOUNT, SESSION_CREATED, RedisStore

SESSION_IDLE_SECONDS = 2 * 3600
"""A session not used for this long has ended."""
SESSION_LIFETIME_SECONDS = 24 * 3600
"""No session lasts longer than this, used or not: sign in again the next day."""
_ID_BYTES = 32
_ID_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


def session_digest(session_id: str) -> str:
    """Return what Redis knows of a session id: its SHA-256 digest (ids carry 256 random bits)."""
    return hashlib.sha256(session_id.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in browser: the session id (for the cookie only) and the account it belongs to."""

    session_id: str
    custid: str
    created: int

    def __repr__(self) -> str:
        # The id is a credential: keep it out of logs and tracebacks.
        return f"Session(custid={self.custid!r}, created={self.created})"


class SessionService:
    """Start, resume and end browser sessions."""

    def __init__(
        self,
        store: RedisStore,
        *,
        idle: int = SESSION_IDLE_SECONDS,
        lifetime: int = SESSION_LIFETIME_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.idle = idle
        self.lifetime = lifetime
        self.clock = clock

    async def start(self, custid: str) -> Session:
        """Begin a session for an account under a fresh id."""
        session = Session(secrets.token_urlsafe(_ID_BYTES), custid, int(self.clock()))
        await self.store.save_session(
            session_digest(session.session_id), custid, session.created, idle=self.idle, lifetime=self.lifetime
        )
        return session

    async def resume(self, session_id: str | None) -> Session | None:
        """Return the live session this id names, pushing its idle expiry back; None otherwise."""
        if not session_id or not _ID_SHAPE.fullmatch(session_id):
            return None
        digest = session_digest(session_id)
        fields = await self.store.touch_session(digest, self.idle)
        if fields is None:
            return None
        created = int(fields.get(SESSION_CREATED, "0"))
        if self.clock() - created >= self.lifetime:
            await self.store.delete_session(digest, fields.get(SESSION_ACCOUNT))
            return None
        return Session(session_id, fields[SESSION_ACCOUNT], created)

    async def end(self, session: Session) -> None:
        """End one session (sign-out, or the old session replaced at sign-in)."""
        await self.store.delete_session(session_digest(session.session_id), session.custid)
