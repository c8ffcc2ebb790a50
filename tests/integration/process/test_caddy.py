"""The top-level Caddyfile: it validates, and it runs for real in front of `ots serve`.

The running test uses the Caddyfile itself, with only its global options changed for a machine
without Internet: a local CA (`local_certs`), free ports, and data in a temp dir. A client then
connects to 127.0.0.1 with the SNI and Host of each domain, trusting only that local CA.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import os
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from onetime.domains.branding import BrandingChange
from onetime.settings import Settings
from tests.support.api import create_account
from tests.support.dns_server import DnsTestServer
from tests.support.domains import domain_service, verified_domain
from tests.support.redis_server import RedisServer, free_port
from tests.support.server_process import PROJECT_ROOT, ServerProcess, ots_env

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("caddy") is None, reason="caddy is not installed (make test installs it)"),
]

CADDYFILE = PROJECT_ROOT / "Caddyfile"
CANONICAL = "secrets.example.test"
ACME = "secrets.acme.example"
METRICS_TOKEN = "caddy-test-metrics-token-77aa"
PENDING = "pending.acme.example"
START_TIMEOUT = 20.0


def caddy_env(tmp: Path, **variables: str) -> dict[str, str]:
    """Return an environment in which Caddy keeps everything (certificates, config) under `tmp`."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("OTS_")}
    env.update(
        HOME=str(tmp),
        XDG_DATA_HOME=str(tmp / "data"),
        XDG_CONFIG_HOME=str(tmp / "config"),
        OTS_ACCESS_LOG=str(tmp / "access.log"),
        OTS_STATIC_DIR=str(PROJECT_ROOT / "static"),
    )
    env.update(variables)
    return env


def validate(config: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = ["caddy", "validate", "--config", str(config), "--adapter", "caddyfile"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_the_caddyfile_is_valid(tmp_path: Path) -> None:
    result = validate(CADDYFILE, caddy_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "Valid configuration" in result.stdout + result.stderr


def test_the_commented_two_region_setup_is_valid_too(tmp_path: Path) -> None:
    lines = CADDYFILE.read_text().splitlines()
    enabled = [line[3:] if line.startswith("#> ") else line[2:] if line == "#>" else line for line in lines]
    assert len([line for line in lines if line.startswith("#>")]) > 20  # the example is there
    config = tmp_path / "Caddyfile"
    config.write_text("\n".join(enabled) + "\n")
    result = validate(config, caddy_env(tmp_path))
    assert result.returncode == 0, result.stderr


@dataclasses.dataclass
class Front:
    """Caddy in front of the app: where it listens and where its files are."""

    https_port: int
    root_certificate: Path
    access_log: Path
    process: subprocess.Popen[bytes]
    output: Path
    secret_key: str

    def log(self) -> str:
        return self.output.read_text(errors="replace")


def _wait_for_port(port: int, process: subprocess.Popen[bytes], output: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"caddy exited with {process.returncode}:\n{output.read_text(errors='replace')}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    pytest.fail(f"caddy did not listen on {port}:\n{output.read_text(errors='replace')}")


def wait_for_certificate(https_port: int, root: Path) -> None:
    """Wait until Caddy serves the canonical host's certificate: it obtains it after it listens."""
    deadline = time.monotonic() + 15
    while True:
        try:
            context = ssl.create_default_context(cafile=str(root))
            with (
                socket.create_connection(("127.0.0.1", https_port), timeout=5) as raw,
                context.wrap_socket(raw, server_hostname=CANONICAL),
            ):
                return
        except (OSError, ssl.SSLError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@contextlib.contextmanager
def running_caddy(tmp: Path, app_port: int) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    """Run the Caddyfile with offline global options; stop Caddy at the end."""
    http_port, https_port, admin_port = free_port(), free_port(), free_port()
    offline = f"\n{{\n\tadmin 127.0.0.1:{admin_port}\n\thttp_port {http_port}\n\thttps_port {https_port}\n"
    offline += "\tlocal_certs\n\tskip_install_trust\n"
    tmp.mkdir(parents=True, exist_ok=True)
    config = tmp / "Caddyfile"
    config.write_text(CADDYFILE.read_text().replace("\n{\n", offline, 1))
    env = caddy_env(
        tmp,
        OTS_CANONICAL_HOST=CANONICAL,
        OTS_UPSTREAMS=f"127.0.0.1:{app_port}",
        OTS_ASK_URL=f"http://127.0.0.1:{app_port}/api/internal/tls/ask",
    )
    output = tmp / "caddy.out"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            ["caddy", "run", "--config", str(config), "--adapter", "caddyfile"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        _wait_for_port(https_port, process, output)
        wait_for_certificate(https_port, tmp / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt")
        yield process, https_port, output
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
async def front(
    tmp_path: Path, settings: Settings, shared_redis_server: RedisServer, redis: Redis, dns: DnsTestServer
) -> AsyncIterator[Front]:
    settings = dataclasses.replace(settings, base_url=f"https://{CANONICAL}", dns_resolver=dns.resolver)
    await create_account(redis, settings, "alice@example.com")
    brand = BrandingChange(display_name="ACME Vault")
    await verified_domain(redis, settings, dns, email="alice@example.com", name=ACME, branding=brand)
    await domain_service(redis, settings).add("alice@example.com", PENDING)
    env = ots_env(
        tmp_path / "app",
        OTS_REDIS_URL=shared_redis_server.url,
        OTS_BASE_URL=f"https://{CANONICAL}",
        OTS_TRUSTED_PROXIES="127.0.0.1",
        OTS_METRICS_TOKEN=METRICS_TOKEN,
    )
    with ServerProcess(env, tmp_path / "logs") as app:
        share = httpx.post(f"{app.api}/share", data={"secret": "hunter2"}, headers={"Host": CANONICAL}, timeout=10)
        assert share.status_code == 200, share.text
        with running_caddy(tmp_path / "caddy", app.port) as (process, https_port, output):
            root = tmp_path / "caddy" / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
            yield Front(
                https_port, root, tmp_path / "caddy" / "access.log", process, output, share.json()["secret_key"]
            )


def fetch(
    front: Front, host: str, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """GET a path over TLS from 127.0.0.1, as a browser that resolved `host` there (SNI and Host)."""
    context = ssl.create_default_context(cafile=str(front.root_certificate))
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    with (
        socket.create_connection(("127.0.0.1", front.https_port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=host) as tls,
    ):
        tls.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        answer = b""
        while chunk := tls.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    found = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        found[name.strip().lower()] = value.strip()
    if found.get("transfer-encoding") == "chunked":
        body = _unchunk(body)
    return int(status_line.split()[1]), found, body


def _unchunk(body: bytes) -> bytes:
    out = b""
    while body:
        size_text, _, rest = body.partition(b"\r\n")
        size = int(size_text.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        body = rest[size + 2 :]
    return out


def test_a_verified_domain_gets_a_certificate_on_demand_and_its_branded_pages(front: Front) -> None:
    status, headers, body = fetch(front, ACME, "/")
    assert status == 404  # reached the app over TLS; no public homepage on this domain
    assert b"ACME Vault" in body
    assert headers["strict-transport-security"].startswith("max-age=")
    assert "server" not in headers


def test_an_unverified_domain_gets_no_certificate(front: Front) -> None:
    for host in (PENDING, "unknown.example"):
        with pytest.raises(ssl.SSLError):
            fetch(front, host, "/")


def test_the_canonical_host_is_served_with_its_certificate(front: Front) -> None:
    status, headers, body = fetch(front, CANONICAL, "/api/v1/status")
    assert status == 200
    assert headers["content-type"].startswith("application/json")
    assert b'"status":"nominal"' in body


def test_the_health_checks_reach_the_app_on_the_canonical_host(front: Front) -> None:
    time.sleep(0.5)  # the first active check runs at start
    assert "health_checker" not in front.log(), front.log()
    assert fetch(front, CANONICAL, "/api/v1/status")[0] == 200


def test_internal_endpoints_are_blocked_at_the_proxy(front: Front) -> None:
    status, _, _ = fetch(front, CANONICAL, f"/api/internal/tls/ask?domain={ACME}")
    assert status == 404


def test_metrics_are_blocked_at_the_proxy_even_with_the_token(front: Front) -> None:
    token = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    status, _, body = fetch(front, CANONICAL, "/metrics", headers=token)
    assert status == 404
    assert b"ots_" not in body


def test_a_client_cannot_choose_its_host_with_forwarding_headers(front: Front) -> None:
    headers = {"X-Forwarded-Host": ACME, "Forwarded": f"host={ACME}"}
    status, _, body = fetch(front, CANONICAL, f"/secret/{front.secret_key}", headers=headers)
    assert status == 200
    assert b"ACME Vault" not in body
    assert b"Onetime Secret" in body


def test_static_files_come_from_caddy_compressed_and_pages_uncompressed(front: Front) -> None:
    status, headers, body = fetch(front, CANONICAL, "/static/css/site.css", {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert b":root" in gzip.decompress(body)
    status, headers, body = fetch(front, CANONICAL, f"/secret/{front.secret_key}", {"Accept-Encoding": "gzip"})
    assert status == 200
    assert "content-encoding" not in headers  # carries a CSRF token: never compressed (BREACH)
    assert b"_csrf_token" in body


def test_the_access_log_keeps_no_full_key(front: Front) -> None:
    fetch(front, CANONICAL, f"/secret/{front.secret_key}")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and front.secret_key[:6] not in front.access_log.read_text():
        time.sleep(0.1)
    log = front.access_log.read_text()
    assert f"/secret/{front.secret_key[:6]}..." in log
    assert front.secret_key not in log
