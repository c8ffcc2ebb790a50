"""The real Caddy closes a connection whose request headers come too slowly (slowloris).

The Caddyfile's `read_header` timeout is shortened for the test; everything else runs as shipped.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import time
from pathlib import Path

import pytest

from tests.integration.process import test_caddy
from tests.integration.process.test_caddy import CANONICAL, running_caddy
from tests.support.redis_server import RedisServer
from tests.support.server_process import ServerProcess, ots_env

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("caddy") is None, reason="caddy is not installed (make test installs it)"),
]

READ_HEADER = 2.0
SHIPPED = "read_header 10s"


def test_slow_request_headers_are_cut_off_at_the_proxy(
    tmp_path: Path, shared_redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = test_caddy.CADDYFILE.read_text()
    assert SHIPPED in shipped
    shortened = tmp_path / "Caddyfile.short"
    shortened.write_text(shipped.replace(SHIPPED, f"read_header {int(READ_HEADER)}s"))
    monkeypatch.setattr(test_caddy, "CADDYFILE", shortened)
    env = ots_env(tmp_path / "app", OTS_REDIS_URL=shared_redis_server.url, OTS_BASE_URL=f"https://{CANONICAL}")
    with (
        ServerProcess(env, tmp_path / "logs") as app,
        running_caddy(tmp_path / "caddy", app.port) as (_, https_port, _output),
    ):
        root = tmp_path / "caddy" / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
        context = ssl.create_default_context(cafile=str(root))
        with (
            socket.create_connection(("127.0.0.1", https_port), timeout=10) as raw,
            context.wrap_socket(raw, server_hostname=CANONICAL) as tls,
        ):
            started = time.monotonic()
            tls.settimeout(0.05)
            trickle = list(f"GET /api/v1/status HTTP/1.1\r\nHost: {CANONICAL}\r\nX-Slow: {'a' * 200}".encode())
            closed_after = None
            while time.monotonic() - started < READ_HEADER + 10:
                try:
                    if trickle:
                        tls.sendall(bytes([trickle.pop(0)]))
                    if tls.recv(65536) == b"":
                        closed_after = time.monotonic() - started
                        break
                except TimeoutError:
                    pass
                except (OSError, ssl.SSLError):
                    closed_after = time.monotonic() - started
                    break
                time.sleep(0.1)
    assert closed_after is not None, "Caddy kept the connection open"
    assert closed_after <= READ_HEADER + 1.5
