"""GET /api/v2/status, /supported-locales and /version, and HEAD wherever GET answers."""

from __future__ import annotations

from importlib import metadata

import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from onetime.settings import Settings
from tests.integration.api_v2.v2 import assert_error, assert_ok, conceal, receipt_key_of, secret_key_of
from tests.support.api import create_account


async def test_status_is_nominal(client: AsyncTestClient) -> None:
    assert assert_ok(await client.get("/api/v2/status")) == {"success": True, "status": "nominal", "locale": "en"}


async def test_supported_locales(client: AsyncTestClient) -> None:
    body = assert_ok(await client.get("/api/v2/supported-locales"))
    assert body == {
        "success": True,
        "locales": ["en", "de", "es", "fr", "ja", "nl", "pt_BR"],
        "default_locale": "en",
        "locale": "en",
    }


async def test_version_needs_credentials(client: AsyncTestClient, redis: Redis, settings: Settings) -> None:
    body = assert_error(await client.get("/api/v2/version"), 401, "AuthenticationRequired")
    assert body["message"].startswith("[AUTH_HEADER_MISSING]")
    alice = await create_account(redis, settings, "alice@example.com")
    answer = assert_ok(await client.get("/api/v2/version", headers=alice))
    assert answer == {"success": True, "version": metadata.version("onetime-server").split(".")[:3], "locale": "en"}
    assert all(isinstance(part, str) for part in answer["version"])


async def test_head_answers_wherever_get_does_without_a_body(
    client: AsyncTestClient, redis: Redis, settings: Settings
) -> None:
    alice = await create_account(redis, settings, "alice@example.com")
    record = await conceal(client, "x", headers=alice)
    paths = [
        "/api/v2/status",
        "/api/v2/supported-locales",
        "/api/v2/version",
        f"/api/v2/secret/{secret_key_of(record)}",
        f"/api/v2/secret/{secret_key_of(record)}/status",
        f"/api/v2/receipt/{receipt_key_of(record)}",
        f"/api/v2/private/{receipt_key_of(record)}",
        "/api/v2/receipt/recent",
        "/api/v2/private/recent",
        f"/api/v2/guest/secret/{secret_key_of(record)}",
        f"/api/v2/guest/receipt/{receipt_key_of(record)}",
    ]
    for path in paths:
        got = await client.get(path, headers=alice)
        head = await client.head(path, headers=alice)
        assert (head.status_code, got.status_code) == (200, 200), path
        assert head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]
        assert head.headers["cache-control"] == "no-store"
    # HEAD only looks: the secret is still there to reveal.
    revealed = assert_ok(await client.post(f"/api/v2/secret/{secret_key_of(record)}/reveal", json={"continue": True}))
    assert revealed["record"]["secret_value"] == "x"


async def test_head_of_an_unknown_secret_is_a_404(client: AsyncTestClient) -> None:
    response = await client.head(f"/api/v2/secret/{'c' * 31}")
    assert (response.status_code, response.content) == (404, b"")


@pytest.mark.parametrize("path", ["/api/v2/secret/conceal", "/api/v2/secret/generate"])
async def test_options_lists_the_methods_of_a_creation_route(client: AsyncTestClient, path: str) -> None:
    response = await client.options(path)
    assert response.status_code == 204
    assert response.headers["allow"] == "OPTIONS, POST"
