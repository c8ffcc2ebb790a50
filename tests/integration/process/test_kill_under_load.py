"""`kill -9` in the middle of a create-and-reveal load: no acknowledged secret is lost, no revealed one comes back.

The load runs in threads against `ots serve` (two workers); then the app, or Redis, is killed
outright. Whatever a client was told stays true afterwards: a secret whose link it got still
reveals (once), and a secret it saw revealed stays gone.
"""

from __future__ import annotations

import base64
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.support.redis_cluster import RedisClusterNodes
from tests.support.redis_server import RedisServer
from tests.support.server_process import ServerProcess, ots_env

pytestmark = pytest.mark.slow

LOAD_SECONDS = 2.0
THREADS = 4
MASTER_SECRET = base64.b64encode(b"k" * 32).decode()
UNLIMITED = {"OTS_LIMIT_CREATE": "1000000/1200", "OTS_LIMIT_REVEAL": "1000000/1200"}
"""One client makes the whole load and then reveals every secret it was told of: the per-client limits
(1,000 a window by default) are not what these tests check, and a fast server passes them."""


@dataclass
class Ledger:
    """What the clients were told: secrets acknowledged, revealed, and reveals left without an answer."""

    acknowledged: dict[str, str] = field(default_factory=dict)
    """secret key -> value, for every create answered 200."""
    revealed: set[str] = field(default_factory=set)
    unanswered: set[str] = field(default_factory=set)
    """Reveals whose answer never came or was "may be gone": either outcome is right for them."""
    wrong: list[str] = field(default_factory=list)
    """Answers that should never be: a 500, a wrong value."""
    lock: threading.Lock = field(default_factory=threading.Lock)


def run_load(server: ServerProcess, ledger: Ledger, stop: threading.Event, worker: int) -> None:
    with httpx.Client(base_url=server.api, timeout=10) as api:
        number = 0
        while not stop.is_set():
            number += 1
            value = f"load {worker}-{number}"
            try:
                created = api.post("/share", data={"secret": value})
            except httpx.TransportError:
                time.sleep(0.05)
                continue
            if created.status_code != 200:
                note_fault(ledger, created)
                continue
            secret_key = created.json()["secret_key"]
            with ledger.lock:
                ledger.acknowledged[secret_key] = value
            if number % 2:
                continue  # half the secrets stay unread
            with ledger.lock:
                ledger.unanswered.add(secret_key)
            try:
                revealed = api.post(f"/secret/{secret_key}")
            except httpx.TransportError:
                continue
            with ledger.lock:
                if revealed.status_code == 200:
                    if revealed.json()["value"] != value:
                        ledger.wrong.append("a reveal gave another secret's value")
                    ledger.unanswered.discard(secret_key)
                    ledger.revealed.add(secret_key)
                elif revealed.headers.get("x-ots-intended-status") == "503":
                    ledger.unanswered.discard(secret_key)  # nothing was sent: it is still there
                else:
                    note_fault(ledger, revealed)


def note_fault(ledger: Ledger, response: httpx.Response) -> None:
    """Note an answer that is not a Redis fault's 503-class answer (the caller holds the lock, or not)."""
    if response.status_code != 404 or response.headers.get("x-ots-intended-status") not in {"503", "504"}:
        ledger.wrong.append(f"{response.status_code} {response.text[:80]}")


def load_while(server: ServerProcess, fault: Callable[[], None]) -> Ledger:
    """Run the load, cause the fault half-way, keep loading a moment, and return the ledger."""
    ledger, stop = Ledger(), threading.Event()
    threads = [threading.Thread(target=run_load, args=(server, ledger, stop, n)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    time.sleep(LOAD_SECONDS / 2)
    fault()
    time.sleep(LOAD_SECONDS / 2)
    stop.set()
    for thread in threads:
        thread.join()
    return ledger


def check_ledger(server: ServerProcess, ledger: Ledger) -> None:
    """Every acknowledged, unread secret still reveals its value; every revealed one stays gone."""
    assert ledger.wrong == []
    with server.client() as api:
        for secret_key, value in ledger.acknowledged.items():
            if secret_key in ledger.unanswered:
                continue
            answer = api.post(f"/secret/{secret_key}").json()
            if secret_key in ledger.revealed:
                assert answer["message"] == "Unknown secret", "a revealed secret came back"
            else:
                assert answer.get("value") == value, "an acknowledged secret was lost"
    print(
        f"{len(ledger.acknowledged)} acknowledged, {len(ledger.revealed)} revealed, "
        f"{len(ledger.unanswered)} reveals without an answer: 0 lost, 0 back"
    )
    assert len(ledger.acknowledged) > 20  # the load did run
    assert ledger.revealed


@pytest.fixture(params=["redis", "cluster"])
def redis_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A Redis of this test's own: one redis-server, or a three-master cluster."""
    if request.param == "cluster":
        cluster = RedisClusterNodes(tmp_path / "cluster").start()
        try:
            yield cluster.url
        finally:
            cluster.stop()
    else:
        server = RedisServer(tmp_path / "redis").start()
        try:
            yield server.url
        finally:
            server.stop()


def test_killing_the_app_under_load_loses_no_acknowledged_secret(redis_url: str, tmp_path: Path) -> None:
    env = ots_env(tmp_path / "data", OTS_REDIS_URL=redis_url, OTS_WORKERS="2", OTS_SECRET=MASTER_SECRET, **UNLIMITED)
    first = ServerProcess(env, tmp_path / "logs").start()
    try:
        ledger = load_while(first, lambda: os.killpg(first.pid, signal.SIGKILL))  # parent and workers at once
    finally:
        first.stop()
    with ServerProcess(env, tmp_path / "logs") as second:
        check_ledger(second, ledger)


def test_killing_redis_under_load_loses_no_acknowledged_secret(tmp_path: Path) -> None:
    # Every write is on disk before Redis answers it (appendfsync always): what was acknowledged survives.
    redis = RedisServer(tmp_path / "redis", None, "--appendonly", "yes", "--appendfsync", "always").start()
    env = ots_env(tmp_path / "data", OTS_REDIS_URL=redis.url, OTS_WORKERS="2", OTS_SECRET=MASTER_SECRET, **UNLIMITED)
    try:
        with ServerProcess(env, tmp_path / "logs") as server:

            def kill_and_restart_redis() -> None:
                assert redis.process is not None
                redis.process.kill()
                redis.process.wait()
                redis.process = None
                time.sleep(0.3)  # creates and reveals meanwhile: 503-class answers
                redis.start()

            ledger = load_while(server, kill_and_restart_redis)
            check_ledger(server, ledger)  # the same app: it reconnected by itself
            output = server.output()
        assert "Traceback" not in output
        assert "redis unavailable" in output
    finally:
        redis.stop()
