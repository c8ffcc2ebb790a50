"""The access log of a real `ots serve`: one line per request, never a query string."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx
import pytest

from tests.support.redis_server import RedisServer
from tests.support.server_process import ServerProcess, ots_env

pytestmark = pytest.mark.slow

FORGED = '127.0.0.1 "GET /forged-by-the-client" 200 1.0ms'


def send_raw(server: ServerProcess, request_line: str) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(f"{request_line}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def access_lines(server: ServerProcess, needle: str) -> list[str]:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if needle in server.output():
            break
        time.sleep(0.05)
    return server.output().splitlines()


def test_an_encoded_newline_in_the_path_cannot_forge_a_log_line(
    shared_redis_server: RedisServer, tmp_path: Path
) -> None:
    env = ots_env(tmp_path / "data", OTS_REDIS_URL=shared_redis_server.url)
    with ServerProcess(env, tmp_path / "logs") as server:
        path = "/nowhere%0D%0A127.0.0.1%20%22GET%20/forged-by-the-client%22%20200%201.0ms%1B%5B1A"
        assert send_raw(server, f"GET {path} HTTP/1.1").startswith(b"HTTP/1.1 404")
        lines = access_lines(server, "forged-by-the-client")
    assert not [line for line in lines if line.startswith(FORGED)]
    [logged] = [line for line in lines if "forged-by-the-client" in line]
    assert "ots.access" in logged
    assert '/nowhere\\r\\n127.0.0.1 \\"GET /forged-by-the-client\\" 200 1.0ms\\x1b[1A" 404' in logged
    assert "\x1b" not in server.output()


def test_the_access_log_never_holds_a_query_string(shared_redis_server: RedisServer, tmp_path: Path) -> None:
    env = ots_env(tmp_path / "data", OTS_REDIS_URL=shared_redis_server.url)
    with ServerProcess(env, tmp_path / "logs") as server:
        answer = httpx.post(f"{server.api}/share", params={"secret": "canary-q-7a1", "passphrase": "canary-p-3f9"})
        assert answer.status_code == 200
        lines = access_lines(server, '"POST /api/v1/share"')
    assert [line for line in lines if '"POST /api/v1/share" 200' in line]
    assert "canary" not in server.output()
    assert "?" not in "".join(line for line in lines if "ots.access" in line)
