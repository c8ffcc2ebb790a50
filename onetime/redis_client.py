"""Build the Redis client from OTS_REDIS_URL, with timeouts short enough to fail fast."""

from __future__ import annotations

from urllib.parse import urlsplit

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from onetime.store import RedisClient

CLUSTER_SCHEME = "redis+cluster://"
# Two attempts (the retry covers a pooled connection that a Redis restart closed). A frozen Redis
# accepts connections but never answers, so each attempt waits out COMMAND_TIMEOUT: 2 x 0.6 s
# keeps the "unavailable" answer near 1.2 s, with room to spare under the API's 2 s promise.
CONNECT_TIMEOUT = 0.4
COMMAND_TIMEOUT = 0.6
# redis-py's default pool refuses a command past 100 connections instead of waiting, so a burst
# of requests got "unavailable" from a healthy Redis. This pool is larger and lets a command wait
# for a free connection, briefly enough that a request still answers within 2 s
# (0.5 s + 2 x 0.6 s) when Redis is frozen and every connection is stuck.
POOL_SIZE = 200
POOL_WAIT = 0.5


def connect(url: str) -> RedisClient:
    """Return a client for a `redis://`, `rediss://`, `unix://` or `redis+cluster://` URL."""
    options = {
        "socket_connect_timeout": CONNECT_TIMEOUT,
        "socket_timeout": COMMAND_TIMEOUT,
        "retry": Retry(NoBackoff(), 1),
    }
    if url.startswith(CLUSTER_SCHEME):
        nodes = []
        for address in url[len(CLUSTER_SCHEME) :].split("/", maxsplit=1)[0].split(","):
            parts = urlsplit(f"redis://{address}")
            nodes.append(ClusterNode(parts.hostname or "127.0.0.1", parts.port or 6379))
        return RedisCluster(startup_nodes=nodes, **options)  # type: ignore[arg-type]
    pool = BlockingConnectionPool.from_url(url, max_connections=POOL_SIZE, timeout=POOL_WAIT, **options)
    return Redis.from_pool(pool)  # the client owns the pool and closes it
