"""`ots serve` answers a clear, fast 503-class error while Redis is down or frozen, and recovers alone."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from redis.exceptions import RedisError

from onetime.storage import client as redis_client
from onetime.storage.client import POOL_SIZE, connect
from tests.support.redis_server import RedisServer
from tests.support.server_process import ServerProcess, ots_env

pytestmark = pytest.mark.slow

UNAVAILABLE = {"message": "Service unavailable, please try again shortly"}
DEADLINE_SECONDS = 2.0

Call = Callable[[httpx.Client], httpx.Response]


@pytest.fixture
def server(private_redis_server: RedisServer, tmp_path: Path) -> Iterator[ServerProcess]:
    env = ots_env(tmp_path / "data", OTS_REDIS_URL=private_redis_server.url, OTS_WORKERS="1")
    with ServerProcess(env, tmp_path / "logs") as running:
        yield running


def api_calls(secret: dict[str, str]) -> dict[str, Call]:
    """Return one call per kind of endpoint, aimed at a secret created while Redis was up."""
    return {
        "status": lambda api: api.get("/status"),
        "share": lambda api: api.post("/share", data={"secret": "while redis is away"}),
        "reveal": lambda api: api.post(f"/secret/{secret['secret_key']}"),
        "receipt": lambda api: api.get(f"/private/{secret['metadata_key']}"),
        "burn": lambda api: api.post(f"/private/{secret['metadata_key']}/burn"),
    }


def assert_unavailable_fast(api: httpx.Client, calls: dict[str, Call]) -> dict[str, float]:
    """Check that every call answers the 503-class body in time; return how long each took."""
    timings = {}
    for name, call in calls.items():
        started = time.monotonic()
        response = call(api)
        timings[name] = time.monotonic() - started
        assert response.status_code == 404, (name, response.text)
        assert response.json() == UNAVAILABLE, name
        assert response.headers["x-ots-intended-status"] == "503", name
        assert response.headers["content-type"].startswith("application/json"), name
        assert timings[name] < DEADLINE_SECONDS, (name, timings[name])
    return timings


def assert_working(api: httpx.Client) -> None:
    assert api.get("/status").json()["status"] == "nominal"
    created = api.post("/share", data={"secret": "after the outage"}).json()
    assert api.get(f"/private/{created['metadata_key']}").json()["state"] == "new"
    assert api.post(f"/secret/{created['secret_key']}").json()["value"] == "after the outage"


def test_a_stopped_redis_gives_503_answers_and_the_app_recovers_when_it_returns(
    server: ServerProcess, private_redis_server: RedisServer
) -> None:
    with server.client() as api:
        secret = api.post("/share", data={"secret": "made before the outage"}).json()
        private_redis_server.stop()
        timings = assert_unavailable_fast(api, api_calls(secret))
        print(f"redis stopped: {timings}")  # -s shows the timings
        private_redis_server.start()  # same port, no restart of ots serve
        assert_working(api)
    assert "Traceback" not in server.output()


def test_a_frozen_redis_gives_503_answers_within_two_seconds(
    server: ServerProcess, private_redis_server: RedisServer
) -> None:
    assert private_redis_server.process is not None
    with server.client() as api:
        secret = api.post("/share", data={"secret": "made before the freeze"}).json()
        os.kill(private_redis_server.process.pid, signal.SIGSTOP)
        try:
            timings = assert_unavailable_fast(api, api_calls(secret))
            print(f"redis frozen: {timings}")  # -s shows the timings
            # Concurrent callers each get their answer in time: nobody queues behind a stuck call.
            status_only = {"status": api_calls(secret)["status"]}
            with ThreadPoolExecutor(8) as pool:
                batch = list(pool.map(lambda _: assert_unavailable_fast(api, status_only)["status"], range(8)))
            print(f"redis frozen, 8 calls at once: {max(batch):.3f}s at most")
        finally:
            os.kill(private_redis_server.process.pid, signal.SIGCONT)
        assert_working(api)
        # Redis kept its data through the freeze: the secret made before it still reveals.
        assert api.post(f"/secret/{secret['secret_key']}").json()["value"] == "made before the freeze"
    assert "Traceback" not in server.output()


def test_the_server_starts_while_redis_is_down_and_serves_once_it_is_up(
    private_redis_server: RedisServer, tmp_path: Path
) -> None:
    private_redis_server.stop()
    env = ots_env(tmp_path / "data", OTS_REDIS_URL=private_redis_server.url)
    with ServerProcess(env, tmp_path / "logs") as server, server.client() as api:
        assert_unavailable_fast(api, {"status": lambda api: api.get("/status")})
        private_redis_server.start()
        assert_working(api)


async def test_the_redis_client_waits_for_a_free_connection_instead_of_refusing(
    private_redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pool of 10, not 200: opening 200 connections at once on a loaded machine could itself
    # exceed CONNECT_TIMEOUT, and what is tested here is the wait for a free one.
    monkeypatch.setattr(redis_client, "POOL_SIZE", 10)
    client = connect(private_redis_server.url)
    try:
        # Three times more commands at once than the pool has connections: the rest wait their turn.
        replies = await asyncio.gather(*(client.incr("burst") for _ in range(30)))
    finally:
        await client.aclose()
    assert sorted(replies) == list(range(1, 31))


async def test_with_redis_frozen_every_command_of_a_burst_fails_within_two_seconds(
    private_redis_server: RedisServer,
) -> None:
    assert private_redis_server.process is not None
    client = connect(private_redis_server.url)

    async def timed_ping() -> tuple[BaseException | None, float]:
        started = time.monotonic()
        try:
            await client.ping()
        except (RedisError, OSError) as error:
            return error, time.monotonic() - started
        return None, time.monotonic() - started

    try:
        await client.ping()
        os.kill(private_redis_server.process.pid, signal.SIGSTOP)
        try:
            # Some commands hold a connection and time out; the others give up waiting for one.
            outcomes = await asyncio.gather(*(timed_ping() for _ in range(3 * POOL_SIZE)))
        finally:
            os.kill(private_redis_server.process.pid, signal.SIGCONT)
    finally:
        await client.aclose()
    assert all(error is not None for error, _ in outcomes)
    slowest = max(seconds for _, seconds in outcomes)
    print(f"redis frozen, {len(outcomes)} commands at once: {slowest:.3f}s at most")  # -s shows the timings
    assert slowest < DEADLINE_SECONDS
