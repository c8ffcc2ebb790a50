"""The v2 face over HTTP: unknown paths and methods, body limits, storage down, request limits, and
what never leaves the server (no value or key in an error, nothing cacheable)."""

from __future__ import annotations

import logging

import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from onetime.settings import RequestLimit, Settings
from tests.conftest import with_settings
from tests.integration.api_v2.v2 import assert_error, conceal, receipt_key_of, secret_key_of
from tests.support.api import assert_ok as assert_v1_ok
from tests.support.api import serve


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v2/nothing-here"),
        ("POST", "/api/v2/share"),
        ("POST", "/api/v2/generate"),
        ("GET", "/api/v2/authcheck"),
        ("GET", "/api/v2/metadata/recent"),
        ("POST", f"/api/v2/receipt/{'d' * 31}"),
        ("DELETE", "/api/v2/secret/conceal"),
        ("GET", "/api/v2/secret/conceal"),
        ("PUT", f"/api/v2/receipt/{'d' * 31}"),
    ],
)
async def test_unknown_paths_and_methods_are_the_v2_not_found(client: AsyncTestClient, method: str, path: str) -> None:
    response = await client.request(method, path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"
    assert response.json() == {"error": "Not Found", "error_type": "NotFound", "message": "Not Found"}


async def test_v1_keeps_its_own_not_found(client: AsyncTestClient) -> None:
    response = await client.get("/api/v1/nothing-here")
    assert (response.status_code, response.json()) == (404, {"error": "Not Found"})


async def test_a_body_over_the_cap_is_a_413(client: AsyncTestClient, settings: Settings) -> None:
    oversized = b'{"secret": {"secret": "' + b"x" * settings.max_body_bytes + b'"}}'
    response = await client.post(
        "/api/v2/secret/conceal", content=oversized, headers={"content-type": "application/json"}
    )
    assert_error(response, 413, "PayloadTooLarge")


async def test_storage_down_is_a_503_not_a_500(settings: Settings) -> None:
    dead = with_settings(settings, redis_url="redis://127.0.0.1:1/0")
    async with serve(dead) as (_, http):
        assert_error(await http.get("/api/v2/status"), 503, "ServiceUnavailable")
        response = await http.post("/api/v2/secret/conceal", json={"secret": {"secret": "x"}})
        assert_error(response, 503, "ServiceUnavailable", "Service unavailable, please try again shortly")


async def test_the_reveal_limit_answers_429_with_retry_after(settings: Settings, redis: Redis) -> None:
    limited = with_settings(settings, limit_reveal=RequestLimit(2, 600))
    async with serve(limited) as (_, http):
        for _ in range(2):
            await http.post(f"/api/v2/secret/{'e' * 31}/reveal", json={"continue": True})
        key = secret_key_of(await conceal(http, "x"))
        response = await http.post(f"/api/v2/secret/{key}/reveal", json={"continue": True})
        body = assert_error(response, 429, "LimitExceeded", "Rate limit exceeded. Please try again later.")
        assert body["retry_after"] >= 600
        assert response.headers["retry-after"] == str(body["retry_after"])


async def test_the_create_limit_is_shared_with_v1(settings: Settings, redis: Redis) -> None:
    limited = with_settings(settings, limit_create=RequestLimit(2, 600))
    async with serve(limited) as (_, http):
        assert_v1_ok(await http.post("/api/v1/share", data={"secret": "x"}))
        await conceal(http, "x")
        response = await http.post("/api/v2/secret/conceal", json={"secret": {"secret": "x"}})
        assert_error(response, 429, "LimitExceeded")
        assert (await http.post("/api/v1/share", data={"secret": "x"})).headers["x-ots-intended-status"] == "429"


async def test_every_answer_has_its_own_request_id(client: AsyncTestClient) -> None:
    ids = {(await client.get("/api/v2/status")).headers["x-request-id"] for _ in range(3)}
    assert len(ids) == 3
    response = await client.get("/api/v2/status", headers={"x-request-id": "chosen-by-client"})
    assert response.headers["x-request-id"] != "chosen-by-client"


async def test_no_secret_value_passphrase_or_key_reaches_the_logs(
    client: AsyncTestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    record = await conceal(client, "value-in-no-log", passphrase="passphrase-in-no-log")
    secret_key, receipt_key = secret_key_of(record), receipt_key_of(record)
    await client.post(f"/api/v2/secret/{secret_key}/reveal", json={"continue": True, "passphrase": "wrong-in-no-log"})
    await client.post(
        f"/api/v2/secret/{secret_key}/reveal", json={"continue": True, "passphrase": "passphrase-in-no-log"}
    )
    await client.get(f"/api/v2/receipt/{receipt_key}")
    await client.post(f"/api/v2/receipt/{receipt_key}/burn", json={"continue": True})
    # The test's own HTTP client logs whole URLs; only the server's lines count.
    logged = "\n".join(entry.getMessage() for entry in caplog.records if not entry.name.startswith("httpx"))
    assert "/api/v2/secret/" in logged  # the access log ran
    for text in ("value-in-no-log", "passphrase-in-no-log", "wrong-in-no-log", secret_key, receipt_key):
        assert text not in logged


async def test_errors_never_echo_a_key_or_a_passphrase(client: AsyncTestClient) -> None:
    key = secret_key_of(await conceal(client, "x", passphrase="the-real-one"))
    wrong = await client.post(f"/api/v2/secret/{key}/reveal", json={"continue": True, "passphrase": "a-guess"})
    assert_error(wrong, 422, "FormError", "Incorrect passphrase", field="passphrase")
    for text in (key, "a-guess", "the-real-one"):
        assert text not in wrong.text


async def test_a_bug_answers_a_json_500_without_details(
    client: AsyncTestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(_: str) -> None:
        raise RuntimeError("internal detail that must not leak")

    monkeypatch.setattr(client.app.state.services.secret_service, "secret_status", broken)
    response = await client.get(f"/api/v2/secret/{'f' * 31}/status")
    body = assert_error(response, 500, "ServerError")
    assert body["error"] == "Internal Server Error"
    assert body["message"] == "An error occurred. Please try again later."
    assert "internal detail" not in response.text
