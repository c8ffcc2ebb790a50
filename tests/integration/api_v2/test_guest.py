"""The /api/v2/guest routes: anonymous mirrors of conceal, generate, show, reveal, receipt and burn."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from onetime.settings import Settings
from tests.integration.api_v2.v2 import assert_error, assert_ok, receipt_key_of, secret_key_of
from tests.support.api import basic_auth, create_account

WRONG = basic_auth("nobody@example.com", "wrong-token")


async def test_the_guest_flow_works_end_to_end(client: AsyncTestClient) -> None:
    created = assert_ok(await client.post("/api/v2/guest/secret/conceal", json={"secret": {"secret": "guest"}}))
    record = created["record"]
    secret_key, receipt_key = secret_key_of(record), receipt_key_of(record)
    assert assert_ok(await client.get(f"/api/v2/guest/secret/{secret_key}"))["record"]["state"] == "new"
    assert assert_ok(await client.get(f"/api/v2/guest/receipt/{receipt_key}"))["record"]["state"] == "new"
    revealed = assert_ok(await client.post(f"/api/v2/guest/secret/{secret_key}/reveal", json={"continue": True}))
    assert revealed["record"]["secret_value"] == "guest"
    burned = assert_ok(await client.post(f"/api/v2/guest/receipt/{receipt_key}/burn", json={"continue": True}))
    assert (burned["success"], burned["record"]["state"]) == (False, "revealed")


async def test_guest_generate_and_burn(client: AsyncTestClient) -> None:
    record = assert_ok(await client.post("/api/v2/guest/secret/generate"))["record"]
    burned = assert_ok(
        await client.post(f"/api/v2/guest/receipt/{receipt_key_of(record)}/burn", json={"continue": True})
    )
    assert burned["success"] is True


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v2/guest/secret/conceal"),
        ("POST", "/api/v2/guest/secret/generate"),
    ],
)
async def test_guest_routes_never_look_at_credentials(client: AsyncTestClient, method: str, path: str) -> None:
    response = await client.request(method, path, json={"secret": {"secret": "x"}}, headers=WRONG)
    assert assert_ok(response)["success"] is True


async def test_a_guest_creation_is_anonymous_even_with_good_credentials(
    client: AsyncTestClient, redis: Redis, settings: Settings
) -> None:
    alice = await create_account(redis, settings, "alice@example.com")
    body = {"secret": {"secret": "x", "ttl": 14 * 24 * 3600}}
    record = assert_ok(await client.post("/api/v2/guest/secret/conceal", json=body, headers=alice))["record"]
    assert record["secret"]["lifespan"] == 7 * 24 * 3600  # the anonymous plan's limit
    listed = assert_ok(await client.get("/api/v2/receipt/recent", headers=alice))
    assert listed["count"] == 0


async def test_a_guest_may_not_send_email(client: AsyncTestClient, redis: Redis, settings: Settings) -> None:
    alice = await create_account(redis, settings, "alice@example.com")
    body = {"secret": {"secret": "x", "recipient": ["bob@example.com"]}}
    response = await client.post("/api/v2/guest/secret/conceal", json=body, headers=alice)
    assert_error(response, 422, "FormError", "An account is required to send emails.")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v2/guest/receipt/recent"),
        ("POST", "/api/v2/guest/secret/status"),
        ("GET", "/api/v2/guest/secret/abcdefghijklmnopqrstuvwxyz01234/status"),
        ("PATCH", "/api/v2/guest/receipt/abcdefghijklmnopqrstuvwxyz01234"),
        ("GET", "/api/v2/guest/private/abcdefghijklmnopqrstuvwxyz01234"),
        ("POST", "/api/v2/guest/receipts"),
    ],
)
async def test_there_is_no_guest_status_list_patch_or_private_alias(
    client: AsyncTestClient, method: str, path: str
) -> None:
    response = await client.request(method, path)
    assert response.status_code == 404
    assert response.json()["error_type"] in {"NotFound", "RecordNotFound"}
