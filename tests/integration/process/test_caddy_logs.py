"""What the real Caddy in front of `ots serve` writes to its logs: never a secret from a query string.

The v1 API reads its parameters from the query string too, so a client may well send
`POST /api/v1/share?secret=...&passphrase=...`; neither value may reach a log line of Caddy's.
"""

from __future__ import annotations

import dataclasses
import shutil
import socket
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.process.test_caddy import CANONICAL, running_caddy
from tests.support.redis_server import RedisServer
from tests.support.server_process import ServerProcess, ots_env

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("caddy") is None, reason="caddy is not installed (make test installs it)"),
]

SECRET_VALUE = "canary-query-secret-5e1a"
PASSPHRASE = "canary-query-passphrase-77c0"
QUERY = f"secret={SECRET_VALUE}&passphrase={PASSPHRASE}"


@dataclasses.dataclass
class Proxy:
    """Caddy on its HTTPS port in front of one app, and where Caddy writes."""

    app: ServerProcess
    https_port: int
    root_certificate: Path
    access_log: Path
    output: Path

    def logs(self) -> str:
        """Return the access log and everything else Caddy printed (its default log)."""
        return self.access_log.read_text(errors="replace") + self.output.read_text(errors="replace")


@pytest.fixture
def proxy(tmp_path: Path, shared_redis_server: RedisServer) -> Iterator[Proxy]:
    env = ots_env(
        tmp_path / "app",
        OTS_REDIS_URL=shared_redis_server.url,
        OTS_BASE_URL=f"https://{CANONICAL}",
        OTS_TRUSTED_PROXIES="127.0.0.1",
    )
    with (
        ServerProcess(env, tmp_path / "logs") as app,
        running_caddy(tmp_path / "caddy", app.port) as (_, https_port, output),
    ):
        root = tmp_path / "caddy" / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
        yield Proxy(app, https_port, root, tmp_path / "caddy" / "access.log", output)


def request(proxy: Proxy, method: str, path: str) -> tuple[int, bytes]:
    """Send one bodiless request over TLS to the canonical host; return its status and whole answer."""
    context = ssl.create_default_context(cafile=str(proxy.root_certificate))
    head = f"{method} {path} HTTP/1.1\r\nHost: {CANONICAL}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    with (
        socket.create_connection(("127.0.0.1", proxy.https_port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=CANONICAL) as tls,
    ):
        tls.sendall(head.encode())
        answer = b""
        while chunk := tls.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1]), answer


def logged_line_with(proxy: Proxy, text: str) -> str:
    """Wait until a line holding `text` is in Caddy's logs (they are written after the answer)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for line in proxy.logs().splitlines():
            if text in line:
                return line
        time.sleep(0.1)
    pytest.fail(f"no line with {text!r} in Caddy's logs:\n{proxy.logs()}")


def test_a_secret_and_passphrase_in_the_query_string_never_reach_the_access_log(proxy: Proxy) -> None:
    status, answer = request(proxy, "POST", f"/api/v1/share?{QUERY}")
    assert status == 200
    assert b'"secret_key"' in answer  # the app did read the query string
    line = logged_line_with(proxy, '"uri":"/api/v1/share')
    assert '"uri":"/api/v1/share?..."' in line  # a query was there; not what it held
    assert SECRET_VALUE not in proxy.logs()
    assert PASSPHRASE not in proxy.logs()


def test_a_query_string_is_not_logged_when_the_app_is_down_either(proxy: Proxy) -> None:
    proxy.app.stop()
    status, _ = request(proxy, "POST", f"/api/v1/share?{QUERY}")
    assert status == 502
    logged_line_with(proxy, "/api/v1/share?...")
    assert SECRET_VALUE not in proxy.logs()
    assert PASSPHRASE not in proxy.logs()
