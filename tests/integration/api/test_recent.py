"""GET /private/recent (and aliases): the caller's own receipts, newest first, without keys."""

from __future__ import annotations

import time

import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from onetime.keys import receipt_id
from onetime.settings import Settings
from onetime.storage.keys import metadata_name
from tests.support.api import NOT_AUTHORIZED, assert_error, assert_ok, create_account, metadata_fields

LISTED_FIELDS = metadata_fields("secret_key", "secret_url", "received", "delivery", "value", "passphrase_required")
LISTED_RECEIVED_FIELDS = metadata_fields(
    "secret_key", "secret_ttl", "secret_url", "delivery", "value", "passphrase_required"
)


@pytest.fixture
async def alice(redis: Redis, settings: Settings) -> dict[str, str]:
    return await create_account(redis, settings, "alice@example.com")


async def _share_at(client: AsyncTestClient, headers: dict[str, str], when: float, **params: str) -> dict:
    """Create a secret as if at `when`, so that creation times differ without sleeping."""
    service = client.app.state.services.secret_service
    service.clock = lambda: when
    try:
        return assert_ok(await client.post("/api/v1/share", data={"secret": "x", **params}, headers=headers))
    finally:
        service.clock = time.time


@pytest.mark.parametrize("alias", ["private", "metadata", "receipt"])
async def test_recent_without_credentials_is_not_authorized(client: AsyncTestClient, alias: str) -> None:
    assert_error(await client.get(f"/api/v1/{alias}/recent"), NOT_AUTHORIZED, 401)


async def test_recent_with_nothing_shared_is_an_empty_list(client: AsyncTestClient, alice: dict[str, str]) -> None:
    assert assert_ok(await client.get("/api/v1/private/recent", headers=alice)) == []


@pytest.mark.parametrize("alias", ["private", "metadata", "receipt"])
async def test_recent_lists_the_callers_receipts_newest_first(
    client: AsyncTestClient, alice: dict[str, str], alias: str
) -> None:
    now = time.time()
    created = [await _share_at(client, alice, now - 30 + step) for step in range(3)]
    listed = assert_ok(await client.get(f"/api/v1/{alias}/recent", headers=alice))
    assert [entry["metadata_key"] for entry in listed] == [entry["metadata_key"] for entry in reversed(created)]
    for entry in listed:
        assert list(entry) == LISTED_FIELDS
        assert entry["custid"] == "alice@example.com"
        assert entry["state"] == "new"


async def test_recent_never_carries_a_secret_key_or_passphrase_flag(
    client: AsyncTestClient, alice: dict[str, str]
) -> None:
    created = assert_ok(await client.post("/api/v1/share", data={"secret": "x", "passphrase": "pw"}, headers=alice))
    response = await client.get("/api/v1/private/recent", headers=alice)
    (entry,) = assert_ok(response)
    assert "secret_key" not in entry
    assert "passphrase_required" not in entry
    assert created["secret_key"] not in response.text


async def test_recent_shows_each_receipts_current_state(client: AsyncTestClient, alice: dict[str, str]) -> None:
    now = time.time()
    revealed = await _share_at(client, alice, now - 2)
    burned = await _share_at(client, alice, now - 1)
    assert_ok(await client.post(f"/api/v1/secret/{revealed['secret_key']}"))
    assert_ok(await client.post(f"/api/v1/private/{burned['metadata_key']}/burn"))
    listed = assert_ok(await client.get("/api/v1/private/recent", headers=alice))
    assert [(entry["metadata_key"], entry["state"]) for entry in listed] == [
        (burned["metadata_key"], "burned"),
        (revealed["metadata_key"], "received"),
    ]
    assert list(listed[1]) == LISTED_RECEIVED_FIELDS


async def test_recent_holds_only_the_callers_own_receipts(
    client: AsyncTestClient, alice: dict[str, str], redis: Redis, settings: Settings
) -> None:
    bob = await create_account(redis, settings, "bob@example.com")
    mine = assert_ok(await client.post("/api/v1/share", data={"secret": "a"}, headers=alice))
    assert_ok(await client.post("/api/v1/share", data={"secret": "b"}, headers=bob))
    assert_ok(await client.post("/api/v1/share", data={"secret": "anonymous"}))
    listed = assert_ok(await client.get("/api/v1/private/recent", headers=alice))
    assert [entry["metadata_key"] for entry in listed] == [mine["metadata_key"]]


async def test_recent_leaves_out_receipts_older_than_30_days(client: AsyncTestClient, alice: dict[str, str]) -> None:
    await _share_at(client, alice, time.time() - 31 * 24 * 3600)
    fresh = assert_ok(await client.post("/api/v1/share", data={"secret": "x"}, headers=alice))
    listed = assert_ok(await client.get("/api/v1/private/recent", headers=alice))
    assert [entry["metadata_key"] for entry in listed] == [fresh["metadata_key"]]


async def test_recent_drops_receipts_that_are_gone(
    client: AsyncTestClient, alice: dict[str, str], redis: Redis
) -> None:
    gone = assert_ok(await client.post("/api/v1/share", data={"secret": "x"}, headers=alice))
    await redis.delete(metadata_name(receipt_id(gone["metadata_key"])))
    assert assert_ok(await client.get("/api/v1/private/recent", headers=alice)) == []
    assert await redis.zcard("ots:recent:{alice@example.com}") == 0


async def test_recent_is_not_read_as_a_receipt_key(client: AsyncTestClient) -> None:
    # `recent` routes match before `:key` routes, for POST too, which stays a receipt read.
    assert_error(await client.get("/api/v1/metadata/recent"), NOT_AUTHORIZED, 401)


async def test_recent_lists_more_receipts_than_the_redis_pool_has_connections(
    client: AsyncTestClient, alice: dict[str, str]
) -> None:
    for _ in range(150):
        assert_ok(await client.post("/api/v1/share", data={"secret": "x"}, headers=alice))
    listed = assert_ok(await client.get("/api/v1/private/recent", headers=alice))
    assert len(listed) == 150
