"""Two real `ots serve` processes on one Redis: an internal one that creates, a public one that only reveals."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.support.redis_server import RedisServer, free_port
from tests.support.server_process import ServerProcess, ots_env, run_ots

pytestmark = pytest.mark.slow
MASTER = "bWFzdGVyLXNlY3JldC1zaGFyZWQtYnktYm90aC1zZXJ2ZXJzISE="  # 36 bytes, base64; both servers need it


def test_the_public_read_only_server_reveals_what_the_internal_one_created(
    shared_redis_server: RedisServer, tmp_path: Path
) -> None:
    public_port = free_port()
    public_origin = f"http://127.0.0.1:{public_port}"
    common = {"OTS_REDIS_URL": shared_redis_server.url, "OTS_SECRET": MASTER, "OTS_BASE_URL": public_origin}
    internal_env = ots_env(tmp_path / "internal", **common)
    public_env = ots_env(tmp_path / "public", **common, OTS_MODE="read", OTS_PORT=str(public_port))
    with (
        ServerProcess(internal_env, tmp_path / "logs") as internal,
        ServerProcess(public_env, tmp_path / "logs") as public,
    ):
        created = httpx.post(internal.url("/api/v1/share"), data={"secret": "for the outside"}).json()
        assert created["secret_url"].startswith(public_origin)  # links point at the public server
        refused = httpx.post(public.url("/api/v1/share"), data={"secret": "x"})
        assert refused.status_code == 404
        assert refused.headers["x-ots-intended-status"] == "403"
        assert httpx.get(public.url("/")).status_code == 403
        revealed = httpx.post(public.url(f"/api/v1/secret/{created['secret_key']}")).json()
        assert revealed["value"] == "for the outside"
        assert httpx.get(internal.url(f"/api/v1/private/{created['metadata_key']}")).json()["state"] == "received"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("OTS_CREATE", "nobody"),
        ("OTS_CREATE_NETWORKS", "10.0.0.0/40"),
        ("OTS_MODE", "write"),
        ("OTS_SIGNUP", "sometimes"),
        ("OTS_TTL_CHOICES", "5m,soon"),
        ("OTS_TTL_DEFAULT", "3d7h"),
        ("OTS_PLANS", "anonymous:ttl=1d,size=huge"),
    ],
)
def test_a_bad_policy_value_stops_start_up_with_one_line_naming_the_variable(
    variable: str, value: str, tmp_path: Path
) -> None:
    result = run_ots("serve", env=ots_env(tmp_path / "data", **{variable: value}), timeout=15)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"ots: configuration error: {variable}")
    assert not (tmp_path / "data").exists()  # nothing started
