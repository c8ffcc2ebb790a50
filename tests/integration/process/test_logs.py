"""What `ots serve` prints never carries a secret, a passphrase, a token or a full key."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
import pytest

from tests.support.logs import messages
from tests.support.redis_server import RedisServer
from tests.support.server_process import ServerProcess, ots_env, run_ots

pytestmark = pytest.mark.slow

SECRET_VALUE = "canary-secret-value-91ce"
PASSPHRASE = "canary-passphrase-2b7d"
EMAIL = "canary@example.com"


def ok(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def walk_the_api(api: httpx.Client, credentials: tuple[str, str]) -> dict[str, dict[str, str]]:
    """Use every endpoint once with the canaries; return the answers that carry keys."""
    shared = ok(api.post("/share", data={"secret": SECRET_VALUE, "passphrase": PASSPHRASE}))
    wrong = api.post(f"/secret/{shared['secret_key']}", data={"passphrase": "canary-wrong-passphrase"})
    assert wrong.json()["message"] == "Unknown secret"
    ok(api.get(f"/private/{shared['metadata_key']}"))
    assert ok(api.post(f"/secret/{shared['secret_key']}", data={"passphrase": PASSPHRASE}))["value"] == SECRET_VALUE

    burned = ok(api.post("/share", data={"secret": SECRET_VALUE, "passphrase": PASSPHRASE}))
    wrong_burn = api.post(f"/private/{burned['metadata_key']}/burn", data={"passphrase": "canary-wrong"})
    assert wrong_burn.json()["message"] == "Double check that passphrase"
    ok(api.post(f"/private/{burned['metadata_key']}/burn", data={"passphrase": PASSPHRASE}))

    generated = ok(api.post("/generate", data={"passphrase": PASSPHRASE}))
    assert ok(api.get(f"/receipt/{generated['metadata_key']}"))["value"] == generated["value"]  # the one-time echo

    owned = ok(api.post("/share", data={"secret": SECRET_VALUE, "ttl": "3600"}, auth=credentials))
    assert owned["custid"] == credentials[0]
    recent = api.get("/private/recent", auth=credentials).json()
    assert [item["metadata_key"] for item in recent] == [owned["metadata_key"]]
    assert api.get("/authcheck", auth=(credentials[0], "canary-wrong-token-0000")).json() == {
        "message": "Not authorized"
    }
    return {"shared": shared, "burned": burned, "generated": generated, "owned": owned}


def provoke_errors(server: ServerProcess, api: httpx.Client, redis_server: RedisServer, key: str) -> None:
    """Send broken and misplaced requests carrying the canaries, then take Redis away for a moment."""
    broken = api.post(
        "/share",
        content=f'{{"secret": "{SECRET_VALUE}", "passphrase": "{PASSPHRASE}"',
        headers={"content-type": "application/json"},
    )
    assert (broken.status_code, broken.headers["x-ots-intended-status"]) == (404, "400")
    ok(api.post("/share", params={"secret": SECRET_VALUE, "passphrase": PASSPHRASE}))  # in the query string
    too_large = api.post("/share", data={"secret": SECRET_VALUE * 100, "passphrase": PASSPHRASE})
    assert too_large.headers["x-ots-intended-status"] == "400"
    httpx.get(f"{server.origin}/secret/{key}")  # the HTML face
    assert api.get(f"/no-such-route/{key}").json() == {"error": "Not Found"}
    assert api.delete(f"/secret/{key}").status_code == 404

    redis_server.stop()
    for response in (
        api.post("/share", data={"secret": SECRET_VALUE, "passphrase": PASSPHRASE}),
        api.post(f"/secret/{key}", data={"passphrase": PASSPHRASE}),
        api.get("/private/recent", auth=(EMAIL, "canary-token-while-redis-is-down")),
    ):
        assert response.headers["x-ots-intended-status"] == "503"
    redis_server.start()


@pytest.mark.parametrize("log_format", ["plain", "json"])
def test_server_output_holds_no_secret_passphrase_token_or_full_key(
    private_redis_server: RedisServer, tmp_path: Path, log_format: str
) -> None:
    env = ots_env(tmp_path / "data", OTS_REDIS_URL=private_redis_server.url, OTS_WORKERS="2", OTS_LOG_FORMAT=log_format)
    created = run_ots("account", "create", EMAIL, env=env)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()

    server = ServerProcess(env, tmp_path / "logs")
    with server, server.client() as api:
        answers = walk_the_api(api, (EMAIL, token))
        provoke_errors(server, api, private_redis_server, answers["owned"]["secret_key"])
        assert server.stop() == 0  # flushes every log line

    output = server.output()
    said = messages(output, log_format)  # for json: every line parses
    shared, owned = answers["shared"], answers["owned"]
    assert "redis unavailable" in said  # the outage was logged...
    assert f'"POST /api/v1/secret/{shared["secret_key"][:6]}..." 200' in said  # ...and so were keys, shortened
    assert f'"GET /api/v1/private/{shared["metadata_key"][:6]}..." 200' in said
    # Requests that match no route are logged too (Litestar runs no middleware for them).
    assert f'"GET /api/v1/no-such-route/{owned["secret_key"][:6]}..." 404' in said
    assert f'"DELETE /api/v1/secret/{owned["secret_key"][:6]}..." 404' in said
    keys = [answer[name] for answer in answers.values() for name in ("secret_key", "metadata_key")]
    basic = base64.b64encode(f"{EMAIL}:{token}".encode()).decode()
    forbidden = [SECRET_VALUE, PASSPHRASE, "canary-wrong", "canary-token", token, basic, *keys]
    for text in [*forbidden, answers["generated"]["value"]]:
        assert text not in output, text
    assert "Traceback" not in output
