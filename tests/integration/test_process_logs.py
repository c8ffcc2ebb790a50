"""What `ots serve` prints never carries a secret, a passphrase, a token or a full key."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.redis_server import RedisServer
from tests.support.server_process import ServerProcess, ots_env, run_ots

pytestmark = pytest.mark.slow

SECRET_VALUE = "canary-secret-value-91ce"
PASSPHRASE = "canary-passphrase-2b7d"
EMAIL = "canary@example.com"


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis").start()
    try:
        yield server
    finally:
        server.stop()


def ok(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_server_output_holds_no_secret_passphrase_token_or_full_key(redis_server: RedisServer, tmp_path: Path) -> None:
    env = ots_env(tmp_path / "data", OTS_REDIS_URL=redis_server.url, OTS_WORKERS="2")
    created = run_ots("account", "create", EMAIL, env=env)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    credentials = (EMAIL, token)
    keys: list[str] = []

    server = ServerProcess(env, tmp_path / "logs")
    with server, server.client() as api:
        shared = ok(api.post("/share", data={"secret": SECRET_VALUE, "passphrase": PASSPHRASE}))
        keys += [shared["secret_key"], shared["metadata_key"]]
        wrong = api.post(f"/secret/{shared['secret_key']}", data={"passphrase": "canary-wrong-passphrase"})
        assert wrong.json()["message"] == "Unknown secret"
        ok(api.get(f"/private/{shared['metadata_key']}"))
        assert ok(api.post(f"/secret/{shared['secret_key']}", data={"passphrase": PASSPHRASE}))["value"] == SECRET_VALUE

        to_burn = ok(api.post("/share", data={"secret": SECRET_VALUE, "passphrase": PASSPHRASE}))
        keys += [to_burn["secret_key"], to_burn["metadata_key"]]
        wrong_burn = api.post(f"/private/{to_burn['metadata_key']}/burn", data={"passphrase": "canary-wrong"})
        assert wrong_burn.json()["message"] == "Double check that passphrase"
        ok(api.post(f"/private/{to_burn['metadata_key']}/burn", data={"passphrase": PASSPHRASE}))

        generated = ok(api.post("/generate", data={"passphrase": PASSPHRASE}))
        keys += [generated["secret_key"], generated["metadata_key"]]
        password = generated["value"]
        assert ok(api.get(f"/receipt/{generated['metadata_key']}"))["value"] == password  # the one-time echo

        owned = ok(api.post("/share", data={"secret": SECRET_VALUE, "ttl": "3600"}, auth=credentials))
        keys += [owned["secret_key"], owned["metadata_key"]]
        assert owned["custid"] == EMAIL
        assert [item["metadata_key"] for item in ok(api.get("/private/recent", auth=credentials))] == [  # type: ignore[index]
            owned["metadata_key"]
        ]
        assert api.get("/authcheck", auth=(EMAIL, "canary-wrong-token-0000")).json() == {"message": "Not authorized"}

        # Errors: a broken JSON body, a value in the query string, an oversized value, a page path.
        broken = api.post(
            "/share",
            content=f'{{"secret": "{SECRET_VALUE}", "passphrase": "{PASSPHRASE}"',
            headers={"content-type": "application/json"},
        )
        assert broken.status_code == 404
        assert broken.headers["x-ots-intended-status"] == "400"
        ok(api.post("/share", params={"secret": SECRET_VALUE, "passphrase": PASSPHRASE}))
        too_large = api.post("/share", data={"secret": SECRET_VALUE * 100, "passphrase": PASSPHRASE})
        assert too_large.headers["x-ots-intended-status"] == "400"
        httpx.get(f"{server.origin}/secret/{owned['secret_key']}")
        httpx.get(f"{server.origin}/private/{owned['metadata_key']}")

        # Redis down: every call fails, and the failure is logged, without anything from the request.
        redis_server.stop()
        for response in (
            api.post("/share", data={"secret": SECRET_VALUE, "passphrase": PASSPHRASE}),
            api.post(f"/secret/{owned['secret_key']}", data={"passphrase": PASSPHRASE}),
            api.get(f"/private/{owned['metadata_key']}"),
            api.get("/private/recent", auth=credentials),
        ):
            assert response.headers["x-ots-intended-status"] == "503"
        redis_server.start()
        assert server.stop() == 0  # flushes every log line

    output = server.output()
    assert "redis unavailable" in output  # the outage was logged...
    assert f'"POST /api/v1/secret/{shared["secret_key"][:6]}..." 200' in output  # ...and so were keys, shortened
    assert f'"GET /api/v1/private/{shared["metadata_key"][:6]}..." 200' in output
    basic = base64.b64encode(f"{EMAIL}:{token}".encode()).decode()
    for forbidden in [SECRET_VALUE, PASSPHRASE, "canary-wrong", token, basic, password, *keys]:
        assert forbidden not in output, forbidden
    assert "Traceback" not in output
