"""The multiplexed connection keeps the fault rules: a fast "unavailable", no late reply handed on,
one retry, never a consuming script sent twice."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable
from typing import Any

import pytest
import uvloop
from redis import exceptions as redis_errors
from redis.asyncio import Redis

from onetime.errors import OutcomeUnknown, StorageUnavailable
from onetime.storage.client import COMMAND_TIMEOUT, StorageHealth, connect, state_change_errors, storage_errors
from onetime.storage.keys import secret_name
from onetime.storage.multiplexed_client import MultiplexedRedis
from onetime.storage.secret_records import SecretRecords
from tests.support.redis_server import RedisServer


async def test_a_stopped_redis_is_unavailable_at_once(client: MultiplexedRedis, server: RedisServer) -> None:
    health = StorageHealth(client)
    await health.ping()
    server.stop()
    started = time.monotonic()
    with pytest.raises(StorageUnavailable):
        await health.ping()
    assert time.monotonic() - started < 0.5
    server.start()
    await health.ping()  # a new connection, lazily


@storage_errors
async def _get(client: MultiplexedRedis, key: str) -> bytes | None:
    return await client.get(key)  # type: ignore[no-any-return]


async def test_a_frozen_redis_times_out_and_its_late_reply_goes_to_nobody(
    client: MultiplexedRedis, pooled: Redis, server: RedisServer
) -> None:
    await pooled.mset({"a": b"A", "b": b"B"})
    assert await client.get("a") == b"A"
    assert server.process is not None
    os.kill(server.process.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        with pytest.raises(StorageUnavailable):
            await _get(client, "a")
        waited = time.monotonic() - started
        assert COMMAND_TIMEOUT - 0.05 <= waited < 2
    finally:
        os.kill(server.process.pid, signal.SIGCONT)
    assert await client.get("b") == b"B"  # a's late reply was read and dropped
    assert await asyncio.gather(client.get("a"), client.get("b")) == [b"A", b"B"]


async def test_a_command_on_a_killed_connection_is_sent_again(client: MultiplexedRedis, pooled: Redis) -> None:
    assert await client.ping()
    first = client.multiplexed.protocol if client.multiplexed else None
    await pooled.client_pause(5000, all=False)  # writes wait, so the SET is in flight when killed
    try:
        pending = asyncio.ensure_future(client.set("k", b"v"))
        await asyncio.sleep(0.1)
        assert not pending.done()
        await pooled.client_kill_filter(_type="normal")
    finally:
        await pooled.client_unpause()  # the SET sent again is answered
    assert await pending is True
    assert client.multiplexed is not None
    assert client.multiplexed.protocol is not first
    assert await pooled.get("k") == b"v"


async def test_a_consuming_script_in_flight_on_a_killed_connection_is_an_unknown_outcome(
    client: MultiplexedRedis, pooled: Redis
) -> None:
    records = SecretRecords(client)
    await pooled.set(secret_name("abc"), b"\x00envelope")
    await client.ping()
    await pooled.client_pause(5000, all=False)  # the TAKE script waits: sent, unanswered
    try:
        pending = asyncio.ensure_future(records.take("abc", int(time.time()), burn=False))
        await asyncio.sleep(0.1)
        assert not pending.done()
        await pooled.client_kill_filter(_type="normal")
    finally:
        await pooled.client_unpause()
    with pytest.raises(OutcomeUnknown):
        await pending


async def test_a_consuming_script_not_yet_sent_is_unavailable(client: MultiplexedRedis, server: RedisServer) -> None:
    @state_change_errors
    async def consume() -> Any:
        return await client.eval("return redis.call('DEL', KEYS[1])", 1, "x")

    await client.ping()
    server.stop()
    with pytest.raises(StorageUnavailable):
        await consume()


def _on_uvloop(scenario: Callable[[], Any]) -> Any:
    """Run a coroutine function on uvloop, the loop `ots serve` runs on (asyncio's own runs the tests)."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(scenario())


async def test_on_uvloop_replies_timeouts_and_pipelines_behave_the_same(pooled: Redis, server: RedisServer) -> None:
    await pooled.mset({f"k{i}": f"v{i}" for i in range(500)})
    assert server.process is not None
    pid = server.process.pid

    async def scenario() -> tuple[list[Any], list[Any], bytes | None]:
        client = connect(server.url)
        try:
            gets = await asyncio.gather(*(client.get(f"k{i}") for i in range(500)))
            pipe = client.pipeline(transaction=False)
            pipe.get("k1")
            pipe.set("x", b"1")
            piped = await pipe.execute()
            os.kill(pid, signal.SIGSTOP)
            try:
                with pytest.raises(redis_errors.TimeoutError):
                    await client.get("k2")
            finally:
                os.kill(pid, signal.SIGCONT)
            return gets, piped, await client.get("k3")
        finally:
            await client.aclose()

    gets, piped, after = await asyncio.to_thread(_on_uvloop, scenario)
    assert gets == [f"v{i}".encode() for i in range(500)]
    assert piped == [b"v1", True]
    assert after == b"v3"
