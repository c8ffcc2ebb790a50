"""The Redis client: built from OTS_REDIS_URL with timeouts short enough to fail fast.

Every repository call goes through `storage_errors`, so a Redis failure reaches the domain as
StorageUnavailable and nothing else.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

from redis import exceptions as redis_errors
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from onetime.errors import StorageUnavailable

log = logging.getLogger(__name__)

RedisClient = Redis | RedisCluster
P = ParamSpec("P")
T = TypeVar("T")

CLUSTER_SCHEME = "redis+cluster://"
# A frozen Redis accepts connections but never answers. The slowest way to learn that: wait
# POOL_WAIT for a free connection, CONNECT_TIMEOUT to open it, COMMAND_TIMEOUT for the answer,
# 1.8 s in all, inside the API's promise of an "unavailable" answer within 2 s.
CONNECT_TIMEOUT = 0.6
COMMAND_TIMEOUT = 0.8
# redis-py's default pool refuses a command past 100 connections instead of waiting, so a burst of
# requests got "unavailable" from a healthy Redis. This one is larger and lets a command wait.
POOL_SIZE = 200
POOL_WAIT = 0.4
# A dropped connection (Redis restarted, an idle connection closed) is retried once, at once.
# A timeout is not: Redis may have run the command (a reveal must never run twice), and a frozen
# Redis would only make the caller wait twice as long.
RETRIED_ERRORS = (redis_errors.ConnectionError,)


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
        return RedisCluster(startup_nodes=nodes, **options)  # type: ignore[arg-type]
    pool = BlockingConnectionPool.from_url(url, max_connections=POOL_SIZE, timeout=POOL_WAIT, **options)
    return Redis.from_pool(pool)  # the client owns the pool and closes it


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
