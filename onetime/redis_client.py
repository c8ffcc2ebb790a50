"""Build the Redis client from OTS_REDIS_URL, with timeouts short enough to fail fast."""

from __future__ import annotations

from urllib.parse import urlsplit

from redis import exceptions as redis_errors
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from onetime.store import RedisClient

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
