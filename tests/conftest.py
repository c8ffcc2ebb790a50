"""Shared fixtures: real redis-servers (one for the session, or a private one), and the real app.

`shared_redis_server` runs for the whole session; `redis`, `settings` and `client` use it, and
`redis` empties it before each test. A test that stops, freezes or restarts Redis asks for
`private_redis_server` instead: its own redis-server, stopped at the test's end.

The v1 API tests of every endpoint, the race tests and the tests of the secret pages run twice:
on the single redis-server and on `shared_redis_cluster`, a real three-master Redis Cluster. `redis_backend`
says which one a test got; `redis` is then a cluster client.
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from onetime.settings import RequestLimit, Settings
from onetime.storage.client import connect
from tests.support.redis_cluster import RedisClusterNodes
from tests.support.redis_server import RedisServer
from web.app import create_app

MASTER_SECRET = base64.b64encode(b"m" * 32).decode()
INTEGRATION = Path(__file__).parent / "integration"
ON_BOTH_BACKENDS = frozenset(
    INTEGRATION / module
    for module in (
        # Every v1 endpoint, and the races (concurrent reveals, reveal against burn, a burst).
        "api/test_share.py",
        "api/test_generate.py",
        "api/test_reveal.py",
        "api/test_receipt_burn.py",
        "api/test_recent.py",
        "api/test_status_auth.py",
        "api/test_ipv6_clients.py",
        "api/test_exactly_once.py",
        # The pages that create, reveal, read and burn.
        "pages/test_home.py",
        "pages/test_reveal.py",
        "pages/test_receipt.py",
    )
)
"""Modules that run on one Redis and again on a Redis Cluster. Left out: the tests of parsing,
routing, the schema, headers and error-page templates, which reach Redis the same way as these."""
BACKENDS = ("redis", "cluster")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run the tests of ON_BOTH_BACKENDS that use the shared Redis once per backend."""
    if "redis_backend" in metafunc.fixturenames and Path(metafunc.definition.path) in ON_BOTH_BACKENDS:
        metafunc.parametrize("redis_backend", BACKENDS, indirect=True)


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


@pytest.fixture(scope="session")
def shared_redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisClusterNodes]:
    """Run one Redis Cluster (three masters) for the session, started by the first test that needs it."""
    cluster = RedisClusterNodes(tmp_path_factory.mktemp("cluster")).start()
    yield cluster
    cluster.stop()


@pytest.fixture
def redis_backend(request: pytest.FixtureRequest) -> str:
    """Return which shared Redis the test uses: "redis" (one server) or "cluster"."""
    return str(getattr(request, "param", "redis"))


@pytest.fixture
def redis_url(redis_backend: str, request: pytest.FixtureRequest) -> str:
    """Return the OTS_REDIS_URL of the shared Redis this test uses."""
    if redis_backend == "cluster":
        cluster: RedisClusterNodes = request.getfixturevalue("shared_redis_cluster")
        return cluster.url
    server: RedisServer = request.getfixturevalue("shared_redis_server")
    return server.url


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Any]:
    """Return a client of the shared Redis (a cluster client on the cluster), emptied for this test."""
    client = connect(redis_url) if redis_url.startswith("redis+cluster://") else Redis.from_url(redis_url)
    await client.flushall()
    yield client
    await client.aclose()


@pytest.fixture
def settings(redis_url: str, tmp_path: Path) -> Settings:
    """Settings for a test app: the shared Redis, a fixed master secret, a cheap bcrypt cost."""
    return Settings(
        redis_url=redis_url,
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
