"""Request limits hold across server workers, because the counters live in Redis."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from redis import Redis

from tests.support.redis_server import RedisServer
from tests.support.server_process import ServerProcess, ots_env

pytestmark = pytest.mark.slow

RATE_LIMITED = {"message": "Rate limit exceeded. Please try again later."}


def create(server: ServerProcess) -> httpx.Response:
    # A new connection for every request, so the kernel spreads them over the workers.
    return httpx.post(f"{server.api}/share", data={"secret": "x"}, headers={"connection": "close"})


def test_the_sixth_create_is_refused_whichever_worker_serves_it(
    private_redis_server: RedisServer, tmp_path: Path
) -> None:
    env = ots_env(tmp_path / "data", OTS_REDIS_URL=private_redis_server.url, OTS_WORKERS="2", OTS_LIMIT_CREATE="5/60")
    with ServerProcess(env, tmp_path / "logs") as server:
        answers = [create(server) for _ in range(6)]
        generated = httpx.post(f"{server.api}/generate", headers={"connection": "close"})
    assert [answer.status_code for answer in answers] == [200] * 5 + [404]
    assert answers[-1].json() == RATE_LIMITED
    assert answers[-1].headers["x-ots-intended-status"] == "429"
    assert generated.json() == RATE_LIMITED  # generating is creating too
    with Redis.from_url(private_redis_server.url) as redis:
        assert redis.get("ots:limit:{127.0.0.1}:create") == b"7"  # one counter, in Redis, for both workers


def test_ots_rate_limits_off_lifts_the_request_limits(private_redis_server: RedisServer, tmp_path: Path) -> None:
    env = ots_env(
        tmp_path / "data", OTS_REDIS_URL=private_redis_server.url, OTS_LIMIT_CREATE="5/60", OTS_RATE_LIMITS="off"
    )
    with ServerProcess(env, tmp_path / "logs") as server:
        answers = [create(server) for _ in range(8)]
    assert [answer.status_code for answer in answers] == [200] * 8
    with Redis.from_url(private_redis_server.url) as redis:
        assert redis.keys("ots:limit:*") == []
