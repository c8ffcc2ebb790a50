"""One `ots serve` per data directory, and no process outlives the server that started it."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.redis_server import RedisServer, free_port
from tests.support.server_process import ServerProcess, children, kill_redis_servers_in, ots_env, run_ots

pytestmark = pytest.mark.slow

WORKERS_GONE_WITHIN = 15.0  # a deadline for the loop below, not a measured figure


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "data"
    yield path
    kill_redis_servers_in(path)


def server_workers(pid: int) -> list[int]:
    """Return the uvicorn worker processes of an `ots serve` parent."""
    return [child for child in children(pid) if "spawn_main" in Path(f"/proc/{child}/cmdline").read_text()]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_second_server_on_the_same_data_dir_refuses_with_one_line(data_dir: Path, tmp_path: Path) -> None:
    with ServerProcess(ots_env(data_dir), tmp_path / "logs") as first:
        # Another port: only the data dir is shared.
        result = run_ots("serve", env=ots_env(data_dir, OTS_PORT=str(free_port())), timeout=30)
        assert result.returncode == 1
        lines = result.stderr.splitlines()
        assert lines == [f"ots: another ots (pid {first.pid}) already uses the data directory {data_dir.resolve()}"]
        with first.client() as api:
            assert api.get("/status").status_code == 200  # the first one is untouched


def test_workers_exit_when_the_parent_is_killed_and_a_new_server_takes_the_port(data_dir: Path, tmp_path: Path) -> None:
    env = ots_env(data_dir, OTS_WORKERS="2", OTS_PORT=str(free_port()))
    first = ServerProcess(env, tmp_path / "logs").start()
    try:
        workers = server_workers(first.pid)
        assert len(workers) == 2
        os.kill(first.pid, signal.SIGKILL)
        deadline = time.monotonic() + WORKERS_GONE_WITHIN
        while any(alive(worker) for worker in workers):
            assert time.monotonic() < deadline, f"workers still alive: {workers}\n{first.output()}"
            time.sleep(0.05)
    finally:
        first.stop()

    with ServerProcess(env, tmp_path / "logs") as second, second.client() as api:  # same port, same data dir
        assert second.port == first.port
        assert api.post("/share", data={"secret": "after the orphans"}).status_code == 200
        assert len(server_workers(second.pid)) == 2


def test_with_an_external_redis_the_data_dir_is_still_held(private_redis_server: RedisServer, tmp_path: Path) -> None:
    env = ots_env(tmp_path / "data", OTS_REDIS_URL=private_redis_server.url)
    with ServerProcess(env, tmp_path / "logs"):
        result = run_ots("serve", env={**env, "OTS_PORT": str(free_port())}, timeout=30)
    assert result.returncode == 1
    assert "already uses the data directory" in result.stderr
