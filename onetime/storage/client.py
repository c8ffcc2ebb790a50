"""The Redis client: built from OTS_REDIS_URL with timeouts short enough to fail fast.

Every repository call goes through `storage_errors`, so a Redis failure reaches the domain as
StorageUnavailable and nothing else. A call that consumes a secret (a reveal or a burn) goes
through `state_change_errors` instead: its script waits longer for its answer, is never sent
twice, and a fault after it was sent is OutcomeUnknown, since Redis may have run it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

from redis import exceptions as redis_errors
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.connection import AbstractConnection, Connection, SSLConnection, UnixDomainSocketConnection
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.typing import EncodableT

from onetime.errors import OutcomeUnknown, StorageUnavailable
from onetime.storage.calls import (
    COMMAND_TIMEOUT,
    CONNECT_TIMEOUT,
    RETRIED_ERRORS,
    SCRIPT_COMMANDS,
    STATE_CHANGE_TIMEOUT,
    StateChange,
    consuming_script_call,
    state_change,
)
from onetime.storage.multiplexed_client import MultiplexedRedis

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

CLUSTER_SCHEME = "redis+cluster://"
# redis-py's default pool refuses a command past 100 connections instead of waiting, so a burst of
# requests got "unavailable" from a healthy Redis. This one is larger and lets a command wait.
POOL_SIZE = 200
POOL_WAIT = 0.4


def _is_script(command: bytes | str | Iterable[bytes]) -> bool:
    """Tell whether a packed command (`*<n>`, `$<length>`, then its name, in lines) runs a Lua script."""
    if isinstance(command, str):
        command = command.encode()
    first = command if isinstance(command, bytes) else next(iter(command), b"")
    parts = bytes(first[:32]).split(b"\r\n", 3)
    return len(parts) > 2 and parts[2].upper() in SCRIPT_COMMANDS  # noqa: PLR2004


class _StateChangeAware(AbstractConnection):
    """A connection that, inside `state_change_errors`, notes when a script is sent and answered.

    The note lives in the calling task's context, so a fault is told apart: before the script's
    bytes left (Redis refused, a full pool, a failed connect) or after (a timeout, a dropped
    connection). Connecting, and the commands redis-py sends when it connects, come before.
    """

    async def send_packed_command(self, command: bytes | str | Iterable[bytes], check_health: bool = True) -> None:
        """Send a command; a consuming script is sent at most once per call, on a connected socket."""
        call = consuming_script_call() if _is_script(command) else None
        if call is not None:
            if self._reader is not None and (self._reader.at_eof() or self._reader.exception() is not None):
                # Redis closed or reset this pooled connection (it stopped or restarted): a script
                # written there would surely be lost, so open a new connection before sending it.
                await self.disconnect()
            if not self.is_connected:
                await self.connect()  # type: ignore[no-untyped-call]  # (redis-py leaves it untyped)
            call.unanswered = True
            self.__dict__["_awaiting"] = call
        await super().send_packed_command(command, check_health)

    async def read_response(
        self,
        disable_decoding: bool = False,
        timeout: float | None = None,  # noqa: ASYNC109 - redis-py's signature
        *,
        disconnect_on_error: bool = True,
        push_request: bool | None = False,
    ) -> object:
        """Read an answer; the answer to a consuming script is awaited STATE_CHANGE_TIMEOUT."""
        call: StateChange | None = self.__dict__.pop("_awaiting", None)
        if call is None:
            return await super().read_response(
                disable_decoding, timeout, disconnect_on_error=disconnect_on_error, push_request=push_request
            )
        usual, self.socket_timeout = self.socket_timeout, STATE_CHANGE_TIMEOUT
        try:
            response = await super().read_response(
                disable_decoding, timeout, disconnect_on_error=disconnect_on_error, push_request=push_request
            )
        except redis_errors.ResponseError:
            call.unanswered = False  # Redis answered with an error (NOSCRIPT, MOVED...): it ran nothing
            raise
        finally:
            self.socket_timeout = usual
        call.unanswered = False
        return response


class _AwareConnection(_StateChangeAware, Connection):
    pass


class _AwareSSLConnection(_StateChangeAware, SSLConnection):
    pass


class _AwareUnixConnection(_StateChangeAware, UnixDomainSocketConnection):
    pass


_AWARE: dict[type[AbstractConnection], type[AbstractConnection]] = {
    Connection: _AwareConnection,
    SSLConnection: _AwareSSLConnection,
    UnixDomainSocketConnection: _AwareUnixConnection,
}


class WaitingRedisCluster(RedisCluster):
    """A cluster client whose commands wait POOL_WAIT for a free connection instead of being refused.

    redis-py's cluster client keeps a pool per node that refuses a command past its size at once;
    here at most POOL_SIZE commands run at a time, so no node's pool is ever full, and the rest wait.
    """

    _free: asyncio.Semaphore | None = None

    async def execute_command(self, *args: EncodableT, **kwargs: Any) -> Any:  # noqa: ANN401 - redis-py's signature
        """Run a command once one of the POOL_SIZE places is free (MaxConnectionsError after POOL_WAIT)."""
        if self._free is None:
            self._free = asyncio.Semaphore(POOL_SIZE)
        if not self._free.locked():
            await self._free.acquire()  # a free place: taken at once, without a timer
        else:
            try:
                await asyncio.wait_for(self._free.acquire(), POOL_WAIT)
            except TimeoutError:
                raise redis_errors.MaxConnectionsError("no free Redis connection") from None
        try:
            return await super().execute_command(*args, **kwargs)
        finally:
            self._free.release()


RedisClient = Redis | RedisCluster


def connect(url: str) -> RedisClient:
    """Return a client for a `redis://`, `rediss://`, `unix://` or `redis+cluster://` URL."""
    options = {
        "socket_connect_timeout": CONNECT_TIMEOUT,
        "socket_timeout": COMMAND_TIMEOUT,
        "retry": Retry(NoBackoff(), 1, supported_errors=RETRIED_ERRORS),
    }
    if url.startswith(CLUSTER_SCHEME):
        nodes = []
        for address in url[len(CLUSTER_SCHEME) :].split("/", maxsplit=1)[0].split(","):
            parts = urlsplit(f"redis://{address}")
            nodes.append(ClusterNode(parts.hostname or "127.0.0.1", parts.port or 6379))
        # Serve the slots that have a master even while one master is lost (with Redis's own
        # cluster-require-full-coverage no, the other masters keep answering): its clients alone wait.
        cluster = WaitingRedisCluster(
            startup_nodes=nodes,
            max_connections=POOL_SIZE,
            require_full_coverage=False,
            **options,  # type: ignore[arg-type]
        )
        # The nodes the client finds in the cluster's layout are built with these arguments.
        cluster.connection_kwargs["connection_class"] = _AwareConnection
        return cluster
    pool = BlockingConnectionPool.from_url(url, max_connections=POOL_SIZE, timeout=POOL_WAIT, **options)
    pool.connection_class = _AWARE.get(pool.connection_class, pool.connection_class)
    # The hot commands share one connection (see multiplexed.py); the pool serves the rest. The
    # client owns the pool and closes it.
    return MultiplexedRedis.from_pool(pool)


def is_storage_fault(error: BaseException) -> bool:
    """Tell whether an exception is a Redis fault rather than a bug of ours.

    A Redis error, a socket error, or anything raised inside redis-py itself: while a cluster
    master dies, redis-py's cluster client has raised an AttributeError from a connection another
    task had just closed. An error raised in our own code stays a bug (a 500 with its traceback).
    """
    if isinstance(error, redis_errors.RedisError | OSError):
        return True
    traceback = error.__traceback__
    while traceback is not None and traceback.tb_next is not None:
        traceback = traceback.tb_next
    module = "" if traceback is None else str(traceback.tb_frame.f_globals.get("__name__", ""))
    return module == "redis" or module.startswith("redis.")


def storage_errors(method: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """Turn any Redis fault into StorageUnavailable, logging only its class."""

    @functools.wraps(method)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await method(*args, **kwargs)
        except Exception as error:
            if not is_storage_fault(error):
                raise
            log.warning("redis unavailable: %s", type(error).__name__)
            raise StorageUnavailable from None

    return wrapper


def state_change_errors(method: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """Like `storage_errors`, for a call whose script consumes a secret (a reveal, a burn).

    Its script waits STATE_CHANGE_TIMEOUT for an answer and is never sent twice. A fault before
    the script was sent is StorageUnavailable (nothing happened; trying again is safe); a fault
    after it, with no answer, is OutcomeUnknown: Redis may have run it, or run it later.
    """

    @functools.wraps(method)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        call = StateChange()
        token = state_change.set(call)
        try:
            return await method(*args, **kwargs)
        except Exception as error:
            if not is_storage_fault(error):
                raise
            if call.unanswered:
                log.warning("redis did not answer a state change: %s", type(error).__name__)
                raise OutcomeUnknown from None
            log.warning("redis unavailable: %s", type(error).__name__)
            raise StorageUnavailable from None
        finally:
            state_change.reset(token)

    return wrapper


def text(value: bytes | str) -> str:
    """Return a Redis reply as text."""
    return value.decode() if isinstance(value, bytes) else value


def field_map(raw: dict[Any, Any]) -> dict[str, str]:
    """Return a hash as read from Redis, as text."""
    return {text(name): text(value) for name, value in raw.items()}


def flat_field_map(flat: list[Any]) -> dict[str, str]:
    """Return a hash that a script answered as a flat list of names and values, as text."""
    return {text(flat[i]): text(flat[i + 1]) for i in range(0, len(flat), 2)}


def flat_args(fields: dict[str, str]) -> list[str]:
    """Return a hash's fields as the flat name, value list that a script's ARGV takes."""
    return [item for pair in fields.items() for item in pair]


class StorageHealth:
    """Whether Redis answers, and whether it may evict keys."""

    def __init__(self, client: RedisClient) -> None:
        self.client = client

    @storage_errors
    async def ping(self) -> None:
        """Check that Redis answers."""
        await self.client.ping()

    async def eviction_policy(self) -> str | None:
        """Return Redis's maxmemory-policy, or None when the server will not say."""
        try:
            reply: Any = await self.client.config_get("maxmemory-policy")
        except (redis_errors.RedisError, OSError):
            return None
        if isinstance(reply, dict) and reply:
            value = next(iter(reply.values()))
            if isinstance(value, dict):  # a cluster answers per node
                value = next(iter(value.values()), None)
            return text(value) if value is not None else None
        return None
