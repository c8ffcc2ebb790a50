"""Shared fixtures: real redis-servers (one for the session, or a private one), and the real app.

`shared_redis_server` runs for the whole session; `redis`, `settings` and `client` use it, and
`redis` empties it before each test. A test that stops, freezes or restarts Redis asks for
`private_redis_server` instead: its own redis-server, stopped at the test's end.
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from onetime.settings import RequestLimit, Settings
from tests.support.redis_server import RedisServer
from web.app import create_app

MASTER_SECRET = base64.b64encode(b"m" * 32).decode()


@pytest.fixture(scope="session")
def shared_redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """Run one redis-server for the whole session; tests that use it must leave it running."""
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def private_redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """Run a fresh redis-server for this test alone, which it may stop, freeze and start again."""
    server = RedisServer(tmp_path / "redis").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def redis(shared_redis_server: RedisServer) -> AsyncIterator[Redis]:
    """Return a client of the shared redis-server, emptied for this test."""
    client = Redis.from_url(shared_redis_server.url)
    await client.flushall()
    yield client
    await client.aclose()


@pytest.fixture
def settings(shared_redis_server: RedisServer, tmp_path: Path) -> Settings:
    """Settings for a test app: the shared Redis, a fixed master secret, a cheap bcrypt cost."""
    return Settings(
        redis_url=shared_redis_server.url,
        data_dir=tmp_path,
        master_secret=base64.b64decode(MASTER_SECRET),
        bcrypt_cost=4,
        base_url="https://secrets.example.com",
        limit_create=RequestLimit(1000, 1200),
        limit_reveal=RequestLimit(1000, 1200),
    )


def with_settings(settings: Settings, **changes: object) -> Settings:
    """Return a copy of the settings with some fields changed."""
    return dataclasses.replace(settings, **changes)  # type: ignore[arg-type]


@pytest.fixture
async def client(settings: Settings, redis: Redis) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(create_app(settings), base_url="https://secrets.example.com") as test_client:
        yield test_client
