"""Status, authcheck, and the credential rules that every endpoint shares."""

from __future__ import annotations

import base64

import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from onetime.services import Services
from onetime.settings import Settings
from tests.conftest import with_settings
from tests.support.api import NOT_AUTHORIZED, assert_error, assert_ok, basic_auth, create_account, serve

ALICE = "alice@example.com"


@pytest.fixture
async def alice(redis: Redis, settings: Settings) -> dict[str, str]:
    return await create_account(redis, settings, ALICE)


def _raw_basic(text: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(text.encode()).decode()}


async def test_status_without_credentials_is_nominal(client: AsyncTestClient) -> None:
    assert assert_ok(await client.get("/api/v1/status")) == {"status": "nominal", "locale": "en"}


async def test_status_with_good_credentials_is_nominal(client: AsyncTestClient, alice: dict[str, str]) -> None:
    assert assert_ok(await client.get("/api/v1/status", headers=alice)) == {"status": "nominal", "locale": "en"}


async def test_status_names_the_region_when_one_is_configured(settings: Settings, redis: Redis) -> None:
    async with serve(with_settings(settings, region="eu")) as (_, http):
        assert assert_ok(await http.get("/api/v1/status")) == {"status": "nominal", "locale": "en", "region": "eu"}


async def test_status_with_bad_credentials_is_not_authorized(client: AsyncTestClient) -> None:
    assert_error(await client.get("/api/v1/status", headers=basic_auth(ALICE, "nope")), NOT_AUTHORIZED, 401)


async def test_status_reports_storage_down_as_unavailable(settings: Settings) -> None:
    dead = with_settings(settings, redis_url="redis://127.0.0.1:1/0")
    async with serve(dead) as (_, http):
        assert_error(await http.get("/api/v1/status"), "Service unavailable, please try again shortly", 503)


async def test_authcheck_without_credentials_is_not_authorized(client: AsyncTestClient) -> None:
    assert_error(await client.get("/api/v1/authcheck"), NOT_AUTHORIZED, 401)


async def test_authcheck_with_good_credentials_is_nominal(client: AsyncTestClient, alice: dict[str, str]) -> None:
    assert assert_ok(await client.get("/api/v1/authcheck", headers=alice)) == {"status": "nominal", "locale": "en"}


async def test_authcheck_accepts_the_email_in_any_case(client: AsyncTestClient, alice: dict[str, str]) -> None:
    token = base64.b64decode(alice["Authorization"].removeprefix("Basic ")).decode().partition(":")[2]
    headers = basic_auth("Alice@Example.COM", token)
    assert assert_ok(await client.get("/api/v1/authcheck", headers=headers))["status"] == "nominal"


async def test_authcheck_with_wrong_token_is_not_authorized(client: AsyncTestClient, alice: dict[str, str]) -> None:
    assert_error(await client.get("/api/v1/authcheck", headers=basic_auth(ALICE, "wrong")), NOT_AUTHORIZED, 401)


async def test_authcheck_for_unknown_user_is_not_authorized(client: AsyncTestClient, alice: dict[str, str]) -> None:
    token = base64.b64decode(alice["Authorization"].removeprefix("Basic ")).decode().partition(":")[2]
    response = await client.get("/api/v1/authcheck", headers=basic_auth("bob@example.com", token))
    assert_error(response, NOT_AUTHORIZED, 401)


async def test_unknown_user_and_wrong_token_answer_identically(client: AsyncTestClient, alice: dict[str, str]) -> None:
    unknown = await client.get("/api/v1/authcheck", headers=basic_auth("bob@example.com", "x" * 31))
    wrong = await client.get("/api/v1/authcheck", headers=basic_auth(ALICE, "x" * 31))
    assert (unknown.status_code, unknown.content) == (wrong.status_code, wrong.content)
    assert unknown.headers == wrong.headers


async def test_rotated_token_replaces_the_old_one(
    client: AsyncTestClient, alice: dict[str, str], redis: Redis, settings: Settings
) -> None:
    new_token = await Services.build(settings, redis).account_service.rotate_token(ALICE)
    assert_error(await client.get("/api/v1/authcheck", headers=alice), NOT_AUTHORIZED, 401)
    assert assert_ok(await client.get("/api/v1/authcheck", headers=basic_auth(ALICE, new_token)))


BAD_HEADERS = {
    "not basic": {"Authorization": "Bearer abcdef"},
    "scheme only": {"Authorization": "Basic"},
    "bad base64": {"Authorization": "Basic !!!not-base64!!!"},
    "not utf-8": {"Authorization": "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode()},
    "missing colon": _raw_basic("alice@example.com"),
    "empty user": _raw_basic(":sometoken"),
    "empty token": _raw_basic(f"{ALICE}:"),
    "unknown user": _raw_basic("nobody@example.com:sometoken"),
    "wrong token": _raw_basic(f"{ALICE}:wrongtoken"),
}


def _endpoints(secret_key: str, metadata_key: str) -> list[tuple[str, str]]:
    calls = [
        ("GET", "/api/v1/status"),
        ("GET", "/api/v1/authcheck"),
        ("POST", "/api/v1/share"),
        ("POST", "/api/v1/create"),
        ("POST", "/api/v1/generate"),
        ("POST", f"/api/v1/secret/{secret_key}"),
    ]
    for base in ("private", "metadata", "receipt"):
        calls += [
            ("GET", f"/api/v1/{base}/{metadata_key}"),
            ("POST", f"/api/v1/{base}/{metadata_key}"),
            ("POST", f"/api/v1/{base}/{metadata_key}/burn"),
            ("GET", f"/api/v1/{base}/recent"),
        ]
    return calls


@pytest.mark.parametrize("header", BAD_HEADERS.values(), ids=BAD_HEADERS.keys())
async def test_bad_credentials_are_refused_on_every_endpoint(
    client: AsyncTestClient, alice: dict[str, str], header: dict[str, str]
) -> None:
    created = assert_ok(await client.post("/api/v1/share", data={"secret": "still here"}))
    for method, path in _endpoints(created["secret_key"], created["metadata_key"]):
        response = await client.request(method, path, headers=header, data={"secret": "x"})
        assert_error(response, NOT_AUTHORIZED, 401)
    # Nothing was consumed or burned by the refused calls.
    receipt = assert_ok(await client.get(f"/api/v1/private/{created['metadata_key']}"))
    assert receipt["state"] == "new"
    revealed = assert_ok(await client.post(f"/api/v1/secret/{created['secret_key']}"))
    assert revealed["value"] == "still here"
