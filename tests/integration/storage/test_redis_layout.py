"""What a secret leaves in Redis: every key expires, TTLs line up, hash tags match, nothing is
recreated once gone, and one small secret stays small."""

from __future__ import annotations

import re
import time

import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from onetime.keys import receipt_id, secret_id
from onetime.settings import Settings
from onetime.storage.keys import LAYOUT, generated_name, metadata_name, receipt_name, secret_name
from tests.support.api import assert_ok, create_account, serve

_TAG = re.compile(r"\{([^}]*)\}")


def hash_tag(key: bytes | str) -> str:
    text = key.decode() if isinstance(key, bytes) else key
    match = _TAG.search(text)
    assert match, f"{text} has no hash tag"
    return match.group(1)


async def _keys(redis: Redis) -> set[str]:
    """Return the names of the keys requests left (the layout marker, kept for good, aside)."""
    return {key.decode() async for key in redis.scan_iter("*")} - {LAYOUT}


async def _assert_every_key_expires(redis: Redis, keys: set[str]) -> None:
    for key in keys:
        assert await redis.ttl(key) > 0, f"{key} has no TTL"


async def test_every_key_of_an_anonymous_share_expires(client: AsyncTestClient, redis: Redis) -> None:
    assert_ok(await client.post("/api/v1/share", data={"secret": "x", "passphrase": "pw"}))
    assert_ok(await client.post("/api/v1/generate"))
    keys = await _keys(redis)
    assert {key.split(":")[1] for key in keys} == {"secret", "receipt", "metadata", "generated", "limit"}
    await _assert_every_key_expires(redis, keys)


async def test_every_key_of_an_authenticated_share_expires(
    client: AsyncTestClient, redis: Redis, settings: Settings
) -> None:
    alice = await create_account(redis, settings, "alice@example.com")
    before = await _keys(redis)
    assert_ok(await client.post("/api/v1/share", data={"secret": "x"}, headers=alice))
    assert_ok(await client.post("/api/v1/generate", headers=alice))
    added = await _keys(redis) - before
    assert "ots:recent:{alice@example.com}" in added
    await _assert_every_key_expires(redis, added)


async def test_no_key_is_left_without_a_ttl_after_a_whole_lifecycle(
    client: AsyncTestClient, redis: Redis, settings: Settings
) -> None:
    alice = await create_account(redis, settings, "alice@example.com")
    customers = await _keys(redis)
    revealed = assert_ok(await client.post("/api/v1/share", data={"secret": "x", "passphrase": "pw"}, headers=alice))
    burned = assert_ok(await client.post("/api/v1/generate", headers=alice))
    await client.post(f"/api/v1/secret/{revealed['secret_key']}", data={"passphrase": "wrong"})
    assert_ok(await client.post(f"/api/v1/secret/{revealed['secret_key']}", data={"passphrase": "pw"}))
    assert_ok(await client.get(f"/api/v1/private/{burned['metadata_key']}"))
    assert_ok(await client.post(f"/api/v1/private/{burned['metadata_key']}/burn"))
    assert_ok(await client.get(f"/api/v1/private/{revealed['metadata_key']}"))
    assert_ok(await client.get("/api/v1/private/recent", headers=alice))
    await _assert_every_key_expires(redis, await _keys(redis) - customers)


@pytest.mark.parametrize("ttl", [60, 3600, 7 * 24 * 3600])
async def test_receipt_lives_twice_as_long_as_the_secret(client: AsyncTestClient, redis: Redis, ttl: int) -> None:
    created = assert_ok(await client.post("/api/v1/share", data={"secret": "x", "ttl": str(ttl)}))
    secret_ttl = await redis.ttl(secret_name(secret_id(created["secret_key"])))
    receipt_ttl = await redis.ttl(receipt_name(secret_id(created["secret_key"])))
    index_ttl = await redis.ttl(metadata_name(receipt_id(created["metadata_key"])))
    assert ttl - 1 <= secret_ttl <= ttl
    assert abs(receipt_ttl - 2 * secret_ttl) <= 1
    assert abs(index_ttl - 2 * secret_ttl) <= 1


async def test_generated_echo_expires_within_a_minute(client: AsyncTestClient, redis: Redis) -> None:
    created = assert_ok(await client.post("/api/v1/generate"))
    assert 0 < await redis.ttl(generated_name(secret_id(created["secret_key"]))) <= 60


async def test_keys_touched_together_share_one_hash_tag(client: AsyncTestClient, redis: Redis) -> None:
    created = assert_ok(await client.post("/api/v1/generate", data={"passphrase": "pw"}))
    key = created["secret_key"]
    for _ in range(5):  # enough failures to leave counters and a lock behind
        await client.post(f"/api/v1/secret/{key}", data={"passphrase": "wrong"})
    by_secret = [name for name in await _keys(redis) if secret_id(key) in name]
    kinds = {name.split(":")[1] for name in by_secret}
    assert kinds == {"secret", "receipt", "generated", "fails", "lock"}
    assert {hash_tag(name) for name in by_secret} == {secret_id(key)}
    assert hash_tag(metadata_name(receipt_id(created["metadata_key"]))) == receipt_id(created["metadata_key"])
    assert not [name for name in await _keys(redis) if key in name or created["metadata_key"] in name]


async def test_state_changes_never_extend_a_ttl(client: AsyncTestClient, redis: Redis) -> None:
    created = assert_ok(await client.post("/api/v1/share", data={"secret": "x", "ttl": "3600"}))
    receipt = receipt_name(secret_id(created["secret_key"]))
    await redis.expire(receipt, 500)  # as if most of its life had passed
    assert_ok(await client.get(f"/api/v1/private/{created['metadata_key']}"))
    assert_ok(await client.post(f"/api/v1/secret/{created['secret_key']}"))
    assert_ok(await client.get(f"/api/v1/private/{created['metadata_key']}"))
    assert 0 < await redis.ttl(receipt) <= 500


async def test_no_write_recreates_a_receipt_that_is_gone(client: AsyncTestClient, redis: Redis) -> None:
    revealed = assert_ok(await client.post("/api/v1/share", data={"secret": "reveal me"}))
    burned = assert_ok(await client.post("/api/v1/share", data={"secret": "burn me"}))
    read = assert_ok(await client.post("/api/v1/generate"))
    for created in (revealed, burned, read):
        await redis.delete(receipt_name(secret_id(created["secret_key"])))

    assert assert_ok(await client.post(f"/api/v1/secret/{revealed['secret_key']}"))["value"] == "reveal me"
    await client.post(f"/api/v1/private/{burned['metadata_key']}/burn")
    await client.get(f"/api/v1/private/{read['metadata_key']}")
    await client.post(f"/api/v1/private/{read['metadata_key']}")

    for created in (revealed, burned, read):
        assert not await redis.exists(receipt_name(secret_id(created["secret_key"])))
    # The burn still destroyed its secret.
    assert not await redis.exists(secret_name(secret_id(burned["secret_key"])))


async def test_viewing_the_reveal_page_does_not_recreate_a_receipt(settings: Settings, redis: Redis) -> None:
    async with serve(settings) as (app, http):
        created = assert_ok(await http.post("/api/v1/share", data={"secret": "x"}))
        await redis.delete(receipt_name(secret_id(created["secret_key"])))
        await app.state.services.secret_service.preview(created["secret_key"], mark_viewed=True)
        assert not await redis.exists(receipt_name(secret_id(created["secret_key"])))


async def test_a_lazy_state_is_not_written_to_a_receipt_that_is_gone(client: AsyncTestClient, redis: Redis) -> None:
    created = assert_ok(await client.post("/api/v1/share", data={"secret": "x"}))
    await redis.delete(secret_name(secret_id(created["secret_key"])), receipt_name(secret_id(created["secret_key"])))
    response = await client.get(f"/api/v1/private/{created['metadata_key']}")
    assert response.status_code == 404
    assert not await redis.exists(receipt_name(secret_id(created["secret_key"])))


async def test_one_100_byte_secret_stays_small(client: AsyncTestClient, redis: Redis) -> None:
    created = assert_ok(await client.post("/api/v1/share", data={"secret": "s" * 100, "ttl": "3600"}))
    names = [
        secret_name(secret_id(created["secret_key"])),
        receipt_name(secret_id(created["secret_key"])),
        metadata_name(receipt_id(created["metadata_key"])),
    ]
    usage = {name.split(":")[1]: await redis.memory_usage(name, samples=0) for name in names}
    total = sum(usage.values())
    print(f"\nMEMORY USAGE of one 100-byte secret: {total} bytes {usage}")
    assert all(usage.values())
    assert total <= 650  # the budget of issue 10 (552 bytes when records were named by their keys)


async def test_records_hold_only_their_documented_fields(client: AsyncTestClient, redis: Redis) -> None:
    created = assert_ok(await client.post("/api/v1/share", data={"secret": "plain words never stored"}))
    index = await redis.get(metadata_name(receipt_id(created["metadata_key"])))
    assert index is not None
    assert index.startswith(secret_id(created["secret_key"]).encode())  # then the key, sealed under the receipt key
    assert created["secret_key"].encode() not in index
    record = await redis.get(secret_name(secret_id(created["secret_key"])))
    assert record is not None
    assert record[0] == 0  # no passphrase hash, then the envelope
    assert b"plain words" not in record  # the value is sealed, never stored in the clear
    receipt = await redis.hgetall(receipt_name(secret_id(created["secret_key"])))
    assert receipt[b"s"] == b"new"
    assert int(receipt[b"c"]) <= int(time.time())
