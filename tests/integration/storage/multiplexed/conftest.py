"""Fixtures: a redis-server of the test's own, the product's client of it (multiplexed), redis-py's pooled one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from onetime.storage.client import connect
from onetime.storage.multiplexed_client import MultiplexedRedis
from tests.support.redis_server import RedisServer


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[RedisServer]:
    """A redis-server of this test's own, which it may stop, freeze and start again."""
    server = RedisServer(tmp_path / "redis").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def client(server: RedisServer) -> AsyncIterator[MultiplexedRedis]:
    multiplexed = connect(server.url)
    assert isinstance(multiplexed, MultiplexedRedis)
    yield multiplexed
    await multiplexed.aclose()


@pytest.fixture
async def pooled(server: RedisServer) -> AsyncIterator[Redis]:
    """redis-py's own client, pooled, for comparison and for commands aside."""
    plain = Redis.from_url(server.url)
    yield plain
    await plain.aclose()
