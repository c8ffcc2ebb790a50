"""`ots serve` refuses bad configuration with one clear line, and listens where OTS_PORT says."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from tests.support.redis_server import free_port
from tests.support.server_process import ServerProcess, kill_redis_servers_in, ots_env, redis_servers_in, run_ots

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("OTS_PORT", "70000"),
        ("OTS_SECRET", "short"),
        ("OTS_SECRET", "c2hvcnQ="),  # valid base64, but 5 bytes
        ("OTS_REDIS_URL", "http://x"),
        ("OTS_LIMIT_CREATE", "abc"),
        ("OTS_BASE_URL", "nope"),
        ("OTS_WORKERS", "0"),
        ("OTS_FSYNC", "sometimes"),
        ("OTS_LOG_FORMAT", "xml"),
        ("OTS_METRICS_TOKEN", "short"),
    ],
)
def test_a_bad_value_stops_start_up_with_one_line_naming_the_variable(
    variable: str, value: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    result = run_ots("serve", env=ots_env(data_dir, **{variable: value}), timeout=15)
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ots: configuration error: ")
    assert variable in lines[0]
    assert not data_dir.exists()  # nothing started, nothing written
    assert redis_servers_in(data_dir) == []


def test_ots_port_sets_where_the_server_listens_and_the_links_it_makes(tmp_path: Path) -> None:
    port = free_port()
    with ServerProcess(ots_env(tmp_path / "data", OTS_PORT=str(port)), tmp_path / "logs"):
        created = httpx.post(f"http://127.0.0.1:{port}/api/v1/share", data={"secret": "x"}).json()
    assert created["secret_url"] == f"http://127.0.0.1:{port}/secret/{created['secret_key']}"
    assert created["metadata_url"] == f"http://127.0.0.1:{port}/private/{created['metadata_key']}"


def test_a_port_in_use_stops_start_up_and_leaves_no_redis_behind(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    try:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            result = run_ots("serve", env=ots_env(data_dir, OTS_PORT=str(port)), timeout=30)
        assert result.returncode != 0
        assert "address already in use" in result.stderr.lower()
        assert redis_servers_in(data_dir) == []  # the embedded Redis it started is stopped again
    finally:
        kill_redis_servers_in(data_dir)
