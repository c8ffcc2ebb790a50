"""The multiplexed connection answers as redis-py's pool does, each caller its own reply."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from redis import exceptions as redis_errors
from redis.asyncio import Redis

from onetime.storage import scripts
from onetime.storage.multiplexed_client import MULTIPLEXED, MultiplexedPipeline, MultiplexedRedis

# One call per command of MULTIPLEXED, as the repositories make them (options included).
CALLS: list[tuple[str, Callable[[Any], Any]]] = [
    ("EVALSHA", lambda r: r.evalsha(PREVIEW_SHA, 2, "s", "h", 0, "0", "f")),
    ("EVAL", lambda r: r.eval("return {1, 'two', false, {3}}", 0)),
    ("PING", lambda r: r.ping()),
    ("GET", lambda r: r.get("s")),
    ("SET", lambda r: r.set("t", b"v", ex=60)),
    ("GETDEL", lambda r: r.getdel("gone")),
    ("MGET", lambda r: r.mget(["s", "none"])),
    ("DEL", lambda r: r.delete("none")),
    ("UNLINK", lambda r: r.unlink("none")),
    ("EXISTS", lambda r: r.exists("s", "none")),
    ("INCR", lambda r: r.incr("n")),
    ("INCRBY", lambda r: r.incrby("n", 5)),
    ("DECRBY", lambda r: r.decr("n")),
    ("EXPIRE", lambda r: r.expire("s", 100)),
    ("PEXPIRE", lambda r: r.pexpire("h", 100_000)),
    ("TTL", lambda r: r.ttl("s")),
    ("PTTL", lambda r: r.pttl("none")),
    ("HGET", lambda r: r.hget("h", "f")),
    ("HSET", lambda r: r.hset("h2", mapping={"a": "1", "b": "2"})),
    ("HMGET", lambda r: r.hmget("h", ["f", "g", "none"])),
    ("HGETALL", lambda r: r.hgetall("h")),
    ("HDEL", lambda r: r.hdel("h2", "a")),
    ("HEXISTS", lambda r: r.hexists("h", "f")),
    ("HINCRBY", lambda r: r.hincrby("h3", "c", 2)),
    ("SADD", lambda r: r.sadd("set", "a", "b")),
    ("SREM", lambda r: r.srem("set", "b")),
    ("SMEMBERS", lambda r: r.smembers("set")),
    ("SISMEMBER", lambda r: r.sismember("set", "a")),
    ("SCARD", lambda r: r.scard("set")),
    ("ZADD", lambda r: r.zadd("z", {"x": 1.5, "y": 2})),
    ("ZREM", lambda r: r.zrem("z", "none")),
    ("ZCARD", lambda r: r.zcard("z")),
    ("ZCOUNT", lambda r: r.zcount("z", 0, 10)),
    ("ZSCORE", lambda r: r.zscore("z", "x")),
    ("ZRANGE", lambda r: r.zrange("z", 0, -1, withscores=True)),
    ("ZRANGEBYSCORE", lambda r: r.zrangebyscore("z", 0, 10, withscores=True)),
    ("ZREVRANGEBYSCORE", lambda r: r.zrevrangebyscore("z", 10, 0, start=0, num=1)),
]


PREVIEW_SHA = ""


async def _fill(redis: Redis) -> None:
    await redis.flushall()
    await redis.set("s", b"\x00envelope")
    await redis.set("gone", b"x")
    await redis.hset("h", mapping={"s": "new", "f": "1", "g": ""})
    await redis.script_load(scripts.PREVIEW)


def test_every_multiplexed_command_is_compared() -> None:
    assert {name for name, _ in CALLS} == MULTIPLEXED


async def test_every_multiplexed_command_answers_as_the_pooled_client(client: MultiplexedRedis, pooled: Redis) -> None:
    global PREVIEW_SHA  # noqa: PLW0603 - the table's lambdas read it
    PREVIEW_SHA = await pooled.script_load(scripts.PREVIEW)
    await _fill(pooled)
    expected = [await call(pooled) for _, call in CALLS]
    await _fill(pooled)
    opened_before = _pool_connections(client)
    got = [await call(client) for _, call in CALLS]
    for (name, _), want, have in zip(CALLS, expected, got, strict=True):
        assert have == want, name
        assert type(have) is type(want), name
    assert _pool_connections(client) == opened_before  # none took the pool


def _pool_connections(client: MultiplexedRedis) -> int:
    """Count the connections redis-py's pool of this client holds (the multiplexed one aside)."""
    return len(client.connection_pool._in_use_connections) + len(client.connection_pool._available_connections)  # type: ignore[attr-defined]


async def test_two_thousand_concurrent_calls_each_get_their_own_reply(client: MultiplexedRedis, pooled: Redis) -> None:
    await pooled.mset({f"k{i}": f"v{i}" for i in range(2000)})
    replies = await asyncio.gather(*(client.get(f"k{i}") for i in range(2000)))
    assert replies == [f"v{i}".encode() for i in range(2000)]


async def test_a_pipeline_answers_in_order_and_raises_the_first_error(client: MultiplexedRedis) -> None:
    preview = client.register_script(scripts.PREVIEW)
    await client.set("s", b"\x00x")
    pipe = client.pipeline(transaction=False)
    assert isinstance(pipe, MultiplexedPipeline)
    await preview(keys=["s", "h"], args=[0, "0", "f"], client=pipe)  # type: ignore[arg-type]
    pipe.set("m", b"link", ex=30)
    pipe.hgetall("s")  # a string: WRONGTYPE
    pipe.get("m")
    results = await pipe.execute(raise_on_error=False)
    assert results[:2] == [[0, b"", 0], True]
    assert isinstance(results[2], redis_errors.ResponseError)
    assert results[3] == b"link"
    pipe.get("m")
    pipe.hgetall("s")
    with pytest.raises(redis_errors.ResponseError, match="WRONGTYPE"):
        await pipe.execute()
    assert await client.pipeline(transaction=False).execute() == []


async def test_a_script_is_loaded_again_after_script_flush(client: MultiplexedRedis, pooled: Redis) -> None:
    preview = client.register_script(scripts.PREVIEW)
    await client.set("s", b"\x00x")
    assert await preview(keys=["s", "h"], args=[0, "0", "f"]) == [0, b"", 0]
    await pooled.script_flush()
    assert await preview(keys=["s", "h"], args=[0, "0", "f"]) == [0, b"", 0]
    pipe = client.pipeline(transaction=False)
    await preview(keys=["s", "h"], args=[0, "0", "f"], client=pipe)  # type: ignore[arg-type]
    pipe.get("s")
    assert await pipe.execute() == [[0, b"", 0], b"\x00x"]
    await pooled.script_flush()  # the connection still believes it loaded
    pipe = client.pipeline(transaction=False)
    await preview(keys=["s", "h"], args=[0, "0", "f"], client=pipe)  # type: ignore[arg-type]
    pipe.get("s")
    assert await pipe.execute() == [[0, b"", 0], b"\x00x"]


async def test_a_client_used_on_another_event_loop_opens_a_connection_there(client: MultiplexedRedis) -> None:
    async def ping() -> bool:
        return bool(await client.ping())

    assert await asyncio.to_thread(asyncio.run, ping())  # a loop that is closed afterwards
    assert await client.ping()  # this loop's own connection
    assert client.multiplexed is not None
    assert client.multiplexed.protocol is not None
    assert client.multiplexed.protocol.loop is asyncio.get_running_loop()


async def test_a_response_callback_set_on_the_client_applies_to_shared_replies(client: MultiplexedRedis) -> None:
    await client.set("cb", b"7")
    client.set_response_callback("GET", lambda reply, **_: int(reply))
    assert await client.get("cb") == 7


async def test_aclose_closes_the_shared_connection(client: MultiplexedRedis) -> None:
    assert await client.ping()
    assert client.multiplexed is not None
    protocol = client.multiplexed.protocol
    assert protocol is not None
    await client.aclose()
    assert protocol.closed
    assert client.multiplexed.protocol is None
