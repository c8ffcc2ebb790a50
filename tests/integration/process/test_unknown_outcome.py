"""A reveal or burn that Redis took but never answered says the secret may be gone; before sending, "unavailable".

`ots serve` runs with the request limits off, so a reveal's first Redis command is the script that
consumes the secret (with limits on, the counter goes first and a frozen Redis fails it before the
script is ever sent: "Service unavailable", which is true then).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from redis import Redis

from onetime.storage.client import STATE_CHANGE_TIMEOUT
from tests.support.redis_server import RedisServer
from tests.support.server_process import ServerProcess, ots_env

pytestmark = pytest.mark.slow

MAY_BE_GONE = {"message": "The secret may already have been revealed. If it is gone, ask the sender for a new link."}
UNAVAILABLE = {"message": "Service unavailable, please try again shortly"}


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of this test's own that keeps its data across a stop (append-only file)."""
    server = RedisServer(tmp_path / "redis", None, "--appendonly", "yes", "--appendfsync", "always").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def server(redis_server: RedisServer, tmp_path: Path) -> Iterator[ServerProcess]:
    env = ots_env(tmp_path / "data", OTS_REDIS_URL=redis_server.url, OTS_RATE_LIMITS="off")
    with ServerProcess(env, tmp_path / "logs") as running:
        yield running


def pid_of(redis_server: RedisServer) -> int:
    assert redis_server.process is not None
    return redis_server.process.pid


def share(api: httpx.Client, value: str) -> dict[str, str]:
    response = api.post("/share", data={"secret": value})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def thaw_after(pid: int, seconds: float) -> threading.Timer:
    timer = threading.Timer(seconds, os.kill, (pid, signal.SIGCONT))
    timer.start()
    return timer


@pytest.mark.parametrize("freeze", [0.5, 2.0])
def test_a_reveal_during_a_short_freeze_waits_for_redis_and_gets_its_secret(
    server: ServerProcess, redis_server: RedisServer, freeze: float
) -> None:
    with server.client() as api:
        secret = share(api, "outlives a freeze")
        os.kill(pid_of(redis_server), signal.SIGSTOP)
        thaw = thaw_after(pid_of(redis_server), freeze)
        started = time.monotonic()
        try:
            revealed = api.post(f"/secret/{secret['secret_key']}")
            took = time.monotonic() - started
        finally:
            thaw.join()
        print(f"reveal with redis frozen {freeze} s: {revealed.status_code} after {took:.3f} s")  # -s shows it
        assert revealed.json()["value"] == "outlives a freeze"
        assert api.get(f"/private/{secret['metadata_key']}").json()["state"] == "received"
    assert "Traceback" not in server.output()


def test_a_reveal_redis_never_answers_says_the_secret_may_be_gone(
    server: ServerProcess, redis_server: RedisServer
) -> None:
    with server.client(timeout=STATE_CHANGE_TIMEOUT + 10) as api:
        secret = share(api, "consumed while frozen")
        os.kill(pid_of(redis_server), signal.SIGSTOP)
        try:
            started = time.monotonic()
            answer = api.post(f"/secret/{secret['secret_key']}")
            print(f"reveal with redis frozen for good: answered after {time.monotonic() - started:.3f} s")
        finally:
            os.kill(pid_of(redis_server), signal.SIGCONT)
        assert answer.status_code == 404
        assert answer.json() == MAY_BE_GONE
        assert answer.headers["x-ots-intended-status"] == "504"
        # Whether Redis ran the script when it woke cannot be known from here; either way the
        # secret is revealed at most once, and the receipt says it was received.
        after_wake = [api.post(f"/secret/{secret['secret_key']}").json() for _ in range(2)]
        print(f"after the wake: {after_wake}")
        assert after_wake[1]["message"] == "Unknown secret"
        assert after_wake[0].get("value", "consumed while frozen") == "consumed while frozen"
        assert api.get(f"/private/{secret['metadata_key']}").json()["state"] == "received"
    output = server.output()
    assert output.count("redis did not answer a state change: TimeoutError") == 1  # one line per error
    assert secret["secret_key"] not in output
    assert "Traceback" not in output


def test_a_burn_redis_holds_past_the_wait_says_the_secret_may_be_gone(
    server: ServerProcess, redis_server: RedisServer
) -> None:
    with server.client(timeout=STATE_CHANGE_TIMEOUT + 10) as api, Redis.from_url(redis_server.url) as redis:
        secret = share(api, "burned while paused")
        # Redis holds every write (scripts too) but answers reads: the burn finds the receipt, then
        # its script waits in Redis longer than the app waits for it, and runs when the pause ends.
        redis.client_pause(int((STATE_CHANGE_TIMEOUT + 1.5) * 1000), all=False)
        answer = api.post(f"/private/{secret['metadata_key']}/burn")
        assert answer.status_code == 404
        assert answer.json() == MAY_BE_GONE
        assert answer.headers["x-ots-intended-status"] == "504"
        redis.client_unpause()
        # Burned by the script Redis ran late, or burned now: either way it ends burned, never revealed.
        again = api.post(f"/private/{secret['metadata_key']}/burn")
        print(f"burn again after the pause: {again.status_code}")
        assert api.get(f"/private/{secret['metadata_key']}").json()["state"] == "burned"
        assert api.post(f"/secret/{secret['secret_key']}").json()["message"] == "Unknown secret"
    assert "Traceback" not in server.output()


def test_a_reveal_whose_connection_drops_mid_command_says_the_secret_may_be_gone(
    server: ServerProcess, redis_server: RedisServer
) -> None:
    with server.client(timeout=STATE_CHANGE_TIMEOUT + 10) as api:
        secret = share(api, "lost with its connection")
        os.kill(pid_of(redis_server), signal.SIGSTOP)
        results: list[httpx.Response] = []
        revealing = threading.Thread(target=lambda: results.append(api.post(f"/secret/{secret['secret_key']}")))
        revealing.start()
        time.sleep(0.5)  # the script is sent and waits for its answer
        redis_server.process.kill()  # type: ignore[union-attr]  # the connection drops mid-command
        revealing.join()
        redis_server.process.wait()  # type: ignore[union-attr]
        redis_server.process = None
        (answer,) = results
        assert answer.json() == MAY_BE_GONE
        assert answer.headers["x-ots-intended-status"] == "504"
        # The script never ran (Redis was frozen, then killed): the secret is still there.
        redis_server.start()
        assert api.post(f"/secret/{secret['secret_key']}").json()["value"] == "lost with its connection"
    output = server.output()
    assert output.count("redis did not answer a state change") == 1
    assert "Traceback" not in output


def test_a_reveal_while_redis_is_down_is_unavailable_and_the_secret_waits(
    server: ServerProcess, redis_server: RedisServer
) -> None:
    with server.client() as api:
        secret = share(api, "waits for redis")
        redis_server.stop()
        answer = api.post(f"/secret/{secret['secret_key']}")
        assert answer.json() == UNAVAILABLE  # nothing was sent: trying again is safe
        assert answer.headers["x-ots-intended-status"] == "503"
        redis_server.start()
        assert api.post(f"/secret/{secret['secret_key']}").json()["value"] == "waits for redis"
    assert "Traceback" not in server.output()


@pytest.mark.parametrize(("freeze", "revealed"), [(0.5, True), (2.0, False)])
def test_with_request_limits_on_a_freeze_past_the_counter_s_wait_is_unavailable_and_the_secret_survives(
    redis_server: RedisServer, tmp_path: Path, freeze: float, revealed: bool
) -> None:
    env = ots_env(tmp_path / "limited", OTS_REDIS_URL=redis_server.url)
    with ServerProcess(env, tmp_path / "limited-logs") as server, server.client() as api:
        secret = share(api, "counted first")
        os.kill(pid_of(redis_server), signal.SIGSTOP)
        thaw = thaw_after(pid_of(redis_server), freeze)
        started = time.monotonic()
        try:
            answer = api.post(f"/secret/{secret['secret_key']}")
            took = time.monotonic() - started
        finally:
            thaw.join()
        print(
            f"reveal (limits on) with redis frozen {freeze} s: {answer.json().get('message', '200')} after {took:.3f} s"
        )
        if revealed:
            assert answer.json()["value"] == "counted first"
        else:
            # The request counter's script waits the usual command timeout: it fails before the
            # reveal's script is ever sent, so "try again" is true, and it works.
            assert answer.json() == UNAVAILABLE
            assert api.post(f"/secret/{secret['secret_key']}").json()["value"] == "counted first"
    assert "Traceback" not in server.output()
