"""Credentials on v2: none means anonymous, and a header that is present and wrong is a 401 everywhere
but the guest and meta routes (upstream fails closed rather than falling back to anonymous)."""

from __future__ import annotations

import base64

import httpx
import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from onetime.settings import Settings
from tests.integration.api_v2.v2 import assert_error, assert_ok, conceal, receipt_key_of, secret_key_of
from tests.support.api import basic_auth, create_account

KEY = "abcdefghijklmnopqrstuvwxyz01234"
ROUTES = [
    ("POST", "/api/v2/secret/conceal"),
    ("POST", "/api/v2/secret/generate"),
    ("GET", f"/api/v2/secret/{KEY}"),
    ("POST", f"/api/v2/secret/{KEY}/reveal"),
    ("GET", f"/api/v2/secret/{KEY}/status"),
    ("POST", "/api/v2/secret/status"),
    ("GET", f"/api/v2/receipt/{KEY}"),
    ("GET", f"/api/v2/private/{KEY}"),
    ("POST", f"/api/v2/receipt/{KEY}/burn"),
    ("POST", f"/api/v2/private/{KEY}/burn"),
    ("PATCH", f"/api/v2/receipt/{KEY}"),
    ("PATCH", f"/api/v2/private/{KEY}"),
    ("GET", "/api/v2/receipt/recent"),
    ("GET", "/api/v2/private/recent"),
    ("GET", "/api/v2/version"),
]


def _bad_headers() -> dict[str, dict[str, str]]:
    return {
        "wrong-token": basic_auth("alice@example.com", "not-the-token"),
        "unknown-user": basic_auth("nobody@example.com", "whatever"),
        "bearer": {"Authorization": "Bearer abc"},
        "not-base64": {"Authorization": "Basic !!!"},
        "no-colon": {"Authorization": "Basic " + base64.b64encode(b"alice@example.com").decode()},
        "empty": {"Authorization": ""},
    }


@pytest.fixture
async def alice(redis: Redis, settings: Settings) -> dict[str, str]:
    return await create_account(redis, settings, "alice@example.com")


def _assert_invalid_credentials(response: httpx.Response) -> None:
    body = assert_error(response, 401, "AuthenticationRequired")
    assert body["error"] == "Authentication Required"
    assert body["message"] == "[CREDENTIALS_INVALID] Invalid credentials"
    assert "alice" not in response.text


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_a_wrong_token_is_a_401_on_every_route(
    client: AsyncTestClient, alice: dict[str, str], method: str, path: str
) -> None:
    _assert_invalid_credentials(await client.request(method, path, headers=_bad_headers()["wrong-token"], json={}))


@pytest.mark.parametrize("bad", list(_bad_headers()))
async def test_every_kind_of_wrong_header_is_a_401(client: AsyncTestClient, alice: dict[str, str], bad: str) -> None:
    body = {"secret": {"secret": "x"}}
    _assert_invalid_credentials(await client.post("/api/v2/secret/conceal", headers=_bad_headers()[bad], json=body))


async def test_no_header_is_the_anonymous_caller(client: AsyncTestClient) -> None:
    record = await conceal(client, "x")
    assert record["receipt"]["owner_id"] is None


async def test_good_credentials_create_for_the_account(client: AsyncTestClient, alice: dict[str, str]) -> None:
    record = await conceal(client, "x", headers=alice)
    listed = assert_ok(await client.get("/api/v2/receipt/recent", headers=alice))
    assert [row["identifier"] for row in listed["records"]] == [receipt_key_of(record)]


async def test_credentials_are_case_insensitive_in_the_email(client: AsyncTestClient, alice: dict[str, str]) -> None:
    token = base64.b64decode(alice["Authorization"].split()[1]).decode().split(":", 1)[1]
    headers = basic_auth("Alice@Example.com", token)
    assert assert_ok(await client.get("/api/v2/version", headers=headers))["success"] is True


@pytest.mark.parametrize("path", ["/api/v2/status", "/api/v2/supported-locales"])
async def test_the_meta_routes_do_not_look_at_credentials(client: AsyncTestClient, path: str) -> None:
    assert assert_ok(await client.get(path, headers=_bad_headers()["wrong-token"]))["success"] is True


async def test_a_reveal_with_wrong_credentials_consumes_nothing(client: AsyncTestClient) -> None:
    key = secret_key_of(await conceal(client, "kept"))
    response = await client.post(
        f"/api/v2/secret/{key}/reveal", json={"continue": True}, headers=_bad_headers()["wrong-token"]
    )
    assert_error(response, 401, "AuthenticationRequired")
    assert (
        assert_ok(await client.post(f"/api/v2/secret/{key}/reveal", json={"continue": True}))["record"]["secret_value"]
        == "kept"
    )
