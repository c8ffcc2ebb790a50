"""OTS_LOG_FORMAT=json: one JSON object a line, and one request id on every line a request wrote."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.logs import json_lines
from tests.support.redis_server import RedisServer
from tests.support.server_process import ServerProcess, ots_env

pytestmark = pytest.mark.slow


def test_the_access_line_and_the_error_line_of_a_failing_request_share_its_request_id(
    private_redis_server: RedisServer, tmp_path: Path
) -> None:
    env = ots_env(tmp_path / "data", OTS_REDIS_URL=private_redis_server.url, OTS_WORKERS="2", OTS_LOG_FORMAT="json")
    server = ServerProcess(env, tmp_path / "logs")
    with server, server.client() as api:
        assert api.post("/share", data={"secret": "while redis is up"}).status_code == 200
        private_redis_server.stop()
        failed = api.post("/share", data={"secret": "while redis is down"})
        assert failed.headers["x-ots-intended-status"] == "503"
        private_redis_server.start()
        assert server.stop() == 0  # flushes every log line

    lines = json_lines(server.output())  # every line parses
    shares = [line for line in lines if line.get("http", {}).get("path") == "/api/v1/share"]
    assert [line["http"]["status"] for line in shares] == [200, 404]  # the v1 face answers errors with 404
    ok, failing = shares
    errors = [line for line in lines if line["level"] in {"WARNING", "ERROR"} and "redis" in line["message"]]
    assert errors, lines
    assert {line["request_id"] for line in errors} == {failing["request_id"]}
    assert failing["request_id"] != ok["request_id"]
    assert all(len(line["request_id"]) == 16 for line in shares)
    assert {line["request_id"] for line in lines if line["logger"].startswith("uvicorn")} == {"-"}
