"""`ots serve` on a Redis Cluster: a lost or frozen master gives 503-class answers, never a 500, and recovers alone.

Each test owns its cluster (nodes on free loopback ports) and kills or freezes nodes of it; the
app is never restarted.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from onetime.storage.client import STATE_CHANGE_TIMEOUT
from onetime.storage.keys import request_limit_name
from tests.support.redis_cluster import RedisClusterNodes
from tests.support.server_process import ServerProcess, ots_env

pytestmark = pytest.mark.slow

FAULT_STATUSES = {"503", "504"}
"""Intended statuses of a Redis fault: unavailable, or (a reveal or burn) outcome unknown."""


def outcome(response: httpx.Response) -> str:
    """Return "200", or the intended status of a Redis fault; fail on anything else (a 500 above all)."""
    if response.status_code == 200:
        return "200"
    assert response.status_code == 404, response.text
    intended = response.headers["x-ots-intended-status"]
    assert intended in FAULT_STATUSES, (intended, response.text)
    return intended


def share(api: httpx.Client, value: str, client: str | None = None) -> httpx.Response:
    headers = {"x-forwarded-for": client} if client else {}
    return api.post("/share", data={"secret": value}, headers=headers)


def server_on(cluster: RedisClusterNodes, tmp_path: Path) -> ServerProcess:
    return ServerProcess(ots_env(tmp_path / "data", OTS_REDIS_URL=cluster.url), tmp_path / "logs")


@pytest.fixture
def failover_cluster(tmp_path: Path) -> Iterator[RedisClusterNodes]:
    """Three masters with a replica each."""
    cluster = RedisClusterNodes(tmp_path / "cluster", 3, 1).start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def partial_cluster(tmp_path: Path) -> Iterator[RedisClusterNodes]:
    """Three masters, no replica; the masters left keep serving their slots when one is lost."""
    cluster = RedisClusterNodes(tmp_path / "cluster", 3, 0, "--cluster-require-full-coverage", "no").start()
    try:
        yield cluster
    finally:
        cluster.stop()


def test_a_killed_master_gives_503_class_answers_until_its_replica_takes_over(
    failover_cluster: RedisClusterNodes, tmp_path: Path
) -> None:
    with server_on(failover_cluster, tmp_path) as server, server.client() as api:
        values = {f"before the failover {n}": "" for n in range(12)}
        for value in values:
            created = share(api, value)
            assert outcome(created) == "200"
            values[value] = created.json()["secret_key"]
        failover_cluster.wait_for_replication()
        # The master that counts this client's requests: every create and reveal needs it.
        victim = failover_cluster.master_port_of(request_limit_name("create", "127.0.0.1"))
        failover_cluster.node(victim).process.kill()  # type: ignore[union-attr]
        killed = time.monotonic()
        seen: Counter[str] = Counter()
        while (
            victim in failover_cluster.master_ports()
            or failover_cluster.cluster_state(failover_cluster.master_ports()[0]) != "ok"
        ):
            seen[outcome(api.get("/status"))] += 1
            seen[outcome(share(api, "during the failover"))] += 1
            assert time.monotonic() - killed < 30, seen
            time.sleep(0.1)
        took = failover_cluster.wait_for_failover(victim)
        recovered = time.monotonic() - killed
        print(f"master killed: answers during the failover {dict(seen)}, cluster ok after {recovered:.1f} s")
        assert seen["503"] > 0  # the lost master was noticed, and named as unavailable
        # No restart: the promoted replica serves, and kept every secret made before.
        deadline = time.monotonic() + 10 + took
        while outcome(share(api, "after the failover")) != "200":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        for value, secret_key in values.items():
            assert api.post(f"/secret/{secret_key}").json()["value"] == value
    output = server.output()
    assert "Traceback" not in output
    assert "redis unavailable" in output


def test_a_lost_master_stops_only_its_own_clients_and_they_recover_when_it_returns(
    partial_cluster: RedisClusterNodes, tmp_path: Path
) -> None:
    with server_on(partial_cluster, tmp_path) as server, server.client() as api:
        # Three clients (behind the trusted proxy), each counted on another master.
        clients = ["192.0.2.1", "192.0.2.2", "192.0.2.3"]
        homes = {client: partial_cluster.master_port_of(request_limit_name("create", client)) for client in clients}
        assert len(set(homes.values())) == 3
        victim_client, *others = clients
        victim = partial_cluster.node(homes[victim_client])

        # Frozen for a moment (shorter than the cluster's node timeout): slow or unavailable, never a 500.
        os.kill(victim.process.pid, signal.SIGSTOP)  # type: ignore[union-attr]
        try:
            started = time.monotonic()
            frozen = outcome(share(api, "while frozen", victim_client))
            print(f"master frozen: {frozen} after {time.monotonic() - started:.3f} s")
            assert frozen == "503"
        finally:
            os.kill(victim.process.pid, signal.SIGCONT)  # type: ignore[union-attr]
        assert outcome(share(api, "after the freeze", victim_client)) == "200"

        victim.process.kill()  # type: ignore[union-attr]
        victim.process.wait()  # type: ignore[union-attr]
        victim.process = None
        assert {outcome(share(api, "mine is lost", victim_client)) for _ in range(5)} == {"503"}
        for client in others:
            # The secret itself lands on a random slot: a third of them on the lost master.
            answers = Counter(outcome(share(api, "mine is fine", client)) for _ in range(10))
            print(f"master lost: client {client} got {dict(answers)}")
            assert answers["200"] > 0

        victim.start()  # the same port and node identity (its data is gone: no persistence here)
        partial_cluster.wait_until_healthy()
        deadline = time.monotonic() + 15
        while outcome(share(api, "back again", victim_client)) != "200":
            assert time.monotonic() < deadline, server.output()
            time.sleep(0.1)
    assert "Traceback" not in server.output()


def test_a_reveal_the_cluster_holds_past_the_wait_says_the_secret_may_be_gone_and_is_never_resent(
    tmp_path: Path,
) -> None:
    cluster = RedisClusterNodes(tmp_path / "cluster").start()
    env = ots_env(tmp_path / "data", OTS_REDIS_URL=cluster.url, OTS_RATE_LIMITS="off")
    try:
        with ServerProcess(env, tmp_path / "logs") as server, server.client(timeout=STATE_CHANGE_TIMEOUT + 10) as api:
            secret = share(api, "held by the cluster").json()
            # Every master holds writes (scripts too) longer than the app waits for the answer.
            hold = str(int((STATE_CHANGE_TIMEOUT + 1.5) * 1000))
            for port in cluster.master_ports():
                assert cluster.cli(port, "client", "pause", hold, "write").strip() == "OK"
            answer = api.post(f"/secret/{secret['secret_key']}")
            assert outcome(answer) == "504"
            assert answer.json()["message"].startswith("The secret may already have been revealed.")
            for port in cluster.master_ports():
                cluster.cli(port, "client", "unpause")
            # The cluster client retries a timeout after reading the layout again; the script was
            # not sent a second time, so the secret was revealed at most once, and only now.
            again = api.post(f"/secret/{secret['secret_key']}").json()
            assert again.get("value", "held by the cluster") == "held by the cluster"
            assert api.post(f"/secret/{secret['secret_key']}").json()["message"] == "Unknown secret"
        output = server.output()
        assert output.count("redis did not answer a state change") == 1
        assert "Traceback" not in output
    finally:
        cluster.stop()
