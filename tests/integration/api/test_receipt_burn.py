"""Receipts (GET|POST /private/:key and aliases) in every state, and burning (POST .../burn)."""

from __future__ import annotations

import time

import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from onetime.keys import secret_id
from onetime.settings import Settings
from onetime.storage.keys import secret_name
from tests.support.api import (
    BASE_URL,
    RATE_LIMITED,
    UNKNOWN_SECRET,
    assert_error,
    assert_ok,
    create_account,
    metadata_fields,
)

PASSPHRASE = "open sesame"
WRONG_PASSPHRASE = "Double check that passphrase"
ALIASES = ("private", "metadata", "receipt")
NEW_FIELDS = metadata_fields("received", "delivery", "value")
RECEIVED_FIELDS = metadata_fields("secret_key", "secret_ttl", "secret_url", "delivery", "value", "passphrase_required")
GONE_FIELDS = metadata_fields("secret_url", "received", "delivery", "value", "passphrase_required")


async def _share(client: AsyncTestClient, **params: str) -> dict:
    return assert_ok(await client.post("/api/v1/share", data={"secret": "hunter2", "ttl": "3600", **params}))


async def _receipt(client: AsyncTestClient, metadata_key: str) -> dict:
    return assert_ok(await client.get(f"/api/v1/private/{metadata_key}"))


@pytest.mark.parametrize("alias", ALIASES)
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_receipt_before_reveal_shows_the_new_secret(client: AsyncTestClient, alias: str, method: str) -> None:
    created = await _share(client)
    receipt = assert_ok(await client.request(method, f"/api/v1/{alias}/{created['metadata_key']}"))
    assert list(receipt) == NEW_FIELDS
    assert receipt["state"] == "new"
    assert receipt["secret_key"] == created["secret_key"]
    assert receipt["secret_url"] == f"{BASE_URL}/secret/{created['secret_key']}"
    assert receipt["metadata_url"] == f"{BASE_URL}/private/{created['metadata_key']}"
    assert receipt["ttl"] == 3600
    assert 3590 <= receipt["secret_ttl"] <= 3600
    assert 7190 <= receipt["metadata_ttl"] <= 7200
    assert (receipt["created"], receipt["updated"]) == (created["created"], created["updated"])
    assert receipt["passphrase_required"] is False


async def test_receipt_shows_that_a_passphrase_is_required(client: AsyncTestClient) -> None:
    created = await _share(client, passphrase=PASSPHRASE)
    assert (await _receipt(client, created["metadata_key"]))["passphrase_required"] is True


async def test_reading_a_receipt_changes_nothing(client: AsyncTestClient) -> None:
    created = await _share(client)
    first = await _receipt(client, created["metadata_key"])
    second = await _receipt(client, created["metadata_key"])
    assert first["state"] == second["state"] == "new"
    assert first["updated"] == second["updated"] == created["updated"]
    assert assert_ok(await client.post(f"/api/v1/secret/{created['secret_key']}"))["value"] == "hunter2"


async def test_receipt_after_reveal_is_received_without_the_secret_key(client: AsyncTestClient) -> None:
    created = await _share(client)
    assert_ok(await client.post(f"/api/v1/secret/{created['secret_key']}"))
    response = await client.get(f"/api/v1/private/{created['metadata_key']}")
    receipt = assert_ok(response)
    assert list(receipt) == RECEIVED_FIELDS
    assert receipt["state"] == "received"
    assert receipt["received"] >= receipt["created"]
    assert created["secret_key"] not in response.text


async def test_receipt_after_burn_has_an_empty_secret_key(client: AsyncTestClient) -> None:
    created = await _share(client)
    assert_ok(await client.post(f"/api/v1/private/{created['metadata_key']}/burn"))
    receipt = await _receipt(client, created["metadata_key"])
    assert list(receipt) == GONE_FIELDS
    assert receipt["state"] == "burned"
    assert receipt["secret_key"] == ""
    assert receipt["secret_ttl"] is None


async def test_receipt_after_expiry_is_expired(client: AsyncTestClient, redis: Redis) -> None:
    created = await _share(client)
    await redis.delete(secret_name(secret_id(created["secret_key"])))  # what Redis does when the TTL runs out
    ends = created["created"] + created["ttl"]
    service = client.app.state.services.secret_service
    service.clock = lambda: ends + 5
    try:
        receipt = await _receipt(client, created["metadata_key"])
    finally:
        service.clock = time.time
    assert list(receipt) == GONE_FIELDS
    assert receipt["state"] == "expired"
    assert (receipt["secret_key"], receipt["secret_ttl"]) == ("", None)
    assert receipt["updated"] == ends
    # The settled state stays put on later reads.
    assert (await _receipt(client, created["metadata_key"]))["state"] == "expired"


async def test_receipt_of_a_secret_lost_before_its_time_is_orphaned(client: AsyncTestClient, redis: Redis) -> None:
    created = await _share(client)
    await redis.delete(secret_name(secret_id(created["secret_key"])))
    receipt = await _receipt(client, created["metadata_key"])
    assert list(receipt) == GONE_FIELDS
    assert receipt["state"] == "orphaned"
    assert (receipt["secret_key"], receipt["secret_ttl"]) == ("", None)


async def test_unknown_receipt_key_is_unknown_secret(client: AsyncTestClient) -> None:
    key = "1" * 31
    assert_error(await client.get(f"/api/v1/private/{key}"), UNKNOWN_SECRET, 404, key)
    assert_error(await client.post(f"/api/v1/receipt/{key}"), UNKNOWN_SECRET, 404, key)


async def test_secret_key_does_not_open_the_receipt(client: AsyncTestClient) -> None:
    key = (await _share(client))["secret_key"]
    assert_error(await client.get(f"/api/v1/private/{key}"), UNKNOWN_SECRET, 404, key)


@pytest.mark.parametrize("alias", ALIASES)
async def test_burn_destroys_the_secret(client: AsyncTestClient, alias: str) -> None:
    created = await _share(client)
    body = assert_ok(await client.post(f"/api/v1/{alias}/{created['metadata_key']}/burn"))
    assert list(body) == ["state", "secret_shortkey"]
    assert body["secret_shortkey"] == created["secret_key"][:8]
    state = body["state"]
    assert list(state) == GONE_FIELDS
    assert state["state"] == "burned"
    assert (state["secret_key"], state["secret_ttl"]) == ("", None)
    assert state["metadata_key"] == created["metadata_key"]
    assert state["updated"] >= created["created"]
    key = created["secret_key"]
    assert_error(await client.post(f"/api/v1/secret/{key}"), UNKNOWN_SECRET, 404, key)


async def test_burn_twice_is_unknown_secret(client: AsyncTestClient) -> None:
    metadata_key = (await _share(client))["metadata_key"]
    assert_ok(await client.post(f"/api/v1/private/{metadata_key}/burn"))
    assert_error(await client.post(f"/api/v1/private/{metadata_key}/burn"), UNKNOWN_SECRET, 404, metadata_key)


async def test_burn_after_reveal_is_unknown_secret_and_keeps_the_received_state(client: AsyncTestClient) -> None:
    created = await _share(client)
    metadata_key = created["metadata_key"]
    assert_ok(await client.post(f"/api/v1/secret/{created['secret_key']}"))
    assert_error(await client.post(f"/api/v1/private/{metadata_key}/burn"), UNKNOWN_SECRET, 404, metadata_key)
    assert (await _receipt(client, metadata_key))["state"] == "received"


async def test_burn_after_expiry_is_unknown_secret(client: AsyncTestClient, redis: Redis) -> None:
    created = await _share(client)
    await redis.delete(secret_name(secret_id(created["secret_key"])))
    metadata_key = created["metadata_key"]
    assert_error(await client.post(f"/api/v1/private/{metadata_key}/burn"), UNKNOWN_SECRET, 404, metadata_key)


async def test_burn_with_a_secret_key_is_unknown_secret(client: AsyncTestClient) -> None:
    key = (await _share(client))["secret_key"]
    assert_error(await client.post(f"/api/v1/private/{key}/burn"), UNKNOWN_SECRET, 404, key)


@pytest.mark.parametrize("passphrase", [None, "", "not it"])
async def test_burn_without_the_right_passphrase_is_refused_and_keeps_the_secret(
    client: AsyncTestClient, passphrase: str | None
) -> None:
    created = await _share(client, passphrase=PASSPHRASE)
    data = {} if passphrase is None else {"passphrase": passphrase}
    response = await client.post(f"/api/v1/private/{created['metadata_key']}/burn", data=data)
    assert_error(response, WRONG_PASSPHRASE, 400)
    assert (await _receipt(client, created["metadata_key"]))["state"] == "new"


async def test_burn_with_the_right_passphrase_burns(client: AsyncTestClient) -> None:
    created = await _share(client, passphrase=PASSPHRASE)
    response = await client.post(f"/api/v1/private/{created['metadata_key']}/burn", data={"passphrase": PASSPHRASE})
    assert assert_ok(response)["state"]["state"] == "burned"
    key = created["secret_key"]
    assert_error(await client.post(f"/api/v1/secret/{key}", data={"passphrase": PASSPHRASE}), UNKNOWN_SECRET, 404, key)


async def test_wrong_burn_passphrases_count_towards_the_lockout(client: AsyncTestClient) -> None:
    created = await _share(client, passphrase=PASSPHRASE)
    for attempt in range(5):
        response = await client.post(
            f"/api/v1/private/{created['metadata_key']}/burn", data={"passphrase": f"guess {attempt}"}
        )
        assert_error(response, WRONG_PASSPHRASE, 400)
    locked = await client.post(f"/api/v1/secret/{created['secret_key']}", data={"passphrase": PASSPHRASE})
    assert_error(locked, RATE_LIMITED, 429)
    locked = await client.post(f"/api/v1/private/{created['metadata_key']}/burn", data={"passphrase": PASSPHRASE})
    assert_error(locked, RATE_LIMITED, 429)


async def test_anyone_holding_the_receipt_key_may_burn(
    client: AsyncTestClient, redis: Redis, settings: Settings
) -> None:
    owner = await create_account(redis, settings, "owner@example.com")
    created = assert_ok(await client.post("/api/v1/share", data={"secret": "x"}, headers=owner))
    assert (await _receipt(client, created["metadata_key"]))["custid"] == "owner@example.com"
    assert assert_ok(await client.post(f"/api/v1/private/{created['metadata_key']}/burn"))["state"]["state"] == "burned"
