"""One Redis connection that many tasks share: commands of one loop tick leave in one write.

Redis answers a connection's commands in the order it read them, so the replies are matched to
a FIFO of waiters. A caller's command is packed at once, buffered, and the buffer is written once
per loop tick (`loop.call_soon`): the requests a worker serves together cost Redis one read and
the worker one write, instead of a pooled connection, a lock and a socket write each.

Timeouts: a written batch arms one timer, at its shortest deadline. A waiter past its deadline is
failed with a TimeoutError but stays in the FIFO, so its late reply is read and dropped, never
handed to the next waiter. The connection is kept (other requests, such as a reveal awaiting
STATE_CHANGE_TIMEOUT, may still get their answers) until Redis has said nothing for
STATE_CHANGE_TIMEOUT to a waiting command: then it is closed, its waiters fail with a
ConnectionError, and the next command opens a new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections import deque
from typing import TYPE_CHECKING, Any, cast

import hiredis
from redis import exceptions as redis_errors
from redis._parsers.base import BaseParser
from redis.asyncio.connection import SSLConnection, UnixDomainSocketConnection
from redis.credentials import UsernamePasswordCredentialProvider

from onetime.storage.calls import COMMAND_TIMEOUT, CONNECT_TIMEOUT, STATE_CHANGE_TIMEOUT, StateChange

if TYPE_CHECKING:
    from redis.asyncio.connection import AbstractConnection, ConnectionPool

CLOSED = "Connection closed by server."


class _Waiter:
    """A caller awaiting `count` replies; `call` is the consuming call its script belongs to."""

    __slots__ = ("batch", "call", "count", "future", "replies", "timeout")

    def __init__(self, future: asyncio.Future[list[Any]], count: int, timeout: float, call: StateChange | None) -> None:
        self.future = future
        self.count = count
        self.timeout = timeout
        self.call = call
        self.replies: list[Any] = []
        self.batch: _Batch | None = None


class _Batch:
    """The waiters of one write, with the timer that fails those still unanswered at their deadline."""

    __slots__ = ("remaining", "sent_at", "timer", "waiters")

    def __init__(self, waiters: list[_Waiter], sent_at: float) -> None:
        self.waiters = waiters
        self.sent_at = sent_at
        self.remaining = len(waiters)
        self.timer: asyncio.TimerHandle | None = None

    def answered(self) -> None:
        """Count one waiter answered; when all are, stop the timer and let go of the waiters.

        Waiters and their batch point at each other: unlinked, both go with their last reference
        instead of waiting for the cyclic collector (one pair a request).
        """
        self.remaining -= 1
        if self.remaining == 0:
            if self.timer is not None:
                self.timer.cancel()
            self.waiters.clear()


class _Protocol(asyncio.Protocol):
    """The wire: buffered writes flushed once a tick, replies read with hiredis and matched in order."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.reader = hiredis.Reader(protocolError=redis_errors.InvalidResponse, replyError=BaseParser.parse_error)
        self.transport: asyncio.Transport | None = None
        self.waiting: deque[_Waiter] = deque()
        self.unsent: list[_Waiter] = []
        self.outgoing: list[bytes] = []
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Keep the transport (asyncio and uvloop turn Nagle off on TCP)."""
        self.transport = cast("asyncio.Transport", transport)  # uvloop's is no asyncio.Transport subclass

    def send(self, packed: bytes, count: int, timeout: float, call: StateChange | None) -> asyncio.Future[list[Any]]:
        """Queue a packed command (or `count` of them) for this tick's write; return its replies' future."""
        waiter = _Waiter(self.loop.create_future(), count, timeout, call)
        if not self.outgoing:
            self.loop.call_soon(self.flush)
        self.outgoing.append(packed)
        self.unsent.append(waiter)
        self.waiting.append(waiter)
        return waiter.future

    def flush(self) -> None:
        """Write what this tick queued in one go, then arm its batch's timer."""
        if not self.outgoing:
            return
        data = b"".join(self.outgoing) if len(self.outgoing) > 1 else self.outgoing[0]
        waiters, self.outgoing, self.unsent = self.unsent, [], []
        if self.closed or self.transport is None or self.transport.is_closing():
            return  # connection_lost failed them (they were never sent)
        self.transport.write(data)
        batch = _Batch(waiters, self.loop.time())
        for waiter in waiters:
            waiter.batch = batch
            if waiter.call is not None:
                waiter.call.unanswered = True  # its bytes are written: Redis may run it now
        self._arm(batch, min(waiter.timeout for waiter in waiters))

    def _arm(self, batch: _Batch, after: float) -> None:
        batch.timer = self.loop.call_at(batch.sent_at + after, self._expire, batch)

    def _expire(self, batch: _Batch) -> None:
        """Fail the batch's waiters past their deadline; close a connection silent for too long."""
        now = self.loop.time()
        later = []
        for waiter in batch.waiters:
            if waiter.future.done():
                continue
            if batch.sent_at + waiter.timeout > now:
                later.append(waiter.timeout)
                continue
            waiter.future.set_exception(redis_errors.TimeoutError("Timeout reading from Redis"))
        if later:
            self._arm(batch, min(later))
        head = self.waiting[0] if self.waiting else None
        if head is not None and head.batch is not None and now - head.batch.sent_at >= STATE_CHANGE_TIMEOUT:
            self.close(redis_errors.ConnectionError("Redis did not answer for too long"))

    def data_received(self, data: bytes) -> None:
        """Hand each complete reply to the oldest waiter; a timed-out waiter's reply is dropped."""
        self.reader.feed(data)
        while True:
            try:
                reply = self.reader.gets()
            except redis_errors.InvalidResponse as error:
                self.close(error)
                return
            if reply is False:
                return
            if not self.waiting:
                self.close(redis_errors.InvalidResponse("a reply that no command asked for"))
                return
            waiter = self.waiting[0]
            waiter.replies.append(reply)
            if len(waiter.replies) < waiter.count:
                continue
            self.waiting.popleft()
            if waiter.call is not None:
                waiter.call.unanswered = False  # Redis answered: the outcome is known
            if not waiter.future.done():
                waiter.future.set_result(waiter.replies)
            if waiter.batch is not None:
                waiter.batch.answered()

    def connection_lost(self, exc: Exception | None) -> None:  # noqa: ARG002 - why it closed changes nothing
        """Fail every waiter: those written may have run, those not written did not."""
        self.closed = True
        error = redis_errors.ConnectionError(CLOSED)
        while self.waiting:
            waiter = self.waiting.popleft()
            if waiter.batch is not None and waiter.batch.timer is not None:
                waiter.batch.timer.cancel()
            if not waiter.future.done():
                waiter.future.set_exception(error)
        self.outgoing, self.unsent = [], []

    def close(self, error: Exception) -> None:
        """Drop the connection; its waiters fail with `error`'s kind (a ConnectionError)."""
        if self.transport is not None:
            self.transport.abort()
        self.connection_lost(error)


class MultiplexedConnection:
    """The one shared connection of a client, opened lazily (per event loop) as the URL says."""

    def __init__(self, pool: ConnectionPool) -> None:
        # A connection redis-py would make, never connected: its host/path, TLS, credentials and db.
        self.settings: AbstractConnection = pool.make_connection()  # type: ignore[no-untyped-call]
        self.protocol: _Protocol | None = None
        self.opening: asyncio.Task[_Protocol] | None = None
        self.loaded_scripts: set[str] = set()
        """SHA1s of the scripts known loaded on the server this connection reached."""

    def send(
        self, packed: bytes, count: int = 1, timeout: float = COMMAND_TIMEOUT, call: StateChange | None = None
    ) -> asyncio.Future[list[Any]] | None:
        """Queue a command on an open connection; None when it must be opened first (see `open`)."""
        protocol = self.protocol
        if protocol is None or protocol.closed or protocol.loop is not asyncio.get_running_loop():
            return None
        return protocol.send(packed, count, timeout, call)

    async def call(
        self, packed: bytes, count: int = 1, wait: float = COMMAND_TIMEOUT, call: StateChange | None = None
    ) -> list[Any]:
        """Send `count` packed commands and return their replies (errors as exception values)."""
        future = self.send(packed, count, wait, call)
        if future is None:
            await self.open()
            future = self.send(packed, count, wait, call)
            if future is None:
                raise redis_errors.ConnectionError(CLOSED)
        return await future

    async def open(self) -> None:
        """Open the connection, once for all the callers that need it now."""
        loop = asyncio.get_running_loop()
        if self.opening is None or self.opening.get_loop() is not loop or self.opening.done():
            self.opening = loop.create_task(self._open(loop))
        self.protocol = await asyncio.shield(self.opening)

    async def _open(self, loop: asyncio.AbstractEventLoop) -> _Protocol:
        self._drop(self.protocol, CLOSED)  # a closed one, or one of another loop
        self.loaded_scripts.clear()  # the new connection may reach a restarted Redis
        settings: Any = self.settings
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT):
                if isinstance(settings, UnixDomainSocketConnection):
                    _, protocol = await loop.create_unix_connection(lambda: _Protocol(loop), settings.path)
                else:
                    context: ssl.SSLContext | None = (
                        settings.ssl_context.get() if isinstance(settings, SSLConnection) else None
                    )
                    _, protocol = await loop.create_connection(
                        lambda: _Protocol(loop), settings.host, settings.port, ssl=context
                    )
                try:
                    await self._introduce(protocol)
                except BaseException:
                    protocol.close(redis_errors.ConnectionError(CLOSED))
                    raise
        except TimeoutError:
            raise redis_errors.TimeoutError("Timeout connecting to Redis") from None
        except OSError as error:
            raise redis_errors.ConnectionError(f"Error connecting to Redis: {type(error).__name__}") from None
        return protocol

    async def _introduce(self, protocol: _Protocol) -> None:
        """Authenticate, name the client and choose the database, as redis-py does on connect."""
        settings: Any = self.settings
        commands: list[tuple[Any, ...]] = []
        if settings.credential_provider or settings.username or settings.password:
            provider = settings.credential_provider or UsernamePasswordCredentialProvider(
                settings.username, settings.password
            )
            commands.append(("AUTH", *await provider.get_credentials_async()))
        if settings.client_name:
            commands.append(("CLIENT", "SETNAME", settings.client_name))
        if int(settings.db or 0):
            commands.append(("SELECT", settings.db))
        if not commands:
            return
        packed = b"".join(hiredis.pack_command(command) for command in commands)
        for reply in await protocol.send(packed, len(commands), CONNECT_TIMEOUT, None):
            if isinstance(reply, redis_errors.ConnectionError):  # AuthenticationError among them
                raise reply
            if isinstance(reply, Exception):
                raise redis_errors.ConnectionError(f"Redis refused the connection's setup: {type(reply).__name__}")

    async def aclose(self) -> None:
        """Close the connection (the client closes with the app)."""
        if self.opening is not None and not self.opening.done():
            self.opening.cancel()
        self._drop(self.protocol, "Connection closed by the client.")
        self.protocol = None

    @staticmethod
    def _drop(protocol: _Protocol | None, reason: str) -> None:
        """Close a connection on its own loop (another loop's may be closed already, or in another thread)."""
        if protocol is None or protocol.closed or protocol.loop.is_closed():
            return
        error = redis_errors.ConnectionError(reason)
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if protocol.loop is running:
            protocol.close(error)
        else:
            with contextlib.suppress(RuntimeError):  # that loop closed meanwhile
                protocol.loop.call_soon_threadsafe(protocol.close, error)
