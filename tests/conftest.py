"""Shared fixtures: a real redis-server per session, and the real app built against it."""

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
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_server.url)
    await client.flushall()
    yield client
    await client.aclose()


@pytest.fixture
def settings(redis_server: RedisServer, tmp_path: Path) -> Settings:
    """Settings for a test app: its own Redis, a fixed master secret, a cheap bcrypt cost."""
    return Settings(
        redis_url=redis_server.url,
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
