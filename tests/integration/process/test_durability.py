"""`ots serve` with the embedded Redis keeps secrets across restarts and cleans up after itself."""

from __future__ import annotations

import os
import signal
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from redis import Redis

from tests.support.server_process import ServerProcess, children, kill_redis_servers_in, ots_env, redis_servers_in

pytestmark = pytest.mark.slow


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "data"
    yield path
    kill_redis_servers_in(path)


def share(api: httpx.Client, **params: str) -> dict[str, str]:
    response = api.post("/share", data=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_a_restart_keeps_unexpired_secrets_and_consumed_ones_stay_gone(data_dir: Path, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    with ServerProcess(ots_env(data_dir, OTS_WORKERS="2"), logs) as server, server.client() as api:
        # One redis-server, started by the parent, whatever the number of workers.
        (embedded,) = redis_servers_in(data_dir)
        assert embedded in children(server.pid)
        plain = share(api, secret="plain value", ttl="3600")
        protected = share(api, secret="protected value", passphrase="open sesame")
        revealed = share(api, secret="revealed before the restart")
        burned = share(api, secret="burned before the restart")
        assert api.post(f"/secret/{revealed['secret_key']}").json()["value"] == "revealed before the restart"
        assert api.post(f"/private/{burned['metadata_key']}/burn").status_code == 200
        master_key = data_dir / "master.key"
        assert stat.S_IMODE(master_key.stat().st_mode) == 0o600
        generated_master = master_key.read_bytes()
        # Stopped right after the writes: only the SIGTERM-time flush of the append-only file saves them.
        assert server.stop() == 0
    assert redis_servers_in(data_dir) == []

    with ServerProcess(ots_env(data_dir, OTS_WORKERS="1"), logs) as server, server.client() as api:
        assert master_key.read_bytes() == generated_master  # reused, so the old secrets still decrypt
        assert stat.S_IMODE(master_key.stat().st_mode) == 0o600
        first = api.post(f"/secret/{plain['secret_key']}")
        expected = {"value": "plain value", "secret_key": plain["secret_key"], "share_domain": server.origin}
        assert first.json() == expected
        wrong = api.post(f"/secret/{protected['secret_key']}", data={"passphrase": "guess"})
        assert wrong.json()["message"] == "Unknown secret"
        right = api.post(f"/secret/{protected['secret_key']}", data={"passphrase": "open sesame"})
        assert right.json()["value"] == "protected value"
        for gone in (revealed, burned):
            again = api.post(f"/secret/{gone['secret_key']}")
            assert again.status_code == 404
            assert again.json() == {"message": "Unknown secret", "secret_key": gone["secret_key"]}
        assert api.get(f"/private/{revealed['metadata_key']}").json()["state"] == "received"
        assert api.get(f"/private/{burned['metadata_key']}").json()["state"] == "burned"
        # One worker: uvicorn re-raises SIGTERM after its shutdown, and the embedded Redis must still stop.
        assert server.stop() == 0
    assert redis_servers_in(data_dir) == []


def test_a_dead_embedded_redis_is_restarted_and_the_app_recovers(data_dir: Path, tmp_path: Path) -> None:
    with ServerProcess(ots_env(data_dir), tmp_path / "logs") as server, server.client() as api:
        (first,) = redis_servers_in(data_dir)
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while first in redis_servers_in(data_dir):
            assert time.monotonic() < deadline
            time.sleep(0.01)
        while api.get("/status").status_code != 200:
            assert time.monotonic() < deadline, server.output()
            time.sleep(0.05)
        (second,) = redis_servers_in(data_dir)
        assert second != first
        assert second in children(server.pid)
        assert share(api, secret="after the restart")["state"] == "new"


def test_the_redis_left_by_a_server_killed_outright_is_shut_down_cleanly_and_replaced_by_a_watched_one(
    data_dir: Path, tmp_path: Path
) -> None:
    logs = tmp_path / "logs"
    first = ServerProcess(ots_env(data_dir), logs).start()
    try:
        with first.client() as api:
            created = share(api, secret="outlived a SIGKILL")
        os.kill(first.pid, signal.SIGKILL)  # no handler runs: the redis-server in its own session stays
    finally:
        first.stop()  # (not the `with` form, which would also kill the redis-server left behind)
    (orphan,) = redis_servers_in(data_dir)

    with ServerProcess(ots_env(data_dir), logs) as second, second.client() as api:
        assert api.post(f"/secret/{created['secret_key']}").json()["value"] == "outlived a SIGKILL"
        (own,) = redis_servers_in(data_dir)  # never two redis-servers on the same files
        assert own != orphan
        assert api.get(f"/private/{created['metadata_key']}").json()["state"] == "received"
        assert own in children(second.pid)  # watched: killed, it is restarted and the app recovers
        os.kill(own, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while api.get("/status").status_code != 200 or own in redis_servers_in(data_dir):
            assert time.monotonic() < deadline, second.output()
            time.sleep(0.05)
        assert share(api, secret="after the restart")["state"] == "new"
        assert second.stop() == 0
    assert redis_servers_in(data_dir) == []
    assert "shut down the embedded redis-server left running" in second.output()


@pytest.mark.parametrize("policy", ["everysec", "always"])
def test_ots_fsync_sets_when_the_embedded_redis_syncs_its_append_only_file(
    policy: str, data_dir: Path, tmp_path: Path
) -> None:
    with ServerProcess(ots_env(data_dir, OTS_FSYNC=policy), tmp_path / "logs"):
        embedded = Redis(unix_socket_path=str(data_dir / "redis.sock"))
        try:
            assert embedded.config_get("appendfsync") == {"appendfsync": policy}
            assert embedded.config_get("appendonly") == {"appendonly": "yes"}
        finally:
            embedded.close()


def test_ots_serve_compacts_the_append_only_file_so_a_revealed_secret_leaves_the_disk(
    data_dir: Path, tmp_path: Path
) -> None:
    env = ots_env(data_dir, OTS_WORKERS="2", OTS_AOF_COMPACT_SECONDS="1")
    with ServerProcess(env, tmp_path / "logs") as server, server.client() as api:
        created = share(api, secret="gone from the disk soon")
        redis = Redis(unix_socket_path=str(data_dir / "redis.sock"))
        try:
            [name] = list(redis.scan_iter("ots:secret:*"))
            envelope = (redis.get(name) or b"")[1:]
        finally:
            redis.close()
        assert envelope

        def on_disk() -> bool:
            return any(envelope in path.read_bytes() for path in (data_dir / "appendonlydir").iterdir())

        deadline = time.monotonic() + 10
        while not on_disk():  # written within a second (appendfsync everysec)
            assert time.monotonic() < deadline, "the secret never reached the append-only file"
            time.sleep(0.1)
        assert api.post(f"/secret/{created['secret_key']}").status_code == 200
        deadline = time.monotonic() + 20
        while on_disk():
            assert time.monotonic() < deadline, "the revealed secret is still in the append-only file"
            time.sleep(0.2)
